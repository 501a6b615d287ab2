import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  type ListExecutionsCommandInput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/check-runs/check-runs';
import { caught, EXECUTION, movableClock } from './fixtures';

const sfnMock = mockClient(SFNClient);
beforeEach(() => sfnMock.reset());
afterAll(() => sfnMock.restore());

const OWN = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore';
const REINDEX = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingReindex';
const BOUND = { maxSeconds: 3600, pollSeconds: 300, settleSeconds: 0 };

interface Listed {
  name: string;
  startDate: string;
  input?: object;
  status?: string;
  machine?: string;
}

/** ListExecutions (RUNNING) and DescribeExecution answered from `executions`, 2 per page to exercise paging. */
function answerFrom(executions: Listed[]): void {
  const arn = (e: Listed) => `${(e.machine ?? OWN).replace(':stateMachine:', ':execution:')}:${e.name}`;
  sfnMock.on(ListExecutionsCommand).callsFake((input: ListExecutionsCommandInput) => {
    const all = executions.filter(
      (e) => (e.machine ?? OWN) === input.stateMachineArn && (e.status ?? 'RUNNING') === 'RUNNING',
    );
    const start = Number(input.nextToken ?? 0);
    const page = all.slice(start, start + 2);
    return {
      executions: page.map((e) => ({
        executionArn: arn(e),
        stateMachineArn: e.machine ?? OWN,
        name: e.name,
        status: 'RUNNING',
        startDate: new Date(e.startDate),
      })),
      nextToken: start + 2 < all.length ? String(start + 2) : undefined,
    };
  });
  sfnMock.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const e = executions.find((x) => arn(x) === executionArn);
    if (!e) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    return {
      executionArn,
      status: e.status ?? 'RUNNING',
      input: JSON.stringify(e.input ?? {}),
      startDate: new Date(e.startDate),
    };
  });
}

const ME: Listed = { name: EXECUTION.name, startDate: EXECUTION.startedAt };
const clock = movableClock('2026-11-30T23:30:05.000Z');
const check = makeHandler({
  sfn: new SFNClient({ region: 'us-east-1' }),
  clock,
  stateMachineArn: OWN,
  otherStateMachineArns: [REINDEX],
});
const event = (overrides: Record<string, unknown> = {}) => ({
  execution: EXECUTION,
  dryRun: false,
  bound: BOUND,
  previous: {},
  ...overrides,
});

describe('check-runs', () => {
  it('proceeds when this is the only run, asking about each state machine by ARN with RUNNING', async () => {
    // Arrange
    answerFrom([ME, { name: 'done', startDate: '2026-11-01T00:00:00Z', status: 'SUCCEEDED' }]);

    // Act
    const result = await check(event());

    // Assert
    expect(result).toMatchObject({ verdict: 'proceed', restores: [], others: [], attempt: 1, nextPollSeconds: 300 });
    expect(sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: OWN, statusFilter: 'RUNNING', maxResults: 100, nextToken: undefined },
      { stateMachineArn: REINDEX, statusFilter: 'RUNNING', maxResults: 100, nextToken: undefined },
    ]);
  });

  it('ends this run when an earlier restore is running, found on a later page', async () => {
    // Arrange
    answerFrom([
      { name: 'later-1', startDate: '2026-11-30T23:40:00Z' },
      { name: 'later-2', startDate: '2026-11-30T23:41:00Z' },
      ME,
      { name: 'monthly-2026-12', startDate: '2026-11-30T22:00:00Z' },
    ]);

    // Act
    const result = await check(event());

    // Assert
    expect(result.verdict).toBe('another-restore');
    expect(result.restores).toEqual([
      { stateMachine: 'StagingDbRestore', name: 'monthly-2026-12', startedAt: '2026-11-30T22:00:00.000Z' },
    ]);
    expect(sfnMock.commandCalls(ListExecutionsCommand).some((c) => c.args[0].input.stateMachineArn === REINDEX)).toBe(
      false,
    );
  });

  it('keeps the lock when only later runs are running (they end themselves)', async () => {
    // Arrange
    answerFrom([ME, { name: 'later', startDate: '2026-11-30T23:45:00Z' }]);

    // Act
    const result = await check(event());

    // Assert
    expect(result.verdict).toBe('proceed');
  });

  it('breaks a tie of start times by name, so exactly one of two simultaneous runs proceeds', async () => {
    // Arrange: "a-run" sorts before EXECUTION.name ("run-2026-12"), "z-run" after it.
    answerFrom([
      ME,
      { name: 'a-run', startDate: EXECUTION.startedAt },
      { name: 'z-run', startDate: EXECUTION.startedAt },
    ]);

    // Act
    const result = await check(event());

    // Assert
    expect(result.verdict).toBe('another-restore');
    expect(result.restores.map((r) => r.name)).toEqual(['a-run']);
  });

  it('ignores earlier dry runs and runs that ended meanwhile', async () => {
    // Arrange
    answerFrom([
      ME,
      { name: 'dry', startDate: '2026-11-30T23:00:00Z', input: { dryRun: true } },
      { name: 'ending', startDate: '2026-11-30T23:01:00Z' },
    ]);
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: OWN.replace(':stateMachine:', ':execution:') + ':ending' })
      .resolves({ status: 'SUCCEEDED', input: '{}' });

    // Act
    const result = await check(event());

    // Assert
    expect(result.verdict).toBe('proceed');
  });

  it('reports other users of staging as busy, then times out after the bound, naming them', async () => {
    // Arrange
    answerFrom([ME, { name: 'reindex-42', startDate: '2026-11-30T20:00:00Z', machine: REINDEX }]);
    clock.set('2026-11-30T23:30:05.000Z');

    // Act
    const first = await check(event());
    clock.advance(3600);
    const err = await caught(() => check(event({ previous: first })));

    // Assert
    expect(first).toMatchObject({
      verdict: 'others-busy',
      others: [{ stateMachine: 'StagingReindex', name: 'reindex-42', startedAt: '2026-11-30T20:00:00.000Z' }],
    });
    expect(err.name).toBe('WaitTimedOut');
    expect(err.message).toContain('reindex-42 (StagingReindex)');
    expect(err.message).toContain('Nothing was changed');
  });

  it('a dry run only reports other users of staging, it does not wait for them', async () => {
    // Arrange
    answerFrom([ME, { name: 'reindex-42', startDate: '2026-11-30T20:00:00Z', machine: REINDEX }]);

    // Act
    const result = await check(event({ dryRun: true }));

    // Assert
    expect(result.verdict).toBe('proceed');
    expect(result.others.map((o) => o.name)).toEqual(['reindex-42']);
  });

  it('refuses a bad payload before calling Step Functions', async () => {
    // Act
    const err = await caught(() => check(event({ bound: { maxSeconds: 0, pollSeconds: 1 } })));

    // Assert
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toContain('bound.maxSeconds');
    expect(sfnMock.calls()).toEqual([]);
  });
});
