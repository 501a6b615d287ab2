import type { Clock } from '../../lambdas/shared/clock';
import { INDEX_ERRORS } from '../../lambdas/update-index/errors';
import {
  type CheckResult,
  indexSuffix,
  makeHandler,
  resolveSinceDate,
  type StartResult,
} from '../../lambdas/update-index/update-index';
import { IngestionServer } from '../../offline/doubles/ingestion-server';

const T0 = new Date('2024-06-03T10:00:00.000Z');

function fakeClock(start = T0): Clock & { advance(seconds: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (s) => (now += s * 1000) };
}

let server: IngestionServer;
let clock: ReturnType<typeof fakeClock>;
let handler: (event: unknown) => Promise<unknown>;

beforeEach(async () => {
  server = await new IngestionServer().start();
  clock = fakeClock();
  handler = makeHandler({ fetch: globalThis.fetch, clock });
});
afterEach(async () => {
  await server.stop();
});

const start = (extra: Record<string, unknown> = {}) =>
  handler({
    action: 'start',
    baseUrl: server.url,
    mediaTypes: ['image', 'audio'],
    defaultSinceDate: '2024-01-01',
    ...extra,
  }) as Promise<StartResult>;

const check = (prev: { tasks: unknown; startedAt: string }, extra: Record<string, unknown> = {}) =>
  handler({
    action: 'check',
    baseUrl: server.url,
    tasks: prev.tasks,
    startedAt: prev.startedAt,
    maxSeconds: 3600,
    pollSeconds: 60,
    ...extra,
  }) as Promise<CheckResult>;

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

test('image + audio: stats, posts exact UPDATE_INDEX bodies, polls to success', async () => {
  server.media = {
    image: { index: 'image-5bb9d1cf', progress: [10, 60, 100] },
    audio: { index: 'audio-init-xyz', progress: [100] },
  };
  const started = await start({ sinceDate: '2024-05-20' });
  expect(started).toEqual({
    sinceDate: '2024-05-20',
    sinceDateSource: 'input',
    startedAt: T0.toISOString(),
    tasks: [
      {
        mediaType: 'image',
        status: 'started',
        index: 'image-5bb9d1cf',
        indexSuffix: '5bb9d1cf',
        taskId: 'task-1-image',
      },
      {
        mediaType: 'audio',
        status: 'started',
        index: 'audio-init-xyz',
        indexSuffix: 'init-xyz',
        taskId: 'task-2-audio',
      },
    ],
  });
  expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    'GET /stat/image 200',
    'POST /task 202',
    'GET /stat/audio 200',
    'POST /task 202',
  ]);
  expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
    { model: 'image', action: 'UPDATE_INDEX', index_suffix: '5bb9d1cf', since_date: '2024-05-20' },
    { model: 'audio', action: 'UPDATE_INDEX', index_suffix: 'init-xyz', since_date: '2024-05-20' },
  ]);
  for (const r of server.requests.filter((x) => x.method === 'POST')) {
    expect(r.headers['content-type']).toBe('application/json');
  }

  clock.advance(60);
  const first = await check(started);
  expect(first.done).toBe(false);
  expect(first.startedAt).toBe(T0.toISOString());
  expect(first.nextPollSeconds).toBe(60);
  expect(first.tasks.map((t) => [t.mediaType, t.status, 'progress' in t ? t.progress : null])).toEqual([
    ['image', 'running', 10],
    ['audio', 'succeeded', 100],
  ]);

  clock.advance(60);
  const second = await check(first);
  expect(second.tasks.map((t) => [t.status, 'progress' in t ? t.progress : null])).toEqual([
    ['running', 60],
    ['succeeded', 100],
  ]);

  clock.advance(60);
  const pollsBefore = server.requests.filter((r) => r.path === '/task/task-2-audio').length;
  const third = await check(second);
  expect(third.done).toBe(true);
  expect(third.tasks.every((t) => t.status === 'succeeded')).toBe(true);
  // A task already seen succeeded is not polled again.
  expect(server.requests.filter((r) => r.path === '/task/task-2-audio')).toHaveLength(pollsBefore);
  expect(server.problems).toEqual([]);
});

test.each([
  ['image-5bb9d1cf', '5bb9d1cf'],
  ['image-init-xyz', 'init-xyz'],
  ['audio-a-b-c', 'a-b-c'],
  ['image-2024-06-03', '2024-06-03'],
])('suffix of %s is %s', (index, suffix) => {
  expect(indexSuffix(index)).toBe(suffix);
});

