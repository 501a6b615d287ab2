import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { RDS_ERRORS } from '../shared/contract/errors';
import { CREATED_BY_TAG, isDeletable, TERMINAL_INSTANCE_STATUSES } from '../shared/contract/rds';
import { type RollbackProgress } from '../shared/contract/state';
import { type RollbackInput, rollbackInputSchema } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { errorName, RollbackStuckError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import { settle } from '../shared/settle';
import type { StepClients } from '../shared/clients';

export interface RollbackDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
}

/** RDS answers that mean "not now, the instance or name is still moving": wait and look again. */
const NOT_NOW = new Set<string>([RDS_ERRORS.invalidState, RDS_ERRORS.alreadyExists, RDS_ERRORS.instanceNotFound]);

type Owner = 'original' | 'new' | 'foreign';
interface Holder {
  name: string;
  db: DBInstance;
  owner: Owner;
}

/**
 * The catch branch (plan step 11, "if the previous steps fail, rename dev-old back"), as a reconciliation
 * loop rather than one script per failure point: each call looks at who holds the staging, temporary and
 * old names, takes at most one step towards "the original staging instance is settled under the staging
 * name and the instance this execution created is gone", and the workflow waits and calls again. So it fits
 * any failure point, including a rename whose response was lost or that is still in flight.
 *
 * The original instance is recognised by its DbiResourceId (captured before anything changed); the new one
 * by the tag this execution put on it. Anything else holding one of the names is never touched.
 */
