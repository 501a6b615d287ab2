import {
  AddTagsToResourceCommand,
  CreateDBSnapshotCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeDBClustersCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RDSServiceException,
  RebootDBInstanceCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { RdsSimulator, type DataPlane, type SimInstanceView } from '../../offline/rds';

const PROD = 'prod-openverse-db';
const PROD_TAGS = [
  { Key: 'environment', Value: 'production' },
  { Key: 'cost-center', Value: 'prod' },
];
const PROD_SNAPSHOT = 'rds:prod-openverse-db-2026-11-30-00-05';

/** Production instance + one automated snapshot of it; returns the simulator and a client. */
function arrangeProduction(options: ConstructorParameters<typeof RdsSimulator>[0] = {}): {
  sim: RdsSimulator;
  rds: RDSClient;
} {
  const sim = new RdsSimulator(options);
  sim.addInstance({
    identifier: PROD,
    tags: PROD_TAGS,
    dbInstanceClass: 'db.m5.xlarge',
    allocatedStorage: 3000,
    vpcSecurityGroupIds: ['sg-prod'],
    dbParameterGroupName: 'prod-openverse-pg18',
    deletionProtection: true,
    backupRetentionPeriod: 7,
  });
  sim.addSnapshot({
    identifier: PROD_SNAPSHOT,
    instanceIdentifier: PROD,
    createTime: new Date('2026-11-30T00:05:00Z'),
  });
  return { sim, rds: sim.client() };
}

async function describe1(rds: RDSClient, id: string): Promise<DBInstance> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const first = out.DBInstances?.[0];
  if (!first) throw new Error(`no instance in answer for ${id}`);
  return first;
}

async function statusOf(rds: RDSClient, id: string): Promise<string> {
  try {
    return (await describe1(rds, id)).DBInstanceStatus ?? 'undefined';
  } catch (err) {
    if (err instanceof DBInstanceNotFoundFault) return 'not-found';
    throw err;
  }
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

function restoreStaging(extra: Partial<ConstructorParameters<typeof RestoreDBInstanceFromDBSnapshotCommand>[0]> = {}) {
  return new RestoreDBInstanceFromDBSnapshotCommand({
    DBInstanceIdentifier: 'staging-openverse-db-next',
    DBSnapshotIdentifier: PROD_SNAPSHOT,
    ...extra,
  });
}

describe('DescribeDBInstances', () => {
  it('returns the real SDK shape with a lowercase identifier, ARN, resource id and endpoint', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'Staging-Openverse-DB', tags: [{ Key: 'environment', Value: 'staging' }] });
    const rds = sim.client();

    const db = await describe1(rds, 'STAGING-openverse-db');

    expect(db.DBInstanceIdentifier).toBe('staging-openverse-db');
    expect(db.DBInstanceStatus).toBe('available');
    expect(db.DbiResourceId).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(db.DBInstanceArn).toBe('arn:aws:rds:us-east-1:123456789012:db:staging-openverse-db');
    expect(db.Endpoint).toEqual({
      Address: 'staging-openverse-db.c0sim0000000.us-east-1.rds.amazonaws.com',
      Port: 5432,
      HostedZoneId: expect.any(String),
    });
    expect(db.VpcSecurityGroups).toEqual([{ VpcSecurityGroupId: 'sg-default', Status: 'active' }]);
    expect(db.DBParameterGroups).toEqual([
      { DBParameterGroupName: 'default.postgres18', ParameterApplyStatus: 'in-sync' },
    ]);
    expect(db.DBSubnetGroup).toMatchObject({ DBSubnetGroupName: 'default-vpc-subnets', VpcId: 'vpc-0default' });
    expect(db.AvailabilityZone).toBe('us-east-1a');
    expect(db.PendingModifiedValues).toEqual({});
    expect(db.TagList).toEqual([{ Key: 'environment', Value: 'staging' }]);
    expect(db.InstanceCreateTime).toEqual(new Date('2026-12-01T00:00:00Z'));
  });

  it('omits the endpoint while creating and AvailabilityZone when Multi-AZ', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'new-db', status: 'creating' });
    sim.addInstance({ identifier: 'multi-db', multiAZ: true });
    const rds = sim.client();

    const creating = await describe1(rds, 'new-db');
    const multi = await describe1(rds, 'multi-db');

    expect(creating.DBInstanceStatus).toBe('creating');
    expect(creating.Endpoint).toBeUndefined();
    expect(multi.AvailabilityZone).toBeUndefined();
    expect(multi.SecondaryAvailabilityZone).toBe('us-east-1b');
  });

  it('throws the SDK DBInstanceNotFoundFault for an unknown identifier', async () => {
    const sim = new RdsSimulator();
    const rds = sim.client();

    const err = await errorOf(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })));

    expect(err).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(err.name).toBe('DBInstanceNotFoundFault');
    expect(err.message).toBe('DBInstance nope not found.');
  });

  it('filters by db-instance-id without failing when nothing matches', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'a-db' });
    sim.addInstance({ identifier: 'b-db' });
    const rds = sim.client();

    const some = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['B-DB', 'missing'] }] }),
    );
    const none = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['x'] }] }),
    );

    expect(some.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual(['b-db']);
    expect(none.DBInstances).toEqual([]);
  });

  it('pages with Marker and rejects MaxRecords outside 20-100', async () => {
    const sim = new RdsSimulator();
    for (let i = 0; i < 25; i++) sim.addInstance({ identifier: `db-${i}` });
    const rds = sim.client();

    const first = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    const second = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: first.Marker }));
    const err = await errorOf(rds.send(new DescribeDBInstancesCommand({ MaxRecords: 101 })));

    expect(first.DBInstances).toHaveLength(20);
    expect(first.Marker).toEqual(expect.any(String));
    expect(second.DBInstances).toHaveLength(5);
    expect(second.Marker).toBeUndefined();
    expect(err).toBeInstanceOf(RDSServiceException);
    expect(err.name).toBe('InvalidParameterValue');
  });

  it('lists tags by DB ARN', async () => {
    const { rds } = arrangeProduction();

    const out = await rds.send(
      new ListTagsForResourceCommand({ ResourceName: `arn:aws:rds:us-east-1:123456789012:db:${PROD}` }),
    );

    expect(out.TagList).toEqual(PROD_TAGS);
  });

  it('rejects unsupported commands with an error naming the command', async () => {
    const sim = new RdsSimulator();
    const rds = sim.client();

    const err = await errorOf(rds.send(new DescribeDBClustersCommand({})));

    expect(err.message).toContain('DescribeDBClusters');
  });
});

