import { PutMetricDataCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DATA_AGE_METRIC, publishDataAge } from '../../lambdas/data-age/data-age';
import { statusResponder } from '../../lambdas/status/respond';
import { readHistory, readStatus, sourcesFromEnv, STATUS_ENV } from '../../lambdas/status/status';
import { defaultState, type FakeAws, fakeAws, lastRestoreRecord, SOURCES } from '../support/status-fakes';

const clockAt = (iso: string) => ({ now: () => new Date(iso) });
let aws: FakeAws;
afterEach(() => aws.restore());

function read(now = '2026-11-25T09:00:00Z') {
  return readStatus(SOURCES, { ...aws.clients, clock: clockAt(now) });
}

describe('readStatus', () => {
  it('answers the schedule, the next run, the skip flag and the last run from the AWS sources', async () => {
    // Arrange
    aws = fakeAws(
      defaultState({
        executions: [
          { name: 'nov', status: 'SUCCEEDED', startDate: '2026-11-01T00:00:05Z', stopDate: '2026-11-01T00:47:00Z' },
          { name: 'oct', status: 'FAILED', startDate: '2026-10-01T00:00:05Z', stopDate: '2026-10-01T00:10:00Z' },
        ],
      }),
    );
    aws.state.parameters.set(
      SOURCES.lastRestoreParameterName,
      lastRestoreRecord('2026-11-01T00:40:00.000Z', 'nov', '2026-10-31T06:12:00.000Z'),
    );

    // Act
    const status = await read();

    // Assert
    expect(status).toEqual({
      generatedAt: '2026-11-25T09:00:00.000Z',
      schedule: { expression: 'cron(0 0 1 * ? *)', enabled: true },
      nextRun: { at: '2026-12-01T00:00:00.000Z', exact: true },
      skip: { parameterName: '/staging-db-restore/skip', on: false },
      running: null,
      lastRun: {
        name: 'nov',
        startedAt: '2026-11-01T00:00:05.000Z',
        stoppedAt: '2026-11-01T00:47:00.000Z',
        outcome: 'succeeded',
        restored: true,
        error: null,
      },
      lastRestore: {
        at: '2026-11-01T00:40:00.000Z',
        snapshot: 'rds:prod-openverse-db-2026-10-31-00-05',
        snapshotCreatedAt: '2026-10-31T06:12:00.000Z',
      },
    });
    expect(aws.events.commandCalls(DescribeRuleCommand)[0]!.args[0].input).toEqual({ Name: SOURCES.scheduleRuleName });
    expect(aws.sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: SOURCES.stateMachineArn,
      maxResults: 10,
    });
  });

  it('reports the skip flag on, and a failed last run with its error name only', async () => {
    // Arrange
    aws = fakeAws(
      defaultState({
        executions: [
          {
            name: 'nov',
            status: 'FAILED',
            startDate: '2026-11-01T00:00:05Z',
            stopDate: '2026-11-01T00:03:00Z',
            error: 'NoProductionSnapshot',
            cause: 'No automated snapshot of prod-openverse-db is available',
          },
        ],
      }),
    );
    aws.state.parameters.set(SOURCES.skipParameterName, 'true');

    // Act
    const status = await read();

    // Assert
    expect(status.skip.on).toBe(true);
    expect(status.lastRun).toMatchObject({ outcome: 'failed', error: 'NoProductionSnapshot', restored: false });
    expect(JSON.stringify(status)).not.toContain('No automated snapshot');
    expect(status.lastRestore).toBeNull();
  });

  it('during a run, reports it as running and the next run as the following month', async () => {
    // Arrange
    aws = fakeAws(
      defaultState({ executions: [{ name: 'dec', status: 'RUNNING', startDate: '2026-12-01T00:00:03Z' }] }),
    );

    // Act
    const status = await read('2026-12-01T00:20:00Z');

    // Assert
    expect(status.running).toMatchObject({ name: 'dec', outcome: 'running', stoppedAt: null });
    expect(status.lastRun).toBeNull();
    expect(status.nextRun).toEqual({ at: '2027-01-01T00:00:00.000Z', exact: true });
  });

  it("has no next run when the rule is disabled, and uses the rule's own expression", async () => {
    // Arrange
    aws = fakeAws(
      defaultState({ rule: { name: SOURCES.scheduleRuleName, expression: 'cron(0 6 ? * MON#1 *)', enabled: false } }),
    );

    // Act
    const disabled = await read();
    aws.state.rule!.enabled = true;
    const enabled = await read();

    // Assert
    expect(disabled.schedule).toEqual({ expression: 'cron(0 6 ? * MON#1 *)', enabled: false });
    expect(disabled.nextRun).toBeNull();
    expect(enabled.nextRun).toEqual({ at: '2026-12-07T06:00:00.000Z', exact: true });
  });

  it('leaves a fact unknown when its source cannot be read, and still answers the rest', async () => {
    // Arrange
    aws = fakeAws();
    aws.ssm
      .on(GetParameterCommand, { Name: SOURCES.skipParameterName })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    aws.events.on(DescribeRuleCommand).rejects(new Error('throttled'));

    // Act
    const status = await read();

    // Assert
    expect(status.skip.on).toBeNull();
    expect(status.schedule).toEqual({ expression: SOURCES.schedule, enabled: null });
    expect(status.nextRun).toEqual({ at: '2026-12-01T00:00:00.000Z', exact: true });
  });

  it('reads a skip flag that is neither "true" nor "false" as unknown', async () => {
    aws = fakeAws();
    aws.state.parameters.set(SOURCES.skipParameterName, 'yes');
    expect((await read()).skip.on).toBeNull();
  });

  it('fails when no source at all can be read', async () => {
    // Arrange
    aws = fakeAws();
    const denied = Object.assign(new Error('no credentials'), { name: 'CredentialsProviderError' });
    aws.ssm.on(GetParameterCommand).rejects(denied);
    aws.events.on(DescribeRuleCommand).rejects(denied);
    aws.sfn.on(ListExecutionsCommand).rejects(denied);

    // Act / Assert
    await expect(read()).rejects.toThrow('no credentials');
  });
});

