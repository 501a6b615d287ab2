import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IDENTIFIER_ENV } from '../lambdas/shared/env';
import type { RestoreConfig } from './config';

/** The steps, each a folder under lambdas/ with an index.ts handler. */
export const STEPS = [
  'find-snapshot',
  'capture-staging',
  'restore',
  'check-status',
  'verify-restore',
  'rename',
  'delete',
  'rollback',
  'notify',
] as const;
export type Step = (typeof STEPS)[number];

/** The environment variable that tells the offline harness (and the logs) which step a function is. */
export const STEP_ENV = 'STEP_NAME';

/**
 * RDS actions that change an instance or a snapshot. Production is denied all of them explicitly, on
 * every role of this app, whatever else a role is granted.
 */
export const MUTATING_RDS_ACTIONS = [
  'rds:AddTagsToResource',
  'rds:CreateDBInstanceReadReplica',
  'rds:CreateDBSnapshot',
  'rds:DeleteDBInstance',
  'rds:DeleteDBSnapshot',
  'rds:FailoverDBCluster',
  'rds:ModifyDBInstance',
  'rds:ModifyDBSnapshot',
  'rds:ModifyDBSnapshotAttribute',
  'rds:PromoteReadReplica',
  'rds:RebootDBInstance',
  'rds:RemoveTagsFromResource',
  'rds:RestoreDBInstanceFromDBSnapshot',
  'rds:RestoreDBInstanceToPointInTime',
  'rds:StartDBInstance',
  'rds:StopDBInstance',
];

/** Mutations of a snapshot itself (restoring from one is not among them). */
export const MUTATING_RDS_SNAPSHOT_ACTIONS = [
  'rds:AddTagsToResource',
  'rds:DeleteDBSnapshot',
  'rds:ModifyDBSnapshot',
  'rds:ModifyDBSnapshotAttribute',
  'rds:RemoveTagsFromResource',
];

export interface RestoreFunctionsProps {
  config: RestoreConfig;
  slackWebhook: ISecret;
}

