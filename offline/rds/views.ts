/**
 * What callers see: the SDK shapes (DBInstance, DBSnapshot, PendingModifiedValues, endpoints, ARNs, Describe
 * pages) and the simulator's own inspection views. Rendering lives apart from the operations so a response always
 * shows a record as it is at the moment of the call, whatever operation produced it.
 */
import type { DBInstance, DBSnapshot, PendingModifiedValues } from '@aws-sdk/client-rds';
import { invalidParameterValue } from './errors';
import { copyTags, deepCopy, type InstanceRecord, majorVersion, type SimState, type SnapshotRecord } from './state';
import type { SimEndpoint, SimInstanceView, SimSnapshotView } from './types';

const HOSTED_ZONE_ID = 'Z2R2ITUGPM61AM';

function arnOf(sim: SimState, identifier: string): string {
  return `arn:aws:rds:${sim.region}:${sim.accountId}:db:${identifier}`;
}

function snapshotArnOf(sim: SimState, identifier: string): string {
  return `arn:aws:rds:${sim.region}:${sim.accountId}:snapshot:${identifier}`;
}

function endpointOf(sim: SimState, rec: InstanceRecord): SimEndpoint | undefined {
  if (rec.status === 'creating') return undefined;
  return (
    rec.endpointOverride ?? {
      address: `${rec.identifier}.c0sim0000000.${sim.region}.rds.amazonaws.com`,
      port: rec.attrs.port,
    }
  );
}

function pendingValues(rec: InstanceRecord): PendingModifiedValues {
  const p: PendingModifiedValues = {};
  const c = { ...rec.pendingChanges, ...rec.applyingChanges };
  if (c.dbInstanceClass !== undefined) p.DBInstanceClass = c.dbInstanceClass;
  if (c.allocatedStorage !== undefined) p.AllocatedStorage = c.allocatedStorage;
  if (c.port !== undefined) p.Port = c.port;
  if (c.backupRetentionPeriod !== undefined) p.BackupRetentionPeriod = c.backupRetentionPeriod;
  if (c.multiAZ !== undefined) p.MultiAZ = c.multiAZ;
  if (c.engineVersion !== undefined) p.EngineVersion = c.engineVersion;
  if (c.iops !== undefined) p.Iops = c.iops;
  if (c.storageType !== undefined) p.StorageType = c.storageType;
  if (c.storageThroughput !== undefined) p.StorageThroughput = c.storageThroughput;
  if (c.caCertificateIdentifier !== undefined) p.CACertificateIdentifier = c.caCertificateIdentifier;
  if (c.dbSubnetGroupName !== undefined) p.DBSubnetGroupName = c.dbSubnetGroupName;
  if (rec.applyingPassword !== undefined) p.MasterUserPassword = '****';
  if (rec.pendingIdentifier !== undefined) p.DBInstanceIdentifier = rec.pendingIdentifier;
  return p;
}

export function view(sim: SimState, rec: InstanceRecord): SimInstanceView {
  const endpoint = endpointOf(sim, rec);
  const v: SimInstanceView = {
    ...deepCopy(rec.attrs),
    identifier: rec.identifier,
    status: rec.status,
    resourceId: rec.resourceId,
    arn: arnOf(sim, rec.identifier),
    hidden: rec.hidden,
    reservedNames: [rec.identifier, ...[...rec.reserved].filter((n) => n !== rec.identifier)],
    tags: copyTags(rec.tags),
    createTime: new Date(rec.createTime),
    pendingModifiedValues: pendingValues(rec),
    parameterApplyStatus: rec.parameterApplyStatus,
    masterUserPasswordChanges: rec.passwordChanges,
  };
  if (endpoint) v.endpoint = { ...endpoint };
  if (rec.pendingIdentifier !== undefined) v.pendingIdentifier = rec.pendingIdentifier;
  if (rec.passwordChangedAt) v.masterUserPasswordChangedAt = new Date(rec.passwordChangedAt);
  if (rec.restoredFrom !== undefined) v.restoredFromSnapshot = rec.restoredFrom;
  if (rec.data !== undefined) v.data = rec.data;
  if (rec.deletedAt) v.deletedAt = new Date(rec.deletedAt);
  if (rec.deleteRequest) v.deleteRequest = { ...rec.deleteRequest };
  return v;
}

