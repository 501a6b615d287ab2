import type { RDSClient } from '@aws-sdk/client-rds';
import { type StagingConfig } from '../shared/contract/state';
import { captureStagingInputSchema } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { STOPPED_INSTANCE_STATUSES, TERMINAL_INSTANCE_STATUSES } from '../shared/contract/rds';
import { PreconditionFailedError, StagingNotFoundError, stoppedInstanceMessage } from '../shared/errors';
import { captureAttributes, notMirrored } from '../shared/instance-attributes';
import { captureConfig, captureSettings, userTags } from '../shared/instance-config';
import { RdsGuard } from '../shared/guard';
import { describeInstance } from '../shared/rds-read';

import { defineStep } from '../shared/handler';
import type { StepClients } from '../shared/clients';

export interface CaptureStagingDeps {
  rds: RDSClient;
  ids: Identifiers;
}

/**
 * Plan step 4: staging's configuration and tags, so the restored copy matches it (and carries staging's
 * tags, not production's). Staging must exist and not be stopped or broken; a real run has waited for it to be
 * available first ("Wait for staging to be ready"), a dry run takes it as it is. Whether the temporary and old
 * names are free is the leftovers step's business (it runs first). `at` is where staging is now: its own name,
 * or, in a dry run after a failed run left it there, the old name (a real run renames it back first).
 */
export async function captureStaging(deps: CaptureStagingDeps, at: string = deps.ids.staging): Promise<StagingConfig> {
  const { rds, ids } = deps;
  const where = new RdsGuard(rds, ids).check(at, ['staging', 'old'], 'staging configuration source');
  const staging = await describeInstance(rds, where);
  if (!staging) throw new StagingNotFoundError(`Staging instance ${where} does not exist`);
  const status = staging.DBInstanceStatus ?? 'unknown';
  if ((STOPPED_INSTANCE_STATUSES as readonly string[]).includes(status)) {
    throw new PreconditionFailedError(stoppedInstanceMessage(where, status));
  }
  if ((TERMINAL_INSTANCE_STATUSES as readonly string[]).includes(status)) {
    throw new PreconditionFailedError(
      `Staging instance ${where} is "${status}": RDS will not make it available on its own, so it cannot be ` +
        `swapped. Nothing was changed. Find out why (aws rds describe-events --source-type db-instance ` +
        `--source-identifier ${where} --duration 1440), and start the restore again once it is available.`,
    );
  }
  if (!staging.DbiResourceId) throw new Error(`DescribeDBInstances for ${where} has no DbiResourceId`);
  const attributes = captureAttributes(staging);
  return {
    identifier: ids.staging,
    resourceId: staging.DbiResourceId,
    status,
    config: captureConfig(staging),
    settings: captureSettings(staging),
    attributes,
    notMirrored: notMirrored(attributes).map(({ attribute, why }) => ({ attribute, why })),
    tags: userTags(staging.TagList),
  };
}

export const makeHandler = defineStep(
  'capture-staging',
  captureStagingInputSchema,
  async (input, deps: CaptureStagingDeps, log) => {
    const staging = await captureStaging(deps, input.at);
    log.info('Captured staging configuration', { staging: staging.identifier, resourceId: staging.resourceId });
    return staging;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds'>): CaptureStagingDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env) };
}
