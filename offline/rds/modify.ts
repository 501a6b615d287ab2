/**
 * ModifyDBInstance: which changes wait for the maintenance window and which apply at once, and the rename race
 * (old name still `available`, then not found under either name, then renaming → available → rebooting →
 * available under the new name). Separate because it is the operation with the most RDS rules of its own.
 */
import { type DBInstance, DBSubnetGroupNotFoundFault, type ModifyDBInstanceCommandInput } from '@aws-sdk/client-rds';
import { callHook, isSteady, startOperation, takeStatusFault } from './clock';
import {
  alreadyExists,
  invalidInstanceState,
  invalidParameterCombination,
  invalidParameterValue,
  validateBackupRetention,
  validateIdentifier,
  validateStorage,
} from './errors';
import { deepCopy, type InstanceRecord, nameTaken, normaliseStorage, requireInstance, type SimState } from './state';
import type { SimInstanceAttributes } from './types';
import { toDBInstance, view } from './views';

export function modify(sim: SimState, input: ModifyDBInstanceCommandInput): { DBInstance: DBInstance } {
  const rec = requireInstance(sim, input.DBInstanceIdentifier);
  if (rec.status !== 'available' || !isSteady(rec)) {
    throw invalidInstanceState(`Database instance is not in available state (status: ${rec.status}).`);
  }
  const newName =
    input.NewDBInstanceIdentifier !== undefined
      ? validateIdentifier(input.NewDBInstanceIdentifier, 'NewDBInstanceIdentifier')
      : undefined;
  const immediately = input.ApplyImmediately === true;
  const renameTo = immediately ? (newName ?? rec.pendingIdentifier) : undefined;
  const target = renameTo ?? newName;
  if (target !== undefined && nameTaken(sim, target)) throw alreadyExists(target);
  validateBackupRetention(input.BackupRetentionPeriod);
  if (input.MasterUserPassword !== undefined && input.MasterUserPassword.length < 8) {
    throw invalidParameterValue(
      'The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.',
    );
  }

  const windowed: Partial<SimInstanceAttributes> = {};
  const asap: Partial<SimInstanceAttributes> = {};
  if (input.DBInstanceClass !== undefined) windowed.dbInstanceClass = input.DBInstanceClass;
  if (input.AllocatedStorage !== undefined) windowed.allocatedStorage = input.AllocatedStorage;
  if (input.StorageType !== undefined) windowed.storageType = input.StorageType;
  if (input.Iops !== undefined) windowed.iops = input.Iops;
  if (input.StorageThroughput !== undefined) windowed.storageThroughput = input.StorageThroughput;
  if (input.MultiAZ !== undefined) windowed.multiAZ = input.MultiAZ;
  if (input.DBPortNumber !== undefined) windowed.port = input.DBPortNumber;
  if (input.EngineVersion !== undefined) windowed.engineVersion = input.EngineVersion;
  if (input.CACertificateIdentifier !== undefined) windowed.caCertificateIdentifier = input.CACertificateIdentifier;
  if (input.DBSubnetGroupName !== undefined) {
    const vpc = sim.subnetGroups.get(input.DBSubnetGroupName);
    if (vpc === undefined) {
      throw new DBSubnetGroupNotFoundFault({
        message: `DBSubnetGroup ${input.DBSubnetGroupName} not found.`,
        $metadata: {},
      });
    }
    windowed.dbSubnetGroupName = input.DBSubnetGroupName;
    windowed.vpcId = vpc;
  }
  if (input.BackupRetentionPeriod !== undefined) {
    // 0 <-> non-zero causes an outage and waits for the window; non-zero -> non-zero applies asap.
    const toggles = (input.BackupRetentionPeriod === 0) !== (rec.attrs.backupRetentionPeriod === 0);
    (toggles ? windowed : asap).backupRetentionPeriod = input.BackupRetentionPeriod;
  }
  if (input.VpcSecurityGroupIds !== undefined) asap.vpcSecurityGroupIds = [...input.VpcSecurityGroupIds];
  if (input.PubliclyAccessible !== undefined) asap.publiclyAccessible = input.PubliclyAccessible;
  if (input.DBParameterGroupName !== undefined) asap.dbParameterGroupName = input.DBParameterGroupName;
  if (input.OptionGroupName !== undefined) windowed.optionGroupName = input.OptionGroupName;
  validateSettings(rec, input);
  if (input.EnablePerformanceInsights !== undefined) asap.performanceInsightsEnabled = input.EnablePerformanceInsights;
  if (input.PerformanceInsightsKMSKeyId !== undefined)
    asap.performanceInsightsKmsKeyId = input.PerformanceInsightsKMSKeyId;
  if (input.PerformanceInsightsRetentionPeriod !== undefined) {
    asap.performanceInsightsRetentionPeriod = input.PerformanceInsightsRetentionPeriod;
  }
  if (input.DatabaseInsightsMode !== undefined) asap.databaseInsightsMode = input.DatabaseInsightsMode;
  if (input.MonitoringInterval !== undefined) asap.monitoringInterval = input.MonitoringInterval;
  if (input.MonitoringRoleArn !== undefined) asap.monitoringRoleArn = input.MonitoringRoleArn;
  if (input.MaxAllocatedStorage !== undefined) asap.maxAllocatedStorage = input.MaxAllocatedStorage;
  if (input.EnableIAMDatabaseAuthentication !== undefined) {
    asap.iamDatabaseAuthenticationEnabled = input.EnableIAMDatabaseAuthentication;
  }
  if (input.CloudwatchLogsExportConfiguration) {
    const enable = input.CloudwatchLogsExportConfiguration.EnableLogTypes ?? [];
    const disable = new Set(input.CloudwatchLogsExportConfiguration.DisableLogTypes ?? []);
    asap.enabledCloudwatchLogsExports = [
      ...new Set([...rec.attrs.enabledCloudwatchLogsExports, ...enable].filter((l) => !disable.has(l))),
    ];
  }
  if (windowed.storageType !== undefined || windowed.iops !== undefined || windowed.storageThroughput !== undefined) {
    const storageType = windowed.storageType ?? rec.attrs.storageType;
    validateStorage(
      storageType,
      windowed.iops !== undefined,
      windowed.storageThroughput !== undefined,
      windowed.iops ?? rec.attrs.iops,
      {
        engine: rec.attrs.engine,
        allocatedStorage: windowed.allocatedStorage ?? rec.attrs.allocatedStorage,
        iops: windowed.iops,
        storageThroughput: windowed.storageThroughput,
      },
    );
  }

  // Validated: now mutate. These apply at once whatever ApplyImmediately says, without a status change.
  if (input.DeletionProtection !== undefined) rec.attrs.deletionProtection = input.DeletionProtection;
  if (input.CopyTagsToSnapshot !== undefined) rec.attrs.copyTagsToSnapshot = input.CopyTagsToSnapshot;
  if (input.AutoMinorVersionUpgrade !== undefined) rec.attrs.autoMinorVersionUpgrade = input.AutoMinorVersionUpgrade;
  // Window changes take effect at once, whatever ApplyImmediately says, without a status change.
  if (input.PreferredBackupWindow !== undefined) rec.attrs.preferredBackupWindow = input.PreferredBackupWindow;
  if (input.PreferredMaintenanceWindow !== undefined) {
    rec.attrs.preferredMaintenanceWindow = input.PreferredMaintenanceWindow.toLowerCase();
  }
  if (!immediately) {
    Object.assign(rec.pendingChanges, windowed);
    if (newName !== undefined) rec.pendingIdentifier = newName;
  }
  const applying: Partial<SimInstanceAttributes> = immediately
    ? { ...rec.pendingChanges, ...windowed, ...asap }
    : { ...asap };
  if (immediately) rec.pendingChanges = {};
  const password = input.MasterUserPassword;
  if (renameTo !== undefined) {
    startRename(sim, rec, renameTo, applying, password);
    // RDS answers with the instance as it is right after the call: old name, still available.
    return { DBInstance: toDBInstance(sim, rec) };
  }
  if (Object.keys(applying).length > 0 || password !== undefined) {
    startModify(sim, rec, applying, password);
  }
  return { DBInstance: toDBInstance(sim, rec) };
}

