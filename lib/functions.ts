import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CREATED_BY_TAG } from '../lambdas/shared/contract';
import { IDENTIFIER_ENV } from '../lambdas/shared/env';
import type { RestoreConfig } from './config';
import { appFunction } from './app-function';
import { acknowledge, nagResource } from './nag';

/** The steps, each a folder under lambdas/ with an index.ts handler. */
export const STEPS = [
  'validate-input',
  'check-runs',
  'leftovers',
  'find-snapshot',
  'capture-staging',
  'restore',
  'check-status',
  'verify-restore',
  'rename',
  'delete',
  'apply-settings',
  'rollback',
  'notify',
  'reset-password',
  'sanitize',
  'deploy-api',
  'update-index',
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
  /** GitHub token (read:packages; actions:write on the repository) for the staging API redeploy. */
  githubToken: ISecret;
  /** Staging's database credentials (JSON username/password), used to sanitize the restored copy. */
  dbCredentials: ISecret;
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
    // The newest automated snapshot (rds:<production>-<date>) or one chosen in the execution input, which may
    // be a manual one with a free-form name: reading and restoring *from* any snapshot is allowed (the handlers
    // check it is production's; nothing changes the snapshot, and the snapshot-mutation Deny below stays).
    const anySnapshot = rdsArn('snapshot', '*');
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: config.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ownExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${config.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    /** Deleting the temporary name only when the instance carries this tool's tag (see leftovers, rollback). */
    const createdByThisTool = { Null: { [`rds:db-tag/${CREATED_BY_TAG}`]: 'false' } };
    const nonProduction = [config.stagingInstance, config.temporaryInstance, config.oldInstance].map(dbArn);

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
    const make = (step: Step, extraEnv: Record<string, string> = {}, extra: Partial<NodejsFunctionProps> = {}) =>
      appFunction(this, pascal(step), {
        folder: step,
        description: `staging-db-restore: ${step}`,
        denyProduction: this.denyProduction,
        timeout: Duration.minutes(1),
        environment: { ...environment, ...extraEnv, [STEP_ENV]: step },
        ...extra,
      });

    // Pure validation of the execution input: no AWS permissions at all.
    const validateInput = make('validate-input');

    // The run lock: this state machine's running executions, and those of the other users of staging.
    const checkRuns = make('check-runs', {
      STATE_MACHINE_ARN: stateMachineArn,
      OTHER_STATE_MACHINE_ARNS: config.concurrency.otherStateMachineArns.join(','),
    });
    checkRuns.addToRolePolicy(
      allow(['states:ListExecutions'], [stateMachineArn, ...config.concurrency.otherStateMachineArns]),
    );
    checkRuns.addToRolePolicy(allow(['states:DescribeExecution'], [ownExecutions]));
    acknowledge(checkRuns.role!, [describeOwnExecutions(this, ownExecutions)]);

    // What an earlier run left: its tagged copy is deleted, staging renamed back from the old name.
    const leftovers = make('leftovers', { STATE_MACHINE_ARN: stateMachineArn });
    leftovers.addToRolePolicy(allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], nonProduction));
    leftovers.addToRolePolicy(
      allowWhen(['rds:DeleteDBInstance'], [dbArn(config.temporaryInstance)], createdByThisTool),
    );
    leftovers.addToRolePolicy(allow(['states:DescribeExecution'], [ownExecutions]));
    acknowledge(leftovers.role!, [describeOwnExecutions(this, ownExecutions)]);

    const findSnapshot = make('find-snapshot');
    findSnapshot.addToRolePolicy(allow(['rds:DescribeDBSnapshots'], [dbArn(config.productionInstance), anySnapshot]));
    acknowledge(findSnapshot.role!, [readAnySnapshot(this, anySnapshot)]);

    const captureStaging = make('capture-staging');
    captureStaging.addToRolePolicy(allow(['rds:DescribeDBInstances'], nonProduction));

    const restore = make('restore', config.snapshotKmsKeyArn ? { SNAPSHOT_KMS_KEY_ARN: config.snapshotKmsKeyArn } : {});
    restore.addToRolePolicy(
      allow(
        ['rds:RestoreDBInstanceFromDBSnapshot'],
        [
          dbArn(config.temporaryInstance),
          anySnapshot,
          rdsArn('subgrp', '*'),
          rdsArn('og', '*'),
          rdsArn('pg', '*'),
          rdsArn('secgrp', '*'),
        ],
      ),
    );
    // Tags are given on restore (staging's tags and ours), which needs AddTagsToResource on the new instance.
    restore.addToRolePolicy(allow(['rds:AddTagsToResource'], [dbArn(config.temporaryInstance)]));
    // The snapshot's size and engine decide what storage the restore may ask for.
    restore.addToRolePolicy(allow(['rds:DescribeDBSnapshots'], [dbArn(config.productionInstance), anySnapshot]));
    if (config.snapshotKmsKeyArn) {
      restore.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: [config.snapshotKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `rds.${stack.region}.amazonaws.com` } },
        }),
      );
      acknowledge(restore.role!, [
        [
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          "RDS generates the restored volume's data keys under the snapshot's customer key (GenerateDataKey and its " +
            'WithoutPlaintext form); granted on that one key only, and only through RDS (kms:ViaService).',
        ],
      ]);
    }
    // The restore is authorized on the groups staging uses, whose names are captured from staging at run time
    // (Capture staging configuration), so they cannot be listed at synth.
    acknowledge(restore.role!, [
      readAnySnapshot(this, anySnapshot),
      ...(['subgrp', 'og', 'pg', 'secgrp'] as const).map((kind): [string, string] => [
        `AwsSolutions-IAM5[Resource::${nagResource(this, rdsArn(kind, '*'))}]`,
        `RestoreDBInstanceFromDBSnapshot is authorized on the ${RDS_GROUP_KIND[kind]} the new instance gets: ` +
          "staging's, read from staging at run time, so its name is unknown at synth; using one changes nothing in it.",
      ]),
    ]);

    const checkStatus = make('check-status');
    checkStatus.addToRolePolicy(allow(['rds:DescribeDBInstances'], nonProduction));
    checkStatus.addToRolePolicy(allow(['rds:DescribeDBSnapshots'], [dbArn(config.productionInstance), anySnapshot]));
    acknowledge(checkStatus.role!, [readAnySnapshot(this, anySnapshot)]);

    const verifyRestore = make('verify-restore');
    verifyRestore.addToRolePolicy(allow(['rds:DescribeDBInstances'], [dbArn(config.temporaryInstance)]));

    // A rename needs ModifyDBInstance on both the old and the new name's ARN.
    const rename = make('rename');
    rename.addToRolePolicy(allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], nonProduction));

    // Only ever the old name: the original staging instance after the swap (it may not carry the tag).
    const deleteFn = make('delete');
    deleteFn.addToRolePolicy(
      allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance', 'rds:DeleteDBInstance'], [dbArn(config.oldInstance)]),
    );

    // After the swap, staging's own settings on the new staging (it checks the instance is the new one first).
    // Enhanced Monitoring's role is passed to RDS's monitoring service: only there, and only roles (the name is
    // staging's, read at run time).
    const applySettings = make('apply-settings');
    applySettings.addToRolePolicy(
      allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], [dbArn(config.stagingInstance)]),
    );
    const monitoringRoles = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    applySettings.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [monitoringRoles],
        conditions: { StringEquals: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' } },
      }),
    );
    acknowledge(applySettings.role!, [
      [
        `AwsSolutions-IAM5[Resource::${nagResource(this, monitoringRoles)}]`,
        "Enhanced Monitoring's role is staging's, read at run time, so its name is unknown at synth; it may only be " +
          'passed to RDS monitoring (iam:PassedToService).',
      ],
    ]);

    const rollback = make('rollback');
    rollback.addToRolePolicy(allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], nonProduction));
    // The rollback only deletes the copy this execution created, which carries the tag and is only ever under the
    // temporary name (from staging's name it is renamed back there first). Not the old name: staging, renamed
    // there mid-swap, carries the tag of the run that created it months ago.
    rollback.addToRolePolicy(allowWhen(['rds:DeleteDBInstance'], [dbArn(config.temporaryInstance)], createdByThisTool));

    const notify = make('notify', {
      SLACK_WEBHOOK_SECRET: props.slackWebhook.secretName,
      SKIP_PARAMETER_NAME: config.skipParameterName,
    });
    props.slackWebhook.grantRead(notify);

    // The restored copy gets staging's master password before it is sanitized (only the temporary instance).
    const resetPassword = make('reset-password', { DB_CREDENTIALS_SECRET: props.dbCredentials.secretName });
    resetPassword.addToRolePolicy(
      allow(['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], [dbArn(config.temporaryInstance)]),
    );
    props.dbCredentials.grantRead(resetPassword);

    // Connects to the restored copy with pg: it must run where the database is reachable.
    const sanitize = make(
      'sanitize',
      // The RDS CA certificates, which Node.js 20+ Lambda runtimes do not load by default (see lambdas/sanitize/pg.ts).
      { DB_CREDENTIALS_SECRET: props.dbCredentials.secretName, NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      { timeout: Duration.minutes(5), ...this.placement(config, 'Sanitize') },
    );
    sanitize.addToRolePolicy(allow(['rds:DescribeDBInstances'], [dbArn(config.temporaryInstance)]));
    props.dbCredentials.grantRead(sanitize);

    // Talks to GitHub's API: needs internet egress, so it stays out of the VPC. No AWS permissions but its secret.
    const deployApi = make(
      'deploy-api',
      { GITHUB_TOKEN_SECRET: props.githubToken.secretName, GITHUB_API_URL: config.deployApi.apiUrl },
      { timeout: Duration.minutes(2) },
    );
    props.githubToken.grantRead(deployApi);

    // Talks to the ingestion server, which lives in staging's network.
    const updateIndex = make('update-index', {}, this.placement(config, 'UpdateIndex'));

    this.byStep = {
      'validate-input': validateInput,
      'check-runs': checkRuns,
      leftovers,
      'find-snapshot': findSnapshot,
      'capture-staging': captureStaging,
      restore,
      'check-status': checkStatus,
      'verify-restore': verifyRestore,
      rename,
      delete: deleteFn,
      'apply-settings': applySettings,
      rollback,
      notify,
      'reset-password': resetPassword,
      sanitize,
      'deploy-api': deployApi,
      'update-index': updateIndex,
    };
  }

  /** VPC placement from config (IDs only: synth needs no lookups), or a warning when there is none. */
  private placement(config: RestoreConfig, who: string): Partial<NodejsFunctionProps> {
    const net = config.network;
    if (!net) {
      Annotations.of(this).addWarningV2(
        `staging-db-restore:no-network-${who}`,
        `config.network is not set: the ${who} function runs outside any VPC and can only reach public ` +
          'endpoints. Set network.vpcId, subnetIds, availabilityZones and securityGroupIds.',
      );
      return {};
    }
    this.vpc ??= ec2.Vpc.fromVpcAttributes(this, 'StagingVpc', {
      vpcId: net.vpcId,
      availabilityZones: net.availabilityZones,
      privateSubnetIds: net.subnetIds,
    });
    return {
      vpc: this.vpc,
      vpcSubnets: { subnets: net.subnetIds.map((id, i) => ec2.Subnet.fromSubnetId(this, `${who}Subnet${i}`, id)) },
      securityGroups: net.securityGroupIds.map((id, i) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `${who}SecurityGroup${i}`, id, { mutable: false }),
      ),
    };
  }

  private vpc?: ec2.IVpc;
}

