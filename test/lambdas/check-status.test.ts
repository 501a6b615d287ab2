import type { DBInstance } from '@aws-sdk/client-rds';
import { DBSnapshotNotFoundFault, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/check-status/check-status';
import { PASSING_INSTANCE_STATUSES, type PollResult } from '../../lambdas/shared/contract';
import {
  caught,
  clock,
  describeFrom,
  FOREIGN_ID,
  IDS,
  makeDbInstance,
  makeNewInstance,
  makeSnapshot,
  movableClock,
  mutatingCommands,
  NEW_ID,
  newRdsClient,
  ORIGINAL_ID,
  sentCommands,
} from './fixtures';

const rdsMock = mockClient(RDSClient);

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

const SNAPSHOT_ID = 'rds:prod-openverse-db-2026-11-30-05-00';
const bound = (settleSeconds = 0, maxSeconds = 3600) => ({ maxSeconds, pollSeconds: 30, settleSeconds });

describe('check-status: snapshot', () => {
  const check = makeHandler({ rds: newRdsClient(), clock });
  const target = { kind: 'snapshot', identifier: SNAPSHOT_ID };

  it('is done when the snapshot is available, asking for it by identifier, and returns it as seen', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [makeSnapshot()] });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toEqual({
      done: true,
      status: 'available',
      identifier: SNAPSHOT_ID,
      resourceId: null,
      seenAs: SNAPSHOT_ID,
      attempt: 1,
      availableSince: null,
      sawReboot: false,
      startedAt: '2026-12-01T00:00:00.000Z',
      observedAt: '2026-12-01T00:00:00.000Z',
      nextPollSeconds: 30,
      snapshot: {
        identifier: SNAPSHOT_ID,
        arn: `arn:aws:rds:us-east-1:123456789012:snapshot:${SNAPSHOT_ID}`,
        instance: IDS.production,
        status: 'available',
        createdAt: '2026-11-30T05:00:00.000Z',
        engine: 'postgres',
        engineVersion: '16.4',
        encrypted: true,
      },
    });
    expect(rdsMock.commandCalls(DescribeDBSnapshotsCommand)[0]!.args[0].input).toEqual({
      DBSnapshotIdentifier: SNAPSHOT_ID,
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBSnapshotsCommand']);
  });

  it('is not done while the snapshot is creating, and counts attempts from the previous poll', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ Status: 'creating' }] });
    const first = await check({ target, bound: bound() });

    // Act
    const second = await check({ target, bound: bound(), previous: first });

    // Assert
    expect(first).toMatchObject({ done: false, status: 'creating', attempt: 1 });
    expect(second).toMatchObject({ done: false, status: 'creating', attempt: 2, startedAt: first.startedAt });
  });

  it('reads the creation time again on every poll: none while creating, the real one once available', async () => {
    // Arrange: RDS gives no SnapshotCreateTime while a snapshot is being created (docs/aws-facts.md).
    rdsMock
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [makeSnapshot({ Status: 'creating', SnapshotCreateTime: undefined })] })
      .resolves({ DBSnapshots: [makeSnapshot({ SnapshotCreateTime: new Date('2026-11-30T05:00:00Z') })] });
    const first = await check({ target, bound: bound() });

    // Act
    const second = await check({ target, bound: bound(), previous: first });

    // Assert
    expect(first).toMatchObject({ done: false, snapshot: { status: 'creating', createdAt: null } });
    expect(second).toMatchObject({
      done: true,
      snapshot: { identifier: SNAPSHOT_ID, status: 'available', createdAt: '2026-11-30T05:00:00.000Z' },
    });
  });

  it('names the snapshot by the asked identifier when the answer leaves it out', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ Status: 'available' }] });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toMatchObject({ done: true, snapshot: { identifier: SNAPSHOT_ID, createdAt: null } });
  });

  it('fails with SnapshotFailed when the snapshot failed', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ Status: 'failed' }] });

    // Act
    const err = await caught(() => check({ target, bound: bound() }));

    // Assert
    expect(err.name).toBe('SnapshotFailed');
    expect(err.message).toContain(SNAPSHOT_ID);
  });

  it('fails with SnapshotFailed when the snapshot no longer exists', async () => {
    // Arrange
    rdsMock
      .on(DescribeDBSnapshotsCommand)
      .rejects(new DBSnapshotNotFoundFault({ message: 'DBSnapshot not found', $metadata: {} }));

    // Act
    const err = await caught(() => check({ target, bound: bound() }));

    // Assert
    expect(err.name).toBe('SnapshotFailed');
    expect(err.message).toContain('not-found');
  });
});

