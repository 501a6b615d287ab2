import { z } from 'zod';
import { looksLikeProduction } from '../lambdas/shared/production';
import { parseSchedule, ScheduleError } from '../lambdas/shared/schedule';

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
const githubName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a GitHub owner or repository name');

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

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
  /** The state machine's name (its ARN is built from it, so the run lock's IAM needs no self-reference). */
  stateMachineName: 'StagingDbRestore',
  /**
   * The run lock: a second execution of this state machine while one runs ends at once. Other state machines
   * that use the staging database can be listed too: while one of them runs, the restore waits for it
   * (bounded by waits.otherRuns) or ends skipped.
   */
  concurrency: {
    otherStateMachineArns: [] as string[],
    whenOthersRun: 'wait' as 'wait' | 'skip',
  },
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
    /** Other users of staging still running (concurrency.whenOthersRun = wait). */
    otherRuns: { maxMinutes: 180, pollSeconds: 300 },
    /** Clearing what an earlier failed run left (deleting its copy, renaming staging back). */
    leftovers: { maxMinutes: 60, pollSeconds: 30 },
    /** A modification of the restored copy (its master password) being applied. */
    modify: { maxMinutes: 30, pollSeconds: 30 },
    /** The staging API's deploy workflow run, after the swap. */
    deploy: { maxMinutes: 60, pollSeconds: 60 },
    /** The search index updates, after the swap. */
    index: { maxMinutes: 360, pollSeconds: 300 },
  },
  /** Overall timeout of one execution. Must exceed the worst case of the wait bounds (worstCaseMinutes). */
  executionTimeoutHours: 24,
  /**
   * Plan step 12.3, done before the swap: the restored copy is cleaned of production's OAuth data (and,
   * optionally, given staging's master password) before it is exposed under the staging name.
   */
  sanitize: {
    /** Emptied in ONE statement (`TRUNCATE a, b, ... RESTART IDENTITY CASCADE`): parallel truncates can deadlock. */
    truncateTables: [
      'api_throttledapplication',
      'api_oauth2registration',
      'api_oauth2verification',
      'oauth2_provider_accesstoken',
      'oauth2_provider_grant',
      'oauth2_provider_idtoken',
      'oauth2_provider_refreshtoken',
    ],
    databaseName: 'openverse',
    /** Secrets Manager secret, JSON `{"username": ..., "password": ...}`: staging's database credentials. */
    credentialsSecretName: 'staging-db-restore/staging-db-credentials',
    /**
     * Set the restored copy's master password to the secret's before connecting. The copy otherwise keeps
     * production's master password, which staging should not share (and this tool should not need).
     */
    resetMasterPassword: true,
    /** Connection attempts right after the restore (DNS may not resolve yet), with backoff. */
    connectAttempts: 6,
  },
  /**
   * Where the sanitize function runs: the VPC, subnets and security groups that reach staging's database.
   * Given as IDs so synth needs no lookups. Without it the function runs outside any VPC (a synth warning
   * says so), which only reaches publicly accessible databases.
   */
  /**
   * SSM parameter where each successful restore is recorded (JSON: time, snapshot, execution). The next run's
   * index update starts from that date; status displays read it. Written by the workflow, not the stack.
   */
  lastRestoreParameterName: '/staging-db-restore/last-restore',
  /** Plan step 12.1: redeploy the staging API (latest release image tag, workflow dispatch) and follow the run. */
  deployApi: {
    enabled: true,
    owner: 'WordPress',
    repo: 'openverse',
    workflowFile: 'deploy-staging-api.yml',
    ref: 'main',
    packageOrg: 'WordPress',
    packageName: 'openverse-api',
    /** Regex of the image tags that count as releases; default: the tag next to `latest`, or `rel-*`. */
    tagPattern: undefined as string | undefined,
    /** Secrets Manager secret holding a GitHub token (read:packages, and actions:write on the repo). */
    tokenSecretName: 'staging-db-restore/github-token',
    apiUrl: 'https://api.github.com',
  },
  /** Plan step 12.2: update the search index of each media type through the ingestion server. */
  searchIndex: {
    enabled: true,
    ingestionServerUrl: 'http://ingestion.private.staging.openverse.org:8001',
    mediaTypes: ['image', 'audio'],
    /** `since_date` of the first run, when no earlier restore is recorded (YYYY-MM-DD). */
    firstRunSinceDate: '2023-01-01',
  },
  /**
   * The status source behind the Django admin notice: a Lambda behind a Function URL answering non-secret
   * JSON (schedule, next run, skip flag, last run). Browsers may read it only from `allowedOrigins`.
   */
  status: {
    enabled: true,
    /** Origins of the Django admin pages that show the notice (scheme://host[:port], no path). */
    allowedOrigins: ['https://api-staging.openverse.org'],
    /** How long one answer is reused (in the function and by browsers). */
    cacheSeconds: 60,
  },
  /** Alarms on failed / timed-out / aborted executions and on stale staging data (lib/monitoring.ts). */
  monitoring: {
    /** The staleness alarm fires when no successful restore has been recorded for more than this many days. */
    staleAfterDays: 35,
    /** Where the README's "Alarms" section is served; each alarm links `<runbookUrl>#alarm-<name>`. */
    runbookUrl: 'https://github.com/WordPress/openverse/blob/main/staging-db-restore/README.md',
    /** An existing SNS topic that gets every alarm. */
    alarmTopicArn: undefined as string | undefined,
    /** A Slack channel (AWS Chatbot) that gets every alarm; the workspace must be authorized in Chatbot first. */
    slack: undefined as { workspaceId: string; channelId: string } | undefined,
  },
  network: undefined as
    { vpcId: string; availabilityZones: string[]; subnetIds: string[]; securityGroupIds: string[] } | undefined,
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
    stateMachineName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be a Step Functions state machine name (1-80 letters, digits, - or _)'),
    concurrency: z
      .object({
        otherStateMachineArns: z
          .array(
            z
              .string()
              .regex(
                /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
                'must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)',
              ),
          )
          .refine((a) => new Set(a).size === a.length, 'must not repeat a state machine'),
        whenOthersRun: z.enum(['wait', 'skip']),
      })
      .strict(),
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
        otherRuns: waitBound,
        leftovers: waitBound,
        modify: waitBound,
        deploy: waitBound,
        index: waitBound,
      })
      .strict(),
    executionTimeoutHours: positiveInt,
    sanitize: z
      .object({
        truncateTables: z
          .array(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lowercase table name'))
          .min(1)
          .refine((t) => new Set(t).size === t.length, 'must not repeat a table'),
        databaseName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a PostgreSQL database name'),
        credentialsSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name'),
        resetMasterPassword: z.boolean(),
        connectAttempts: z.number().int().min(1).max(10),
      })
      .strict(),
    lastRestoreParameterName: z
      .string()
      .regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'must be an SSM parameter path starting with "/"'),
    deployApi: z
      .object({
        enabled: z.boolean(),
        owner: githubName,
        repo: githubName,
        workflowFile: z.string().regex(/^[\w.-]+\.ya?ml$/, 'must be a workflow file name (*.yml)'),
        ref: z.string().min(1),
        packageOrg: githubName,
        packageName: z.string().regex(/^[\w.-]+$/, 'must be a package name'),
        tagPattern: z.string().refine(isRegex, 'must be a valid regular expression').optional(),
        tokenSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name'),
        apiUrl: z
          .string()
          .url()
          .regex(/^https:/, 'must be https'),
      })
      .strict(),
    searchIndex: z
      .object({
        enabled: z.boolean(),
        ingestionServerUrl: z
          .string()
          .url()
          .regex(/^https?:/, 'must be an http(s) URL'),
        mediaTypes: z
          .array(z.string().regex(/^[a-z_]+$/, 'must be a media type name like "image"'))
          .min(1)
          .refine((t) => new Set(t).size === t.length, 'must not repeat a media type'),
        firstRunSinceDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
          .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'must be a real date'),
      })
      .strict(),
    status: z
      .object({
        enabled: z.boolean(),
        allowedOrigins: z
          .array(
            z
              .string()
              .regex(
                /^(https:\/\/[a-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/,
                'must be an origin like https://admin.example.org (https, no path, no "*"; http only for localhost)',
              ),
          )
          .min(1),
        cacheSeconds: z.number().int().min(0).max(3600),
      })
      .strict(),
    monitoring: z
      .object({
        staleAfterDays: z.number().int().min(1).max(366),
        runbookUrl: z
          .string()
          .url()
          .regex(/^https:\/\/[^#]+$/, 'must be an https URL without a #fragment'),
        alarmTopicArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
          .optional(),
        slack: z
          .object({
            workspaceId: z.string().regex(/^[A-Z0-9]{9,15}$/, 'must be a Slack workspace (team) ID like T012ABCDEF'),
            channelId: z.string().regex(/^[A-Z0-9]{9,15}$/, 'must be a Slack channel ID like C012ABCDEF'),
          })
          .strict()
          .optional(),
      })
      .strict(),
    network: z
      .object({
        vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)'),
        availabilityZones: z
          .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'must be an availability zone'))
          .min(1),
        subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-...)')).min(1),
        securityGroupIds: z
          .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-...)'))
          .min(1),
      })
      .strict()
      .refine((n) => n.subnetIds.length === n.availabilityZones.length, {
        message: 'needs one availability zone per subnet, in the same order',
        path: ['availabilityZones'],
      })
      .optional(),
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
  const parsed = restoreConfigSchema.safeParse(withDefaults(DEFAULT_CONFIG, raw as Record<string, unknown>));
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

  const worst = worstCaseMinutes(config);
  if (config.executionTimeoutHours * 60 <= worst) {
    throw new ConfigError(
      'executionTimeoutHours',
      `${config.executionTimeoutHours} h does not leave room for the wait bounds (${worst} min in the worst case)`,
    );
  }
  for (const [kind, bound] of Object.entries(config.waits)) {
    if (bound.pollSeconds > bound.maxMinutes * 60) {
      throw new ConfigError(`waits.${kind}.pollSeconds`, 'must not exceed maxMinutes');
    }
  }
  return config;
}