describe('readHistory', () => {
  it('lists the last runs newest first, with outcome, error and whether they restored', async () => {
    // Arrange
    aws = fakeAws(
      defaultState({
        executions: [
          { name: 'sep', status: 'TIMED_OUT', startDate: '2026-09-01T00:00:00Z', stopDate: '2026-09-02T00:00:00Z' },
          {
            name: 'oct',
            status: 'ABORTED',
            startDate: '2026-10-01T00:00:00Z',
            stopDate: '2026-10-01T00:05:00Z',
            error: 'States.Aborted',
          },
          { name: 'nov', status: 'SUCCEEDED', startDate: '2026-11-01T00:00:00Z', stopDate: '2026-11-01T00:45:00Z' },
        ],
      }),
    );
    aws.state.parameters.set(SOURCES.lastRestoreParameterName, lastRestoreRecord('2026-11-01T00:40:00Z', 'nov'));

    // Act
    const runs = await readHistory(SOURCES, aws.clients, 2);

    // Assert
    expect(runs.map((r) => [r.name, r.outcome, r.restored, r.error])).toEqual([
      ['nov', 'succeeded', true, null],
      ['oct', 'aborted', false, 'States.Aborted'],
    ]);
    expect(aws.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });
});

describe('status Function URL handler', () => {
  const event = (method: string) => ({ requestContext: { http: { method } } }) as never;

  it('answers GET with the JSON and a cache header, and reuses one read for cacheSeconds', async () => {
    // Arrange
    let reads = 0;
    let now = 0;
    const status = { generatedAt: 'x' } as never;
    const handler = statusResponder({ read: async () => (reads++, status), now: () => now, cacheSeconds: 30 });

    // Act
    const first = (await handler(event('GET'))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    now = 29_000;
    await handler(event('GET'));
    now = 30_000;
    await handler(event('GET'));

    // Assert
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ generatedAt: 'x' });
    expect(first.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=30' });
    expect(reads).toBe(2);
  });

  it('refuses other methods and answers 503 without detail when the read fails', async () => {
    // Arrange
    const handler = statusResponder({
      read: async () => {
        throw new Error('AccessDenied for arn:aws:iam::123456789012:role/x');
      },
      now: () => 0,
      cacheSeconds: 30,
      log: { error: () => undefined } as never,
    });

    // Act
    const post = (await handler(event('POST'))) as { statusCode: number };
    const failed = (await handler(event('GET'))) as { statusCode: number; body: string };

    // Assert
    expect(post.statusCode).toBe(405);
    expect(failed.statusCode).toBe(503);
    expect(failed.body).toBe('{"error":"status unavailable"}');
  });

  it('reads its sources from the environment, naming a missing variable', () => {
    const env = {
      [STATUS_ENV.stateMachineArn]: SOURCES.stateMachineArn,
      [STATUS_ENV.scheduleRuleName]: SOURCES.scheduleRuleName,
      [STATUS_ENV.schedule]: SOURCES.schedule,
      [STATUS_ENV.skipParameterName]: SOURCES.skipParameterName,
      [STATUS_ENV.lastRestoreParameterName]: SOURCES.lastRestoreParameterName,
    };
    expect(sourcesFromEnv(env)).toEqual(SOURCES);
    expect(() => sourcesFromEnv({ ...env, [STATUS_ENV.scheduleRuleName]: '' })).toThrow(STATUS_ENV.scheduleRuleName);
  });
});

describe('publishDataAge', () => {
  const cw = mockClient(CloudWatchClient);
  afterEach(() => cw.reset());
  const sources = {
    lastRestoreParameterName: SOURCES.lastRestoreParameterName,
    stateMachineArn: SOURCES.stateMachineArn,
    stagingInstance: 'dev-openverse-db',
  };
  const deps = () => ({
    ...aws.clients,
    cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
    clock: clockAt('2026-12-11T12:00:00Z'),
  });

  it('publishes the days since the last recorded restore', async () => {
    // Arrange
    aws = fakeAws();
    aws.state.parameters.set(SOURCES.lastRestoreParameterName, lastRestoreRecord('2026-11-01T00:00:00Z', 'nov'));
    cw.on(PutMetricDataCommand).resolves({});

    // Act
    const result = await publishDataAge(sources, deps());

    // Assert
    expect(result).toEqual({ ageDays: 40.5, since: '2026-11-01T00:00:00.000Z', basis: 'last-restore' });
    expect(cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input).toEqual({
      Namespace: DATA_AGE_METRIC.namespace,
      MetricData: [
        {
          MetricName: DATA_AGE_METRIC.name,
          Dimensions: [{ Name: DATA_AGE_METRIC.dimension, Value: 'dev-openverse-db' }],
          Timestamp: new Date('2026-12-11T12:00:00Z'),
          Value: 40.5,
          Unit: 'None',
        },
      ],
    });
  });

  it("counts from the state machine's creation when no restore is recorded yet", async () => {
    aws = fakeAws(defaultState({ machine: { name: 'StagingDbRestore', createdAt: '2026-12-01T12:00:00Z' } }));
    cw.on(PutMetricDataCommand).resolves({});
    expect(await publishDataAge(sources, deps())).toMatchObject({ ageDays: 10, basis: 'deployed' });
  });

  it('publishes nothing when a read fails (the alarm treats missing data as breaching)', async () => {
    aws = fakeAws();
    aws.ssm.on(GetParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(publishDataAge(sources, deps())).rejects.toThrow('denied');
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });
});
