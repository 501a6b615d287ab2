import * as z from 'zod/mini';
import { en } from 'zod/locales';

// Zod Mini (tree-shakable: the handlers' bundles carry only the checks they use) with Zod's English messages,
// the same ones full Zod gives, so errors keep naming what was expected.
z.config(en());

/**
 * The one contract for the data that flows through the state machine. The CDK workflow (lib/workflow) and
 * every handler import these names, so a reader finds what `$.snapshot` holds here and nowhere else.
 *
 * Layout of the execution state (`$`), laid out empty by "Start restore" and filled in this order (the
 * execution's identity is read from `$$.Execution` where needed, never stored):
 *   $.input                ExecutionInput         the execution input, validated ("Validate execution input")
 *   $.skip                 { value }              the skip flag, as read from SSM
 *   $.lastRestore          { value }              the last recorded restore (raw SSM value, '' if none)
 *   $.runs                 RunsCheck              other executions of this tool / other users of staging
 *   $.leftovers            LeftoversProgress      what an earlier failed run left, and what was done about it
 *   $.found.snapshot       SnapshotInfo           the production snapshot to restore (plan steps 2-3)
 *   $.found.staging        StagingConfig          staging's captured configuration (plan step 4)
 *   $.restore              RestoreResult          the restore request (plan step 5)
 *   $.waits.<loop>         PollResult             each wait loop's last poll: snapshot, restore, password,
 *                                                 old, staging, deleted (plan steps 3, 6, 8, 10, 11)
 *   $.verify               VerifyResult           the restored instance's configuration check
 *   $.resetPassword        { identifier, ... }    the master password change of the copy
 *   $.sanitize             SanitizeResult         OAuth rows removed from the copy (plan step 12.3)
 *   $.renameAway/renameIn  RenameResult           the two renames (outage starts at renameAway.requestedAt)
 *   $.plan                 (dry run only)         what a real run would do, from the read-only checks
 *   $.afterSwap            { delete, deploy, index, record }: each branch's { step, ok, ... } (plan step 12)
 *   $.failure              { Error, Cause }       set by a Catch
 *   $.failedAt             { state, outageStarted } which state failed, before the rollback
 *   $.rollback             RollbackProgress       the rollback loop's progress
 * Empty slots are `{}` (EMPTY_SLOT below).
 */

/** Custom error names: thrown by handlers (`error.name`), caught by the workflow's Catch/Retry. */
export const ERRORS = {
  noSnapshot: 'NoProductionSnapshot',
  snapshotFailed: 'SnapshotFailed',
  instanceFailed: 'InstanceFailed',
  waitTimedOut: 'WaitTimedOut',
  stagingNotFound: 'StagingNotFound',
  configMismatch: 'ConfigMismatch',
  unexpectedInstance: 'UnexpectedInstance',
  guardRefused: 'ProductionGuardRefused',
  preconditionFailed: 'PreconditionFailed',
  sanitizeFailed: 'SanitizeFailed',
  databaseUnreachable: 'DatabaseUnreachable',
  invalidInput: 'InvalidInput',
  invalidSkipFlag: 'InvalidSkipFlag',
  rollbackStuck: 'RollbackStuck',
  leftoversFound: 'LeftoversFound',
  afterSwapFailed: 'AfterSwapFailed',
  // Raised by the deploy-api and update-index steps (their errors.ts): caught as branch failures after the swap.
  noReleaseTag: 'NoReleaseTag',
  deployDispatchFailed: 'DeployDispatchFailed',
  deployRunNotFound: 'DeployRunNotFound',
  deployFailed: 'DeployFailed',
  gitHubApiError: 'GitHubApiError',
  gitHubTokenInvalid: 'GitHubTokenInvalid',
  ingestionServerUnavailable: 'IngestionServerUnavailable',
  indexUpdateFailed: 'IndexUpdateFailed',
} as const;

/** RDS errors we retry or treat specially, as the SDK names them (`err.name`). */
export const RDS_ERRORS = {
  instanceNotFound: 'DBInstanceNotFoundFault',
  invalidState: 'InvalidDBInstanceStateFault',
  alreadyExists: 'DBInstanceAlreadyExistsFault',
} as const;

/** Instance statuses that can never become `available` on their own: fail fast. */
export const TERMINAL_INSTANCE_STATUSES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'restore-error',
  'storage-full',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'deleting',
  'stopped',
  'stopping',
] as const;

