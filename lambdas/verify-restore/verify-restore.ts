import type { RDSClient } from '@aws-sdk/client-rds';
import { type VerifyRestoreInput, verifyRestoreInputSchema, type VerifyRestoreResult } from '../shared/contract/steps';
import { ConfigMismatchError, UnexpectedInstanceError } from '../shared/errors';
import { defineStep } from '../shared/handler';
import { compareConfig } from '../shared/instance-config';
import { describeInstance } from '../shared/rds-read';
import type { StepClients } from '../shared/clients';

export interface VerifyRestoreDeps {
  rds: RDSClient;
}

/**
 * After the restore, before any outage: the new instance must match staging's captured configuration
 * (class, storage, network, groups, tags...). A mismatch fails here, while staging is still untouched.
 */
export async function verifyRestore(input: VerifyRestoreInput, deps: VerifyRestoreDeps): Promise<VerifyRestoreResult> {
  const db = await describeInstance(deps.rds, input.identifier);
  if (!db) throw new UnexpectedInstanceError(`The restored instance ${input.identifier} has disappeared`);
  if (input.resourceId && db.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(
      `${input.identifier} is ${db.DbiResourceId}, not the restored ${input.resourceId}`,
    );
  }
  const mismatches = compareConfig(input.staging, db, input.adjustments);
  if (mismatches.length) {
    const list = mismatches.map(
      (m) => `${m.field}: staging ${JSON.stringify(m.expected)}, new ${JSON.stringify(m.actual)}`,
    );
    throw new ConfigMismatchError(`The restored instance differs from staging: ${list.join('; ')}`);
  }
  return {
    identifier: input.identifier,
    checkedFields: [
      ...Object.keys(input.staging.config).filter((f) => !(f in input.adjustments)),
      ...input.staging.tags.map((t) => `Tags.${t.Key}`),
    ],
  };
}

export const makeHandler = defineStep(
  'verify-restore',
  verifyRestoreInputSchema,
  async (input, deps: VerifyRestoreDeps, log) => {
    const result = await verifyRestore(input, deps);
    log.info('Restored instance matches staging', {
      identifier: input.identifier,
      fields: result.checkedFields.length,
    });
    return result;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(_env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds'>): VerifyRestoreDeps {
  return { rds: clients.rds };
}
