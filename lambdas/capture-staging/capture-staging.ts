import type { RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { StagingConfig } from '../shared/contract';
import type { Identifiers } from '../shared/env';
import { PreconditionFailedError, StagingNotFoundError } from '../shared/errors';
import { captureConfig, userTags } from '../shared/instance-config';
import { describeInstance } from '../shared/rds-read';

import { defineStep } from '../shared/handler';

export interface CaptureStagingDeps {
  rds: RDSClient;
  ids: Identifiers;
}

/**
 * Plan step 4: staging's configuration and tags, so the restored copy matches it (and carries staging's
 * tags, not production's). Also the preconditions of the swap, checked before anything is mutated: staging
 * exists and is available, and the temporary and old names are free.
 */
export async function captureStaging(deps: CaptureStagingDeps): Promise<StagingConfig> {
  const { rds, ids } = deps;
  const staging = await describeInstance(rds, ids.staging);
  if (!staging) throw new StagingNotFoundError(`Staging instance ${ids.staging} does not exist`);
  if (staging.DBInstanceStatus !== 'available') {
    throw new PreconditionFailedError(
      `Staging instance ${ids.staging} is "${staging.DBInstanceStatus}"; it must be available to be renamed`,
    );
  }
  for (const name of [ids.temporary, ids.old]) {
    const holder = await describeInstance(rds, name);
    if (holder) {
      throw new PreconditionFailedError(
        `The name ${name} is already taken by an instance (${holder.DBInstanceStatus}), probably left by an earlier ` +
          'run. Nothing was changed. Delete or rename it, then start the restore again.',
      );
    }
  }
  if (!staging.DbiResourceId) throw new Error(`DescribeDBInstances for ${ids.staging} has no DbiResourceId`);
  return {
    identifier: ids.staging,
    resourceId: staging.DbiResourceId,
    status: staging.DBInstanceStatus,
    config: captureConfig(staging),
    tags: userTags(staging.TagList),
  };
}

export const makeHandler = defineStep(
  'capture-staging',
  z.object({}).passthrough(),
  async (_input, deps: CaptureStagingDeps, log) => {
    const staging = await captureStaging(deps);
    log.info('Captured staging configuration', { staging: staging.identifier, resourceId: staging.resourceId });
    return staging;
  },
);
