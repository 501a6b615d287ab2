/**
 * What the status source answers (the status Lambda behind its Function URL), what the operator CLI prints
 * and what the Django notice reads. Only non-secret facts: the schedule, whether it is enabled, the next run,
 * the skip flag, the run in progress and the last finished run. Times are ISO 8601 UTC strings.
 *
 * Types only (and plain constants): the notice's browser script imports this file too.
 */

/** How a finished execution ended, from Step Functions' status. */
export type RunOutcome = 'succeeded' | 'failed' | 'timed-out' | 'aborted' | 'pending-redrive';

export interface RunSummary {
  /** The execution's name (not secret: a UUID or the name given to start-execution). */
  name: string;
  startedAt: string;
  /** null while running. */
  stoppedAt: string | null;
  /** 'running' for the run in progress. */
  outcome: RunOutcome | 'running';
  /** Whether this run replaced staging's data (it recorded the restore). A skip or a dry run succeeds without. */
  restored: boolean;
  /** The error name of a failed run (e.g. `NoProductionSnapshot`), never its cause text. */
  error: string | null;
}

export interface RestoreStatus {
  /** When this answer was computed. */
  generatedAt: string;
  schedule: {
    /** The EventBridge rule's expression, e.g. `cron(0 0 1 * ? *)` (UTC). */
    expression: string;
    /** Whether the rule is enabled; null if it could not be read. */
    enabled: boolean | null;
  };
  /**
   * The next scheduled start, strictly after generatedAt. null when the rule is disabled or the schedule has
   * no run left. `exact` is false for a rate schedule with no earlier run to count from (`at` is then the
   * latest it can be).
   */
  nextRun: { at: string; exact: boolean } | null;
  skip: {
    parameterName: string;
    /** true: the next run will be skipped. null: the flag could not be read, or holds neither true nor false. */
    on: boolean | null;
  };
  /** The execution in progress, if any. */
  running: RunSummary | null;
  /** The latest finished execution. */
  lastRun: RunSummary | null;
  /** The last successful restore recorded by the workflow: when staging got its data, and from which snapshot. */
  lastRestore: { at: string; snapshot: string | null; snapshotCreatedAt: string | null } | null;
}

/** CloudFormation output keys of the stack, read by the operator CLI (see lib/status-source.ts). */
export const STACK_OUTPUTS = {
  stateMachineArn: 'StateMachineArn',
  scheduleRuleName: 'ScheduleRuleName',
  schedule: 'ScheduleExpression',
  skipParameterName: 'SkipParameterName',
  lastRestoreParameterName: 'LastRestoreParameterName',
  statusUrl: 'StatusUrl',
} as const;
