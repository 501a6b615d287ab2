import { DB_INSTANCE_ATTRIBUTES } from '../../../lambdas/shared/instance-attributes';
import { sqlStandIn } from '../../../offline/pg/sql-stand-in';
import type { SimInstanceAttributes, SimInstanceView } from '../../../offline/rds';
import { createWorld, IDS, type World } from '../../../offline/world';
import { DEFAULT_CONFIG } from '../../../lib/config';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * "After this DAG is run, the infrastructure should mirror what existed before": a staging configured with every
 * setting RDS has, each at a value that is not RDS's default, ends the run with the new staging equal to the old
 * on every attribute outside the identity class; the report names exactly what cannot be carried over.
 */
const STAGING_KEY = 'arn:aws:kms:us-east-1:123456789012:key/staging-own-key';
const PRODUCTION_KEY = 'arn:aws:kms:us-east-1:123456789012:key/production-key';

const MAXIMAL_STAGING: Partial<SimInstanceAttributes> = {
  dbInstanceClass: 'db.r6g.large',
  multiAZ: true,
  allocatedStorage: 200,
  storageType: 'gp3',
  dbSubnetGroupName: 'openverse-staging-db',
  publiclyAccessible: true,
  optionGroupName: 'openverse-staging-og',
  copyTagsToSnapshot: true,
  deletionProtection: true,
  backupRetentionPeriod: 14,
  preferredBackupWindow: '04:10-04:40',
  preferredMaintenanceWindow: 'sat:06:00-sat:06:30',
  port: 5433,
  enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
  caCertificateIdentifier: 'rds-ca-ecc384-g1',
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/staging-pi-key',
  performanceInsightsRetentionPeriod: 31,
  monitoringInterval: 15,
  monitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring-role',
  autoMinorVersionUpgrade: false,
  iamDatabaseAuthenticationEnabled: true,
  maxAllocatedStorage: 1000,
  networkType: 'DUAL',
  storageEncrypted: true,
  kmsKeyId: STAGING_KEY,
};

/** Every compared attribute of an instance as the simulator holds it (all but identity). */
function attributesOf(db: SimInstanceView): Record<string, unknown> {
  return {
    dbInstanceClass: db.dbInstanceClass,
    multiAZ: db.multiAZ,
    allocatedStorage: db.allocatedStorage,
    storageType: db.storageType,
    iops: db.iops,
    storageThroughput: db.storageThroughput,
    dbSubnetGroupName: db.dbSubnetGroupName,
    vpcSecurityGroupIds: [...db.vpcSecurityGroupIds].sort(),
    publiclyAccessible: db.publiclyAccessible,
    dbParameterGroupName: db.dbParameterGroupName,
    optionGroupName: db.optionGroupName,
    copyTagsToSnapshot: db.copyTagsToSnapshot,
    deletionProtection: db.deletionProtection,
    backupRetentionPeriod: db.backupRetentionPeriod,
    preferredBackupWindow: db.preferredBackupWindow,
    preferredMaintenanceWindow: db.preferredMaintenanceWindow,
    port: db.port,
    enabledCloudwatchLogsExports: [...db.enabledCloudwatchLogsExports].sort(),
    caCertificateIdentifier: db.caCertificateIdentifier,
    performanceInsightsEnabled: db.performanceInsightsEnabled,
    performanceInsightsKmsKeyId: db.performanceInsightsKmsKeyId,
    performanceInsightsRetentionPeriod: db.performanceInsightsRetentionPeriod,
    databaseInsightsMode: db.databaseInsightsMode,
    monitoringInterval: db.monitoringInterval,
    monitoringRoleArn: db.monitoringRoleArn,
    autoMinorVersionUpgrade: db.autoMinorVersionUpgrade,
    iamDatabaseAuthenticationEnabled: db.iamDatabaseAuthenticationEnabled,
    maxAllocatedStorage: db.maxAllocatedStorage,
    networkType: db.networkType,
    engine: db.engine,
    engineVersion: db.engineVersion,
    masterUsername: db.masterUsername,
    storageEncrypted: db.storageEncrypted,
    tags: db.tags.filter((t) => !t.Key?.startsWith('staging-db-restore:')),
  };
}

