import { captureConfig, compareConfig, restoreInput, userTags } from '../../lambdas/shared/instance-config';
import { makeDbInstance, makeStagingConfig, STAGING_CONFIG } from './fixtures';

describe('captureConfig', () => {
  it('reads every restorable field of an instance', () => {
    expect(captureConfig(makeDbInstance())).toStrictEqual(STAGING_CONFIG);
  });

  it.each([
    ['DBInstanceClass', { DBInstanceClass: undefined }],
    ['DBSubnetGroupName', { DBSubnetGroup: undefined }],
    ['VpcSecurityGroupIds', { VpcSecurityGroups: [] }],
    ['AllocatedStorage', { AllocatedStorage: undefined }],
    ['StorageType', { StorageType: undefined }],
    ['DBParameterGroupName', { DBParameterGroups: [] }],
  ])('throws naming %s when RDS does not give it', (field, overrides) => {
    // Arrange
    const db = makeDbInstance(overrides);

    // Act
    const act = () => captureConfig(db);

    // Assert
    expect(act).toThrow(`DescribeDBInstances for dev-openverse-db lacks a usable ${field}`);
  });

  it('prefers the endpoint port and falls back to DbInstancePort', () => {
    expect(captureConfig(makeDbInstance({ Endpoint: { Port: 5433 }, DbInstancePort: 6000 })).Port).toBe(5433);
    expect(captureConfig(makeDbInstance({ Endpoint: undefined, DbInstancePort: 6000 })).Port).toBe(6000);
  });

  it('keeps the zone of a single-AZ instance only', () => {
    expect(captureConfig(makeDbInstance({ MultiAZ: false })).AvailabilityZone).toBe('us-east-1b');
    expect(captureConfig(makeDbInstance({ MultiAZ: true }))).not.toHaveProperty('AvailabilityZone');
  });
});

describe('userTags', () => {
  it('drops aws: tags, our execution tag and incomplete tags, keeping the rest in order', () => {
    // Act
    const tags = userTags([
      { Key: 'team', Value: 'catalog' },
      { Key: 'aws:cloudformation:stack-id', Value: 'x' },
      { Key: 'staging-db-restore:execution', Value: 'run-1' },
      { Key: 'no-value' },
      { Key: 'environment', Value: 'staging' },
      { Key: 'AWS-looking-but-not-reserved', Value: 'kept' },
    ]);

    // Assert
    expect(tags).toStrictEqual([
      { Key: 'team', Value: 'catalog' },
      { Key: 'environment', Value: 'staging' },
      { Key: 'AWS-looking-but-not-reserved', Value: 'kept' },
    ]);
  });

  it('gives an empty list for no tags', () => {
    expect(userTags(undefined)).toEqual([]);
  });
});

describe('restoreInput', () => {
  it('is the staging config plus snapshot, target, no backups and staging tags plus the execution tag', () => {
    // Act
    const input = restoreInput(
      makeStagingConfig(),
      'rds:prod-openverse-db-2026-11-30-05-00',
      'dev-next-openverse-db',
      'run-9',
    );

    // Assert
    expect(input).toStrictEqual({
      ...STAGING_CONFIG,
      DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-11-30-05-00',
      DBInstanceIdentifier: 'dev-next-openverse-db',
      BackupRetentionPeriod: 0,
      Tags: [
        { Key: 'environment', Value: 'staging' },
        { Key: 'team', Value: 'catalog' },
        { Key: 'staging-db-restore:execution', Value: 'run-9' },
      ],
    });
  });

  it('does not change the captured staging tags', () => {
    // Arrange
    const staging = makeStagingConfig();

    // Act
    restoreInput(staging, 'snap', 'dev-next-openverse-db', 'run-9');

    // Assert
    expect(staging.tags).toHaveLength(2);
  });
});

describe('compareConfig', () => {
  it('finds no difference for the same instance with security groups in another order', () => {
    // Arrange
    const actual = makeDbInstance({
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0bbb' }, { VpcSecurityGroupId: 'sg-0aaa' }],
    });

    // Act
    const mismatches = compareConfig(makeStagingConfig(), actual);

    // Assert
    expect(mismatches).toEqual([]);
  });

  it('reports different security groups', () => {
    // Arrange
    const actual = makeDbInstance({
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa' }, { VpcSecurityGroupId: 'sg-0ccc' }],
    });

    // Act
    const mismatches = compareConfig(makeStagingConfig(), actual);

    // Assert
    expect(mismatches).toEqual([
      { field: 'VpcSecurityGroupIds', expected: ['sg-0aaa', 'sg-0bbb'], actual: ['sg-0aaa', 'sg-0ccc'] },
    ]);
  });

  it('reports a security group list that differs only by an extra group', () => {
    // Arrange
    const actual = makeDbInstance({
      VpcSecurityGroups: [
        { VpcSecurityGroupId: 'sg-0aaa' },
        { VpcSecurityGroupId: 'sg-0bbb' },
        { VpcSecurityGroupId: 'sg-0ccc' },
      ],
    });

    // Act
    const mismatches = compareConfig(makeStagingConfig(), actual);

    // Assert
    expect(mismatches.map((m) => m.field)).toEqual(['VpcSecurityGroupIds']);
  });

  it('reports every mismatch, fields and tags, not just the first', () => {
    // Arrange
    const actual = makeDbInstance({
      DBInstanceClass: 'db.m5.xlarge',
      MultiAZ: true,
      DBParameterGroups: [{ DBParameterGroupName: 'default.postgres16' }],
      TagList: [{ Key: 'environment', Value: 'production' }],
    });

    // Act
    const mismatches = compareConfig(makeStagingConfig(), actual);

    // Assert
    expect(mismatches).toEqual([
      { field: 'DBInstanceClass', expected: 'db.t4g.medium', actual: 'db.m5.xlarge' },
      { field: 'MultiAZ', expected: false, actual: true },
      { field: 'AvailabilityZone', expected: 'us-east-1b', actual: undefined },
      { field: 'DBParameterGroupName', expected: 'staging-postgres16', actual: 'default.postgres16' },
      { field: 'Tags.environment', expected: 'staging', actual: 'production' },
      { field: 'Tags.team', expected: 'catalog', actual: null },
    ]);
  });

  it('ignores fields staging did not have and extra tags on the new instance', () => {
    // Arrange
    const { Iops: _iops, StorageThroughput: _throughput, ...config } = STAGING_CONFIG;
    const actual = makeDbInstance({
      Iops: 3000,
      StorageThroughput: 125,
      TagList: [
        { Key: 'environment', Value: 'staging' },
        { Key: 'team', Value: 'catalog' },
        { Key: 'staging-db-restore:execution', Value: 'run-9' },
      ],
    });

    // Act
    const mismatches = compareConfig(makeStagingConfig({ config }), actual);

    // Assert
    expect(mismatches).toEqual([]);
  });
});
