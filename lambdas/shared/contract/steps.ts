import * as z from 'zod/mini';
import { validatedInputSchema } from './execution-input';
import './locale';
import {
  executionInfoSchema,
  leftoversProgressSchema,
  pollBoundSchema,
  pollResultSchema,
  pollTargetSchema,
  rollbackProgressSchema,
  slot,
  snapshotInfoSchema,
  stagingConfigSchema,
} from './state';

/**
 * Every step's input and result, in the order the workflow runs them: `<step>InputSchema` is what the
 * handler parses its event with, `<step>ResultSchema` what it returns (the workflow stores it in the state;
 * see state.ts for where). The two steps after the swap are in steps-after-swap.ts.
 */

// validate-input

export const validateInputInputSchema = z.object({ input: z.unknown(), execution: executionInfoSchema });
export type ValidateInputInput = z.infer<typeof validateInputInputSchema>;
export const validateInputResultSchema = validatedInputSchema;
export type ValidateInputResult = z.infer<typeof validateInputResultSchema>;

// check-runs

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
export const checkRunsInputSchema = z.object({
  execution: executionInfoSchema,
  dryRun: z.boolean(),
  bound: pollBoundSchema,
  previous: slot(z.looseObject({ startedAt: z.string(), attempt: z.int() })),
});
export type CheckRunsInput = z.infer<typeof checkRunsInputSchema>;
export const checkRunsResultSchema = z.object({
  verdict: z.enum(RUN_VERDICTS),
  /** Earlier, non-dry-run executions of this state machine still running (the lock holders). */
  restores: z.array(runningExecutionSchema),
  /** Running executions of the other state machines that use staging (config concurrency.*). */
  others: z.array(runningExecutionSchema),
  attempt: z.int(),
  startedAt: z.string(),
  nextPollSeconds: z.int().check(z.positive()),
});
export type CheckRunsResult = z.infer<typeof checkRunsResultSchema>;

// leftovers

/** One call of the leftovers loop: at most one mutation, then the workflow waits and calls again. */
export const leftoversInputSchema = z.object({
  execution: executionInfoSchema,
  dryRun: z.boolean(),
  bound: pollBoundSchema,
  previous: slot(z.looseObject({ startedAt: z.string(), attempt: z.int() })),
});
export type LeftoversInput = z.infer<typeof leftoversInputSchema>;
export const leftoversResultSchema = leftoversProgressSchema;
export type LeftoversResult = z.infer<typeof leftoversResultSchema>;

// find-snapshot

export const findSnapshotInputSchema = z.object({
  /** From the validated execution input; '' means the newest automated snapshot. */
  snapshotIdentifier: z._default(z.string(), ''),
});
export type FindSnapshotInput = z.infer<typeof findSnapshotInputSchema>;
export const findSnapshotResultSchema = snapshotInfoSchema;
export type FindSnapshotResult = z.infer<typeof findSnapshotResultSchema>;

// capture-staging

export const captureStagingInputSchema = z.object({
  /** Where staging is now (the leftovers step's `stagingAt`); absent: under its own name. */
  at: z.optional(z.string()),
});
export type CaptureStagingInput = z.infer<typeof captureStagingInputSchema>;
export const captureStagingResultSchema = stagingConfigSchema;
export type CaptureStagingResult = z.infer<typeof captureStagingResultSchema>;

// restore

export const restoreInputSchema = z.object({
  execution: executionInfoSchema,
  snapshot: snapshotInfoSchema,
  staging: stagingConfigSchema,
});
export type RestoreInput = z.infer<typeof restoreInputSchema>;
export const restoreResultSchema = z.object({
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  requestedAt: z.string(),
  /** Where the restore departs from staging's configuration because RDS would refuse it: attribute → why. */
  adjustments: z.record(z.string(), z.string()),
  /** The snapshot's key (the copy's), the key this stack was granted, and staging's own. */
  kms: z.object({
    snapshotKey: z.nullable(z.string()),
    grantedKey: z.nullable(z.string()),
    stagingKey: z.nullable(z.string()),
  }),
});
export type RestoreResult = z.infer<typeof restoreResultSchema>;

// check-status: every wait loop on an instance or snapshot

export const checkStatusInputSchema = z.object({
  target: pollTargetSchema,
  bound: pollBoundSchema,
  /** The previous poll of the same loop, or null/absent on the first check. */
  previous: slot(pollResultSchema),
});
export type CheckStatusInput = z.infer<typeof checkStatusInputSchema>;
export const checkStatusResultSchema = pollResultSchema;
export type CheckStatusResult = z.infer<typeof checkStatusResultSchema>;

// verify-restore

