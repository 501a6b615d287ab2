import type {
  DBInstance,
  ModifyDBInstanceCommandInput,
  RestoreDBInstanceFromDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { CREATED_BY_TAG } from './contract/rds';
import {
  type AfterSwapSettings,
  afterSwapSettingsSchema,
  type RestorableConfig,
  restorableConfigSchema,
  type StagingConfig,
  type Tag,
} from './contract/state';

/**
 * Staging's configuration as RestoreDBInstanceFromDBSnapshot wants it (plan step 4), read from a
 * DescribeDBInstances result. Throws when RDS omits something we must copy, naming the field.
 */
export function captureConfig(db: DBInstance): RestorableConfig {
  return parseOrThrow(db, restorableConfigSchema, readConfig(db));
}

/** Staging's settings that only ModifyDBInstance can give the new instance, read from DescribeDBInstances. */
export function captureSettings(db: DBInstance): AfterSwapSettings {
  return parseOrThrow(db, afterSwapSettingsSchema, readSettings(db));
}

function parseOrThrow<T>(
  db: DBInstance,
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: object,
): T {
  const parsed = schema.safeParse(stripUndefined(value));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `DescribeDBInstances for ${db.DBInstanceIdentifier} lacks a usable ${issue.path.map(String).join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Staging's tags minus AWS-reserved ones and ours, which we set ourselves. */
export function userTags(tags: readonly { Key?: string; Value?: string }[] | undefined): Tag[] {
  return (tags ?? [])
    .filter((t): t is Tag => isString(t.Key) && isString(t.Value))
    .filter((t) => !t.Key.startsWith('aws:') && t.Key !== CREATED_BY_TAG)
    .map(({ Key, Value }) => ({ Key, Value }));
}

/** What the restore needs to know of the snapshot: RDS's storage rules depend on it. */
export interface SnapshotStorage {
  identifier: string;
  engine: string | null;
  allocatedStorage: number | null;
  kmsKeyId?: string | null;
}

/** The restore request, and every way it departs from staging's captured configuration (attribute → why). */
export interface RestorePlan {
  input: RestoreDBInstanceFromDBSnapshotCommandInput;
  adjustments: Record<string, string>;
}

/**
 * gp3 storage below this size has a fixed baseline (3,000 IOPS, 125 MiB/s) and RDS refuses `Iops` or
 * `StorageThroughput` in a request (docs/aws-facts.md). Engines not listed: treated like PostgreSQL.
 */
export const GP3_BASELINE_BELOW_GIB: Readonly<Record<string, number>> = {
  postgres: 400,
  mysql: 400,
  mariadb: 400,
  db2: 400,
  oracle: 200,
  sqlserver: 20,
};

export function gp3Threshold(engine: string | null): number {
  const family = (engine ?? 'postgres').split('-')[0]!;
  return GP3_BASELINE_BELOW_GIB[family] ?? 400;
}

/**
 * The restore request: staging's configuration and tags, plus ours, no backups and no deletion protection (both
 * set after the swap), and storage as RDS will take it. RDS refuses a size below the snapshot's, and IOPS or
 * throughput for gp3 below the engine's threshold; both are resolved here and named in `adjustments`, so the
 * report says why staging's storage changed instead of the restore failing every month.
 */
export function restorePlan(
  staging: StagingConfig,
  snapshot: SnapshotStorage,
  target: string,
  executionName: string,
): RestorePlan {
  const { Iops, StorageThroughput, AllocatedStorage, ...rest } = staging.config;
  const adjustments: Record<string, string> = {};
  let size = AllocatedStorage;
  if (snapshot.allocatedStorage !== null && snapshot.allocatedStorage > size) {
    adjustments.AllocatedStorage =
      `production's snapshot ${snapshot.identifier} holds ${snapshot.allocatedStorage} GiB and RDS restores no ` +
      `smaller than the snapshot; staging had ${size} GiB`;
    size = snapshot.allocatedStorage;
  }
  const storage: Pick<RestoreDBInstanceFromDBSnapshotCommandInput, 'Iops' | 'StorageThroughput'> = {};
  if (rest.StorageType === 'gp3') {
    const threshold = gp3Threshold(snapshot.engine);
    if (size >= threshold) {
      if (AllocatedStorage < threshold) {
        // Staging reported its small-volume baseline; at this size RDS's own baseline is higher, so leave both to it.
        if (Iops !== undefined) adjustments.Iops = `gp3 at ${size} GiB takes RDS's baseline, not staging's ${Iops}`;
        if (StorageThroughput !== undefined) {
          adjustments.StorageThroughput = `gp3 at ${size} GiB takes RDS's baseline, not staging's ${StorageThroughput}`;
        }
      } else {
        if (Iops !== undefined) storage.Iops = Iops;
        if (StorageThroughput !== undefined) storage.StorageThroughput = StorageThroughput;
      }
    }
    // Below the threshold the baseline is fixed: RDS reports it and refuses it back, so neither is sent.
  } else if (rest.StorageType === 'io1' || rest.StorageType === 'io2') {
    if (Iops !== undefined) storage.Iops = Iops;
  }
  return {
    input: {
      ...rest,
      AllocatedStorage: size,
      ...storage,
      DBSnapshotIdentifier: snapshot.identifier,
      DBInstanceIdentifier: target,
      // With retention > 0 RDS takes a baseline backup right after a restore and the instance sits in
      // `backing-up` for hours, refusing modifications. Backups are turned on after the swap.
      BackupRetentionPeriod: 0,
      // Off on the copy whatever staging has, so a failed run can always delete it; set after the swap.
      DeletionProtection: false,
      // Given tags replace the snapshot's (production's) tags, which RDS would copy otherwise.
      Tags: [...staging.tags, { Key: CREATED_BY_TAG, Value: executionName }],
    },
    adjustments,
  };
}

