import { DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { type RestoreInput, restoreInputSchema, type RestoreResult } from '../shared/contract/steps';
import type { Clock } from '../shared/clock';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { GuardRefusedError, NoSnapshotError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { restorePlan, type SnapshotStorage } from '../shared/instance-config';
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
  const plan = restorePlan(
    input.staging,
    await snapshotStorage(deps.rds, input.snapshot.identifier),
    deps.ids.temporary,
    input.execution.name,
  );
  const requestedAt = deps.clock.now().toISOString();
  const out = await guard.restore(plan.input);
  return {
    identifier: deps.ids.temporary,
    resourceId: out.DBInstance?.DbiResourceId ?? null,
    requestedAt,
    adjustments: plan.adjustments,
  };
}

/** The snapshot's size and engine, read now: RDS's storage rules on restore depend on them. */
async function snapshotStorage(rds: RDSClient, identifier: string): Promise<SnapshotStorage> {
  const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
  const snap = out.DBSnapshots?.[0];
  if (!snap) throw new NoSnapshotError(`DescribeDBSnapshots found no snapshot ${identifier}`);
  return { identifier, engine: snap.Engine ?? null, allocatedStorage: snap.AllocatedStorage ?? null };
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
