import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import type { Step } from '../lib/functions';
import * as captureStaging from '../lambdas/capture-staging/capture-staging';
import * as checkRuns from '../lambdas/check-runs/check-runs';
import * as checkStatus from '../lambdas/check-status/check-status';
import * as deleteStep from '../lambdas/delete/delete';
import * as applySettingsStep from '../lambdas/apply-settings/apply-settings';
import * as deployApi from '../lambdas/deploy-api/deploy-api';
import * as findSnapshot from '../lambdas/find-snapshot/find-snapshot';
import * as leftovers from '../lambdas/leftovers/leftovers';
import * as notify from '../lambdas/notify/notify';
import * as rename from '../lambdas/rename/rename';
import * as resetPassword from '../lambdas/reset-password/reset-password';
import * as restore from '../lambdas/restore/restore';
import * as rollback from '../lambdas/rollback/rollback';
import { connectPg } from '../lambdas/sanitize/pg';
import * as sanitize from '../lambdas/sanitize/sanitize';
import type { ConnectOptions, SqlClient } from '../lambdas/sanitize/sanitize';
import type { StepClients } from '../lambdas/shared/clients';
import type { Clock } from '../lambdas/shared/clock';
import * as updateIndex from '../lambdas/update-index/update-index';
import * as validateInput from '../lambdas/validate-input/validate-input';
import * as verifyRestore from '../lambdas/verify-restore/verify-restore';
import type { HarnessLogEntry } from '../cli/timeline/events';
import { CLOSED_PORT, fakeAwsSdk, fakeSecrets, fakeStepFunctions, type OtherExecution, routedFetch } from './fake-aws';
import type { RdsSimulator } from './rds';
import { runObservers } from './run-observers';
import { ACCOUNT, allStates, type Json, REGION, type SynthesizedWorkflow, synthesizeWorkflow } from './synthesize';
import './polyfills';

export { allStates, synthesizeWorkflow, type OtherExecution, type SynthesizedWorkflow };

/**
 * The offline execution harness: runs the synthesized definition (synthesize.ts) with aws-local-stepfunctions.
 * Lambda tasks run the real handler code in-process, wired by each step's own fromEnv from its function's
 * synthesized environment (so a wiring mistake in lib/ or a step shows up here); `aws-sdk:*` tasks, Step
 * Functions, Secrets Manager and the network are faked (fake-aws.ts). RDS is the simulator behind a real
 * RDSClient; time is the simulator's virtual clock, advanced by exactly the seconds each Wait state would wait.
 */

/** The credentials secret's default value in the harness (the data plane's master user). */
export const DEFAULT_DB_CREDENTIALS = { username: 'deploy', password: 'staging-master-password' };

export interface TaskFault {
  /** The error name the task fails with (as Step Functions would report it). */
  error: string;
  message?: string;
  /** How many invocations fail (default: every one). */
  times?: number;
}

export interface RunOptions {
  sim: RdsSimulator;
  /** Other executions, for the run lock (ListExecutions / DescribeExecution against a fake). */
  otherExecutions?: OtherExecution[];
  /** The Slack webhook URL (a local server); stored as the webhook secret's value. */
  slackWebhookUrl: string;
  /** The fake SSM parameter store (the skip flag is set in it from `skipFlag`); pass one to inspect it. */
  parameters?: Map<string, string>;
  /** The GitHub API the deploy step talks to (a local double) and the token stored as its secret. */
  github?: { apiUrl: string; token: string };
  /**
   * The ingestion server (a local double): replaces the configured URL in the index step's input, as DNS
   * would point the configured name at it.
   */
  ingestionServerUrl?: string;
  /**
   * The offline network's DNS for database endpoints (World.resolve). Without it no database name resolves:
   * nothing in a run may reach a real network.
   */
  resolveHost?: (host: string, port: number) => { host: string; port: number } | undefined;
  /**
   * Replaces the sanitize step's real `pg` connection (through `resolveHost`). Only the fault matrix uses it,
   * with offline/pg/sql-stand-in.ts (see there why); every other workflow test runs on real PostgreSQL.
   */
  connectDatabase?: (options: ConnectOptions) => Promise<SqlClient>;
  /** Staging's database credentials, stored as the credentials secret. */
  dbCredentials?: { username: string; password: string };
  /** Value of the skip parameter; `undefined` means the parameter does not exist. Default `false`. */
  skipFlag?: string | undefined;
  config?: Record<string, unknown>;
  executionName?: string;
  input?: Json;
  /** Fail these Task states (by name) instead of running them. */
  taskFaults?: Record<string, TaskFault>;
  /**
   * Awaited before every Task state runs (with the state's name): the execution waits for it, so a test can
   * check invariants (e.g. what the staging name serves) at each step of the run.
   */
  beforeTask?: (name: string) => void | Promise<void>;
  /** Progress printer for the rehearsal. */
  onEvent?: (event: HarnessEvent) => void;
}

