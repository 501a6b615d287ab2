import {
  DescribeDBSnapshotsCommand,
  KMSKeyNotAccessibleFault,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/restore/restore';
import {
  caught,
  clock,
  EXECUTION,
  IDS,
  makeNewInstance,
  makeStagingConfig,
  NEW_ID,
  newRdsClient,
  sentCommands,
  SNAPSHOT_INFO,
  STAGING_CONFIG,
} from './fixtures';

const rdsMock = mockClient(RDSClient);

/** Production's snapshot as RDS describes it: the restore reads its size and engine. */
function serveSnapshot(allocatedStorage = 500): void {
  rdsMock.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      { DBSnapshotIdentifier: SNAPSHOT_INFO.identifier, Engine: 'postgres', AllocatedStorage: allocatedStorage },
    ],
  });
}

beforeEach(() => {
  rdsMock.reset();
  serveSnapshot();
});
afterAll(() => rdsMock.restore());

function makeEvent(overrides: Record<string, unknown> = {}) {
  return { execution: EXECUTION, snapshot: SNAPSHOT_INFO, staging: makeStagingConfig(), ...overrides };
}

describe('restore', () => {
  it('restores the snapshot under the temporary name, configured and tagged like staging, without backups', async () => {
    // Arrange
    rdsMock.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({ DBInstance: makeNewInstance() });
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    // Act
    const result = await restore(makeEvent());

    // Assert
    expect(result).toEqual({
      identifier: 'dev-next-openverse-db',
      resourceId: NEW_ID,
      requestedAt: '2026-12-01T00:00:00.000Z',
      adjustments: {},
      kms: { snapshotKey: null, grantedKey: null, stagingKey: null },
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBSnapshotsCommand', 'RestoreDBInstanceFromDBSnapshotCommand']);
    expect(rdsMock.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]!.args[0].input).toStrictEqual({
      ...STAGING_CONFIG,
      DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-11-30-05-00',
      DBInstanceIdentifier: 'dev-next-openverse-db',
      BackupRetentionPeriod: 0,
      DeletionProtection: false,
      Tags: [
        { Key: 'environment', Value: 'staging' },
        { Key: 'team', Value: 'catalog' },
        { Key: 'staging-db-restore:execution', Value: 'run-2026-12' },
      ],
    });
  });

  it("restores at the snapshot's size when production grew past staging, and reports it", async () => {
    serveSnapshot(900);
    rdsMock.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({ DBInstance: makeNewInstance() });
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    const result = await restore(makeEvent());

    expect(rdsMock.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]!.args[0].input.AllocatedStorage).toBe(900);
    expect(Object.keys(result.adjustments)).toEqual(['AllocatedStorage']);
  });

  it("reports the snapshot's key, the granted one and staging's", async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_INFO.identifier, AllocatedStorage: 500, KmsKeyId: 'key/prod' }],
    });
    rdsMock.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({ DBInstance: makeNewInstance() });
    const staging = makeStagingConfig();
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: 'key/prod' });

    const result = await restore(
      makeEvent({ staging: { ...staging, attributes: { ...staging.attributes, KmsKeyId: 'key/staging' } } }),
    );

    expect(result.kms).toEqual({ snapshotKey: 'key/prod', grantedKey: 'key/prod', stagingKey: 'key/staging' });
  });

  it('turns RDS refusing the snapshot key into an error that names the key and snapshotKmsKeyArn', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: SNAPSHOT_INFO.identifier, AllocatedStorage: 500, KmsKeyId: 'key/prod' }],
    });
    rdsMock
      .on(RestoreDBInstanceFromDBSnapshotCommand)
      .rejects(new KMSKeyNotAccessibleFault({ message: 'The specified KMS key is not accessible', $metadata: {} }));
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    const err = await caught(() => restore(makeEvent()));

    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('encrypted with key/prod');
    expect(err.message).toContain('no snapshotKmsKeyArn is configured');
  });

  it('fails before restoring when the snapshot cannot be described', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    const err = await caught(() => restore(makeEvent()));

    expect(err.name).toBe('NoProductionSnapshot');
    expect(rdsMock.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
  });

  it('gives no zone to a Multi-AZ restore', async () => {
    // Arrange
    const { AvailabilityZone: _zone, ...multiAz } = { ...STAGING_CONFIG, MultiAZ: true };
    rdsMock.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({ DBInstance: makeNewInstance() });
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    // Act
    await restore(makeEvent({ staging: makeStagingConfig({ config: multiAz }) }));

    // Assert
    const input = rdsMock.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]!.args[0].input;
    expect(input.MultiAZ).toBe(true);
    expect(input).not.toHaveProperty('AvailabilityZone');
  });

  it('returns a null resource id when RDS does not say which instance it created', async () => {
    // Arrange
    rdsMock.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    // Act
    const result = await restore(makeEvent());

    // Assert
    expect(result.resourceId).toBeNull();
  });

  it('refuses a snapshot of another instance and sends nothing', async () => {
    // Arrange
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });
    const event = makeEvent({
      snapshot: { ...SNAPSHOT_INFO, identifier: 'rds:dev-openverse-db-2026-11-30-05-00', instance: 'dev-openverse-db' },
    });

    // Act
    const err = await caught(() => restore(event));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(err.message).toContain('dev-openverse-db');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('refuses to run at all when the temporary identifier is misconfigured to look like production', async () => {
    // Arrange
    const restore = makeHandler({
      rds: newRdsClient(),
      ids: { ...IDS, temporary: 'prod-copy' },
      clock,
      grantedKmsKey: null,
    });

    // Act
    const err = await caught(() => restore(makeEvent()));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(err.message).toContain('prod-copy');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('refuses when the temporary identifier is configured as production itself', async () => {
    // Arrange
    const restore = makeHandler({
      rds: newRdsClient(),
      ids: { ...IDS, production: 'openverse-db-main', temporary: 'openverse-db-main' },
      clock,
      grantedKmsKey: null,
    });
    const event = makeEvent({ snapshot: { ...SNAPSHOT_INFO, instance: 'openverse-db-main' } });

    // Act
    const err = await caught(() => restore(event));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('rejects an event without the staging configuration as InvalidInput, before any call', async () => {
    // Arrange
    const restore = makeHandler({ rds: newRdsClient(), ids: IDS, clock, grantedKmsKey: null });

    // Act
    const err = await caught(() => restore({ execution: EXECUTION, snapshot: SNAPSHOT_INFO }));

    // Assert
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toContain('staging');
    expect(sentCommands(rdsMock)).toEqual([]);
  });
});
