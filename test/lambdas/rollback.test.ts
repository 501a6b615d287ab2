import type { DBInstance } from '@aws-sdk/client-rds';
import {
  DBInstanceAlreadyExistsFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/rollback/rollback';
import type { RollbackProgress } from '../../lambdas/shared/contract';
import {
  caught,
  clock,
  describeFrom,
  EXECUTION,
  FOREIGN_ID,
  IDS,
  makeDbInstance,
  ORIGINAL_ID,
  makeNewInstance,
  makeStagingConfig,
  movableClock,
  mutatingCommands,
  NEW_ID,
  newRdsClient,
  sentCommands,
} from './fixtures';

const rdsMock = mockClient(RDSClient);

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

const BOUND = { maxSeconds: 7200, pollSeconds: 60, settleSeconds: 300 };

function rollbackEvent(overrides: Record<string, unknown> = {}) {
  return {
    execution: EXECUTION,
    staging: makeStagingConfig(),
    outageStarted: false,
    bound: BOUND,
    previous: {},
    ...overrides,
  };
}

/** A progress record as an earlier call of the loop would have returned it. */
function makeProgress(overrides: Partial<RollbackProgress> = {}): RollbackProgress {
  return {
    done: false,
    action: 'Waiting',
    actions: [],
    stagingHolds: 'missing',
    leftovers: [],
    attempt: 1,
    startedAt: '2026-11-30T23:50:00.000Z',
    nextPollSeconds: 60,
    availableSince: null,
    sawReboot: false,
    ...overrides,
  };
}

const original = (overrides: Partial<DBInstance> = {}) => makeDbInstance(overrides);

describe('rollback', () => {
  it('does nothing and is done at once when staging was not touched', async () => {
    // Arrange: settleSeconds is 300, but without an outage staging needs no settling.
    describeFrom(rdsMock, { [IDS.staging]: original() });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent());

    // Assert
    expect(result).toEqual({
      done: true,
      action: 'Nothing to undo: staging was not touched',
      actions: [],
      stagingHolds: 'original',
      leftovers: [],
      names: {
        staging: { holder: 'original', resourceId: ORIGINAL_ID, status: 'available' },
        temporary: { holder: 'free' },
        old: { holder: 'free' },
      },
      attempt: 1,
      startedAt: '2026-12-01T00:00:00.000Z',
      nextPollSeconds: 60,
      availableSince: null,
      sawReboot: false,
    });
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'dev-openverse-db' },
      { DBInstanceIdentifier: 'dev-next-openverse-db' },
      { DBInstanceIdentifier: 'dev-old-openverse-db' },
    ]);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('deletes the instance this execution created under the temporary name, and is not done yet', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: original(), [IDS.temporary]: makeNewInstance() });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent());

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['DeleteDBInstanceCommand']);
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-next-openverse-db',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
    expect(result).toMatchObject({
      done: false,
      action: `Deleted the new instance dev-next-openverse-db (${NEW_ID})`,
      actions: [`Deleted the new instance dev-next-openverse-db (${NEW_ID})`],
      stagingHolds: 'original',
      leftovers: [],
    });
  });

  it('turns deletion protection off before deleting the new instance when it has it', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: original(),
      [IDS.temporary]: makeNewInstance({ DeletionProtection: true }),
    });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    rdsMock.on(DeleteDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    await rollback(rollbackEvent());

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['ModifyDBInstanceCommand', 'DeleteDBInstanceCommand']);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-next-openverse-db',
      DeletionProtection: false,
      ApplyImmediately: true,
    });
  });

  it('waits while the new instance is deleting, then reports staging back on the original', async () => {
    // Arrange
    const world: Record<string, DBInstance | undefined> = {
      [IDS.staging]: original(),
      [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'deleting' }),
    };
    describeFrom(rdsMock, world);
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });
    const previous = makeProgress({ actions: [`Deleted the new instance dev-next-openverse-db (${NEW_ID})`] });

    // Act
    const waiting = await rollback(rollbackEvent({ previous }));
    delete world[IDS.temporary];
    const finished = await rollback(rollbackEvent({ previous: waiting }));

    // Assert
    expect(waiting).toMatchObject({
      done: false,
      action: 'Waiting for the new instance dev-next-openverse-db (deleting) to be deleted',
      attempt: 2,
    });
    expect(finished).toMatchObject({
      done: true,
      action: "Deleted this run's copy; staging was not touched",
      actions: [`Deleted the new instance dev-next-openverse-db (${NEW_ID})`],
      attempt: 3,
      startedAt: '2026-11-30T23:50:00.000Z',
    });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('moves the new instance off the staging name first when it already took it', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeNewInstance(),
      [IDS.old]: original(),
    });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['ModifyDBInstanceCommand']);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-openverse-db',
      NewDBInstanceIdentifier: 'dev-next-openverse-db',
      ApplyImmediately: true,
    });
    expect(result).toMatchObject({
      done: false,
      action: 'Renamed the new instance from dev-openverse-db back to dev-next-openverse-db',
      stagingHolds: 'new',
    });
  });

  it('waits for the new instance under the staging name to be available before renaming it away', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeNewInstance({ DBInstanceStatus: 'rebooting' }),
      [IDS.old]: original(),
    });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(result.done).toBe(false);
    expect(result.action).toContain('(rebooting)');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('renames the original back from the old name when the staging name is free', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: original(), [IDS.temporary]: makeNewInstance() });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['ModifyDBInstanceCommand']);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-old-openverse-db',
      NewDBInstanceIdentifier: 'dev-openverse-db',
      ApplyImmediately: true,
    });
    expect(result).toMatchObject({
      done: false,
      action: 'Renamed the original instance from dev-old-openverse-db back to dev-openverse-db',
      actions: ['Renamed the original instance from dev-old-openverse-db back to dev-openverse-db'],
      stagingHolds: 'missing',
    });
  });

  it('waits for the original under the old name while it is not available', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: original({ DBInstanceStatus: 'renaming' }) });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(result).toMatchObject({
      done: false,
      action: 'Waiting for the original instance under dev-old-openverse-db (renaming)',
    });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('waits when the original is under no name (mid-rename) and staging was captured', async () => {
    // Arrange
    describeFrom(rdsMock, {});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(result).toMatchObject({
      done: false,
      action: 'Waiting: the original instance is under no name yet (a rename is in flight)',
      stagingHolds: 'missing',
      actions: [],
    });
    expect(sentCommands(rdsMock)).toEqual([
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
    ]);
  });

  it('fails with RollbackStuck when nothing holds staging and it was never captured', async () => {
    // Arrange
    describeFrom(rdsMock, {});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent({ staging: {}, outageStarted: true })));

    // Assert
    expect(err.name).toBe('RollbackStuck');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it.each([
    ['DBInstanceAlreadyExistsFault', () => new DBInstanceAlreadyExistsFault({ message: 'exists', $metadata: {} })],
    ['InvalidDBInstanceStateFault', () => new InvalidDBInstanceStateFault({ message: 'busy', $metadata: {} })],
  ])('returns a waiting action instead of throwing when RDS refuses the rename with %s', async (name, makeError) => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: original() });
    rdsMock.on(ModifyDBInstanceCommand).rejects(makeError());
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });
    const previous = makeProgress({ actions: ['earlier step'] });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true, previous }));

    // Assert
    expect(result).toMatchObject({
      done: false,
      action:
        `Waiting: RDS refused this for now (${name}): ` +
        'Renamed the original instance from dev-old-openverse-db back to dev-openverse-db',
      actions: ['earlier step'],
    });
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)).toHaveLength(1);
  });

  it('rethrows an RDS refusal that waiting will not cure', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: original() });
    rdsMock.on(ModifyDBInstanceCommand).rejects(
      new RDSServiceException({
        name: 'InvalidParameterCombination',
        $fault: 'client',
        message: 'nope',
        $metadata: {},
      }),
    );
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent({ outageStarted: true })));

    // Assert
    expect(err.name).toBe('InvalidParameterCombination');
  });

  it('fails with RollbackStuck and touches nothing when a foreign instance holds the staging name', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({ DbiResourceId: FOREIGN_ID }),
      [IDS.old]: original(),
      [IDS.temporary]: makeNewInstance(),
    });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent({ outageStarted: true })));

    // Assert
    expect(err.name).toBe('RollbackStuck');
    expect(err.message).toContain(FOREIGN_ID);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with RollbackStuck at once, naming the copy, when the original is in a terminal status', async () => {
    // Arrange: the rename away broke the original (it will never be available again on its own).
    describeFrom(rdsMock, {
      [IDS.staging]: original({ DBInstanceStatus: 'failed' }),
      [IDS.temporary]: makeNewInstance(),
    });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent({ outageStarted: true })));

    // Assert
    expect(err.name).toBe('RollbackStuck');
    expect(err.message).toContain(`The original staging instance ${original().DbiResourceId} is "failed"`);
    expect(err.message).toContain(`This run's copy ${IDS.temporary} (${NEW_ID}, available) is left in place`);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with RollbackStuck at once when its own copy under the staging name is in a terminal status', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeNewInstance({ DBInstanceStatus: 'incompatible-network' }),
      [IDS.old]: original(),
    });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent({ outageStarted: true })));

    // Assert
    expect(err.name).toBe('RollbackStuck');
    expect(err.message).toContain('"incompatible-network"');
    expect(err.message).toContain(`rename the original (under ${IDS.old}) back to ${IDS.staging}`);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with RollbackStuck once the time bound is spent without being done', async () => {
    // Arrange: the loop started 2 h (the bound) ago and the original is still hidden.
    describeFrom(rdsMock, {});
    const time = movableClock('2026-12-01T01:50:00.000Z');
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock: time });
    const previous = makeProgress({ startedAt: '2026-11-30T23:50:00.000Z', attempt: 40 });
    time.advance(-1);
    const stillWithin = await rollback(rollbackEvent({ outageStarted: true, previous }));
    time.advance(1);

    // Act
    const err = await caught(() => rollback(rollbackEvent({ outageStarted: true, previous: stillWithin })));

    // Assert
    expect(stillWithin).toMatchObject({ done: false, attempt: 41 });
    expect(err.name).toBe('RollbackStuck');
    expect(err.message).toContain('120 min');
    expect(err.message).toContain('under no name yet');
  });

  it('waits, and does not declare done, while a rename of the original under staging is pending', async () => {
    // Arrange: the first swap rename (staging → old) was requested but RDS has not applied it yet.
    describeFrom(rdsMock, {
      [IDS.staging]: original({ PendingModifiedValues: { DBInstanceIdentifier: IDS.old } }),
      [IDS.temporary]: makeNewInstance(),
    });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });
    const previous = makeProgress({ availableSince: '2026-11-30T23:00:00.000Z', sawReboot: true });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true, previous }));

    // Assert
    expect(result).toMatchObject({
      done: false,
      action: 'Waiting for the original instance under dev-openverse-db to settle (rename pending)',
      availableSince: null,
    });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('after an outage, waits for the original under staging to settle before cleaning up', async () => {
    // Arrange
    const world: Record<string, DBInstance | undefined> = { [IDS.staging]: original() };
    describeFrom(rdsMock, world);
    const time = movableClock();
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock: time });
    const previous = makeProgress({ actions: ['Renamed the original instance back'] });

    // Act
    const first = await rollback(rollbackEvent({ outageStarted: true, previous }));
    time.advance(60);
    world[IDS.staging] = original({ DBInstanceStatus: 'rebooting' });
    const second = await rollback(rollbackEvent({ outageStarted: true, previous: first }));
    time.advance(60);
    world[IDS.staging] = original();
    const third = await rollback(rollbackEvent({ outageStarted: true, previous: second }));

    // Assert
    expect([first.done, second.done, third.done]).toEqual([false, false, true]);
    expect(first.action).toBe('Waiting for the original instance under dev-openverse-db to settle (available)');
    expect(third.action).toBe('Staging is back on the original instance');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('never touches an instance created by another execution, and reports it as left over', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: original(),
      [IDS.temporary]: makeNewInstance({
        DbiResourceId: FOREIGN_ID,
        TagList: [{ Key: 'staging-db-restore:execution', Value: 'run-2026-11' }],
      }),
    });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent());

    // Assert
    expect(result).toMatchObject({
      done: true,
      leftovers: [`dev-next-openverse-db (${FOREIGN_ID})`],
    });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('takes the instance under staging for the original when the capture never ran', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: original({ DbiResourceId: 'db-UNCAPTURED' }) });
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ staging: null }));

    // Assert
    expect(result).toMatchObject({ done: true, stagingHolds: 'original' });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('refuses a misconfigured production-like identifier before any call', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: original() });
    const rollback = makeHandler({ rds: newRdsClient(), ids: { ...IDS, old: 'prod-openverse-db-old' }, clock });

    // Act
    const err = await caught(() => rollback(rollbackEvent()));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('uses the original resource id, not the name, to recognise the original under the old name', async () => {
    // Arrange: a stranger sits under the old name; the original is hidden mid-rename.
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DbiResourceId: FOREIGN_ID }) });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

    // Act
    const result = await rollback(rollbackEvent({ outageStarted: true }));

    // Assert
    expect(result.action).toBe('Waiting: the original instance is under no name yet (a rename is in flight)');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });
  describe('before the outage (staging was never renamed)', () => {
    it.each(['backing-up', 'modifying', 'stopped', 'failed'])(
      'deletes the copy while staging is "%s", without waiting for staging or calling it broken',
      async (status) => {
        // Arrange
        describeFrom(rdsMock, {
          [IDS.staging]: original({ DBInstanceStatus: status }),
          [IDS.temporary]: makeNewInstance(),
        });
        rdsMock.on(DeleteDBInstanceCommand).resolves({});
        const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

        // Act
        const result = await rollback(rollbackEvent());

        // Assert
        expect(mutatingCommands(rdsMock)).toEqual(['DeleteDBInstanceCommand']);
        expect(result).toMatchObject({
          done: false,
          action: `Deleted the new instance dev-next-openverse-db (${NEW_ID})`,
          stagingHolds: 'original',
          names: { staging: { holder: 'original', status } },
        });
      },
    );

    it('deletes the copy and is done even when another instance took the staging name meanwhile', async () => {
      // Arrange
      const world: Record<string, DBInstance | undefined> = {
        [IDS.staging]: makeDbInstance({ DbiResourceId: FOREIGN_ID }),
        [IDS.temporary]: makeNewInstance(),
      };
      describeFrom(rdsMock, world);
      rdsMock.on(DeleteDBInstanceCommand).resolves({});
      const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

      // Act
      const first = await rollback(rollbackEvent());
      delete world[IDS.temporary];
      const second = await rollback(rollbackEvent({ previous: first }));

      // Assert
      expect(mutatingCommands(rdsMock)).toEqual(['DeleteDBInstanceCommand']);
      expect(second).toMatchObject({
        done: true,
        stagingHolds: 'unknown',
        names: { staging: { holder: 'foreign', resourceId: FOREIGN_ID }, temporary: { holder: 'free' } },
      });
    });

    it('runs out of time with the copy still deleting: says staging was never renamed and where everything is', async () => {
      // Arrange
      describeFrom(rdsMock, {
        [IDS.staging]: original(),
        [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'deleting' }),
      });
      const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });
      const previous = makeProgress({
        startedAt: '2026-11-30T22:00:00.000Z',
        action: 'Waiting for the new instance dev-next-openverse-db (deleting) to be deleted',
        actions: [`Deleted the new instance dev-next-openverse-db (${NEW_ID})`],
      });

      // Act
      const err = await caught(() => rollback(rollbackEvent({ previous })));

      // Assert
      expect(err.name).toBe('RollbackStuck');
      expect(err.message).toBe(
        'Rollback did not finish within 120 min; last step: Waiting for the new instance dev-next-openverse-db ' +
          `(deleting) to be deleted; steps taken: Deleted the new instance dev-next-openverse-db (${NEW_ID}). ` +
          `Now: \`dev-openverse-db\` holds the original staging instance ${ORIGINAL_ID} (available); ` +
          `\`dev-next-openverse-db\` holds this run's copy ${NEW_ID} (deleting); \`dev-old-openverse-db\` is free. ` +
          'This run never renamed dev-openverse-db (the outage had not started): there is nothing to put back. ' +
          "Delete this run's copy under dev-next-openverse-db once RDS lets you (aws rds delete-db-instance " +
          '--db-instance-identifier dev-next-openverse-db --skip-final-snapshot); the next run also deletes it on its own.',
      );
      expect(err.message).not.toMatch(/rename (it|the original)[^.]* back/);
      expect(mutatingCommands(rdsMock)).toEqual([]);
    });
  });

  describe('out of time after the outage started: what is left, for where things stand', () => {
    const outOfTime = makeProgress({ startedAt: '2026-11-30T22:00:00.000Z' });

    it('staging free, the original under the old name: staging is down, rename it back', async () => {
      // Arrange
      describeFrom(rdsMock, {
        [IDS.old]: original({ DBInstanceStatus: 'backing-up' }),
        [IDS.temporary]: makeNewInstance(),
      });
      const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

      // Act
      const err = await caught(() => rollback(rollbackEvent({ outageStarted: true, previous: outOfTime })));

      // Assert
      expect(err.message).toContain(
        `Now: \`dev-openverse-db\` is free; \`dev-next-openverse-db\` holds this run's copy ${NEW_ID} (available); ` +
          `\`dev-old-openverse-db\` holds the original staging instance ${ORIGINAL_ID} (backing-up).`,
      );
      expect(err.message).toContain(
        'Staging is down: the original is under dev-old-openverse-db. Once it is available, rename it back ' +
          '(aws rds modify-db-instance --db-instance-identifier dev-old-openverse-db --new-db-instance-identifier ' +
          'dev-openverse-db --apply-immediately).',
      );
      expect(err.message).toContain("Delete this run's copy under dev-next-openverse-db");
    });

    it('the copy under the staging name: rename it away, then the original back', async () => {
      // Arrange
      describeFrom(rdsMock, {
        [IDS.staging]: makeNewInstance({ DBInstanceStatus: 'rebooting' }),
        [IDS.old]: original(),
      });
      const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

      // Act
      const err = await caught(() => rollback(rollbackEvent({ outageStarted: true, previous: outOfTime })));

      // Assert
      expect(err.message).toContain(`\`dev-openverse-db\` holds this run's copy ${NEW_ID} (rebooting)`);
      expect(err.message).toContain(
        "This run's copy holds dev-openverse-db. Once it is available, rename it away (aws rds modify-db-instance " +
          '--db-instance-identifier dev-openverse-db --new-db-instance-identifier dev-next-openverse-db --apply-immediately), ' +
          'then, once dev-openverse-db is free, rename the original (under dev-old-openverse-db) back.',
      );
    });

    it('the original back under the staging name, the copy still there: nothing to put back, delete the copy', async () => {
      // Arrange
      describeFrom(rdsMock, {
        [IDS.staging]: original(),
        [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'deleting' }),
      });
      const rollback = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

      // Act
      const err = await caught(() => rollback(rollbackEvent({ outageStarted: true, previous: outOfTime })));

      // Assert
      expect(err.message).toContain('Staging is back on the original instance: there is nothing to put back.');
      expect(err.message).toContain("Delete this run's copy under dev-next-openverse-db");
      expect(err.message).not.toContain('rename it back');
    });
  });
});