export const verifyRestoreInputSchema = z.object({
  staging: stagingConfigSchema,
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  /** The restore's adjustments (restore result): those attributes are not expected to match staging. */
  adjustments: z.record(z.string(), z.string()),
});
export type VerifyRestoreInput = z.infer<typeof verifyRestoreInputSchema>;
export const verifyRestoreResultSchema = z.object({
  identifier: z.string(),
  checkedFields: z.array(z.string()),
});
export type VerifyRestoreResult = z.infer<typeof verifyRestoreResultSchema>;

// reset-password

export const resetPasswordInputSchema = z.object({ identifier: z.string(), resourceId: z.string() });
export type ResetPasswordInput = z.infer<typeof resetPasswordInputSchema>;
export const resetPasswordResultSchema = z.object({ identifier: z.string(), requestedAt: z.string() });
export type ResetPasswordResult = z.infer<typeof resetPasswordResultSchema>;

// sanitize

export const sanitizeInputSchema = z.object({
  identifier: z.string(),
  resourceId: z.string(),
  database: z.string(),
  tables: z.array(z.string().check(z.regex(/^[a-z_][a-z0-9_]{0,62}$/))).check(z.minLength(1)),
  connectAttempts: z.int().check(z.gte(1), z.lte(10)),
  masterPasswordReset: z.boolean(),
});
export type SanitizeInput = z.infer<typeof sanitizeInputSchema>;
export const sanitizeResultSchema = z.object({
  identifier: z.string(),
  database: z.string(),
  /** Rows each table held before it was emptied (what production's copy carried). */
  removed: z.record(z.string(), z.int().check(z.nonnegative())),
  masterPasswordReset: z.boolean(),
  at: z.string(),
});
export type SanitizeResult = z.infer<typeof sanitizeResultSchema>;

// rename

export const renameInputSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** The instance expected under `from`: a rename never moves an instance we did not mean. */
  resourceId: z.string(),
});
export type RenameInput = z.infer<typeof renameInputSchema>;
export const renameResultSchema = z.object({
  from: z.string(),
  to: z.string(),
  resourceId: z.string(),
  requestedAt: z.string(),
});
export type RenameResult = z.infer<typeof renameResultSchema>;

// delete

export const deleteInputSchema = z.object({
  identifier: z.string(),
  /** The instance expected under `identifier`; another one is never deleted. */
  resourceId: z.string(),
  /** DeleteAutomatedBackups (config `deleteOld.deleteAutomatedBackups`); absent: they are kept. */
  deleteAutomatedBackups: z._default(z.boolean(), false),
});
export type DeleteInput = z.infer<typeof deleteInputSchema>;
export const deleteResultSchema = z.object({
  identifier: z.string(),
  resourceId: z.nullable(z.string()),
  requestedAt: z.string(),
  alreadyGone: z.boolean(),
  /** What the delete asked for its automated backups (for the report): deleted too, or kept. */
  deleteAutomatedBackups: z.boolean(),
});
export type DeleteResult = z.infer<typeof deleteResultSchema>;

// apply-settings: staging's own settings on the new staging, then the drift check

/** `apply`: one ModifyDBInstance with what differs; `check`: compare every attribute with staging's. */
export const applySettingsInputSchema = z.object({
  action: z.enum(['apply', 'check']),
  identifier: z.string(),
  /** The new instance expected under `identifier`; another one is never modified. */
  resourceId: z.string(),
  staging: stagingConfigSchema,
  /** The restore's adjustments: the reason reported for those attributes. */
  adjustments: z.record(z.string(), z.string()),
});
export type ApplySettingsInput = z.infer<typeof applySettingsInputSchema>;

export const driftSchema = z.object({
  attribute: z.string(),
  class: z.enum(['restore', 'after-swap', 'snapshot', 'not-mirrorable']),
  staging: z.unknown(),
  now: z.unknown(),
  why: z.string(),
});
export type DriftEntry = z.infer<typeof driftSchema>;

export const applySettingsResultSchema = z.object({
  identifier: z.string(),
  /** `apply`: the ModifyDBInstance fields sent (empty when nothing differed). */
  applied: z.array(z.string()),
  /** `check`: every compared attribute that still differs from staging's, and why. */
  drift: z.array(driftSchema),
  at: z.string(),
});
export type ApplySettingsResult = z.infer<typeof applySettingsResultSchema>;

// rollback

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
export const rollbackResultSchema = rollbackProgressSchema;
export type RollbackResult = z.infer<typeof rollbackResultSchema>;

// notify

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
export const notifyResultSchema = z.object({ event: z.string(), sentAt: z.string() });
export type NotifyResult = z.infer<typeof notifyResultSchema>;
