import type { AppProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DATA_AGE_METRIC } from '../../lambdas/data-age/data-age';
import { STACK_OUTPUTS } from '../../lambdas/shared/status-contract';
import { buildApp } from '../../lib/app';
import { ALARMS } from '../../lib/monitoring';

type Resource = { Type: string; Properties: Record<string, unknown> };
const PROPS = { context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false } as AppProps;

function synth(override?: Record<string, unknown>) {
  const built = buildApp(PROPS, override);
  const template = Template.fromStack(built.stack);
  return { template, config: built.config, resources: template.toJSON().Resources as Record<string, Resource> };
}

const { template, config, resources } = synth();

/** The Lambda function whose description mentions `what`, and the statements of its role's policies. */
function functionWith(what: string) {
  const entry = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).includes(what),
  );
  if (!entry) throw new Error(`No function's description mentions ${what}`);
  const [id, fn] = entry;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
  const statements = Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === roleId),
    )
    .flatMap(
      (r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Effect: string }[] }).Statement,
    );
  const role = resources[roleId]!;
  return { id, fn, statements, role };
}

describe('status source', () => {
  it('is a Node 22 function behind a Function URL whose CORS allows only the configured admin origins', () => {
    // Arrange
    const { id, fn } = functionWith('status source');

    // Assert
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [id, 'Arn'] },
      AuthType: 'NONE',
      Cors: {
        AllowOrigins: ['https://api-staging.openverse.org'],
        AllowMethods: ['GET', 'HEAD'],
        AllowCredentials: false,
      },
    });
    expect(JSON.stringify(template.findResources('AWS::Lambda::Url'))).not.toContain('"*"');
  });

  it('takes the allowed origins from config, and refuses a wildcard or a path, naming the field', () => {
    const origins = ['https://admin.staging.example.org', 'http://localhost:8000'];
    synth({ status: { allowedOrigins: origins } }).template.hasResourceProperties('AWS::Lambda::Url', {
      Cors: Match.objectLike({ AllowOrigins: origins }),
    });
    expect(() => synth({ status: { allowedOrigins: ['*'] } })).toThrow(/status\.allowedOrigins\.0/);
    expect(() => synth({ status: { allowedOrigins: ['https://x.org/admin'] } })).toThrow(/status\.allowedOrigins\.0/);
  });

  it('may only read: SSM GetParameter, DescribeRule, ListExecutions, DescribeExecution', () => {
    // Arrange
    const { statements, role } = functionWith('status source');

    // Act
    const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());

    // Assert
    expect(allowed.sort()).toEqual(
      [
        'events:DescribeRule',
        // To its own log group only (no AWSLambdaBasicExecutionRole, which may write to any log group).
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ssm:GetParameter',
        'states:DescribeExecution',
        'states:ListExecutions',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    // Like every role of the app, it carries the production Deny.
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('DenyProductionMutation');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).not.toContain('AWSLambdaBasicExecutionRole');
    // A public URL: its concurrency is capped.
    const fn = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties).includes('status source'),
    );
    expect(fn?.Properties?.ReservedConcurrentExecutions).toBe(2);
    const logs = statements.filter((s) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(logs.map((s) => JSON.stringify((s as { Resource?: unknown }).Resource))).toEqual([
      expect.stringContaining('StatusFunctionLogs'),
    ]);
  });

  it('is left out when status.enabled is false', () => {
    const { resources: without } = synth({ status: { enabled: false } });
    expect(Object.values(without).filter((r) => r.Type === 'AWS::Lambda::Url')).toHaveLength(0);
  });

  it('exports the outputs the CLI reads, under fixed keys', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(STACK_OUTPUTS)));
    expect(outputs[STACK_OUTPUTS.schedule]!.Value).toBe(config.schedule);
    expect(outputs[STACK_OUTPUTS.skipParameterName]!.Value).toEqual(expect.anything());
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const byName = (anchor: string) =>
    alarms().find((a) => String(a.Properties.AlarmName).endsWith(anchor)) ??
    (() => {
      throw new Error(`no alarm ${anchor}`);
    })();

  it.each([
    ['failed', 'ExecutionsFailed'],
    ['timedOut', 'ExecutionsTimedOut'],
    ['aborted', 'ExecutionsAborted'],
  ] as const)('alarms on %s executions of the state machine (AWS/States %s), with its runbook link', (kind, metric) => {
    // Arrange
    const alarm = byName(ALARMS[kind].anchor);

    // Assert
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: metric,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: expect.stringMatching(/StateMachine/) } }],
    });
    expect(alarm.Properties.AlarmDescription).toContain(
      `Runbook: ${config.monitoring.runbookUrl}#alarm-${ALARMS[kind].anchor}`,
    );
  });

  it('alarms when staging data is older than staleAfterDays, and when the age stops being published', () => {
    // Arrange
    const { template: custom } = synth({ monitoring: { staleAfterDays: 40 } });

    // Assert
    custom.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: DATA_AGE_METRIC.namespace,
      MetricName: DATA_AGE_METRIC.name,
      Dimensions: [{ Name: DATA_AGE_METRIC.dimension, Value: 'dev-openverse-db' }],
      Threshold: 40,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('more than 40 days.*Runbook: https://.*#alarm-staging-data-stale'),
    });
    // The age is published every hour by a function that may only put metrics in its own namespace.
    const { id, statements } = functionWith('age of staging data');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': DATA_AGE_METRIC.namespace } },
      }),
    );
  });

  it('has no actions unless a target is configured', () => {
    for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  it('sends every alarm to the configured SNS topic', () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:platform-alarms';
    const { resources: withTopic } = synth({ monitoring: { alarmTopicArn: arn } });
    const all = Object.values(withTopic).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(all).toHaveLength(4);
    for (const alarm of all) expect(alarm.Properties.AlarmActions).toEqual([arn]);
  });

  it('sends every alarm to Slack through AWS Chatbot on an encrypted topic that CloudWatch may use', () => {
    // Arrange
    const slack = { workspaceId: 'T012ABCDEFG', channelId: 'C012ABCDEFG' };

    // Act
    const { template: withSlack, resources: res } = synth({ monitoring: { slack } });

    // Assert
    withSlack.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: slack.workspaceId,
      SlackChannelId: slack.channelId,
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('SlackAlarmTopic') }],
    });
    withSlack.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    withSlack.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      }),
    });
    for (const alarm of Object.values(res).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/SlackAlarmTopic/) }]);
    }
  });

  it('refuses a bad monitoring config, naming the field', () => {
    expect(() => synth({ monitoring: { staleAfterDays: 0 } })).toThrow(/monitoring\.staleAfterDays/);
    expect(() => synth({ monitoring: { runbookUrl: 'http://wiki/runbook' } })).toThrow(/monitoring\.runbookUrl/);
    expect(() => synth({ monitoring: { alarmTopicArn: 'my-topic' } })).toThrow(/monitoring\.alarmTopicArn/);
    expect(() => synth({ monitoring: { slack: { workspaceId: 'T012ABCDEFG' } } })).toThrow(
      /monitoring\.slack\.channelId/,
    );
  });
});
