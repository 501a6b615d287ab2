import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { type CliDeps, main } from '../../cli/main';
import { STACK_OUTPUTS } from '../../lambdas/shared/status-contract';
import { defaultState, type FakeAws, fakeAws, lastRestoreRecord, SOURCES } from '../support/status-fakes';

const NOW = new Date('2026-11-25T00:00:00Z');
let aws: FakeAws;
afterEach(() => aws.restore());

/** Runs the CLI against the fakes; returns the exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => NOW,
    clients: () => aws.clients,
  };
  const code = await main(argv, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function withHistory() {
  const state = defaultState({
    executions: [
      { name: 'sep', status: 'TIMED_OUT', startDate: '2026-09-01T00:00:00Z', stopDate: '2026-09-02T00:00:00Z' },
      {
        name: 'oct',
        status: 'FAILED',
        startDate: '2026-10-01T00:00:00Z',
        stopDate: '2026-10-01T00:12:00Z',
        error: 'NoProductionSnapshot',
      },
      { name: 'nov', status: 'SUCCEEDED', startDate: '2026-11-01T00:00:00Z', stopDate: '2026-11-01T00:47:00Z' },
    ],
  });
  state.parameters.set(
    SOURCES.lastRestoreParameterName,
    lastRestoreRecord('2026-11-01T00:40:00Z', 'nov', '2026-10-31T06:12:00Z'),
  );
  return state;
}

describe('staging-db-restore --help', () => {
  beforeEach(() => (aws = fakeAws()));

  it('lists every command', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['status', 'skip <on|off>', 'start', 'history']) expect(out).toContain(command);
    expect(out).toContain('--stack-name');
    expect(out).toContain('--region');
  });

  it.each([
    ['status', ['--json']],
    ['skip', ['"on" skips the next runs']],
    ['start', ['--dry-run', '--snapshot <id>', '--skip-post-steps', 'console link']],
    ['history', ['--limit <count>', 'outcome and duration']],
  ])('documents %s and its options', async (command, expected) => {
    const { code, out } = await cli(command, '--help');
    expect(code).toBe(0);
    for (const text of expected) expect(out).toContain(text);
  });
});

describe('staging-db-restore status', () => {
  it('prints the same facts as the notice', async () => {
    // Arrange
    aws = fakeAws(withHistory());

    // Act
    const { code, out } = await cli('status');

    // Assert
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'Schedule:     cron(0 0 1 * ? *) (UTC), enabled',
      'Next run:     Tue 1 Dec 2026, 00:00 UTC (in 6 days)',
      'Skip flag:    off (/staging-db-restore/skip)',
      'Running:      no',
      'Last run:     nov, restored, took 47 min',
      'Staging data: from rds:prod-openverse-db-2026-10-31-00-05 of Sat 31 Oct 2026, 06:12 UTC, restored Sun 1 Nov 2026, 00:40 UTC',
    ]);
    expect(aws.cloudformation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'StagingDbRestore',
    });
  });

  it('prints the status source JSON with --json, reading the stack named by --stack-name', async () => {
    aws = fakeAws(withHistory());
    const { code, out } = await cli('--stack-name', 'StagingDbRestore-Test', 'status', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ nextRun: { at: '2026-12-01T00:00:00.000Z' }, skip: { on: false } });
    expect(aws.cloudformation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'StagingDbRestore-Test',
    });
  });
});

describe('staging-db-restore skip', () => {
  it.each([
    ['on', 'true', 'The next run (Tue 1 Dec 2026, 00:00 UTC) will be skipped.'],
    ['off', 'false', 'The next run (Tue 1 Dec 2026, 00:00 UTC) will recreate staging.'],
  ])('%s sets the SSM parameter to %s', async (arg, value, said) => {
    // Arrange
    aws = fakeAws();

    // Act
    const { code, out } = await cli('skip', arg);

    // Assert
    expect(code).toBe(0);
    expect(aws.ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: SOURCES.skipParameterName, Value: value, Type: 'String', Overwrite: true },
    ]);
    expect(aws.state.parameters.get(SOURCES.skipParameterName)).toBe(value);
    expect(out).toContain(said);
  });

  it('with only ssm:PutParameter allowed, sets the flag and says so, then that it cannot tell the next run', async () => {
    // Arrange: every read the status makes is denied.
    aws = fakeAws();
    const denied = Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), {
      name: 'AccessDeniedException',
    });
    aws.ssm.on(GetParameterCommand).rejects(denied);
    aws.events.on(DescribeRuleCommand).rejects(denied);
    aws.sfn.on(ListExecutionsCommand).rejects(denied);

    // Act
    const { code, out, err } = await cli('skip', 'on');

    // Assert
    expect(code).toBe(0);
    expect(aws.state.parameters.get(SOURCES.skipParameterName)).toBe('true');
    expect(out).toBe(`Skip flag ${SOURCES.skipParameterName} is now true.`);
    expect(err).toContain('Could not read the schedule to say when the next run is: AWS denied the request');
  });

  it('refuses anything but on or off, changing nothing', async () => {
    aws = fakeAws();
    const { code, err } = await cli('skip', 'yes');
    expect(code).toBe(1);
    expect(err).toContain('must be "on" or "off"');
    expect(aws.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});

describe('staging-db-restore start', () => {
  it('starts an execution with the dry-run and snapshot input and prints its console link', async () => {
    // Arrange
    aws = fakeAws();

    // Act
    const { code, out } = await cli(
      '--region',
      'us-east-1',
      'start',
      '--dry-run',
      '--snapshot',
      'rds:prod-openverse-db-2026-11-24-06-12',
    );

    // Assert
    expect(code).toBe(0);
    const input = aws.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input.stateMachineArn).toBe(SOURCES.stateMachineArn);
    expect(JSON.parse(input.input!)).toEqual({
      dryRun: true,
      snapshotIdentifier: 'rds:prod-openverse-db-2026-11-24-06-12',
    });
    expect(input.name).toBe('manual-2026-11-25T00-00-00-000Z-dry-run');
    expect(out).toContain(
      'Follow it: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/' +
        'arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:manual-2026-11-25T00-00-00-000Z-dry-run',
    );
  });

  it('sends {} for a plain start, {"skipPostSteps": true} with --skip-post-steps, and warns when skip is on', async () => {
    // Arrange
    aws = fakeAws();
    aws.state.parameters.set(SOURCES.skipParameterName, 'true');

    // Act
    await cli('start');
    const { err } = await cli('start', '--skip-post-steps');

    // Assert
    const inputs = aws.sfn.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input!));
    expect(inputs).toEqual([{}, { skipPostSteps: true }]);
    expect(err).toContain('the skip flag is on');
  });

  it('refuses a snapshot identifier that is not one, before starting anything', async () => {
    aws = fakeAws();
    const { code, err } = await cli('start', '--snapshot', 'prod; rm -rf /');
    expect(code).toBe(1);
    expect(err).toContain('must be an RDS snapshot identifier');
    expect(aws.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('staging-db-restore history', () => {
  it('lists the last runs, newest first, with outcome, error and duration', async () => {
    aws = fakeAws(withHistory());
    const { code, out } = await cli('history', '--limit', '3');
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'Sun 1 Nov 2026, 00:00 UTC  nov, restored, took 47 min',
      'Thu 1 Oct 2026, 00:00 UTC  oct, failed (NoProductionSnapshot), took 12 min',
      'Tue 1 Sep 2026, 00:00 UTC  sep, timed-out (States.Timeout), took 24 h 0 min',
    ]);
  });

  it('refuses a limit that is not a number from 1 to 100', async () => {
    aws = fakeAws();
    const { code, err } = await cli('history', '--limit', '0');
    expect(code).toBe(1);
    expect(err).toContain('must be a whole number from 1 to 100');
  });
});

describe('clear errors', () => {
  it('says the stack is not deployed in the region, and how to point elsewhere', async () => {
    aws = fakeAws(defaultState({ stackOutputs: null }));
    const { code, err } = await cli('status');
    expect(code).toBe(1);
    expect(err).toBe(
      'staging-db-restore: stack StagingDbRestore not found in us-east-1. Deploy it (npx cdk deploy), or pass ' +
        '--stack-name / --region (or set AWS_REGION) for where it is deployed.',
    );
  });

  it('says which output is missing from an older stack', async () => {
    const state = defaultState();
    delete state.stackOutputs![STACK_OUTPUTS.scheduleRuleName];
    aws = fakeAws(state);
    const { code, err } = await cli('history');
    expect(code).toBe(1);
    expect(err).toContain('has no output ScheduleRuleName');
  });

  it.each([
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'no AWS credentials found',
    ],
    [
      Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }),
      'were refused (ExpiredToken)',
    ],
    [
      Object.assign(new Error('User: x is not authorized to perform: cloudformation:DescribeStacks'), {
        name: 'AccessDenied',
      }),
      'AWS denied the request: User: x is not authorized',
    ],
  ])('explains %s', async (error, expected) => {
    aws = fakeAws();
    aws.cloudformation.on(DescribeStacksCommand).rejects(error);
    const { code, err } = await cli('status');
    expect(code).toBe(1);
    expect(err).toContain(expected);
  });
});

describe('the npx entry (bin/staging-db-restore.cjs)', () => {
  it('runs the CLI from a checkout after npm ci, without a build step', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(__dirname, '..', '..', 'bin', 'staging-db-restore.cjs'), 'start', '--help'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: staging-db-restore start [options]');
  });
});
