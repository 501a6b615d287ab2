import { Cron } from 'croner';

/**
 * When will the schedule start the restore next? One function for the status Lambda, the operator CLI and
 * the Django notice's fallback (bundled into its script), so all three agree.
 *
 * EventBridge schedules are UTC and come in two forms:
 * - `cron(minutes hours day-of-month month day-of-week year)`, Quartz-style: day-of-week 1-7 is SUN-SAT,
 *   exactly one of the day fields is `?`, `L` (last day of the month; alone in day-of-week: Saturday),
 *   `nW` (weekday nearest the nth, within the month), `xL` (last weekday x of the month), `x#n` (nth weekday
 *   x), `a/s` (from a, every s). Evaluated by croner (Quartz weekdays, 7 fields with seconds fixed at 0,
 *   day fields ANDed, which is what `?` in one of them means) after translating the parts croner spells
 *   differently.
 * - `rate(N minutes|hours|days)` (`rate(1 minute|hour|day)` for 1): counted from when the rule was created,
 *   which no API returns. Given an anchor (a run the rule started), the next run is exact; without one it is
 *   at most one period away.
 */

/** The next run, or null when the schedule has no run left (a cron whose year field is all in the past). */
export interface NextRun {
  at: Date;
  /** false for a rate schedule without an anchor: `at` is then the latest the next run can be. */
  exact: boolean;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** A bad cron field; parseSchedule adds the expression. */
class FieldError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export type Schedule =
  { kind: 'cron'; expression: string; cron: Cron } | { kind: 'rate'; expression: string; periodMs: number };

/**
 * Parses an EventBridge schedule expression; throws ScheduleError naming what is wrong. The config check at
 * synth uses it too (a typo fails synth, not the first deploy), so it is strict: no space around the
 * parentheses, one space in a rate, the singular unit for a rate of 1, upper-case `L` and `W`, every value
 * within its field's range.
 */
export function parseSchedule(expression: string): Schedule {
  const fail = (problem: string) => new ScheduleError(`${JSON.stringify(expression)}: ${problem}`);
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    if (n < 1) throw fail('a rate must be at least 1');
    if ((n === 1) !== (unit === rate[2])) {
      throw fail(`write "rate(1 ${unit})" for a rate of 1 and the plural for more, as in "rate(2 ${unit}s)"`);
    }
    return { kind: 'rate', expression, periodMs: n * UNIT_MS[unit] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw new ScheduleError(`${JSON.stringify(expression)} is neither cron(...) nor rate(...)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw fail(`cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw fail('exactly one of day-of-month and day-of-week must be "?"');
  let pattern: string;
  try {
    pattern = [
      '0',
      field('minutes', minutes, 0, 59),
      field('hours', hours, 0, 23),
      dom === '?' ? '*' : dayOfMonth(dom),
      field('month', month, 1, 12, MONTHS),
      dow === '?' ? '*' : dayOfWeek(dow),
      year === '*' ? '*' : field('year', year, 1970, 2199),
    ].join(' ');
  } catch (err) {
    if (err instanceof FieldError) throw fail(err.message);
    throw err;
  }
  try {
    const parsed = new Cron(pattern, {
      mode: '7-part',
      alternativeWeekdays: true,
      domAndDow: true,
      timezone: 'UTC',
      paused: true,
    });
    return { kind: 'cron', expression, cron: parsed };
  } catch (err) {
    throw fail((err as Error).message);
  }
}

/**
 * The first run strictly after `after` (a run starting at `after` itself is the one in progress, not the
 * next). `anchor` is when the rule last started a run; only rate schedules need it.
 */
export function nextRun(expression: string | Schedule, after: Date, anchor?: Date): NextRun | null {
  const schedule = typeof expression === 'string' ? parseSchedule(expression) : expression;
  if (schedule.kind === 'rate') {
    if (!anchor || anchor.getTime() > after.getTime()) {
      return { at: new Date(after.getTime() + schedule.periodMs), exact: false };
    }
    const periods = Math.floor((after.getTime() - anchor.getTime()) / schedule.periodMs) + 1;
    return { at: new Date(anchor.getTime() + periods * schedule.periodMs), exact: true };
  }
  // croner counts from the start of the next second; a run at exactly `after` is not the next one.
  const at = schedule.cron.nextRun(after);
  return at ? { at, exact: true } : null;
}

/** One cron field (`*`, `N`, `a-b`, each optionally `/step`, comma-separated), in the form croner reads. */
function field(name: string, value: string, min: number, max: number, names: string[] = []): string {
  const invalid = () => new FieldError(`${name} "${value}" is not a valid cron field`);
  const num = (s: string): number => {
    const named = names.indexOf(s.toUpperCase());
    if (named >= 0) return named + min;
    if (!/^\d+$/.test(s)) throw invalid();
    const n = Number(s);
    if (n < min || n > max) {
      throw new FieldError(`${name} value ${n}${s === value ? '' : ` in "${value}"`} is outside ${min}-${max}`);
    }
    return n;
  };
  return value
    .split(',')
    .map((part) => {
      const [range, step, ...rest] = part.split('/');
      if (rest.length || !range || (step !== undefined && !/^[1-9]\d*$/.test(step))) throw invalid();
      const suffix = step === undefined ? '' : `/${step}`;
      if (range === '*') return `*${suffix}`;
      const [from, to, ...more] = range.split('-');
      if (more.length) throw invalid();
      const a = num(from!);
      // `a/s` is "from a, every s" (croner only takes `*/s` or `a-b/s`).
      if (to === undefined) return step === undefined ? `${a}` : `${a}-${max}${suffix}`;
      const b = num(to);
      if (a <= b) return `${a}-${b}${suffix}`;
      // A range that wraps (FRI-MON, NOV-FEB): the values from a up, then from min, stepping across the wrap.
      const values: number[] = [];
      const size = max - min + 1;
      for (let i = 0; i <= b + size - a; i += step === undefined ? 1 : Number(step)) {
        values.push(a + i > max ? a + i - size : a + i);
      }
      return values.join(',');
    })
    .join(',');
}

/** Day-of-month: plain fields, `L` (the last day of the month), `nW` (the weekday nearest the nth). */
function dayOfMonth(value: string): string {
  if (value === 'L') return 'L';
  const nearest = /^(\d{1,2})W$/.exec(value);
  if (!nearest) return field('day-of-month', value, 1, 31);
  const day = Number(nearest[1]);
  if (day < 1 || day > 31) throw new FieldError(`day-of-month value ${value} is outside 1-31`);
  return `${day}W`;
}

/** Day-of-week, 1-7 = SUN-SAT: plain fields, `L` (Saturday, the last day of the week), `xL`, `x#n`. */
function dayOfWeek(value: string): string {
  if (value === 'L') return '7';
  const special = /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$/i.exec(value);
  if (special) {
    const day = /^\d$/.test(special[1]!) ? Number(special[1]) : DAYS.indexOf(special[1]!.toUpperCase()) + 1;
    return `${day}${special[2]!.toUpperCase()}`;
  }
  return field('day-of-week', value, 1, 7, DAYS);
}