/** Statuses in which RDS accepts DeleteDBInstance for an instance this tool created. */
export const DELETABLE_INSTANCE_STATUSES = [
  'available',
  'creating',
  'backing-up',
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'restore-error',
  'storage-full',
  'inaccessible-encryption-credentials',
  'stopped',
] as const;

export function isDeletable(status: string | undefined): boolean {
  return (DELETABLE_INSTANCE_STATUSES as readonly string[]).includes(status ?? '');
}

/** Snapshot statuses that can never become `available`. */
export const TERMINAL_SNAPSHOT_STATUSES = ['failed', 'deleted', 'deleting', 'incompatible-restore'] as const;

/** The tag every instance created by this tool carries; rollback only deletes instances with it. */
export const CREATED_BY_TAG = 'staging-db-restore:execution';

/**
 * An empty slot of the state data. The workflow lays out every slot at the start (lib/workflow) so that
 * each path it reads exists; an empty slot is `{}` rather than null, because a path to a null is treated as
 * a path to nothing by some JSONPath engines (aws-local-stepfunctions among them).
 */
export const EMPTY_SLOT = {};

/** `schema`, or an empty slot (`{}`), null or absent, read as null. */
export function slot<T extends z.ZodMiniType>(schema: T) {
  return z.optional(
    z.nullable(
      z.union([
        schema,
        z.pipe(
          z.strictObject({}),
          z.transform(() => null),
        ),
      ]),
    ),
  );
}

export const tagSchema = z.object({ Key: z.string(), Value: z.string() });
export type Tag = z.infer<typeof tagSchema>;

export const executionInfoSchema = z.object({
  /** The execution's ARN (`$$.Execution.Id`). */
  id: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  startedAt: z.string(),
});
export type ExecutionInfo = z.infer<typeof executionInfoSchema>;

export const snapshotInfoSchema = z.object({
  identifier: z.string(),
  arn: z.string(),
  instance: z.string(),
  status: z.string(),
  createdAt: z.nullable(z.string()),
  engine: z.nullable(z.string()),
  engineVersion: z.nullable(z.string()),
  encrypted: z.boolean(),
});
export type SnapshotInfo = z.infer<typeof snapshotInfoSchema>;

/**
 * What the restored instance must match. Field names follow RestoreDBInstanceFromDBSnapshot's input so the
 * restore handler can pass them on unchanged; undefined members are left to RDS.
 */
export const restorableConfigSchema = z.object({
  DBInstanceClass: z.string(),
  MultiAZ: z.boolean(),
  AvailabilityZone: z.optional(z.string()),
  DBSubnetGroupName: z.string(),
  VpcSecurityGroupIds: z.array(z.string()).check(z.minLength(1)),
  PubliclyAccessible: z.boolean(),
  AllocatedStorage: z.int().check(z.positive()),
  StorageType: z.string(),
  Iops: z.optional(z.int()),
  StorageThroughput: z.optional(z.int()),
  DBParameterGroupName: z.string(),
  OptionGroupName: z.optional(z.string()),
  CopyTagsToSnapshot: z.boolean(),
  DeletionProtection: z.boolean(),
  Port: z.optional(z.int()),
  AutoMinorVersionUpgrade: z.optional(z.boolean()),
  EnableIAMDatabaseAuthentication: z.optional(z.boolean()),
  EnableCloudwatchLogsExports: z.optional(z.array(z.string())),
  CACertificateIdentifier: z.optional(z.string()),
});
export type RestorableConfig = z.infer<typeof restorableConfigSchema>;

export const stagingConfigSchema = z.object({
  identifier: z.string(),
  resourceId: z.string(),
  status: z.string(),
  config: restorableConfigSchema,
  tags: z.array(tagSchema),
});
export type StagingConfig = z.infer<typeof stagingConfigSchema>;

export const restoreResultSchema = z.object({
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  requestedAt: z.string(),
});
export type RestoreResult = z.infer<typeof restoreResultSchema>;

/** What a wait loop waits for. `available`: settled under `identifier`; `gone`: no instance has the name. */
export const pollTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), identifier: z.string() }),
  z.object({
    kind: z.literal('instance'),
    identifier: z.string(),
    until: z.enum(['available', 'gone']),
    /** When set, the instance found under `identifier` must be this one (DbiResourceId never changes). */
    resourceId: z.optional(z.nullable(z.string())),
    /** The name the instance had before a rename: described too when `identifier` is not found yet. */
    previousIdentifier: z.optional(z.string()),
    /** Also wait until RDS lists no pending modifications (e.g. a master password being applied). */
    noPendingChanges: z.optional(z.boolean()),
  }),
]);
export type PollTarget = z.infer<typeof pollTargetSchema>;

