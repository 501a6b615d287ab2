import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/capture-staging/capture-staging';
import {
  caught,
  describeFrom,
  IDS,
  makeDbInstance,
  makeNewInstance,
  ORIGINAL_ID,
  sentCommands,
  STAGING_CONFIG,
  STAGING_SETTINGS,
  STAGING_TAGS,
  newRdsClient,
} from './fixtures';

const rdsMock = mockClient(RDSClient);
const captureStaging = makeHandler({ rds: newRdsClient(), ids: IDS });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

describe('capture-staging', () => {
  it('captures every restorable field of staging and its tags without aws: ones', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });

    // Act
    const result = await captureStaging({});

    // Assert
    expect(result).toStrictEqual({
      identifier: 'dev-openverse-db',
      resourceId: ORIGINAL_ID,
      status: 'available',
      config: STAGING_CONFIG,
      settings: STAGING_SETTINGS,
      attributes: expect.objectContaining({ BackupRetentionPeriod: 7, DBInstanceClass: 'db.t4g.medium' }),
      notMirrored: [],
      tags: STAGING_TAGS,
    });
    // Every compared attribute RDS gave a value for, and no identity ones.
    expect(result.attributes).not.toHaveProperty('DbiResourceId');
    expect(result.attributes).not.toHaveProperty('InstanceCreateTime');
    expect(result.attributes).toHaveProperty('PreferredMaintenanceWindow', 'sun:08:00-sun:08:30');
  });

  it('names before any change what no run can carry over', async () => {
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({ ReadReplicaDBInstanceIdentifiers: ['dev-openverse-db-replica'] }),
    });
    const result = await captureStaging({});
    expect(result.notMirrored).toEqual([
      { attribute: 'ReadReplicaDBInstanceIdentifiers', why: expect.stringContaining('not recreated') },
    ]);
  });

  it("describes staging only, and mutates nothing (the names are the leftovers step's business)", async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance(), [IDS.temporary]: makeNewInstance() });

    // Act
    await captureStaging({});

    // Assert
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'dev-openverse-db' },
    ]);
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBInstancesCommand']);
  });

  it('captures staging where a dry run found it: under the old name, reported as staging', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DBInstanceIdentifier: IDS.old }) });

    // Act
    const result = await captureStaging({ at: IDS.old });

    // Assert
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'dev-old-openverse-db' },
    ]);
    expect(result.identifier).toBe(IDS.staging);
    expect(result.resourceId).toBe(ORIGINAL_ID);
  });

  it.each([IDS.temporary, IDS.production, 'PROD-openverse-db'])(
    'refuses to capture from %s, before any call',
    async (at) => {
      // Act
      const err = await caught(() => captureStaging({ at }));

      // Assert
      expect(err.name).toBe('ProductionGuardRefused');
      expect(sentCommands(rdsMock)).toEqual([]);
    },
  );

  it('leaves out the zone of a Multi-AZ instance and the IOPS/throughput it does not have', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({
        MultiAZ: true,
        AvailabilityZone: 'us-east-1b',
        SecondaryAvailabilityZone: 'us-east-1c',
        StorageType: 'gp2',
        Iops: undefined,
        StorageThroughput: 0,
        OptionGroupMemberships: [],
        EnabledCloudwatchLogsExports: [],
        PubliclyAccessible: true,
        DeletionProtection: false,
        CopyTagsToSnapshot: false,
        Endpoint: undefined,
        DbInstancePort: 6543,
      }),
    });

    // Act
    const result = await captureStaging({});

    // Assert
    expect(result.config).toStrictEqual({
      DBInstanceClass: 'db.t4g.medium',
      MultiAZ: true,
      DBSubnetGroupName: 'staging-db-subnets',
      VpcSecurityGroupIds: ['sg-0aaa', 'sg-0bbb'],
      PubliclyAccessible: true,
      AllocatedStorage: 500,
      StorageType: 'gp2',
      DBParameterGroupName: 'staging-postgres16',
      CopyTagsToSnapshot: false,
      Port: 6543,
      AutoMinorVersionUpgrade: true,
      EnableIAMDatabaseAuthentication: false,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
  });

  it('drops the tag of an earlier run from the captured tags (the restore sets its own)', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance({
        TagList: [
          { Key: 'team', Value: 'catalog' },
          { Key: 'staging-db-restore:execution', Value: 'run-2026-11' },
          { Key: 'aws:createdBy', Value: 'someone' },
        ],
      }),
    });

    // Act
    const result = await captureStaging({});

    // Assert
    expect(result.tags).toStrictEqual([{ Key: 'team', Value: 'catalog' }]);
  });

  it('fails with StagingNotFound when staging does not exist', async () => {
    // Arrange
    describeFrom(rdsMock, {});

    // Act
    const err = await caught(() => captureStaging({}));

    // Assert
    expect(err.name).toBe('StagingNotFound');
    expect(err.message).toContain('dev-openverse-db');
  });

  it.each(['backing-up', 'modifying', 'maintenance'])(
    'captures staging while it is "%s" and records the status (a dry run takes it as it is)',
    async (status) => {
      // Arrange
      describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: status }) });

      // Act
      const staging = await captureStaging({});

      // Assert
      expect(staging.status).toBe(status);
    },
  );

  it.each([
    ['stopped', 'is "stopped", and this tool never starts an instance: start it'],
    ['stopping', 'is "stopping": someone is stopping it'],
  ])('fails with PreconditionFailed when staging is %s, saying to start it', async (status, says) => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: status }) });

    // Act
    const err = await caught(() => captureStaging({}));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain(`Instance dev-openverse-db ${says}`);
    expect(err.message).toContain('aws rds start-db-instance --db-instance-identifier dev-openverse-db');
  });

  it('fails with PreconditionFailed when staging is in a terminal status, saying nothing was changed', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: 'storage-full' }) });

    // Act
    const err = await caught(() => captureStaging({}));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('Staging instance dev-openverse-db is "storage-full"');
    expect(err.message).toContain('Nothing was changed');
  });
});