export function snapshotView(sim: SimState, s: SnapshotRecord): SimSnapshotView {
  const v: SimSnapshotView = {
    identifier: s.identifier,
    arn: snapshotArnOf(sim, s.identifier),
    instanceIdentifier: s.instanceIdentifier,
    snapshotType: s.snapshotType,
    status: s.status,
    createTime: new Date(s.createTime),
    percentProgress: s.percentProgress,
    engine: s.engine,
    engineVersion: s.engineVersion,
    dbInstanceClass: s.dbInstanceClass,
    allocatedStorage: s.allocatedStorage,
    storageType: s.storageType,
    port: s.port,
    masterUsername: s.masterUsername,
    backupRetentionPeriod: s.backupRetentionPeriod,
    encrypted: s.encrypted,
    dbiResourceId: s.dbiResourceId,
    vpcId: s.vpcId,
    tags: copyTags(s.tags),
  };
  if (s.iops !== undefined) v.iops = s.iops;
  if (s.storageThroughput !== undefined) v.storageThroughput = s.storageThroughput;
  if (s.kmsKeyId !== undefined) v.kmsKeyId = s.kmsKeyId;
  if (s.data !== undefined) v.data = s.data;
  return v;
}

export function toDBInstance(sim: SimState, rec: InstanceRecord): DBInstance {
  const a = rec.attrs;
  const endpoint = endpointOf(sim, rec);
  const out: DBInstance = {
    DBInstanceIdentifier: rec.identifier,
    DBInstanceClass: a.dbInstanceClass,
    Engine: a.engine,
    DBInstanceStatus: rec.status,
    MasterUsername: a.masterUsername,
    AllocatedStorage: a.allocatedStorage,
    PreferredBackupWindow: a.preferredBackupWindow,
    BackupRetentionPeriod: a.backupRetentionPeriod,
    DBSecurityGroups: [],
    VpcSecurityGroups: a.vpcSecurityGroupIds.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
    DBParameterGroups: [
      { DBParameterGroupName: a.dbParameterGroupName, ParameterApplyStatus: rec.parameterApplyStatus },
    ],
    DBSubnetGroup: {
      DBSubnetGroupName: a.dbSubnetGroupName,
      DBSubnetGroupDescription: a.dbSubnetGroupName,
      VpcId: a.vpcId,
      SubnetGroupStatus: 'Complete',
      Subnets: [],
    },
    PreferredMaintenanceWindow: a.preferredMaintenanceWindow,
    PendingModifiedValues: pendingValues(rec),
    MultiAZ: a.multiAZ,
    EngineVersion: a.engineVersion,
    AutoMinorVersionUpgrade: a.autoMinorVersionUpgrade,
    ReadReplicaDBInstanceIdentifiers: [],
    LicenseModel: 'postgresql-license',
    OptionGroupMemberships: [{ OptionGroupName: a.optionGroupName, Status: 'in-sync' }],
    PubliclyAccessible: a.publiclyAccessible,
    StorageType: a.storageType,
    DbInstancePort: 0,
    StorageEncrypted: a.storageEncrypted,
    DbiResourceId: rec.resourceId,
    CACertificateIdentifier: a.caCertificateIdentifier,
    CopyTagsToSnapshot: a.copyTagsToSnapshot,
    MonitoringInterval: a.monitoringInterval,
    DBInstanceArn: arnOf(sim, rec.identifier),
    IAMDatabaseAuthenticationEnabled: a.iamDatabaseAuthenticationEnabled,
    PerformanceInsightsEnabled: a.performanceInsightsEnabled,
    DatabaseInsightsMode: a.databaseInsightsMode as DBInstance['DatabaseInsightsMode'],
    NetworkType: a.networkType,
    EnabledCloudwatchLogsExports: [...a.enabledCloudwatchLogsExports],
    DeletionProtection: a.deletionProtection,
    TagList: copyTags(rec.tags),
  };
  if (endpoint) out.Endpoint = { Address: endpoint.address, Port: endpoint.port, HostedZoneId: HOSTED_ZONE_ID };
  if (rec.status !== 'creating') out.InstanceCreateTime = new Date(rec.createTime);
  if (a.multiAZ) out.SecondaryAvailabilityZone = a.availabilityZone.endsWith('b') ? `${sim.region}a` : `${sim.region}b`;
  else out.AvailabilityZone = a.availabilityZone;
  if (a.iops !== undefined) out.Iops = a.iops;
  if (a.storageThroughput !== undefined) out.StorageThroughput = a.storageThroughput;
  if (a.kmsKeyId !== undefined) out.KmsKeyId = a.kmsKeyId;
  if (a.performanceInsightsEnabled) {
    out.PerformanceInsightsKMSKeyId =
      a.performanceInsightsKmsKeyId ?? `arn:aws:kms:${sim.region}:${sim.accountId}:key/aws-rds-pi`;
    out.PerformanceInsightsRetentionPeriod = a.performanceInsightsRetentionPeriod ?? 7;
  }
  if (a.monitoringInterval > 0 && a.monitoringRoleArn !== undefined) {
    out.MonitoringRoleArn = a.monitoringRoleArn;
    out.EnhancedMonitoringResourceArn = `arn:aws:logs:${sim.region}:${sim.accountId}:log-group:RDSOSMetrics:log-stream:${rec.resourceId}`;
  }
  if (a.maxAllocatedStorage !== undefined) out.MaxAllocatedStorage = a.maxAllocatedStorage;
  if (a.masterUserSecretKmsKeyId !== undefined) {
    out.MasterUserSecret = {
      SecretArn: `arn:aws:secretsmanager:${sim.region}:${sim.accountId}:secret:rds!${rec.resourceId.toLowerCase()}-Sim`,
      SecretStatus: 'active',
      KmsKeyId: a.masterUserSecretKmsKeyId,
    };
  }
  return out;
}

