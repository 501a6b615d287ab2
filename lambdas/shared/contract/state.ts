import * as z from 'zod/mini';
import './locale';

/**
 * The data that flows through the state machine. The CDK workflow (lib/workflow) and every handler import
 * these names (through lambdas/shared/contract), so a reader finds what `$.found.snapshot` holds here and
 * each step's input and result in steps.ts and steps-after-swap.ts.
 *
 * Layout of the execution state (`$`), laid out empty by "Start restore" and filled in this order (the
 * execution's identity is read from `$$.Execution` where needed, never stored):
 *   $.input                ExecutionInput         the execution input, validated ("Validate execution input")
 *   $.skip                 { value }              the skip flag, as read from SSM
 *   $.lastRestore          { value }              the last recorded restore (raw SSM value, '' if none)
 *   $.runs                 CheckRunsResult        other executions of this tool / other users of staging
 *   $.leftovers            LeftoversProgress      what an earlier failed run left, and what was done about it
 *   $.found.snapshot       SnapshotInfo           the production snapshot to restore (plan steps 2-3); once
 *                                                 waited for, as the snapshot wait last saw it (its time)
 *   $.found.staging        StagingConfig          staging's captured configuration (plan step 4)
 *   $.restore              RestoreResult          the restore request (plan step 5)
 *   $.waits.<loop>         PollResult             each wait loop's last poll: snapshot, stagingAtStart,
 *                                                 restore, password, stagingBeforeOutage, old, staging, deleted
 *                                                 (plan steps 3, 4, 6, 8, 10, 11)
 *   $.verify               VerifyRestoreResult    the restored instance's configuration check
 *   $.resetPassword        ResetPasswordResult    the master password change of the copy
 *   $.sanitize             SanitizeResult         OAuth rows removed from the copy (plan step 12.3)
 *   $.renameAway/renameIn  RenameResult           the two renames (outage starts at renameAway.requestedAt)
 *   $.plan                 (dry run only)         what a real run would do, from the read-only checks
 *   $.deleteOld            DeleteResult           the old database's deletion (plan step 11)
 *   $.deploy/deployPoll    DeployDispatchResult / DeployCheckResult: the staging API deploy (plan step 12.1)
 *   $.index/indexPoll      IndexStartResult / IndexCheckResult: the search index updates (plan step 12.2)
 *   $.afterSwap            { delete, deploy, index, record }: each branch's { step, ok, ... } (plan step 12)
 *   $.failure              { Error, Cause }       set by a Catch
 *   $.failedAt             { state, outageStarted } which state failed, before the rollback
 *   $.rollback             RollbackProgress       the rollback loop's progress
 * Empty slots are `{}` (EMPTY_SLOT below).
 */

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
  Port: z.optional(z.int()),
  AutoMinorVersionUpgrade: z.optional(z.boolean()),
  EnableIAMDatabaseAuthentication: z.optional(z.boolean()),
  EnableCloudwatchLogsExports: z.optional(z.array(z.string())),
  CACertificateIdentifier: z.optional(z.string()),
  NetworkType: z.optional(z.string()),
  ProcessorFeatures: z.optional(z.array(z.object({ Name: z.string(), Value: z.string() }))),
  EnableCustomerOwnedIp: z.optional(z.boolean()),
  BackupTarget: z.optional(z.string()),
  CustomIamInstanceProfile: z.optional(z.string()),
  DedicatedLogVolume: z.optional(z.boolean()),
  EngineLifecycleSupport: z.optional(z.string()),
  DBCapacityReservationIdentifier: z.optional(z.string()),
});
export type RestorableConfig = z.infer<typeof restorableConfigSchema>;

/**
 * What one ModifyDBInstance sets on the new staging after the swap (RDS takes none of it at restore, or taking it
 * there would hurt: backups make a restore sit in `backing-up` for hours, deletion protection would stop a
 * rollback deleting the copy). Field names follow ModifyDBInstance's input.
 */
export const afterSwapSettingsSchema = z.object({
  BackupRetentionPeriod: z.int().check(z.gte(0), z.lte(35)),
  PreferredBackupWindow: z.optional(z.string()),
  PreferredMaintenanceWindow: z.optional(z.string()),
  EnablePerformanceInsights: z.boolean(),
  PerformanceInsightsKMSKeyId: z.optional(z.string()),
  PerformanceInsightsRetentionPeriod: z.optional(z.int()),
  DatabaseInsightsMode: z.optional(z.string()),
  MonitoringInterval: z.int().check(z.nonnegative()),
  MonitoringRoleArn: z.optional(z.string()),
  MaxAllocatedStorage: z.optional(z.int().check(z.positive())),
  DeletionProtection: z.boolean(),
});
export type AfterSwapSettings = z.infer<typeof afterSwapSettingsSchema>;

export const stagingConfigSchema = z.object({
  identifier: z.string(),
  resourceId: z.string(),
  status: z.string(),
  config: restorableConfigSchema,
  settings: afterSwapSettingsSchema,
  /** Every compared attribute of staging, as the drift check compares it (lambdas/shared/instance-attributes.ts). */
  attributes: z.record(z.string(), z.unknown()),
  /** Attributes staging has that no run carries over, and why (named by the dry run, before anything happens). */
  notMirrored: z.array(z.object({ attribute: z.string(), why: z.string() })),
  tags: z.array(tagSchema),
});
export type StagingConfig = z.infer<typeof stagingConfigSchema>;

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
    /** Statuses that count as `available` here (e.g. `backing-up`: the baseline backup after backups are on). */
    alsoSettledIn: z.optional(z.array(z.string())),
    /**
     * Wait through passing statuses (backing-up, modifying, maintenance...) until it is available with no
     * rename pending: what renaming it needs. Stopped or stopping fails at once, saying to start it.
     */
    steady: z.optional(z.boolean()),
  }),
]);
export type PollTarget = z.infer<typeof pollTargetSchema>;

export const pollBoundSchema = z.object({
  maxSeconds: z.int().check(z.positive()),
  pollSeconds: z.int().check(z.positive()),
  /**
   * A renamed instance answers `available`, then reboots, then is `available` again (docs/aws-facts.md). It counts
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
  /**
   * A snapshot target: the snapshot as this poll saw it. RDS gives a snapshot's SnapshotCreateTime only once it is
   * created (docs/aws-facts.md), so the workflow takes `$.found.snapshot` from here when the wait is done.
   */
  snapshot: z.optional(snapshotInfoSchema),
});
export type PollResult = z.infer<typeof pollResultSchema>;

/** Who holds one of the three names, as the rollback last saw it (`free`: not found, maybe mid-rename). */
export const nameHolderSchema = z.object({
  holder: z.enum(['original', 'new', 'foreign', 'free']),
  resourceId: z.optional(z.string()),
  status: z.optional(z.string()),
});
export type NameHolder = z.infer<typeof nameHolderSchema>;

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
  /** Who holds the staging, temporary and old names now, for the report. */
  names: z.optional(z.object({ staging: nameHolderSchema, temporary: nameHolderSchema, old: nameHolderSchema })),
  attempt: z.int(),
  startedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
  /** Settling of the original instance under the staging name (see lambdas/shared/settle.ts). */
  availableSince: z.nullable(z.string()),
  sawReboot: z.boolean(),
});
export type RollbackProgress = z.infer<typeof rollbackProgressSchema>;

/** The leftovers loop's progress, carried from call to call (each call makes at most one change). */
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
