import { nextRun, parseSchedule } from '../lambdas/shared/schedule';
import type { RestoreStatus, RunSummary } from '../lambdas/shared/status-contract';

/**
 * The text of the Django admin notice, from the status source's answer, or (when that is unreachable) from
 * the schedule the page was rendered with. A plain function of its inputs, tested in Node (test/notice) and
 * bundled into the admin script (notice/browser.ts).
 */
export interface NoticeInput {
  /** The status source's answer; null when it could not be reached or answered nonsense. */
  status: RestoreStatus | null;
  /** Rendered into the page by the Django template: used when the status source is down. */
  schedule: string;
  skipParameterName: string;
  now: Date;
}

export type NoticeLevel = 'warning' | 'error' | 'info';

export interface Notice {
  /** The Django admin message class: warning (a recreation is coming), error (last run failed), info. */
  level: NoticeLevel;
  /** One-word state for tests and styling: scheduled, skipped, failed, running, unknown, disabled, none. */
  state: 'scheduled' | 'skipped' | 'failed' | 'running' | 'unknown' | 'disabled' | 'none';
  /** Sentences, in order. */
  sentences: string[];
  /** Whether to end with the "how to skip" link. */
  showSkipHelp: boolean;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue 1 Dec 2026, 00:00 UTC" */
export function formatTime(d: Date): string {
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${formatDay(d)}, ${hh}:${mm} UTC`;
}

/** "Tue 1 Dec 2026" */
export function formatDay(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * "in 6 days", "in 5 hours", "in 12 minutes": whole units, rounded down, never "in 0 days" (the last day of
 * the month counts hours; the last hour, minutes).
 */
export function formatIn(from: Date, to: Date): string {
  const minutes = Math.floor((to.getTime() - from.getTime()) / 60_000);
  const plural = (n: number, unit: string) => `in ${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return plural(minutes, 'minute');
  if (minutes < 24 * 60) return plural(Math.floor(minutes / 60), 'hour');
  return plural(Math.floor(minutes / (24 * 60)), 'day');
}

export function noticeFor(input: NoticeInput): Notice {
  const { status, now } = input;
  const skipParameter = status?.skip.parameterName ?? input.skipParameterName;

  if (!status) return fromScheduleOnly(input, skipParameter);

  const sentences: string[] = [];
  if (status.running) {
    return {
      level: 'warning',
      state: 'running',
      sentences: [
        `The staging database is being recreated from production now (started ${formatTime(new Date(status.running.startedAt))}).`,
        'Staging may be unavailable for a few minutes, and changes made in staging now will be lost.',
      ],
      showSkipHelp: false,
    };
  }
  const failure = status.lastRun && describeFailure(status.lastRun);
  if (failure) sentences.push(failure);

  if (status.schedule.enabled === false || !status.nextRun) {
    sentences.push(
      status.schedule.enabled === false
        ? `Scheduled recreation of the staging database is turned off (the schedule ${status.schedule.expression} is disabled).`
        : 'No further recreation of the staging database is scheduled.',
    );
    return {
      level: failure ? 'error' : 'info',
      state: failure ? 'failed' : status.nextRun ? 'none' : 'disabled',
      sentences,
      showSkipHelp: false,
    };
  }

  const next = new Date(status.nextRun.at);
  const when = whenText(next, status.nextRun.exact, now);
  if (status.skip.on === true) {
    sentences.push(
      `The next scheduled recreation of the staging database from production (${when.short}) will be skipped: ` +
        `SSM parameter ${skipParameter} is true. Set it to false to let it run.`,
    );
    return { level: failure ? 'error' : 'info', state: failure ? 'failed' : 'skipped', sentences, showSkipHelp: false };
  }
  sentences.push(
    `Staging database will be recreated from production ${when.long}.`,
    'All changes made in staging will be lost.',
  );
  if (status.skip.on === null) {
    sentences.push(
      `The skip flag (SSM parameter ${skipParameter}) could not be read, so whether this run will be skipped is unknown.`,
    );
  }
  if (status.lastRestore) sentences.push(dataFrom(status.lastRestore));
  sentences.push(`To skip it: set SSM parameter ${skipParameter} to true`);
  return {
    level: failure ? 'error' : 'warning',
    state: failure ? 'failed' : 'scheduled',
    sentences,
    showSkipHelp: true,
  };
}

/** The status source is down: the date from the schedule rendered into the page, skip state unknown. */
function fromScheduleOnly(input: NoticeInput, skipParameter: string): Notice {
  let next: ReturnType<typeof nextRun> = null;
  try {
    next = nextRun(parseSchedule(input.schedule), input.now);
  } catch {
    next = null;
  }
  const sentences = next
    ? [
        `Staging database will be recreated from production ${whenText(next.at, next.exact, input.now).long}, according to its schedule.`,
        'All changes made in staging will be lost.',
      ]
    : ['Staging database is recreated from production on a schedule; all changes made in staging are then lost.'];
  sentences.push(
    'The restore status cannot be reached right now, so whether this run will be skipped is unknown.',
    `To skip it: set SSM parameter ${skipParameter} to true`,
  );
  return { level: 'warning', state: 'unknown', sentences, showSkipHelp: true };
}

function whenText(next: Date, exact: boolean, now: Date): { long: string; short: string } {
  const inText = formatIn(now, next);
  return exact
    ? { long: `on ${formatTime(next)} (${inText})`, short: `${formatTime(next)}, ${inText}` }
    : { long: `by ${formatTime(next)} at the latest (${inText})`, short: `by ${formatTime(next)}, ${inText}` };
}

function describeFailure(run: RunSummary): string | null {
  const at = formatTime(new Date(run.startedAt));
  const error = run.error ? ` (${run.error})` : '';
  switch (run.outcome) {
    case 'failed':
    case 'pending-redrive':
      return run.restored
        ? `The last recreation (${at}) replaced staging's data, but a step after it failed${error}.`
        : `The last recreation attempt (${at}) failed${error}.`;
    case 'timed-out':
      return `The last recreation attempt (${at}) timed out.`;
    case 'aborted':
      return `The last recreation attempt (${at}) was stopped before it finished.`;
    default:
      return null;
  }
}

function dataFrom(lastRestore: NonNullable<RestoreStatus['lastRestore']>): string {
  const restored = formatDay(new Date(lastRestore.at));
  return lastRestore.snapshotCreatedAt
    ? `Staging currently holds production's data of ${formatDay(new Date(lastRestore.snapshotCreatedAt))} (recreated ${restored}).`
    : `Staging was last recreated on ${restored}.`;
}

/** A light shape check of the status source's answer (the browser bundle carries no schema library). */
export function asStatus(json: unknown): RestoreStatus | null {
  const s = json as RestoreStatus;
  const ok =
    !!s &&
    typeof s === 'object' &&
    typeof s.schedule?.expression === 'string' &&
    typeof s.skip?.parameterName === 'string' &&
    (s.nextRun === null || typeof s.nextRun?.at === 'string') &&
    'lastRun' in s &&
    'running' in s;
  return ok ? s : null;
}