describe('check-status: instance until available', () => {
  it('is done the first time it is available when no settling is asked for', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance() });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({
      target: { kind: 'instance', identifier: IDS.temporary, until: 'available' },
      bound: { maxSeconds: 3600, pollSeconds: 60 },
    });

    // Assert
    expect(result).toEqual({
      done: true,
      status: 'available',
      identifier: IDS.temporary,
      resourceId: NEW_ID,
      seenAs: IDS.temporary,
      attempt: 1,
      availableSince: '2026-12-01T00:00:00.000Z',
      sawReboot: false,
      startedAt: '2026-12-01T00:00:00.000Z',
      observedAt: '2026-12-01T00:00:00.000Z',
      nextPollSeconds: 60,
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBInstancesCommand']);
  });

  it('is not done while the restored instance is still creating', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'creating' }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({
      target: { kind: 'instance', identifier: IDS.temporary, until: 'available', resourceId: NEW_ID },
      bound: bound(),
    });

    // Assert
    expect(result).toMatchObject({ done: false, status: 'creating', availableSince: null });
  });

  it('after a rename, is done only once it is available again after the reboot (renaming → available → rebooting → available)', async () => {
    // Arrange
    const world: Record<string, DBInstance | undefined> = {};
    describeFrom(rdsMock, world);
    const time = movableClock();
    const check = makeHandler({ rds: newRdsClient(), clock: time });
    const target = {
      kind: 'instance',
      identifier: IDS.staging,
      until: 'available',
      resourceId: NEW_ID,
      previousIdentifier: IDS.temporary,
    };
    const steps: { holder: string; status: string }[] = [
      { holder: IDS.temporary, status: 'renaming' },
      { holder: IDS.staging, status: 'available' },
      { holder: IDS.staging, status: 'rebooting' },
      { holder: IDS.staging, status: 'available' },
    ];

    // Act
    const results: PollResult[] = [];
    for (const step of steps) {
      for (const name of Object.keys(world)) delete world[name];
      world[step.holder] = makeNewInstance({ DBInstanceStatus: step.status });
      results.push(await check({ target, bound: bound(600), previous: results.at(-1) ?? null }));
      time.advance(30);
    }

    // Assert
    expect(results.map((r) => [r.status, r.seenAs, r.done])).toEqual([
      ['renaming', IDS.temporary, false],
      ['available', IDS.staging, false],
      ['rebooting', IDS.staging, false],
      ['available', IDS.staging, true],
    ]);
    expect(results.map((r) => r.sawReboot)).toEqual([false, false, true, true]);
    expect(results.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(results[3]!.startedAt).toBe('2026-12-01T00:00:00.000Z');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('is done without a reboot once it has stayed available for settleSeconds', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeNewInstance() });
    const time = movableClock();
    const check = makeHandler({ rds: newRdsClient(), clock: time });
    const target = { kind: 'instance', identifier: IDS.staging, until: 'available', resourceId: NEW_ID };

    // Act
    const first = await check({ target, bound: bound(600) });
    time.advance(599);
    const almost = await check({ target, bound: bound(600), previous: first });
    time.advance(1);
    const settled = await check({ target, bound: bound(600), previous: almost });

    // Assert
    expect([first.done, almost.done, settled.done]).toEqual([false, false, true]);
    expect(settled.availableSince).toBe('2026-12-01T00:00:00.000Z');
    expect(settled.sawReboot).toBe(false);
  });

  it('is not done while the instance is still under its previous name, and says where it was seen', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DBInstanceStatus: 'available' }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({
      target: {
        kind: 'instance',
        identifier: IDS.staging,
        until: 'available',
        resourceId: ORIGINAL_ID,
        previousIdentifier: IDS.old,
      },
      bound: bound(),
    });

    // Assert
    expect(result).toMatchObject({
      done: false,
      status: 'available',
      seenAs: IDS.old,
      resourceId: ORIGINAL_ID,
      availableSince: null,
    });
    expect(
      rdsMock.calls().map((c) => (c.args[0].input as { DBInstanceIdentifier?: string }).DBInstanceIdentifier),
    ).toEqual([IDS.staging, IDS.old]);
  });

  it('is not done when the instance is under neither name (hidden mid-rename)', async () => {
    // Arrange
    describeFrom(rdsMock, {});
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({
      target: {
        kind: 'instance',
        identifier: IDS.staging,
        until: 'available',
        resourceId: NEW_ID,
        previousIdentifier: IDS.temporary,
      },
      bound: bound(),
    });

    // Assert
    expect(result).toMatchObject({ done: false, status: 'not-found', seenAs: null, resourceId: NEW_ID });
  });

  it('does not take another instance under the previous name for the one it waits for', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeDbInstance({ DbiResourceId: FOREIGN_ID }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({
      target: {
        kind: 'instance',
        identifier: IDS.staging,
        until: 'available',
        resourceId: NEW_ID,
        previousIdentifier: IDS.temporary,
      },
      bound: bound(),
    });

    // Assert
    expect(result).toMatchObject({ done: false, status: 'not-found', seenAs: null });
  });

  it('fails with InstanceFailed on a terminal status under the target name', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'incompatible-restore' }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const err = await caught(() =>
      check({ target: { kind: 'instance', identifier: IDS.temporary, until: 'available' }, bound: bound() }),
    );

    // Assert
    expect(err.name).toBe('InstanceFailed');
    expect(err.message).toContain('incompatible-restore');
  });

  it('fails with InstanceFailed on a terminal status under the previous name (a rename that broke it)', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: 'failed' }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const err = await caught(() =>
      check({
        target: {
          kind: 'instance',
          identifier: IDS.old,
          until: 'available',
          resourceId: ORIGINAL_ID,
          previousIdentifier: IDS.staging,
        },
        bound: bound(),
      }),
    );

    // Assert
    expect(err.name).toBe('InstanceFailed');
    expect(err.message).toBe(`Instance ${IDS.staging} is "failed"; it will not become available`);
  });

  it('fails with UnexpectedInstance when another instance holds the target name', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DbiResourceId: FOREIGN_ID }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const err = await caught(() =>
      check({
        target: { kind: 'instance', identifier: IDS.staging, until: 'available', resourceId: NEW_ID },
        bound: bound(),
      }),
    );

    // Assert
    expect(err.name).toBe('UnexpectedInstance');
    expect(err.message).toContain(FOREIGN_ID);
  });

  it('fails with WaitTimedOut once the time bound is spent without being done', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ DBInstanceStatus: 'creating' }) });
    const time = movableClock();
    const check = makeHandler({ rds: newRdsClient(), clock: time });
    const target = { kind: 'instance', identifier: IDS.temporary, until: 'available' };
    const first = await check({ target, bound: bound(0, 3600) });
    time.advance(3599);
    const stillWithin = await check({ target, bound: bound(0, 3600), previous: first });
    time.advance(1);

    // Act
    const err = await caught(() => check({ target, bound: bound(0, 3600), previous: stillWithin }));

    // Assert
    expect(stillWithin.done).toBe(false);
    expect(err.name).toBe('WaitTimedOut');
    expect(err.message).toContain('dev-next-openverse-db');
    expect(err.message).toContain('creating');
  });
});