const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
const BACKUP_WINDOW_RE = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAINTENANCE_WINDOW_RE =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/i;

/** RDS's rules for the settings the tool re-applies after the swap (docs/aws-facts.md). */
function validateSettings(rec: InstanceRecord, input: ModifyDBInstanceCommandInput): void {
  const interval = input.MonitoringInterval ?? rec.attrs.monitoringInterval;
  if (input.MonitoringInterval !== undefined && !MONITORING_INTERVALS.includes(input.MonitoringInterval)) {
    throw invalidParameterValue(
      `Invalid MonitoringInterval ${input.MonitoringInterval}: valid values are ${MONITORING_INTERVALS.join(', ')}.`,
    );
  }
  if (interval > 0 && (input.MonitoringRoleArn ?? rec.attrs.monitoringRoleArn) === undefined) {
    throw invalidParameterCombination(
      'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.',
    );
  }
  if (input.PreferredBackupWindow !== undefined && !BACKUP_WINDOW_RE.test(input.PreferredBackupWindow)) {
    throw invalidParameterValue(`Invalid PreferredBackupWindow: ${input.PreferredBackupWindow}`);
  }
  if (input.PreferredMaintenanceWindow !== undefined && !MAINTENANCE_WINDOW_RE.test(input.PreferredMaintenanceWindow)) {
    throw invalidParameterValue(`Invalid PreferredMaintenanceWindow: ${input.PreferredMaintenanceWindow}`);
  }
  const size = input.AllocatedStorage ?? rec.attrs.allocatedStorage;
  if (input.MaxAllocatedStorage !== undefined && input.MaxAllocatedStorage <= size) {
    throw invalidParameterCombination('Max storage size must be greater than storage size.');
  }
  const piOn = input.EnablePerformanceInsights ?? rec.attrs.performanceInsightsEnabled;
  if (
    !piOn &&
    (input.PerformanceInsightsKMSKeyId !== undefined || input.PerformanceInsightsRetentionPeriod !== undefined)
  ) {
    throw invalidParameterCombination('Performance Insights options require Performance Insights to be enabled.');
  }
  if (
    input.PerformanceInsightsKMSKeyId !== undefined &&
    rec.attrs.performanceInsightsKmsKeyId !== undefined &&
    input.PerformanceInsightsKMSKeyId !== rec.attrs.performanceInsightsKmsKeyId
  ) {
    throw invalidParameterCombination("You can't change the KMS key of Performance Insights once it is set.");
  }
}

