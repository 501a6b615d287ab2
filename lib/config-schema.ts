import { z } from 'zod';

/**
 * The configuration's fields, each declared once: its checks, its default and its description.
 * docs/configuration.md is generated from it (`npm run docs:config`), so a description is written for the
 * platform engineer who sets the field. The checks across fields are loadConfig's (config.ts).
 */

/** RDS instance identifiers: 1-63 letters, digits or hyphens, starting with a letter (RDS stores them lowercase). */
const RDS_IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
/** SSM parameter names as this tool uses them: a path from the root. */
const SSM_PARAMETER_PATH = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
/** Secrets Manager secret names (the name, not the ARN). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const GITHUB_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const identifier = z
  .string()
  .regex(RDS_IDENTIFIER, 'must be an RDS instance identifier: a letter, then up to 62 letters, digits or hyphens')
  .refine((name) => !name.includes('--') && !name.endsWith('-'), 'must not contain "--" or end with "-"')
  // RDS stores identifiers in lowercase; the runtime guard accepts only that canonical form.
  .transform((name) => name.toLowerCase());

const positiveInt = z.number().int().positive();
const githubName = z.string().regex(GITHUB_NAME, 'must be a GitHub owner or repository name');
const ssmParameterPath = z.string().regex(SSM_PARAMETER_PATH, 'must be an SSM parameter path starting with "/"');
const secretName = z.string().regex(SECRET_NAME, 'must be a Secrets Manager secret name');

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const LOWER_CASE = 'Given in any case, used in lower case (as RDS stores it).';
/** The part of a target identifier's description that loadConfig enforces across fields. */
const NOT_PRODUCTION =
  'Must not look like production: synth refuses a name that contains `prod` (in any case, full-width letters ' +
  'too) or equals `productionInstance`, and a name that is another of the four instance fields (RDS names ' +
  'ignore case).';

/**
 * The time the Task states between the waits may take on the slowest path if each times out on every attempt
 * its retry policy allows (90 s a try, the sanitize step 6 min, the deploy dispatch 3 min, plus each loop's
 * last check): about 2.5 h by default. test/lib/bounded.test.ts checks that this formula covers the synthesized
 * definition's slowest path.
 */
export const TASK_ALLOWANCE_MINUTES = 150;

/**
 * Bounds of one wait loop: how long it may take at most, and how often it polls. Each field has its own
 * default, so a partial bound (`{ "maxMinutes": 45 }`) keeps the other.
 */
function waitBound(what: string, maxMinutes: number, pollSeconds: number) {
  return z
    .object({
      maxMinutes: positiveInt.default(maxMinutes).describe('Longest the wait may take, in minutes.'),
      pollSeconds: positiveInt
        .default(pollSeconds)
        .describe('Seconds between two checks; at most `maxMinutes` × 60 (synth refuses more).'),
    })
    .strict()
    .prefault({})
    .describe(what);
}

/*
 * Nested objects take `.prefault({})`: an absent or partial object is parsed as given, so every field it
 * leaves out gets its own default (given values over defaults, objects merged, arrays replaced whole).
 */
