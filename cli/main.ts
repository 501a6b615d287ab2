import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { executionLink } from '../lambdas/notify/messages';
import { SNAPSHOT_IDENTIFIER } from '../lambdas/shared/contract';
import { STACK_OUTPUTS, type RestoreStatus, type RunSummary } from '../lambdas/shared/status-contract';
import { readHistory, readStatus, type StatusSources } from '../lambdas/status/status';
import { formatIn, formatTime } from '../notice/message';
import { fromExecutionHistory } from './timeline/events';
import { buildTimeline, duration as spanOf, renderTimelineSvg } from './timeline/render';

/**
 * The operator CLI: `npx staging-db-restore <command>` (bin/staging-db-restore.cjs runs this file).
 *
 * It finds everything through the CloudFormation outputs of the deployed stack (default `StagingDbRestore`):
 * the deployed names are the truth (the rule's name is generated at deploy, and a local cdk.json may differ
 * from what was deployed), and one read-only call tells "not deployed here" apart from "no access". AWS
 * access uses the SDK's standard credential chain (AWS_PROFILE / SSO, environment, instance roles) and region
 * (--region, AWS_REGION, the profile's region).
 */
export const DEFAULT_STACK = 'StagingDbRestore';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface CliDeps {
  io: Io;
  now(): Date;
  /** SDK clients for a region (tests pass clients wired to fakes). */
  clients(region: string | undefined): {
    cloudformation: CloudFormationClient;
    ssm: SSMClient;
    events: EventBridgeClient;
    sfn: SFNClient;
  };
}

export const defaultDeps: CliDeps = {
  io: { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
  now: () => new Date(),
  clients: (region) => {
    const config = region ? { region } : {};
    return {
      cloudformation: new CloudFormationClient(config),
      ssm: new SSMClient(config),
      events: new EventBridgeClient(config),
      sfn: new SFNClient(config),
    };
  },
};

/** An error meant for the operator: printed as is, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

interface GlobalOptions {
  stackName: string;
  region?: string;
}

interface Deployed extends StatusSources {
  region: string;
  statusUrl?: string;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit). */
export async function main(argv: string[], deps: CliDeps = defaultDeps): Promise<number> {
  const { io } = deps;
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`staging-db-restore: ${explain(err)}`);
    return 1;
  }
}

