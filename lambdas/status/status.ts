import { DescribeRuleCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod/mini';
import type { Clock } from '../shared/clock';
import { requireEnv } from '../shared/env';
import { nextRun } from '../shared/schedule';
import type { RestoreStatus, RunOutcome, RunSummary } from '../shared/status-contract';

/** Where the facts live. The status Lambda gets these from its environment, the CLI from the stack outputs. */
export interface StatusSources {
  stateMachineArn: string;
  scheduleRuleName: string;
  /** The configured expression, used if the rule cannot be read. */
  schedule: string;
  skipParameterName: string;
  lastRestoreParameterName: string;
}

export interface StatusClients {
  ssm: Pick<SSMClient, 'send'>;
  events: Pick<EventBridgeClient, 'send'>;
  sfn: Pick<SFNClient, 'send'>;
  clock: Clock;
}

export const STATUS_ENV = {
  stateMachineArn: 'STATE_MACHINE_ARN',
  scheduleRuleName: 'SCHEDULE_RULE_NAME',
  schedule: 'SCHEDULE_EXPRESSION',
  skipParameterName: 'SKIP_PARAMETER_NAME',
  lastRestoreParameterName: 'LAST_RESTORE_PARAMETER_NAME',
} as const satisfies Record<keyof StatusSources, string>;

export function sourcesFromEnv(env: NodeJS.ProcessEnv = process.env): StatusSources {
  return {
    stateMachineArn: requireEnv(STATUS_ENV.stateMachineArn, env),
    scheduleRuleName: requireEnv(STATUS_ENV.scheduleRuleName, env),
    schedule: requireEnv(STATUS_ENV.schedule, env),
    skipParameterName: requireEnv(STATUS_ENV.skipParameterName, env),
    lastRestoreParameterName: requireEnv(STATUS_ENV.lastRestoreParameterName, env),
  };
}

/** What the workflow writes after a successful swap (lib/workflow: "Record successful restore"). */
const lastRestoreSchema = z.object({
  at: z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date')),
  snapshot: z.nullish(z.string()),
  snapshotCreatedAt: z.nullish(z.string()),
  execution: z.nullish(z.string()),
});
export type LastRestoreRecord = z.infer<typeof lastRestoreSchema>;

const OUTCOME: Record<string, RunOutcome | 'running'> = {
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timed-out',
  ABORTED: 'aborted',
  PENDING_REDRIVE: 'pending-redrive',
};

/**
 * Reads every fact of the status. A source that cannot be read leaves its facts unknown (null) rather than
 * failing the whole answer: the notice must still show the schedule when, say, the skip flag is unreadable.
 * Only when nothing at all can be read does it throw (the first error).
 */
export async function readStatus(sources: StatusSources, clients: StatusClients): Promise<RestoreStatus> {
  const now = clients.clock.now();
  const [rule, skip, lastRestore, runs] = await Promise.allSettled([
    clients.events.send(new DescribeRuleCommand({ Name: sources.scheduleRuleName })),
    readParameter(clients.ssm, sources.skipParameterName),
    readLastRestore(clients.ssm, sources.lastRestoreParameterName),
    clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: sources.stateMachineArn, maxResults: 10 })),
  ]);
  const all = [rule, skip, lastRestore, runs];
  if (all.every((r) => r.status === 'rejected')) throw (rule as PromiseRejectedResult).reason;

  const expression = (rule.status === 'fulfilled' && rule.value.ScheduleExpression) || sources.schedule;
  const enabled = rule.status === 'fulfilled' ? rule.value.State === 'ENABLED' : null;
  const record = lastRestore.status === 'fulfilled' ? lastRestore.value : null;
  const executions = runs.status === 'fulfilled' ? (runs.value.executions ?? []) : [];
  const running = executions.find((e) => e.status === 'RUNNING');
  const finished = executions.find((e) => e.status !== 'RUNNING');
  const lastRun = finished ? await summarize(finished, record, clients.sfn) : null;
  // A rate schedule counts from its rule's runs; the latest start is the best anchor there is.
  const anchor = executions[0]?.startDate;
  const next = enabled === false ? null : nextRun(expression, now, anchor);

  return {
    generatedAt: now.toISOString(),
    schedule: { expression, enabled },
    nextRun: next && { at: next.at.toISOString(), exact: next.exact },
    skip: {
      parameterName: sources.skipParameterName,
      on: skip.status === 'fulfilled' ? parseSkip(skip.value) : null,
    },
    running: running ? await summarize(running, record, clients.sfn) : null,
    lastRun,
    lastRestore: record && {
      at: new Date(record.at).toISOString(),
      snapshot: record.snapshot ?? null,
      snapshotCreatedAt: record.snapshotCreatedAt ?? null,
    },
  };
}

/** The last `count` executions, newest first, with outcome and (for failures) the error name. */
export async function readHistory(
  sources: Pick<StatusSources, 'stateMachineArn' | 'lastRestoreParameterName'>,
  clients: Pick<StatusClients, 'ssm' | 'sfn'>,
  count: number,
): Promise<RunSummary[]> {
  const [listed, record] = await Promise.all([
    clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: sources.stateMachineArn, maxResults: count })),
    readLastRestore(clients.ssm, sources.lastRestoreParameterName),
  ]);
  return Promise.all((listed.executions ?? []).map((e) => summarize(e, record, clients.sfn)));
}

async function summarize(
  e: ExecutionListItem,
  record: LastRestoreRecord | null,
  sfn: Pick<SFNClient, 'send'>,
): Promise<RunSummary> {
  const outcome = OUTCOME[e.status ?? ''] ?? 'failed';
  let error: string | null = null;
  if (outcome === 'failed' || outcome === 'timed-out' || outcome === 'aborted' || outcome === 'pending-redrive') {
    // Only the error's name: the cause is free text and stays in the console.
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })).catch(() => null);
    error = described?.error ?? (outcome === 'timed-out' ? 'States.Timeout' : null);
  }
  return {
    name: e.name ?? '',
    startedAt: (e.startDate ?? new Date(0)).toISOString(),
    stoppedAt: e.stopDate ? e.stopDate.toISOString() : null,
    outcome,
    restored: !!record?.execution && record.execution === e.name,
    error,
  };
}

/** The parameter's value, or null when it does not exist. */
async function readParameter(ssm: Pick<SSMClient, 'send'>, name: string): Promise<string | null> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value ?? null;
  } catch (err) {
    if ((err as Error).name === 'ParameterNotFound') return null;
    throw err;
  }
}

/** The last restore record, or null when none is recorded (or it is not a record). */
export async function readLastRestore(ssm: Pick<SSMClient, 'send'>, name: string): Promise<LastRestoreRecord | null> {
  const raw = await readParameter(ssm, name);
  if (!raw) return null;
  try {
    const parsed = lastRestoreSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The workflow reads the flag the same way: exactly "true" skips, "false" runs, anything else fails the run. */
function parseSkip(value: string | null): boolean | null {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}
