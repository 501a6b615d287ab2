import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, EventBridgeClient, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { STACK_OUTPUTS } from '../../lambdas/shared/status-contract';
import type { StatusSources } from '../../lambdas/status/status';

/**
 * Local fakes of the AWS read/steer path (SSM parameters, the EventBridge rule, Step Functions executions,
 * the CloudFormation stack's outputs) behind the real SDK v3 clients (aws-sdk-client-mock). One declarative
 * world, shared by the status source tests, the notice's browser test and the CLI tests.
 */
export interface FakeExecution {
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  input?: string;
}

export interface FakeAwsState {
  region: string;
  account: string;
  parameters: Map<string, string>;
  rule: { name: string; expression: string; enabled: boolean } | null;
  machine: { name: string; createdAt: string } | null;
  executions: FakeExecution[];
  /** null: the stack does not exist. */
  stackOutputs: Record<string, string> | null;
}

export const SOURCES: StatusSources = {
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore',
  scheduleRuleName: 'StagingDbRestore-ScheduleRule-ABC123',
  schedule: 'cron(0 0 1 * ? *)',
  skipParameterName: '/staging-db-restore/skip',
  lastRestoreParameterName: '/staging-db-restore/last-restore',
};

export function defaultState(overrides: Partial<FakeAwsState> = {}): FakeAwsState {
  return {
    region: 'us-east-1',
    account: '123456789012',
    parameters: new Map([[SOURCES.skipParameterName, 'false']]),
    rule: { name: SOURCES.scheduleRuleName, expression: SOURCES.schedule, enabled: true },
    machine: { name: 'StagingDbRestore', createdAt: '2026-01-15T10:00:00Z' },
    executions: [],
    stackOutputs: {
      [STACK_OUTPUTS.stateMachineArn]: SOURCES.stateMachineArn,
      [STACK_OUTPUTS.scheduleRuleName]: SOURCES.scheduleRuleName,
      [STACK_OUTPUTS.schedule]: SOURCES.schedule,
      [STACK_OUTPUTS.skipParameterName]: SOURCES.skipParameterName,
      [STACK_OUTPUTS.lastRestoreParameterName]: SOURCES.lastRestoreParameterName,
      [STACK_OUTPUTS.statusUrl]: 'https://abc.lambda-url.us-east-1.on.aws/',
    },
    ...overrides,
  };
}

export interface FakeAws {
  state: FakeAwsState;
  ssm: AwsClientStub<SSMClient>;
  events: AwsClientStub<EventBridgeClient>;
  sfn: AwsClientStub<SFNClient>;
  cloudformation: AwsClientStub<CloudFormationClient>;
  /** Clients wired to the stubs (the status module takes clients as arguments). */
  clients: { ssm: SSMClient; events: EventBridgeClient; sfn: SFNClient; cloudformation: CloudFormationClient };
  restore(): void;
}

const meta = { $metadata: {} };
const executionArn = (s: FakeAwsState, name: string) =>
  `arn:aws:states:${s.region}:${s.account}:execution:${s.machine?.name ?? 'x'}:${name}`;

/**
 * Installs the fakes. With `global: true` every client of those services (also ones created inside the code
 * under test, e.g. by the CLI) talks to them; otherwise only the returned clients do.
 */