test.each(['image', 'image-'])('an index name without a suffix (%s) is refused', (index) => {
  expect(() => indexSuffix(index)).toThrow(expect.objectContaining({ name: INDEX_ERRORS.updateFailed }));
});

describe('since date', () => {
  const base = { defaultSinceDate: '2024-01-01' };
  test.each([
    [{ sinceDate: '2024-05-20', lastRestore: '{"at":"2024-05-01T02:00:00Z"}' }, '2024-05-20', 'input'],
    [{ lastRestore: '{"at":"2024-05-01T02:00:00Z","snapshot":"rds:prod-2024-05-01"}' }, '2024-05-01', 'last-restore'],
    [{ lastRestore: '{"at":"2024-05-01T23:30:00.123-02:00"}' }, '2024-05-02', 'last-restore'],
    [{ lastRestore: 'not json' }, '2024-01-01', 'default'],
    [{ lastRestore: '{"at":"yesterday"}' }, '2024-01-01', 'default'],
    [{ lastRestore: '{"at":"2024-02-30T00:00:00Z"}' }, '2024-01-01', 'default'],
    [{ lastRestore: '{"when":"2024-05-01T02:00:00Z"}' }, '2024-01-01', 'default'],
    [{ lastRestore: 'null' }, '2024-01-01', 'default'],
    [{ lastRestore: '' }, '2024-01-01', 'default'],
    [{}, '2024-01-01', 'default'],
  ])('%j → %s (%s)', (input, sinceDate, source) => {
    expect(resolveSinceDate({ ...base, ...input })).toEqual({ sinceDate, sinceDateSource: source });
  });

  test('the chosen date is what the server receives', async () => {
    server.media = { image: { index: 'image-abc' }, audio: { index: 'audio-def' } };
    server.expectSinceDate = '2024-05-01';
    const out = await start({ lastRestore: JSON.stringify({ at: '2024-05-01T02:00:00.000Z' }) });
    expect(out.sinceDateSource).toBe('last-restore');
    expect(server.problems).toEqual([]);

    server.expectSinceDate = '2024-01-01';
    const fallback = await start({ lastRestore: '{garbage' });
    expect(fallback).toMatchObject({ sinceDate: '2024-01-01', sinceDateSource: 'default' });
    expect(server.problems).toEqual([]);
  });

  test('an invalid explicit sinceDate is rejected before any request', async () => {
    const err = await rejection(start({ sinceDate: '2024-13-01' }));
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toMatch(/sinceDate/);
    expect(server.requests).toEqual([]);
  });
});

test('a missing index is skipped, the others still updated', async () => {
  server.media = { image: { index: 'image-abc', progress: [100] }, audio: {} };
  const started = await start();
  expect(started.tasks).toEqual([
    { mediaType: 'image', status: 'started', index: 'image-abc', indexSuffix: 'abc', taskId: 'task-1-image' },
    { mediaType: 'audio', status: 'skipped', reason: expect.stringContaining('audio') },
  ]);
  expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  const checked = await check(started);
  expect(checked.done).toBe(true);
  expect(checked.tasks[1]).toEqual(started.tasks[1]);
  expect(server.problems).toEqual([]);
});

test('all indices missing: nothing started, first check is done', async () => {
  server.media = { image: {}, audio: {} };
  const started = await start();
  expect(started.tasks.every((t) => t.status === 'skipped')).toBe(true);
  await expect(check(started)).resolves.toMatchObject({ done: true });
  expect(server.requests.filter((r) => r.path.startsWith('/task'))).toEqual([]);
});

test('a task reporting error fails with IndexUpdateFailed naming media type and task', async () => {
  server.media = {
    image: { index: 'image-abc', progress: [100] },
    audio: { index: 'audio-def', progress: [5, 40], error: true },
  };
  const started = await start();
  const first = await check(started);
  expect(first.done).toBe(false);
  const err = await rejection(check(first));
  expect(err.name).toBe(INDEX_ERRORS.updateFailed);
  expect(err.message).toContain('audio');
  expect(err.message).toContain('task-2-audio');
});

test('server down (closed port) → IngestionServerUnavailable naming the URL and cause', async () => {
  const url = await IngestionServer.closedPort();
  const err = await rejection(
    handler({ action: 'start', baseUrl: url, mediaTypes: ['image'], defaultSinceDate: '2024-01-01' }),
  );
  expect(err.name).toBe(INDEX_ERRORS.unavailable);
  expect(err.message).toContain(`${url}/stat/image`);
  expect(err.message).toContain('ECONNREFUSED');
});

