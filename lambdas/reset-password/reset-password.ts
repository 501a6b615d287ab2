import type { RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { type ResetPasswordInput, resetPasswordInputSchema, type ResetPasswordResult } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv, requireEnv } from '../shared/env';
import { PreconditionFailedError, UnexpectedInstanceError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import { credentialsReader, type DbCredentials } from '../sanitize/credentials';
import type { StepClients } from '../shared/clients';

export interface ResetPasswordDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
  readCredentials(): Promise<DbCredentials>;
}

/**
 * The restored copy carries production's master password. Before anyone can use it as staging, its master
 * password becomes staging's (from the credentials secret), so staging never shares production's and this
 * tool never needs production's. The secret's username must be the copy's master user.
 */
export async function resetMasterPassword(
  input: ResetPasswordInput,
  deps: ResetPasswordDeps,
): Promise<ResetPasswordResult> {
  const guard = new RdsGuard(deps.rds, deps.ids);
  const identifier = guard.check(input.identifier, ['temporary'], 'master-password target');
  const db = await describeInstance(deps.rds, identifier);
  if (!db || db.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(`${identifier} is not the restored instance ${input.resourceId}`);
  }
  const credentials = await deps.readCredentials();
  if (db.MasterUsername && credentials.username !== db.MasterUsername) {
    throw new PreconditionFailedError(
      `The credentials secret's username "${credentials.username}" is not the master user "${db.MasterUsername}" ` +
        'of the restored copy; the new password would not apply to it',
    );
  }
  const requestedAt = deps.clock.now().toISOString();
  await guard.setMasterPassword(identifier, credentials.password);
  return { identifier, requestedAt };
}

export const makeHandler = defineStep(
  'reset-password',
  resetPasswordInputSchema,
  async (input, deps: ResetPasswordDeps, log) => {
    const result = await resetMasterPassword(input, deps);
    log.info('Master password change requested', { identifier: result.identifier });
    return result;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(
  env: NodeJS.ProcessEnv,
  clients: Pick<StepClients, 'rds' | 'secrets' | 'clock'>,
): ResetPasswordDeps {
  return {
    rds: clients.rds,
    ids: identifiersFromEnv(env),
    clock: clients.clock,
    readCredentials: credentialsReader(clients.secrets, requireEnv('DB_CREDENTIALS_SECRET', env)),
  };
}
