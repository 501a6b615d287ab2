import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Clock } from '../shared/clock';
import {
  type CheckRunsInput,
  checkRunsInputSchema,
  type CheckRunsResult,
  type RunningExecution,
} from '../shared/contract/steps';
import { errorName, WaitTimedOutError } from '../shared/errors';
import { defineStep } from '../shared/handler';
import type { StepClients } from '../shared/clients';
import { listEnv, requireEnv } from '../shared/env';

export interface CheckRunsDeps {
  sfn: SFNClient;
  clock: Clock;
  /** This tool's state machine (from the function's environment, never from the payload). */
  stateMachineArn: string;
  /** Other state machines that use the staging database (config concurrency.otherStateMachineArns). */
  otherStateMachineArns: readonly string[];
}

/**
 * The run lock, checked before anything is changed. Step Functions has no lock of its own, so the running
 * executions of this state machine are the lock: the earliest started one (ties broken by name) owns it, and
 * every later one ends at once. Dry runs change nothing, so they never hold the lock. ListExecutions is
 * eventually consistent: two executions started within moments of each other may both miss the other. The
 * backstop is RDS itself: the restore's target name can be taken only once, the loser fails before any outage,
 * and its rollback only touches instances tagged with its own execution name.
 *
 * Then the other users of staging (e.g. a reindex state machine): while one of them runs, the restore waits
 * (bounded) or ends skipped, as configured.
 */
export async function checkRuns(input: CheckRunsInput, deps: CheckRunsDeps): Promise<CheckRunsResult> {
  const now = deps.clock.now();
  const startedAt = input.previous?.startedAt ?? now.toISOString();
  const attempt = (input.previous?.attempt ?? 0) + 1;
  const me = input.execution;

  const restores: RunningExecution[] = [];
  const ours = await running(deps.sfn, deps.stateMachineArn);
  // Start times as Step Functions lists them (the context object's may differ by clock); ours if not listed yet.
  const myStart = ours.find((e) => e.executionArn === me.id)?.startDate ?? me.startedAt;
  for (const other of ours) {
    if (other.executionArn === me.id || !startedBefore(other, new Date(myStart).getTime(), me.name)) continue;
    if (await holdsLock(deps.sfn, other.executionArn!)) restores.push(view(other, deps.stateMachineArn));
  }
  const result = {
    restores,
    others: [] as RunningExecution[],
    attempt,
    startedAt,
    nextPollSeconds: input.bound.pollSeconds,
  };
  if (restores.length) return { ...result, verdict: 'another-restore' };

  for (const arn of deps.otherStateMachineArns) {
    result.others.push(...(await running(deps.sfn, arn)).map((e) => view(e, arn)));
  }
  // A dry run only reports them: it changes nothing, so it need not wait.
  if (result.others.length === 0 || input.dryRun) return { ...result, verdict: 'proceed' };
  const waited = (now.getTime() - Date.parse(startedAt)) / 1000;
  if (waited >= input.bound.maxSeconds) {
    throw new WaitTimedOutError(
      `Other users of the staging database were still running after ${Math.round(waited / 60)} min: ` +
        `${result.others.map((o) => `${o.name} (${o.stateMachine})`).join(', ')}. Nothing was changed; start the ` +
        'restore again when they are done.',
    );
  }
  return { ...result, verdict: 'others-busy' };
}

/** Every RUNNING execution of a state machine (all pages). */
async function running(sfn: SFNClient, stateMachineArn: string): Promise<ExecutionListItem[]> {
  const all: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 100, nextToken }),
    );
    all.push(...(page.executions ?? []).filter((e) => e.status === 'RUNNING' && e.executionArn));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return all;
}

function startedBefore(other: ExecutionListItem, myStart: number, myName: string): boolean {
  const theirs = other.startDate ? new Date(other.startDate).getTime() : 0;
  return theirs < myStart || (theirs === myStart && (other.name ?? '') < myName);
}

/** Whether an earlier execution holds the lock: still running, and not a dry run (`"dryRun": true` input). */
async function holdsLock(sfn: SFNClient, executionArn: string): Promise<boolean> {
  let out;
  try {
    out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    if (errorName(err) === 'ExecutionDoesNotExist') return false;
    throw err;
  }
  if (out.status !== 'RUNNING') return false;
  try {
    const input: unknown = JSON.parse(out.input ?? '{}');
    return !(typeof input === 'object' && input !== null && (input as { dryRun?: unknown }).dryRun === true);
  } catch {
    // Unparseable input: that run fails its own validation at once; count it as holding the lock, to be safe.
    return true;
  }
}

function view(e: ExecutionListItem, stateMachine: string): RunningExecution {
  return {
    stateMachine: stateMachine.split(':').pop() ?? stateMachine,
    name: e.name ?? e.executionArn!.split(':').pop()!,
    startedAt: e.startDate ? new Date(e.startDate).toISOString() : 'unknown',
  };
}

export const makeHandler = defineStep('check-runs', checkRunsInputSchema, async (input, deps: CheckRunsDeps, log) => {
  const result = await checkRuns(input, deps);
  log.info('Checked other runs', { verdict: result.verdict, restores: result.restores, others: result.others });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'sfn' | 'clock'>): CheckRunsDeps {
  return {
    sfn: clients.sfn,
    clock: clients.clock,
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    otherStateMachineArns: listEnv('OTHER_STATE_MACHINE_ARNS', env),
  };
}
