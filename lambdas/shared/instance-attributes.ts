import type { DBInstance } from '@aws-sdk/client-rds';
import { CREATED_BY_TAG } from './contract/rds';

/**
 * Every member of the SDK's `DBInstance` shape, and how a run treats it: the plan promises that staging afterwards
 * mirrors staging before, so each attribute is either carried over or named in the report with the reason. The
 * table is typed against the SDK (`satisfies Record<keyof DBInstance, …>`, so a member the SDK adds fails the
 * build) and a test compares it with the SDK's runtime schema.
 *
 * - `identity`: differs by nature, or is state rather than configuration: never compared.
 * - `restore`: set by RestoreDBInstanceFromDBSnapshot from staging's captured value.
 * - `after-swap`: set by one ModifyDBInstance on the new staging once it holds the name.
 * - `snapshot`: comes with production's snapshot; RDS offers no way to choose it on restore.
 * - `not-mirrorable`: staging's value is not carried over, for the reason given; the report names it.
 * Everything but `identity` is compared by the drift check after the run.
 */
export type AttributeClass = 'identity' | 'restore' | 'after-swap' | 'snapshot' | 'not-mirrorable';

export interface AttributeRule {
  readonly class: AttributeClass;
  readonly why: string;
}

const identity = (why: string): AttributeRule => ({ class: 'identity', why });
const restore = (why: string): AttributeRule => ({ class: 'restore', why });
const afterSwap = (why: string): AttributeRule => ({ class: 'after-swap', why });
const snapshot = (why: string): AttributeRule => ({ class: 'snapshot', why });
const notMirrorable = (why: string): AttributeRule => ({ class: 'not-mirrorable', why });

