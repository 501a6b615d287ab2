import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

export interface AppFunctionProps extends Partial<NodejsFunctionProps> {
  /** The handler is `lambdas/<folder>/index.ts`. */
  folder: string;
  description: string;
  /** The explicit Deny of production mutations, attached to every role of the app. */
  denyProduction: iam.IManagedPolicy;
}

/**
 * Every Lambda function of this app, the workflow's steps (lib/functions.ts) and the others (the status source,
 * the data-age publisher), built one way: Node 22 on ARM, bundled and minified without the SDK, X-Ray, its own
 * log group and its own role, which may write to that log group only (the default AWSLambdaBasicExecutionRole
 * may write to every log group of the account) and carries the production Deny. `timeout` defaults to 15 s.
 */
export function appFunction(scope: Construct, id: string, props: AppFunctionProps): NodejsFunction {
  const { folder, denyProduction, ...rest } = props;
  const entry = path.join(__dirname, '..', 'lambdas', folder, 'index.ts');
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.description,
  });
  logGroup.grantWrite(role);
  if (rest.vpc) {
    // In a VPC, Lambda creates network interfaces on the role's behalf (CDK adds this policy only to roles it creates).
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    acknowledge(role, [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        "Lambda's own network-interface permissions for a function in staging's VPC (ec2:CreateNetworkInterface and " +
          'friends, which need Resource "*"); AWS maintains the list as Lambda changes.',
      ],
    ]);
  }
  const fn = new NodejsFunction(scope, id, {
    entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(15),
    tracing: lambda.Tracing.ACTIVE,
    role,
    logGroup,
    // Re-bundled only when the bundle's content changes (lib/bundle-hash.ts).
    bundling: { ...BUNDLING, ...bundleAssetHash(scope, entry, BUNDLING) },
    ...rest,
    environment: { ...rest.environment, POWERTOOLS_SERVICE_NAME: 'staging-db-restore' },
  });
  role.addManagedPolicy(denyProduction);
  acknowledge(role, [
    [
      'AwsSolutions-IAM5[Resource::*]',
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level ' +
        'permissions (nor has cloudwatch:PutMetricData, where granted, scoped by its namespace condition). ' +
        'test/lib/iam.test.ts fails if a "*" resource ever carries any other action.',
    ],
  ]);
  acknowledge(fn, [
    [
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the handlers are bundled (target node22) and tested for, with the AWS SDK v3 ' +
        'the runtime ships; moving to Node.js 24 is a deliberate app-wide upgrade, not a side effect of a rule.',
    ],
  ]);
  return fn;
}

/** cdk-nag findings that are accepted for `scope`, each with its reason: see lib/nag.ts. */
export { acknowledge } from './nag';
