import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * A Lambda function of this app that is not a workflow step (the status source, the data-age publisher):
 * built like the steps in lib/functions.ts (Node 22 on ARM, bundled and minified without the SDK, X-Ray,
 * its own role and log group) and carrying the production Deny like every role of the app.
 */
export function appFunction(
  scope: Construct,
  id: string,
  props: { folder: string; description: string; denyProduction: iam.IManagedPolicy } & Partial<NodejsFunctionProps>,
): NodejsFunction {
  const { folder, denyProduction, ...rest } = props;
  const fn = new NodejsFunction(scope, id, {
    entry: path.join(__dirname, '..', 'lambdas', folder, 'index.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(15),
    tracing: lambda.Tracing.ACTIVE,
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS }),
    bundling: { minify: true, sourceMap: true, target: 'node22', externalModules: ['@aws-sdk/*'] },
    ...rest,
    environment: { POWERTOOLS_SERVICE_NAME: 'staging-db-restore', ...rest.environment },
  });
  fn.role!.addManagedPolicy(denyProduction);
  acknowledge(fn, [
    [
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The managed basic execution role only lets the function write its own logs; its other permissions are inline and scoped.',
    ],
    [
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (and PutMetricData, where granted, is scoped by the cloudwatch:namespace condition).',
    ],
    [
      'AwsSolutions::AwsSolutions-L1',
      'Node.js 22 is the runtime every function of this app is built and tested for; moving to a newer one is a deliberate, app-wide change.',
    ],
  ]);
  return fn;
}

/** cdk-nag findings that are accepted for `scope`, each with its reason: see lib/nag.ts. */
export { acknowledge } from './nag';
