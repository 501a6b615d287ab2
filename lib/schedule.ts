import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { RestoreConfig } from './config';

/**
 * Plan step 1's switch and the monthly trigger. The skip flag is an SSM String parameter, `false` when
 * deployed; setting it to `true` makes the next run end at once (Slack says so). CloudFormation only writes
 * the value when the parameter is created or its definition changes, so a later deploy keeps a `true`.
 */
export class SkipFlag extends Construct {
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: { config: RestoreConfig }) {
    super(scope, id);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.config.skipParameterName,
      stringValue: 'false',
      allowedPattern: '^(true|false)$',
      description:
        'Set to "true" to skip the monthly staging database restore (e.g. while testing diverging changes in staging); "false" to run it.',
    });
  }
}

export interface MonthlyScheduleProps {
  config: RestoreConfig;
  stateMachine: sfn.IStateMachine;
}

export class MonthlySchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: MonthlyScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: `Starts the staging database restore (${props.config.schedule}, UTC)`,
      schedule: events.Schedule.expression(props.config.schedule),
      targets: [new targets.SfnStateMachine(props.stateMachine, { input: events.RuleTargetInput.fromObject({}) })],
    });
  }
}