/** One entry of the event log; the timeline renderer reads the same shape (cli/timeline/events.ts). */
export interface HarnessEvent extends HarnessLogEntry {
  /** A state's output (StateExited only). */
  output?: Json;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  cause?: string;
  /** Names of the states entered, in order. */
  statesEntered: string[];
  events: HarnessEvent[];
  /** Invocations per task state. */
  invocations: Record<string, number>;
  /** The simulator's instances at the end (every name, mid-rename ones included). */
  instances: ReturnType<RdsSimulator['instances']>;
  startedAt: Date;
  endedAt: Date;
}

/** Runs the synthesized workflow once, to its end, against the simulator. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  const { sim } = options;
  const workflow = synthesizeWorkflow(options.config);
  const clock: Clock = { now: () => sim.clock.now() };
  const executionName = options.executionName ?? `run-${sim.clock.now().toISOString().replace(/[:.]/g, '-')}`;
  const parameters = options.parameters ?? new Map<string, string>();
  if (options.skipFlag !== undefined || !('skipFlag' in options)) {
    parameters.set(workflow.config.skipParameterName, options.skipFlag ?? 'false');
  }

  const secrets = fakeSecrets({
    [workflow.config.slackWebhookSecretName]: { url: options.slackWebhookUrl },
    [workflow.config.sanitize.credentialsSecretName]: options.dbCredentials ?? DEFAULT_DB_CREDENTIALS,
    [workflow.config.deployApi.tokenSecretName]: { token: options.github?.token ?? 'ghp_no_github_in_this_run' },
  });
  // `null` is a valid execution input too (and must be refused by the workflow, not replaced here).
  const executionInput: Json = options.input === undefined ? {} : options.input;
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${workflow.config.stateMachineName}`;
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  const sfn = fakeStepFunctions(sim, stateMachineArn, [
    { name: executionName, startDate: sim.clock.now(), input: executionInput },
    ...(options.otherExecutions ?? []),
  ]);
  const noSleep = async () => undefined;

  // One set of clients for every step of the run (creating the simulator's client per step cost about a third of
  // a run). Each step builds its dependencies from them and its synthesized environment with its own fromEnv,
  // exactly as its index.ts does in Lambda.
  const clients: StepClients = {
    rds: sim.client(),
    sfn,
    secrets,
    clock,
    // Backoff between attempts is real time in Lambda; here it would only slow the tests.
    sleep: noSleep,
    // The offline network: the configured GitHub API and ingestion server names lead to the local doubles.
    fetch: routedFetch([
      [workflow.config.deployApi.apiUrl, options.github?.apiUrl ?? CLOSED_PORT],
      [workflow.config.searchIndex.ingestionServerUrl, options.ingestionServerUrl ?? CLOSED_PORT],
    ]),
    connectDatabase: (o) => {
      if (options.connectDatabase) return options.connectDatabase(o);
      const target = options.resolveHost?.(o.host, o.port);
      if (!target) {
        return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${o.host}`), { code: 'ENOTFOUND' }));
      }
      return connectPg({ ...o, ...target });
    },
  };

  const invocations: Record<string, number> = {};
  const faults = new Map(
    Object.entries(options.taskFaults ?? {}).map(([k, v]) => [k, { ...v, left: v.times ?? Infinity }]),
  );
  const localHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  for (const [name, task] of workflow.tasks) {
    const run =
      task.kind === 'lambda'
        ? STEP_HANDLERS[task.step](task.env, clients)
        : (input: unknown) => fakeAwsSdk(task.action, input, parameters);
    localHandlers[name] = async (input) => {
      invocations[name] = (invocations[name] ?? 0) + 1;
      await sim.settle();
      await options.beforeTask?.(name);
      const fault = faults.get(name);
      if (fault && fault.left > 0) {
        fault.left -= 1;
        throw lambdaError(fault.error, fault.message ?? `Injected fault in "${name}"`);
      }
      try {
        return JSON.parse(JSON.stringify((await run(input)) ?? null)) as Json;
      } catch (err) {
        if (task.kind === 'aws-sdk') throw err;
        // Step Functions reports a Lambda error as Error = errorType, Cause = the runtime's JSON.
        const e = err instanceof Error ? err : new Error(String(err));
        throw lambdaError(e.name, e.message);
      }
    };
  }

  // Wait states: wait 1 ms of real time (a macrotask boundary, so the event consumer below has advanced the
  // virtual clock by the state's seconds before the next state runs).
  const waitStates = allStates(workflow.definition).filter(([, s]) => s.Type === 'Wait');
  const waitTimeOverrides = Object.fromEntries(waitStates.map(([name]) => [name, 1]));
  const retryIntervalOverrides = Object.fromEntries(
    allStates(workflow.definition)
      .filter(([, s]) => Array.isArray(s.Retry))
      .map(([name]) => [name, 0]),
  );

  const machine = stateMachineOf(workflow);
  const startedAt = sim.clock.now();
  const execution = machine.run(executionInput, {
    overrides: { taskResourceLocalHandlers: localHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: executionName },
    },
  });

  const events: HarnessEvent[] = [];
  const statesEntered: string[] = [];
  let pendingWaits = 0;
  const consume = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as {
        type: string;
        state?: { name: string; type: string; input: Json; output?: Json };
        Error?: string;
        Cause?: unknown;
      };
      const record: HarnessEvent = {
        at: sim.clock.now(),
        type: e.type,
        state: e.state?.name,
        stateType: e.state?.type,
      };
      if (e.type === 'StateExited' && e.state?.output !== undefined) record.output = e.state.output;
      if (e.Error) record.error = e.Error;
      if (e.Cause !== undefined) record.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause);
      events.push(record);
      options.onEvent?.(record);
      if (e.type === 'StateEntered' && e.state) {
        statesEntered.push(e.state.name);
        if (e.state.type === 'Wait') {
          const definition = waitStates.find(([name]) => name === e.state!.name)![1];
          sim.advance(waitSeconds(definition, e.state.input));
          pendingWaits += 1;
        }
      }
      if (e.type === 'StateExited' && e.state?.type === 'Wait') pendingWaits -= 1;
    }
  })();

  let result: RunResult;
  try {
    const output = await execution.result;
    result = {
      status: 'SUCCEEDED',
      output,
      statesEntered,
      events,
      invocations,
      instances: [],
      startedAt,
      endedAt: sim.clock.now(),
    };
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    const cause = (err as Error & { cause?: { name?: string; message?: string } }).cause;
    result = {
      status: 'FAILED',
      error: cause?.name,
      cause: cause?.message,
      statesEntered,
      events,
      invocations,
      instances: [],
      startedAt,
      endedAt: sim.clock.now(),
    };
  }
  await consume;
  await sim.settle();
  if (pendingWaits !== 0) throw new Error(`Harness: ${pendingWaits} Wait state(s) did not complete in order`);
  result.endedAt = sim.clock.now();
  result.instances = sim.instances();
  for (const observer of runObservers) {
    observer({
      config: JSON.stringify(options.config ?? null),
      states: () => allStates(workflow.definition).map(([name]) => name),
      entered: statesEntered,
    });
  }
  return result;
}

type Handler = (event: unknown) => Promise<unknown>;

/** A step's handler, wired the way its index.ts wires it: `makeHandler(fromEnv(env, clients))`. */
function wired<Deps>(step: {
  makeHandler: (deps: Deps) => Handler;
  fromEnv: (env: NodeJS.ProcessEnv, clients: StepClients) => Deps;
}): (env: Record<string, string>, clients: StepClients) => Handler {
  return (env, clients) => step.makeHandler(step.fromEnv(env, clients));
}