describe('RestoreDBInstanceFromDBSnapshot', () => {
  it('applies RDS defaults: default security group, default parameter group, production tags copied', async () => {
    const { sim, rds } = arrangeProduction();

    const out = await rds.send(restoreStaging());

    expect(out.DBInstance?.DBInstanceStatus).toBe('creating');
    expect(out.DBInstance?.Endpoint).toBeUndefined();
    const staging = sim.instance('staging-openverse-db-next');
    expect(staging?.vpcSecurityGroupIds).toEqual(['sg-default']);
    expect(staging?.dbParameterGroupName).toBe('default.postgres18');
    expect(staging?.optionGroupName).toBe('default:postgres-18');
    expect(staging?.deletionProtection).toBe(false);
    expect(staging?.tags).toEqual(PROD_TAGS);
    expect(staging?.dbInstanceClass).toBe('db.m5.xlarge');
    expect(staging?.allocatedStorage).toBe(3000);
    expect(staging?.backupRetentionPeriod).toBe(7);
    expect(staging?.dbSubnetGroupName).toBe('default');
  });

  it('uses the given tags, groups and sizes', async () => {
    const { sim, rds } = arrangeProduction();

    await rds.send(
      restoreStaging({
        Tags: [{ Key: 'environment', Value: 'staging' }],
        VpcSecurityGroupIds: ['sg-staging'],
        DBParameterGroupName: 'staging-pg18',
        DBSubnetGroupName: 'default-vpc-subnets',
        DBInstanceClass: 'db.t4g.large',
        StorageType: 'gp3',
        BackupRetentionPeriod: 0,
        DeletionProtection: true,
      }),
    );

    const staging = sim.instance('staging-openverse-db-next');
    expect(staging?.tags).toEqual([{ Key: 'environment', Value: 'staging' }]);
    expect(staging?.vpcSecurityGroupIds).toEqual(['sg-staging']);
    expect(staging?.dbParameterGroupName).toBe('staging-pg18');
    expect(staging?.dbInstanceClass).toBe('db.t4g.large');
    expect(staging?.storageType).toBe('gp3');
    expect(staging?.iops).toBe(12000);
    expect(staging?.backupRetentionPeriod).toBe(0);
    expect(staging?.deletionProtection).toBe(true);
  });

  it.each([
    ['gp3 IOPS below 400 GiB', { allocatedStorage: 100 }, { StorageType: 'gp3', AllocatedStorage: 100, Iops: 3000 }],
    [
      'gp3 throughput below 400 GiB',
      { allocatedStorage: 100 },
      { StorageType: 'gp3', AllocatedStorage: 100, StorageThroughput: 125 },
    ],
    ['gp3 IOPS under the 12000 baseline at 400 GiB', { allocatedStorage: 400 }, { StorageType: 'gp3', Iops: 3000 }],
    ['io1 IOPS over 50 per GiB', { allocatedStorage: 100 }, { StorageType: 'io1', Iops: 6000 }],
    ['io1 IOPS under 0.5 per GiB', { allocatedStorage: 1000 }, { StorageType: 'io1', Iops: 400 }],
  ])('refuses %s with InvalidParameterCombination, as RDS does', async (_what, production, request) => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: PROD, ...production });
    sim.addSnapshot({ identifier: PROD_SNAPSHOT, instanceIdentifier: PROD });

    const err = await errorOf(sim.client().send(restoreStaging(request)));

    expect(err.name).toBe('InvalidParameterCombination');
    expect(sim.instance('staging-openverse-db-next')).toBeUndefined();
  });

  it('gives a restore its own RDS-chosen windows and none of the settings restore cannot set', async () => {
    const { sim, rds } = arrangeProduction();
    sim.addInstance({ identifier: 'staging-openverse-db', preferredBackupWindow: '04:10-04:40' });

    await rds.send(restoreStaging({ BackupRetentionPeriod: 0 }));
    const staging = sim.instance('staging-openverse-db')!;
    const copy = sim.instance('staging-openverse-db-next')!;

    expect(copy.preferredBackupWindow).toMatch(/^\d\d:\d\d-\d\d:\d\d$/);
    expect(copy.preferredBackupWindow).not.toBe(staging.preferredBackupWindow);
    expect(copy.preferredMaintenanceWindow).not.toBe(staging.preferredMaintenanceWindow);
    expect(copy).toMatchObject({ performanceInsightsEnabled: false, monitoringInterval: 0, deletionProtection: false });
    expect(copy.maxAllocatedStorage).toBeUndefined();
  });

  it('restores an encrypted snapshot under its own key', async () => {
    const sim = new RdsSimulator();
    const key = 'arn:aws:kms:us-east-1:123456789012:key/prod-key';
    sim.addInstance({ identifier: PROD, storageEncrypted: true, kmsKeyId: key });
    sim.addSnapshot({ identifier: PROD_SNAPSHOT, instanceIdentifier: PROD });
    const rds = sim.client();

    const out = await rds.send(restoreStaging());

    expect(out.DBInstance?.StorageEncrypted).toBe(true);
    expect(out.DBInstance?.KmsKeyId).toBe(key);
  });

  it('goes creating → backing-up → available when backups are retained', async () => {
    const { sim, rds } = arrangeProduction();
    await rds.send(restoreStaging());
    const id = 'staging-openverse-db-next';

    const seen: string[] = [await statusOf(rds, id)];
    sim.advance(1199);
    seen.push(await statusOf(rds, id));
    sim.advance(1);
    seen.push(await statusOf(rds, id));
    sim.advance(7199);
    seen.push(await statusOf(rds, id));
    sim.advance(1);
    seen.push(await statusOf(rds, id));

    expect(seen).toEqual(['creating', 'creating', 'backing-up', 'backing-up', 'available']);
    expect((await describe1(rds, id)).Endpoint?.Address).toBe(`${id}.c0sim0000000.us-east-1.rds.amazonaws.com`);
  });

  it('goes creating → available with BackupRetentionPeriod 0', async () => {
    const { sim, rds } = arrangeProduction();
    await rds.send(restoreStaging({ BackupRetentionPeriod: 0 }));

    sim.advance(1200);

    expect(await statusOf(rds, 'staging-openverse-db-next')).toBe('available');
  });

  it('validates the snapshot, the snapshot state and the target name', async () => {
    const { sim, rds } = arrangeProduction();
    sim.addSnapshot({
      identifier: 'rds:prod-openverse-db-2026-12-01-00-05',
      instanceIdentifier: PROD,
      status: 'creating',
    });

    const missing = await errorOf(rds.send(restoreStaging({ DBSnapshotIdentifier: 'rds:nope' })));
    const creating = await errorOf(
      rds.send(restoreStaging({ DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-12-01-00-05' })),
    );
    const taken = await errorOf(rds.send(restoreStaging({ DBInstanceIdentifier: PROD.toUpperCase() })));
    const invalid = await errorOf(rds.send(restoreStaging({ DBInstanceIdentifier: 'bad--name' })));

    expect(missing).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(creating).toBeInstanceOf(InvalidDBSnapshotStateFault);
    expect(taken).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(invalid.name).toBe('InvalidParameterValue');
    expect(sim.instances()).toHaveLength(1);
  });

  it('accepts the snapshot ARN', async () => {
    const { rds } = arrangeProduction();

    const out = await rds.send(
      restoreStaging({ DBSnapshotIdentifier: `arn:aws:rds:us-east-1:123456789012:snapshot:${PROD_SNAPSHOT}` }),
    );

    expect(out.DBInstance?.DBInstanceIdentifier).toBe('staging-openverse-db-next');
  });
});

describe('ModifyDBInstance rename', () => {
  function arrangeRename(): { sim: RdsSimulator; rds: RDSClient; resourceId: string } {
    const sim = new RdsSimulator();
    const seeded = sim.addInstance({ identifier: 'staging-openverse-db' });
    return { sim, rds: sim.client(), resourceId: seeded.resourceId };
  }
  const rename = (from: string, to: string, applyImmediately = true) =>
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: from,
      NewDBInstanceIdentifier: to,
      ApplyImmediately: applyImmediately,
    });

  it('follows the observed race timeline, step by step', async () => {
    const { sim, rds, resourceId } = arrangeRename();
    const OLD = 'staging-openverse-db';
    const NEW = 'staging-openverse-db-old';

    const out = await rds.send(rename(OLD, NEW));
    const timeline: Array<[number, string, string]> = [];
    const look = async (t: number) => timeline.push([t, await statusOf(rds, OLD), await statusOf(rds, NEW)]);
    await look(0);
    sim.advance(14);
    await look(14);
    sim.advance(6);
    await look(20);
    sim.advance(24);
    await look(44);
    sim.advance(1);
    await look(45);
    sim.advance(60);
    await look(105);
    sim.advance(20);
    await look(125);
    sim.advance(60);
    await look(185);

    expect(out.DBInstance?.DBInstanceIdentifier).toBe(OLD);
    expect(out.DBInstance?.DBInstanceStatus).toBe('available');
    expect(out.DBInstance?.PendingModifiedValues?.DBInstanceIdentifier).toBe(NEW);
    expect(timeline).toEqual([
      [0, 'available', 'not-found'],
      [14, 'available', 'not-found'],
      [20, 'not-found', 'not-found'],
      [44, 'not-found', 'not-found'],
      [45, 'not-found', 'renaming'],
      [105, 'not-found', 'available'],
      [125, 'not-found', 'rebooting'],
      [185, 'not-found', 'available'],
    ]);
    const after = await describe1(rds, NEW);
    expect(after.DbiResourceId).toBe(resourceId);
    expect(after.DBInstanceArn).toBe(`arn:aws:rds:us-east-1:123456789012:db:${NEW}`);
    expect(after.Endpoint?.Address).toBe(`${NEW}.c0sim0000000.us-east-1.rds.amazonaws.com`);
    expect(after.PendingModifiedValues).toEqual({});
  });

  it('reserves both names while hidden and frees the old one once the new name appears', async () => {
    const { sim, rds } = arrangeRename();
    sim.addSnapshot({ identifier: 'rds:snap', instanceIdentifier: 'staging-openverse-db' });
    await rds.send(rename('staging-openverse-db', 'staging-openverse-db-old'));
    sim.advance(20);

    const onOld = await errorOf(
      rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: 'staging-openverse-db',
          DBSnapshotIdentifier: 'rds:snap',
        }),
      ),
    );
    const onNew = await errorOf(
      rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: 'staging-openverse-db-old',
          DBSnapshotIdentifier: 'rds:snap',
        }),
      ),
    );
    sim.advance(25);
    const afterSwap = await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'staging-openverse-db',
        DBSnapshotIdentifier: 'rds:snap',
      }),
    );

    expect(onOld).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(onNew).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(afterSwap.DBInstance?.DBInstanceStatus).toBe('creating');
    expect(sim.instances().map((i) => [i.identifier, i.status])).toEqual([
      ['staging-openverse-db-old', 'renaming'],
      ['staging-openverse-db', 'creating'],
    ]);
  });

  it('refuses to rename onto a held or reserved name', async () => {
    const { sim, rds } = arrangeRename();
    sim.addInstance({ identifier: 'held-db' });
    sim.addInstance({ identifier: 'other-db' });
    await rds.send(rename('other-db', 'reserved-db'));

    const held = await errorOf(rds.send(rename('staging-openverse-db', 'HELD-DB')));
    const reserved = await errorOf(rds.send(rename('staging-openverse-db', 'reserved-db')));

    expect(held).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(reserved).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(sim.instance('staging-openverse-db')?.pendingIdentifier).toBeUndefined();
  });

  it('refuses to rename an instance that is not available', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'busy-db', status: 'backing-up' });
    const rds = sim.client();

    const err = await errorOf(rds.send(rename('busy-db', 'other-name')));

    expect(err).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(err.name).toBe('InvalidDBInstanceStateFault');
  });

  it('refuses to modify during the deceptive first available after a rename', async () => {
    const { sim, rds } = arrangeRename();
    await rds.send(rename('staging-openverse-db', 'new-name'));
    sim.advance(15 + 30 + 60 + 1);

    const err = await errorOf(
      rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'new-name', MasterUserPassword: 'x'.repeat(16) })),
    );

    expect(await statusOf(rds, 'new-name')).toBe('available');
    expect(err).toBeInstanceOf(InvalidDBInstanceStateFault);
  });

  it('does not rename without ApplyImmediately, only records it as pending', async () => {
    const { sim, rds } = arrangeRename();

    const out = await rds.send(rename('staging-openverse-db', 'later-name', false));
    sim.advance(3600);

    const db = await describe1(rds, 'staging-openverse-db');
    expect(out.DBInstance?.PendingModifiedValues?.DBInstanceIdentifier).toBe('later-name');
    expect(db.DBInstanceStatus).toBe('available');
    expect(db.PendingModifiedValues?.DBInstanceIdentifier).toBe('later-name');
    expect(await statusOf(rds, 'later-name')).toBe('not-found');
  });
});