describe('check-status: staging ready (steady: available, no operation in flight)', () => {
  const target = {
    kind: 'instance',
    identifier: IDS.staging,
    until: 'available',
    resourceId: ORIGINAL_ID,
    steady: true,
  };

  it.each(PASSING_INSTANCE_STATUSES)('waits while staging is "%s"', async (status) => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: status }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toMatchObject({ done: false, status, seenAs: IDS.staging, nextPollSeconds: 30 });
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('is done once it is available, at the first poll (no settling)', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toMatchObject({ done: true, status: 'available', resourceId: ORIGINAL_ID });
  });

  it('is not done while a rename is pending, though RDS still says available', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({ PendingModifiedValues: { DBInstanceIdentifier: 'dev-other-db' } }),
    });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result.done).toBe(false);
  });

  it('is done while a change waits for the maintenance window (nothing in flight now)', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({ PendingModifiedValues: { DBInstanceClass: 'db.m5.2xlarge' } }),
    });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result.done).toBe(true);
  });

  it.each(['stopped', 'stopping'])(
    'fails at once with PreconditionFailed when staging is %s, saying to start it',
    async (status) => {
      // Arrange
      describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: status }) });
      const check = makeHandler({ rds: newRdsClient(), clock });

      // Act
      const err = await caught(() => check({ target, bound: bound() }));

      // Assert
      expect(err.name).toBe('PreconditionFailed');
      expect(err.message).toContain(`Instance ${IDS.staging} is "${status}"`);
      expect(err.message).toContain(`aws rds start-db-instance --db-instance-identifier ${IDS.staging}`);
    },
  );

  it('gives up after its bound, saying what it waited for and the last status', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: 'modifying' }) });
    const time = movableClock();
    const check = makeHandler({ rds: newRdsClient(), clock: time });
    const first = await check({ target, bound: bound(0, 3600) });
    time.advance(3600);

    // Act
    const err = await caught(() => check({ target, bound: bound(0, 3600), previous: first }));

    // Assert
    expect(err.name).toBe('WaitTimedOut');
    expect(err.message).toBe(
      `Gave up waiting for instance ${IDS.staging} to be available with no operation in flight after 60 min ` +
        '(bound 60 min); last status "modifying"',
    );
  });
});

describe('check-status: instance until gone', () => {
  const target = { kind: 'instance', identifier: IDS.old, until: 'gone', resourceId: ORIGINAL_ID };

  it('is done when no instance has the name', async () => {
    // Arrange
    describeFrom(rdsMock, {});
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toMatchObject({ done: true, status: 'not-found', seenAs: null });
  });

  it('is not done while the instance is deleting', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DBInstanceStatus: 'deleting' }) });
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const result = await check({ target, bound: bound() });

    // Assert
    expect(result).toMatchObject({ done: false, status: 'deleting', seenAs: IDS.old });
  });
});

describe('check-status: input validation', () => {
  it('rejects an event without target as InvalidInput naming the field, before any call', async () => {
    // Arrange
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const err = await caught(() => check({ bound: bound() }));

    // Assert
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toMatch(/^check-status: input field target: /);
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('names the nested path of a bad field', async () => {
    // Arrange
    const check = makeHandler({ rds: newRdsClient(), clock });

    // Act
    const err = await caught(() =>
      check({ target: { kind: 'instance', identifier: IDS.staging, until: 'available' }, bound: { pollSeconds: 30 } }),
    );

    // Assert
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toContain('input field bound.maxSeconds');
  });
});
