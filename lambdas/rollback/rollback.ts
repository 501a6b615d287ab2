import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { RDS_ERRORS } from '../shared/contract/errors';
import { CREATED_BY_TAG, isDeletable, TERMINAL_INSTANCE_STATUSES } from '../shared/contract/rds';
import { type NameHolder, type RollbackProgress } from '../shared/contract/state';
import { type RollbackInput, rollbackInputSchema } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { errorName, RollbackStuckError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeNames, type Names } from '../shared/names';
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
 * by the tag this execution put on it. Anything else holding one of the names is never touched. Before the
 * outage (staging never renamed) the only step is deleting the copy, whatever staging's own status.
 *
 * Its bound (waits.rollback) covers its worst case, checked at synth (lib/config.ts rollbackWorstCaseMinutes),
 * so a rollback that is merely slow ends rolled back. When it stops (RollbackStuck), the message says who holds
 * each name now and only what fits that.
 */
export async function rollbackStep(input: RollbackInput, deps: RollbackDeps): Promise<RollbackProgress> {
  const { ids } = deps;
  const guard = new RdsGuard(deps.rds, ids);
  const now = deps.clock.now();
  const previous = input.previous;
  const actions = [...(previous?.actions ?? [])];
  const startedAt = previous?.startedAt ?? now.toISOString();

  const holders: Holder[] = [];
  for (const name of [ids.staging, ids.temporary, ids.old]) {
    const db = await describeInstance(deps.rds, name);
    if (db) holders.push({ name, db, owner: ownerOf(db, name, input, ids) });
  }
  const names = namesOf(holders, ids);
  /** Every RollbackStuck says where things stand, so the report never has to guess. */
  const stuck = (why: string, whatToDo: string) =>
    new RollbackStuckError(`${why} Now: ${describeNames(names, ids)}. ${whatToDo}`);
  const atStaging = holders.find((h) => h.name === ids.staging);
  const elsewhere = holders.filter((h) => h.name !== ids.staging);
  const copy = holders.find((h) => h.owner === 'new');
  const newElsewhere = elsewhere.find((h) => h.owner === 'new');
  const originalElsewhere = elsewhere.find((h) => h.owner === 'original');

  // Out of time: stop before taking another step, and say where it stands and what is left to do.
  if ((now.getTime() - Date.parse(startedAt)) / 1000 >= input.bound.maxSeconds) {
    throw stuck(
      `Rollback did not finish within ${Math.round(input.bound.maxSeconds / 60)} min; last step: ` +
        `${previous?.action ?? 'none'}; steps taken: ${actions.join('; ') || 'none'}.`,
      whatIsLeft(holders, ids, input.outageStarted),
    );
  }

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
  const deleteCopy = (h: Holder) =>
    attempt(`Deleted the new instance ${h.name} (${h.db.DbiResourceId})`, () =>
      h.db.DeletionProtection
        ? guard.disableDeletionProtection(h.name).then(() => guard.delete(h.name))
        : guard.delete(h.name),
    );

  const progress = (): RollbackProgress => {
    const stagingHolds = !atStaging ? 'missing' : atStaging.owner === 'foreign' ? 'unknown' : atStaging.owner;
    return {
      done,
      action,
      actions,
      stagingHolds,
      leftovers: done ? elsewhere.filter((h) => h.owner !== 'new').map((h) => `${h.name} (${h.db.DbiResourceId})`) : [],
      names,
      attempt: (previous?.attempt ?? 0) + 1,
      startedAt,
      nextPollSeconds: input.bound.pollSeconds,
      ...settleState,
    };
  };

  if (!input.outageStarted && copy?.name !== ids.staging) {
    // Staging was never renamed: all there is to undo is this run's copy. Whatever staging is doing (a backup, a
    // modification, stopped, even replaced), that is not this run's doing, and not the rollback's to change.
    if (!copy) {
      done = true;
      action = actions.length
        ? "Deleted this run's copy; staging was not touched"
        : 'Nothing to undo: staging was not touched';
    } else if (isDeletable(copy.db.DBInstanceStatus)) {
      action = await deleteCopy(copy);
    } else {
      action = `Waiting for the new instance ${copy.name} (${copy.db.DBInstanceStatus}) to be deleted`;
    }
    return progress();
  }

  // An instance in a terminal status (failed, incompatible-*, storage-full, stopped...) will not come back on
  // its own: waiting out the bound would only delay the report while staging is down. Stop now and say so.
  const broken = holders.find((h) => h.owner === 'original' && isTerminal(h.db.DBInstanceStatus));
  if (broken) {
    throw stuck(
      `The original staging instance ${broken.db.DbiResourceId} is "${broken.db.DBInstanceStatus}" under ` +
        `${broken.name}: RDS will not bring it back on its own, so it cannot be put back as ${ids.staging}.`,
      copy
        ? `This run's copy ${copy.name} (${copy.db.DbiResourceId}, ${copy.db.DBInstanceStatus}) is left in place` +
            `${input.outageStarted ? ' (already sanitized)' : ''}: rename it to ${ids.staging} to use the new data, ` +
            `or restore staging from its latest snapshot.`
        : `Restore staging from its latest snapshot.`,
    );
  }
  if (atStaging?.owner === 'new' && isTerminal(atStaging.db.DBInstanceStatus)) {
    // It cannot be renamed away, and the staging name is never deleted automatically (the guard's rule).
    throw stuck(
      `This run's copy ${atStaging.db.DbiResourceId} is "${atStaging.db.DBInstanceStatus}" under ${ids.staging}: it ` +
        `cannot be renamed away, and the staging name is never deleted automatically.`,
      `Delete it (aws rds delete-db-instance --db-instance-identifier ${ids.staging} --skip-final-snapshot), then ` +
        `rename the original${originalElsewhere ? ` (under ${originalElsewhere.name})` : ''} back to ${ids.staging}.`,
    );
  }

  if (atStaging?.owner === 'foreign') {
    throw stuck(
      `${ids.staging} is held by ${atStaging.db.DbiResourceId}, which is neither the original staging instance nor ` +
        'the one this run created; not touching it.',
      'Check by hand which instance should be staging.',
    );
  } else if (atStaging?.owner === 'new') {
    // The new instance already took the staging name: move it away first.
    if (atStaging.db.DBInstanceStatus !== 'available') {
      action = `Waiting for the new instance under ${ids.staging} (${atStaging.db.DBInstanceStatus}) to rename it away`;
    } else if (holders.some((h) => h.name === ids.temporary)) {
      throw stuck(
        `${ids.temporary} is taken, so the new instance cannot leave ${ids.staging}.`,
        `Move the instance under ${ids.temporary} out of the way, then rename the copy away and the original back.`,
      );
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
      action = await deleteCopy(newElsewhere);
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
    throw stuck(
      `${ids.staging} does not exist and the original instance was never captured; nothing can be put back automatically.`,
      `Find the instance that holds staging's data and rename it to ${ids.staging}.`,
    );
  }
  return progress();
}

/** Who holds each name, as the report shows it. */
function namesOf(holders: Holder[], ids: Identifiers): Names {
  const one = (name: string): NameHolder => {
    const h = holders.find((x) => x.name === name);
    return h
      ? { holder: h.owner, resourceId: h.db.DbiResourceId ?? 'unknown', status: h.db.DBInstanceStatus ?? 'unknown' }
      : { holder: 'free' };
  };
  return { staging: one(ids.staging), temporary: one(ids.temporary), old: one(ids.old) };
}

/** When the rollback runs out of time: what is left to do by hand, for where things stand. Never more. */
function whatIsLeft(holders: Holder[], ids: Identifiers, outageStarted: boolean): string {
  const atStaging = holders.find((h) => h.name === ids.staging);
  const original = holders.find((h) => h.owner === 'original');
  const copy = holders.find((h) => h.owner === 'new');
  const deleteCopy =
    copy && copy.name !== ids.staging
      ? ` Delete this run's copy under ${copy.name} once RDS lets you (aws rds delete-db-instance ` +
        `--db-instance-identifier ${copy.name} --skip-final-snapshot); the next run also deletes it on its own.`
      : '';
  if (!outageStarted) {
    return `This run never renamed ${ids.staging} (the outage had not started): there is nothing to put back.${deleteCopy}`;
  }
  if (atStaging?.owner === 'original') {
    const busy = atStaging.db.DBInstanceStatus === 'available' ? '' : ' RDS is still finishing its rename.';
    return `Staging is back on the original instance: there is nothing to put back.${busy}${deleteCopy}`;
  }
  if (atStaging?.owner === 'new') {
    return (
      `This run's copy holds ${ids.staging}. Once it is available, rename it away (aws rds modify-db-instance ` +
      `--db-instance-identifier ${ids.staging} --new-db-instance-identifier ${ids.temporary} --apply-immediately), ` +
      `then, once ${ids.staging} is free, rename the original${original ? ` (under ${original.name})` : ''} back.`
    );
  }
  if (atStaging) return `Check by hand which instance should be ${ids.staging}.`;
  if (original) {
    return (
      `Staging is down: the original is under ${original.name}. Once it is available, rename it back ` +
      `(aws rds modify-db-instance --db-instance-identifier ${original.name} --new-db-instance-identifier ` +
      `${ids.staging} --apply-immediately).${deleteCopy}`
    );
  }
  return (
    'The original is under none of the three names, a rename may still be in flight: look again in a few minutes ' +
    '(aws rds describe-db-instances) before acting.'
  );
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
