/**
 * The simulator's public types (seeds, views, faults, the data-plane hooks, options) and their defaults. Kept apart
 * from the code so importers and every part of the simulator share one vocabulary without importing each other.
 */
import type { PendingModifiedValues, Tag } from '@aws-sdk/client-rds';

export interface VirtualClock {
  now(): Date;
  advance(seconds: number): void;
}

/** Phase lengths in seconds (all overridable through the constructor option `timings`). */
export interface SimTimings {
  /** Restore: `creating` phase. */
  restoreSeconds: number;
  /** Restore with BackupRetentionPeriod > 0: `backing-up` phase (baseline backup) after `creating`. */
  baselineBackupSeconds: number;
  /** Rename: still `available` under the OLD name. */
  renameStartSeconds: number;
  /** Rename: not found under either name (both names reserved). */
  renameHiddenSeconds: number;
  /** Rename: `renaming` under the NEW name. */
  renamingSeconds: number;
  /** Rename: the deceptive first `available` under the new name, before the reboot. */
  renameFirstAvailableSeconds: number;
  /** `rebooting` (after a rename, and for RebootDBInstance). */
  rebootSeconds: number;
  /** `modifying` for non-rename modifications applied now. */
  modifySeconds: number;
  /** `deleting`, after which the instance is gone. */
  deleteSeconds: number;
  /** CreateDBSnapshot / final snapshot: `creating` before `available`. */
  snapshotSeconds: number;
}

export const DEFAULT_TIMINGS: Readonly<SimTimings> = Object.freeze({
  restoreSeconds: 1200,
  baselineBackupSeconds: 7200,
  renameStartSeconds: 15,
  renameHiddenSeconds: 30,
  renamingSeconds: 60,
  renameFirstAvailableSeconds: 20,
  rebootSeconds: 60,
  modifySeconds: 60,
  deleteSeconds: 600,
  snapshotSeconds: 300,
});

export type SimCommandName =
  | 'DescribeDBInstances'
  | 'DescribeDBSnapshots'
  | 'ListTagsForResource'
  | 'RestoreDBInstanceFromDBSnapshot'
  | 'ModifyDBInstance'
  | 'DeleteDBInstance'
  | 'RebootDBInstance'
  | 'AddTagsToResource'
  | 'RemoveTagsFromResource'
  | 'CreateDBSnapshot'
  | 'DeleteDBSnapshot';

export const MUTATING_COMMANDS: readonly string[] = Object.freeze([
  'RestoreDBInstanceFromDBSnapshot',
  'ModifyDBInstance',
  'DeleteDBInstance',
  'RebootDBInstance',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'CreateDBSnapshot',
  'DeleteDBSnapshot',
]);

/** Instance attributes that seeds may set and modifications may change. */
export interface SimInstanceAttributes {
  engine: string;
  engineVersion: string;
  dbInstanceClass: string;
  allocatedStorage: number;
  storageType: string;
  iops?: number;
  storageThroughput?: number;
  multiAZ: boolean;
  availabilityZone: string;
  dbSubnetGroupName: string;
  vpcId: string;
  vpcSecurityGroupIds: string[];
  publiclyAccessible: boolean;
  dbParameterGroupName: string;
  optionGroupName: string;
  copyTagsToSnapshot: boolean;
  deletionProtection: boolean;
  backupRetentionPeriod: number;
  port: number;
  masterUsername: string;
  storageEncrypted: boolean;
  kmsKeyId?: string;
  enabledCloudwatchLogsExports: string[];
  caCertificateIdentifier: string;
  performanceInsightsEnabled: boolean;
  performanceInsightsKmsKeyId?: string;
  performanceInsightsRetentionPeriod?: number;
  databaseInsightsMode: string;
  monitoringInterval: number;
  monitoringRoleArn?: string;
  autoMinorVersionUpgrade: boolean;
  iamDatabaseAuthenticationEnabled: boolean;
  /** `hh24:mi-hh24:mi` UTC; RDS picks one at random from the Region's 8-hour block when none is given. */
  preferredBackupWindow: string;
  /** `ddd:hh24:mi-ddd:hh24:mi` UTC; RDS picks one at random when none is given. */
  preferredMaintenanceWindow: string;
  /** Storage autoscaling ceiling; absent when autoscaling is off. */
  maxAllocatedStorage?: number;
  networkType: string;
  /** The KMS key of an RDS-managed master secret; absent when RDS does not manage the master password. */
  masterUserSecretKmsKeyId?: string;
}

