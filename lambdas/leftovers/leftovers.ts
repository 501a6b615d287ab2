import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Clock } from '../shared/clock';
import { RDS_ERRORS } from '../shared/contract/errors';
import { CREATED_BY_TAG, isDeletable } from '../shared/contract/rds';
import { type LeftoversProgress } from '../shared/contract/state';
import { type LeftoversInput, leftoversInputSchema } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv, requireEnv } from '../shared/env';
import { errorName, LeftoversFoundError, StagingNotFoundError, WaitTimedOutError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import { settle } from '../shared/settle';
import type { StepClients } from '../shared/clients';

export interface LeftoversDeps {
  rds: RDSClient;
  sfn: SFNClient;
  ids: Identifiers;
  clock: Clock;
  /** This tool's state machine: a leftover's tag names the execution that created it. */
  stateMachineArn: string;
}

/** A Step Functions execution name: 1-80 characters, none of white space, brackets, wildcards or "#%\\^|~`$&,;:/. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what names may not contain
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

const NOT_NOW = new Set<string>([RDS_ERRORS.invalidState, RDS_ERRORS.alreadyExists, RDS_ERRORS.instanceNotFound]);

const DESCRIBE =
  'aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,DbiResourceId,InstanceCreateTime]"';

/**
 * What an earlier failed run left behind, checked (and, where it is safe, cleared) before anything else is
 * changed. Like the rollback, a reconciliation loop: each call looks at the three names, takes at most one
 * step, and the workflow waits and calls again until the names are clear.
 *
 *  - the temporary name is taken: deleted if this tool created it (tag `staging-db-restore:execution`) and that
 *    execution is over; otherwise the run stops with instructions;
 *  - staging's name is free but the old name is taken (a run stopped mid-swap): the old instance is the
 *    original staging; it gets its name back;
 *  - staging's and the old name are both taken: the run stops with instructions (which one is staging is a
 *    person's call).
 * A dry run changes nothing: it reports what it would do (`planned`) and where staging is now (`stagingAt`).
 */
export async function clearLeftovers(input: LeftoversInput, deps: LeftoversDeps): Promise<LeftoversProgress> {
  const { ids } = deps;
  const guard = new RdsGuard(deps.rds, ids);
  const now = deps.clock.now();
  const previous = input.previous as Partial<LeftoversProgress> | null | undefined;
  const actions = [...(previous?.actions ?? [])];
  const startedAt = previous?.startedAt ?? now.toISOString();
  if ((now.getTime() - Date.parse(startedAt)) / 1000 >= input.bound.maxSeconds) {
    throw new WaitTimedOutError(
      `Clearing what an earlier run left did not finish within ${Math.round(input.bound.maxSeconds / 60)} min; ` +
        `last step: ${previous?.action ?? 'none'}; changes made: ${actions.join('; ') || 'none'}`,
    );
  }
  const staging = await describeInstance(deps.rds, ids.staging);
  const temporary = await describeInstance(deps.rds, ids.temporary);
  const old = await describeInstance(deps.rds, ids.old);
  const renameRequested = previous?.renamedBack ?? false;

  const progress = (done: boolean, action: string, extra: Partial<LeftoversProgress> = {}): LeftoversProgress => ({
    done,
    action,
    actions,
    planned: [],
    stagingAt: ids.staging,
    renamedBack: renameRequested,
    attempt: (previous?.attempt ?? 0) + 1,
    startedAt,
    nextPollSeconds: input.bound.pollSeconds,
    availableSince: null,
    sawReboot: false,
    ...extra,
  });
  const act = async (what: string, mutation: () => Promise<unknown>, extra: Partial<LeftoversProgress> = {}) => {
    try {
      await mutation();
    } catch (err) {
      // RDS says "not now" (the instance or the name is still moving): look again after the wait.
      if (NOT_NOW.has(errorName(err) ?? ''))
        return progress(false, `Waiting: RDS refused this for now (${errorName(err)}): ${what}`);
      throw err;
    }
    actions.push(what);
    return progress(false, what, extra);
  };

  if (staging && old && sameInstance(staging, old)) {
    return progress(
      false,
      `Waiting: ${old.DbiResourceId} answers as both ${ids.old} and ${ids.staging} (rename in flight)`,
    );
  }
  if (!staging) {
    if (renameRequested) return progress(false, `Waiting for the rename of ${ids.old} to ${ids.staging} to finish`);
    if (!old) {
      if (temporary) {
        throw new LeftoversFoundError(
          `${ids.staging} does not exist, and ${ids.temporary} (${describeDb(temporary)}) does: it may be the only ` +
            `copy of staging's data, so it is not touched. Nothing was changed. Decide which instance should be ` +
            `staging (${DESCRIBE}), rename it to ${ids.staging}, then start the restore again.`,
        );
      }
      throw new StagingNotFoundError(`Staging instance ${ids.staging} does not exist (and neither does ${ids.old})`);
    }
    if (temporary) {
      throw new LeftoversFoundError(
        `${ids.staging} does not exist, and both ${ids.old} (${describeDb(old)}) and ${ids.temporary} ` +
          `(${describeDb(temporary)}) do. Nothing was changed. Decide which should be staging (${DESCRIBE}), rename ` +
          `it to ${ids.staging}, delete or rename the other, then start the restore again.`,
      );
    }
    const what =
      `Renamed ${ids.old} back to ${ids.staging} (${old.DbiResourceId}): an earlier run had left staging under ` +
      'the old name';
    if (input.dryRun) return progress(true, 'Dry run: would rename', { planned: [what], stagingAt: ids.old });
    if (old.DBInstanceStatus !== 'available') {
      return progress(false, `Waiting for ${ids.old} (${old.DBInstanceStatus}) before renaming it back`);
    }
    return act(what, () => guard.rename(ids.old, ids.staging), { renamedBack: true });
  }

  if (old) {
    throw new LeftoversFoundError(
      `Both ${ids.staging} (${describeDb(staging)}) and ${ids.old} (${describeDb(old)}) exist: an earlier run ` +
        `did not finish (or its old instance was never deleted). Nothing was changed. Check which one is ` +
        `staging (${DESCRIBE}); if ${ids.staging} is right, delete the other (aws rds delete-db-instance ` +
        `--db-instance-identifier ${ids.old} --skip-final-snapshot --no-delete-automated-backups), then start again.`,
    );
  }

  if (temporary) {
    const creator = temporary.TagList?.find((t) => t.Key === CREATED_BY_TAG)?.Value;
    if (!creator) {
      throw new LeftoversFoundError(
        `${ids.temporary} (${describeDb(temporary)}) exists but was not created by staging-db-restore (it has no ` +
          `${CREATED_BY_TAG} tag), so it is not deleted. Nothing was changed. Delete or rename it by hand ` +
          `(aws rds delete-db-instance --db-instance-identifier ${ids.temporary} --skip-final-snapshot), then start again.`,
      );
    }
    if (!EXECUTION_NAME.test(creator)) {
      throw new LeftoversFoundError(
        `${ids.temporary} carries the ${CREATED_BY_TAG} tag, but its value is not an execution name, so it was not ` +
          `created by a run of this tool as it tags them; it is not deleted. Nothing was changed. Check it and ` +
          `delete or rename it by hand, then start again.`,
      );
    }
    if (creator !== input.execution.name && (await isRunning(deps, creator))) {
      throw new LeftoversFoundError(
        `${ids.temporary} belongs to execution ${creator}, which is still running. Nothing was changed.`,
      );
    }
    const what = `Deleted ${ids.temporary} (${temporary.DbiResourceId}), left by execution ${creator}`;
    if (input.dryRun) return progress(true, 'Dry run: would delete', { planned: [what] });
    const status = temporary.DBInstanceStatus;
    if (!isDeletable(status)) return progress(false, `Waiting for ${ids.temporary} (${status}) to be deleted`);
    return act(what, () =>
      temporary.DeletionProtection
        ? guard.disableDeletionProtection(ids.temporary).then(() => guard.delete(ids.temporary))
        : guard.delete(ids.temporary),
    );
  }

  // The names are clear. If staging just got its name back, it must settle first (rename → reboot → available).
  if (!renameRequested) return progress(true, actions.length ? 'Leftovers cleared' : 'Nothing left by earlier runs');
  const s = settle(
    previous as LeftoversProgress | undefined,
    staging.DBInstanceStatus ?? 'unknown',
    now,
    input.bound.settleSeconds,
  );
  return progress(
    s.settled,
    s.settled ? 'Leftovers cleared' : `Waiting for ${ids.staging} to settle (${staging.DBInstanceStatus})`,
    { availableSince: s.availableSince, sawReboot: s.sawReboot },
  );
}

/** The same instance answering under two names: a rename in flight. */
function sameInstance(a: DBInstance, b: DBInstance | undefined): boolean {
  return Boolean(b && a.DbiResourceId && a.DbiResourceId === b.DbiResourceId);
}

function describeDb(db: DBInstance): string {
  const created = db.InstanceCreateTime ? `, created ${new Date(db.InstanceCreateTime).toISOString()}` : '';
  return `${db.DbiResourceId ?? 'unknown id'}, ${db.DBInstanceStatus ?? 'unknown status'}${created}`;
}

/** Whether the execution of this state machine named `name` is still running. */
async function isRunning(deps: LeftoversDeps, name: string): Promise<boolean> {
  const executionArn = `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    const out = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === 'RUNNING';
  } catch (err) {
    if (errorName(err) === 'ExecutionDoesNotExist') return false;
    throw err;
  }
}

export const makeHandler = defineStep('leftovers', leftoversInputSchema, async (input, deps: LeftoversDeps, log) => {
  const progress = await clearLeftovers(input, deps);
  log.info('Leftovers check', { action: progress.action, done: progress.done, planned: progress.planned });
  return progress;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'sfn' | 'clock'>): LeftoversDeps {
  return {
    rds: clients.rds,
    sfn: clients.sfn,
    ids: identifiersFromEnv(env),
    clock: clients.clock,
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
  };
}
