/**
 * Instance lifecycle operations: seeding, DescribeDBInstances, RestoreDBInstanceFromDBSnapshot (with RDS's restore
 * defaults), RebootDBInstance and DeleteDBInstance (its preconditions, final snapshot and automated backups).
 * ModifyDBInstance, with the rename race, is in modify.ts.
 */
import {
  type DBInstance,
  DBSnapshotAlreadyExistsFault,
  DBSubnetGroupNotFoundFault,
  type DeleteDBInstanceCommandInput,
  type DescribeDBInstancesCommandInput,
  type DescribeDBInstancesCommandOutput,
  type Filter,
  InvalidDBSnapshotStateFault,
  KMSKeyNotAccessibleFault,
  type RebootDBInstanceCommandInput,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { callHook, enterPhase, isSteady, startOperation, takeStatusFault } from './clock';
import {
  alreadyExists,
  invalidInstanceState,
  invalidParameterCombination,
  invalidParameterValue,
  rdsError,
  SNAPSHOT_ID_RE,
  snapshotNotFound,
  validateBackupRetention,
  validateIdentifier,
  validateStorage,
} from './errors';
import { snapshotInstance } from './snapshots';
import {
  copyTags,
  DEFAULT_SECURITY_GROUP,
  DEFAULT_VPC,
  deepCopy,
  findSnapshot,
  instanceNameFrom,
  type InstanceRecord,
  majorVersion,
  nameTaken,
  newRecord,
  normaliseStorage,
  type Phase,
  requireInstance,
  type SimState,
} from './state';
import type { InstanceSeed, SimInstance, SimInstanceAttributes } from './types';
import { page, toDBInstance, view } from './views';

/** Statuses from which DeleteDBInstance is accepted. */
const DELETABLE_STATUSES = new Set([
  'available',
  'backing-up',
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'restore-error',
  'storage-full',
  'inaccessible-encryption-credentials',
  'stopped',
  'creating',
]);

/** Statuses from which a final snapshot can be taken on delete. */
const FINAL_SNAPSHOT_STATUSES = new Set([
  'available',
  'backing-up',
  'storage-full',
  'stopped',
  'incompatible-parameters',
]);

/**
 * The windows RDS picks when none is given: a 30-minute backup window and a 30-minute weekly maintenance window,
 * "at random" from the Region's 8-hour block. Derived from the instance counter so a run is reproducible, and
 * different per instance, so a restored copy never has staging's windows by luck.
 */
function rdsChosenWindows(sim: SimState): { preferredBackupWindow: string; preferredMaintenanceWindow: string } {
  const n = sim.instanceCounter + 1;
  const minute = (n * 37) % (8 * 60 - 30);
  const hh = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const day = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][n % 7]!;
  const backupStart = 3 * 60 + minute;
  const maintenanceStart = 3 * 60 + ((minute + 240) % (8 * 60 - 30));
  return {
    preferredBackupWindow: `${hh(backupStart)}-${hh(backupStart + 30)}`,
    preferredMaintenanceWindow: `${day}:${hh(maintenanceStart)}-${day}:${hh(maintenanceStart + 30)}`,
  };
}

export function addInstance(sim: SimState, seed: InstanceSeed): SimInstance {
  const identifier = validateIdentifier(seed.identifier, 'DBInstanceIdentifier');
  if (nameTaken(sim, identifier)) throw new Error(`addInstance: ${identifier} already exists`);
  const { identifier: _id, status, becomes, tags, createTime, data, ...overrides } = seed;
  void _id;
  const attrs: SimInstanceAttributes = {
    engine: 'postgres',
    engineVersion: '18.1',
    dbInstanceClass: 'db.m5.xlarge',
    allocatedStorage: 3000,
    storageType: 'gp2',
    multiAZ: false,
    availabilityZone: `${sim.region}a`,
    dbSubnetGroupName: 'default-vpc-subnets',
    vpcId: DEFAULT_VPC,
    vpcSecurityGroupIds: [DEFAULT_SECURITY_GROUP],
    publiclyAccessible: false,
    dbParameterGroupName: 'default.postgres18',
    optionGroupName: 'default:postgres-18',
    copyTagsToSnapshot: false,
    deletionProtection: false,
    backupRetentionPeriod: 7,
    port: 5432,
    masterUsername: 'deploy',
    storageEncrypted: seed.kmsKeyId !== undefined,
    enabledCloudwatchLogsExports: [],
    caCertificateIdentifier: 'rds-ca-rsa2048-g1',
    performanceInsightsEnabled: false,
    databaseInsightsMode: 'standard',
    monitoringInterval: 0,
    autoMinorVersionUpgrade: true,
    iamDatabaseAuthenticationEnabled: false,
    ...rdsChosenWindows(sim),
    networkType: 'IPV4',
    ...deepCopy(overrides),
  };
  if (attrs.storageEncrypted && attrs.kmsKeyId === undefined) {
    attrs.kmsKeyId = `arn:aws:kms:${sim.region}:${sim.accountId}:key/aws-rds-default`;
  }
  normaliseStorage(attrs);
  if (!sim.subnetGroups.has(attrs.dbSubnetGroupName)) sim.subnetGroups.set(attrs.dbSubnetGroupName, attrs.vpcId);
  const rec = newRecord(sim, identifier, attrs, copyTags(tags), createTime ?? new Date(sim.nowMs));
  rec.data = data;
  const initial = status ?? 'available';
  rec.queue = becomes
    ? [
        { status: initial, seconds: becomes.afterSeconds },
        { status: becomes.status, seconds: Infinity },
      ]
    : [{ status: initial, seconds: Infinity }];
  enterPhase(sim, rec);
  return view(sim, rec);
}