function applyChanges(
  sim: SimState,
  rec: InstanceRecord,
  changes: Partial<SimInstanceAttributes>,
  password: string | undefined,
): void {
  if (changes.dbParameterGroupName !== undefined && changes.dbParameterGroupName !== rec.attrs.dbParameterGroupName) {
    rec.parameterApplyStatus = 'pending-reboot';
  }
  const storageChanged = changes.storageType !== undefined && changes.storageType !== rec.attrs.storageType;
  if (storageChanged) {
    delete rec.attrs.iops;
    delete rec.attrs.storageThroughput;
  }
  Object.assign(rec.attrs, deepCopy(changes));
  normaliseStorage(rec.attrs);
  if (password !== undefined) {
    rec.passwordChanges += 1;
    rec.passwordChangedAt = new Date(sim.nowMs);
    const hook = sim.dataPlane.setMasterPassword;
    if (hook) callHook(sim, () => hook.call(sim.dataPlane, view(sim, rec), password));
  }
}

function startModify(
  sim: SimState,
  rec: InstanceRecord,
  changes: Partial<SimInstanceAttributes>,
  password: string | undefined,
): void {
  rec.applyingChanges = changes;
  rec.applyingPassword = password;
  const finish = (): void => {
    rec.applyingChanges = {};
    delete rec.applyingPassword;
  };
  // Turning automated backups on takes a first backup at once (docs/aws-facts.md).
  const backupsOn = (changes.backupRetentionPeriod ?? 0) > 0 && rec.attrs.backupRetentionPeriod === 0;
  startOperation(
    sim,
    rec,
    [
      {
        status: 'modifying',
        seconds: sim.timings.modifySeconds,
        onEnd: () => {
          applyChanges(sim, rec, changes, password);
          finish();
        },
      },
      ...(backupsOn ? [{ status: 'backing-up', seconds: sim.timings.baselineBackupSeconds }] : []),
      { status: 'available', seconds: Infinity },
    ],
    takeStatusFault(sim, 'modify', [rec.identifier]),
    sim.timings.modifySeconds,
    finish,
  );
}

function startRename(
  sim: SimState,
  rec: InstanceRecord,
  newName: string,
  changes: Partial<SimInstanceAttributes>,
  password: string | undefined,
): void {
  const oldName = rec.identifier;
  const t = sim.timings;
  rec.pendingIdentifier = newName;
  rec.reserved = new Set([oldName, newName]);
  rec.applyingChanges = changes;
  rec.applyingPassword = password;
  const cleanup = (): void => {
    rec.reserved = new Set();
    delete rec.pendingIdentifier;
    rec.applyingChanges = {};
    delete rec.applyingPassword;
    rec.hidden = false;
  };
  startOperation(
    sim,
    rec,
    [
      { status: 'available', seconds: t.renameStartSeconds },
      { status: 'renaming', seconds: t.renameHiddenSeconds, hidden: true },
      {
        status: 'renaming',
        seconds: t.renamingSeconds,
        onStart: () => {
          rec.identifier = newName;
          cleanup();
          applyChanges(sim, rec, changes, password);
        },
      },
      { status: 'available', seconds: t.renameFirstAvailableSeconds },
      {
        status: 'rebooting',
        seconds: t.rebootSeconds,
        onEnd: () => {
          rec.parameterApplyStatus = 'in-sync';
        },
      },
      { status: 'available', seconds: Infinity },
    ],
    takeStatusFault(sim, 'rename', [oldName, newName]),
    t.renameStartSeconds,
    cleanup,
  );
}