describe('workflow: staging after a run mirrors staging before it', () => {
  const { slack, run } = useServices();

  async function maximalWorld(data: boolean): Promise<World> {
    return createWorld({
      data,
      staging: MAXIMAL_STAGING,
      production: { allocatedStorage: 200, storageEncrypted: true, kmsKeyId: PRODUCTION_KEY },
    });
  }

  for (const [database, data] of [
    ['the stand-in database', false],
    ['real PostgreSQL', true],
  ] as const) {
    it(`a maximal staging on ${database}: every attribute kept but the key, which the report names`, async () => {
      // Arrange
      const world = await maximalWorld(data);
      const before = attributesOf(world.sim.instance(IDS.staging)!);

      // Act
      const result = await run(
        world,
        data ? {} : { connectDatabase: sqlStandIn(world.sim, DEFAULT_CONFIG.sanitize.truncateTables) },
      );

      // Assert: the run, every name, production
      expect(result.status).toBe('SUCCEEDED');
      const now = holders(world.sim);
      expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
      expect(now.staging?.status).toBe('backing-up');
      expect(now.temporary).toBeUndefined();
      expect(now.old).toBeUndefined();
      expectProductionUntouched(world);

      // The new staging equals the old on every attribute but the key (production's snapshot's)
      const after = attributesOf(world.sim.instance(IDS.staging)!);
      expect(after).toEqual(before);
      expect(world.sim.instance(IDS.staging)!.kmsKeyId).toBe(PRODUCTION_KEY);

      // The report names exactly the not-mirrorable attribute that differs, with the reason
      const success = slack.texts().at(-1)!;
      expect(kinds(slack).at(-1)).toBe('Staging database restore succeeded');
      expect(success).toContain("Staging's settings: re-applied");
      expect(success).toContain('1 not as before');
      expect(success).toContain(`\`KmsKeyId\`: was \`${STAGING_KEY}\`, now \`${PRODUCTION_KEY}\``);
      expect(success).toContain(DB_INSTANCE_ATTRIBUTES.KmsKeyId.why);
      const settings = (result.output as { afterSwap: { settings: { drift: { attribute: string }[] } } }).afterSwap
        .settings;
      expect(settings.drift.map((d) => d.attribute)).toEqual(['KmsKeyId']);
    });
  }

  it('production grown past staging: restored at the snapshot’s size, and the report says why', async () => {
    // Arrange: staging 100 GiB gp3 (its fixed baseline), production's snapshot 800 GiB
    const world = await createWorld({
      data: false,
      staging: { allocatedStorage: 100, storageType: 'gp3' },
      production: { allocatedStorage: 800 },
    });

    // Act
    const result = await run(world, { connectDatabase: sqlStandIn(world.sim, DEFAULT_CONFIG.sanitize.truncateTables) });

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    const now = holders(world.sim);
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expectProductionUntouched(world);
    const fresh = world.sim.instance(IDS.staging)!;
    expect(fresh).toMatchObject({ allocatedStorage: 800, storageType: 'gp3', iops: 12000, storageThroughput: 500 });
    const restoreCall = world.sim.mutatingCalls().find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restoreCall.input).toMatchObject({ AllocatedStorage: 800, StorageType: 'gp3' });
    expect(restoreCall.input).not.toHaveProperty('Iops');
    const success = slack.texts().at(-1)!;
    expect(success).toContain('3 not as before');
    expect(success).toContain('`AllocatedStorage`: was `100`, now `800`');
    expect(success).toContain('RDS restores no smaller than the snapshot');
  });

  it('a snapshot key the stack may not use: the restore fails naming the key and snapshotKmsKeyArn', async () => {
    // Arrange: production encrypted with a customer key this stack was never granted
    const world = await createWorld({
      data: false,
      production: { storageEncrypted: true, kmsKeyId: PRODUCTION_KEY },
      inaccessibleKmsKeys: [PRODUCTION_KEY],
    });

    // Act
    const result = await run(world, { connectDatabase: sqlStandIn(world.sim, DEFAULT_CONFIG.sanitize.truncateTables) });

    // Assert: failed before anything was created; staging untouched; the report says what to configure
    expect(result.status).toBe('FAILED');
    expectStagingUntouched(world);
    expectProductionUntouched(world);
    expect(world.sim.mutatingCalls().filter((c) => !c.error)).toEqual([]);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    const report = slack.texts()[0]!;
    expect(report).toContain(`encrypted with ${PRODUCTION_KEY}`);
    expect(report).toContain('no snapshotKmsKeyArn is configured');
    expect(report).toContain('Restore snapshot to temporary instance');
  });

  it('a staging with deletion protection: a copy gone terminal is still deleted by the rollback', async () => {
    // Arrange: the copy would have inherited the protection; it ends "incompatible-parameters"
    const world = await createWorld({ data: false, stagingDeletionProtection: true });
    world.sim.injectStatusFault({ operation: 'restore', identifier: IDS.temporary, status: 'incompatible-parameters' });

    // Act
    const result = await run(world, { connectDatabase: sqlStandIn(world.sim, DEFAULT_CONFIG.sanitize.truncateTables) });

    // Assert: restored without protection, deleted at once, staging as it was (protection included)
    expect(result.status).toBe('FAILED');
    const restoreCall = world.sim.mutatingCalls().find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restoreCall.input.DeletionProtection).toBe(false);
    expect(world.sim.mutatingCalls().filter((c) => c.command === 'ModifyDBInstance')).toEqual([]);
    expectStagingUntouched(world);
    expectProductionUntouched(world);
    expect(world.sim.instance(IDS.staging)!.deletionProtection).toBe(true);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    expect(slack.texts()[0]).toContain('incompatible-parameters');
  });

  it('a dry run lists, before anything happens, what will not be carried over', async () => {
    const world = await createWorld({
      data: false,
      staging: { ...MAXIMAL_STAGING, masterUserSecretKmsKeyId: 'alias/aws/secretsmanager' },
    });

    const result = await run(world, { input: { dryRun: true } });

    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.mutatingCalls()).toEqual([]);
    const plan = slack.texts().at(-1)!;
    expect(plan).toContain('Not carried over: `KmsKeyId`');
    expect(plan).toContain('Not carried over: `MasterUserSecret`');
    expect(plan).toContain("After the swap, give it staging's own settings: BackupRetentionPeriod 14");
  });
});