/**
 * The longest a run can take by its wait bounds: everything up to the swap, then either the rollback or the
 * steps after the swap (which run in parallel, so the longest of them counts).
 */
export function worstCaseMinutes(config: RestoreConfig): number {
  const w = config.waits;
  const beforeSwap =
    (config.concurrency.otherStateMachineArns.length && config.concurrency.whenOthersRun === 'wait'
      ? w.otherRuns.maxMinutes
      : 0) +
    w.leftovers.maxMinutes +
    w.snapshot.maxMinutes +
    w.restore.maxMinutes +
    (config.sanitize.resetMasterPassword ? w.modify.maxMinutes : 0) +
    2 * w.rename.maxMinutes;
  const afterSwap = Math.max(
    w.delete.maxMinutes,
    config.deployApi.enabled ? w.deploy.maxMinutes : 0,
    config.searchIndex.enabled ? w.index.maxMinutes : 0,
  );
  return beforeSwap + Math.max(w.rollback.maxMinutes, afterSwap) + TASK_ALLOWANCE_MINUTES;
}

/**
 * The time the Task states between the waits may take on the slowest path if each times out on every attempt
 * its retry policy allows (90 s a try, the sanitize step 6 min, the deploy dispatch 3 min, plus each loop's
 * last check): about 2 h by default. test/lib/bounded.test.ts checks that this formula covers the synthesized
 * definition's slowest path.
 */
const TASK_ALLOWANCE_MINUTES = 135;

/** `given` over `defaults`, merging nested plain objects (arrays and other values are replaced). */
function withDefaults(defaults: object, given: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    const base = merged[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? withDefaults(base, value) : value;
  }
  return merged;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
