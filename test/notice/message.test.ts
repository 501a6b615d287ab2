import * as fs from 'node:fs';
import type { RestoreStatus, RunSummary } from '../../lambdas/shared/status-contract';
import { asStatus, formatIn, noticeFor } from '../../notice/message';
import { buildNotice, NOTICE_BUNDLE } from '../../scripts/build-notice';

const NOW = new Date('2026-11-25T00:00:00Z');

function status(overrides: Partial<RestoreStatus> = {}): RestoreStatus {
  return {
    generatedAt: NOW.toISOString(),
    schedule: { expression: 'cron(0 0 1 * ? *)', enabled: true },
    nextRun: { at: '2026-12-01T00:00:00.000Z', exact: true },
    skip: { parameterName: '/staging-db-restore/skip', on: false },
    running: null,
    lastRun: null,
    lastRestore: null,
    ...overrides,
  };
}

function run(overrides: Partial<RunSummary>): RunSummary {
  return {
    name: 'nov',
    startedAt: '2026-11-01T00:00:04.000Z',
    stoppedAt: '2026-11-01T00:30:00.000Z',
    outcome: 'succeeded',
    restored: false,
    error: null,
    ...overrides,
  };
}

const text = (s: RestoreStatus | null, schedule = 'cron(0 0 1 * ? *)', now = NOW) => {
  const n = noticeFor({ status: s, schedule, skipParameterName: '/staging-db-restore/skip', now });
  return { ...n, text: n.sentences.join(' ') };
};

describe('noticeFor', () => {
  it('says a run in progress is happening now, and offers no skip (too late for that)', () => {
    const n = text(
      status({ running: run({ outcome: 'running', stoppedAt: null, startedAt: '2026-12-01T00:00:03Z' }) }),
    );
    expect(n.state).toBe('running');
    expect(n.text).toContain('is being recreated from production now (started Tue 1 Dec 2026, 00:00 UTC)');
    expect(n.showSkipHelp).toBe(false);
  });

  it('says when the schedule is disabled and that nothing is scheduled', () => {
    const n = text(status({ schedule: { expression: 'cron(0 0 1 * ? *)', enabled: false }, nextRun: null }));
    expect(n).toMatchObject({ state: 'disabled', level: 'info', showSkipHelp: false });
    expect(n.text).toContain('turned off');
  });

  it('says the skip state is unknown when the flag could not be read', () => {
    const n = text(status({ skip: { parameterName: '/custom/skip', on: null } }));
    expect(n.text).toContain('The skip flag (SSM parameter /custom/skip) could not be read');
    expect(n.text).toContain('To skip it: set SSM parameter /custom/skip to true');
  });

  it.each([
    [
      run({ outcome: 'failed', restored: true, error: 'AfterSwapFailed' }),
      "replaced staging's data, but a step after it failed (AfterSwapFailed)",
    ],
    [run({ outcome: 'timed-out', error: 'States.Timeout' }), 'timed out'],
    [run({ outcome: 'aborted' }), 'was stopped before it finished'],
  ])('reports a last run that did not succeed (%#)', (lastRun, expected) => {
    const n = text(status({ lastRun }));
    expect(n).toMatchObject({ level: 'error', state: 'failed' });
    expect(n.text).toContain(expected);
  });

  it('does not call a skipped or dry run (succeeded, no restore) a failure', () => {
    expect(text(status({ lastRun: run({ outcome: 'succeeded' }) })).level).toBe('warning');
  });

  it('says "at the latest" for a rate schedule with no run to count from', () => {
    const n = text(
      status({
        schedule: { expression: 'rate(7 days)', enabled: true },
        nextRun: { at: '2026-12-02T00:00:00Z', exact: false },
      }),
    );
    expect(n.text).toContain('by Wed 2 Dec 2026, 00:00 UTC at the latest (in 7 days)');
  });

  it('falls back to the rendered schedule when the status source is down, or says it cannot tell', () => {
    expect(text(null, 'cron(0 6 ? * MON#1 *)').text).toContain(
      'on Mon 7 Dec 2026, 06:00 UTC (in 12 days), according to its schedule',
    );
    expect(text(null, 'nonsense').text).toContain('recreated from production on a schedule');
  });
});

describe('formatIn', () => {
  const from = new Date('2026-11-30T00:00:00Z');
  it.each([
    ['2026-12-01T00:00:00Z', 'in 1 day'],
    ['2026-11-30T23:59:00Z', 'in 23 hours'],
    ['2026-11-30T01:00:00Z', 'in 1 hour'],
    ['2026-11-30T00:59:00Z', 'in 59 minutes'],
    ['2026-11-30T00:00:30Z', 'in less than a minute'],
    ['2026-12-07T12:00:00Z', 'in 7 days'],
  ])('%s is %s', (to, expected) => expect(formatIn(from, new Date(to))).toBe(expected));
});

describe('asStatus', () => {
  it('accepts the status shape and refuses anything else', () => {
    expect(asStatus(status())).not.toBeNull();
    expect(asStatus({ error: 'status unavailable' })).toBeNull();
    expect(asStatus('<html>')).toBeNull();
    expect(asStatus(null)).toBeNull();
  });
});

describe('the shipped notice script', () => {
  it('is the bundle of notice/browser.ts as it is now (run `npm run build:notice` after changing it)', () => {
    expect(fs.readFileSync(NOTICE_BUNDLE, 'utf8') === buildNotice()).toBe(true);
  });
});