export function toDBSnapshot(sim: SimState, s: SnapshotRecord): DBSnapshot {
  const out: DBSnapshot = {
    DBSnapshotIdentifier: s.identifier,
    DBInstanceIdentifier: s.instanceIdentifier,
    Engine: s.engine,
    AllocatedStorage: s.allocatedStorage,
    Status: s.status,
    Port: s.port,
    AvailabilityZone: s.availabilityZone,
    VpcId: s.vpcId,
    InstanceCreateTime: new Date(s.createTime),
    MasterUsername: s.masterUsername,
    EngineVersion: s.engineVersion,
    LicenseModel: 'postgresql-license',
    SnapshotType: s.snapshotType,
    OptionGroupName: `default:${s.engine}-${majorVersion(s.engineVersion)}`,
    PercentProgress: s.percentProgress,
    StorageType: s.storageType,
    Encrypted: s.encrypted,
    DBSnapshotArn: snapshotArnOf(sim, s.identifier),
    IAMDatabaseAuthenticationEnabled: false,
    DbiResourceId: s.dbiResourceId,
    TagList: copyTags(s.tags),
  };
  // Absent while the snapshot is being created, as RDS answers (docs/aws-facts.md).
  if (s.status !== 'creating') out.SnapshotCreateTime = new Date(s.createTime);
  if (s.iops !== undefined) out.Iops = s.iops;
  if (s.storageThroughput !== undefined) out.StorageThroughput = s.storageThroughput;
  if (s.kmsKeyId !== undefined) out.KmsKeyId = s.kmsKeyId;
  return out;
}

// ----- Describe pages -----

function parseMaxRecords(value: unknown): number {
  if (value === undefined) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 20 || value > 100) {
    throw invalidParameterValue(`Invalid value ${String(value)} for MaxRecords. Must be between 20 and 100`);
  }
  return value;
}

function encodeMarker(offset: number): string {
  return Buffer.from(`rds-sim:${offset}`).toString('base64');
}

function decodeMarker(marker: unknown): number {
  if (marker === undefined || marker === null || marker === '') return 0;
  const match = /^rds-sim:(\d+)$/.exec(Buffer.from(String(marker), 'base64').toString());
  if (!match?.[1]) throw invalidParameterValue(`Invalid marker: ${String(marker)}`);
  return Number(match[1]);
}

export function page<T>(
  items: T[],
  input: { MaxRecords?: unknown; Marker?: unknown },
): { items: T[]; marker?: string } {
  const max = parseMaxRecords(input.MaxRecords);
  const offset = decodeMarker(input.Marker);
  const slice = items.slice(offset, offset + max);
  return offset + max < items.length ? { items: slice, marker: encodeMarker(offset + max) } : { items: slice };
}