export function buildProgram(deps: CliDeps): Command {
  const { io } = deps;
  const program = new Command('staging-db-restore')
    .description(
      'See and steer the monthly recreation of the staging database from production (the StagingDbRestore stack).\n' +
        'Uses your AWS credentials (AWS_PROFILE, SSO, environment) and region (--region, AWS_REGION).',
    )
    .addOption(
      new Option('--stack-name <name>', 'CloudFormation stack to read names from')
        .default(DEFAULT_STACK)
        .env('STAGING_DB_RESTORE_STACK'),
    )
    .option('--region <region>', 'AWS region of the stack (default: AWS_REGION or your profile)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();

  const context = async (cmd: Command) => {
    const opts = cmd.optsWithGlobals<GlobalOptions>();
    const clients = deps.clients(opts.region);
    const deployed = await findStack(clients.cloudformation, opts.stackName);
    return { clients, deployed };
  };

  program
    .command('status')
    .description(
      'Show the schedule, the next run, the skip flag, a run in progress and the last run (as the admin notice does)',
    )
    .option('--json', 'print the status as JSON (the status source format)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { clients, deployed } = await context(cmd);
      const status = await readStatus(deployed, { ...clients, clock: { now: deps.now } });
      if (opts.json) io.out(JSON.stringify(status, null, 2));
      else for (const line of statusLines(status, deps.now())) io.out(line);
    });

  program
    .command('skip')
    .description('Turn the skip flag on (the next scheduled runs end at once, reporting "skipped") or off')
    .argument('<on|off>', '"on" skips the next runs until turned off; "off" lets them run', (value: string) => {
      if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('must be "on" or "off"');
      return value;
    })
    .action(async (value: 'on' | 'off', _opts: unknown, cmd: Command) => {
      const { clients, deployed } = await context(cmd);
      const flag = value === 'on' ? 'true' : 'false';
      await clients.ssm.send(
        new PutParameterCommand({ Name: deployed.skipParameterName, Value: flag, Type: 'String', Overwrite: true }),
      );
      io.out(`Skip flag ${deployed.skipParameterName} is now ${flag}.`);
      // The flag is set; what the next run is comes from the status reads, which may not be allowed: best effort.
      const status = await readStatus(deployed, { ...clients, clock: { now: deps.now } }).catch((err: unknown) => {
        io.err(`(Could not read the schedule to say when the next run is: ${explain(err)})`);
        return undefined;
      });
      if (!status) return;
      const next = status.nextRun ? `${formatTime(new Date(status.nextRun.at))}` : 'none scheduled';
      io.out(
        value === 'on' ? `The next run (${next}) will be skipped.` : `The next run (${next}) will recreate staging.`,
      );
    });

  program
    .command('start')
    .description("Start a restore now and print the execution's console link (the skip flag still applies)")
    .option('--dry-run', 'check everything (snapshot, staging, names) without changing anything')
    .option('--snapshot <id>', 'restore this production snapshot instead of the newest automated one', snapshotId)
    .option('--skip-post-steps', 'do not redeploy the staging API or update the search indices after the swap')
    .action(async (opts: { dryRun?: boolean; snapshot?: string; skipPostSteps?: boolean }, cmd: Command) => {
      const { clients, deployed } = await context(cmd);
      const input: Record<string, unknown> = {};
      if (opts.dryRun) input.dryRun = true;
      if (opts.snapshot) input.snapshotIdentifier = opts.snapshot;
      if (opts.skipPostSteps) input.skipPostSteps = true;
      // Warnings only: if the status reads are not allowed, start anyway.
      const status = await readStatus(deployed, { ...clients, clock: { now: deps.now } }).catch(() => undefined);
      if (status?.skip.on) {
        io.err(`Note: the skip flag is on: this run will end at once as skipped (npx staging-db-restore skip off).`);
      }
      if (status?.running) {
        io.err(
          `Note: ${status.running.name} is still running: unless it is a dry run, this run will end at once (the run lock).`,
        );
      }
      const started = await clients.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deployed.stateMachineArn,
          name: `manual-${deps.now().toISOString().replace(/[:.]/g, '-')}${opts.dryRun ? '-dry-run' : ''}`,
          input: JSON.stringify(input),
        }),
      );
      io.out(`Started ${started.executionArn}${opts.dryRun ? ' (dry run)' : ''}.`);
      io.out(`Follow it: ${executionLink(started.executionArn!)}`);
    });

  program
    .command('history')
    .description('List the last runs with outcome and duration, newest first')
    .option('-n, --limit <count>', 'how many runs (1-100)', positiveInt, 10)
    .action(async (opts: { limit: number }, cmd: Command) => {
      const { clients, deployed } = await context(cmd);
      const runs = await readHistory(deployed, clients, opts.limit);
      if (!runs.length) io.out('No runs yet.');
      for (const line of historyLines(runs, deps.now())) io.out(line);
    });

  program
    .command('timeline')
    .description(
      'Draw one execution as a timeline picture (a self-contained SVG): the phases, waits, the outage window, failures',
    )
    .argument('<execution>', 'the execution: its name (as `history` lists it) or its ARN')
    .option('-o, --output <file>', 'where to write the SVG (default: timeline-<execution name>.svg here)')
    .action(async (execution: string, opts: { output?: string }, cmd: Command) => {
      const { clients, deployed } = await context(cmd);
      const arn = executionArnOf(deployed.stateMachineArn, execution);
      const name = arn.slice(arn.lastIndexOf(':') + 1);
      const history = await readExecutionHistory(clients.sfn, arn, deployed.stateMachineArn);
      const model = buildTimeline(fromExecutionHistory(history), { now: deps.now() });
      const file = path.resolve(opts.output ?? `timeline-${name}.svg`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, renderTimelineSvg(model, { title: `staging-db-restore: ${name}`, subtitle: arn }));
      const outage = model.outage
        ? `outage ${spanOf(model.outage.end.getTime() - model.outage.start.getTime())}`
        : 'no outage';
      io.out(
        `Wrote ${file} (${history.length} history events, ${model.status.toLowerCase().replace('_', ' ')}` +
          `${model.error ? ` (${model.error})` : ''}, ${outage}, ${model.failures.length} failure(s) marked).`,
      );
    });

  return program;
}

/** An execution of the deployed state machine, from its name or ARN. */
export function executionArnOf(stateMachineArn: string, execution: string): string {
  const prefix = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  if (execution.startsWith('arn:')) {
    if (!execution.startsWith(prefix) || execution.length === prefix.length) {
      throw new CliError(
        `${execution} is not an execution of ${stateMachineArn}: pass one of its executions (npx staging-db-restore history).`,
      );
    }
    return execution;
  }
  // Step Functions' execution names: 1-80 characters, none of whitespace, brackets, wildcards or control characters.
  const control = [...execution].some(
    (c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f),
  );
  if (control || execution.length < 1 || execution.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(execution)) {
    throw new CliError(`"${execution}" is not an execution name (npx staging-db-restore history lists them).`);
  }
  return `${prefix}${execution}`;
}

