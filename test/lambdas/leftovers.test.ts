import {
  DeleteDBInstanceCommand,
  type DBInstance,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/leftovers/leftovers';
import type { LeftoversProgress } from '../../lambdas/shared/contract';
import {
  caught,
  describeFrom,
  EXECUTION,
  IDS,
  makeDbInstance,
  makeNewInstance,
  movableClock,
  mutatingCommands,
  NEW_ID,
  newRdsClient,
  ORIGINAL_ID,
} from './fixtures';

const rdsMock = mockClient(RDSClient);
const sfnMock = mockClient(SFNClient);
beforeEach(() => {
  rdsMock.reset();
  sfnMock.reset();
  sfnMock.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
});
afterAll(() => {
  rdsMock.restore();
  sfnMock.restore();
});

const OWN = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore';
const BOUND = { maxSeconds: 3600, pollSeconds: 30, settleSeconds: 120 };
const clock = movableClock();
const clear = makeHandler({
  rds: newRdsClient(),
  sfn: new SFNClient({ region: 'us-east-1' }),
  ids: IDS,
  clock,
  stateMachineArn: OWN,
});
const event = (previous: LeftoversProgress | object = {}, dryRun = false) => ({
  execution: EXECUTION,
  dryRun,
  bound: BOUND,
  previous,
});

/** A copy an earlier, finished execution restored and left under the temporary name. */
const leftCopy = (overrides: Partial<DBInstance> = {}) =>
  makeNewInstance({
    TagList: [{ Key: 'staging-db-restore:execution', Value: 'monthly-2026-11' }],
    ...overrides,
  });

describe('leftovers', () => {
  beforeEach(() => clock.set('2026-12-01T00:00:00.000Z'));

  it('nothing left: done at once, nothing changed', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });

    // Act
    const result = await clear(event());

    // Assert
    expect(result).toMatchObject({ done: true, actions: [], planned: [], stagingAt: IDS.staging });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('deletes a copy this tool left (tagged, its execution over), then waits until it is gone', async () => {
    // Arrange
    const world: Record<string, DBInstance | undefined> = {
      [IDS.staging]: makeDbInstance(),
      [IDS.temporary]: leftCopy(),
    };
    describeFrom(rdsMock, world);
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    const first = await clear(event());
    world[IDS.temporary] = leftCopy({ DBInstanceStatus: 'deleting' });
    const second = await clear(event(first));
    world[IDS.temporary] = undefined;
    const third = await clear(event(second));

    // Assert
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: IDS.temporary, SkipFinalSnapshot: true, DeleteAutomatedBackups: false },
    ]);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:monthly-2026-11',
    });
    expect([first.done, second.done, third.done]).toEqual([false, false, true]);
    expect(second.action).toContain('Waiting');
    expect(third.actions).toEqual([`Deleted ${IDS.temporary} (${NEW_ID}), left by execution monthly-2026-11`]);
  });

  it('turns deletion protection off first when the copy has it', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance(), [IDS.temporary]: leftCopy({ DeletionProtection: true }) });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    await clear(event());

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['ModifyDBInstanceCommand', 'DeleteDBInstanceCommand']);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: IDS.temporary,
      DeletionProtection: false,
      ApplyImmediately: true,
    });
  });

  it.each<[string, Record<string, DBInstance>, string[]]>([
    [
      'an untagged instance under the temporary name',
      { [IDS.staging]: makeDbInstance(), [IDS.temporary]: leftCopy({ TagList: [{ Key: 'team', Value: 'x' }] }) },
      [
        'was not created by staging-db-restore',
        'aws rds delete-db-instance --db-instance-identifier dev-next-openverse-db',
      ],
    ],
    [
      'staging and the old name both taken',
      { [IDS.staging]: makeDbInstance(), [IDS.old]: makeDbInstance({ DbiResourceId: 'db-OTHER' }) },
      ['Both dev-openverse-db', 'aws rds describe-db-instances', '--db-instance-identifier dev-old-openverse-db'],
    ],
    [
      'staging missing, old and temporary both taken',
      { [IDS.old]: makeDbInstance(), [IDS.temporary]: leftCopy() },
      ['does not exist, and both', 'Decide which should be staging'],
    ],
    [
      'staging missing, only a copy under the temporary name',
      { [IDS.temporary]: leftCopy() },
      ['may be the only copy', 'rename it to dev-openverse-db'],
    ],
  ])('%s: stops with instructions, nothing changed', async (_what, world, says) => {
    // Arrange
    describeFrom(rdsMock, world);

    // Act
    const err = await caught(() => clear(event()));

    // Assert
    expect(err.name).toBe('LeftoversFound');
    for (const text of says) expect(err.message).toContain(text);
    expect(err.message).toContain('Nothing was changed');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it.each(['arn:aws:states:us-east-1:123456789012:execution:Other:x', 'a b', 'x'.repeat(81)])(
    'never deletes a copy whose tag value %j is not an execution name, and asks Step Functions nothing',
    async (value) => {
      // Arrange
      describeFrom(rdsMock, {
        [IDS.staging]: makeDbInstance(),
        [IDS.temporary]: leftCopy({ TagList: [{ Key: 'staging-db-restore:execution', Value: value }] }),
      });

      // Act
      const err = await caught(() => clear(event()));

      // Assert
      expect(err.name).toBe('LeftoversFound');
      expect(err.message).toContain('its value is not an execution name');
      expect(mutatingCommands(rdsMock)).toEqual([]);
      expect(sfnMock.calls()).toEqual([]);
    },
  );

  it('never deletes the copy of an execution that is still running', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance(), [IDS.temporary]: leftCopy() });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    // Act
    const err = await caught(() => clear(event()));

    // Assert
    expect(err.name).toBe('LeftoversFound');
    expect(err.message).toContain('monthly-2026-11, which is still running');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('no staging anywhere: StagingNotFound', async () => {
    // Arrange
    describeFrom(rdsMock, {});

    // Act
    const err = await caught(() => clear(event()));

    // Assert
    expect(err.name).toBe('StagingNotFound');
  });

  it('staging left under the old name: renames it back, waits out the rename, settles, reports it', async () => {
    // Arrange
    const original = (overrides: Partial<DBInstance> = {}) =>
      makeDbInstance({ DbiResourceId: ORIGINAL_ID, ...overrides });
    const world: Record<string, DBInstance | undefined> = { [IDS.old]: original() };
    describeFrom(rdsMock, world);
    rdsMock.on(ModifyDBInstanceCommand).resolves({});

    // Act: rename → hidden under both names → renamed, rebooting → available
    const steps: LeftoversProgress[] = [await clear(event())];
    world[IDS.old] = undefined;
    steps.push(await clear(event(steps.at(-1)!)));
    world[IDS.staging] = original({ DBInstanceStatus: 'rebooting' });
    steps.push(await clear(event(steps.at(-1)!)));
    world[IDS.staging] = original();
    steps.push(await clear(event(steps.at(-1)!)));

    // Assert
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: IDS.old, NewDBInstanceIdentifier: IDS.staging, ApplyImmediately: true },
    ]);
    expect(steps.map((s) => s.done)).toEqual([false, false, false, true]);
    expect(steps[1]!.action).toContain('Waiting for the rename');
    expect(steps[3]!.actions).toEqual([
      `Renamed ${IDS.old} back to ${IDS.staging} (${ORIGINAL_ID}): an earlier run had left staging under the old name`,
    ]);
  });

  it('RDS refusing for now (InvalidDBInstanceState) is waited out, and nothing is recorded as done', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance(), [IDS.temporary]: leftCopy() });
    rdsMock
      .on(DeleteDBInstanceCommand)
      .rejects(new InvalidDBInstanceStateFault({ message: 'Instance is being modified', $metadata: {} }));

    // Act
    const result = await clear(event());

    // Assert
    expect(result.done).toBe(false);
    expect(result.action).toContain('RDS refused this for now (InvalidDBInstanceStateFault)');
    expect(result.actions).toEqual([]);
  });

  it('a rename in flight (the same instance under both names) is waited for, not acted on', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance(), [IDS.old]: makeDbInstance() });

    // Act
    const result = await clear(event());

    // Assert
    expect(result.done).toBe(false);
    expect(result.action).toContain('rename in flight');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it.each<[string, Record<string, DBInstance>, string, string]>([
    [
      'a tagged copy',
      { [IDS.staging]: makeDbInstance(), [IDS.temporary]: leftCopy() },
      `Deleted ${IDS.temporary}`,
      IDS.staging,
    ],
    ['staging under the old name', { [IDS.old]: makeDbInstance() }, `Renamed ${IDS.old} back`, IDS.old],
  ])('dry run with %s: reports the plan, changes nothing', async (_what, world, planned, stagingAt) => {
    // Arrange
    describeFrom(rdsMock, world);

    // Act
    const result = await clear(event({}, true));

    // Assert
    expect(result.done).toBe(true);
    expect(result.actions).toEqual([]);
    expect(result.planned).toEqual([expect.stringContaining(planned)]);
    expect(result.stagingAt).toBe(stagingAt);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('gives up after its bound, saying what it did', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance(),
      [IDS.temporary]: leftCopy({ DBInstanceStatus: 'modifying' }),
    });
    const first = await clear(event());
    clock.advance(3600);

    // Act
    const err = await caught(() => clear(event(first)));

    // Assert
    expect(first.action).toContain('Waiting for dev-next-openverse-db (modifying)');
    expect(err.name).toBe('WaitTimedOut');
    expect(err.message).toContain('within 60 min');
  });
});