export function fakeAws(state: FakeAwsState = defaultState(), options: { global?: boolean } = {}): FakeAws {
  const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
  const clients = {
    ssm: new SSMClient({ region: state.region, credentials }),
    events: new EventBridgeClient({ region: state.region, credentials }),
    sfn: new SFNClient({ region: state.region, credentials }),
    cloudformation: new CloudFormationClient({ region: state.region, credentials }),
  };
  const target = (cls: unknown, instance: unknown) =>
    options.global ? mockClient(cls as never) : mockClient(instance as never);
  const ssm = target(SSMClient, clients.ssm) as unknown as AwsClientStub<SSMClient>;
  const events = target(EventBridgeClient, clients.events) as unknown as AwsClientStub<EventBridgeClient>;
  const sfn = target(SFNClient, clients.sfn) as unknown as AwsClientStub<SFNClient>;
  const cloudformation = target(
    CloudFormationClient,
    clients.cloudformation,
  ) as unknown as AwsClientStub<CloudFormationClient>;

  ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
    const value = state.parameters.get(input.Name);
    if (value === undefined) throw new ParameterNotFound({ message: `Parameter ${input.Name} not found`, ...meta });
    return { Parameter: { Name: input.Name, Value: value, Type: 'String' } };
  });
  ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string; Overwrite?: boolean }) => {
    if (state.parameters.has(input.Name) && !input.Overwrite) throw new Error('ParameterAlreadyExists');
    state.parameters.set(input.Name, input.Value);
    return { Version: 2 };
  });
  events.on(DescribeRuleCommand).callsFake(async (input: { Name: string }) => {
    if (!state.rule || state.rule.name !== input.Name) {
      throw new ResourceNotFoundException({ message: `Rule ${input.Name} does not exist.`, ...meta });
    }
    return {
      Name: state.rule.name,
      ScheduleExpression: state.rule.expression,
      State: state.rule.enabled ? 'ENABLED' : 'DISABLED',
    };
  });
  const machineExists = (arn: string) => {
    if (!state.machine || arn !== SOURCES.stateMachineArn.replace('StagingDbRestore', state.machine.name)) {
      throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${arn}'`, ...meta });
    }
  };
  sfn.on(ListExecutionsCommand).callsFake(async (input: { stateMachineArn: string; maxResults?: number }) => {
    machineExists(input.stateMachineArn);
    const sorted = [...state.executions].sort((a, b) => Date.parse(b.startDate) - Date.parse(a.startDate));
    return {
      executions: sorted.slice(0, input.maxResults || 100).map((e) => ({
        executionArn: executionArn(state, e.name),
        stateMachineArn: input.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: new Date(e.startDate),
        stopDate: e.stopDate ? new Date(e.stopDate) : undefined,
      })),
    };
  });
  sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => {
    const e = state.executions.find((x) => executionArn(state, x.name) === input.executionArn);
    if (!e) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', ...meta });
    return {
      executionArn: input.executionArn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate),
      stopDate: e.stopDate ? new Date(e.stopDate) : undefined,
      error: e.error,
      cause: e.cause,
    };
  });
  sfn.on(DescribeStateMachineCommand).callsFake(async (input: { stateMachineArn: string }) => {
    machineExists(input.stateMachineArn);
    return {
      stateMachineArn: input.stateMachineArn,
      name: state.machine!.name,
      creationDate: new Date(state.machine!.createdAt),
    };
  });
  sfn.on(StartExecutionCommand).callsFake(async (input: { stateMachineArn: string; name?: string; input?: string }) => {
    machineExists(input.stateMachineArn);
    const name = input.name ?? `manual-${state.executions.length + 1}`;
    const startDate = new Date().toISOString();
    state.executions.push({ name, status: 'RUNNING', startDate, input: input.input });
    return { executionArn: executionArn(state, name), startDate: new Date(startDate) };
  });
  cloudformation.on(DescribeStacksCommand).callsFake(async (input: { StackName: string }) => {
    if (!state.stackOutputs) {
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    }
    return {
      Stacks: [
        {
          StackName: input.StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: Object.entries(state.stackOutputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    };
  });

  return {
    state,
    ssm,
    events,
    sfn,
    cloudformation,
    clients,
    restore() {
      for (const stub of [ssm, events, sfn, cloudformation]) stub.restore();
    },
  };
}

/** A last-restore record as the workflow writes it. */
export function lastRestoreRecord(at: string, execution: string, snapshotCreatedAt = at): string {
  return JSON.stringify({
    at,
    snapshot: `rds:prod-openverse-db-${snapshotCreatedAt.slice(0, 10)}-00-05`,
    snapshotCreatedAt,
    execution,
  });
}