export interface InstanceSeed extends Partial<SimInstanceAttributes> {
  identifier: string;
  /** Default `available`. */
  status?: string;
  /** Optional later transition of a seeded status, e.g. `{ status: 'available', afterSeconds: 600 }`. */
  becomes?: { status: string; afterSeconds: number };
  tags?: Tag[];
  /** Default: the clock's start. */
  createTime?: Date;
  /** Opaque data-plane payload (e.g. a handle on a real PostgreSQL server). */
  data?: unknown;
}

export type SnapshotStatus = 'available' | 'creating' | 'failed' | 'deleting' | (string & {});

export interface SnapshotSeed {
  identifier: string;
  instanceIdentifier: string;
  /** Default: `automated` when the identifier starts with `rds:`, else `manual`. */
  snapshotType?: 'automated' | 'manual' | (string & {});
  /** Default `available`. */
  status?: SnapshotStatus;
  /** Default: the current virtual time. */
  createTime?: Date;
  /** For a `creating` snapshot: what it becomes, and when. */
  becomes?: { status: 'available' | 'failed' | (string & {}); afterSeconds: number };
  /** Default: the source instance's tags at seed time (also what a restore without `Tags` copies). */
  tags?: Tag[];
  /** Default: the data plane's `snapshotOf(source)`, else the source instance's `data`. */
  data?: unknown;
  // Overrides of the attributes copied from the source instance (or defaults when it does not exist):
  engine?: string;
  engineVersion?: string;
  dbInstanceClass?: string;
  allocatedStorage?: number;
  storageType?: string;
  iops?: number;
  storageThroughput?: number;
  port?: number;
  masterUsername?: string;
  backupRetentionPeriod?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  dbiResourceId?: string;
}

export interface SimEndpoint {
  address: string;
  port: number;
}

export interface SimDeleteRequest {
  skipFinalSnapshot: boolean;
  finalDBSnapshotIdentifier?: string;
  /** RDS default is true. */
  deleteAutomatedBackups: boolean;
  requestedAt: Date;
}

export interface SimInstanceView extends SimInstanceAttributes {
  /** Current name (lowercase). Mid-rename this is the old name until the instance appears under the new one. */
  identifier: string;
  status: string;
  resourceId: string;
  arn: string;
  /** True while a rename makes the instance not found under either name. */
  hidden: boolean;
  /** Rename requested and not yet performed (pending without ApplyImmediately, or in its first phases). */
  pendingIdentifier?: string;
  /** Names this instance holds or reserves (current name + in-flight rename target). */
  reservedNames: string[];
  tags: Tag[];
  createTime: Date;
  /** Absent while `creating`. */
  endpoint?: SimEndpoint;
  pendingModifiedValues: PendingModifiedValues;
  parameterApplyStatus: string;
  /** How many times the master password was changed, and when last (the password itself is never exposed). */
  masterUserPasswordChanges: number;
  masterUserPasswordChangedAt?: Date;
  restoredFromSnapshot?: string;
  data?: unknown;
  deletedAt?: Date;
  deleteRequest?: SimDeleteRequest;
}
export type SimInstance = SimInstanceView;