const RDS_GROUP_KIND = {
  subgrp: 'DB subnet group',
  og: 'option group',
  pg: 'DB parameter group',
  secgrp: 'DB security group',
} as const;

/** The cdk-nag acknowledgement of DescribeExecution on this state machine's executions (`...:execution:<name>:*`). */
function describeOwnExecutions(scope: Construct, arn: string): [string, string] {
  return [
    `AwsSolutions-IAM5[Resource::${nagResource(scope, arn)}]`,
    "DescribeExecution on this state machine's own executions only: their names (the run lock's and a " +
      "leftover's tag's) are only known at run time.",
  ];
}

/** The cdk-nag acknowledgement of reading (or restoring from) any snapshot: `arn` is `...:snapshot:*`. */
function readAnySnapshot(scope: Construct, arn: string): [string, string] {
  return [
    `AwsSolutions-IAM5[Resource::${nagResource(scope, arn)}]`,
    'A snapshot chosen in the execution input may be a manual one, named freely, and automated ones carry ' +
      "their date. Snapshots are only read or restored from (the handlers check they are production's); no " +
      'role may change a snapshot, and the Deny forbids it on production-like ones.',
  ];
}

function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });
}

function allowWhen(actions: string[], resources: string[], conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources, conditions });
}

function pascal(step: string): string {
  return step.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