describe('ModifyDBInstance other changes', () => {
  it('applies DeletionProtection at once, others after modifying, and never logs the password', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db', deletionProtection: true, backupRetentionPeriod: 0 });
    const rds = sim.client();
    const secret = 'super-secret-password-123';

    const out = await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'staging-db',
        DeletionProtection: false,
        MasterUserPassword: secret,
        BackupRetentionPeriod: 7,
        ApplyImmediately: true,
      }),
    );
    const during = sim.instance('staging-db');
    sim.advance(60);
    const after = sim.instance('staging-db');

    expect(out.DBInstance?.DBInstanceStatus).toBe('modifying');
    expect(out.DBInstance?.DeletionProtection).toBe(false);
    expect(out.DBInstance?.PendingModifiedValues).toMatchObject({
      MasterUserPassword: '****',
      BackupRetentionPeriod: 7,
    });
    expect(during?.backupRetentionPeriod).toBe(0);
    // Backups turned on: the first one is taken at once.
    expect(after?.status).toBe('backing-up');
    expect(after?.backupRetentionPeriod).toBe(7);
    expect(after?.masterUserPasswordChanges).toBe(1);
    expect(sim.calls[0]?.input.MasterUserPassword).toBe('***REDACTED***');
    expect(JSON.stringify([sim.calls, sim.instances()])).not.toContain(secret);
  });

  it.each([
    [{ MonitoringInterval: 7 }, 'InvalidParameterValue', 'Invalid MonitoringInterval'],
    [{ MonitoringInterval: 15 }, 'InvalidParameterCombination', 'A MonitoringRoleARN value is required'],
    [{ MaxAllocatedStorage: 100 }, 'InvalidParameterCombination', 'Max storage size must be greater'],
    [{ PerformanceInsightsRetentionPeriod: 31 }, 'InvalidParameterCombination', 'require Performance Insights'],
    [{ PreferredBackupWindow: '4:10-4:40' }, 'InvalidParameterValue', 'Invalid PreferredBackupWindow'],
    [{ PreferredMaintenanceWindow: 'someday:06:00' }, 'InvalidParameterValue', 'Invalid PreferredMaintenanceWindow'],
  ])('refuses the settings RDS refuses: %j', async (change, name, message) => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db', allocatedStorage: 100 });

    const err = await errorOf(
      sim
        .client()
        .send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'staging-db', ApplyImmediately: true, ...change })),
    );

    expect(err).toMatchObject({ name });
    expect(err.message).toContain(message);
    expect(sim.instance('staging-db')?.status).toBe('available');
  });

  it('sets windows at once and the rest after modifying, as DescribeDBInstances then reports them', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db', allocatedStorage: 100 });
    const rds = sim.client();

    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'staging-db',
        PreferredBackupWindow: '04:10-04:40',
        PreferredMaintenanceWindow: 'sat:06:00-sat:06:30',
        EnablePerformanceInsights: true,
        PerformanceInsightsRetentionPeriod: 31,
        MonitoringInterval: 15,
        MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
        MaxAllocatedStorage: 500,
        ApplyImmediately: true,
      }),
    );
    sim.advance(60);
    const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'staging-db' })))
      .DBInstances![0]!;

    expect(db).toMatchObject({
      DBInstanceStatus: 'available',
      PreferredBackupWindow: '04:10-04:40',
      PreferredMaintenanceWindow: 'sat:06:00-sat:06:30',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 31,
      MonitoringInterval: 15,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      MaxAllocatedStorage: 500,
    });
  });

  it('throws DBInstanceNotFoundFault for an unknown instance', async () => {
    const sim = new RdsSimulator();
    const rds = sim.client();

    const err = await errorOf(
      rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'ghost', DeletionProtection: false })),
    );

    expect(err).toBeInstanceOf(DBInstanceNotFoundFault);
  });

  it('leaves parameter group changes pending-reboot until a reboot', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    const rds = sim.client();

    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'staging-db',
        DBParameterGroupName: 'staging-pg',
        ApplyImmediately: true,
      }),
    );
    sim.advance(60);
    const beforeReboot = (await describe1(rds, 'staging-db')).DBParameterGroups;
    await rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'staging-db' }));
    const rebooting = await statusOf(rds, 'staging-db');
    sim.advance(60);

    expect(beforeReboot).toEqual([{ DBParameterGroupName: 'staging-pg', ParameterApplyStatus: 'pending-reboot' }]);
    expect(rebooting).toBe('rebooting');
    expect((await describe1(rds, 'staging-db')).DBParameterGroups?.[0]?.ParameterApplyStatus).toBe('in-sync');
  });
});

