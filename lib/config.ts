import { looksLikeProduction } from '../lambdas/shared/production';
import { parseSchedule, ScheduleError } from '../lambdas/shared/schedule';
import { type RestoreConfig, restoreConfigSchema, TASK_ALLOWANCE_MINUTES } from './config-schema';

/**
 * The one configuration of the app. `bin/app.ts` reads it from the `staging-db-restore` key of the CDK
 * context (cdk.json or `-c`), `loadConfig` validates it once at synth, and from then on it travels as props.
 * Its fields, defaults and descriptions are in config-schema.ts; the checks across fields are here.
 */
export { DEFAULT_CONFIG, restoreConfigSchema, type RestoreConfig, type WaitKind } from './config-schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid staging-db-restore config: ${field}: ${problem}`);
  }
}

const NON_PRODUCTION = ['stagingInstance', 'temporaryInstance', 'oldInstance'] as const;

/**
 * Validates `raw` (an object, or JSON text of one) and fills in the defaults of what it leaves out, then
 * checks what spans fields.
 * Throws ConfigError naming the first bad field. `raw` is whatever the CDK context holds, so it is treated as
 * untrusted.
 */
export function loadConfig(raw: unknown = {}): RestoreConfig {
  const given = typeof raw === 'string' ? fromJsonText(raw) : raw;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new ConfigError('staging-db-restore', 'must be an object');
  }
  const parsed = restoreConfigSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const problem = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
    throw new ConfigError(path.length ? path.join('.') : 'staging-db-restore', problem);
  }
  const config = parsed.data;

  for (const field of NON_PRODUCTION) {
    if (looksLikeProduction(config[field], config.productionInstance)) {
      throw new ConfigError(
        field,
        `"${config[field]}" looks like production (it contains "prod" or equals productionInstance); ` +
          'only the production snapshot may be read, nothing production-like may be a target',
      );
    }
  }
  const seen = new Map<string, string>();
  for (const field of ['productionInstance', ...NON_PRODUCTION] as const) {
    const key = config[field].toLowerCase();
    const other = seen.get(key);
    if (other)
      throw new ConfigError(field, `"${config[field]}" is the same instance as ${other} (RDS names ignore case)`);
    seen.set(key, field);
  }
  try {
    parseSchedule(config.schedule);
  } catch (err) {
    if (err instanceof ScheduleError) throw new ConfigError('schedule', err.message);
    throw err;
  }
  config.concurrency.otherStateMachineArns.forEach((arn, i) => {
    if (arn.endsWith(`:stateMachine:${config.stateMachineName}`)) {
      throw new ConfigError(
        `concurrency.otherStateMachineArns.${i}`,
        `"${arn}" is this tool's own state machine; the run lock already covers it`,
      );
    }
  });

  for (const [kind, bound] of Object.entries(config.waits)) {
    if (bound.pollSeconds > bound.maxMinutes * 60) {
      throw new ConfigError(`waits.${kind}.pollSeconds`, 'must not exceed maxMinutes');
    }
  }
  const rollback = rollbackWorstCaseMinutes(config);
  if (config.waits.rollback.maxMinutes < rollback) {
    throw new ConfigError(
      'waits.rollback.maxMinutes',
      `${config.waits.rollback.maxMinutes} min is shorter than the rollback's own worst case, ${rollback} min: ` +
        'the rename in flight, two renames (waits.rename.maxMinutes each, the last plus renameSettleSeconds) and ' +
        'the delete of the copy (waits.delete.maxMinutes), each plus one poll (waits.rollback.pollSeconds). A ' +
        `rollback that is merely slow would be reported as failed; set it to at least ${rollback}`,
    );
  }
  const worst = worstCaseMinutes(config);
  if (config.executionTimeoutHours * 60 <= worst) {
    throw new ConfigError(
      'executionTimeoutHours',
      `${config.executionTimeoutHours} h does not leave room for the wait bounds (${worst} min in the worst case)`,
    );
  }
  return config;
}

/** `cdk synth -c key=value` hands every value over as a string, so a config given there arrives as JSON text. */
function fromJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      'staging-db-restore',
      `must be an object; given as text (-c), JSON: ${(err as Error).message}`,
    );
  }
}

/**
 * The longest the rollback loop can take when RDS is slow but works, in minutes: the worst failure point is
 * right after the copy was asked to take the staging name. Then it waits for that rename in flight, renames
 * the copy away, renames the original back and waits for it to settle, and deletes the copy: three renames
 * (each up to waits.rename, the last one settling for renameSettleSeconds on top) and a delete (waits.delete),
 * each noticed up to one poll late. (Before the outage it only deletes the copy, which is less.)
 */
export function rollbackWorstCaseMinutes(config: RestoreConfig): number {
  const { rename, delete: del, rollback } = config.waits;
  const seconds =
    3 * (rename.maxMinutes * 60 + rollback.pollSeconds) +
    config.renameSettleSeconds +
    del.maxMinutes * 60 +
    rollback.pollSeconds;
  return Math.ceil(seconds / 60);
}

/**
 * The longest a run can take by its wait bounds: everything up to the swap, then either the rollback or the
 * steps after the swap (which run in parallel, so the longest of them counts). The first wait for staging to be
 * ready runs beside the wait for the snapshot; the second one comes just before the outage.
 */
export function worstCaseMinutes(config: RestoreConfig): number {
  const waits = config.waits;
  const beforeSwap =
    (config.concurrency.otherStateMachineArns.length && config.concurrency.whenOthersRun === 'wait'
      ? waits.otherRuns.maxMinutes
      : 0) +
    waits.leftovers.maxMinutes +
    Math.max(waits.snapshot.maxMinutes, waits.stagingReady.maxMinutes) +
    waits.restore.maxMinutes +
    (config.sanitize.resetMasterPassword ? waits.modify.maxMinutes : 0) +
    waits.stagingReady.maxMinutes +
    2 * waits.rename.maxMinutes;
  const afterSwap = Math.max(
    waits.delete.maxMinutes,
    waits.settings.maxMinutes,
    config.deployApi.enabled ? waits.deploy.maxMinutes : 0,
    config.searchIndex.enabled ? waits.index.maxMinutes : 0,
  );
  return beforeSwap + Math.max(waits.rollback.maxMinutes, afterSwap) + TASK_ALLOWANCE_MINUTES;
}
