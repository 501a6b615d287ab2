import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { JSONPath } from 'jsonpath-plus';
import { buildApp, STACK_NAME } from '../lib/app';
import type { RestoreConfig } from '../lib/config';
import { STEP_ENV, type Step } from '../lib/functions';
import * as captureStaging from '../lambdas/capture-staging/capture-staging';
import * as checkRuns from '../lambdas/check-runs/check-runs';
import * as checkStatus from '../lambdas/check-status/check-status';
import * as deleteStep from '../lambdas/delete/delete';
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
import type { RdsSimulator } from './rds';
import { runObservers } from './run-observers';
import './polyfills';

/**
 * The offline execution harness: synthesizes the real CDK app, takes the state machine definition out of
 * the template (resolving Fn::Join / Ref / Fn::GetAtt), and runs *that* definition with
 * aws-local-stepfunctions. Lambda tasks run the real handler code in-process, built from each function's
 * environment as synthesized (so a wiring mistake in lib/ shows up here); `aws-sdk:*` tasks run against
 * fakes. RDS is the simulator behind a real RDSClient; time is the simulator's virtual clock, advanced by
 * exactly the seconds each Wait state would wait.
 */

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

export interface SynthesizedWorkflow {
  config: RestoreConfig;
  template: Template;
  definition: StateMachineDefinition;
  /** Task state name → its resource: `lambda:<step>` with the function's env, or `aws-sdk:<service>:<action>`. */
  tasks: Map<string, { kind: 'lambda'; step: Step; env: Record<string, string> } | { kind: 'aws-sdk'; action: string }>;
}

const synthCache = new Map<string, SynthesizedWorkflow>();

/** The credentials secret's default value in the harness (the data plane's master user). */
export const DEFAULT_DB_CREDENTIALS = { username: 'deploy', password: 'staging-master-password' };

/** Synthesizes the app (bundling skipped, templates not re-validated: only the definition is needed). */
export function synthesizeWorkflow(configOverride?: Record<string, unknown>): SynthesizedWorkflow {
  const key = JSON.stringify(configOverride ?? null);
  const cached = synthCache.get(key);
  if (cached) return cached;
  const { app, config } = buildApp(
    { context: { 'aws:cdk:bundling-stacks': [] }, ...({ builtinCloudFormationValidation: false } as object) },
    configOverride,
  );
  const template = app.synth().getStackByName(STACK_NAME).template as Template;
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine in the template, found ${machines.length}`);
  const definition = JSON.parse(
    resolve(machines[0]!.Properties!.DefinitionString, template) as string,
  ) as StateMachineDefinition;

  const tasks: SynthesizedWorkflow['tasks'] = new Map();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = (state as unknown as { Resource: string }).Resource;
    const fn = /^arn:aws:lambda:[^:]+:\d+:function:(.+)$/.exec(resource);
    const sdk = /^arn:aws:states:::aws-sdk:(.+)$/.exec(resource);
    if (fn) {
      const raw = (template.Resources[fn[1]!]?.Properties?.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      const env = raw && (resolve(raw, template) as Record<string, string>);
      const step = env?.[STEP_ENV] as Step | undefined;
      if (!env || !step) throw new Error(`Task "${name}" calls ${fn[1]}, which has no ${STEP_ENV} in its environment`);
      tasks.set(name, { kind: 'lambda', step, env });
    } else if (sdk) {
      tasks.set(name, { kind: 'aws-sdk', action: sdk[1]! });
    } else {
      throw new Error(`Task "${name}" has a resource the harness cannot run: ${resource}`);
    }
  }
  const result = { config, template, definition, tasks };
  synthCache.set(key, result);
  return result;
}

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
export function allStates(definition: {
  States: Record<string, unknown>;
}): [string, { Type: string } & Record<string, unknown>][] {
  const out: [string, { Type: string } & Record<string, unknown>][] = [];
  for (const [name, raw] of Object.entries(definition.States)) {
    const state = raw as { Type: string; Branches?: { States: Record<string, unknown> }[] } & Record<string, unknown>;
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch));
  }
  return out;
}

function resolve(value: unknown, template: Template): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, template));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p, template))).join(sep);
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (PSEUDO[ref]) return PSEUDO[ref];
      const resource = template.Resources[ref];
      if (!resource) throw new Error(`Unresolvable Ref ${ref}`);
      // Refs of SSM parameters resolve to their names, which the workflow passes to GetParameter.
      const name = resource.Properties?.Name;
      return typeof name === 'string' ? name : ref;
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const resource = template.Resources[id];
      if (!resource) throw new Error(`Unresolvable Fn::GetAtt ${id}.${attr}`);
      if (resource.Type === 'AWS::Lambda::Function' && attr === 'Arn')
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      return `${id}.${attr}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, template)]));
  }
  return value as Json;
}

export interface TaskFault {
  /** The error name the task fails with (as Step Functions would report it). */
  error: string;
  message?: string;
  /** How many invocations fail (default: every one). */
  times?: number;
}

/** Another execution the fake Step Functions knows: of this state machine (default) or another one. */
export interface OtherExecution {
  /** Default: this tool's state machine. */
  stateMachineArn?: string;
  name: string;
  startDate: Date;
  /** Its execution input (e.g. `{ dryRun: true }`). */
  input?: Json;
  /** It runs until this virtual time (default: for ever, i.e. the whole run), then has SUCCEEDED. */
  endsAt?: Date;
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

