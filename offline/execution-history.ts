import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { HarnessEvent, SynthesizedWorkflow } from './harness';

/**
 * A harness run's event log in the shape of Step Functions' GetExecutionHistory, as the real service writes
 * it for this workflow: `<Type>StateEntered/Exited` with the state's name; a Lambda task (the function ARN as
 * its resource) as LambdaFunctionScheduled → Started → Succeeded | Failed; an `aws-sdk:*` task as
 * TaskScheduled → TaskStarted → TaskSucceeded | TaskFailed; Parallel states as Entered → Started →
 * Succeeded | Failed → Exited; the execution's Started and Succeeded | Failed. Each task event's
 * previousEventId chains back to its state's Entered event, as in a real history (so a failure in one parallel
 * branch is attributed to its own state). Used to record the CLI's fixture (scripts/record-history.ts) and to
 * check that both timeline adapters read one run the same way.
 */
export function toExecutionHistory(
  log: readonly HarnessEvent[],
  workflow: Pick<SynthesizedWorkflow, 'tasks'>,
  execution: { arn: string; roleArn?: string },
): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const lastOfState = new Map<string, number>();
  const push = (e: Omit<HistoryEvent, 'id' | 'previousEventId'>, previous?: number): number => {
    const id = out.length + 1;
    out.push({ ...e, id, previousEventId: previous ?? (id > 1 ? id - 1 : 0) } as HistoryEvent);
    return id;
  };
  const taskEvents = (state: string) => {
    const task = workflow.tasks.get(state);
    return task?.kind === 'lambda'
      ? { kind: 'lambda' as const, resource: `arn:aws:lambda:us-east-1:123456789012:function:${task.step}` }
      : { kind: 'sdk' as const, resource: task?.kind === 'aws-sdk' ? task.action : 'unknown' };
  };
  const sdkResource = (state: string) => {
    const [service, action] = taskEvents(state).resource.split(':');
    return { resourceType: `aws-sdk:${service}`, resource: action };
  };
  const schedule = (state: string, timestamp: Date) => {
    const t = taskEvents(state);
    const entered = lastOfState.get(state);
    const scheduled =
      t.kind === 'lambda'
        ? push(
            {
              timestamp,
              type: 'LambdaFunctionScheduled',
              lambdaFunctionScheduledEventDetails: { resource: t.resource },
            },
            entered,
          )
        : push(
            {
              timestamp,
              type: 'TaskScheduled',
              taskScheduledEventDetails: {
                resourceType: `aws-sdk:${t.resource.split(':')[0]}`,
                resource: t.resource.split(':')[1],
                region: 'us-east-1',
                parameters: '{}',
              },
            },
            entered,
          );
    const started =
      t.kind === 'lambda'
        ? push({ timestamp, type: 'LambdaFunctionStarted' }, scheduled)
        : push(
            {
              timestamp,
              type: 'TaskStarted',
              taskStartedEventDetails: { resourceType: `aws-sdk:${t.resource.split(':')[0]}`, resource: t.resource },
            },
            scheduled,
          );
    lastOfState.set(state, started);
  };
  const open = new Set<string>();
  /** States whose last attempt failed (no Succeeded event before their Exited). */
  const failed = new Set<string>();
  for (const e of log) {
    const timestamp = e.at;
    if (e.type === 'ExecutionStarted') {
      push({
        timestamp,
        type: 'ExecutionStarted',
        executionStartedEventDetails: {
          input: '{}',
          roleArn: execution.roleArn ?? 'arn:aws:iam::123456789012:role/StagingDbRestoreRole',
        },
      });
    } else if (e.type === 'ExecutionSucceeded') {
      push({ timestamp, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } });
    } else if (e.type === 'ExecutionFailed') {
      push({
        timestamp,
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: e.error, cause: e.cause },
      });
    } else if (e.type === 'StateEntered' && e.state) {
      const id = push({
        timestamp,
        type: `${e.stateType}StateEntered` as HistoryEvent['type'],
        stateEnteredEventDetails: { name: e.state },
      });
      lastOfState.set(e.state, id);
      open.add(e.state);
      if (e.stateType === 'Task') schedule(e.state, timestamp);
      if (e.stateType === 'Parallel') lastOfState.set(e.state, push({ timestamp, type: 'ParallelStateStarted' }, id));
    } else if (e.type === 'StateRetried' && e.state && e.stateType === 'Task') {
      failed.delete(e.state);
      schedule(e.state, timestamp);
    } else if (e.type === 'StateFailed' && e.state) {
      const previous = lastOfState.get(e.state);
      failed.add(e.state);
      if (e.stateType === 'Task') {
        const lambda = taskEvents(e.state).kind === 'lambda';
        const id = push(
          lambda
            ? {
                timestamp,
                type: 'LambdaFunctionFailed',
                lambdaFunctionFailedEventDetails: { error: e.error, cause: e.cause },
              }
            : {
                timestamp,
                type: 'TaskFailed',
                taskFailedEventDetails: { ...sdkResource(e.state), error: e.error, cause: e.cause },
              },
          previous,
        );
        lastOfState.set(e.state, id);
      } else if (e.stateType === 'Parallel') {
        lastOfState.set(e.state, push({ timestamp, type: 'ParallelStateFailed' }, previous));
      }
    } else if (e.type === 'StateExited' && e.state && open.has(e.state)) {
      const previous = lastOfState.get(e.state);
      if (e.stateType === 'Task' && !failed.has(e.state)) {
        const lambda = taskEvents(e.state).kind === 'lambda';
        lastOfState.set(
          e.state,
          push(
            lambda
              ? { timestamp, type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } }
              : {
                  timestamp,
                  type: 'TaskSucceeded',
                  taskSucceededEventDetails: { ...sdkResource(e.state), output: '{}' },
                },
            previous,
          ),
        );
      }
      if (e.stateType === 'Parallel' && !failed.has(e.state)) {
        push({ timestamp, type: 'ParallelStateSucceeded' }, previous);
      }
      failed.delete(e.state);
      push({
        timestamp,
        type: `${e.stateType}StateExited` as HistoryEvent['type'],
        stateExitedEventDetails: { name: e.state },
      });
      open.delete(e.state);
    }
  }
  return out;
}