export interface SimSnapshotView {
  identifier: string;
  arn: string;
  instanceIdentifier: string;
  snapshotType: string;
  status: string;
  createTime: Date;
  percentProgress: number;
  engine: string;
  engineVersion: string;
  dbInstanceClass: string;
  allocatedStorage: number;
  storageType: string;
  iops?: number;
  storageThroughput?: number;
  port: number;
  masterUsername: string;
  backupRetentionPeriod: number;
  encrypted: boolean;
  kmsKeyId?: string;
  dbiResourceId: string;
  vpcId: string;
  tags: Tag[];
  data?: unknown;
}
export type SimSnapshot = SimSnapshotView;

export interface SimCall {
  command: string;
  /** Deep copy of the input, `MasterUserPassword` redacted. */
  input: Record<string, unknown>;
  /** Virtual time of the call. */
  at: Date;
  /** Error name when the call failed. */
  error?: string;
  mutating: boolean;
}

export interface Fault {
  command: SimCommandName | (string & {});
  /** Only calls whose (raw) input matches. */
  when?: (input: Record<string, unknown>) => boolean;
  /** Exception class name exported by @aws-sdk/client-rds, an RDS common error code, or any name. */
  error: string;
  message?: string;
  /** How many matching calls fail (default 1; Infinity allowed). */
  times?: number;
  /** Perform the call's effect, then throw (the response was lost). */
  applyFirst?: boolean;
}

export type StatusFaultOperation = 'restore' | 'rename' | 'delete' | 'modify' | 'reboot';

export interface StatusFault {
  /** Restore: the target name. Others: the instance's name (for rename, the old or the new name). */
  identifier?: string;
  operation: StatusFaultOperation;
  /** Terminal status, e.g. `incompatible-restore`, `failed`, `storage-full`. */
  status: string;
  /** Seconds after the operation starts (default: the operation's first phase length). */
  afterSeconds?: number;
}

export interface DataPlane {
  /** Called when a snapshot of an existing instance is made (addSnapshot, CreateDBSnapshot, final snapshot). */
  snapshotOf?(instance: SimInstanceView): Promise<unknown> | unknown;
  /** Called when a restore is accepted; a returned endpoint replaces the simulated one for that instance. */
  restore?(snapshotData: unknown, instance: SimInstanceView): Promise<SimEndpoint | void> | SimEndpoint | void;
  /** Called when an instance is gone (end of `deleting`). */
  drop?(instance: SimInstanceView): Promise<void> | void;
  /** Called when a master password change takes effect (end of `modifying`). */
  setMasterPassword?(instance: SimInstanceView, password: string): Promise<void> | void;
}

export interface RdsSimulatorOptions {
  /** Default 2026-12-01T00:00:00Z. */
  start?: Date;
  timings?: Partial<SimTimings>;
  /** Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
  dataPlane?: DataPlane;
  /** Known DB subnet groups → VPC id. `default` (vpc-0default) and every seeded instance's group are known. */
  subnetGroups?: Record<string, string>;
  /**
   * KMS keys the caller may not use (no grant, or the key policy says no): restoring a snapshot encrypted with
   * one fails with KMSKeyNotAccessibleFault, as RDS does.
   */
  inaccessibleKmsKeys?: string[];
  /**
   * Seeds the order DescribeDBSnapshots lists snapshots in (default 0). RDS documents no order, so the simulator's
   * is neither by time nor as seeded, and differs between seeds.
   */
  snapshotOrderSeed?: number;
}

/**
 * A passing status an instance goes through on RDS's own account (a backup, a maintenance update, someone's
 * modification): `status` for `forSeconds`, then `available` again. While it lasts, ModifyDBInstance and
 * RebootDBInstance are refused (InvalidDBInstanceStateFault) and DescribeDBInstances shows the status.
 */
export interface StatusEpisode {
  /** The instance that holds this name when the episode is scheduled (it follows the instance across renames). */
  identifier: string;
  /** E.g. `backing-up`, `modifying`, `maintenance`; `stopped` with `forSeconds: Infinity` for a stopped instance. */
  status: string;
  /** Seconds from now until it starts (0: at once). Starts only once the instance is `available` and idle. */
  atSeconds: number;
  /** How long it lasts; Infinity: for good. */
  forSeconds: number;
}