  const secrets = new SecretsManagerClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const secretsMock = mockClient(secrets);
  secretsMock
    .on(GetSecretValueCommand, { SecretId: workflow.config.slackWebhookSecretName })
    .resolves({ SecretString: JSON.stringify({ url: options.slackWebhookUrl }) });
  secretsMock
    .on(GetSecretValueCommand, { SecretId: workflow.config.sanitize.credentialsSecretName })
    .resolves({ SecretString: JSON.stringify(options.dbCredentials ?? DEFAULT_DB_CREDENTIALS) });
  secretsMock
    .on(GetSecretValueCommand, { SecretId: workflow.config.deployApi.tokenSecretName })
    .resolves({ SecretString: JSON.stringify({ token: options.github?.token ?? 'ghp_no_github_in_this_run' }) });
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
  rollback: wired(rollback),
  'reset-password': wired(resetPassword),
  sanitize: wired(sanitize),
  'deploy-api': wired(deployApi),
  'update-index': wired(updateIndex),
  notify: wired(notify),
};

/** Nothing in a run may reach a real network: where no double answers, calls go to a closed local port. */
const CLOSED_PORT = 'http://127.0.0.1:9';

/**
 * fetch as the offline network's DNS would make it: a request under one of the configured base URLs goes to the
 * local server standing in for it; any other host does not resolve.
 */
function routedFetch(routes: [configured: string, local: string][]): typeof globalThis.fetch {
  const bases = routes.map(([from, to]) => [from.replace(/\/+$/, ''), to.replace(/\/+$/, '')] as const);
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const route = bases.find(([from]) => url === from || url.startsWith(`${from}/`) || url.startsWith(`${from}?`));
    if (!route) {
      const host = new URL(url).hostname;
      const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
      return Promise.reject(Object.assign(new TypeError('fetch failed'), { cause }));
    }
    return globalThis.fetch(route[1] + url.slice(route[0].length), init);
  };
}

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

/**
 * Step Functions' ListExecutions / DescribeExecution over the known executions, as of the virtual clock: an
 * execution is RUNNING from its start until `endsAt`. ARNs and errors as the service names them.
 */
function fakeStepFunctions(sim: RdsSimulator, ownArn: string, executions: OtherExecution[]): SFNClient {
  const client = new SFNClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  const all = executions.map((e) => {
    const machine = e.stateMachineArn ?? ownArn;
    return { ...e, machine, arn: `${machine.replace(':stateMachine:', ':execution:')}:${e.name}` };
  });
  const status = (e: (typeof all)[number]) =>
    e.startDate <= sim.clock.now() && (!e.endsAt || e.endsAt > sim.clock.now()) ? 'RUNNING' : 'SUCCEEDED';
  mock.on(ListExecutionsCommand).callsFake((input: { stateMachineArn?: string; statusFilter?: string }) => {
    const executions = all
      .filter((e) => e.machine === input.stateMachineArn && e.startDate <= sim.clock.now())
      .filter((e) => !input.statusFilter || status(e) === input.statusFilter)
      .map((e) => ({
        executionArn: e.arn,
        stateMachineArn: e.machine,
        name: e.name,
        status: status(e),
        startDate: e.startDate,
      }));
    return { executions };
  });
  mock.on(DescribeExecutionCommand).callsFake((input: { executionArn?: string }) => {
    const e = all.find((x) => x.arn === input.executionArn);
    if (!e) throw namedError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
    return {
      executionArn: e.arn,
      stateMachineArn: e.machine,
      name: e.name,
      status: status(e),
      startDate: e.startDate,
      input: JSON.stringify(e.input ?? {}),
    };
  });
  return client;
}

/** The `aws-sdk:*` integrations the workflow uses, against in-memory fakes (SDK for Java v2 casing). */
function fakeAwsSdk(action: string, input: unknown, parameters: Map<string, string>): Json {
  if (action === 'ssm:getParameter') {
    const name = (input as { Name?: unknown }).Name;
    if (typeof name !== 'string') throw namedError('Ssm.ValidationException', 'Name is required');
    const value = parameters.get(name);
    if (value === undefined) throw namedError('Ssm.ParameterNotFoundException', `Parameter ${name} not found`);
    return { Parameter: { Name: name, Type: 'String', Value: value, Version: 1 } };
  }
  if (action === 'ssm:putParameter') {
    const { Name, Value, Type, Overwrite } = input as {
      Name?: unknown;
      Value?: unknown;
      Type?: unknown;
      Overwrite?: unknown;
    };
    if (typeof Name !== 'string' || typeof Value !== 'string')
      throw namedError('Ssm.ValidationException', 'Name and Value are required');
    if (Type !== 'String') throw namedError('Ssm.ValidationException', `Unexpected Type ${String(Type)}`);
    if (parameters.has(Name) && Overwrite !== true) throw namedError('Ssm.ParameterAlreadyExistsException', Name);
    parameters.set(Name, Value);
    return { Version: 1, Tier: 'Standard' };
  }
  throw new Error(`The harness has no fake for aws-sdk:${action}`);
}

function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
