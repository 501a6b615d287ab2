import type { DBInstance, RestoreDBInstanceFromDBSnapshotCommandInput } from '@aws-sdk/client-rds';
import { CREATED_BY_TAG } from './contract/rds';
import { type RestorableConfig, restorableConfigSchema, type StagingConfig, type Tag } from './contract/state';

/**
 * Staging's configuration as RestoreDBInstanceFromDBSnapshot wants it (plan step 4), read from a
 * DescribeDBInstances result. Throws when RDS omits something we must copy, naming the field.
 */
export function captureConfig(db: DBInstance): RestorableConfig {
  const parsed = restorableConfigSchema.safeParse(stripUndefined(readConfig(db)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `DescribeDBInstances for ${db.DBInstanceIdentifier} lacks a usable ${issue.path.join('.')}: ${issue.message}`,
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

/** The restore request: staging's configuration and tags, plus ours, and no backups (see docs/aws-facts.md). */
export function restoreInput(
  staging: StagingConfig,
  snapshotIdentifier: string,
  target: string,
  executionName: string,
): RestoreDBInstanceFromDBSnapshotCommandInput {
  return {
    ...staging.config,
    DBSnapshotIdentifier: snapshotIdentifier,
    DBInstanceIdentifier: target,
    // With retention > 0 RDS takes a baseline backup right after a restore and the instance sits in
    // `backing-up` for hours, refusing modifications. Backups can be turned on after the swap.
    BackupRetentionPeriod: 0,
    // Given tags replace the snapshot's (production's) tags, which RDS would copy otherwise.
    Tags: [...staging.tags, { Key: CREATED_BY_TAG, Value: executionName }],
  };
}

export interface ConfigMismatch {
  field: string;
  expected: unknown;
  actual: unknown;
}

/** Compares a restored instance with the captured configuration; every mismatch, not just the first. */
export function compareConfig(expected: StagingConfig, actual: DBInstance): ConfigMismatch[] {
  const actualConfig = readConfig(actual);
  const mismatches: ConfigMismatch[] = [];
  for (const [field, want] of Object.entries(expected.config)) {
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
    DeletionProtection: db.DeletionProtection ?? false,
    Port: db.Endpoint?.Port ?? db.DbInstancePort ?? undefined,
    AutoMinorVersionUpgrade: db.AutoMinorVersionUpgrade,
    EnableIAMDatabaseAuthentication: db.IAMDatabaseAuthenticationEnabled,
    EnableCloudwatchLogsExports: db.EnabledCloudwatchLogsExports?.length ? db.EnabledCloudwatchLogsExports : undefined,
    CACertificateIdentifier: db.CACertificateIdentifier,
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