describe('DeleteDBInstance', () => {
  it('refuses while deletion protection is on', async () => {
    const { rds } = arrangeProduction();

    const err = await errorOf(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: PROD, SkipFinalSnapshot: true })),
    );

    expect(err.name).toBe('InvalidParameterCombination');
    expect(err.message).toContain('deletion protection');
  });

  it('requires SkipFinalSnapshot or a FinalDBSnapshotIdentifier', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'old-db' });
    const rds = sim.client();

    const err = await errorOf(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'old-db' })));

    expect(err.name).toBe('InvalidParameterCombination');
    expect(sim.instance('old-db')?.status).toBe('available');
  });

  it('goes deleting → gone, refuses a second delete, and records the request', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'old-db' });
    const rds = sim.client();

    const out = await rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: 'old-db',
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: false,
      }),
    );
    const again = await errorOf(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'old-db', SkipFinalSnapshot: true })),
    );
    sim.advance(599);
    const before = await statusOf(rds, 'old-db');
    sim.advance(1);

    expect(out.DBInstance?.DBInstanceStatus).toBe('deleting');
    expect(again).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(before).toBe('deleting');
    expect(await statusOf(rds, 'old-db')).toBe('not-found');
    expect(sim.instances()).toEqual([]);
    expect(sim.deleted().map((d) => [d.identifier, d.deleteRequest?.deleteAutomatedBackups])).toEqual([
      ['old-db', false],
    ]);
  });

  it('refuses to delete an instance that is mid-operation', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'busy-db', status: 'modifying' });
    const rds = sim.client();

    const err = await errorOf(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'busy-db', SkipFinalSnapshot: true })),
    );

    expect(err).toBeInstanceOf(InvalidDBInstanceStateFault);
  });
});