export const pollBoundSchema = z.object({
  maxSeconds: z.int().check(z.positive()),
  pollSeconds: z.int().check(z.positive()),
  /**
   * A renamed instance answers `available`, then reboots, then is `available` again (aws-facts). It counts
   * as settled once it is available after a reboot was seen, or has stayed available this long.
   */
  settleSeconds: z._default(z.int().check(z.nonnegative()), 0),
});
export type PollBound = z.infer<typeof pollBoundSchema>;

export const pollResultSchema = z.object({
  done: z.boolean(),
  /** RDS status seen this time; `not-found` when no instance/snapshot has the name. */
  status: z.string(),
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  /** Where the instance was seen: its target name, its previous name, or nowhere (mid-rename). */
  seenAs: z.nullable(z.string()),
  attempt: z.int(),
  /** Since when the instance has been seen available on every poll (null: not available last time). */
  availableSince: z.nullable(z.string()),
  /** Whether a reboot was seen after it first answered `available` (see lambdas/shared/settle.ts). */
  sawReboot: z.boolean(),
  startedAt: z.string(),
  observedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
});
export type PollResult = z.infer<typeof pollResultSchema>;

export const pollInputSchema = z.object({
  target: pollTargetSchema,
  bound: pollBoundSchema,
  /** The previous poll of the same loop, or null/absent on the first check. */
  previous: slot(pollResultSchema),
});
export type PollInput = z.infer<typeof pollInputSchema>;

export const verifyResultSchema = z.object({
  identifier: z.string(),
  checkedFields: z.array(z.string()),
});
export type VerifyResult = z.infer<typeof verifyResultSchema>;

export const renameResultSchema = z.object({
  from: z.string(),
  to: z.string(),
  resourceId: z.string(),
  requestedAt: z.string(),
});
export type RenameResult = z.infer<typeof renameResultSchema>;

export const deleteResultSchema = z.object({
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  requestedAt: z.string(),
  alreadyGone: z.boolean(),
});
export type DeleteResult = z.infer<typeof deleteResultSchema>;

export const sanitizeResultSchema = z.object({
  identifier: z.string(),
  database: z.string(),
  /** Rows each table held before it was emptied (what production's copy carried). */
  removed: z.record(z.string(), z.int().check(z.nonnegative())),
  masterPasswordReset: z.boolean(),
  at: z.string(),
});
export type SanitizeResult = z.infer<typeof sanitizeResultSchema>;

/** One rollback step: at most one mutation, then the state machine waits and calls it again. */
export const rollbackProgressSchema = z.object({
  done: z.boolean(),
  /** What this step did or saw: human-readable, goes into the Slack failure report. */
  action: z.string(),
  /** Every action taken so far, oldest first. */
  actions: z.array(z.string()),
  /** Where staging stands now, for the report: `original`, `new`, `missing`. */
  stagingHolds: z.enum(['original', 'new', 'missing', 'unknown']),
  leftovers: z.array(z.string()),
  attempt: z.int(),
  startedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
  /** Settling of the original instance under the staging name (see lambdas/shared/settle.ts). */
  availableSince: z.nullable(z.string()),
  sawReboot: z.boolean(),
});
export type RollbackProgress = z.infer<typeof rollbackProgressSchema>;

export const rollbackInputSchema = z.object({
  execution: executionInfoSchema,
  /** Staging as captured before anything changed; null when the capture never ran. */
  staging: slot(stagingConfigSchema),
  /** Whether the failure came after the first rename was requested (staging may be mid-rename). */
  outageStarted: z.boolean(),
  bound: pollBoundSchema,
  previous: slot(rollbackProgressSchema),
});
export type RollbackInput = z.infer<typeof rollbackInputSchema>;

/**
 * What a person may put in a manual execution's input ("Start execution" in the console, or the CLI). The
 * monthly rule sends `{}`. Anything else ends the run in its first state, before anything is read or changed,
 * with an error naming the field. Limits are tight on purpose: nothing here is free text.
 */