/**
 * The ModifyDBInstance that gives the new staging staging's own settings: only what differs from the instance as
 * it is, applied at once. Null when nothing differs.
 */
export function settingsModification(
  wanted: AfterSwapSettings,
  now: DBInstance,
  identifier: string,
): ModifyDBInstanceCommandInput | null {
  const current = readSettings(now);
  const changes: Partial<AfterSwapSettings> = {};
  for (const key of Object.keys(wanted) as (keyof AfterSwapSettings)[]) {
    if (!sameValue(wanted[key], current[key])) (changes as Record<string, unknown>)[key] = wanted[key];
  }
  if (Object.keys(changes).length === 0) return null;
  // RDS wants the role with any interval above 0, and Performance Insights' options with the switch.
  if (changes.MonitoringInterval !== undefined || changes.MonitoringRoleArn !== undefined) {
    changes.MonitoringInterval = wanted.MonitoringInterval;
    if (wanted.MonitoringRoleArn !== undefined) changes.MonitoringRoleArn = wanted.MonitoringRoleArn;
  }
  if (wanted.EnablePerformanceInsights && Object.keys(changes).some((k) => k.startsWith('PerformanceInsights'))) {
    changes.EnablePerformanceInsights = true;
  }
  if (changes.PreferredBackupWindow !== undefined || changes.BackupRetentionPeriod !== undefined) {
    changes.BackupRetentionPeriod = wanted.BackupRetentionPeriod;
    if (wanted.PreferredBackupWindow !== undefined) changes.PreferredBackupWindow = wanted.PreferredBackupWindow;
  }
  const { DatabaseInsightsMode, ...rest } = stripUndefined(changes);
  return {
    DBInstanceIdentifier: identifier,
    ...rest,
    // The contract keeps it a string: a mode the SDK does not know yet is still sent as RDS reported it.
    ...(DatabaseInsightsMode !== undefined ? { DatabaseInsightsMode: DatabaseInsightsMode as ModifyMode } : {}),
    ApplyImmediately: true,
  };
}

type ModifyMode = NonNullable<ModifyDBInstanceCommandInput['DatabaseInsightsMode']>;

