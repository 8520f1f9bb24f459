// Bundled NodejsFunctions (esbuild): handler findings point at the real sources through the
// bundle's source map; a bundle without one is not analysed (the reason under --verbose).
const path = require('path');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const { NodejsFunction } = require('aws-cdk-lib/aws-lambda-nodejs');

class BundledStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const common = {
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      timeout: cdk.Duration.seconds(10),
    };
    new NodejsFunction(this, 'Create', {
      ...common,
      entry: path.join(__dirname, 'src/create.ts'),
      environment: { TABLE: 'orders' },
      bundling: { sourceMap: true, externalModules: ['@aws-sdk/*'] },
    });
    new NodejsFunction(this, 'Report', {
      ...common,
      entry: path.join(__dirname, 'src/report.ts'),
      environment: { BUCKET: 'reports' },
      bundling: { externalModules: ['@aws-sdk/*'] },
    });
  }
}

const app = new cdk.App();
new BundledStack(app, 'BundledStack');
app.synth();