describe('DescribeDBSnapshots', () => {
  function arrangeShuffledSnapshots(count: number): { sim: RdsSimulator; seeded: string[] } {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: PROD });
    const days = Array.from({ length: count }, (_, i) => i);
    // Deterministic shuffle (LCG) so that seed order is not time order.
    let x = 42;
    for (let i = days.length - 1; i > 0; i--) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const j = x % (i + 1);
      [days[i], days[j]] = [days[j] as number, days[i] as number];
    }
    const seeded: string[] = [];
    for (const day of days) {
      const at = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000);
      const id = `rds:${PROD}-${at.toISOString().slice(0, 10)}-00-05`;
      sim.addSnapshot({ identifier: id, instanceIdentifier: PROD, createTime: at });
      seeded.push(id);
    }
    return { sim, seeded };
  }

  async function listAll(sim: RdsSimulator): Promise<DBSnapshot[][]> {
    const rds = sim.client();
    const pages: DBSnapshot[][] = [];
    let marker: string | undefined;
    do {
      const out = await rds.send(
        new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: PROD, MaxRecords: 20, Marker: marker }),
      );
      pages.push(out.DBSnapshots ?? []);
      marker = out.Marker;
    } while (marker);
    return pages;
  }

  it('pages 150 snapshots in 8 pages of at most 20, each once, in neither seed, time nor name order', async () => {
    const { sim, seeded } = arrangeShuffledSnapshots(150);

    const pages = await listAll(sim);

    const ids = pages.flat().map((s) => s.DBSnapshotIdentifier!);
    expect(pages).toHaveLength(8);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 20, 20, 20, 20, 20, 10]);
    expect([...ids].sort()).toEqual([...seeded].sort());
    expect(ids).not.toEqual(seeded);
    expect(ids).not.toEqual([...ids].sort());
    expect(ids).not.toEqual([...ids].sort().reverse());
    const times = pages.flat().map((s) => s.SnapshotCreateTime?.getTime() ?? 0);
    expect(times).not.toEqual([...times].sort((a, b) => a - b));
    expect((await listAll(sim)).flat().map((s) => s.DBSnapshotIdentifier)).toEqual(ids);
  });

  it('lists snapshots in another order with another snapshotOrderSeed, so ties are not ordered by the API', async () => {
    const orders = new Set<string>();
    for (const seed of [0, 1, 2, 3]) {
      const sim = new RdsSimulator({ snapshotOrderSeed: seed });
      sim.addInstance({ identifier: PROD });
      const at = new Date('2026-11-30T00:05:00Z');
      for (const id of ['rds:a', 'rds:b', 'rds:c'])
        sim.addSnapshot({ identifier: id, instanceIdentifier: PROD, createTime: at });
      const out = await sim.client().send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: PROD }));
      orders.add((out.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier).join(','));
    }

    expect(orders.size).toBeGreaterThan(1);
  });

  it('gives no SnapshotCreateTime while a snapshot is creating, and its time once it is available', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: PROD });
    const at = new Date('2026-11-30T23:55:00Z');
    sim.addSnapshot({
      identifier: 'rds:new',
      instanceIdentifier: PROD,
      status: 'creating',
      createTime: at,
      becomes: { status: 'available', afterSeconds: 300 },
    });
    const rds = sim.client();
    const describe = async () =>
      (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'rds:new' }))).DBSnapshots![0]!;

    const creating = await describe();
    sim.advance(300);
    const available = await describe();

    expect(creating.Status).toBe('creating');
    expect(creating).not.toHaveProperty('SnapshotCreateTime');
    expect(available).toMatchObject({ Status: 'available', SnapshotCreateTime: at });
  });

  it('rejects MaxRecords 10', async () => {
    const { sim } = arrangeShuffledSnapshots(3);
    const rds = sim.client();

    const err = await errorOf(rds.send(new DescribeDBSnapshotsCommand({ MaxRecords: 10 })));

    expect(err.name).toBe('InvalidParameterValue');
  });

  it('filters by SnapshotType and returns the SDK shape', async () => {
    const { sim } = arrangeProduction();
    sim.addSnapshot({ identifier: 'manual-before-upgrade', instanceIdentifier: PROD });
    const rds = sim.client();

    const automated = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'automated' }));
    const manual = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));

    expect(automated.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([PROD_SNAPSHOT]);
    expect(manual.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(['manual-before-upgrade']);
    expect(automated.DBSnapshots?.[0]).toMatchObject({
      DBSnapshotArn: `arn:aws:rds:us-east-1:123456789012:snapshot:${PROD_SNAPSHOT}`,
      DBInstanceIdentifier: PROD,
      Status: 'available',
      SnapshotType: 'automated',
      Engine: 'postgres',
      EngineVersion: '18.1',
      AllocatedStorage: 3000,
      Encrypted: false,
      PercentProgress: 100,
      SnapshotCreateTime: new Date('2026-11-30T00:05:00Z'),
      DbiResourceId: sim.instance(PROD)?.resourceId,
    });
  });

  it('throws DBSnapshotNotFoundFault for an unknown DBSnapshotIdentifier', async () => {
    const { rds } = arrangeProduction();

    const err = await errorOf(rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'rds:missing' })));

    expect(err).toBeInstanceOf(DBSnapshotNotFoundFault);
  });

  it('turns creating snapshots into available or failed via `becomes`', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: PROD });
    sim.addSnapshot({
      identifier: 'rds:ok',
      instanceIdentifier: PROD,
      status: 'creating',
      becomes: { status: 'available', afterSeconds: 300 },
    });
    sim.addSnapshot({
      identifier: 'rds:bad',
      instanceIdentifier: PROD,
      status: 'creating',
      becomes: { status: 'failed', afterSeconds: 600 },
    });
    const rds = sim.client();
    const statuses = async () =>
      ((await rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [])
        .sort((a, b) => (a.DBSnapshotIdentifier! < b.DBSnapshotIdentifier! ? 1 : -1))
        .map((s) => s.Status);

    const atStart = await statuses();
    sim.advance(300);
    const at300 = await statuses();
    sim.advance(300);

    expect(atStart).toEqual(['creating', 'creating']);
    expect(at300).toEqual(['available', 'creating']);
    expect(await statuses()).toEqual(['available', 'failed']);
  });

  it('creates a manual snapshot that becomes available', async () => {
    const { sim, rds } = arrangeProduction();

    const out = await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: PROD, DBSnapshotIdentifier: 'pre-restore' }),
    );
    sim.advance(300);

    expect(out.DBSnapshot?.Status).toBe('creating');
    expect(sim.snapshot('pre-restore')?.status).toBe('available');
  });
});

