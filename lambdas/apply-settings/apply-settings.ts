import type { RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import {
  type ApplySettingsInput,
  applySettingsInputSchema,
  type ApplySettingsResult,
  type DriftEntry,
} from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv } from '../shared/env';
import { UnexpectedInstanceError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { driftFrom } from '../shared/instance-attributes';
import { settingsModification } from '../shared/instance-config';
import { describeInstance } from '../shared/rds-read';
import type { StepClients } from '../shared/clients';

export interface ApplySettingsDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
}

/**
 * After the swap: give the new staging what only ModifyDBInstance can (`apply`), then compare it with staging as
 * captured before any change, over every attribute but its identity (`check`). The plan promises the
 * infrastructure mirrors what existed before: what still differs is reported, with the reason, never dropped.
 */
export async function applySettings(input: ApplySettingsInput, deps: ApplySettingsDeps): Promise<ApplySettingsResult> {
  const guard = new RdsGuard(deps.rds, deps.ids);
  const identifier = guard.check(input.identifier, ['staging'], 'settings target');
  const db = await describeInstance(deps.rds, identifier);
  if (!db) throw new UnexpectedInstanceError(`No instance holds the staging name ${identifier}`);
  if (db.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(
      `${identifier} is ${db.DbiResourceId}, not the new ${input.resourceId}; not touching it`,
    );
  }
  const at = deps.clock.now().toISOString();
  if (input.action === 'check') {
    const drift = driftFrom(input.staging.attributes, db, input.adjustments) as DriftEntry[];
    return { identifier, applied: [], drift, at };
  }
  const modification = settingsModification(input.staging.settings, db, identifier);
  if (modification) await guard.applySettings(modification);
  const applied = Object.keys(modification ?? {}).filter(
    (k) => k !== 'DBInstanceIdentifier' && k !== 'ApplyImmediately',
  );
  return { identifier, applied, drift: [], at };
}

export const makeHandler = defineStep(
  'apply-settings',
  applySettingsInputSchema,
  async (input, deps: ApplySettingsDeps, log) => {
    const result = await applySettings(input, deps);
    if (input.action === 'apply') log.info('Staging settings applied', { applied: result.applied });
    else log.info('Drift checked', { drift: result.drift.map((d) => d.attribute) });
    return result;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'rds' | 'clock'>): ApplySettingsDeps {
  return { rds: clients.rds, ids: identifiersFromEnv(env), clock: clients.clock };
}
