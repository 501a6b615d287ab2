import { Duration, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DATA_AGE_METRIC } from '../lambdas/data-age/data-age';
import type { RestoreConfig } from './config';
import { appFunction } from './app-function';
import { parameterArn } from './status-source';

export interface MonitoringProps {
  config: RestoreConfig;
  stateMachine: sfn.StateMachine;
  denyProduction: iam.IManagedPolicy;
}

/**
 * The alarms that say the restore stopped working, each described with what it means and a link to its
 * runbook entry (docs/runbook.md, "Alarm: …" headings), optionally sent to an SNS topic and/or a Slack channel (AWS Chatbot):
 * - an execution failed, timed out, or was aborted (Step Functions' own metrics, one alarm each);
 * - staging's data is older than `monitoring.staleAfterDays`: no successful restore recorded for that long.
 *   A small function publishes the data's age every hour (lambdas/data-age); if it stops publishing, the
 *   missing data counts as breaching, so a silent failure of the check is not mistaken for fresh data.
 */
export class Monitoring extends Construct {
  /** The alarms by kind; ids and anchors are the runbook's headings (docs/runbook.md). */
  readonly alarms: Record<AlarmKind, cloudwatch.Alarm>;
  readonly dataAgeFunction: NodejsFunction;
  /** The topics the alarms go to: the configured one and/or the one made for Slack. */
  readonly topics: sns.ITopic[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, stateMachine } = props;
    const m = config.monitoring;
    const stack = Stack.of(this);
    const period = Duration.minutes(5);

    const executionAlarm = (kind: AlarmKind, metric: cloudwatch.Metric) =>
      new cloudwatch.Alarm(this, ALARMS[kind].id, {
        alarmName: `${stack.stackName}-${ALARMS[kind].anchor}`,
        alarmDescription: describe(kind, m.runbookUrl),
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No executions in a period is the normal case.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.dataAgeFunction = appFunction(this, 'DataAgeFunction', {
      folder: 'data-age',
      description: 'staging-db-restore: publishes the age of staging data (staleness alarm)',
      denyProduction: props.denyProduction,
      environment: {
        LAST_RESTORE_PARAMETER_NAME: config.lastRestoreParameterName,
        STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        STAGING_INSTANCE: config.stagingInstance,
      },
    });
    this.dataAgeFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [parameterArn(stack, config.lastRestoreParameterName)],
      }),
    );
    this.dataAgeFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:DescribeStateMachine'], resources: [stateMachine.stateMachineArn] }),
    );
    // PutMetricData has no resource-level permissions; the namespace condition scopes it.
    this.dataAgeFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': DATA_AGE_METRIC.namespace } },
      }),
    );
    new events.Rule(this, 'DataAgeSchedule', {
      description: 'Publishes the age of staging data every hour (staging-db-restore staleness alarm)',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.dataAgeFunction)],
    });

    this.alarms = {
      failed: executionAlarm('failed', stateMachine.metricFailed({ period, statistic: 'Sum' })),
      timedOut: executionAlarm('timedOut', stateMachine.metricTimedOut({ period, statistic: 'Sum' })),
      aborted: executionAlarm('aborted', stateMachine.metricAborted({ period, statistic: 'Sum' })),
      stale: new cloudwatch.Alarm(this, ALARMS.stale.id, {
        alarmName: `${stack.stackName}-${ALARMS.stale.anchor}`,
        alarmDescription: describe('stale', m.runbookUrl, m.staleAfterDays),
        metric: new cloudwatch.Metric({
          namespace: DATA_AGE_METRIC.namespace,
          metricName: DATA_AGE_METRIC.name,
          dimensionsMap: { [DATA_AGE_METRIC.dimension]: config.stagingInstance },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: m.staleAfterDays,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // Three hours without a datapoint (the publisher failing) alarm too.
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    };

    this.topics = this.alarmTopics(config);
    for (const topic of this.topics) {
      const action = new cwActions.SnsAction(topic);
      for (const alarm of Object.values(this.alarms)) alarm.addAlarmAction(action);
      // Execution alarms clear by themselves five minutes later; only staleness recovering is news.
      this.alarms.stale.addOkAction(action);
    }
  }

  /** The configured topic, and (for Slack) a new encrypted topic that AWS Chatbot posts from. */
  private alarmTopics(config: RestoreConfig): sns.ITopic[] {
    const m = config.monitoring;
    const topics: sns.ITopic[] = [];
    if (m.alarmTopicArn) topics.push(sns.Topic.fromTopicArn(this, 'AlarmTopic', m.alarmTopicArn));
    if (m.slack) {
      // CloudWatch cannot publish to a topic under the AWS-managed SNS key: it needs a key that lets it.
      const key = new kms.Key(this, 'SlackAlarmTopicKey', {
        description: 'staging-db-restore alarm topic encryption',
        enableKeyRotation: true,
      });
      key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      const topic = new sns.Topic(this, 'SlackAlarmTopic', {
        displayName: 'staging-db-restore alarms',
        masterKey: key,
        enforceSSL: true,
      });
      new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${Stack.of(this).stackName}-alarms`,
        slackWorkspaceId: m.slack.workspaceId,
        slackChannelId: m.slack.channelId,
        notificationTopics: [topic],
        // Chatbot only relays the alarms: nothing can be changed from Slack.
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      });
      topics.push(topic);
    }
    return topics;
  }
}

export type AlarmKind = 'failed' | 'timedOut' | 'aborted' | 'stale';

/** Construct ids and runbook anchors (docs/runbook.md "Alarm: …" headings: `#alarm-<anchor>` ... see describe()). */
export const ALARMS: Record<AlarmKind, { id: string; anchor: string; title: string }> = {
  failed: { id: 'ExecutionFailedAlarm', anchor: 'execution-failed', title: 'A restore execution failed' },
  timedOut: { id: 'ExecutionTimedOutAlarm', anchor: 'execution-timed-out', title: 'A restore execution timed out' },
  aborted: { id: 'ExecutionAbortedAlarm', anchor: 'execution-aborted', title: 'A restore execution was aborted' },
  stale: { id: 'StagingDataStaleAlarm', anchor: 'staging-data-stale', title: 'Staging data is stale' },
};

function describe(kind: AlarmKind, runbookUrl: string, staleAfterDays?: number): string {
  const what: Record<AlarmKind, string> = {
    failed:
      'A staging-db-restore execution ended in a Fail state (Restore failed, Restore and rollback failed, or ' +
      'Steps after the swap failed). Open the execution in the Step Functions console; the Slack failure ' +
      'message says what the rollback did and what staging is now.',
    timedOut:
      'A staging-db-restore execution ran past executionTimeoutHours and was stopped by Step Functions, wherever ' +
      'it was: no rollback ran. Check which instances hold the staging, temporary and old names.',
    aborted:
      'Someone stopped a staging-db-restore execution: no rollback ran. Check which instances hold the ' +
      'staging, temporary and old names.',
    stale:
      `No successful staging database restore has been recorded for more than ${staleAfterDays} days (or the ` +
      'data-age check itself stopped publishing). Look at the last runs (npx staging-db-restore history) and ' +
      'the skip flag.',
  };
  return `${what[kind]} Runbook: ${runbookUrl}#alarm-${ALARMS[kind].anchor}`;
}
