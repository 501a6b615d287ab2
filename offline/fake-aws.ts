import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { RdsSimulator } from './rds';
import { type Json, REGION } from './synthesize';

/**
 * What a run talks to besides RDS and the databases, faked for the harness: Step Functions' execution lists (the
 * run lock), Secrets Manager, the `aws-sdk:*` integrations of the state machine (SSM), and the network.
 */

/** Secrets Manager answering GetSecretValue for the given secrets (JSON values), as the functions read them. */
export function fakeSecrets(values: Record<string, Json>): SecretsManagerClient {
  const secrets = new SecretsManagerClient({ region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(secrets);
  for (const [SecretId, value] of Object.entries(values)) {
    mock.on(GetSecretValueCommand, { SecretId }).resolves({ SecretString: JSON.stringify(value) });
  }
  return secrets;
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

/** Nothing in a run may reach a real network: where no double answers, calls go to a closed local port. */
export const CLOSED_PORT = 'http://127.0.0.1:9';

/**
 * fetch as the offline network's DNS would make it: a request under one of the configured base URLs goes to the
 * local server standing in for it; any other host does not resolve.
 */
export function routedFetch(routes: [configured: string, local: string][]): typeof globalThis.fetch {
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

/**
 * Step Functions' ListExecutions / DescribeExecution over the known executions, as of the virtual clock: an
 * execution is RUNNING from its start until `endsAt`. ARNs and errors as the service names them.
 */
export function fakeStepFunctions(sim: RdsSimulator, ownArn: string, executions: OtherExecution[]): SFNClient {
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
export function fakeAwsSdk(action: string, input: unknown, parameters: Map<string, string>): Json {
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