/** Every event of an execution's history, oldest first (all pages). */
export async function readExecutionHistory(
  sfn: SFNClient,
  executionArn: string,
  stateMachineArn: string,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, nextToken }),
      );
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist') {
        throw new CliError(
          `no execution ${executionArn.slice(executionArn.lastIndexOf(':') + 1)} of ${stateMachineArn} ` +
            '(npx staging-db-restore history lists the recent ones).',
        );
      }
      throw err;
    }
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The stack's outputs, or an error that says what to do. */
export async function findStack(cloudformation: CloudFormationClient, stackName: string): Promise<Deployed> {
  const region = await cloudformation.config.region();
  let outputs: Record<string, string>;
  try {
    const described = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = described.Stacks?.[0];
    outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (err) {
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) {
      throw new CliError(
        `stack ${stackName} not found in ${region}. Deploy it (npx cdk deploy), or pass --stack-name / --region ` +
          '(or set AWS_REGION) for where it is deployed.',
      );
    }
    throw err;
  }
  const need = (key: keyof typeof STACK_OUTPUTS) => {
    const value = outputs[STACK_OUTPUTS[key]];
    if (!value) {
      throw new CliError(
        `stack ${stackName} has no output ${STACK_OUTPUTS[key]}: it was deployed by an older version; deploy this one (npx cdk deploy).`,
      );
    }
    return value;
  };
  return {
    region,
    stateMachineArn: need('stateMachineArn'),
    scheduleRuleName: need('scheduleRuleName'),
    schedule: need('schedule'),
    skipParameterName: need('skipParameterName'),
    lastRestoreParameterName: need('lastRestoreParameterName'),
    statusUrl: outputs[STACK_OUTPUTS.statusUrl],
  };
}

/** One line for an error: ours as is, the SDK's common ones with what to do. */
export function explain(err: unknown): string {
  const e = err as Error & { $metadata?: unknown };
  if (e instanceof CliError) return e.message;
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return (
      'no AWS credentials found. Log in (aws sso login --profile <p>) and set AWS_PROFILE, or set ' +
      'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.'
    );
  }
  if (/Region is missing/i.test(e?.message ?? '')) return 'no AWS region: pass --region or set AWS_REGION.';
  if (
    ['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException'].includes(e?.name)
  ) {
    return `your AWS credentials were refused (${e.name}): log in again (aws sso login) or refresh them.`;
  }
  if (/AccessDenied/.test(e?.name ?? '')) return `AWS denied the request: ${e.message}`;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
}

export function statusLines(s: RestoreStatus, now: Date): string[] {
  const rule = s.schedule.enabled === null ? 'state unknown' : s.schedule.enabled ? 'enabled' : 'DISABLED';
  const next = s.nextRun
    ? `${formatTime(new Date(s.nextRun.at))} (${formatIn(now, new Date(s.nextRun.at))})${s.nextRun.exact ? '' : ', at the latest'}`
    : 'none scheduled';
  const skip =
    s.skip.on === null
      ? `unknown (${s.skip.parameterName} could not be read, or is neither true nor false)`
      : `${s.skip.on ? 'ON: the next run will be skipped' : 'off'} (${s.skip.parameterName})`;
  const data = s.lastRestore
    ? `from ${s.lastRestore.snapshot ?? 'an unrecorded snapshot'}` +
      (s.lastRestore.snapshotCreatedAt ? ` of ${formatTime(new Date(s.lastRestore.snapshotCreatedAt))}` : '') +
      `, restored ${formatTime(new Date(s.lastRestore.at))}`
    : 'no restore recorded';
  return [
    `Schedule:     ${s.schedule.expression} (UTC), ${rule}`,
    `Next run:     ${next}`,
    `Skip flag:    ${skip}`,
    `Running:      ${s.running ? `${s.running.name}, since ${formatTime(new Date(s.running.startedAt))}` : 'no'}`,
    `Last run:     ${s.lastRun ? runLine(s.lastRun, now) : 'none'}`,
    `Staging data: ${data}`,
  ];
}

export function historyLines(runs: RunSummary[], now: Date): string[] {
  return runs.map((r) => `${formatTime(new Date(r.startedAt))}  ${runLine(r, now)}`);
}

function runLine(r: RunSummary, now: Date): string {
  const end = r.stoppedAt ? new Date(r.stoppedAt) : now;
  const took = duration(end.getTime() - new Date(r.startedAt).getTime());
  const outcome =
    r.outcome === 'succeeded'
      ? r.restored
        ? 'restored'
        : 'succeeded without restoring (skipped or dry run)'
      : r.outcome;
  return [
    r.name,
    outcome + (r.error ? ` (${r.error})` : ''),
    r.stoppedAt ? `took ${took}` : `running for ${took}`,
  ].join(', ');
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100');
  return n;
}

/** Manual (`my-snapshot`) or automated (`rds:prod-openverse-db-2026-11-30-06-12`) snapshot identifiers. */
function snapshotId(value: string): string {
  if (!SNAPSHOT_IDENTIFIER.test(value)) {
    throw new InvalidArgumentError('must be an RDS snapshot identifier, e.g. rds:prod-openverse-db-2026-11-30-06-12');
  }
  return value;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