export const DB_INSTANCE_ATTRIBUTES = {
  DBInstanceIdentifier: identity('the name: the new instance takes staging’s by the swap'),
  DBInstanceClass: restore('restore parameter DBInstanceClass'),
  Engine: snapshot('the engine of production’s snapshot'),
  DBInstanceStatus: identity('state, not configuration'),
  MasterUsername: snapshot('the master user of production’s snapshot'),
  DBName: snapshot('the initial database of production’s snapshot'),
  Endpoint: restore('the port is restore parameter Port; the address follows the name'),
  AllocatedStorage: restore('restore parameter AllocatedStorage, at least the snapshot’s size'),
  InstanceCreateTime: identity('when this instance was created'),
  PreferredBackupWindow: afterSwap('ModifyDBInstance PreferredBackupWindow, with the backup retention'),
  BackupRetentionPeriod: afterSwap(
    'restored with 0 (a restore with backups sits in backing-up for hours), then ModifyDBInstance',
  ),
  DBSecurityGroups: notMirrorable('EC2-Classic DB security groups: retired by AWS, cannot be given to a restore'),
  VpcSecurityGroups: restore('restore parameter VpcSecurityGroupIds'),
  DBParameterGroups: restore('restore parameter DBParameterGroupName'),
  AvailabilityZone: restore('restore parameter AvailabilityZone (single-AZ only)'),
  DBSubnetGroup: restore('restore parameter DBSubnetGroupName'),
  PreferredMaintenanceWindow: afterSwap('ModifyDBInstance PreferredMaintenanceWindow'),
  UpgradeRolloutOrder: identity('assigned by RDS; no API sets it'),
  PendingModifiedValues: notMirrorable(
    'changes staging had queued for its maintenance window are not queued again on the new instance',
  ),
  LatestRestorableTime: identity('state of this instance’s backups'),
  MultiAZ: restore('restore parameter MultiAZ'),
  EngineVersion: snapshot('the engine version of production’s snapshot'),
  AutoMinorVersionUpgrade: restore('restore parameter AutoMinorVersionUpgrade'),
  ReadReplicaSourceDBInstanceIdentifier: notMirrorable('a read replica cannot be recreated from a snapshot'),
  ReadReplicaDBInstanceIdentifiers: notMirrorable(
    'staging’s read replicas follow the old instance and are not recreated for the new one',
  ),
  ReadReplicaDBClusterIdentifiers: notMirrorable('Aurora replicas of staging are not recreated'),
  ReplicaMode: notMirrorable('replica mode belongs to a read replica, which a restore is not'),
  LicenseModel: snapshot('the license model of production’s snapshot'),
  Iops: restore('restore parameter Iops, unless RDS refuses it for the storage type and size'),
  StorageThroughput: restore('restore parameter StorageThroughput, unless RDS refuses it for the type and size'),
  OptionGroupMemberships: restore('restore parameter OptionGroupName'),
  CharacterSetName: snapshot('the character set of production’s snapshot'),
  NcharCharacterSetName: snapshot('the national character set of production’s snapshot'),
  SecondaryAvailabilityZone: identity('chosen by RDS for a Multi-AZ standby'),
  PubliclyAccessible: restore('restore parameter PubliclyAccessible'),
  StatusInfos: identity('state, not configuration'),
  StorageType: restore('restore parameter StorageType'),
  StorageEncryptionType: snapshot('encryption comes with production’s snapshot'),
  TdeCredentialArn: notMirrorable('Oracle TDE credentials are not carried over'),
  DbInstancePort: identity('a DB cluster member’s own port; 0 for an instance (the port is in Endpoint)'),
  DBClusterIdentifier: notMirrorable('Aurora cluster members are out of scope: this tool restores instances'),
  StorageEncrypted: snapshot('encryption comes with production’s snapshot'),
  KmsKeyId: notMirrorable(
    'the copy is encrypted with the key of production’s snapshot: RDS cannot re-encrypt an instance',
  ),
  DbiResourceId: identity('the instance’s own resource id'),
  CACertificateIdentifier: restore('restore parameter CACertificateIdentifier'),
  DomainMemberships: notMirrorable('Active Directory / Kerberos membership is not rejoined'),
  CopyTagsToSnapshot: restore('restore parameter CopyTagsToSnapshot'),
  MonitoringInterval: afterSwap('ModifyDBInstance MonitoringInterval (Enhanced Monitoring)'),
  EnhancedMonitoringResourceArn: identity('derived from the instance’s resource id'),
  MonitoringRoleArn: afterSwap('ModifyDBInstance MonitoringRoleArn (Enhanced Monitoring)'),
  PromotionTier: notMirrorable('Aurora failover order; meaningless for an RDS instance'),
  DBInstanceArn: identity('follows the name'),
  Timezone: snapshot('SQL Server time zone of production’s snapshot'),
  IAMDatabaseAuthenticationEnabled: restore('restore parameter EnableIAMDatabaseAuthentication'),
  DatabaseInsightsMode: afterSwap('ModifyDBInstance DatabaseInsightsMode'),
  PerformanceInsightsEnabled: afterSwap('ModifyDBInstance EnablePerformanceInsights'),
  PerformanceInsightsKMSKeyId: afterSwap('ModifyDBInstance PerformanceInsightsKMSKeyId'),
  PerformanceInsightsRetentionPeriod: afterSwap('ModifyDBInstance PerformanceInsightsRetentionPeriod'),
  EnabledCloudwatchLogsExports: restore('restore parameter EnableCloudwatchLogsExports'),
  ProcessorFeatures: restore('restore parameter ProcessorFeatures (Oracle)'),
  DeletionProtection: afterSwap(
    'restored without it, so a failed run can always delete the copy; set by ModifyDBInstance after the swap',
  ),
  AssociatedRoles: notMirrorable('IAM roles associated with staging (e.g. s3Import) are not added again'),
  ListenerEndpoint: identity('SQL Server Always On listener, derived from the instance'),
  MaxAllocatedStorage: afterSwap('ModifyDBInstance MaxAllocatedStorage (storage autoscaling)'),
  TagList: restore('restore parameter Tags: staging’s own, plus this tool’s'),
  AutomationMode: notMirrorable('RDS Custom automation mode is out of scope'),
  ResumeFullAutomationModeTime: identity('RDS Custom state'),
  CustomerOwnedIpEnabled: restore('restore parameter EnableCustomerOwnedIp (Outposts)'),
  NetworkType: restore('restore parameter NetworkType'),
  ActivityStreamStatus: notMirrorable('database activity streams are not restarted on the new instance'),
  ActivityStreamKmsKeyId: notMirrorable('database activity streams are not restarted on the new instance'),
  ActivityStreamKinesisStreamName: identity('created by RDS for this instance’s activity stream'),
  ActivityStreamMode: notMirrorable('database activity streams are not restarted on the new instance'),
  ActivityStreamEngineNativeAuditFieldsIncluded: notMirrorable(
    'database activity streams are not restarted on the new instance',
  ),
  AwsBackupRecoveryPointArn: identity('AWS Backup’s recovery point for this instance'),
  DBInstanceAutomatedBackupsReplications: notMirrorable(
    'cross-Region replication of automated backups is started per instance and not restarted',
  ),
  BackupTarget: restore('restore parameter BackupTarget (Outposts)'),
  AutomaticRestartTime: identity('when RDS restarts a stopped instance'),
  CustomIamInstanceProfile: restore('restore parameter CustomIamInstanceProfile (RDS Custom)'),
  ActivityStreamPolicyStatus: identity('state of this instance’s activity stream'),
  CertificateDetails: identity('the server certificate’s validity, which follows CACertificateIdentifier'),
  DBSystemId: snapshot('Oracle SID of production’s snapshot'),
  MasterUserSecret: notMirrorable(
    'an RDS-managed master secret belongs to its instance: the new instance’s secret, if any, has a new ARN',
  ),
  ReadReplicaSourceDBClusterIdentifier: notMirrorable('a read replica cannot be recreated from a snapshot'),
  PercentProgress: identity('progress of an operation in flight'),
  MultiTenant: snapshot('Oracle multi-tenant configuration of production’s snapshot'),
  DedicatedLogVolume: restore('restore parameter DedicatedLogVolume'),
  IsStorageConfigUpgradeAvailable: identity('state, not configuration'),
  EngineLifecycleSupport: restore('restore parameter EngineLifecycleSupport'),
  AdditionalStorageVolumes: notMirrorable('additional storage volumes (Oracle, SQL Server) are not recreated'),
  StorageVolumeStatus: identity('state, not configuration'),
  StorageOperationStatus: identity('state, not configuration'),
  StorageOperationPercentProgress: identity('progress of an operation in flight'),
  DBCapacityReservationIdentifier: restore('restore parameter DBCapacityReservationIdentifier'),
} as const satisfies Record<keyof Required<DBInstance>, AttributeRule>;

