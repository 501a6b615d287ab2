import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * The neutral event list the timeline is drawn from. Two small adapters fill it: one from the offline
 * harness's event log (the rehearsal, the bench), one from a real execution's GetExecutionHistory (the CLI).
 */
export type StateType = 'Task' | 'Wait' | 'Choice' | 'Pass' | 'Parallel' | 'Map' | 'Succeed' | 'Fail';

export type TimelineEventKind =
  | 'execution-started'
  | 'execution-succeeded'
  | 'execution-failed'
  | 'execution-aborted'
  | 'execution-timed-out'
  | 'state-entered'
  | 'state-exited'
  | 'state-failed';

export interface TimelineEvent {
  at: Date;
  kind: TimelineEventKind;
  /** The state (state-* kinds). */
  state?: string;
  stateType?: StateType;
  /** Error name and cause (state-failed, execution-failed / aborted / timed-out). */
  error?: string;
  cause?: string;
}

const STATE_TYPES: readonly StateType[] = ['Task', 'Wait', 'Choice', 'Pass', 'Parallel', 'Map', 'Succeed', 'Fail'];

const EXECUTION_END: Record<string, TimelineEventKind> = {
  ExecutionSucceeded: 'execution-succeeded',
  ExecutionFailed: 'execution-failed',
  ExecutionAborted: 'execution-aborted',
  ExecutionTimedOut: 'execution-timed-out',
  ExecutionTimeout: 'execution-timed-out',
};

/** The harness's log entry (offline/harness.ts `HarnessEvent`), structurally: the CLI does not load the offline world. */
export interface HarnessLogEntry {
  at: Date;
  type: string;
  state?: string;
  stateType?: string;
  error?: string;
  cause?: string;
}

/** From the offline harness's event log (aws-local-stepfunctions event types, virtual time). */
export function fromHarnessLog(log: readonly HarnessLogEntry[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const e of log) {
    const stateType = STATE_TYPES.find((t) => t === e.stateType);
    const base = { at: e.at, ...(e.state ? { state: e.state } : {}), ...(stateType ? { stateType } : {}) };
    const failure = { ...(e.error ? { error: e.error } : {}), ...(e.cause ? { cause: e.cause } : {}) };
    if (e.type === 'ExecutionStarted') out.push({ at: e.at, kind: 'execution-started' });
    else if (EXECUTION_END[e.type]) out.push({ at: e.at, kind: EXECUTION_END[e.type]!, ...failure });
    else if (e.type === 'StateEntered') out.push({ ...base, kind: 'state-entered' });
    else if (e.type === 'StateExited') out.push({ ...base, kind: 'state-exited' });
    // A Parallel state fails because a branch did: the branch's own state carries the failure. A Fail state
    // "fails" by ending the execution: the execution's failure carries it (as in a real history).
    else if (e.type === 'StateFailed' && stateType !== 'Parallel' && stateType !== 'Fail') {
      out.push({ ...base, kind: 'state-failed', ...failure });
    }
  }
  return out;
}

/** History event types that mean a state's work failed (Task/Lambda failures, time-outs, evaluation errors). */
const FAILURE_DETAILS: Record<string, keyof HistoryEvent> = {
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  EvaluationFailed: 'evaluationFailedEventDetails',
};

const EXECUTION_END_DETAILS: Record<string, keyof HistoryEvent> = {
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
};

/**
 * From Step Functions' GetExecutionHistory (all pages, oldest first). `<Type>StateEntered/Exited` carry the
 * state's name; a failure event (TaskFailed, LambdaFunctionFailed, ...) names no state, so it is traced back
 * through `previousEventId` to the `...StateEntered` it belongs to (parallel branches interleave).
 */
export function fromExecutionHistory(history: readonly HistoryEvent[]): TimelineEvent[] {
  const byId = new Map<number, HistoryEvent>();
  for (const e of history) if (e.id !== undefined) byId.set(e.id, e);
  const enteredOf = (e: HistoryEvent): HistoryEvent | undefined => {
    let cursor: HistoryEvent | undefined = e;
    for (let hops = 0; cursor && hops < 10_000; hops++) {
      if (cursor.stateEnteredEventDetails) return cursor;
      cursor = cursor.previousEventId === undefined ? undefined : byId.get(cursor.previousEventId);
    }
    return undefined;
  };
  const out: TimelineEvent[] = [];
  for (const e of history) {
    const type = e.type ?? '';
    const at = e.timestamp instanceof Date ? e.timestamp : new Date(e.timestamp as unknown as string);
    const transition = /^(\w+?)State(Entered|Exited)$/.exec(type);
    if (type === 'ExecutionStarted') {
      out.push({ at, kind: 'execution-started' });
    } else if (EXECUTION_END[type]) {
      const details = (EXECUTION_END_DETAILS[type] ? e[EXECUTION_END_DETAILS[type]!] : undefined) as
        { error?: string; cause?: string } | undefined;
      out.push({ at, kind: EXECUTION_END[type]!, ...errorOf(details) });
    } else if (transition && STATE_TYPES.includes(transition[1] as StateType)) {
      const name = transition[2] === 'Entered' ? e.stateEnteredEventDetails?.name : e.stateExitedEventDetails?.name;
      if (!name) continue;
      out.push({
        at,
        kind: transition[2] === 'Entered' ? 'state-entered' : 'state-exited',
        state: name,
        stateType: transition[1] as StateType,
      });
    } else if (FAILURE_DETAILS[type]) {
      const entered = enteredOf(e);
      const details = e[FAILURE_DETAILS[type]!] as { error?: string; cause?: string; state?: string } | undefined;
      const name = entered?.stateEnteredEventDetails?.name ?? details?.state;
      const stateType = /^(\w+?)StateEntered$/.exec(entered?.type ?? '')?.[1] as StateType | undefined;
      out.push({
        at,
        kind: 'state-failed',
        ...(name ? { state: name } : {}),
        ...(stateType ? { stateType } : {}),
        ...errorOf(details, type),
      });
    }
  }
  return out;
}

function errorOf(details: { error?: string; cause?: string } | undefined, fallback?: string) {
  const error = details?.error ?? fallback;
  return { ...(error ? { error } : {}), ...(details?.cause ? { cause: details.cause } : {}) };
}
