/**
 * Offline RDS simulator behind a real `RDSClient` (routed with aws-sdk-client-mock).
 *
 * Models the behaviours listed in /work/shared/docs/aws-facts.md: restore defaults (default security group,
 * default parameter/option groups, tags copied from the source when none are given, baseline backup after a
 * restore), the rename race (old name still `available`, then not found under either name, then renaming →
 * available → rebooting → available under the new name), delete preconditions, snapshot paging in an order
 * that is not sorted by time. Time is virtual: it moves only when `advance()` is called.
 */
import * as rdsModule from '@aws-sdk/client-rds';
import {
  AddTagsToResourceCommand,
  CreateDBSnapshotCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DBSubnetGroupNotFoundFault,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ListTagsForResourceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RDSServiceException,
  RebootDBInstanceCommand,
  RemoveTagsFromResourceCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import type {
  AddTagsToResourceCommandInput,
  CreateDBSnapshotCommandInput,
  DBInstance,
  DBSnapshot,
  DeleteDBInstanceCommandInput,
  DeleteDBSnapshotCommandInput,
  DescribeDBInstancesCommandInput,
  DescribeDBInstancesCommandOutput,
  DescribeDBSnapshotsCommandInput,
  DescribeDBSnapshotsCommandOutput,
  Filter,
  ListTagsForResourceCommandInput,
  ModifyDBInstanceCommandInput,
  PendingModifiedValues,
  RebootDBInstanceCommandInput,
  RemoveTagsFromResourceCommandInput,
  RestoreDBInstanceFromDBSnapshotCommandInput,
  Tag,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

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
  monitoringInterval: number;
  autoMinorVersionUpgrade: boolean;
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
}

// ---------------------------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------------------------

const DEFAULT_START = '2026-12-01T00:00:00Z';
const DEFAULT_VPC = 'vpc-0default';
const DEFAULT_SECURITY_GROUP = 'sg-default';
const HOSTED_ZONE_ID = 'Z2R2ITUGPM61AM';
const REDACTED = '***REDACTED***';

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

/** RDS common error codes that the real SDK surfaces as RDSServiceException with that name. */
const COMMON_ERRORS: Record<string, 'client' | 'server'> = {
  InvalidParameterValue: 'client',
  InvalidParameterCombination: 'client',
  MissingParameter: 'client',
  Throttling: 'client',
  ThrottlingException: 'client',
  AccessDenied: 'client',
  AccessDeniedException: 'client',
  ValidationError: 'client',
  ExpiredToken: 'client',
  InternalFailure: 'server',
  ServiceUnavailable: 'server',
};

interface Phase {
  status: string;
  seconds: number;
  hidden?: boolean;
  onStart?: () => void;
  onEnd?: () => void;
}

interface Interrupt {
  at: number;
  status: string;
  cleanup?: () => void;
}

interface InstanceRecord {
  seq: number;
  identifier: string;
  resourceId: string;
  status: string;
  hidden: boolean;
  attrs: SimInstanceAttributes;
  tags: Tag[];
  createTime: Date;
  pendingIdentifier?: string;
  /** Changes waiting for the maintenance window (no ApplyImmediately). */
  pendingChanges: Partial<SimInstanceAttributes>;
  /** Changes being applied now (`modifying`, or at the end of a rename). */
  applyingChanges: Partial<SimInstanceAttributes>;
  applyingPassword?: string;
  reserved: Set<string>;
  parameterApplyStatus: string;
  endpointOverride?: SimEndpoint;
  passwordChanges: number;
  passwordChangedAt?: Date;
  restoredFrom?: string;
  data?: unknown;
  queue: Phase[];
  phaseEndsAt?: number;
  interrupt?: Interrupt;
  gone: boolean;
  deletedAt?: Date;
  deleteRequest?: SimDeleteRequest;
}

interface SnapshotRecord {
  seq: number;
  identifier: string;
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
  availabilityZone: string;
  tags: Tag[];
  data?: unknown;
  becomes?: { status: string; at: number };
}

type Input = Record<string, unknown>;

function rdsError(name: string, message: string): Error {
  const ctor = (rdsModule as unknown as Record<string, unknown>)[name];
  if (typeof ctor === 'function' && Object.prototype.isPrototypeOf.call(RDSServiceException, ctor)) {
    return new (ctor as new (opts: { message: string; $metadata: object }) => Error)({ message, $metadata: {} });
  }
  const fault = COMMON_ERRORS[name];
  if (fault) return new RDSServiceException({ name, $fault: fault, message, $metadata: {} });
  const err = new Error(message);
  err.name = name;
  return err;
}

const invalidParameterValue = (message: string): Error => rdsError('InvalidParameterValue', message);
const invalidParameterCombination = (message: string): Error => rdsError('InvalidParameterCombination', message);
const instanceNotFound = (id: string): Error =>
  new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
const snapshotNotFound = (id: string): Error =>
  new DBSnapshotNotFoundFault({ message: `DBSnapshot ${id} not found.`, $metadata: {} });
const invalidInstanceState = (message: string): Error => new InvalidDBInstanceStateFault({ message, $metadata: {} });
const alreadyExists = (id: string): Error =>
  new DBInstanceAlreadyExistsFault({ message: `DB instance already exists: ${id}`, $metadata: {} });

const INSTANCE_ID_RE = /^[a-z][a-z0-9-]{0,62}$/i;
const SNAPSHOT_ID_RE = /^[a-z][a-z0-9-]{0,254}$/i;

function validateIdentifier(value: unknown, param: string, re = INSTANCE_ID_RE): string {
  if (typeof value !== 'string' || value === '')
    throw rdsError('MissingParameter', `The parameter ${param} must be provided.`);
  if (!re.test(value) || value.endsWith('-') || value.includes('--')) {
    throw invalidParameterValue(
      `The parameter ${param} is not a valid identifier. Identifiers must begin with a letter; must contain only ` +
        'ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.',
    );
  }
  return value.toLowerCase();
}

function copyTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
}

function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

