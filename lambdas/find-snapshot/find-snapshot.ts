import { type DBSnapshot, DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { TERMINAL_SNAPSHOT_STATUSES } from '../shared/contract/rds';
import { type SnapshotInfo } from '../shared/contract/state';
import { findSnapshotInputSchema } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { errorName, InvalidInputError, NoSnapshotError, SnapshotFailedError } from '../shared/errors';
import { defineStep } from '../shared/handler';
import { newestSnapshot, toSnapshotInfo } from '../shared/snapshots';
import type { StepClients } from '../shared/clients';

export interface FindSnapshotDeps {
  rds: RDSClient;
  ids: Identifiers;
}

/** RDS allows 20-100; the largest page means the fewest calls. */
const PAGE_SIZE = 100;

/**
 * Plan steps 2-3: the newest automated snapshot of production. Pages through every result and orders them
 * itself (DescribeDBSnapshots' order is undocumented): by SnapshotCreateTime, a snapshot without one first, then
 * by identifier (compareNewestFirst in lambdas/shared/snapshots.ts). The newest one is the candidate:
 * `available` is used, `creating` is waited for by the workflow, anything else fails fast rather than
 * silently restoring older data.
 */
export async function findLatestSnapshot(deps: FindSnapshotDeps): Promise<SnapshotInfo> {
  return checkUsable(newestAutomated(await listAutomated(deps), deps), deps);
}

async function listAutomated(deps: FindSnapshotDeps): Promise<DBSnapshot[]> {
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
  return snapshots;
}

function newestAutomated(snapshots: DBSnapshot[], deps: FindSnapshotDeps): SnapshotInfo {
  const candidates = snapshots.filter(
    (s) =>
      s.SnapshotType === 'automated' &&
      s.DBInstanceIdentifier?.toLowerCase() === deps.ids.production.toLowerCase() &&
      s.DBSnapshotIdentifier,
  );
  if (candidates.length === 0) {
    throw new NoSnapshotError(`No automated snapshot of ${deps.ids.production} exists (${snapshots.length} listed)`);
  }
  return toSnapshotInfo(newestSnapshot(candidates)!);
}

/** `available` is used, `creating` is waited for; a failed one is never replaced by older data on our own. */
function checkUsable(info: SnapshotInfo, deps: FindSnapshotDeps, chosen = false): SnapshotInfo {
  if ((TERMINAL_SNAPSHOT_STATUSES as readonly string[]).includes(info.status)) {
    const taken = info.createdAt ?? 'no creation time';
    throw new SnapshotFailedError(
      chosen
        ? `The chosen snapshot ${info.identifier} (${taken}) is "${info.status}"; it cannot be restored.`
        : `The newest automated snapshot of ${deps.ids.production}, ${info.identifier} (${taken}), is ` +
            `"${info.status}"; refusing to fall back to older data. Start the restore with ` +
            '{"snapshotIdentifier": "<an available one>"} to restore a chosen snapshot.',
    );
  }
  return info;
}

/**
 * A snapshot chosen in the execution input (`snapshotIdentifier`): it must exist and be a snapshot of the
 * production instance (automated or manual); otherwise the run ends here, before anything is changed.
 */
export async function findChosenSnapshot(identifier: string, deps: FindSnapshotDeps): Promise<SnapshotInfo> {
  let found: DBSnapshot | undefined;
  try {
    const out = await deps.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
    found = out.DBSnapshots?.find((s) => s.DBSnapshotIdentifier?.toLowerCase() === identifier.toLowerCase());
  } catch (err) {
    if (errorName(err) !== 'DBSnapshotNotFoundFault') throw err;
  }
  if (!found) {
    throw new InvalidInputError(`Execution input field snapshotIdentifier: no snapshot "${identifier}" exists`);
  }
  if (found.DBInstanceIdentifier?.toLowerCase() !== deps.ids.production.toLowerCase()) {
    throw new InvalidInputError(
      `Execution input field snapshotIdentifier: "${identifier}" is a snapshot of ` +
        `${found.DBInstanceIdentifier ?? 'an unknown instance'}, not of production (${deps.ids.production})`,
    );
  }
  return checkUsable(toSnapshotInfo(found), deps, true);
}

export const makeHandler = defineStep(
  'find-snapshot',
  findSnapshotInputSchema,
  async (input, deps: FindSnapshotDeps, log) => {
    const snapshot = input.snapshotIdentifier
      ? await findChosenSnapshot(input.snapshotIdentifier, deps)
      : await findLatestSnapshot(deps);
    log.info('Chose production snapshot', {
      snapshot: snapshot.identifier,
      status: snapshot.status,
      createdAt: snapshot.createdAt,
      chosen: Boolean(input.snapshotIdentifier),
    });
    return snapshot;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds'>): FindSnapshotDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env) };
}
