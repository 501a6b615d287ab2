import { Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RestoreConfig } from './config';
import { RestoreFunctions } from './functions';
import { Monitoring } from './monitoring';
import { MonthlySchedule, SkipFlag } from './schedule';
import { StatusSource } from './status';
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
    const schedule = new MonthlySchedule(this, 'Schedule', { config, stateMachine: this.workflow.stateMachine });
    const readPath = { config, stateMachine: this.workflow.stateMachine, denyProduction: functions.denyProduction };
    new StatusSource(this, 'Status', { ...readPath, rule: schedule.rule, skipParameter: skipFlag.parameter });
    new Monitoring(this, 'Monitoring', readPath);
  }
}