export type AttributeName = keyof typeof DB_INSTANCE_ATTRIBUTES;

/** Names in `members` (e.g. the SDK's schema of DBInstance) that the table does not classify. */
export function unclassified(members: readonly string[]): string[] {
  return members.filter((m) => !Object.prototype.hasOwnProperty.call(DB_INSTANCE_ATTRIBUTES, m));
}

/** Attributes the drift check compares: all but the identity class. */
export const COMPARED_ATTRIBUTES = (Object.keys(DB_INSTANCE_ATTRIBUTES) as AttributeName[]).filter(
  (name) => DB_INSTANCE_ATTRIBUTES[name].class !== 'identity',
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An attribute as the drift check compares it: a plain, order-free JSON value, null when RDS says nothing. */
export function comparable(db: DBInstance, name: AttributeName): Json {
  switch (name) {
    case 'Endpoint':
      return db.Endpoint?.Port ?? null;
    case 'VpcSecurityGroups':
      return sorted((db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? ''));
    case 'DBParameterGroups':
      return sorted((db.DBParameterGroups ?? []).map((g) => g.DBParameterGroupName ?? ''));
    case 'OptionGroupMemberships':
      return sorted((db.OptionGroupMemberships ?? []).map((g) => g.OptionGroupName ?? ''));
    case 'DBSubnetGroup':
      return db.DBSubnetGroup?.DBSubnetGroupName ?? null;
    case 'DBSecurityGroups':
      return sorted((db.DBSecurityGroups ?? []).map((g) => g.DBSecurityGroupName ?? ''));
    case 'AvailabilityZone':
      // A Multi-AZ instance's zone is RDS's choice; only a single-AZ one is pinned (and restored) to it.
      return db.MultiAZ ? null : (db.AvailabilityZone ?? null);
    case 'TagList':
      return (db.TagList ?? [])
        .filter((t) => t.Key && !t.Key.startsWith('aws:') && t.Key !== CREATED_BY_TAG)
        .map((t) => `${t.Key}=${t.Value ?? ''}`)
        .sort();
    case 'EnabledCloudwatchLogsExports':
    case 'ReadReplicaDBInstanceIdentifiers':
    case 'ReadReplicaDBClusterIdentifiers':
      return sorted(db[name] ?? []);
    case 'PendingModifiedValues':
      return emptyToNull(plain(db.PendingModifiedValues));
    case 'MasterUserSecret':
      // The secret's ARN is the instance's own; what can be kept is whether RDS manages one, and its key.
      return db.MasterUserSecret ? { managed: true, kmsKeyId: db.MasterUserSecret.KmsKeyId ?? null } : null;
    case 'MaxAllocatedStorage':
      // RDS reports no ceiling, or one equal to the allocated storage, when autoscaling is off.
      return db.MaxAllocatedStorage && db.MaxAllocatedStorage > (db.AllocatedStorage ?? 0)
        ? db.MaxAllocatedStorage
        : null;
    default:
      return emptyToNull(plain(db[name]));
  }
}

/** Staging's comparable attributes, captured before any change. */
export function captureAttributes(db: DBInstance): Record<string, Json> {
  // Absent means null to the drift check: leaving nulls out keeps the execution's state small.
  return Object.fromEntries(
    COMPARED_ATTRIBUTES.map((name) => [name, comparable(db, name)] as const).filter(([, v]) => v !== null),
  );
}

export interface Drift {
  attribute: string;
  class: AttributeClass;
  staging: Json;
  now: Json;
  why: string;
}

/**
 * Every compared attribute on which `actual` differs from the captured staging, with the reason from the
 * table, or `reasons[attribute]` where the run itself decided (e.g. storage RDS would not take).
 */
export function driftFrom(
  captured: Record<string, unknown>,
  actual: DBInstance,
  reasons: Record<string, string> = {},
): Drift[] {
  const drift: Drift[] = [];
  for (const name of COMPARED_ATTRIBUTES) {
    const was = (captured[name] ?? null) as Json;
    const now = comparable(actual, name);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    const rule = DB_INSTANCE_ATTRIBUTES[name];
    drift.push({ attribute: name, class: rule.class, staging: was, now, why: reasons[name] ?? rule.why });
  }
  return drift;
}

/** What a run will not carry over from this staging: not-mirrorable attributes it has a value for. */
export function notMirrored(captured: Record<string, unknown>): Drift[] {
  // false and 0 are how RDS reports a feature that is off: nothing to carry over.
  const hasValue = (v: unknown) => v !== null && v !== undefined && v !== false && v !== 0;
  return COMPARED_ATTRIBUTES.filter(
    (name) => DB_INSTANCE_ATTRIBUTES[name].class === 'not-mirrorable' && hasValue(captured[name]),
  ).map((name) => ({
    attribute: name,
    class: 'not-mirrorable' as const,
    staging: (captured[name] ?? null) as Json,
    now: null,
    why: DB_INSTANCE_ATTRIBUTES[name].why,
  }));
}

function sorted(values: string[]): Json {
  return values.length ? [...values].sort() : null;
}

function plain(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, plain(v)] as const);
    return Object.fromEntries(entries);
  }
  return value as Json;
}

function emptyToNull(value: Json): Json {
  if (Array.isArray(value) && value.length === 0) return null;
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return null;
  return value;
}