describe('status episodes (a backup, a maintenance update, someone else modifying)', () => {
  const rename = (from: string, to: string) =>
    new ModifyDBInstanceCommand({ DBInstanceIdentifier: from, NewDBInstanceIdentifier: to, ApplyImmediately: true });

  it('shows the status while it lasts, refuses a rename meanwhile, then is available and renames', async () => {
    // Arrange
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    const rds = sim.client();
    sim.scheduleStatusEpisode({ identifier: 'staging-db', status: 'backing-up', atSeconds: 60, forSeconds: 600 });

    // Act
    const before = await statusOf(rds, 'staging-db');
    sim.advance(60);
    const during = await statusOf(rds, 'staging-db');
    const refused = await errorOf(rds.send(rename('staging-db', 'staging-db-old')));
    const reboot = await errorOf(rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'staging-db' })));
    sim.advance(599);
    const stillDuring = await statusOf(rds, 'staging-db');
    sim.advance(1);
    const after = await statusOf(rds, 'staging-db');
    await rds.send(rename('staging-db', 'staging-db-old'));

    // Assert
    expect([before, during, stillDuring, after]).toEqual(['available', 'backing-up', 'backing-up', 'available']);
    expect(refused).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(refused.message).toContain('backing-up');
    expect(reboot).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(sim.instance('staging-db')?.pendingIdentifier).toBe('staging-db-old');
  });

  it('starts at once with atSeconds 0, and lasts for good with forSeconds Infinity', async () => {
    // Arrange
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    const rds = sim.client();

    // Act
    sim.scheduleStatusEpisode({ identifier: 'staging-db', status: 'stopped', atSeconds: 0, forSeconds: Infinity });
    const now = await statusOf(rds, 'staging-db');
    sim.advance(30 * 24 * 3600);

    // Assert
    expect(now).toBe('stopped');
    expect(await statusOf(rds, 'staging-db')).toBe('stopped');
  });

  it('never cuts an operation short: one due mid-rename starts once the instance is idle, under its new name', async () => {
    // Arrange
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    const rds = sim.client();
    await rds.send(rename('staging-db', 'staging-db-old'));

    // Act: due 20 s into the rename (185 s long), lasting 100 s.
    sim.scheduleStatusEpisode({ identifier: 'staging-db', status: 'modifying', atSeconds: 20, forSeconds: 100 });
    sim.advance(184);
    const renaming = await statusOf(rds, 'staging-db-old');
    sim.advance(1);
    const started = await statusOf(rds, 'staging-db-old');
    sim.advance(100);

    // Assert
    expect(renaming).toBe('rebooting');
    expect(started).toBe('modifying');
    expect(await statusOf(rds, 'staging-db-old')).toBe('available');
  });

  it('is dropped when its instance is deleted first, and refuses an instance that does not exist', async () => {
    // Arrange
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    const rds = sim.client();
    sim.scheduleStatusEpisode({ identifier: 'staging-db', status: 'backing-up', atSeconds: 3600, forSeconds: 60 });

    // Act
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'staging-db', SkipFinalSnapshot: true }));
    sim.advance(7200);

    // Assert
    expect(sim.instances()).toEqual([]);
    expect(() =>
      sim.scheduleStatusEpisode({ identifier: 'nothing-here', status: 'backing-up', atSeconds: 0, forSeconds: 1 }),
    ).toThrow('no instance nothing-here');
  });
});

