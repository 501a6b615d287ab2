import type { RDSClient } from '@aws-sdk/client-rds';
import { type RestoreInput, restoreInputSchema, type RestoreResult } from '../shared/contract/steps';
import type { Clock } from '../shared/clock';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { GuardRefusedError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { restoreInput } from '../shared/instance-config';
import type { StepClients } from '../shared/clients';

export interface RestoreDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
}

/** Plan step 5: restore the production snapshot under the temporary name, configured like staging. */
export async function restoreSnapshot(input: RestoreInput, deps: RestoreDeps): Promise<RestoreResult> {
  if (input.snapshot.instance.toLowerCase() !== deps.ids.production.toLowerCase()) {
    throw new GuardRefusedError(
      `Snapshot ${input.snapshot.identifier} belongs to ${input.snapshot.instance}, not ${deps.ids.production}`,
    );
  }
  const guard = new RdsGuard(deps.rds, deps.ids);
  const requestedAt = deps.clock.now().toISOString();
  const out = await guard.restore(
    restoreInput(input.staging, input.snapshot.identifier, deps.ids.temporary, input.execution.name),
  );
  return {
    identifier: deps.ids.temporary,
    resourceId: out.DBInstance?.DbiResourceId ?? null,
    requestedAt,
  };
}

export const makeHandler = defineStep('restore', restoreInputSchema, async (input, deps: RestoreDeps, log) => {
  const result = await restoreSnapshot(input, deps);
  log.info('Restore requested', { snapshot: input.snapshot.identifier, target: result.identifier });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): RestoreDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env), clock: clients.clock };
}
