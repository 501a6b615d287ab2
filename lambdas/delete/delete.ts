import type { RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { type DeleteInput, deleteInputSchema, type DeleteResult } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { UnexpectedInstanceError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import type { StepClients } from '../shared/clients';

export interface DeleteDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
}

/**
 * Plan step 11: delete the old staging instance, no final snapshot (SkipFinalSnapshot). Its automated backups
 * are kept, so it stays recoverable for their retention, unless the input says to delete them too
 * (DeleteAutomatedBackups: config `deleteOld.deleteAutomatedBackups`). Deletion protection, if staging had it,
 * is turned off first. Already gone counts as done (a retried call).
 */
export async function deleteInstance(input: DeleteInput, deps: DeleteDeps): Promise<DeleteResult> {
  const guard = new RdsGuard(deps.rds, deps.ids);
  const identifier = guard.check(input.identifier, ['temporary', 'old'], 'delete target');
  const requestedAt = deps.clock.now().toISOString();
  const { deleteAutomatedBackups } = input;
  const result = { identifier, resourceId: input.resourceId, requestedAt, deleteAutomatedBackups };
  const db = await describeInstance(deps.rds, identifier);
  if (!db) return { ...result, alreadyGone: true };
  if (db.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(
      `${identifier} is ${db.DbiResourceId}, not the expected ${input.resourceId}; not deleting it`,
    );
  }
  if (db.DBInstanceStatus === 'deleting') return { ...result, alreadyGone: false };
  if (db.DeletionProtection) await guard.disableDeletionProtection(identifier);
  await guard.delete(identifier, deleteAutomatedBackups);
  return { ...result, alreadyGone: false };
}

export const makeHandler = defineStep('delete', deleteInputSchema, async (input, deps: DeleteDeps, log) => {
  const result = await deleteInstance(input, deps);
  log.info('Delete requested', {
    identifier: result.identifier,
    alreadyGone: result.alreadyGone,
    deleteAutomatedBackups: result.deleteAutomatedBackups,
  });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): DeleteDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env), clock: clients.clock };
}
