import {
  captureConfig,
  captureSettings,
  compareConfig,
  restorePlan,
  settingsModification,
  userTags,
} from '../../lambdas/shared/instance-config';
import { makeDbInstance, makeStagingConfig, STAGING_CONFIG, STAGING_SETTINGS } from './fixtures';

const SNAP = { identifier: 'rds:prod-openverse-db-2026-11-30-05-00', engine: 'postgres', allocatedStorage: 500 };

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

describe('restorePlan', () => {
  it('is the staging config plus snapshot, target, no backups, no deletion protection and the execution tag', () => {
    // Act
    const plan = restorePlan(makeStagingConfig(), SNAP, 'dev-next-openverse-db', 'run-9');

    // Assert
    expect(plan.adjustments).toStrictEqual({});
    expect(plan.input).toStrictEqual({
      ...STAGING_CONFIG,
      DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-11-30-05-00',
      DBInstanceIdentifier: 'dev-next-openverse-db',
      BackupRetentionPeriod: 0,
      DeletionProtection: false,
      Tags: [
        { Key: 'environment', Value: 'staging' },
        { Key: 'team', Value: 'catalog' },
        { Key: 'staging-db-restore:execution', Value: 'run-9' },
      ],
    });
  });

  it('does not change the captured staging tags', () => {
    const staging = makeStagingConfig();
    restorePlan(staging, SNAP, 'dev-next-openverse-db', 'run-9');
    expect(staging.tags).toHaveLength(2);
  });

  it('sends no IOPS or throughput for gp3 below 400 GiB (RDS refuses its own baseline back)', () => {
    // Arrange
    const staging = makeStagingConfig({
      config: { ...STAGING_CONFIG, AllocatedStorage: 100, Iops: 3000, StorageThroughput: 125 },
    });

    // Act
    const plan = restorePlan(staging, { ...SNAP, allocatedStorage: 100 }, 'dev-next-openverse-db', 'run-9');

    // Assert
    expect(plan.input).not.toHaveProperty('Iops');
    expect(plan.input).not.toHaveProperty('StorageThroughput');
    expect(plan.input.AllocatedStorage).toBe(100);
    expect(plan.adjustments).toStrictEqual({});
  });

  it('uses 200 GiB as the gp3 threshold for Oracle', () => {
    const staging = makeStagingConfig({
      config: { ...STAGING_CONFIG, AllocatedStorage: 300, Iops: 12000, StorageThroughput: 500 },
    });
    const plan = restorePlan(staging, { ...SNAP, engine: 'oracle-ee', allocatedStorage: 300 }, 'x', 'run-9');
    expect(plan.input).toMatchObject({ Iops: 12000, StorageThroughput: 500 });
  });

  it("restores at the snapshot's size when production grew past staging, and says so", () => {
    // Arrange: staging 100 GiB gp3 (baseline), production's snapshot 800 GiB
    const staging = makeStagingConfig({
      config: { ...STAGING_CONFIG, AllocatedStorage: 100, Iops: 3000, StorageThroughput: 125 },
    });

    // Act
    const plan = restorePlan(staging, { ...SNAP, allocatedStorage: 800 }, 'dev-next-openverse-db', 'run-9');

    // Assert
    expect(plan.input.AllocatedStorage).toBe(800);
    expect(plan.input).not.toHaveProperty('Iops');
    expect(plan.input).not.toHaveProperty('StorageThroughput');
    expect(Object.keys(plan.adjustments).sort()).toEqual(['AllocatedStorage', 'Iops', 'StorageThroughput']);
    expect(plan.adjustments.AllocatedStorage).toContain('800 GiB');
    expect(plan.adjustments.AllocatedStorage).toContain('staging had 100 GiB');
  });

  it('keeps io1 IOPS', () => {
    const staging = makeStagingConfig({ config: { ...STAGING_CONFIG, StorageType: 'io1', Iops: 5000 } });
    const { StorageThroughput: _t, ...config } = staging.config;
    void _t;
    const plan = restorePlan({ ...staging, config }, SNAP, 'x', 'run-9');
    expect(plan.input).toMatchObject({ StorageType: 'io1', Iops: 5000 });
  });
});

describe('captureSettings and settingsModification', () => {
  it('reads the settings a restore cannot set', () => {
    expect(captureSettings(makeDbInstance())).toStrictEqual(STAGING_SETTINGS);
  });

  it('modifies only what differs, with the role and backup window that RDS wants alongside', () => {
    // Arrange
    const wanted = {
      ...STAGING_SETTINGS,
      MonitoringInterval: 30,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring',
      MaxAllocatedStorage: 1000,
    };
    const restored = makeDbInstance({
      BackupRetentionPeriod: 0,
      DeletionProtection: false,
      PreferredBackupWindow: '07:00-07:30',
    });

    // Act
    const input = settingsModification(wanted, restored, 'dev-openverse-db');

    // Assert
    expect(input).toStrictEqual({
      DBInstanceIdentifier: 'dev-openverse-db',
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '07:00-07:30',
      MonitoringInterval: 30,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring',
      MaxAllocatedStorage: 1000,
      DeletionProtection: true,
      ApplyImmediately: true,
    });
  });

  it('is null when nothing differs', () => {
    expect(settingsModification(STAGING_SETTINGS, makeDbInstance(), 'dev-openverse-db')).toBeNull();
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