export const restoreConfigSchema = z
  .object({
    productionInstance: identifier
      .default('prod-openverse-db')
      .describe(`The production instance, source of the snapshots. Only ever read. ${LOWER_CASE}`),
    stagingInstance: identifier
      .default('dev-openverse-db')
      .describe(`The staging instance: the one that is recreated. ${LOWER_CASE} ${NOT_PRODUCTION}`),
    temporaryInstance: identifier
      .default('dev-next-openverse-db')
      .describe(`Name the snapshot is restored under, before the swap. ${LOWER_CASE} ${NOT_PRODUCTION}`),
    oldInstance: identifier
      .default('dev-old-openverse-db')
      .describe(`Name staging is moved to during the swap, then deleted. ${LOWER_CASE} ${NOT_PRODUCTION}`),
    schedule: z
      .string()
      .default('cron(0 0 1 * ? *)')
      .describe(
        'When the EventBridge rule starts a run, in UTC; the default is the 1st of each month at 00:00. Either ' +
          '`cron(minutes hours day-of-month month day-of-week year)`: 6 fields, `?` in exactly one of ' +
          'day-of-month and day-of-week, day-of-week 1-7 = SUN-SAT, also `L`, `nW`, `xL`, `x#n`, `a/s`; or ' +
          '`rate(N minutes|hours|days)`, with the singular unit for 1 (`rate(1 day)`). Synth checks it with the ' +
          'parser the status function and the admin notice use to compute the next run.',
      ),
    skipParameterName: ssmParameterPath
      .default('/staging-db-restore/skip')
      .describe(
        'SSM String parameter holding the skip flag (`true`/`false`): while it is `true`, scheduled runs end ' +
          'at once as skipped. Created by the stack with `false`.',
      ),
    stateMachineName: z
      .string()
      .regex(STATE_MACHINE_NAME, 'must be a Step Functions state machine name (1-80 letters, digits, - or _)')
      .default('StagingDbRestore')
      .describe(
        "The state machine's name. Its ARN is built from it, so the run lock's IAM policy needs no reference " +
          'to the state machine itself.',
      ),
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
          .refine(unique, 'must not repeat a state machine')
          .default([])
          .describe(
            'Other state machines that use the staging database: while one of them runs, the restore does not ' +
              "start changing anything. Full ARNs; not this tool's own (synth refuses it: the run lock covers it).",
          ),
        whenOthersRun: z
          .enum(['wait', 'skip'])
          .default('wait')
          .describe(
            '`wait`: wait for them (bounded by `waits.otherRuns`; when that runs out, the run fails having ' +
              'changed nothing). `skip`: end at once as skipped ("Staging is in use").',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'The run lock: a second execution of this state machine while one runs ends at once. Other state ' +
          'machines that use the staging database can be listed too.',
      ),
    slackWebhookSecretName: secretName
      .default('staging-db-restore/slack-webhook')
      .describe(
        'Secrets Manager secret holding the Slack incoming-webhook URL that run reports go to (bare, or JSON ' +
          '`{"url": "..."}`). Not created by the stack.',
      ),
    snapshotKmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'must be a KMS key ARN')
      .optional()
      .describe(
        'Customer-managed KMS key of encrypted production snapshots. The restore function gets ' +
          '`kms:CreateGrant`, `DescribeKey`, `Decrypt` and `GenerateDataKey*` on it, via RDS only.',
      ),
    renameSettleSeconds: z
      .number()
      .int()
      .nonnegative()
      .default(120)
      .describe(
        'A renamed instance is `available`, then reboots, then `available` again. It counts as settled when ' +
          'it is available after the reboot was seen, or has stayed available this many seconds when no reboot ' +
          'was seen.',
      ),
    waits: z
      .object({
        snapshot: waitBound('The production snapshot becoming available.', 240, 300),
        restore: waitBound('The restored copy becoming available under the temporary name.', 360, 300),
        rename: waitBound('Each rename of the swap settling (see `renameSettleSeconds`).', 30, 15),
        delete: waitBound('The old instance being deleted, after the swap.', 60, 60),
        rollback: waitBound(
          'The rollback after a failure, until staging is back as it was and the copy is gone. It must cover the ' +
            "rollback's worst case (synth refuses less): the rename that was in flight when the run failed, the two " +
            'renames it makes (each `waits.rename.maxMinutes`, the last one also `renameSettleSeconds`) and the ' +
            'delete of the copy (`waits.delete.maxMinutes`), each plus one poll: 154 min with the defaults.',
          160,
          30,
        ),
        otherRuns: waitBound(
          'Other users of staging still running (`concurrency.whenOthersRun` = `wait`), before anything changes.',
          180,
          300,
        ),
        leftovers: waitBound(
          'Clearing what an earlier failed run left (deleting its copy, renaming staging back).',
          60,
          30,
        ),
        stagingReady: waitBound(
          'Staging in a passing status (`backing-up`, `modifying`, `maintenance`, `upgrading`, ...) until it is ' +
            '`available` with no operation in flight: before its configuration is captured, and again just before ' +
            'the outage, so that Slack announces the outage only once the swap can start. When this runs out before ' +
            'the outage, the copy is deleted and staging is left as it is.',
          60,
          30,
        ),
        modify: waitBound(
          'A modification of the restored copy (its master password, see `sanitize.resetMasterPassword`) being applied.',
          30,
          30,
        ),
        settings: waitBound(
          "Staging's own settings (backups, windows, monitoring, deletion protection) being applied to the new " +
            'staging, after the swap.',
          60,
          60,
        ),
        deploy: waitBound("The staging API's deploy workflow run, after the swap.", 60, 60),
        index: waitBound('The search index updates, after the swap.', 360, 300),
      })
      .strict()
      .prefault({})
      .describe(
        'Bounds of each wait loop, `{ "maxMinutes", "pollSeconds" }`. A loop that runs out fails its step: ' +
          'before the swap the run rolls back; after it the step is reported failed.',
      ),
    executionTimeoutHours: positiveInt
      .default(30)
      .describe(
        'Overall timeout of one execution, in hours. It must exceed the worst case of the wait bounds ' +
          '(synth refuses less): everything before the swap (both waits for staging to be ready included), plus ' +
          'the longer of the rollback and the slowest step after the swap, plus ' +
          `${TASK_ALLOWANCE_MINUTES} min for the steps between the waits timing out ` +
          'on every retry. Only waits that can happen count (`waits.deploy` not when `deployApi.enabled` is ' +
          'false, for example). With the default bounds that is 22 h, 25 h with other users of staging to ' +
          'wait for ' +
          '(test/lib/bounded.test.ts checks the formula against the synthesized definition).',
      ),
    sanitize: z
      .object({
        truncateTables: z
          .array(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lowercase table name'))
          .min(1)
          .refine(unique, 'must not repeat a table')
          .default([
            'api_throttledapplication',
            'api_oauth2registration',
            'api_oauth2verification',
            'oauth2_provider_accesstoken',
            'oauth2_provider_grant',
            'oauth2_provider_idtoken',
            'oauth2_provider_refreshtoken',
          ])
          .describe(
            "Tables emptied in the copy before the swap (by default production's OAuth data), in one " +
              '`TRUNCATE a, b, ... RESTART IDENTITY CASCADE`: parallel truncates can deadlock.',
          ),
        databaseName: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a PostgreSQL database name')
          .default('openverse')
          .describe('Database the tables live in.'),
        credentialsSecretName: secretName
          .default('staging-db-restore/staging-db-credentials')
          .describe(
            "Secrets Manager secret with staging's database credentials, JSON " +
              '`{"username": ..., "password": ...}` (the RDS-managed secret format). `username` must be the ' +
              "instance's master user. Not created by the stack.",
          ),
        resetMasterPassword: z
          .boolean()
          .default(true)
          .describe(
            "Give the copy the secret's password before connecting. The copy otherwise keeps production's " +
              "master password, which staging should not share (and the tool would need production's " +
              'credentials).',
          ),
        connectAttempts: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(6)
          .describe(
            'Connection attempts right after the restore (DNS may not resolve yet), backing off 2, 4, 8, 16, 20 s.',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        "Before the swap, the restored copy is cleaned of production's OAuth data (and, optionally, given " +
          "staging's master password) before it is exposed under the staging name.",
      ),
    deleteOld: z
      .object({
        deleteAutomatedBackups: z
          .boolean()
          .default(false)
          .describe(
            "`DeleteAutomatedBackups` of the old instance's delete. `false` (the default) keeps its automated " +
              'backups, billed as backup storage, until its backup retention period ends: until then a ' +
              'point-in-time restore of the old staging data is possible, the only way back once the instance is ' +
              'gone (no final snapshot is taken). Kept backups can still be deleted by hand ' +
              '(`aws rds delete-db-instance-automated-backup`); deleted ones cannot be brought back. Staging ' +
              'restored by this tool has no automated backups (`BackupRetentionPeriod` 0) unless someone turned ' +
              'them on, so usually there is nothing to keep. `true` deletes them with the instance.',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'After the swap, the old staging instance is deleted without a final snapshot; deletion protection is ' +
          'turned off first if it had it.',
      ),
    lastRestoreParameterName: ssmParameterPath
      .default('/staging-db-restore/last-restore')
      .describe(
        'SSM parameter where each successful restore is recorded, written by the workflow after the swap ' +
          '(not created by the stack): JSON `at`, `snapshot`, `snapshotCreatedAt`, `execution`. The next ' +
          "run's index update starts from its date; the status function reads it.",
      ),
    deployApi: z
      .object({
        enabled: z.boolean().default(true).describe('Redeploy the staging API after the swap.'),
        owner: githubName.default('WordPress').describe('GitHub owner of the repository with the deploy workflow.'),
        repo: githubName.default('openverse').describe('GitHub repository with the deploy workflow.'),
        workflowFile: z
          .string()
          .regex(/^[\w.-]+\.ya?ml$/, 'must be a workflow file name (*.yml)')
          .default('deploy-staging-api.yml')
          .describe(
            'The deploy workflow dispatched after the swap. It must accept the inputs `tag` and `run_name` and ' +
              "use `run-name: ${{ inputs.run_name }}`: that is how the run is found again (Openverse's current " +
              'workflow has only `tag`).',
          ),
        ref: z.string().min(1).default('main').describe('Git ref the workflow is dispatched on.'),
        packageOrg: githubName
          .default('WordPress')
          .describe('Owner of the GHCR container package whose newest release tag is deployed.'),
        packageName: z
          .string()
          .regex(/^[\w.-]+$/, 'must be a package name')
          .default('openverse-api')
          .describe('The GHCR container package whose newest release tag is deployed.'),
        tagPattern: z
          .string()
          .refine(isRegex, 'must be a valid regular expression')
          .optional()
          .describe(
            'Regex of the image tags that count as releases. Without it: the tag next to `latest`, or `rel-*`.',
          ),
        tokenSecretName: secretName
          .default('staging-db-restore/github-token')
          .describe(
            'Secrets Manager secret holding a GitHub token (bare, or JSON `{"token": ...}`) with `read:packages` ' +
              'and Actions read/write on the repository; its user must be allowed to run the deploy workflow. ' +
              'Not created by the stack.',
          ),
        apiUrl: z
          .string()
          .url()
          .regex(/^https:/, 'must be https')
          .default('https://api.github.com')
          .describe('Base URL of the GitHub REST API.'),
      })
      .strict()
      .prefault({})
      .describe(
        'After the swap, redeploy the staging API: dispatch its deploy workflow with the newest release image ' +
          'tag, then follow the run (bounded by `waits.deploy`).',
      ),
    searchIndex: z
      .object({
        enabled: z.boolean().default(true).describe('Update the search indices after the swap.'),
        ingestionServerUrl: z
          .string()
          .url()
          .regex(/^https?:/, 'must be an http(s) URL')
          .default('http://ingestion.private.staging.openverse.org:8001')
          .describe('The ingestion server that updates the indices; it must be reachable from `network`.'),
        mediaTypes: z
          .array(z.string().regex(/^[a-z_]+$/, 'must be a media type name like "image"'))
          .min(1)
          .refine(unique, 'must not repeat a media type')
          .default(['image', 'audio'])
          .describe('Media types whose indices are updated.'),
        firstRunSinceDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
          .refine((date) => !Number.isNaN(Date.parse(`${date}T00:00:00Z`)), 'must be a real date')
          .default('2023-01-01')
          .describe(
            '`since_date` of the first run, when no earlier restore is recorded; later runs start from the ' +
              'recorded one (`lastRestoreParameterName`).',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'After the swap, update the search index of each media type through the ingestion server (bounded by ' +
          '`waits.index`).',
      ),
    status: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Create the status function and its URL (the stack output `statusUrl`).'),
        allowedOrigins: z
          .array(
            z
              .string()
              .regex(
                /^(https:\/\/[a-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/,
                'must be an origin like https://admin.example.org (https, no path, no "*"; http only for localhost)',
              ),
          )
          .min(1)
          .default(['https://api-staging.openverse.org'])
          .describe(
            'Origins of the Django admin pages that show the notice: browsers may read the status only from ' +
              'these (`https://host[:port]`, no path or `*`; `http` only for localhost).',
          ),
        cacheSeconds: z
          .number()
          .int()
          .min(0)
          .max(3600)
          .default(60)
          .describe('How long one answer is reused, in the function and by browsers.'),
      })
      .strict()
      .prefault({})
      .describe(
        'The status source behind the Django admin notice: a Lambda behind a Function URL answering ' +
          'non-secret JSON (schedule, next run, skip flag, last run).',
      ),
    monitoring: z
      .object({
        staleAfterDays: z
          .number()
          .int()
          .min(1)
          .max(366)
          .default(35)
          .describe(
            'The staleness alarm fires when no successful restore has been recorded for more than this many days.',
          ),
        runbookUrl: z
          .string()
          .url()
          .regex(/^https:\/\/[^#]+$/, 'must be an https URL without a #fragment')
          .default('https://github.com/WordPress/openverse/blob/main/staging-db-restore/docs/runbook.md')
          .describe(
            'Where the runbook (docs/runbook.md) is served: each alarm links `<runbookUrl>#alarm-<name>`. Set it ' +
              'to where your copy lives.',
          ),
        alarmTopicArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
          .optional()
          .describe('An existing SNS topic that gets every alarm.'),
        slack: z
          .object({
            workspaceId: z
              .string()
              .regex(/^[A-Z0-9]{9,15}$/, 'must be a Slack workspace (team) ID like T012ABCDEF')
              .describe('The Slack workspace (team) ID.'),
            channelId: z
              .string()
              .regex(/^[A-Z0-9]{9,15}$/, 'must be a Slack channel ID like C012ABCDEF')
              .describe('The Slack channel ID.'),
          })
          .strict()
          .optional()
          .describe(
            'A Slack channel that gets every alarm through AWS Chatbot (on a new encrypted SNS topic). ' +
              'Authorize the workspace in the Chatbot console once first.',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'Alarms on failed, timed-out and aborted executions and on stale staging data. They go to ' +
          '`alarmTopicArn` and/or Slack.',
      ),
    network: z
      .object({
        vpcId: z
          .string()
          .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)')
          .describe('The VPC.'),
        availabilityZones: z
          .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'must be an availability zone'))
          .min(1)
          .describe('The availability zone of each subnet, in the order of `subnetIds`.'),
        subnetIds: z
          .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-...)'))
          .min(1)
          .describe('The subnets the functions run in.'),
        securityGroupIds: z
          .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-...)'))
          .min(1)
          .describe('The security groups of the functions.'),
      })
      .strict()
      .refine((network) => network.subnetIds.length === network.availabilityZones.length, {
        message: 'needs one availability zone per subnet, in the same order',
        path: ['availabilityZones'],
      })
      .optional()
      .describe(
        "Where the sanitize and index functions run: a place that reaches staging's database and the " +
          'ingestion server. Given as IDs, so synth needs no lookups. Without it they run outside any VPC (synth ' +
          'warns), which only reaches publicly accessible endpoints.',
      ),
  })
  .strict();

export type RestoreConfig = z.infer<typeof restoreConfigSchema>;
export type WaitKind = keyof RestoreConfig['waits'];

/** Every default: what `loadConfig` returns when nothing is given. */
export const DEFAULT_CONFIG: RestoreConfig = restoreConfigSchema.parse({});
