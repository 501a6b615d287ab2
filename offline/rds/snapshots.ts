/**
 * Snapshots: seeding them, CreateDBSnapshot and the final snapshot of a delete, DeleteDBSnapshot, and
 * DescribeDBSnapshots (paged in an order of its own, neither by time nor as they were added: RDS documents none),
 * plus capturing a snapshot's data through the data plane. Apart from the instance operations because a snapshot
 * outlives its source.
 */
import {
  type CreateDBSnapshotCommandInput,
  type DBSnapshot,
  DBSnapshotAlreadyExistsFault,
  type DeleteDBSnapshotCommandInput,
  type DescribeDBSnapshotsCommandInput,
  type DescribeDBSnapshotsCommandOutput,
  InvalidDBSnapshotStateFault,
  type Tag,
} from '@aws-sdk/client-rds';
import { callHook } from './clock';
import {
  invalidInstanceState,
  invalidParameterValue,
  snapshotNotFound,
  SNAPSHOT_ID_RE,
  validateIdentifier,
} from './errors';
import {
  copyTags,
  DEFAULT_VPC,
  findInstanceRecord,
  findSnapshot,
  instanceNameFrom,
  type InstanceRecord,
  isPromiseLike,
  requireInstance,
  type SimState,
  type SnapshotRecord,
} from './state';
import type { SimSnapshot, SnapshotSeed } from './types';
import { page, snapshotView, toDBSnapshot, view } from './views';

export function addSnapshot(sim: SimState, seed: SnapshotSeed): SimSnapshot {
  const identifier = seed.identifier.toLowerCase();
  if (findSnapshot(sim, identifier)) throw new Error(`addSnapshot: ${identifier} already exists`);
  const source = findInstanceRecord(sim, seed.instanceIdentifier);
  const rec = newSnapshot(sim, identifier, seed.instanceIdentifier.toLowerCase(), source, {
    snapshotType: seed.snapshotType ?? (identifier.startsWith('rds:') ? 'automated' : 'manual'),
    status: seed.status ?? 'available',
    createTime: seed.createTime ?? new Date(sim.nowMs),
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
  if (seed.becomes) rec.becomes = { status: seed.becomes.status, at: sim.nowMs + seed.becomes.afterSeconds * 1000 };
  if ('data' in seed) rec.data = seed.data;
  else if (source) captureSnapshotData(sim, rec, source);
  sim.snaps.push(rec);
  return snapshotView(sim, rec);
}

function newSnapshot(
  sim: SimState,
  identifier: string,
  instanceIdentifier: string,
  source: InstanceRecord | undefined,
  opts: { snapshotType: string; status: string; createTime: Date; tags?: Tag[] },
): SnapshotRecord {
  sim.snapshotCounter += 1;
  const a = source?.attrs;
  return {
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
    dbiResourceId: source?.resourceId ?? `db-SIMSNAPSRC${String(sim.snapshotCounter).padStart(14, '0')}`,
    vpcId: a?.vpcId ?? DEFAULT_VPC,
    availabilityZone: a?.availabilityZone ?? `${sim.region}a`,
    tags: copyTags(opts.tags ?? source?.tags),
  };
}

function captureSnapshotData(sim: SimState, snap: SnapshotRecord, source: InstanceRecord): void {
  const hook = sim.dataPlane.snapshotOf;
  if (!hook) {
    snap.data = source.data;
    return;
  }
  callHook(sim, () => {
    const result = hook.call(sim.dataPlane, view(sim, source));
    if (!isPromiseLike(result)) {
      snap.data = result;
      return undefined;
    }
    return Promise.resolve(result).then((data) => {
      snap.data = data;
    });
  });
}

export function snapshotInstance(
  sim: SimState,
  rec: InstanceRecord,
  snapId: string,
  tags: Tag[] | undefined,
  type: string,
): SnapshotRecord {
  const snap = newSnapshot(sim, snapId, rec.identifier, rec, {
    snapshotType: type,
    status: 'creating',
    createTime: new Date(sim.nowMs),
    tags: tags && tags.length > 0 ? tags : rec.attrs.copyTagsToSnapshot ? rec.tags : [],
  });
  snap.becomes = { status: 'available', at: sim.nowMs + sim.timings.snapshotSeconds * 1000 };
  captureSnapshotData(sim, snap, rec);
  sim.snaps.push(snap);
  return snap;
}

export function createSnapshot(sim: SimState, input: CreateDBSnapshotCommandInput): { DBSnapshot: DBSnapshot } {
  const snapId = validateIdentifier(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier', SNAPSHOT_ID_RE);
  const rec = requireInstance(sim, input.DBInstanceIdentifier);
  if (findSnapshot(sim, snapId)) {
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
  const snap = snapshotInstance(sim, rec, snapId, input.Tags, 'manual');
  return { DBSnapshot: toDBSnapshot(sim, snap) };
}

export function deleteSnapshot(sim: SimState, input: DeleteDBSnapshotCommandInput): { DBSnapshot: DBSnapshot } {
  const snap = findSnapshot(sim, input.DBSnapshotIdentifier);
  if (!snap) throw snapshotNotFound(String(input.DBSnapshotIdentifier));
  if (snap.snapshotType !== 'manual') throw invalidParameterValue('Only manual snapshots may be deleted.');
  if (snap.status !== 'available' && snap.status !== 'failed') {
    throw new InvalidDBSnapshotStateFault({
      message: `Cannot delete snapshot ${snap.identifier} in status ${snap.status}.`,
      $metadata: {},
    });
  }
  sim.snaps.splice(sim.snaps.indexOf(snap), 1);
  snap.status = 'deleted';
  return { DBSnapshot: toDBSnapshot(sim, snap) };
}

export function describeSnapshots(
  sim: SimState,
  input: DescribeDBSnapshotsCommandInput,
): DescribeDBSnapshotsCommandOutput {
  let items = [...sim.snaps];
  if (input.DBSnapshotIdentifier !== undefined) {
    const snap = findSnapshot(sim, input.DBSnapshotIdentifier);
    if (!snap) throw snapshotNotFound(input.DBSnapshotIdentifier);
    items = [snap];
  }
  if (input.DBInstanceIdentifier !== undefined) {
    const name = instanceNameFrom(sim, input.DBInstanceIdentifier);
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
        items = items.filter((s) => values.map((v) => instanceNameFrom(sim, v)).includes(s.instanceIdentifier));
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
  const { items: slice, marker } = page(listingOrder(sim, items), input);
  const out: DescribeDBSnapshotsCommandOutput = {
    DBSnapshots: slice.map((s) => toDBSnapshot(sim, s)),
    $metadata: {},
  };
  if (marker) out.Marker = marker;
  return out;
}

/**
 * The order DescribeDBSnapshots lists snapshots in. RDS documents none (docs/aws-facts.md), so the simulator uses
 * one that is neither by time, nor by name, nor as they were added: by a hash of the identifier and the
 * simulator's `snapshotOrderSeed`. The same on every call (paging with markers stays consistent), but another seed
 * gives another order, so a product that relies on the API's order for ties fails some seed.
 */
function listingOrder(sim: SimState, items: SnapshotRecord[]): SnapshotRecord[] {
  const key = new Map(items.map((s) => [s, fnv1a(`${sim.snapshotOrderSeed}:${s.identifier}`)]));
  return [...items].sort((a, b) => key.get(a)! - key.get(b)! || (a.identifier < b.identifier ? -1 : 1));
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