const STEP_HANDLERS: Record<Step, (env: Record<string, string>, clients: StepClients) => Handler> = {
  'validate-input': wired(validateInput),
  'check-runs': wired(checkRuns),
  leftovers: wired(leftovers),
  'find-snapshot': wired(findSnapshot),
  'capture-staging': wired(captureStaging),
  restore: wired(restore),
  'check-status': wired(checkStatus),
  'verify-restore': wired(verifyRestore),
  rename: wired(rename),
  delete: wired(deleteStep),
  'apply-settings': wired(applySettingsStep),
  rollback: wired(rollback),
  'reset-password': wired(resetPassword),
  sanitize: wired(sanitize),
  'deploy-api': wired(deployApi),
  'update-index': wired(updateIndex),
  notify: wired(notify),
};

/** The definition, validated once per synthesized workflow (validating took about half of a short run). */
const machines = new WeakMap<SynthesizedWorkflow, StateMachine>();
function stateMachineOf(workflow: SynthesizedWorkflow): StateMachine {
  let machine = machines.get(workflow);
  if (!machine) {
    machine = new StateMachine(workflow.definition, { validationOptions: { checkArn: true, checkPaths: true } });
    machines.set(workflow, machine);
  }
  return machine;
}

function waitSeconds(state: Record<string, unknown>, input: Json): number {
  if (typeof state.Seconds === 'number') return state.Seconds;
  if (typeof state.SecondsPath === 'string') {
    const [value] = JSONPath({ path: state.SecondsPath, json: input as object, wrap: true }) as unknown[];
    if (typeof value !== 'number')
      throw new Error(`Wait SecondsPath ${state.SecondsPath} is not a number: ${String(value)}`);
    return value;
  }
  throw new Error('The harness supports Wait states with Seconds or SecondsPath only');
}

/** As Step Functions shows a Lambda's error: Error = errorType, Cause = {errorType, errorMessage, trace}. */
function lambdaError(name: string, message: string): Error {
  const err = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
  err.name = name;
  return err;
}
