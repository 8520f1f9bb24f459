// An AWS CDK app with the classic defects (lambdalint's round-trip fixture). Synthesise with
// `CDK_OUTDIR=cdk.out node app.js` (or `npx cdk synth`).
const cdk = require('aws-cdk-lib');
const { Duration } = cdk;
const lambda = require('aws-cdk-lib/aws-lambda');
const sqs = require('aws-cdk-lib/aws-sqs');
const sns = require('aws-cdk-lib/aws-sns');
const subs = require('aws-cdk-lib/aws-sns-subscriptions');
const s3 = require('aws-cdk-lib/aws-s3');
const s3n = require('aws-cdk-lib/aws-s3-notifications');
const iam = require('aws-cdk-lib/aws-iam');
const apigw = require('aws-cdk-lib/aws-apigateway');
const ddb = require('aws-cdk-lib/aws-dynamodb');
const ec2 = require('aws-cdk-lib/aws-ec2');
const sources = require('aws-cdk-lib/aws-lambda-event-sources');

class OrdersStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const code = lambda.Code.fromAsset('src/orders');
    const runtime = lambda.Runtime.PYTHON_3_12;

    // Invoked asynchronously (SNS, S3) without a failure destination, and no timeout.
    const notify = new lambda.Function(this, 'Notify', { runtime, code, handler: 'notify.main' });
    new sns.Topic(this, 'Events').addSubscription(new subs.LambdaSubscription(notify));
    const uploads = new s3.Bucket(this, 'Uploads', {
      autoDeleteObjects: true,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(notify));

    // Behind API Gateway REST (29 s) with a 60 s timeout.
    const api = new lambda.Function(this, 'Api', {
      runtime, code, handler: 'api.main', timeout: Duration.seconds(60),
    });
    new apigw.LambdaRestApi(this, 'OrdersApi', { handler: api });

    // Queue visibility below the consumer's timeout, no dead-letter queue, wildcard IAM.
    const work = new sqs.Queue(this, 'Work', { visibilityTimeout: Duration.seconds(20) });
    const worker = new lambda.Function(this, 'Worker', {
      runtime, code, handler: 'worker.main', timeout: Duration.seconds(30),
    });
    worker.addEventSource(new sources.SqsEventSource(work));
    worker.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));

    // Stream without an OnFailure destination.
    const table = new ddb.Table(this, 'Orders', {
      partitionKey: { name: 'id', type: ddb.AttributeType.STRING },
      stream: ddb.StreamViewType.NEW_IMAGE,
    });
    const stream = new lambda.Function(this, 'Stream', {
      runtime, code, handler: 'stream.main', timeout: Duration.seconds(10),
    });
    stream.addEventSource(new sources.DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    }));

    // In a VPC with isolated subnets only: no way out to AWS APIs.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const priv = new lambda.Function(this, 'Private', {
      runtime, code, handler: 'private.main', timeout: Duration.seconds(10), vpc,
    });
    table.grantReadData(priv);
  }
}

const app = new cdk.App();
new OrdersStack(app, 'OrdersStack');
app.synth();
