/**
 * The simulator's internal state: the instance and snapshot records every part reads and writes, the shared
 * helpers, and the name lookups (by name or ARN, visible or hidden mid-rename). One plain object, so each concern
 * can live in its own file as functions over it while `RdsSimulator` stays a thin facade.
 */
import type { Tag } from '@aws-sdk/client-rds';
import { instanceNotFound, rdsError } from './errors';
import {
  type DataPlane,
  DEFAULT_TIMINGS,
  type Fault,
  type RdsSimulatorOptions,
  type SimCall,
  type SimDeleteRequest,
  type SimEndpoint,
  type SimInstanceAttributes,
  type SimSnapshotView,
  type SimTimings,
  type StatusFault,
} from './types';

const DEFAULT_START = '2026-12-01T00:00:00Z';
export const DEFAULT_VPC = 'vpc-0default';
export const DEFAULT_SECURITY_GROUP = 'sg-default';

export interface Phase {
  status: string;
  seconds: number;
  hidden?: boolean;
  onStart?: () => void;
  onEnd?: () => void;
}

export interface Interrupt {
  at: number;
  status: string;
  cleanup?: () => void;
}

export interface InstanceRecord {
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

/** A snapshot as the simulator keeps it: its public view without the ARN (derived), plus what only it needs. */
export interface SnapshotRecord extends Omit<SimSnapshotView, 'arn'> {
  availabilityZone: string;
  becomes?: { status: string; at: number };
}

/** A scheduled status episode (types.ts StatusEpisode), bound to its instance. */
export interface EpisodeRecord {
  rec: InstanceRecord;
  status: string;
  /** Virtual time it is due (ms); it starts at the first moment from then on that the instance is idle. */
  at: number;
  seconds: number;
}

export type Input = Record<string, unknown>;

export interface SimState {
  /** Virtual time (ms since the epoch): moves only through the clock's runDue. */
  nowMs: number;
  readonly calls: SimCall[];
  readonly timings: Readonly<SimTimings>;
  readonly region: string;
  readonly accountId: string;
  readonly dataPlane: DataPlane;
  readonly subnetGroups: Map<string, string>;
  readonly inaccessibleKmsKeys: Set<string>;
  readonly live: InstanceRecord[];
  readonly removed: InstanceRecord[];
  readonly snaps: SnapshotRecord[];
  readonly faults: Array<Fault & { remaining: number }>;
  readonly statusFaults: StatusFault[];
  readonly episodes: EpisodeRecord[];
  readonly pending: Array<Promise<void>>;
  readonly hookErrors: unknown[];
  instanceCounter: number;
  snapshotCounter: number;
  /** Seeds the order DescribeDBSnapshots lists snapshots in (see snapshots.ts). */
  readonly snapshotOrderSeed: number;
}

export function createState(options: RdsSimulatorOptions): SimState {
  const subnetGroups = new Map<string, string>([['default', DEFAULT_VPC]]);
  for (const [name, vpc] of Object.entries(options.subnetGroups ?? {})) subnetGroups.set(name, vpc);
  return {
    nowMs: (options.start ?? new Date(DEFAULT_START)).getTime(),
    calls: [],
    timings: Object.freeze({ ...DEFAULT_TIMINGS, ...options.timings }),
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    dataPlane: options.dataPlane ?? {},
    subnetGroups,
    inaccessibleKmsKeys: new Set(options.inaccessibleKmsKeys ?? []),
    live: [],
    removed: [],
    snaps: [],
    faults: [],
    statusFaults: [],
    episodes: [],
    pending: [],
    hookErrors: [],
    instanceCounter: 0,
    snapshotCounter: 0,
    snapshotOrderSeed: options.snapshotOrderSeed ?? 0,
  };
}

export function copyTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function majorVersion(engineVersion: string): string {
  return engineVersion.split('.')[0] ?? engineVersion;
}

/** Normalise IOPS/throughput for a storage type (gp3 defaults for PostgreSQL, none for gp2/standard). */
export function normaliseStorage(a: SimInstanceAttributes): void {
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

export function newRecord(
  sim: SimState,
  identifier: string,
  attrs: SimInstanceAttributes,
  tags: Tag[],
  createTime: Date,
): InstanceRecord {
  sim.instanceCounter += 1;
  const rec: InstanceRecord = {
    identifier,
    resourceId: `db-SIM${String(sim.instanceCounter).padStart(23, '0')}`,
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
  sim.live.push(rec);
  return rec;
}

// ----- lookups -----

export function findInstanceRecord(sim: SimState, identifier: string): InstanceRecord | undefined {
  const name = identifier.toLowerCase();
  return sim.live.find((r) => r.identifier === name);
}

/** The instance answering to that name or ARN right now (hidden mid-rename instances answer to none). */
function visibleInstance(sim: SimState, idOrArn: unknown): InstanceRecord | undefined {
  if (typeof idOrArn !== 'string') return undefined;
  const name = instanceNameFrom(sim, idOrArn);
  if (name === undefined) return undefined;
  return sim.live.find((r) => !r.hidden && r.identifier === name);
}

export function requireInstance(sim: SimState, idOrArn: unknown): InstanceRecord {
  if (typeof idOrArn !== 'string' || idOrArn === '') {
    throw rdsError('MissingParameter', 'The parameter DBInstanceIdentifier must be provided.');
  }
  const rec = visibleInstance(sim, idOrArn);
  if (!rec) throw instanceNotFound(instanceNameFrom(sim, idOrArn) ?? idOrArn);
  return rec;
}

export function instanceNameFrom(sim: SimState, idOrArn: string): string | undefined {
  if (!idOrArn.startsWith('arn:')) return idOrArn.toLowerCase();
  const parts = idOrArn.split(':');
  if (parts[2] !== 'rds' || parts[5] !== 'db') return undefined;
  if (parts[3] !== sim.region || parts[4] !== sim.accountId) return undefined;
  return parts.slice(6).join(':').toLowerCase();
}

function snapshotNameFrom(sim: SimState, idOrArn: string): string | undefined {
  if (!idOrArn.startsWith('arn:')) return idOrArn.toLowerCase();
  const parts = idOrArn.split(':');
  if (parts[2] !== 'rds' || parts[5] !== 'snapshot') return undefined;
  if (parts[3] !== sim.region || parts[4] !== sim.accountId) return undefined;
  return parts.slice(6).join(':').toLowerCase();
}

export function findSnapshot(sim: SimState, idOrArn: unknown): SnapshotRecord | undefined {
  if (typeof idOrArn !== 'string') return undefined;
  const name = snapshotNameFrom(sim, idOrArn);
  return name === undefined ? undefined : sim.snaps.find((s) => s.identifier === name);
}

/** A name is taken while an instance holds it (in any status, hidden or not) or reserves it for a rename. */
export function nameTaken(sim: SimState, name: string, except?: InstanceRecord): boolean {
  return sim.live.some((r) => r !== except && (r.identifier === name || r.reserved.has(name)));
}