function redact(input: Input): Input {
  let copy: Input;
  try {
    copy = deepCopy(input);
  } catch {
    copy = { ...input };
  }
  if ('MasterUserPassword' in copy) copy.MasterUserPassword = REDACTED;
  return copy;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function majorVersion(engineVersion: string): string {
  return engineVersion.split('.')[0] ?? engineVersion;
}

/** Normalise IOPS/throughput for a storage type (gp3 defaults for PostgreSQL, none for gp2/standard). */
function normaliseStorage(a: SimInstanceAttributes): void {
  if (a.storageType === 'gp2' || a.storageType === 'standard') {
    delete a.iops;
    delete a.storageThroughput;
  } else if (a.storageType === 'gp3') {
    a.iops ??= a.allocatedStorage >= 400 ? 12000 : 3000;
    a.storageThroughput ??= a.allocatedStorage >= 400 ? 500 : 125;
  } else {
    delete a.storageThroughput;
  }
}

function validateStorage(storageType: string, iopsGiven: boolean, throughputGiven: boolean, iops: unknown): void {
  if (!['gp2', 'gp3', 'io1', 'io2', 'standard'].includes(storageType)) {
    throw invalidParameterValue(`Invalid storage type: ${storageType}`);
  }
  if (iopsGiven && (storageType === 'gp2' || storageType === 'standard')) {
    throw invalidParameterCombination(`You can't specify IOPS for storage type ${storageType}.`);
  }
  if (throughputGiven && storageType !== 'gp3') {
    throw invalidParameterCombination(`You can't specify storage throughput for storage type ${storageType}.`);
  }
  if ((storageType === 'io1' || storageType === 'io2') && iops === undefined) {
    throw invalidParameterCombination(`IOPS must be specified for storage type ${storageType}.`);
  }
}

function validateBackupRetention(value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 35)) {
    throw invalidParameterValue(`Invalid backup retention period: ${String(value)}. Must be between 0 and 35.`);
  }
}

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

function page<T>(items: T[], input: { MaxRecords?: unknown; Marker?: unknown }): { items: T[]; marker?: string } {
  const max = parseMaxRecords(input.MaxRecords);
  const offset = decodeMarker(input.Marker);
  const slice = items.slice(offset, offset + max);
  return offset + max < items.length ? { items: slice, marker: encodeMarker(offset + max) } : { items: slice };
}

