import { z } from 'zod';
import { looksLikeProduction } from '../lambdas/shared/production';

/**
 * The one configuration of the app. `bin/app.ts` reads it from the `staging-db-restore` key of the CDK
 * context (cdk.json or `-c`), `loadConfig` validates it once at synth, and from then on it travels as props.
 */

/** RDS instance identifiers: 1-63 letters, digits or hyphens, starting with a letter (RDS stores them lowercase). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be an RDS instance identifier: a letter, then up to 62 letters, digits or hyphens')
  .refine((s) => !s.includes('--') && !s.endsWith('-'), 'must not contain "--" or end with "-"')
  // RDS stores identifiers in lowercase; the runtime guard accepts only that canonical form.
  .transform((s) => s.toLowerCase());

const positiveInt = z.number().int().positive();

/** Bounds of one wait loop: how long it may take at most, and how often it polls. */
const waitBound = z
  .object({
    maxMinutes: positiveInt,
    pollSeconds: positiveInt,
  })
  .strict();

export const DEFAULT_CONFIG = {
  productionInstance: 'prod-openverse-db',
  stagingInstance: 'dev-openverse-db',
  temporaryInstance: 'dev-next-openverse-db',
  oldInstance: 'dev-old-openverse-db',
  /** 1st of each month, 00:00 UTC (EventBridge cron: minutes hours day-of-month month day-of-week year). */
  schedule: 'cron(0 0 1 * ? *)',
  skipParameterName: '/staging-db-restore/skip',
  slackWebhookSecretName: 'staging-db-restore/slack-webhook',
  /** Optional customer-managed KMS key of the production snapshots (restore needs grants on it). */
  snapshotKmsKeyArn: undefined as string | undefined,
  /**
   * A renamed instance is `available`, then reboots, then `available` again. It counts as settled when it is
   * available after the reboot was seen, or has stayed available for this many seconds.
   */
  renameSettleSeconds: 120,
  waits: {
    snapshot: { maxMinutes: 240, pollSeconds: 300 },
    restore: { maxMinutes: 360, pollSeconds: 300 },
    rename: { maxMinutes: 30, pollSeconds: 15 },
    delete: { maxMinutes: 60, pollSeconds: 60 },
    rollback: { maxMinutes: 90, pollSeconds: 30 },
  },
  /** Overall timeout of one execution. Must exceed the sum of the wait bounds on the main path. */
  executionTimeoutHours: 16,
};

export const restoreConfigSchema = z
  .object({
    productionInstance: identifier,
    stagingInstance: identifier,
    temporaryInstance: identifier,
    oldInstance: identifier,
    schedule: z.string(),
    skipParameterName: z
      .string()
      .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'must be an SSM parameter path starting with "/"'),
    slackWebhookSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name'),
    snapshotKmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN')
      .optional(),
    renameSettleSeconds: z.number().int().nonnegative(),
    waits: z
      .object({
        snapshot: waitBound,
        restore: waitBound,
        rename: waitBound,
        delete: waitBound,
        rollback: waitBound,
      })
      .strict(),
    executionTimeoutHours: positiveInt,
  })
  .strict();

export type RestoreConfig = z.infer<typeof restoreConfigSchema>;
export type WaitKind = keyof RestoreConfig['waits'];

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
 * Merges `raw` over the defaults (one level deep for `waits`), then validates. Throws ConfigError naming the
 * first bad field. `raw` is whatever the CDK context holds, so it is treated as untrusted.
 */
export function loadConfig(raw: unknown = {}): RestoreConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('staging-db-restore', 'must be an object');
  }
  const given = raw as Record<string, unknown>;
  const givenWaits = given.waits;
  const waits =
    givenWaits && typeof givenWaits === 'object' && !Array.isArray(givenWaits)
      ? mergeWaits(givenWaits as Record<string, unknown>)
      : (givenWaits ?? DEFAULT_CONFIG.waits);
  const parsed = restoreConfigSchema.safeParse({ ...DEFAULT_CONFIG, ...given, waits });
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
  validateSchedule(config.schedule);

  const mainPathMinutes =
    config.waits.snapshot.maxMinutes +
    config.waits.restore.maxMinutes +
    2 * config.waits.rename.maxMinutes +
    config.waits.delete.maxMinutes;
  if (config.executionTimeoutHours * 60 <= mainPathMinutes + config.waits.rollback.maxMinutes) {
    throw new ConfigError(
      'executionTimeoutHours',
      `${config.executionTimeoutHours} h does not leave room for the wait bounds ` +
        `(${mainPathMinutes + config.waits.rollback.maxMinutes} min including rollback)`,
    );
  }
  for (const [kind, bound] of Object.entries(config.waits)) {
    if (bound.pollSeconds > bound.maxMinutes * 60) {
      throw new ConfigError(`waits.${kind}.pollSeconds`, 'must not exceed maxMinutes');
    }
  }
  return config;
}

function mergeWaits(given: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG.waits };
  for (const [kind, bound] of Object.entries(given)) {
    const base = (DEFAULT_CONFIG.waits as Record<string, object | undefined>)[kind];
    merged[kind] = base && bound && typeof bound === 'object' && !Array.isArray(bound) ? { ...base, ...bound } : bound;
  }
  return merged;
}

/**
 * EventBridge schedule expressions: `rate(N unit)` or `cron(min hour dom month dow year)` with exactly one of
 * day-of-month / day-of-week set to `?`. Checked field by field so a typo fails synth, not the first deploy.
 */
export function validateSchedule(schedule: string): void {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ConfigError('schedule', 'rate must be at least 1');
    if ((n === 1) !== !rate[2]!.endsWith('s')) throw new ConfigError('schedule', 'use "1 day" / "N days" forms');
    return;
  }
  const cron = /^cron\((.*)\)$/.exec(schedule);
  if (!cron) throw new ConfigError('schedule', `"${schedule}" is neither cron(...) nor rate(...)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ConfigError(
      'schedule',
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  checkCronField('minutes', minutes, 0, 59);
  checkCronField('hours', hours, 0, 23);
  if ((dom === '?') === (dow === '?')) {
    throw new ConfigError('schedule', 'cron needs "?" in exactly one of day-of-month and day-of-week');
  }
  if (dom !== '?' && dom !== 'L' && !/^\d{1,2}W$/.test(dom)) checkCronField('day-of-month', dom, 1, 31);
  checkCronField('month', month, 1, 12, MONTHS);
  const nthOrLast = /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$/i;
  if (dow !== '?' && dow !== 'L' && !nthOrLast.test(dow)) checkCronField('day-of-week', dow, 1, 7, DAYS);
  if (year !== '*') checkCronField('year', year, 1970, 2199);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One cron field: `*`, `N`, `N-M`, each optionally `/step`, comma-separated; names allowed for month/day. */
function checkCronField(name: string, value: string, min: number, max: number, names: string[] = []): void {
  const invalid = () => new ConfigError('schedule', `cron ${name} "${value}" is not valid`);
  for (const part of value.split(',')) {
    const [range, step, ...rest] = part.split('/');
    if (rest.length || !range || (step !== undefined && !/^[1-9]\d*$/.test(step))) throw invalid();
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) throw invalid();
    for (const bound of bounds) {
      const named = names.indexOf(bound.toUpperCase());
      if (named < 0 && !/^\d+$/.test(bound)) throw invalid();
      const v = named >= 0 ? named + min : Number(bound);
      if (v < min || v > max) throw new ConfigError('schedule', `cron ${name} value ${bound} is outside ${min}-${max}`);
    }
  }
}