describe('faults', () => {
  it('fails once with the injected SDK error, then succeeds', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    sim.injectFault({ command: 'ModifyDBInstance', error: 'InvalidDBInstanceStateFault' });
    const rds = sim.client();
    const modify = () =>
      rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'staging-db', DeletionProtection: true }));

    const err = await errorOf(modify());
    const afterFault = sim.instance('staging-db')?.deletionProtection;
    await modify();

    expect(err).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(afterFault).toBe(false);
    expect(sim.instance('staging-db')?.deletionProtection).toBe(true);
    expect(sim.calls.map((c) => c.error)).toEqual(['InvalidDBInstanceStateFault', undefined]);
  });

  it('applies the effect first with applyFirst, then throws (lost response)', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    sim.injectFault({
      command: 'ModifyDBInstance',
      when: (input) => input.NewDBInstanceIdentifier === 'staging-db-old',
      error: 'ThrottlingException',
      applyFirst: true,
    });
    const rds = sim.client();

    const err = await errorOf(
      rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: 'staging-db',
          NewDBInstanceIdentifier: 'staging-db-old',
          ApplyImmediately: true,
        }),
      ),
    );
    sim.advance(45);

    expect(err.name).toBe('ThrottlingException');
    expect(await statusOf(rds, 'staging-db-old')).toBe('renaming');
  });

  it('uses a generic Error carrying the name for unknown error names', async () => {
    const sim = new RdsSimulator();
    sim.injectFault({ command: 'DescribeDBInstances', error: 'SocketHangUp', times: 2 });
    const rds = sim.client();

    const first = await errorOf(rds.send(new DescribeDBInstancesCommand({})));
    const second = await errorOf(rds.send(new DescribeDBInstancesCommand({})));
    const third = await rds.send(new DescribeDBInstancesCommand({}));

    expect([first.name, second.name]).toEqual(['SocketHangUp', 'SocketHangUp']);
    expect(first).not.toBeInstanceOf(RDSServiceException);
    expect(third.DBInstances).toEqual([]);
  });

  it('ends a restore in incompatible-restore with a status fault', async () => {
    const { sim, rds } = arrangeProduction();
    sim.injectStatusFault({
      identifier: 'staging-openverse-db-next',
      operation: 'restore',
      status: 'incompatible-restore',
    });
    await rds.send(restoreStaging());

    sim.advance(1199);
    const before = await statusOf(rds, 'staging-openverse-db-next');
    sim.advance(1);
    const at = await statusOf(rds, 'staging-openverse-db-next');
    sim.advance(10_000);

    expect(before).toBe('creating');
    expect(at).toBe('incompatible-restore');
    expect(await statusOf(rds, 'staging-openverse-db-next')).toBe('incompatible-restore');
  });

  it('ends a rename in failed under the old name, releasing the reserved name', async () => {
    const sim = new RdsSimulator();
    sim.addInstance({ identifier: 'staging-db' });
    sim.injectStatusFault({ operation: 'rename', status: 'failed', afterSeconds: 20 });
    const rds = sim.client();

    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'staging-db',
        NewDBInstanceIdentifier: 'x-db',
        ApplyImmediately: true,
      }),
    );
    sim.advance(20);

    expect(await statusOf(rds, 'staging-db')).toBe('failed');
    expect(await statusOf(rds, 'x-db')).toBe('not-found');
    expect(sim.instance('staging-db')?.reservedNames).toEqual(['staging-db']);
  });
});

