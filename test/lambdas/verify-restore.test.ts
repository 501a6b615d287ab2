import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/verify-restore/verify-restore';
import {
  caught,
  describeFrom,
  FOREIGN_ID,
  IDS,
  makeNewInstance,
  makeStagingConfig,
  mutatingCommands,
  NEW_ID,
  newRdsClient,
  sentCommands,
} from './fixtures';

const rdsMock = mockClient(RDSClient);
const verify = makeHandler({ rds: newRdsClient() });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

const event = (resourceId: string | null = NEW_ID) => ({
  staging: makeStagingConfig(),
  identifier: IDS.temporary,
  resourceId,
  adjustments: {},
});

describe('verify-restore', () => {
  it('accepts an instance that matches staging, listing every checked field and tag', async () => {
    // Arrange: security groups listed in another order, plus the execution tag: both still match.
    describeFrom(rdsMock, {
      [IDS.temporary]: makeNewInstance({
        DeletionProtection: true,
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0bbb' }, { VpcSecurityGroupId: 'sg-0aaa' }],
      }),
    });

    // Act
    const result = await verify(event());

    // Assert
    expect(result).toEqual({
      identifier: 'dev-next-openverse-db',
      checkedFields: [
        'DBInstanceClass',
        'MultiAZ',
        'AvailabilityZone',
        'DBSubnetGroupName',
        'VpcSecurityGroupIds',
        'PubliclyAccessible',
        'AllocatedStorage',
        'StorageType',
        'Iops',
        'StorageThroughput',
        'DBParameterGroupName',
        'OptionGroupName',
        'CopyTagsToSnapshot',
        'Port',
        'AutoMinorVersionUpgrade',
        'EnableIAMDatabaseAuthentication',
        'EnableCloudwatchLogsExports',
        'CACertificateIdentifier',
        'Tags.environment',
        'Tags.team',
      ],
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBInstancesCommand']);
    expect(rdsMock.calls()[0]!.args[0].input).toEqual({ DBInstanceIdentifier: 'dev-next-openverse-db' });
  });

  it('fails with ConfigMismatch listing both a different class and a missing staging tag', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.temporary]: makeNewInstance({
        DBInstanceClass: 'db.m5.xlarge',
        TagList: [
          { Key: 'environment', Value: 'staging' },
          { Key: 'staging-db-restore:execution', Value: 'run-2026-12' },
        ],
      }),
    });

    // Act
    const err = await caught(() => verify(event()));

    // Assert
    expect(err.name).toBe('ConfigMismatch');
    expect(err.message).toContain('DBInstanceClass: staging "db.t4g.medium", new "db.m5.xlarge"');
    expect(err.message).toContain('Tags.team: staging "catalog", new null');
    expect(err.message).not.toContain('Tags.environment');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with ConfigMismatch when a tag has another value (e.g. production’s)', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.temporary]: makeNewInstance({
        TagList: [
          { Key: 'environment', Value: 'production' },
          { Key: 'team', Value: 'catalog' },
        ],
      }),
    });

    // Act
    const err = await caught(() => verify(event()));

    // Assert
    expect(err.name).toBe('ConfigMismatch');
    expect(err.message).toContain('Tags.environment: staging "staging", new "production"');
  });

  it('fails with ConfigMismatch when a security group is missing', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.temporary]: makeNewInstance({ VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa' }] }),
    });

    // Act
    const err = await caught(() => verify(event()));

    // Assert
    expect(err.name).toBe('ConfigMismatch');
    expect(err.message).toContain('VpcSecurityGroupIds');
  });

  it('fails with UnexpectedInstance when another instance holds the name', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ DbiResourceId: FOREIGN_ID }) });

    // Act
    const err = await caught(() => verify(event()));

    // Assert
    expect(err.name).toBe('UnexpectedInstance');
    expect(err.message).toContain(FOREIGN_ID);
  });

  it('fails with UnexpectedInstance when the restored instance has disappeared', async () => {
    // Arrange
    describeFrom(rdsMock, {});

    // Act
    const err = await caught(() => verify(event()));

    // Assert
    expect(err.name).toBe('UnexpectedInstance');
    expect(err.message).toContain('disappeared');
  });
});