function mergeTags(existing: Tag[], added: readonly Tag[]): Tag[] {
  const out = copyTags(existing);
  for (const tag of added) {
    const i = out.findIndex((t) => t.Key === tag.Key);
    if (i >= 0) out[i] = { Key: tag.Key, Value: tag.Value };
    else out.push({ Key: tag.Key, Value: tag.Value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Simulator
// ---------------------------------------------------------------------------------------------------------------

export class RdsSimulator {
  readonly clock: VirtualClock;
  readonly calls: SimCall[] = [];
  readonly timings: Readonly<SimTimings>;
  readonly region: string;
  readonly accountId: string;

  private nowMs: number;
  private readonly dataPlane: DataPlane;
  private readonly subnetGroups = new Map<string, string>([['default', DEFAULT_VPC]]);
  private readonly live: InstanceRecord[] = [];
  private readonly removed: InstanceRecord[] = [];
  private readonly snaps: SnapshotRecord[] = [];
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly statusFaults: StatusFault[] = [];
  private readonly pending: Array<Promise<void>> = [];
  private readonly hookErrors: unknown[] = [];
  private instanceCounter = 0;
  private snapshotCounter = 0;

  constructor(options: RdsSimulatorOptions = {}) {
    this.nowMs = (options.start ?? new Date(DEFAULT_START)).getTime();
    this.timings = Object.freeze({ ...DEFAULT_TIMINGS, ...options.timings });
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.dataPlane = options.dataPlane ?? {};
    for (const [name, vpc] of Object.entries(options.subnetGroups ?? {})) this.subnetGroups.set(name, vpc);
    this.clock = { now: () => new Date(this.nowMs), advance: (seconds: number) => this.advance(seconds) };
  }

  // ----- time -----

  /** Moves virtual time forward, applying every transition that became due, in time order. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`advance(): invalid seconds ${seconds}`);
    this.runDue(this.nowMs + seconds * 1000);
  }

  /** Awaits all pending data-plane hook work; rethrows the first hook failure. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      await Promise.all(batch);
    }
    if (this.hookErrors.length > 0) {
      const [first] = this.hookErrors.splice(0);
      throw first;
    }
  }

  // ----- client -----

  /** A new real RDSClient whose send() is served by this simulator. */
  client(): RDSClient {
    const client = new RDSClient({
      region: this.region,
      credentials: { accessKeyId: 'AKIARDSSIMULATOR0000', secretAccessKey: 'rds-simulator-secret' },
    });
    const stub = mockClient(client);
    stub.send.callsFake((command: { input?: unknown }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const input = redact((command.input ?? {}) as Input);
      this.calls.push({ command: name, input, at: new Date(this.nowMs), error: 'Error', mutating: false });
      return Promise.reject(new Error(`RdsSimulator: unsupported command ${name}`));
    });
    stub
      .on(DescribeDBInstancesCommand)
      .callsFake((i: DescribeDBInstancesCommandInput) =>
        this.handle('DescribeDBInstances', i, () => this.describeInstances(i)),
      );
    stub
      .on(DescribeDBSnapshotsCommand)
      .callsFake((i: DescribeDBSnapshotsCommandInput) =>
        this.handle('DescribeDBSnapshots', i, () => this.describeSnapshots(i)),
      );
    stub
      .on(ListTagsForResourceCommand)
      .callsFake((i: ListTagsForResourceCommandInput) => this.handle('ListTagsForResource', i, () => this.listTags(i)));
    stub
      .on(RestoreDBInstanceFromDBSnapshotCommand)
      .callsFake((i: RestoreDBInstanceFromDBSnapshotCommandInput) =>
        this.handle('RestoreDBInstanceFromDBSnapshot', i, () => this.restore(i)),
      );
    stub
      .on(ModifyDBInstanceCommand)
      .callsFake((i: ModifyDBInstanceCommandInput) => this.handle('ModifyDBInstance', i, () => this.modify(i)));
    stub
      .on(DeleteDBInstanceCommand)
      .callsFake((i: DeleteDBInstanceCommandInput) => this.handle('DeleteDBInstance', i, () => this.deleteInstance(i)));
    stub
      .on(RebootDBInstanceCommand)
      .callsFake((i: RebootDBInstanceCommandInput) => this.handle('RebootDBInstance', i, () => this.reboot(i)));
    stub
      .on(AddTagsToResourceCommand)
      .callsFake((i: AddTagsToResourceCommandInput) => this.handle('AddTagsToResource', i, () => this.addTags(i)));
    stub
      .on(RemoveTagsFromResourceCommand)
      .callsFake((i: RemoveTagsFromResourceCommandInput) =>
        this.handle('RemoveTagsFromResource', i, () => this.removeTags(i)),
      );
    stub
      .on(CreateDBSnapshotCommand)
      .callsFake((i: CreateDBSnapshotCommandInput) => this.handle('CreateDBSnapshot', i, () => this.createSnapshot(i)));
    stub
      .on(DeleteDBSnapshotCommand)
      .callsFake((i: DeleteDBSnapshotCommandInput) => this.handle('DeleteDBSnapshot', i, () => this.deleteSnapshot(i)));
    return client;
  }

  // ----- seeding -----

  addInstance(seed: InstanceSeed): SimInstance {
    const identifier = validateIdentifier(seed.identifier, 'DBInstanceIdentifier');
    if (this.nameTaken(identifier)) throw new Error(`addInstance: ${identifier} already exists`);
    const { identifier: _id, status, becomes, tags, createTime, data, ...overrides } = seed;
    void _id;
    const attrs: SimInstanceAttributes = {
      engine: 'postgres',
      engineVersion: '18.1',
      dbInstanceClass: 'db.m5.xlarge',
      allocatedStorage: 3000,
      storageType: 'gp2',
      multiAZ: false,
      availabilityZone: `${this.region}a`,
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
      monitoringInterval: 0,
      autoMinorVersionUpgrade: true,
      ...deepCopy(overrides),
    };
    if (attrs.storageEncrypted && attrs.kmsKeyId === undefined) {
      attrs.kmsKeyId = `arn:aws:kms:${this.region}:${this.accountId}:key/aws-rds-default`;
    }
    normaliseStorage(attrs);
    if (!this.subnetGroups.has(attrs.dbSubnetGroupName)) this.subnetGroups.set(attrs.dbSubnetGroupName, attrs.vpcId);
    const rec = this.newRecord(identifier, attrs, copyTags(tags), createTime ?? new Date(this.nowMs));
    rec.data = data;
    const initial = status ?? 'available';
    rec.queue = becomes
      ? [
          { status: initial, seconds: becomes.afterSeconds },
          { status: becomes.status, seconds: Infinity },
        ]
      : [{ status: initial, seconds: Infinity }];
    this.enterPhase(rec);
    return this.view(rec);
  }

  addSnapshot(seed: SnapshotSeed): SimSnapshot {
    const identifier = seed.identifier.toLowerCase();
    if (this.findSnapshot(identifier)) throw new Error(`addSnapshot: ${identifier} already exists`);
    const source = this.findInstanceRecord(seed.instanceIdentifier);
    const rec = this.newSnapshot(identifier, seed.instanceIdentifier.toLowerCase(), source, {
      snapshotType: seed.snapshotType ?? (identifier.startsWith('rds:') ? 'automated' : 'manual'),
      status: seed.status ?? 'available',
      createTime: seed.createTime ?? new Date(this.nowMs),
      tags: seed.tags,
    });
    if (seed.engine !== undefined) rec.engine = seed.engine;
    if (seed.engineVersion !== undefined) rec.engineVersion = seed.engineVersion;
    if (seed.dbInstanceClass !== undefined) rec.dbInstanceClass = seed.dbInstanceClass;
    if (seed.allocatedStorage !== undefined) rec.allocatedStorage = seed.allocatedStorage;
    if (seed.storageType !== undefined) rec.storageType = seed.storageType;
    if (seed.iops !== undefined) rec.iops = seed.iops;
    if (seed.storageThroughput !== undefined) rec.storageThroughput = seed.storageThroughput;
    if (seed.port !== undefined) rec.port = seed.port;
    if (seed.masterUsername !== undefined) rec.masterUsername = seed.masterUsername;
    if (seed.backupRetentionPeriod !== undefined) rec.backupRetentionPeriod = seed.backupRetentionPeriod;
    if (seed.encrypted !== undefined) rec.encrypted = seed.encrypted;
    if (seed.kmsKeyId !== undefined) rec.kmsKeyId = seed.kmsKeyId;
    if (seed.dbiResourceId !== undefined) rec.dbiResourceId = seed.dbiResourceId;
    if (seed.becomes) rec.becomes = { status: seed.becomes.status, at: this.nowMs + seed.becomes.afterSeconds * 1000 };
    if ('data' in seed) rec.data = seed.data;
    else if (source) this.captureSnapshotData(rec, source);
    this.snaps.push(rec);
    return this.snapshotView(rec);
  }

  // ----- inspection -----

  /** Every instance that exists (not yet gone), including ones hidden mid-rename, in creation order. */
  instances(): SimInstanceView[] {
    return this.live.map((r) => this.view(r));
  }

  /** The instance whose current name is `identifier` (case-insensitive), hidden or not. */
  instance(identifier: string): SimInstanceView | undefined {
    const rec = this.findInstanceRecord(identifier);
    return rec ? this.view(rec) : undefined;
  }

  instanceByResourceId(resourceId: string): SimInstanceView | undefined {
    const rec =
      this.live.find((r) => r.resourceId === resourceId) ?? this.removed.find((r) => r.resourceId === resourceId);
    return rec ? this.view(rec) : undefined;
  }

  /** Instances that finished deleting, in deletion order. */
  deleted(): SimInstanceView[] {
    return this.removed.map((r) => this.view(r));
  }

  snapshots(): SimSnapshotView[] {
    return this.snaps.map((s) => this.snapshotView(s));
  }

  snapshot(identifier: string): SimSnapshotView | undefined {
    const rec = this.findSnapshot(identifier);
    return rec ? this.snapshotView(rec) : undefined;
  }

  mutatingCalls(): SimCall[] {
    return this.calls.filter((c) => c.mutating);
  }

  // ----- faults -----

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  injectStatusFault(fault: StatusFault): void {
    this.statusFaults.push({ ...fault });
  }

  // =============================================================================================================
  // Command plumbing
  // =============================================================================================================

  private async handle(command: SimCommandName, rawInput: unknown, fn: () => unknown): Promise<unknown> {
    const input = (rawInput ?? {}) as Input;
    this.runDue(this.nowMs);
    const call: SimCall = {
      command,
      input: redact(input),
      at: new Date(this.nowMs),
      mutating: MUTATING_COMMANDS.includes(command),
    };
    this.calls.push(call);
    try {
      if (this.pending.length > 0 || this.hookErrors.length > 0) await this.settle();
      const fault = this.faults.find((f) => f.command === command && f.remaining > 0 && (!f.when || f.when(input)));
      if (fault && !fault.applyFirst) throw this.consumeFault(fault, command);
      const result = await fn();
      if (fault) throw this.consumeFault(fault, command);
      return deepCopy(result);
    } catch (err) {
      call.error = err instanceof Error ? err.name : 'Error';
      throw err;
    }
  }

  private consumeFault(fault: Fault & { remaining: number }, command: string): Error {
    fault.remaining -= 1;
    return rdsError(fault.error, fault.message ?? `Injected ${fault.error} on ${command}`);
  }

  private track(work: unknown): void {
    if (!isPromiseLike(work)) return;
    this.pending.push(
      Promise.resolve(work).then(
        () => undefined,
        (err: unknown) => {
          this.hookErrors.push(err);
        },
      ),
    );
  }

  private callHook(fn: () => unknown): void {
    try {
      this.track(fn());
    } catch (err) {
      this.hookErrors.push(err);
    }
  }

  // =============================================================================================================
  // Clock and phases
  // =============================================================================================================

  private runDue(targetMs: number): void {
    for (let guard = 0; ; guard++) {
      if (guard > 1_000_000) throw new Error('RdsSimulator: runaway transitions');
      let best: { at: number; rank: number; run: () => void } | undefined;
      const consider = (at: number | undefined, rank: number, run: () => void): void => {
        if (at === undefined || at > targetMs) return;
        if (!best || at < best.at || (at === best.at && rank < best.rank)) best = { at, rank, run };
      };
      for (const rec of this.live) {
        const interrupt = rec.interrupt;
        if (interrupt) consider(interrupt.at, 0, () => this.fireInterrupt(rec, interrupt));
        consider(rec.phaseEndsAt, 1, () => this.endPhase(rec));
      }
      for (const snap of this.snaps) {
        const becomes = snap.becomes;
        if (becomes) {
          consider(becomes.at, 2, () => {
            snap.status = becomes.status;
            if (becomes.status === 'available') snap.percentProgress = 100;
            delete snap.becomes;
          });
        }
      }
      if (!best) break;
      this.nowMs = Math.max(this.nowMs, best.at);
      best.run();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
  }

  private enterPhase(rec: InstanceRecord): void {
    const phase = rec.queue[0];
    if (!phase) return;
    rec.status = phase.status;
    rec.hidden = phase.hidden ?? false;
    rec.phaseEndsAt = Number.isFinite(phase.seconds) ? this.nowMs + phase.seconds * 1000 : undefined;
    phase.onStart?.();
  }

  private endPhase(rec: InstanceRecord): void {
    const phase = rec.queue.shift();
    rec.phaseEndsAt = undefined;
    phase?.onEnd?.();
    if (rec.gone) return;
    if (rec.queue.length > 0) this.enterPhase(rec);
  }

  private fireInterrupt(rec: InstanceRecord, interrupt: Interrupt): void {
    delete rec.interrupt;
    interrupt.cleanup?.();
    rec.queue = [{ status: interrupt.status, seconds: Infinity }];
    this.enterPhase(rec);
  }

  /** Replaces the instance's phase chain with `phases` (ending in a steady state) and starts it. */
  private startOperation(
    rec: InstanceRecord,
    phases: Phase[],
    fault?: StatusFault,
    defaultAfter = 0,
    cleanup?: () => void,
  ): void {
    delete rec.interrupt;
    rec.queue = phases;
    if (fault) {
      rec.interrupt = { at: this.nowMs + (fault.afterSeconds ?? defaultAfter) * 1000, status: fault.status, cleanup };
    }
    this.enterPhase(rec);
  }

  private takeStatusFault(operation: StatusFaultOperation, names: string[]): StatusFault | undefined {
    const i = this.statusFaults.findIndex(
      (f) => f.operation === operation && (f.identifier === undefined || names.includes(f.identifier.toLowerCase())),
    );
    if (i < 0) return undefined;
    return this.statusFaults.splice(i, 1)[0];
  }

  private isSteady(rec: InstanceRecord): boolean {
    return rec.queue.length <= 1 && rec.phaseEndsAt === undefined && rec.interrupt === undefined;
  }

  // =============================================================================================================
  // Records and views
  // =============================================================================================================

  private newRecord(identifier: string, attrs: SimInstanceAttributes, tags: Tag[], createTime: Date): InstanceRecord {
    this.instanceCounter += 1;
    const rec: InstanceRecord = {
      seq: this.instanceCounter,
      identifier,
      resourceId: `db-SIM${String(this.instanceCounter).padStart(23, '0')}`,
      status: 'available',
      hidden: false,
      attrs,
      tags,
      createTime,
      pendingChanges: {},
      applyingChanges: {},
      reserved: new Set(),
      parameterApplyStatus: 'in-sync',
      passwordChanges: 0,
      queue: [],
      gone: false,
    };
    this.live.push(rec);
    return rec;
  }

  private newSnapshot(
    identifier: string,
    instanceIdentifier: string,
    source: InstanceRecord | undefined,
    opts: { snapshotType: string; status: string; createTime: Date; tags?: Tag[] },
  ): SnapshotRecord {
    this.snapshotCounter += 1;
    const a = source?.attrs;
    return {
      seq: this.snapshotCounter,
      identifier,
      instanceIdentifier,
      snapshotType: opts.snapshotType,
      status: opts.status,
      createTime: opts.createTime,
      percentProgress: opts.status === 'available' ? 100 : 0,
      engine: a?.engine ?? 'postgres',
      engineVersion: a?.engineVersion ?? '18.1',
      dbInstanceClass: a?.dbInstanceClass ?? 'db.m5.xlarge',
      allocatedStorage: a?.allocatedStorage ?? 3000,
      storageType: a?.storageType ?? 'gp2',
      iops: a?.iops,
      storageThroughput: a?.storageThroughput,
      port: a?.port ?? 5432,
      masterUsername: a?.masterUsername ?? 'deploy',
      backupRetentionPeriod: a?.backupRetentionPeriod ?? 7,
      encrypted: a?.storageEncrypted ?? false,
      kmsKeyId: a?.kmsKeyId,
      dbiResourceId: source?.resourceId ?? `db-SIMSNAPSRC${String(this.snapshotCounter).padStart(14, '0')}`,
      vpcId: a?.vpcId ?? DEFAULT_VPC,
      availabilityZone: a?.availabilityZone ?? `${this.region}a`,
      tags: copyTags(opts.tags ?? source?.tags),
    };
  }

  private captureSnapshotData(snap: SnapshotRecord, source: InstanceRecord): void {
    const hook = this.dataPlane.snapshotOf;
    if (!hook) {
      snap.data = source.data;
      return;
    }
    this.callHook(() => {
      const result = hook.call(this.dataPlane, this.view(source));
      if (!isPromiseLike(result)) {
        snap.data = result;
        return undefined;
      }
      return Promise.resolve(result).then((data) => {
        snap.data = data;
      });
    });
  }

  private arnOf(identifier: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:db:${identifier}`;
  }

  private snapshotArnOf(identifier: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:snapshot:${identifier}`;
  }

  private endpointOf(rec: InstanceRecord): SimEndpoint | undefined {
    if (rec.status === 'creating') return undefined;
    return (
      rec.endpointOverride ?? {
        address: `${rec.identifier}.c0sim0000000.${this.region}.rds.amazonaws.com`,
        port: rec.attrs.port,
      }
    );
  }

  private pendingValues(rec: InstanceRecord): PendingModifiedValues {
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

  private view(rec: InstanceRecord): SimInstanceView {
    const endpoint = this.endpointOf(rec);
    const v: SimInstanceView = {
      ...deepCopy(rec.attrs),
      identifier: rec.identifier,
      status: rec.status,
      resourceId: rec.resourceId,
      arn: this.arnOf(rec.identifier),
      hidden: rec.hidden,
      reservedNames: [rec.identifier, ...[...rec.reserved].filter((n) => n !== rec.identifier)],
      tags: copyTags(rec.tags),
      createTime: new Date(rec.createTime),
      pendingModifiedValues: this.pendingValues(rec),
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

  private snapshotView(s: SnapshotRecord): SimSnapshotView {
    const v: SimSnapshotView = {
      identifier: s.identifier,
      arn: this.snapshotArnOf(s.identifier),
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

  private toDBInstance(rec: InstanceRecord): DBInstance {
    const a = rec.attrs;
    const endpoint = this.endpointOf(rec);
    const out: DBInstance = {
      DBInstanceIdentifier: rec.identifier,
      DBInstanceClass: a.dbInstanceClass,
      Engine: a.engine,
      DBInstanceStatus: rec.status,
      MasterUsername: a.masterUsername,
      AllocatedStorage: a.allocatedStorage,
      PreferredBackupWindow: '03:00-03:30',
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
      PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
      PendingModifiedValues: this.pendingValues(rec),
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
      DBInstanceArn: this.arnOf(rec.identifier),
      IAMDatabaseAuthenticationEnabled: false,
      PerformanceInsightsEnabled: a.performanceInsightsEnabled,
      EnabledCloudwatchLogsExports: [...a.enabledCloudwatchLogsExports],
      DeletionProtection: a.deletionProtection,
      TagList: copyTags(rec.tags),
    };
    if (endpoint) out.Endpoint = { Address: endpoint.address, Port: endpoint.port, HostedZoneId: HOSTED_ZONE_ID };
    if (rec.status !== 'creating') out.InstanceCreateTime = new Date(rec.createTime);
    if (a.multiAZ)
      out.SecondaryAvailabilityZone = a.availabilityZone.endsWith('b') ? `${this.region}a` : `${this.region}b`;
    else out.AvailabilityZone = a.availabilityZone;
    if (a.iops !== undefined) out.Iops = a.iops;
    if (a.storageThroughput !== undefined) out.StorageThroughput = a.storageThroughput;
    if (a.kmsKeyId !== undefined) out.KmsKeyId = a.kmsKeyId;
    return out;
  }

  private toDBSnapshot(s: SnapshotRecord): DBSnapshot {
    const out: DBSnapshot = {
      DBSnapshotIdentifier: s.identifier,
      DBInstanceIdentifier: s.instanceIdentifier,
      SnapshotCreateTime: new Date(s.createTime),
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
      DBSnapshotArn: this.snapshotArnOf(s.identifier),
      IAMDatabaseAuthenticationEnabled: false,
      DbiResourceId: s.dbiResourceId,
      TagList: copyTags(s.tags),
    };
    if (s.iops !== undefined) out.Iops = s.iops;
    if (s.storageThroughput !== undefined) out.StorageThroughput = s.storageThroughput;
    if (s.kmsKeyId !== undefined) out.KmsKeyId = s.kmsKeyId;
    return out;
  }

  // ----- lookups -----

  private findInstanceRecord(identifier: string): InstanceRecord | undefined {
    const name = identifier.toLowerCase();
    return this.live.find((r) => r.identifier === name);
  }

  /** The instance answering to that name or ARN right now (hidden mid-rename instances answer to none). */
  private visibleInstance(idOrArn: unknown): InstanceRecord | undefined {
    if (typeof idOrArn !== 'string') return undefined;
    const name = this.instanceNameFrom(idOrArn);
    if (name === undefined) return undefined;
    return this.live.find((r) => !r.hidden && r.identifier === name);
  }

  private requireInstance(idOrArn: unknown): InstanceRecord {
    if (typeof idOrArn !== 'string' || idOrArn === '') {
      throw rdsError('MissingParameter', 'The parameter DBInstanceIdentifier must be provided.');
    }
    const rec = this.visibleInstance(idOrArn);
    if (!rec) throw instanceNotFound(this.instanceNameFrom(idOrArn) ?? idOrArn);
    return rec;
  }

  private instanceNameFrom(idOrArn: string): string | undefined {
    if (!idOrArn.startsWith('arn:')) return idOrArn.toLowerCase();
    const parts = idOrArn.split(':');
    if (parts[2] !== 'rds' || parts[5] !== 'db') return undefined;
    if (parts[3] !== this.region || parts[4] !== this.accountId) return undefined;
    return parts.slice(6).join(':').toLowerCase();
  }

  private snapshotNameFrom(idOrArn: string): string | undefined {
    if (!idOrArn.startsWith('arn:')) return idOrArn.toLowerCase();
    const parts = idOrArn.split(':');
    if (parts[2] !== 'rds' || parts[5] !== 'snapshot') return undefined;
    if (parts[3] !== this.region || parts[4] !== this.accountId) return undefined;
    return parts.slice(6).join(':').toLowerCase();
  }

  private findSnapshot(idOrArn: unknown): SnapshotRecord | undefined {
    if (typeof idOrArn !== 'string') return undefined;
    const name = this.snapshotNameFrom(idOrArn);
    return name === undefined ? undefined : this.snaps.find((s) => s.identifier === name);
  }

  /** A name is taken while an instance holds it (in any status, hidden or not) or reserves it for a rename. */
  private nameTaken(name: string, except?: InstanceRecord): boolean {
    return this.live.some((r) => r !== except && (r.identifier === name || r.reserved.has(name)));
  }

  private resolveResource(arn: unknown): { instance?: InstanceRecord; snapshot?: SnapshotRecord } {
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
      throw invalidParameterValue(`Invalid resource name: ${String(arn)}`);
    }
    const type = arn.split(':')[5];
    if (type === 'db') return { instance: this.requireInstance(arn) };
    if (type === 'snapshot') {
      const snapshot = this.findSnapshot(arn);
      if (!snapshot) throw snapshotNotFound(arn);
      return { snapshot };
    }
    throw invalidParameterValue(`Unsupported resource type in ${arn}`);
  }

  // =============================================================================================================
  // Commands
  // =============================================================================================================

  private describeInstances(input: DescribeDBInstancesCommandInput): DescribeDBInstancesCommandOutput {
    let items = this.live.filter((r) => !r.hidden);
    if (input.DBInstanceIdentifier !== undefined) items = [this.requireInstance(input.DBInstanceIdentifier)];
    for (const filter of input.Filters ?? []) items = this.applyInstanceFilter(items, filter);
    const { items: slice, marker } = page(items, input);
    const out: DescribeDBInstancesCommandOutput = {
      DBInstances: slice.map((r) => this.toDBInstance(r)),
      $metadata: {},
    };
    if (marker) out.Marker = marker;
    return out;
  }

  private applyInstanceFilter(items: InstanceRecord[], filter: Filter): InstanceRecord[] {
    const values = filter.Values ?? [];
    switch (filter.Name) {
      case 'db-instance-id': {
        const names = values.map((v) => this.instanceNameFrom(v));
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

  private describeSnapshots(input: DescribeDBSnapshotsCommandInput): DescribeDBSnapshotsCommandOutput {
    let items = [...this.snaps];
    if (input.DBSnapshotIdentifier !== undefined) {
      const snap = this.findSnapshot(input.DBSnapshotIdentifier);
      if (!snap) throw snapshotNotFound(input.DBSnapshotIdentifier);
      items = [snap];
    }
    if (input.DBInstanceIdentifier !== undefined) {
      const name = this.instanceNameFrom(input.DBInstanceIdentifier);
      items = items.filter((s) => s.instanceIdentifier === name);
    }
    if (input.DbiResourceId !== undefined) items = items.filter((s) => s.dbiResourceId === input.DbiResourceId);
    if (input.SnapshotType !== undefined) items = items.filter((s) => s.snapshotType === input.SnapshotType);
    else if (input.DBSnapshotIdentifier === undefined) {
      items = items.filter((s) => s.snapshotType === 'automated' || s.snapshotType === 'manual');
    }
    for (const filter of input.Filters ?? []) {
      const values = filter.Values ?? [];
      switch (filter.Name) {
        case 'db-instance-id':
          items = items.filter((s) => values.map((v) => this.instanceNameFrom(v)).includes(s.instanceIdentifier));
          break;
        case 'db-snapshot-id':
          items = items.filter((s) => values.map((v) => v.toLowerCase()).includes(s.identifier));
          break;
        case 'snapshot-type':
          items = items.filter((s) => values.includes(s.snapshotType));
          break;
        case 'dbi-resource-id':
          items = items.filter((s) => values.includes(s.dbiResourceId));
          break;
        case 'engine':
          items = items.filter((s) => values.includes(s.engine));
          break;
        default:
          throw invalidParameterValue(`Unrecognized filter name: ${String(filter.Name)}`);
      }
    }
    const { items: slice, marker } = page(items, input);
    const out: DescribeDBSnapshotsCommandOutput = {
      DBSnapshots: slice.map((s) => this.toDBSnapshot(s)),
      $metadata: {},
    };
    if (marker) out.Marker = marker;
    return out;
  }

  private listTags(input: ListTagsForResourceCommandInput): { TagList: Tag[] } {
    if (input.Filters && input.Filters.length > 0) throw invalidParameterValue('Filters are not supported.');
    const { instance, snapshot } = this.resolveResource(input.ResourceName);
    return { TagList: copyTags(instance ? instance.tags : snapshot?.tags) };
  }

  private addTags(input: AddTagsToResourceCommandInput): Record<string, never> {
    const { instance, snapshot } = this.resolveResource(input.ResourceName);
    const tags = input.Tags ?? [];
    if (instance) instance.tags = mergeTags(instance.tags, tags);
    if (snapshot) snapshot.tags = mergeTags(snapshot.tags, tags);
    return {};
  }

  private removeTags(input: RemoveTagsFromResourceCommandInput): Record<string, never> {
    const { instance, snapshot } = this.resolveResource(input.ResourceName);
    const keys = new Set(input.TagKeys ?? []);
    if (instance) instance.tags = instance.tags.filter((t) => !keys.has(t.Key ?? ''));
    if (snapshot) snapshot.tags = snapshot.tags.filter((t) => !keys.has(t.Key ?? ''));
    return {};
  }

  private async restore(input: RestoreDBInstanceFromDBSnapshotCommandInput): Promise<{ DBInstance: DBInstance }> {
    const target = validateIdentifier(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
    if (input.DBSnapshotIdentifier === undefined || input.DBSnapshotIdentifier === '') {
      throw rdsError('MissingParameter', 'The parameter DBSnapshotIdentifier must be provided.');
    }
    const snap = this.findSnapshot(input.DBSnapshotIdentifier);
    if (!snap) throw snapshotNotFound(input.DBSnapshotIdentifier);
    if (snap.status !== 'available') {
      throw new InvalidDBSnapshotStateFault({
        message: `Snapshot ${snap.identifier} is not in available state (status: ${snap.status}).`,
        $metadata: {},
      });
    }
    if (this.nameTaken(target)) throw alreadyExists(target);
    if ('KmsKeyId' in input)
      throw invalidParameterValue('KmsKeyId is not a RestoreDBInstanceFromDBSnapshot parameter.');
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
    validateStorage(storageType, input.Iops !== undefined, input.StorageThroughput !== undefined, iops);
    const subnetGroup = input.DBSubnetGroupName ?? 'default';
    const vpcId = this.subnetGroups.get(subnetGroup);
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
      availabilityZone: input.AvailabilityZone ?? `${this.region}a`,
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
      performanceInsightsEnabled: false,
      monitoringInterval: 0,
      autoMinorVersionUpgrade: input.AutoMinorVersionUpgrade ?? true,
    };
    normaliseStorage(attrs);
    // RDS copies the source's tags when no tags are given (an empty list counts as none: fail loudly, not silently).
    const tags = input.Tags && input.Tags.length > 0 ? copyTags(input.Tags) : copyTags(snap.tags);
    const rec = this.newRecord(target, attrs, tags, new Date(this.nowMs));
    rec.restoredFrom = snap.identifier;
    rec.data = snap.data;
    const t = this.timings;
    const phases: Phase[] = [{ status: 'creating', seconds: t.restoreSeconds }];
    if (attrs.backupRetentionPeriod > 0) phases.push({ status: 'backing-up', seconds: t.baselineBackupSeconds });
    phases.push({ status: 'available', seconds: Infinity });
    this.startOperation(rec, phases, this.takeStatusFault('restore', [target]), t.restoreSeconds);
    const response = { DBInstance: this.toDBInstance(rec) };
    const hook = this.dataPlane.restore;
    if (hook) {
      const endpoint = await hook.call(this.dataPlane, snap.data, this.view(rec));
      if (endpoint) rec.endpointOverride = { address: endpoint.address, port: endpoint.port };
    }
    return response;
  }

  private modify(input: ModifyDBInstanceCommandInput): { DBInstance: DBInstance } {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    if (rec.status !== 'available' || !this.isSteady(rec)) {
      throw invalidInstanceState(`Database instance is not in available state (status: ${rec.status}).`);
    }
    const newName =
      input.NewDBInstanceIdentifier !== undefined
        ? validateIdentifier(input.NewDBInstanceIdentifier, 'NewDBInstanceIdentifier')
        : undefined;
    const immediately = input.ApplyImmediately === true;
    const renameTo = immediately ? (newName ?? rec.pendingIdentifier) : undefined;
    const target = renameTo ?? newName;
    if (target !== undefined && this.nameTaken(target)) throw alreadyExists(target);
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
      const vpc = this.subnetGroups.get(input.DBSubnetGroupName);
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
    if (input.EnablePerformanceInsights !== undefined)
      asap.performanceInsightsEnabled = input.EnablePerformanceInsights;
    if (input.MonitoringInterval !== undefined) asap.monitoringInterval = input.MonitoringInterval;
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
      );
    }

    // Validated: now mutate. These apply at once whatever ApplyImmediately says, without a status change.
    if (input.DeletionProtection !== undefined) rec.attrs.deletionProtection = input.DeletionProtection;
    if (input.CopyTagsToSnapshot !== undefined) rec.attrs.copyTagsToSnapshot = input.CopyTagsToSnapshot;
    if (input.AutoMinorVersionUpgrade !== undefined) rec.attrs.autoMinorVersionUpgrade = input.AutoMinorVersionUpgrade;
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
      this.startRename(rec, renameTo, applying, password);
      // RDS answers with the instance as it is right after the call: old name, still available.
      return { DBInstance: this.toDBInstance(rec) };
    }
    if (Object.keys(applying).length > 0 || password !== undefined) {
      this.startModify(rec, applying, password);
    }
    return { DBInstance: this.toDBInstance(rec) };
  }

  private applyChanges(
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
      rec.passwordChangedAt = new Date(this.nowMs);
      const hook = this.dataPlane.setMasterPassword;
      if (hook) this.callHook(() => hook.call(this.dataPlane, this.view(rec), password));
    }
  }

  private startModify(
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
    this.startOperation(
      rec,
      [
        {
          status: 'modifying',
          seconds: this.timings.modifySeconds,
          onEnd: () => {
            this.applyChanges(rec, changes, password);
            finish();
          },
        },
        { status: 'available', seconds: Infinity },
      ],
      this.takeStatusFault('modify', [rec.identifier]),
      this.timings.modifySeconds,
      finish,
    );
  }

  private startRename(
    rec: InstanceRecord,
    newName: string,
    changes: Partial<SimInstanceAttributes>,
    password: string | undefined,
  ): void {
    const oldName = rec.identifier;
    const t = this.timings;
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
    this.startOperation(
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
            this.applyChanges(rec, changes, password);
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
      this.takeStatusFault('rename', [oldName, newName]),
      t.renameStartSeconds,
      cleanup,
    );
  }

  private reboot(input: RebootDBInstanceCommandInput): { DBInstance: DBInstance } {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    if (rec.status !== 'available' || !this.isSteady(rec)) {
      throw invalidInstanceState(`Database instance is not in available state (status: ${rec.status}).`);
    }
    this.startOperation(
      rec,
      [
        {
          status: 'rebooting',
          seconds: this.timings.rebootSeconds,
          onEnd: () => {
            rec.parameterApplyStatus = 'in-sync';
          },
        },
        { status: 'available', seconds: Infinity },
      ],
      this.takeStatusFault('reboot', [rec.identifier]),
      this.timings.rebootSeconds,
    );
    return { DBInstance: this.toDBInstance(rec) };
  }

  private deleteInstance(input: DeleteDBInstanceCommandInput): { DBInstance: DBInstance } {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
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
      throw invalidParameterCombination(
        'FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is true.',
      );
    }
    if (!skip && finalId === undefined) {
      throw invalidParameterCombination('FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    if (finalId !== undefined) {
      const snapId = validateIdentifier(finalId, 'FinalDBSnapshotIdentifier', SNAPSHOT_ID_RE);
      if (this.findSnapshot(snapId)) {
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
      this.snapshotInstance(rec, snapId, undefined, 'manual');
    }
    rec.deleteRequest = {
      skipFinalSnapshot: skip,
      deleteAutomatedBackups: input.DeleteAutomatedBackups ?? true,
      requestedAt: new Date(this.nowMs),
    };
    if (finalId !== undefined) rec.deleteRequest.finalDBSnapshotIdentifier = finalId.toLowerCase();
    // Deleting cancels whatever was in flight (e.g. a rename still in its first, `available`, phase).
    delete rec.pendingIdentifier;
    rec.reserved = new Set();
    rec.applyingChanges = {};
    delete rec.applyingPassword;
    this.startOperation(
      rec,
      [{ status: 'deleting', seconds: this.timings.deleteSeconds, onEnd: () => this.finishDelete(rec) }],
      this.takeStatusFault('delete', [rec.identifier]),
      this.timings.deleteSeconds,
    );
    return { DBInstance: this.toDBInstance(rec) };
  }

  private finishDelete(rec: InstanceRecord): void {
    rec.gone = true;
    rec.status = 'deleted';
    rec.deletedAt = new Date(this.nowMs);
    rec.reserved = new Set();
    const i = this.live.indexOf(rec);
    if (i >= 0) this.live.splice(i, 1);
    this.removed.push(rec);
    if (rec.deleteRequest?.deleteAutomatedBackups) {
      for (let j = this.snaps.length - 1; j >= 0; j--) {
        const s = this.snaps[j];
        if (s && s.snapshotType === 'automated' && s.dbiResourceId === rec.resourceId) this.snaps.splice(j, 1);
      }
    }
    const hook = this.dataPlane.drop;
    if (hook) this.callHook(() => hook.call(this.dataPlane, this.view(rec)));
  }

  private snapshotInstance(rec: InstanceRecord, snapId: string, tags: Tag[] | undefined, type: string): SnapshotRecord {
    const snap = this.newSnapshot(snapId, rec.identifier, rec, {
      snapshotType: type,
      status: 'creating',
      createTime: new Date(this.nowMs),
      tags: tags && tags.length > 0 ? tags : rec.attrs.copyTagsToSnapshot ? rec.tags : [],
    });
    snap.becomes = { status: 'available', at: this.nowMs + this.timings.snapshotSeconds * 1000 };
    this.captureSnapshotData(snap, rec);
    this.snaps.push(snap);
    return snap;
  }

  private createSnapshot(input: CreateDBSnapshotCommandInput): { DBSnapshot: DBSnapshot } {
    const snapId = validateIdentifier(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier', SNAPSHOT_ID_RE);
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    if (this.findSnapshot(snapId)) {
      throw new DBSnapshotAlreadyExistsFault({
        message: `Cannot create the snapshot because a snapshot with the identifier ${snapId} already exists.`,
        $metadata: {},
      });
    }
    if (rec.status !== 'available') {
      throw invalidInstanceState(
        `Cannot create a snapshot because the database instance ${rec.identifier} is not currently in the available state.`,
      );
    }
    const snap = this.snapshotInstance(rec, snapId, input.Tags, 'manual');
    return { DBSnapshot: this.toDBSnapshot(snap) };
  }

  private deleteSnapshot(input: DeleteDBSnapshotCommandInput): { DBSnapshot: DBSnapshot } {
    const snap = this.findSnapshot(input.DBSnapshotIdentifier);
    if (!snap) throw snapshotNotFound(String(input.DBSnapshotIdentifier));
    if (snap.snapshotType !== 'manual') throw invalidParameterValue('Only manual snapshots may be deleted.');
    if (snap.status !== 'available' && snap.status !== 'failed') {
      throw new InvalidDBSnapshotStateFault({
        message: `Cannot delete snapshot ${snap.identifier} in status ${snap.status}.`,
        $metadata: {},
      });
    }
    this.snaps.splice(this.snaps.indexOf(snap), 1);
    snap.status = 'deleted';
    return { DBSnapshot: this.toDBSnapshot(snap) };
  }
}