/** One NodejsFunction per step, each with its own role holding only what that step calls. */
export class RestoreFunctions extends Construct {
  readonly byStep: Record<Step, NodejsFunction>;
  /** Attached to every role of the app: explicit Deny of mutations on anything production-like. */
  readonly denyProduction: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RestoreFunctionsProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const dbArn = (name: string) =>
      stack.formatArn({ service: 'rds', resource: 'db', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const rdsArn = (resource: string, name: string) =>
      stack.formatArn({ service: 'rds', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // Automated snapshots are named rds:<instance>-<date>; their ARNs are ...:snapshot:rds:<instance>-*.
    const productionSnapshots = rdsArn('snapshot', `rds:${config.productionInstance}-*`);
    const nonProduction = [config.stagingInstance, config.temporaryInstance, config.oldInstance].map(dbArn);
    const deletable = [config.temporaryInstance, config.oldInstance].map(dbArn);

    this.denyProduction = new iam.ManagedPolicy(this, 'DenyProductionMutation', {
      description: 'staging-db-restore must never change production: explicit deny on production-like RDS resources',
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyProductionInstanceMutation',
          effect: iam.Effect.DENY,
          actions: MUTATING_RDS_ACTIONS,
          resources: [dbArn(config.productionInstance), dbArn('*prod*')],
        }),
        // Restoring *from* a production snapshot authorizes RestoreDBInstanceFromDBSnapshot on the snapshot
        // ARN, so that action must not be denied there; the snapshots' own mutations are.
        new iam.PolicyStatement({
          sid: 'DenyProductionSnapshotMutation',
          effect: iam.Effect.DENY,
          actions: MUTATING_RDS_SNAPSHOT_ACTIONS,
          resources: [rdsArn('snapshot', '*prod*')],
        }),
      ],
    });

    const environment: Record<string, string> = {
      [IDENTIFIER_ENV.production]: config.productionInstance,
      [IDENTIFIER_ENV.staging]: config.stagingInstance,
      [IDENTIFIER_ENV.temporary]: config.temporaryInstance,
      [IDENTIFIER_ENV.old]: config.oldInstance,
    };
    const make = (step: Step, extraEnv: Record<string, string> = {}) => {
      const fn = new NodejsFunction(this, pascal(step), {
        entry: path.join(__dirname, '..', 'lambdas', step, 'index.ts'),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: Duration.minutes(1),
        tracing: lambda.Tracing.ACTIVE,
        description: `staging-db-restore: ${step}`,
        environment: { ...environment, ...extraEnv, [STEP_ENV]: step, POWERTOOLS_SERVICE_NAME: 'staging-db-restore' },
        logGroup: new logs.LogGroup(this, `${pascal(step)}Logs`, { retention: logs.RetentionDays.THREE_MONTHS }),
        bundling: {
          minify: true,
          sourceMap: true,
          target: 'node22',
          // The Node 22 runtime ships AWS SDK v3: leaving it out keeps bundles small.
          externalModules: ['@aws-sdk/*'],
        },
      });
      fn.role!.addManagedPolicy(this.denyProduction);
      return fn;
    };

    const findSnapshot = make('find-snapshot');
    findSnapshot.addToRolePolicy(
      allow(['rds:DescribeDBSnapshots'], [dbArn(config.productionInstance), productionSnapshots]),
    );

    const captureStaging = make('capture-staging');
    captureStaging.addToRolePolicy(allow(['rds:DescribeDBInstances'], nonProduction));

    const restore = make('restore');
    restore.addToRolePolicy(
      allow(
        ['rds:RestoreDBInstanceFromDBSnapshot'],
        [
          dbArn(config.temporaryInstance),
          productionSnapshots,
          rdsArn('subgrp', '*'),
          rdsArn('og', '*'),
          rdsArn('pg', '*'),
          rdsArn('secgrp', '*'),
        ],
      ),
    );
    // Tags are given on restore (staging's tags and ours), which needs AddTagsToResource on the new instance.
    restore.addToRolePolicy(allow(['rds:AddTagsToResource'], [dbArn(config.temporaryInstance)]));
    if (config.snapshotKmsKeyArn) {
      restore.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: [config.snapshotKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `rds.${stack.region}.amazonaws.com` } },
        }),
      );
    }

    const checkStatus = make('check-status');
    checkStatus.addToRolePolicy(allow(['rds:DescribeDBInstances'], nonProduction));
    checkStatus.addToRolePolicy(
      allow(['rds:DescribeDBSnapshots'], [dbArn(config.productionInstance), productionSnapshots]),
    );

    const verifyRestore = make('verify-restore');
    verifyRestore.addToRolePolicy(allow(['rds:DescribeDBInstances'], [dbArn(config.temporaryInstance)]));

    // A rename needs ModifyDBInstance on both the old and the new name's ARN.
    const rename = make('rename');
    rename.addToRolePolicy(allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], nonProduction));

    const deleteFn = make('delete');
    deleteFn.addToRolePolicy(allow(['rds:DescribeDBInstances'], deletable));
    deleteFn.addToRolePolicy(allow(['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], deletable));

    const rollback = make('rollback');
    rollback.addToRolePolicy(allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], nonProduction));
    rollback.addToRolePolicy(allow(['rds:DeleteDBInstance'], deletable));

    const notify = make('notify', {
      SLACK_WEBHOOK_SECRET: props.slackWebhook.secretName,
      SKIP_PARAMETER_NAME: config.skipParameterName,
    });
    props.slackWebhook.grantRead(notify);

    this.byStep = {
      'find-snapshot': findSnapshot,
      'capture-staging': captureStaging,
      restore,
      'check-status': checkStatus,
      'verify-restore': verifyRestore,
      rename,
      delete: deleteFn,
      rollback,
      notify,
    };
  }
}

function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });
}

function pascal(step: string): string {
  return step.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
