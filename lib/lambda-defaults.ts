import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { bundleAssetHash } from './bundle-hash';
import { acknowledge } from './nag';

/**
 * How every function of this app is bundled (NodejsFunction, esbuild): minified, Node 22, the AWS SDK v3 left
 * to the runtime's copy. Bundling the SDK too starts a function ~50-70 ms sooner (one file, no module
 * resolution), but makes every bundle 300-550 KB and `cdk synth` seconds slower; BENCHMARKS.md has both
 * measurements. scripts/bench.ts builds its bundles with exactly these options.
 */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  externalModules: ['@aws-sdk/*'],
} satisfies NodejsFunctionProps['bundling'];

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
  const entry = path.join(__dirname, '..', 'lambdas', folder, 'index.ts');
  const fn = new NodejsFunction(scope, id, {
    entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(15),
    tracing: lambda.Tracing.ACTIVE,
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS }),
    bundling: { ...BUNDLING, ...bundleAssetHash(scope, entry, BUNDLING) },
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
