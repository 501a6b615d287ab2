import { type DBSnapshot, DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { type SnapshotInfo, TERMINAL_SNAPSHOT_STATUSES } from '../shared/contract';
import type { Identifiers } from '../shared/env';
import { NoSnapshotError, SnapshotFailedError } from '../shared/errors';
import { defineStep } from '../shared/handler';

export interface FindSnapshotDeps {
  rds: RDSClient;
  ids: Identifiers;
}

/** RDS allows 20-100; the largest page means the fewest calls. */
const PAGE_SIZE = 100;

/**
 * Plan steps 2-3: the newest automated snapshot of production. Pages through every result and sorts by
 * SnapshotCreateTime itself (DescribeDBSnapshots' order is undocumented). The newest one is the candidate:
 * `available` is used, `creating` is waited for by the workflow, anything else fails fast rather than
 * silently restoring older data.
 */
export async function findLatestSnapshot(deps: FindSnapshotDeps): Promise<SnapshotInfo> {
  const snapshots: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await deps.rds.send(
      new DescribeDBSnapshotsCommand({
        DBInstanceIdentifier: deps.ids.production,
        SnapshotType: 'automated',
        MaxRecords: PAGE_SIZE,
        Marker: marker,
      }),
    );
    snapshots.push(...(page.DBSnapshots ?? []));
    marker = page.Marker || undefined;
  } while (marker);

  const candidates = snapshots.filter(
    (s) =>
      s.SnapshotType === 'automated' &&
      s.DBInstanceIdentifier?.toLowerCase() === deps.ids.production.toLowerCase() &&
      s.DBSnapshotIdentifier,
  );
  if (candidates.length === 0) {
    throw new NoSnapshotError(`No automated snapshot of ${deps.ids.production} exists (${snapshots.length} listed)`);
  }
  const newest = candidates.reduce((a, b) => (createTime(b) > createTime(a) ? b : a));
  const info = toSnapshotInfo(newest);
  if ((TERMINAL_SNAPSHOT_STATUSES as readonly string[]).includes(info.status)) {
    throw new SnapshotFailedError(
      `The newest automated snapshot of ${deps.ids.production}, ${info.identifier} (${info.createdAt}), is ` +
        `"${info.status}"; refusing to fall back to older data. Restore a chosen snapshot by hand if needed.`,
    );
  }
  return info;
}

/** A snapshot still being created has no SnapshotCreateTime yet in some answers: treat it as newest. */
function createTime(s: DBSnapshot): number {
  return s.SnapshotCreateTime ? new Date(s.SnapshotCreateTime).getTime() : s.Status === 'creating' ? Infinity : 0;
}

export function toSnapshotInfo(s: DBSnapshot): SnapshotInfo {
  return {
    identifier: s.DBSnapshotIdentifier!,
    arn: s.DBSnapshotArn ?? '',
    instance: s.DBInstanceIdentifier ?? '',
    status: s.Status ?? 'unknown',
    createdAt: s.SnapshotCreateTime ? new Date(s.SnapshotCreateTime).toISOString() : null,
    engine: s.Engine ?? null,
    engineVersion: s.EngineVersion ?? null,
    encrypted: s.Encrypted ?? false,
  };
}

export const makeHandler = defineStep(
  'find-snapshot',
  z.object({}).passthrough(),
  (_input, deps: FindSnapshotDeps, log) =>
    findLatestSnapshot(deps).then((snapshot) => {
      log.info('Chose production snapshot', { snapshot: snapshot.identifier, status: snapshot.status });
      return snapshot;
    }),
);
