import { Aspects, type CfnElement, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RestoreConfig } from './config';
import { RestoreFunctions } from './functions';
import { Monitoring } from './monitoring';
import { acknowledge } from './nag';
import { MonthlySchedule, SkipFlag } from './schedule';
import { StatusSource } from './status-source';
import { RestoreWorkflow } from './workflow';

export interface StagingDbRestoreStackProps extends StackProps {
  config: RestoreConfig;
}

/** Wires one construct per concern; the logic lives in them and in lambdas/. */
export class StagingDbRestoreStack extends Stack {
  readonly workflow: RestoreWorkflow;

  constructor(scope: Construct, id: string, props: StagingDbRestoreStackProps) {
    super(scope, id, props);
    const { config } = props;

    const slackWebhook = secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhook', config.slackWebhookSecretName);
    const skipFlag = new SkipFlag(this, 'SkipFlag', { config });
    const dbCredentials = secretsmanager.Secret.fromSecretNameV2(
      this,
      'DbCredentials',
      config.sanitize.credentialsSecretName,
    );
    const githubToken = secretsmanager.Secret.fromSecretNameV2(this, 'GithubToken', config.deployApi.tokenSecretName);
    const functions = new RestoreFunctions(this, 'Functions', { config, slackWebhook, dbCredentials, githubToken });
    this.workflow = new RestoreWorkflow(this, 'Workflow', {
      config,
      functions: functions.byStep,
      skipParameter: skipFlag.parameter,
    });
    this.workflow.stateMachine.role.addManagedPolicy(functions.denyProduction);
    // Every role of the app carries the production Deny, also those CDK creates on our behalf (the schedule's
    // EventBridge role, a custom resource's): an aspect attaches it, so a new role cannot miss it.
    Aspects.of(this).add({
      visit: (node) => {
        if (node instanceof iam.Role) node.addManagedPolicy(functions.denyProduction);
      },
    });
    // cdk-nag: what CDK's task constructs grant the state machine's role, and why that is acceptable.
    acknowledge(this.workflow.stateMachine.role, [
      [
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and the ' +
          'vended delivery of the execution logs (logs:CreateLogDelivery and friends) have no resource-level ' +
          'permissions. test/lib/iam.test.ts fails if a "*" resource ever carries any other action.',
      ],
      ...Object.values(functions.byStep).map((fn): [string, string] => [
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        `Invoking the ${fn.node.id} step: CDK's LambdaInvoke grants that one function and its versions and ` +
          'aliases ("<function ARN>:*"), no other function.',
      ]),
    ]);
    const schedule = new MonthlySchedule(this, 'Schedule', { config, stateMachine: this.workflow.stateMachine });
    const readPath = { config, stateMachine: this.workflow.stateMachine, denyProduction: functions.denyProduction };
    new StatusSource(this, 'Status', { ...readPath, rule: schedule.rule, skipParameter: skipFlag.parameter });
    new Monitoring(this, 'Monitoring', readPath);
  }
}
