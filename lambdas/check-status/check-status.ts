import { DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../shared/clock';
import {
  STOPPED_INSTANCE_STATUSES,
  TERMINAL_INSTANCE_STATUSES,
  TERMINAL_SNAPSHOT_STATUSES,
} from '../shared/contract/rds';
import { type PollResult, type SnapshotInfo } from '../shared/contract/state';
import { type CheckStatusInput, checkStatusInputSchema } from '../shared/contract/steps';
import {
  errorName,
  InstanceFailedError,
  PreconditionFailedError,
  SnapshotFailedError,
  stoppedInstanceMessage,
  UnexpectedInstanceError,
  WaitTimedOutError,
} from '../shared/errors';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import { settle } from '../shared/settle';
import { toSnapshotInfo } from '../shared/snapshots';
import type { StepClients } from '../shared/clients';

export interface CheckStatusDeps {
  rds: RDSClient;
  clock: Clock;
}

interface Observation {
  status: string;
  resourceId: string | null;
  seenAs: string | null;
  /** Names of the pending modifications RDS lists (PendingModifiedValues). */
  pending?: string[];
  /** A snapshot target: the snapshot as seen (its creation time appears only once it is created). */
  snapshot?: SnapshotInfo;
}

/**
 * One poll of a wait loop (Check → "Is it …?" → Wait → Check). Read-only. Done when the target is settled
 * `available` (or gone); fails fast on terminal statuses and when the loop's time bound is spent. A target
 * that is not found yet is "in progress" (a rename hides the instance under both names for a while).
 */
export async function checkStatus(input: CheckStatusInput, deps: CheckStatusDeps): Promise<PollResult> {
  const { target, bound, previous } = input;
  const now = deps.clock.now();
  const startedAt = previous?.startedAt ?? now.toISOString();
  const seen =
    target.kind === 'snapshot'
      ? await observeSnapshot(deps.rds, target.identifier)
      : await observeInstance(deps.rds, target);

  let done: boolean;
  let settleState = { availableSince: null as string | null, sawReboot: false };
  if (target.kind === 'snapshot') {
    if ((TERMINAL_SNAPSHOT_STATUSES as readonly string[]).includes(seen.status) || seen.status === 'not-found') {
      throw new SnapshotFailedError(`Snapshot ${target.identifier} is "${seen.status}"; it will never be available`);
    }
    done = seen.status === 'available';
  } else if (target.until === 'gone') {
    done = seen.seenAs === null;
  } else {
    // Someone stopped it: it will not start on its own (not for seven days), and this tool never starts it.
    if (
      target.steady &&
      seen.seenAs !== null &&
      (STOPPED_INSTANCE_STATUSES as readonly string[]).includes(seen.status)
    ) {
      throw new PreconditionFailedError(stoppedInstanceMessage(seen.seenAs, seen.status));
    }
    // Under its target name or, mid-rename, still under its previous one: a terminal status will not pass.
    if (seen.seenAs !== null && (TERMINAL_INSTANCE_STATUSES as readonly string[]).includes(seen.status)) {
      throw new InstanceFailedError(`Instance ${seen.seenAs} is "${seen.status}"; it will not become available`);
    }
    let underTarget = seen.seenAs === target.identifier ? seen.status : 'not-found';
    if (target.alsoSettledIn?.includes(underTarget)) underTarget = 'available';
    if (underTarget === 'available' && target.noPendingChanges && seen.pending?.length) {
      underTarget = `available, pending ${seen.pending.join(', ')}`;
    }
    // A rename that RDS has accepted but not started yet: still `available`, but not idle (it cannot be renamed).
    if (underTarget === 'available' && target.steady && seen.pending?.includes('DBInstanceIdentifier')) {
      underTarget = 'available, rename pending';
    }
    const s = settle(previous, underTarget, now, bound.settleSeconds);
    settleState = { availableSince: s.availableSince, sawReboot: s.sawReboot };
    done = s.settled;
  }

  const elapsed = (now.getTime() - Date.parse(startedAt)) / 1000;
  if (!done && elapsed >= bound.maxSeconds) {
    throw new WaitTimedOutError(
      `Gave up waiting for ${describeTarget(input)} after ${Math.round(elapsed / 60)} min (bound ${Math.round(bound.maxSeconds / 60)} min); last status "${seen.status}"`,
    );
  }
  return {
    done,
    status: seen.status,
    identifier: target.identifier,
    resourceId: seen.resourceId,
    seenAs: seen.seenAs,
    attempt: (previous?.attempt ?? 0) + 1,
    ...settleState,
    startedAt,
    observedAt: now.toISOString(),
    nextPollSeconds: bound.pollSeconds,
    ...(seen.snapshot ? { snapshot: seen.snapshot } : {}),
  };
}

function describeTarget(input: CheckStatusInput): string {
  const t = input.target;
  if (t.kind === 'snapshot') return `snapshot ${t.identifier} to be available`;
  if (t.until === 'gone') return `instance ${t.identifier} to be deleted`;
  return t.steady
    ? `instance ${t.identifier} to be available with no operation in flight`
    : `instance ${t.identifier} to be available`;
}

async function observeSnapshot(rds: RDSClient, identifier: string): Promise<Observation> {
  try {
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
    const snap = out.DBSnapshots?.[0];
    if (!snap) return { status: 'not-found', resourceId: null, seenAs: null };
    const snapshot = toSnapshotInfo({ ...snap, DBSnapshotIdentifier: snap.DBSnapshotIdentifier ?? identifier });
    return { status: snap.Status ?? 'not-found', resourceId: null, seenAs: identifier, snapshot };
  } catch (err) {
    if (errorName(err) === 'DBSnapshotNotFoundFault') return { status: 'not-found', resourceId: null, seenAs: null };
    throw err;
  }
}

async function observeInstance(
  rds: RDSClient,
  target: Extract<CheckStatusInput['target'], { kind: 'instance' }>,
): Promise<Observation> {
  const db = await describeInstance(rds, target.identifier);
  if (db) {
    if (target.resourceId && db.DbiResourceId !== target.resourceId) {
      throw new UnexpectedInstanceError(
        `${target.identifier} is held by ${db.DbiResourceId}, not by the expected instance ${target.resourceId}`,
      );
    }
    const pending = Object.entries(db.PendingModifiedValues ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k]) => k);
    return {
      status: db.DBInstanceStatus ?? 'unknown',
      resourceId: db.DbiResourceId ?? null,
      seenAs: target.identifier,
      pending,
    };
  }
  if (target.previousIdentifier) {
    // Not under the new name yet: still under the old one, or hidden mid-rename (both not found).
    const before = await describeInstance(rds, target.previousIdentifier);
    if (before && (!target.resourceId || before.DbiResourceId === target.resourceId)) {
      return {
        status: before.DBInstanceStatus ?? 'unknown',
        resourceId: before.DbiResourceId ?? null,
        seenAs: target.previousIdentifier,
      };
    }
  }
  return { status: 'not-found', resourceId: target.resourceId ?? null, seenAs: null };
}

export const makeHandler = defineStep(
  'check-status',
  checkStatusInputSchema,
  async (input, deps: CheckStatusDeps, log: Logger) => {
    const result = await checkStatus(input, deps);
    log.info('Polled', {
      target: input.target.identifier,
      status: result.status,
      seenAs: result.seenAs,
      done: result.done,
    });
    return result;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(_env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): CheckStatusDeps {
  return { rds: clients.rds, clock: clients.clock };
}
