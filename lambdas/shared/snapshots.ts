import type { DBSnapshot } from '@aws-sdk/client-rds';
import type { SnapshotInfo } from './contract/state';

/**
 * Which production snapshot counts as the newest: a total order, so the choice never depends on the order
 * DescribeDBSnapshots lists them in (RDS documents none; docs/aws-facts.md). Documented in docs/how-it-works.md
 * ("Find snapshot and capture staging"):
 *
 * 1. the later `SnapshotCreateTime` first. A snapshot without one (RDS omits it while a snapshot is still being
 *    created) ranks before every snapshot that has one: it is the one being taken now, and ranking it last could
 *    silently restore older data;
 * 2. on equal times (or none), the greater `DBSnapshotIdentifier` in code-unit order (not locale order) first.
 *    Automated snapshot names end in their time (`rds:<instance>-YYYY-MM-DD-HH-MM`), so that is the later name.
 *
 * The snapshot type never decides: only automated snapshots are candidates for the newest.
 */
export function compareNewestFirst(a: DBSnapshot, b: DBSnapshot): number {
  const ta = createTimeRank(a);
  const tb = createTimeRank(b);
  if (ta !== tb) return ta > tb ? -1 : 1;
  const ia = a.DBSnapshotIdentifier ?? '';
  const ib = b.DBSnapshotIdentifier ?? '';
  return ia === ib ? 0 : ia > ib ? -1 : 1;
}

/** The newest of `snapshots` by compareNewestFirst; undefined when there are none. */
export function newestSnapshot(snapshots: readonly DBSnapshot[]): DBSnapshot | undefined {
  return [...snapshots].sort(compareNewestFirst)[0];
}

/** Milliseconds of SnapshotCreateTime; no (or an unreadable) time ranks as newest. */
function createTimeRank(s: DBSnapshot): number {
  const ms = s.SnapshotCreateTime === undefined ? NaN : new Date(s.SnapshotCreateTime).getTime();
  return Number.isFinite(ms) ? ms : Infinity;
}

/** The state's view of a snapshot (`$.found.snapshot`); `createdAt` is null while RDS gives no time. */
export function toSnapshotInfo(s: DBSnapshot): SnapshotInfo {
  const created = s.SnapshotCreateTime === undefined ? NaN : new Date(s.SnapshotCreateTime).getTime();
  return {
    identifier: s.DBSnapshotIdentifier!,
    arn: s.DBSnapshotArn ?? '',
    instance: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    createdAt: Number.isFinite(created) ? new Date(created).toISOString() : null,
    engine: s.Engine ?? null,
    engineVersion: s.EngineVersion ?? null,
    encrypted: s.Encrypted ?? false,
  };
}