export const EXECUTION_INPUT_MAX_BYTES = 1024;
/** A snapshot identifier as RDS allows it (automated ones are `rds:<instance>-<date>`); no ARNs. */
export const SNAPSHOT_IDENTIFIER = /^(rds:)?[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/;
export const executionInputSchema = z.strictObject({
  /** Do every read-only step and precondition check, then end with the plan; change nothing. */
  dryRun: z.optional(z.boolean()),
  /** Restore this snapshot of production (automated or manual) instead of the newest automated one. */
  snapshotIdentifier: z.optional(
    z
      .string()
      .check(
        z.maxLength(255),
        z.regex(
          SNAPSHOT_IDENTIFIER,
          'must be an RDS snapshot identifier (letters, digits, hyphens; rds: prefix allowed)',
        ),
      ),
  ),
  /** Skip redeploying the staging API and updating the search indices after the swap. */
  skipPostSteps: z.optional(z.boolean()),
  /** The Step Functions console pre-fills `{"Comment": "Insert your JSON here"}`: accepted and ignored. */
  Comment: z.optional(z.string().check(z.maxLength(256))),
});
/** The validated input, defaults filled in (`snapshotIdentifier` '' = the newest automated snapshot). */
export const validatedInputSchema = z.object({
  dryRun: z.boolean(),
  snapshotIdentifier: z.string(),
  skipPostSteps: z.boolean(),
});
export type ExecutionInput = z.infer<typeof validatedInputSchema>;

/** One running execution, as the run lock reports it. */
export const runningExecutionSchema = z.object({
  stateMachine: z.string(),
  name: z.string(),
  startedAt: z.string(),
});
export type RunningExecution = z.infer<typeof runningExecutionSchema>;

/**
 * The run lock's verdict: `proceed`; `another-restore` (an earlier execution of this state machine is
 * running: end at once); `others-busy` (another user of staging is running: per config, wait and look again,
 * or end skipped).
 */
export const RUN_VERDICTS = ['proceed', 'another-restore', 'others-busy'] as const;
export const runsCheckInputSchema = z.object({
  execution: executionInfoSchema,
  dryRun: z.boolean(),
  bound: pollBoundSchema,
  previous: slot(z.looseObject({ startedAt: z.string(), attempt: z.int() })),
});
export type RunsCheckInput = z.infer<typeof runsCheckInputSchema>;
export const runsCheckSchema = z.object({
  verdict: z.enum(RUN_VERDICTS),
  /** Earlier, non-dry-run executions of this state machine still running (the lock holders). */
  restores: z.array(runningExecutionSchema),
  /** Running executions of the other state machines that use staging (config concurrency.*). */
  others: z.array(runningExecutionSchema),
  attempt: z.int(),
  startedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
});
export type RunsCheck = z.infer<typeof runsCheckSchema>;

/** One call of the leftovers loop: at most one mutation, then the workflow waits and calls again. */
export const leftoversInputSchema = z.object({
  execution: executionInfoSchema,
  dryRun: z.boolean(),
  bound: pollBoundSchema,
  previous: slot(z.looseObject({ startedAt: z.string(), attempt: z.int() })),
});
export type LeftoversInput = z.infer<typeof leftoversInputSchema>;
export const leftoversProgressSchema = z.object({
  done: z.boolean(),
  /** What this call did or saw (human-readable). */
  action: z.string(),
  /** Every change made so far, oldest first (reported in Slack). */
  actions: z.array(z.string()),
  /** Dry run: the changes a real run would make. */
  planned: z.array(z.string()),
  /** The name the original staging instance is under now (the old name if a failed run left it there). */
  stagingAt: z.string(),
  /** Whether this loop asked RDS to rename the old instance back to staging (then it waits for it to settle). */
  renamedBack: z.boolean(),
  attempt: z.int(),
  startedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
  availableSince: z.nullable(z.string()),
  sawReboot: z.boolean(),
});
export type LeftoversProgress = z.infer<typeof leftoversProgressSchema>;

export const NOTIFY_EVENTS = [
  'invalid-input',
  'already-running',
  'others-busy',
  'dry-run',
  'skipped',
  'outage-starting',
  'outage-over',
  'succeeded',
  'failed',
  'after-swap-failed',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Input of the Slack step; `details` is free-form but small (the handler picks what it prints). */
export const notifyInputSchema = z.object({
  event: z.enum(NOTIFY_EVENTS),
  execution: executionInfoSchema,
  details: z._default(z.record(z.string(), z.unknown()), {}),
});
export type NotifyInput = z.infer<typeof notifyInputSchema>;