export async function rollbackStep(input: RollbackInput, deps: RollbackDeps): Promise<RollbackProgress> {
  const { ids } = deps;
  const guard = new RdsGuard(deps.rds, ids);
  const now = deps.clock.now();
  const previous = input.previous;
  const actions = [...(previous?.actions ?? [])];
  const startedAt = previous?.startedAt ?? now.toISOString();
  // Out of time: stop before taking another step, and say where it stood.
  if ((now.getTime() - Date.parse(startedAt)) / 1000 >= input.bound.maxSeconds) {
    throw new RollbackStuckError(
      `Rollback did not finish within ${Math.round(input.bound.maxSeconds / 60)} min; last step: ` +
        `${previous?.action ?? 'none'}; steps taken: ${actions.join('; ') || 'none'}`,
    );
  }

  const holders: Holder[] = [];
  for (const name of [ids.staging, ids.temporary, ids.old]) {
    const db = await describeInstance(deps.rds, name);
    if (db) holders.push({ name, db, owner: ownerOf(db, name, input, ids) });
  }
  const atStaging = holders.find((h) => h.name === ids.staging);
  const elsewhere = holders.filter((h) => h.name !== ids.staging);
  const newElsewhere = elsewhere.find((h) => h.owner === 'new');
  const originalElsewhere = elsewhere.find((h) => h.owner === 'original');

  let action: string;
  let done = false;
  let settleState = { availableSince: null as string | null, sawReboot: false };

  const attempt = async (what: string, mutation: () => Promise<unknown>): Promise<string> => {
    try {
      await mutation();
      actions.push(what);
      return what;
    } catch (err) {
      if (NOT_NOW.has(errorName(err) ?? '')) return `Waiting: RDS refused this for now (${errorName(err)}): ${what}`;
      throw err;
    }
  };

  // An instance in a terminal status (failed, incompatible-*, storage-full, stopped...) will not come back on
  // its own: waiting out the bound would only delay the report while staging is down. Stop now and say so.
  const broken = holders.find((h) => h.owner === 'original' && isTerminal(h.db.DBInstanceStatus));
  if (broken) {
    const copy = holders.find((h) => h.owner === 'new');
    throw new RollbackStuckError(
      `The original staging instance ${broken.db.DbiResourceId} is "${broken.db.DBInstanceStatus}" under ` +
        `${broken.name}: RDS will not bring it back on its own, so it cannot be put back as ${ids.staging}. ` +
        (copy
          ? `This run's copy ${copy.name} (${copy.db.DbiResourceId}, ${copy.db.DBInstanceStatus}) is left in place` +
            `${input.outageStarted ? ' (already sanitized)' : ''}: rename it to ${ids.staging} to use the new data, ` +
            `or restore staging from its latest snapshot.`
          : `Restore staging from its latest snapshot.`),
    );
  }
  if (atStaging?.owner === 'new' && isTerminal(atStaging.db.DBInstanceStatus)) {
    // It cannot be renamed away, and the staging name is never deleted automatically (the guard's rule).
    throw new RollbackStuckError(
      `This run's copy ${atStaging.db.DbiResourceId} is "${atStaging.db.DBInstanceStatus}" under ${ids.staging}: it cannot ` +
        `be renamed away, and the staging name is never deleted automatically. Delete it (aws rds ` +
        `delete-db-instance --db-instance-identifier ${ids.staging} --skip-final-snapshot), then rename the ` +
        `original${originalElsewhere ? ` (under ${originalElsewhere.name})` : ''} back to ${ids.staging}.`,
    );
  }

  if (atStaging?.owner === 'foreign') {
    throw new RollbackStuckError(
      `${ids.staging} is held by ${atStaging.db.DbiResourceId}, which is neither the original staging instance nor ` +
        'the one this run created; not touching it. Check by hand which instance should be staging.',
    );
  } else if (atStaging?.owner === 'new') {
    // The new instance already took the staging name: move it away first.
    if (atStaging.db.DBInstanceStatus !== 'available') {
      action = `Waiting for the new instance under ${ids.staging} (${atStaging.db.DBInstanceStatus}) to rename it away`;
    } else if (holders.some((h) => h.name === ids.temporary)) {
      throw new RollbackStuckError(`${ids.temporary} is taken, so the new instance cannot leave ${ids.staging}`);
    } else {
      action = await attempt(`Renamed the new instance from ${ids.staging} back to ${ids.temporary}`, () =>
        guard.rename(ids.staging, ids.temporary),
      );
    }
  } else if (atStaging) {
    // The original is under the staging name. Settled? Then remove what this run created.
    const status = atStaging.db.DBInstanceStatus ?? 'unknown';
    const pendingRename = Boolean(atStaging.db.PendingModifiedValues?.DBInstanceIdentifier);
    const s = settle(
      previous,
      pendingRename ? 'modifying' : status,
      now,
      input.outageStarted ? input.bound.settleSeconds : 0,
    );
    settleState = { availableSince: s.availableSince, sawReboot: s.sawReboot };
    if (!s.settled) {
      action = `Waiting for the original instance under ${ids.staging} to settle (${pendingRename ? 'rename pending' : status})`;
    } else if (newElsewhere && isDeletable(newElsewhere.db.DBInstanceStatus)) {
      const name = newElsewhere.name;
      action = await attempt(`Deleted the new instance ${name} (${newElsewhere.db.DbiResourceId})`, () =>
        newElsewhere.db.DeletionProtection
          ? guard.disableDeletionProtection(name).then(() => guard.delete(name))
          : guard.delete(name),
      );
    } else if (newElsewhere) {
      action = `Waiting for the new instance ${newElsewhere.name} (${newElsewhere.db.DBInstanceStatus}) to be deleted`;
    } else {
      done = true;
      action = actions.length ? `Staging is back on the original instance` : `Nothing to undo: staging was not touched`;
    }
  } else if (originalElsewhere) {
    // Staging's name is free (or reserved by a rename in flight): bring the original back.
    action =
      originalElsewhere.db.DBInstanceStatus === 'available'
        ? await attempt(`Renamed the original instance from ${originalElsewhere.name} back to ${ids.staging}`, () =>
            guard.rename(originalElsewhere.name, ids.staging),
          )
        : `Waiting for the original instance under ${originalElsewhere.name} (${originalElsewhere.db.DBInstanceStatus})`;
  } else if (originalResourceId(input)) {
    action = `Waiting: the original instance is under no name yet (a rename is in flight)`;
  } else {
    throw new RollbackStuckError(
      `${ids.staging} does not exist and the original instance was never captured; nothing can be put back automatically`,
    );
  }

  const stagingHolds = atStaging?.owner === 'new' ? 'new' : atStaging ? 'original' : 'missing';
  return {
    done,
    action,
    actions,
    stagingHolds,
    leftovers: done ? elsewhere.filter((h) => h.owner !== 'new').map((h) => `${h.name} (${h.db.DbiResourceId})`) : [],
    attempt: (previous?.attempt ?? 0) + 1,
    startedAt,
    nextPollSeconds: input.bound.pollSeconds,
    ...settleState,
  };
}

function isTerminal(status: string | undefined): boolean {
  return (TERMINAL_INSTANCE_STATUSES as readonly string[]).includes(status ?? '');
}

function originalResourceId(input: RollbackInput): string | null {
  return input.staging?.resourceId ?? null;
}

function ownerOf(db: DBInstance, name: string, input: RollbackInput, ids: Identifiers): Owner {
  const createdByThisRun = (db.TagList ?? []).some((t) => t.Key === CREATED_BY_TAG && t.Value === input.execution.name);
  if (createdByThisRun) return 'new';
  if (originalResourceId(input)) return db.DbiResourceId === originalResourceId(input) ? 'original' : 'foreign';
  // Capture never ran: whatever holds the staging name (and was not created by this run) is the original.
  return name === ids.staging ? 'original' : 'foreign';
}

export const makeHandler = defineStep('rollback', rollbackInputSchema, async (input, deps: RollbackDeps, log) => {
  const progress = await rollbackStep(input, deps);
  log.info('Rollback step', { action: progress.action, done: progress.done, stagingHolds: progress.stagingHolds });
  return progress;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): RollbackDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env), clock: clients.clock };
}
