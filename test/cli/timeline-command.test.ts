import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { type CliDeps, main } from '../../cli/main';
import { STATE } from '../../lib/workflow/states';
import { type FakeAws, fakeAws } from '../support/status-fakes';
import { findAll, hasClass, parseSvg, textOf } from './svg';

/**
 * `staging-db-restore timeline <execution>` against a recorded history: test/cli/fixtures/rollback-mid-swap
 * is a real offline run (scripts/record-history.ts: the harness with "Rename new database to staging" failing,
 * so the run rolls back mid-swap) converted into GetExecutionHistory's events. The fake Step Functions serves
 * it in pages, as the service does.
 */
const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'rollback-mid-swap.history.json'), 'utf8'),
) as { executionArn: string; events: (Omit<HistoryEvent, 'timestamp'> & { timestamp: string })[] };
const events: HistoryEvent[] = fixture.events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }));
const PAGE = 150;

let aws: FakeAws;
let dir: string;
beforeEach(() => {
  aws = fakeAws();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
  aws.sfn.on(GetExecutionHistoryCommand).callsFake(async (input: { executionArn: string; nextToken?: string }) => {
    if (input.executionArn !== fixture.executionArn) {
      throw Object.assign(new Error(`Execution Does Not Exist: '${input.executionArn}'`), {
        name: 'ExecutionDoesNotExist',
      });
    }
    const from = input.nextToken ? Number(input.nextToken.replace('page-', '')) : 0;
    const page = events.slice(from, from + PAGE);
    return { events: page, ...(from + PAGE < events.length ? { nextToken: `page-${from + PAGE}` } : {}) };
  });
});
afterEach(() => {
  aws.restore();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => new Date('2026-12-02T00:00:00Z'),
    clients: () => aws.clients,
  };
  const code = await main(argv, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const enteredAt = (state: string) =>
  events.find((e) => e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name === state)!.timestamp!;

describe('staging-db-restore timeline', () => {
  it.each([
    ['its name', 'rollback-mid-swap'],
    ['its ARN', fixture.executionArn],
  ])('draws an execution given %s, reading every page of its history', async (_how, execution) => {
    const file = path.join(dir, 'out', 'run.svg');

    const { code, out, err } = await cli('timeline', execution, '--output', file);

    expect({ code, err }).toEqual({ code: 0, err: '' });
    const calls = aws.sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(calls.length).toBe(Math.ceil(events.length / PAGE));
    expect(calls.map((c) => c.nextToken)).toEqual([
      undefined,
      ...Array.from({ length: calls.length - 1 }, (_, i) => `page-${(i + 1) * PAGE}`),
    ]);
    expect(calls.every((c) => c.executionArn === fixture.executionArn && c.includeExecutionData === false)).toBe(true);
    expect(out).toContain(`Wrote ${file} (${events.length} history events, failed (InvalidDBInstanceStateFault)`);

    const root = parseSvg(fs.readFileSync(file, 'utf8'));
    expect(root.attrs['data-status']).toBe('FAILED');
    // Every phase is drawn; the run reached the swap and the rollback, never what comes after the swap.
    const phases = findAll(root, (e) => hasClass(e, 'phase'));
    const reached = (id: string) =>
      findAll(
        phases.find((p) => p.attrs['data-phase'] === id)!,
        (e) => hasClass(e, 'state'),
      ).length > 0;
    expect(phases.map((p) => p.attrs['data-phase'])).toEqual([
      'checks',
      'snapshot',
      'restore',
      'sanitize',
      'swap',
      'after-swap',
      'rollback',
    ]);
    expect(['checks', 'snapshot', 'restore', 'sanitize', 'swap', 'rollback'].every(reached)).toBe(true);
    expect(reached('after-swap')).toBe(false);
    // The outage lasted from the first rename until the rollback had staging back, as the history says.
    const [window] = findAll(root, (e) => hasClass(e, 'outage-window'));
    expect(window!.attrs['data-start']).toBe(enteredAt(STATE.renameAway).toISOString());
    expect(window!.attrs['data-end']).toBe(enteredAt(STATE.notifyFailure).toISOString());
    expect(window!.attrs['data-ended-by']).toBe('rollback');
    // The failed rename is marked in the swap's row (caught: the rollback ran), the execution's end in its Fail
    // state; the first run's missing last-restore parameter too (caught: there is none yet).
    const failures = findAll(root, (e) => hasClass(e, 'failure'));
    expect(failures.map((f) => [f.attrs['data-state'], f.attrs['data-error'], f.attrs['data-handled']])).toEqual([
      [STATE.readLastRestore, 'Ssm.ParameterNotFoundException', 'true'],
      [STATE.renameIn, 'InvalidDBInstanceStateFault', 'true'],
      [STATE.failed, 'InvalidDBInstanceStateFault', 'false'],
    ]);
    const swapLane = findAll(root, (e) => hasClass(e, 'lane') && e.attrs['data-lane'] === 'swap')[0]!;
    expect(findAll(swapLane, (e) => hasClass(e, 'failure')).length).toBe(1);
    expect(textOf(root)).toContain('failed (InvalidDBInstanceStateFault)');
  });

  it('writes timeline-<execution>.svg in the current directory by default', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { code } = await cli('timeline', 'rollback-mid-swap');
      expect(code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.existsSync(path.join(dir, 'timeline-rollback-mid-swap.svg'))).toBe(true);
  });

  it.each([
    ['an unknown execution', 'no-such-run', /no execution no-such-run of arn:aws:states:.*:StagingDbRestore/],
    [
      "another state machine's execution",
      'arn:aws:states:us-east-1:123456789012:execution:Reindex:run-1',
      /is not an execution of arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore/,
    ],
    ['a name no execution can have', 'two words', /"two words" is not an execution name/],
  ])('explains %s', async (_what, execution, message) => {
    const { code, err } = await cli('timeline', execution, '--output', path.join(dir, 'x.svg'));
    expect(code).toBe(1);
    expect(err).toMatch(message);
    expect(fs.existsSync(path.join(dir, 'x.svg'))).toBe(false);
  });

  it('is documented in --help', async () => {
    const { code, out } = await cli('timeline', '--help');
    expect(code).toBe(0);
    expect(out).toContain('<execution>');
    expect(out).toContain('--output <file>');
  });
});