describe('calls log', () => {
  it('records every call in order with virtual time, errors and the mutating flag', async () => {
    const { sim, rds } = arrangeProduction();

    await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: PROD }));
    sim.advance(90);
    await rds.send(restoreStaging());
    await errorOf(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'ghost' })));
    await rds.send(
      new AddTagsToResourceCommand({
        ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:staging-openverse-db-next',
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    );

    expect(sim.calls.map((c) => [c.command, c.at.toISOString(), c.error, c.mutating])).toEqual([
      ['DescribeDBSnapshots', '2026-12-01T00:00:00.000Z', undefined, false],
      ['RestoreDBInstanceFromDBSnapshot', '2026-12-01T00:01:30.000Z', undefined, true],
      ['DescribeDBInstances', '2026-12-01T00:01:30.000Z', 'DBInstanceNotFoundFault', false],
      ['AddTagsToResource', '2026-12-01T00:01:30.000Z', undefined, true],
    ]);
    expect(sim.mutatingCalls().map((c) => c.command)).toEqual(['RestoreDBInstanceFromDBSnapshot', 'AddTagsToResource']);
    expect(sim.calls[1]?.input).toMatchObject({ DBInstanceIdentifier: 'staging-openverse-db-next' });
  });
});

describe('data plane hooks', () => {
  it('captures snapshot data, restores with it, uses the returned endpoint and drops on delete', async () => {
    const restored: Array<[unknown, string]> = [];
    const dropped: string[] = [];
    const dataPlane: DataPlane = {
      snapshotOf: async (instance: SimInstanceView) => ({ dumpOf: instance.identifier }),
      restore: async (data: unknown, instance: SimInstanceView) => {
        restored.push([data, instance.identifier]);
        return { address: '127.0.0.1', port: 54321 };
      },
      drop: async (instance: SimInstanceView) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        dropped.push(instance.identifier);
      },
    };
    const { sim, rds } = arrangeProduction({ dataPlane });
    await sim.settle();

    await rds.send(restoreStaging({ BackupRetentionPeriod: 0 }));
    sim.advance(1200);
    const endpoint = (await describe1(rds, 'staging-openverse-db-next')).Endpoint;
    await rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'staging-openverse-db-next', SkipFinalSnapshot: true }),
    );
    sim.advance(600);
    const droppedBeforeSettle = [...dropped];
    await sim.settle();

    expect(sim.snapshot(PROD_SNAPSHOT)?.data).toEqual({ dumpOf: PROD });
    expect(restored).toEqual([[{ dumpOf: PROD }, 'staging-openverse-db-next']]);
    expect(endpoint).toMatchObject({ Address: '127.0.0.1', Port: 54321 });
    expect(droppedBeforeSettle).toEqual([]);
    expect(dropped).toEqual(['staging-openverse-db-next']);
  });
});
