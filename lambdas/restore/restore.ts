import { DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { type RestoreInput, restoreInputSchema, type RestoreResult } from '../shared/contract/steps';
import type { Clock } from '../shared/clock';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { errorName, GuardRefusedError, NoSnapshotError, PreconditionFailedError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { restorePlan, type SnapshotStorage } from '../shared/instance-config';
import type { StepClients } from '../shared/clients';

export interface RestoreDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
  /** The customer-managed key this stack was granted for encrypted snapshots (config `snapshotKmsKeyArn`). */
  grantedKmsKey: string | null;
}

/** Plan step 5: restore the production snapshot under the temporary name, configured like staging. */
export async function restoreSnapshot(input: RestoreInput, deps: RestoreDeps): Promise<RestoreResult> {
  if (input.snapshot.instance.toLowerCase() !== deps.ids.production.toLowerCase()) {
    throw new GuardRefusedError(
      `Snapshot ${input.snapshot.identifier} belongs to ${input.snapshot.instance}, not ${deps.ids.production}`,
    );
  }
  const guard = new RdsGuard(deps.rds, deps.ids);
  const snapshot = await snapshotStorage(deps.rds, input.snapshot.identifier);
  const plan = restorePlan(input.staging, snapshot, deps.ids.temporary, input.execution.name);
  const kms = {
    snapshotKey: snapshot.kmsKeyId ?? null,
    grantedKey: deps.grantedKmsKey,
    stagingKey: typeof input.staging.attributes.KmsKeyId === 'string' ? input.staging.attributes.KmsKeyId : null,
  };
  const requestedAt = deps.clock.now().toISOString();
  let out;
  try {
    out = await guard.restore(plan.input);
  } catch (err) {
    if (errorName(err) !== 'KMSKeyNotAccessibleFault') throw err;
    // Nothing was created. Say which key, and what this stack may use, instead of RDS's bare fault.
    throw new PreconditionFailedError(
      `Snapshot ${input.snapshot.identifier} is encrypted with ${kms.snapshotKey ?? 'a KMS key'}, which this stack ` +
        `cannot use (${kms.grantedKey ? `it is granted ${kms.grantedKey} only` : 'no snapshotKmsKeyArn is configured'}). ` +
        'Set snapshotKmsKeyArn to that key, deploy, and allow the restore role in its key policy. RDS said: ' +
        (err as Error).message,
    );
  }
  return {
    identifier: deps.ids.temporary,
    resourceId: out.DBInstance?.DbiResourceId ?? null,
    requestedAt,
    adjustments: plan.adjustments,
    kms,
  };
}

/** The snapshot's size and engine, read now: RDS's storage rules on restore depend on them. */
async function snapshotStorage(rds: RDSClient, identifier: string): Promise<SnapshotStorage> {
  const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
  const snap = out.DBSnapshots?.[0];
  if (!snap) throw new NoSnapshotError(`DescribeDBSnapshots found no snapshot ${identifier}`);
  return {
    identifier,
    engine: snap.Engine ?? null,
    allocatedStorage: snap.AllocatedStorage ?? null,
    kmsKeyId: snap.KmsKeyId ?? null,
  };
}

export const makeHandler = defineStep('restore', restoreInputSchema, async (input, deps: RestoreDeps, log) => {
  const result = await restoreSnapshot(input, deps);
  log.info('Restore requested', { snapshot: input.snapshot.identifier, target: result.identifier });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): RestoreDeps {
  return {
    rds: clients.rds,
    ids: identifiersFromEnv(env),
    clock: clients.clock,
    grantedKmsKey: env.SNAPSHOT_KMS_KEY_ARN || null,
  };
}