export function describeInstances(
  sim: SimState,
  input: DescribeDBInstancesCommandInput,
): DescribeDBInstancesCommandOutput {
  let items = sim.live.filter((r) => !r.hidden);
  if (input.DBInstanceIdentifier !== undefined) items = [requireInstance(sim, input.DBInstanceIdentifier)];
  for (const filter of input.Filters ?? []) items = applyInstanceFilter(sim, items, filter);
  const { items: slice, marker } = page(items, input);
  const out: DescribeDBInstancesCommandOutput = {
    DBInstances: slice.map((r) => toDBInstance(sim, r)),
    $metadata: {},
  };
  if (marker) out.Marker = marker;
  return out;
}

function applyInstanceFilter(sim: SimState, items: InstanceRecord[], filter: Filter): InstanceRecord[] {
  const values = filter.Values ?? [];
  switch (filter.Name) {
    case 'db-instance-id': {
      const names = values.map((v) => instanceNameFrom(sim, v));
      return items.filter((r) => names.includes(r.identifier));
    }
    case 'dbi-resource-id':
      return items.filter((r) => values.includes(r.resourceId));
    case 'engine':
      return items.filter((r) => values.includes(r.attrs.engine));
    default:
      throw invalidParameterValue(`Unrecognized filter name: ${String(filter.Name)}`);
  }
}

