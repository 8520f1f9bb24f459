// The clean twin of orders-bad: the same app with every defect fixed.
const cdk = require('aws-cdk-lib');
const { Duration } = cdk;
const lambda = require('aws-cdk-lib/aws-lambda');
const destinations = require('aws-cdk-lib/aws-lambda-destinations');
const sqs = require('aws-cdk-lib/aws-sqs');
const sns = require('aws-cdk-lib/aws-sns');
const subs = require('aws-cdk-lib/aws-sns-subscriptions');
const apigw = require('aws-cdk-lib/aws-apigateway');
const ddb = require('aws-cdk-lib/aws-dynamodb');
const ec2 = require('aws-cdk-lib/aws-ec2');
const sources = require('aws-cdk-lib/aws-lambda-event-sources');
const logs = require('aws-cdk-lib/aws-logs');

class OrdersStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const code = lambda.Code.fromAsset('src/orders');
    const runtime = lambda.Runtime.PYTHON_3_12;
    // Every function: X-Ray tracing and a log group that does not keep logs forever.
    const observed = (name) => ({
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
    });
    const failures = new sqs.Queue(this, 'Failures', { retentionPeriod: Duration.days(14) });

    const notify = new lambda.Function(this, 'Notify', {
      ...observed('Notify'),
      runtime, code, handler: 'notify.main', timeout: Duration.seconds(10),
      onFailure: new destinations.SqsDestination(failures),
    });
    new sns.Topic(this, 'Events').addSubscription(
      new subs.LambdaSubscription(notify, { deadLetterQueue: failures }),
    );

    const api = new lambda.Function(this, 'Api', {
      ...observed('Api'),
      runtime, code, handler: 'api.main', timeout: Duration.seconds(10),
    });
    new apigw.LambdaRestApi(this, 'OrdersApi', {
      handler: api,
      deployOptions: {
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        accessLogDestination: new apigw.LogGroupLogDestination(
          new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        ),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const table = new ddb.Table(this, 'Orders', {
      partitionKey: { name: 'id', type: ddb.AttributeType.STRING },
      stream: ddb.StreamViewType.NEW_IMAGE,
    });
    const dlq = new sqs.Queue(this, 'WorkDlq', { retentionPeriod: Duration.days(14) });
    const work = new sqs.Queue(this, 'Work', {
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    const worker = new lambda.Function(this, 'Worker', {
      ...observed('Worker'),
      runtime, code, handler: 'worker.main', timeout: Duration.seconds(30),
      environment: { TABLE: table.tableName },
    });
    worker.addEventSource(new sources.SqsEventSource(work));
    table.grantWriteData(worker);

    const stream = new lambda.Function(this, 'Stream', {
      ...observed('Stream'),
      runtime, code, handler: 'stream.main', timeout: Duration.seconds(10),
    });
    stream.addEventSource(new sources.DynamoEventSource(table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      retryAttempts: 3,
      bisectBatchOnError: true,
      onFailure: new sources.SqsDlq(failures),
    }));

    const vpc = new ec2.Vpc(this, 'Vpc', { natGateways: 1, maxAzs: 2 });
    const priv = new lambda.Function(this, 'Private', {
      ...observed('Private'),
      runtime, code, handler: 'private.main', timeout: Duration.seconds(10), vpc,
    });
    table.grantReadData(priv);
  }
}

const app = new cdk.App();
new OrdersStack(app, 'OrdersStack');
app.synth();
