import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import { nextRun, parseSchedule, ScheduleError } from '../../lambdas/shared/schedule';

const DEFAULT = 'cron(0 0 1 * ? *)';
const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string, anchor?: string) =>
  nextRun(expression, at(after), anchor ? at(anchor) : undefined)?.at.toISOString() ?? null;

describe('nextRun: the default schedule (1st of the month, 00:00 UTC)', () => {
  it.each([
    ['mid-month', '2026-11-25T09:30:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['the last day of a 30-day month, in the evening', '2026-11-30T19:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['the last day of a 31-day month, one second before', '2026-10-31T23:59:59.000Z', '2026-11-01T00:00:00.000Z'],
    ['one millisecond before the run', '2026-11-30T23:59:59.999Z', '2026-12-01T00:00:00.000Z'],
    ['the last minute of the year', '2026-12-31T23:59:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['28 February of a common year', '2027-02-28T12:00:00.000Z', '2027-03-01T00:00:00.000Z'],
    ['28 February of a leap year (29 follows)', '2028-02-28T12:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['29 February of a leap year', '2028-02-29T23:00:00.000Z', '2028-03-01T00:00:00.000Z'],
  ])('on %s', (_case, after, expected) => {
    expect(next(DEFAULT, after)).toBe(expected);
  });

  it('while a run is in progress (it started at the scheduled instant), the next run is the following month', () => {
    expect(next(DEFAULT, '2026-12-01T00:00:00.000Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next(DEFAULT, '2026-12-01T00:42:00.000Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('is exact', () => {
    expect(nextRun(DEFAULT, at('2026-11-25T00:00:00Z'))).toEqual({ at: at('2026-12-01T00:00:00Z'), exact: true });
  });
});

describe('nextRun: custom cron schedules', () => {
  it.each([
    // [expression, after, expected, why]
    ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z', 'the next 29 February'],
    ['cron(0 0 29 2 ? *)', '2097-03-01T00:00:00Z', '2104-02-29T00:00:00.000Z', '2100 is not a leap year'],
    ['cron(0 0 L * ? *)', '2028-02-01T00:00:00Z', '2028-02-29T00:00:00.000Z', 'last day, leap February'],
    ['cron(0 0 L * ? *)', '2027-02-01T00:00:00Z', '2027-02-28T00:00:00.000Z', 'last day, common February'],
    ['cron(0 0 L * ? *)', '2026-04-30T00:00:00Z', '2026-05-31T00:00:00.000Z', 'last day of a 31-day month'],
    ['cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z', '2026-05-31T00:00:00.000Z', 'months without a 31st skipped'],
    ['cron(0 0 ? * MON#1 *)', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00.000Z', 'first Monday (named)'],
    ['cron(0 0 ? * 2#1 *)', '2026-01-06T00:00:00Z', '2026-02-02T00:00:00.000Z', 'first Monday (2 = MON)'],
    ['cron(0 3 ? * 6L *)', '2026-01-01T00:00:00Z', '2026-01-30T03:00:00.000Z', 'last Friday of the month'],
    ['cron(0 0 ? * L *)', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00.000Z', '"L" alone is Saturday'],
    ['cron(0 0 ? * SUN *)', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z', 'SUN is 1, not 0'],
    ['cron(0 0 15W * ? *)', '2026-02-01T00:00:00Z', '2026-02-16T00:00:00.000Z', '15 Feb 2026 is a Sunday'],
    ['cron(0 0 1W * ? *)', '2026-08-01T00:00:00Z', '2026-08-03T00:00:00.000Z', '1 Aug 2026 is a Saturday'],
    ['cron(0/15 * * * ? *)', '2026-01-01T10:07:00Z', '2026-01-01T10:15:00.000Z', 'every 15 minutes'],
    ['cron(5/20 * * * ? *)', '2026-01-01T10:46:00Z', '2026-01-01T11:05:00.000Z', '"a/s" starts at a'],
    ['cron(30 22 ? * MON-FRI *)', '2026-01-02T23:00:00Z', '2026-01-05T22:30:00.000Z', 'weekdays skip the weekend'],
    ['cron(0 0 ? * FRI-MON *)', '2026-01-06T00:00:00Z', '2026-01-09T00:00:00.000Z', 'a range that wraps'],
    ['cron(0 0 1 NOV-FEB ? *)', '2026-03-05T00:00:00Z', '2026-11-01T00:00:00.000Z', 'months that wrap'],
    ['cron(0 0 1 JAN,JUL ? *)', '2026-01-02T00:00:00Z', '2026-07-01T00:00:00.000Z', 'named months'],
    ['cron(0 0 1 * ? 2027-2028)', '2026-05-05T00:00:00Z', '2027-01-01T00:00:00.000Z', 'a year range ahead'],
  ])('%s after %s is %s (%s)', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('returns null when the year field leaves no run', () => {
    expect(nextRun('cron(0 0 1 * ? 2020)', at('2026-01-01T00:00:00Z'))).toBeNull();
    expect(next('cron(0 0 1 * ? 2027-2028)', '2028-12-01T00:00:00Z')).toBeNull();
  });
});

describe('nextRun: rate schedules', () => {
  it('counts whole periods from the anchor (a run the rule started)', () => {
    expect(nextRun('rate(7 days)', at('2026-01-20T10:00:00Z'), at('2026-01-01T06:00:00Z'))).toEqual({
      at: at('2026-01-22T06:00:00Z'),
      exact: true,
    });
    expect(next('rate(1 hour)', '2026-01-01T10:00:00.000Z', '2026-01-01T09:00:00.000Z')).toBe(
      '2026-01-01T11:00:00.000Z',
    );
    expect(next('rate(30 minutes)', '2026-01-01T10:10:00Z', '2026-01-01T10:00:00Z')).toBe('2026-01-01T10:30:00.000Z');
  });

  it('without an anchor, says the run is at most one period away (not exact)', () => {
    expect(nextRun('rate(30 days)', at('2026-01-01T00:00:00Z'))).toEqual({
      at: at('2026-01-31T00:00:00Z'),
      exact: false,
    });
  });
});

describe('parseSchedule: errors name the problem', () => {
  it.each([
    ['every month', /neither cron/],
    ['cron(0 0 1 * *)', /6 fields/],
    ['cron(0 0 1 * MON *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 0 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(61 0 1 * ? *)', /61 .* outside 0-59/],
    ['cron(0 0 1 FOO ? *)', /not a valid cron field/],
    ['rate(0 days)', /at least 1/],
  ])('%s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(ScheduleError);
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('parseSchedule: as strict as the config check at synth (which uses it)', () => {
  it.each([
    ['cron(0 24 1 * ? *)', /^"cron\(0 24 1 \* \? \*\)": hours value 24 is outside 0-23$/],
    ['cron(1,61 0 1 * ? *)', /minutes value 61 in "1,61" is outside 0-59/],
    ['cron(0 0 1 JANUARY ? *)', /month "JANUARY" is not a valid cron field/],
    ['cron(0 0 ? * FUNDAY *)', /day-of-week "FUNDAY" is not a valid cron field/],
    ['cron(0 0 1 * ? 1969)', /year value 1969 is outside 1970-2199/],
    ['cron(0 0 0W * ? *)', /day-of-month value 0W is outside 1-31/],
    ['cron(0 0 32W * ? *)', /day-of-month value 32W is outside 1-31/],
    ['cron(0 0 1 * ?)', /6 fields .*, got 5/],
    ['rate(1 days)', /write "rate\(1 day\)" for a rate of 1/],
    ['rate(2 hour)', /the plural for more, as in "rate\(2 hours\)"/],
    ['rate(30)', /^"rate\(30\)" is neither cron/],
    ['', /^"" is neither cron/],
  ])('%s: %s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(ScheduleError);
    expect(() => parseSchedule(expression)).toThrow(message);
  });

  it.each([
    ['space before', ' rate(1 day)'],
    ['space inside the parentheses', 'rate( 1 day )'],
    ['two spaces in a rate', 'rate(1  day)'],
    ['space after', 'cron(0 0 1 * ? *) '],
    ['lower-case L in day-of-month', 'cron(0 0 l * ? *)'],
    ['lower-case W', 'cron(0 0 15w * ? *)'],
    ['lower-case L alone in day-of-week', 'cron(0 0 ? * l *)'],
  ])('refuses %s (%j)', (_why, expression) => {
    expect(() => parseSchedule(expression)).toThrow(ScheduleError);
  });

  it.each(['cron(0 0 ? * 6l *)', 'cron(0 0 ? * mon#1 *)', 'cron(0 0 1 jan-mar ? *)', 'cron(0 0 ? * fri-mon *)'])(
    'accepts %s (names and the xL / x#n forms in any case)',
    (expression) => {
      expect(parseSchedule(expression).kind).toBe('cron');
    },
  );
});

/**
 * Property: for cron expressions built from plain fields (values, ranges, steps, lists), nextRun agrees with
 * a brute-force reference that walks forward day by day and minute by minute. The reference below shares no
 * code with the implementation (croner plus translation).
 */
describe('nextRun agrees with a brute-force walk for generated expressions', () => {
  const part = (min: number, max: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
        .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((s) => `*/${s}`),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }))
        .map(([a, s]) => `${a}/${s}`),
    );
  const list = (min: number, max: number) =>
    fc.array(part(min, max), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(','));
  const expression = fc
    .tuple(list(0, 59), list(0, 23), list(1, 28), list(1, 12), list(1, 7), fc.boolean())
    .map(([m, h, dom, mon, dow, byDay]) =>
      byDay ? `cron(${m} ${h} ${dom} ${mon} ? *)` : `cron(${m} ${h} ? ${mon} ${dow} *)`,
    );
  const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms));

  function values(spec: string, min: number, max: number): Set<number> {
    const out = new Set<number>();
    for (const p of spec.split(',')) {
      const [range, stepText] = p.split('/');
      const step = stepText ? Number(stepText) : 1;
      const [from, to] =
        range === '*'
          ? [min, max]
          : range!.includes('-')
            ? range!.split('-').map(Number)
            : [Number(range), stepText ? max : Number(range)];
      for (let v = from!; v <= to!; v += step) out.add(v);
    }
    return out;
  }

  function reference(expr: string, after: Date): Date | null {
    const [m, h, dom, mon, dow] = /^cron\((.*)\)$/.exec(expr)![1]!.split(' ') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const minutes = [...values(m, 0, 59)].sort((a, b) => a - b);
    const hours = [...values(h, 0, 23)].sort((a, b) => a - b);
    const doms = dom === '?' ? null : values(dom, 1, 31);
    const dows = dow === '?' ? null : values(dow, 1, 7);
    const months = values(mon, 1, 12);
    const day = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate()));
    for (let i = 0; i < 366 * 3; i++, day.setUTCDate(day.getUTCDate() + 1)) {
      if (!months.has(day.getUTCMonth() + 1)) continue;
      if (doms && !doms.has(day.getUTCDate())) continue;
      if (dows && !dows.has(day.getUTCDay() + 1)) continue;
      for (const hour of hours) {
        for (const minute of minutes) {
          const t = new Date(day.getTime() + hour * 3_600_000 + minute * 60_000);
          if (t.getTime() > after.getTime()) return t;
        }
      }
    }
    return null;
  }

  it('for 300 random (expression, instant) pairs, each accepted by the config validator', () => {
    fc.assert(
      fc.property(expression, instant, (expr, after) => {
        expect(loadConfig({ schedule: expr }).schedule).toBe(expr);
        expect(nextRun(expr, after)?.at.toISOString() ?? null).toBe(reference(expr, after)?.toISOString() ?? null);
      }),
      { numRuns: 300 },
    );
  });
});