test('5xx → IngestionServerUnavailable with status and body excerpt', async () => {
  server.media = { image: { failWith: 500 }, audio: { index: 'audio-def' } };
  const err = await rejection(start());
  expect(err.name).toBe(INDEX_ERRORS.unavailable);
  expect(err.message).toContain('500');
  expect(err.message).toContain('stat exploded');
});

test('4xx → IndexUpdateFailed with status and body excerpt', async () => {
  server.media = { image: { failWith: 403 }, audio: {} };
  const err = await rejection(start());
  expect(err.name).toBe(INDEX_ERRORS.updateFailed);
  expect(err.message).toContain('403');
});

test('an unknown task id on check (404) → IndexUpdateFailed', async () => {
  server.media = { image: {} };
  const err = await rejection(
    check({
      startedAt: T0.toISOString(),
      tasks: [{ mediaType: 'image', status: 'started', index: 'image-a', indexSuffix: 'a', taskId: 'gone' }],
    }),
  );
  expect(err.name).toBe(INDEX_ERRORS.updateFailed);
  expect(err.message).toContain('404');
});

test.each([
  [{ exists: true, is_alias: true, alt_names: 42 }, 'alt_names'],
  [{ exists: true, is_alias: true, alt_names: [] }, 'alt_names'],
  [{ exists: 'yes' }, 'exists'],
  [{ exists: true, alt_names: ['image-abc'] }, 'is_alias'],
])('malformed stat %j → IndexUpdateFailed naming %s', async (statBody, field) => {
  server.media = { image: { statBody }, audio: {} };
  const err = await rejection(start());
  expect(err.name).toBe(INDEX_ERRORS.updateFailed);
  expect(err.message).toContain(`field ${field}`);
  expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
});

test('a concrete index (not an alias) is refused', async () => {
  server.media = { image: { statBody: { exists: true, is_alias: false, alt_names: ['image'] } }, audio: {} };
  const err = await rejection(start());
  expect(err.name).toBe(INDEX_ERRORS.updateFailed);
  expect(err.message).toContain('alias');
});

test('bound exceeded while still running → WaitTimedOut; within the bound → keeps polling', async () => {
  server.media = { image: { index: 'image-abc', progress: [1, 2, 3, 4, 100] }, audio: {} };
  const started = await start();
  clock.advance(3599);
  const inBound = await check(started);
  expect(inBound).toMatchObject({ done: false, tasks: [{ status: 'running', progress: 1 }, { status: 'skipped' }] });
  clock.advance(1);
  const err = await rejection(check(inBound));
  expect(err.name).toBe('WaitTimedOut');
  expect(err.message).toContain('image');
});

test('finishing on the poll that reaches the bound is success, not a timeout', async () => {
  server.media = { image: { index: 'image-abc', progress: [100] }, audio: {} };
  const started = await start();
  clock.advance(7200);
  await expect(check(started)).resolves.toMatchObject({ done: true });
});

test('check rejects a malformed task list before any request', async () => {
  const err = await rejection(
    check({ startedAt: T0.toISOString(), tasks: [{ mediaType: 'image', status: 'started' }] }),
  );
  expect(err.name).toBe('InvalidInput');
  expect(server.requests).toEqual([]);
});

test('every request carries a timeout signal; a timeout → IngestionServerUnavailable', async () => {
  const signals: unknown[] = [];
  const timingOut: typeof fetch = async (_url, init) => {
    signals.push(init?.signal);
    throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  };
  const h = makeHandler({ fetch: timingOut, clock });
  const err = await rejection(
    h({
      action: 'start',
      baseUrl: 'http://ingestion.invalid:8001/',
      mediaTypes: ['image'],
      defaultSinceDate: '2024-01-01',
    }),
  );
  expect(err.name).toBe(INDEX_ERRORS.unavailable);
  expect(err.message).toContain('http://ingestion.invalid:8001/stat/image');
  expect(err.message).toContain('no answer within 10 s');
  expect(signals).toHaveLength(1);
  expect(signals[0]).toBeInstanceOf(AbortSignal);
});

test('without an injected fetch the global one is used', async () => {
  server.media = { image: { index: 'image-abc', progress: [100] } };
  const h = makeHandler({ clock });
  await expect(
    h({ action: 'start', baseUrl: server.url, mediaTypes: ['image'], defaultSinceDate: '2024-01-01' }),
  ).resolves.toMatchObject({ tasks: [{ status: 'started', taskId: 'task-1-image' }] });
});
