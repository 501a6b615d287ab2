import type { RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { type RenameInput, renameInputSchema, type RenameResult } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { PreconditionFailedError, UnexpectedInstanceError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import type { StepClients } from '../shared/clients';

export interface RenameDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
}

/**
 * Plan steps 7 and 9: rename with ApplyImmediately. Checks first that `from` holds the expected instance and
 * is available and that `to` is free, so a refused rename fails with a message that says why.
 */
export async function renameInstance(input: RenameInput, deps: RenameDeps): Promise<RenameResult> {
  const guard = new RdsGuard(deps.rds, deps.ids);
  const from = guard.check(input.from, ['staging', 'temporary', 'old'], 'rename source');
  const to = guard.check(input.to, ['staging', 'temporary', 'old'], 'rename target');
  const source = await describeInstance(deps.rds, from);
  if (!source) throw new PreconditionFailedError(`Cannot rename ${from}: no instance has that name`);
  if (source.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(`${from} is ${source.DbiResourceId}, not the expected ${input.resourceId}`);
  }
  if (source.DBInstanceStatus !== 'available') {
    throw new PreconditionFailedError(`Cannot rename ${from}: it is "${source.DBInstanceStatus}", not available`);
  }
  const holder = await describeInstance(deps.rds, to);
  if (holder)
    throw new PreconditionFailedError(`Cannot rename ${from} to ${to}: ${to} is taken (${holder.DbiResourceId})`);

  const requestedAt = deps.clock.now().toISOString();
  await guard.rename(from, to);
  return { from, to, resourceId: input.resourceId, requestedAt };
}

export const makeHandler = defineStep('rename', renameInputSchema, async (input, deps: RenameDeps, log) => {
  const result = await renameInstance(input, deps);
  log.info('Rename requested', { from: result.from, to: result.to });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): RenameDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env), clock: clients.clock };
}
