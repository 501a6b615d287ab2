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
      tags: STAGING_TAGS,
    });
  });

  it('describes staging, then checks that the temporary and old names are free, and mutates nothing', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });

    // Act
    await captureStaging({});

    // Assert
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'dev-openverse-db' },
      { DBInstanceIdentifier: 'dev-next-openverse-db' },
      { DBInstanceIdentifier: 'dev-old-openverse-db' },
    ]);
    expect(sentCommands(rdsMock)).toEqual([
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
    ]);
  });

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
      DeletionProtection: false,
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

  it('fails with PreconditionFailed when staging is not available', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: 'backing-up' }) });

    // Act
    const err = await caught(() => captureStaging({}));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('"backing-up"');
  });

  it.each([
    ['temporary', IDS.temporary],
    ['old', IDS.old],
  ])('fails with PreconditionFailed naming the %s name when it is already taken', async (_role, name) => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance(),
      [name]: makeNewInstance({ DBInstanceStatus: 'stopped' }),
    });

    // Act
    const err = await caught(() => captureStaging({}));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain(`The name ${name} is already taken`);
    expect(err.message).toContain('stopped');
  });
});