export interface ConfigMismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares a restored instance with the captured configuration; every mismatch, not just the first. Attributes
 * the restore adjusted on purpose (`adjusted`: restore plan's adjustments) are not expected to match.
 */
export function compareConfig(
  expected: StagingConfig,
  actual: DBInstance,
  adjusted: Record<string, string> = {},
): ConfigMismatch[] {
  const actualConfig = readConfig(actual);
  const mismatches: ConfigMismatch[] = [];
  for (const [field, want] of Object.entries(expected.config)) {
    if (field in adjusted) continue;
    const got = actualConfig[field as keyof RestorableConfig];
    if (!sameValue(want, got)) mismatches.push({ field, expected: want, actual: got });
  }
  const actualTags = new Map((actual.TagList ?? []).map((t) => [t.Key, t.Value]));
  for (const tag of expected.tags) {
    if (actualTags.get(tag.Key) !== tag.Value) {
      mismatches.push({ field: `Tags.${tag.Key}`, expected: tag.Value, actual: actualTags.get(tag.Key) ?? null });
    }
  }
  return mismatches;
}

/** The restorable fields of an instance, as they are (undefined where RDS did not say). */
function readConfig(db: DBInstance): Partial<RestorableConfig> {
  return {
    DBInstanceClass: db.DBInstanceClass,
    MultiAZ: db.MultiAZ ?? false,
    // A single-AZ instance is pinned to its zone; a Multi-AZ one must not be given a zone.
    AvailabilityZone: db.MultiAZ ? undefined : db.AvailabilityZone,
    DBSubnetGroupName: db.DBSubnetGroup?.DBSubnetGroupName,
    VpcSecurityGroupIds: (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).filter(isString),
    PubliclyAccessible: db.PubliclyAccessible ?? false,
    AllocatedStorage: db.AllocatedStorage,
    StorageType: db.StorageType,
    Iops: db.Iops ?? undefined,
    StorageThroughput: db.StorageThroughput || undefined,
    DBParameterGroupName: db.DBParameterGroups?.[0]?.DBParameterGroupName,
    OptionGroupName: db.OptionGroupMemberships?.[0]?.OptionGroupName,
    CopyTagsToSnapshot: db.CopyTagsToSnapshot ?? false,
    Port: db.Endpoint?.Port ?? (db.DbInstancePort || undefined),
    AutoMinorVersionUpgrade: db.AutoMinorVersionUpgrade,
    EnableIAMDatabaseAuthentication: db.IAMDatabaseAuthenticationEnabled,
    EnableCloudwatchLogsExports: db.EnabledCloudwatchLogsExports?.length ? db.EnabledCloudwatchLogsExports : undefined,
    CACertificateIdentifier: db.CACertificateIdentifier,
    NetworkType: db.NetworkType,
    ProcessorFeatures: db.ProcessorFeatures?.length
      ? db.ProcessorFeatures.map((f) => ({ Name: f.Name ?? '', Value: f.Value ?? '' }))
      : undefined,
    EnableCustomerOwnedIp: db.CustomerOwnedIpEnabled || undefined,
    BackupTarget: db.BackupTarget,
    CustomIamInstanceProfile: db.CustomIamInstanceProfile,
    DedicatedLogVolume: db.DedicatedLogVolume || undefined,
    EngineLifecycleSupport: db.EngineLifecycleSupport,
    DBCapacityReservationIdentifier: db.DBCapacityReservationIdentifier,
  };
}

/** The after-swap settings of an instance, as they are. */
function readSettings(db: DBInstance): Partial<AfterSwapSettings> {
  const pi = db.PerformanceInsightsEnabled ?? false;
  const interval = db.MonitoringInterval ?? 0;
  return {
    BackupRetentionPeriod: db.BackupRetentionPeriod ?? 0,
    PreferredBackupWindow: db.PreferredBackupWindow,
    PreferredMaintenanceWindow: db.PreferredMaintenanceWindow,
    EnablePerformanceInsights: pi,
    PerformanceInsightsKMSKeyId: pi ? db.PerformanceInsightsKMSKeyId : undefined,
    PerformanceInsightsRetentionPeriod: pi ? db.PerformanceInsightsRetentionPeriod : undefined,
    DatabaseInsightsMode: db.DatabaseInsightsMode,
    MonitoringInterval: interval,
    MonitoringRoleArn: interval > 0 ? db.MonitoringRoleArn : undefined,
    // No ceiling, or one not above the allocated size, means storage autoscaling is off.
    MaxAllocatedStorage:
      db.MaxAllocatedStorage && db.MaxAllocatedStorage > (db.AllocatedStorage ?? 0)
        ? db.MaxAllocatedStorage
        : undefined,
    DeletionProtection: db.DeletionProtection ?? false,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  }
  return a === b;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}