export async function restore(
  sim: SimState,
  input: RestoreDBInstanceFromDBSnapshotCommandInput,
): Promise<{ DBInstance: DBInstance }> {
  const target = validateIdentifier(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
  if (input.DBSnapshotIdentifier === undefined || input.DBSnapshotIdentifier === '') {
    throw rdsError('MissingParameter', 'The parameter DBSnapshotIdentifier must be provided.');
  }
  const snap = findSnapshot(sim, input.DBSnapshotIdentifier);
  if (!snap) throw snapshotNotFound(input.DBSnapshotIdentifier);
  if (snap.status !== 'available') {
    throw new InvalidDBSnapshotStateFault({
      message: `Snapshot ${snap.identifier} is not in available state (status: ${snap.status}).`,
      $metadata: {},
    });
  }
  if (nameTaken(sim, target)) throw alreadyExists(target);
  if (snap.kmsKeyId !== undefined && sim.inaccessibleKmsKeys.has(snap.kmsKeyId)) {
    throw new KMSKeyNotAccessibleFault({
      message: `The specified KMS key [${snap.kmsKeyId}] does not exist, is not enabled or you do not have permissions to access it.`,
      $metadata: {},
    });
  }
  if ('KmsKeyId' in input) throw invalidParameterValue('KmsKeyId is not a RestoreDBInstanceFromDBSnapshot parameter.');
  if (input.MultiAZ && input.AvailabilityZone) {
    throw invalidParameterCombination('Requesting a specific availability zone is not valid for Multi-AZ instances.');
  }
  if (input.AllocatedStorage !== undefined && input.AllocatedStorage < snap.allocatedStorage) {
    throw invalidParameterValue(
      `AllocatedStorage ${input.AllocatedStorage} is smaller than the snapshot's ${snap.allocatedStorage} GiB.`,
    );
  }
  validateBackupRetention(input.BackupRetentionPeriod);
  const storageType = input.StorageType ?? snap.storageType;
  const sameStorageType = storageType === snap.storageType;
  const iops = input.Iops ?? (sameStorageType ? snap.iops : undefined);
  validateStorage(storageType, input.Iops !== undefined, input.StorageThroughput !== undefined, iops, {
    engine: snap.engine,
    allocatedStorage: input.AllocatedStorage ?? snap.allocatedStorage,
    iops: input.Iops,
    storageThroughput: input.StorageThroughput,
  });
  const subnetGroup = input.DBSubnetGroupName ?? 'default';
  const vpcId = sim.subnetGroups.get(subnetGroup);
  if (vpcId === undefined) {
    throw new DBSubnetGroupNotFoundFault({ message: `DBSubnetGroup ${subnetGroup} not found.`, $metadata: {} });
  }
  const major = majorVersion(snap.engineVersion);
  const attrs: SimInstanceAttributes = {
    engine: snap.engine,
    engineVersion: snap.engineVersion,
    dbInstanceClass: input.DBInstanceClass ?? snap.dbInstanceClass,
    allocatedStorage: input.AllocatedStorage ?? snap.allocatedStorage,
    storageType,
    iops,
    storageThroughput: input.StorageThroughput ?? (sameStorageType ? snap.storageThroughput : undefined),
    multiAZ: input.MultiAZ ?? false,
    availabilityZone: input.AvailabilityZone ?? `${sim.region}a`,
    dbSubnetGroupName: subnetGroup,
    vpcId,
    vpcSecurityGroupIds:
      input.VpcSecurityGroupIds && input.VpcSecurityGroupIds.length > 0
        ? [...input.VpcSecurityGroupIds]
        : [DEFAULT_SECURITY_GROUP],
    publiclyAccessible: input.PubliclyAccessible ?? false,
    dbParameterGroupName: input.DBParameterGroupName ?? `default.${snap.engine}${major}`,
    optionGroupName: input.OptionGroupName ?? `default:${snap.engine}-${major}`,
    copyTagsToSnapshot: input.CopyTagsToSnapshot ?? false,
    deletionProtection: input.DeletionProtection ?? false,
    backupRetentionPeriod: input.BackupRetentionPeriod ?? snap.backupRetentionPeriod,
    port: input.Port ?? snap.port,
    masterUsername: snap.masterUsername,
    storageEncrypted: snap.encrypted,
    kmsKeyId: snap.kmsKeyId,
    enabledCloudwatchLogsExports: [...(input.EnableCloudwatchLogsExports ?? [])],
    caCertificateIdentifier: input.CACertificateIdentifier ?? 'rds-ca-rsa2048-g1',
    // Not restore parameters: a restored instance starts without them (docs/aws-facts.md).
    performanceInsightsEnabled: false,
    databaseInsightsMode: 'standard',
    monitoringInterval: 0,
    autoMinorVersionUpgrade: input.AutoMinorVersionUpgrade ?? true,
    iamDatabaseAuthenticationEnabled: input.EnableIAMDatabaseAuthentication ?? false,
    ...rdsChosenWindows(sim),
    ...(input.PreferredBackupWindow !== undefined ? { preferredBackupWindow: input.PreferredBackupWindow } : {}),
    networkType: input.NetworkType ?? 'IPV4',
    ...(input.ManageMasterUserPassword
      ? { masterUserSecretKmsKeyId: input.MasterUserSecretKmsKeyId ?? `alias/aws/secretsmanager` }
      : {}),
  };
  normaliseStorage(attrs);
  // RDS copies the source's tags when no tags are given (an empty list counts as none: fail loudly, not silently).
  const tags = input.Tags && input.Tags.length > 0 ? copyTags(input.Tags) : copyTags(snap.tags);
  const rec = newRecord(sim, target, attrs, tags, new Date(sim.nowMs));
  rec.restoredFrom = snap.identifier;
  rec.data = snap.data;
  const t = sim.timings;
  const phases: Phase[] = [{ status: 'creating', seconds: t.restoreSeconds }];
  if (attrs.backupRetentionPeriod > 0) phases.push({ status: 'backing-up', seconds: t.baselineBackupSeconds });
  phases.push({ status: 'available', seconds: Infinity });
  startOperation(sim, rec, phases, takeStatusFault(sim, 'restore', [target]), t.restoreSeconds);
  const response = { DBInstance: toDBInstance(sim, rec) };
  const hook = sim.dataPlane.restore;
  if (hook) {
    const endpoint = await hook.call(sim.dataPlane, snap.data, view(sim, rec));
    if (endpoint) rec.endpointOverride = { address: endpoint.address, port: endpoint.port };
  }
  return response;
}

export function reboot(sim: SimState, input: RebootDBInstanceCommandInput): { DBInstance: DBInstance } {
  const rec = requireInstance(sim, input.DBInstanceIdentifier);
  if (rec.status !== 'available' || !isSteady(rec)) {
    throw invalidInstanceState(`Database instance is not in available state (status: ${rec.status}).`);
  }
  startOperation(
    sim,
    rec,
    [
      {
        status: 'rebooting',
        seconds: sim.timings.rebootSeconds,
        onEnd: () => {
          rec.parameterApplyStatus = 'in-sync';
        },
      },
      { status: 'available', seconds: Infinity },
    ],
    takeStatusFault(sim, 'reboot', [rec.identifier]),
    sim.timings.rebootSeconds,
  );
  return { DBInstance: toDBInstance(sim, rec) };
}

export function deleteInstance(sim: SimState, input: DeleteDBInstanceCommandInput): { DBInstance: DBInstance } {
  const rec = requireInstance(sim, input.DBInstanceIdentifier);
  if (rec.status === 'deleting') {
    throw invalidInstanceState(`Instance ${rec.identifier} is already being deleted.`);
  }
  if (!DELETABLE_STATUSES.has(rec.status)) {
    throw invalidInstanceState(`Instance ${rec.identifier} is not in a deletable state (status: ${rec.status}).`);
  }
  if (rec.attrs.deletionProtection) {
    throw invalidParameterCombination(
      'Cannot delete protected DB Instance, please disable deletion protection and try again.',
    );
  }
  const skip = input.SkipFinalSnapshot === true;
  const finalId = input.FinalDBSnapshotIdentifier;
  if (skip && finalId !== undefined) {
    throw invalidParameterCombination('FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is true.');
  }
  if (!skip && finalId === undefined) {
    throw invalidParameterCombination('FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
  }
  if (finalId !== undefined) {
    const snapId = validateIdentifier(finalId, 'FinalDBSnapshotIdentifier', SNAPSHOT_ID_RE);
    if (findSnapshot(sim, snapId)) {
      throw new DBSnapshotAlreadyExistsFault({
        message: `Cannot create the snapshot because a snapshot with the identifier ${snapId} already exists.`,
        $metadata: {},
      });
    }
    if (!FINAL_SNAPSHOT_STATUSES.has(rec.status)) {
      throw invalidInstanceState(
        `Cannot create a final snapshot of instance ${rec.identifier} in status ${rec.status}.`,
      );
    }
    snapshotInstance(sim, rec, snapId, undefined, 'manual');
  }
  rec.deleteRequest = {
    skipFinalSnapshot: skip,
    deleteAutomatedBackups: input.DeleteAutomatedBackups ?? true,
    requestedAt: new Date(sim.nowMs),
  };
  if (finalId !== undefined) rec.deleteRequest.finalDBSnapshotIdentifier = finalId.toLowerCase();
  // Deleting cancels whatever was in flight (e.g. a rename still in its first, `available`, phase).
  delete rec.pendingIdentifier;
  rec.reserved = new Set();
  rec.applyingChanges = {};
  delete rec.applyingPassword;
  startOperation(
    sim,
    rec,
    [{ status: 'deleting', seconds: sim.timings.deleteSeconds, onEnd: () => finishDelete(sim, rec) }],
    takeStatusFault(sim, 'delete', [rec.identifier]),
    sim.timings.deleteSeconds,
  );
  return { DBInstance: toDBInstance(sim, rec) };
}

function finishDelete(sim: SimState, rec: InstanceRecord): void {
  rec.gone = true;
  rec.status = 'deleted';
  rec.deletedAt = new Date(sim.nowMs);
  rec.reserved = new Set();
  const i = sim.live.indexOf(rec);
  if (i >= 0) sim.live.splice(i, 1);
  sim.removed.push(rec);
  if (rec.deleteRequest?.deleteAutomatedBackups) {
    for (let j = sim.snaps.length - 1; j >= 0; j--) {
      const s = sim.snaps[j];
      if (s && s.snapshotType === 'automated' && s.dbiResourceId === rec.resourceId) sim.snaps.splice(j, 1);
    }
  }
  const hook = sim.dataPlane.drop;
  if (hook) callHook(sim, () => hook.call(sim.dataPlane, view(sim, rec)));
}
