import type { Clock } from '../../lambdas/shared/clock';
import {
  checkDeploy,
  type CheckResult,
  type DeployConfig,
  type DeployDeps,
  dispatchDeploy,
  type DispatchResult,
  latestImageTag,
  makeHandler,
} from '../../lambdas/deploy-api/deploy-api';
import { githubClient, parseGitHubToken } from '../../lambdas/deploy-api/github';
import { GitHubServer, type RunState } from '../../offline/doubles/github-server';

const TOKEN = 'ghp_Zx81TestTokenQwErTy0123456789aBcDeF';
const SECRET = JSON.stringify({ token: TOKEN });
const START = new Date('2025-06-01T03:00:00.000Z');
const CONFIG: DeployConfig = {
  owner: 'WordPress',
  repo: 'openverse',
  packageOrg: 'WordPress',
  packageName: 'openverse-api',
  workflowFile: 'deploy-staging-api.yml',
  ref: 'main',
  runName: 'staging-db-restore 2025-06-01 exec-7f3a',
};
const REPO = { owner: CONFIG.owner, repo: CONFIG.repo };
const VERSIONS = [
  { id: 101, created_at: '2025-05-30T10:00:00Z', tags: ['rel-2025.05.30.0', 'c0ffee1'] },
  { id: 102, created_at: '2025-05-31T09:00:00Z', tags: ['d00d1e5', 'latest'] },
  { id: 103, created_at: '2025-05-31T18:00:00Z', tags: [] },
  { id: 104, created_at: '2025-05-31T17:00:00Z', tags: ['e1e1e1e'] },
];

/** Everything the code under test returned or threw, searched for the token at the end. */
const outputs: unknown[] = [];

let server: GitHubServer;
let now: Date;
let sleeps: number[];
let secretReads: number;
let deps: DeployDeps;

const clock: Clock = { now: () => now };

function makeDeps(secret = SECRET): DeployDeps {
  return {
    octokit: githubClient({
      readSecret: async () => {
        secretReads += 1;
        return secret;
      },
      baseUrl: server.url,
    }),
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      now = new Date(now.getTime() + ms);
    },
    runLookup: { attempts: 5, intervalMs: 3000 },
  };
}

async function capture<T>(promise: Promise<T>): Promise<unknown> {
  try {
    outputs.push(await promise);
  } catch (err) {
    outputs.push(err);
    return err;
  }
  throw new Error('expected a rejection');
}

async function run<T>(promise: Promise<T>): Promise<T> {
  const result = await promise;
  outputs.push(result);
  return result;
}

beforeEach(async () => {
  now = new Date(START);
  sleeps = [];
  secretReads = 0;
  server = await new GitHubServer({ token: TOKEN, now: () => now }).start();
  server.versions = [...VERSIONS];
  deps = makeDeps();
});

afterEach(async () => {
  const problems = [...server.problems];
  await server.stop();
  expect(problems).toEqual([]);
});

describe('latestImageTag', () => {
  it('reads every page, with the token, and picks the newest release tag wherever it is', async () => {
    server = await (async () => {
      await server.stop();
      return new GitHubServer({ token: TOKEN, maxPerPage: 2, now: () => now }).start();
    })();
    server.versions = [
      ...Array.from({ length: 6 }, (_, i) => ({
        id: 200 + i,
        created_at: `2025-04-0${i + 1}T00:00:00Z`,
        tags: [`old${i}sha`],
      })),
      { id: 300, created_at: '2025-04-20T00:00:00Z', tags: ['rel-2025.04.20.0'] },
      { id: 301, created_at: '2025-05-01T00:00:00Z', tags: ['f00ba47', 'latest'] },
    ];
    const tag = await latestImageTag(await makeDeps().octokit(), CONFIG);
    expect(tag).toBe('f00ba47');

    const lists = server.requestsTo('GET', /^\/orgs\/WordPress\/packages\/container\/openverse-api\/versions$/);
    expect(lists.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3', '4']);
    expect(lists.every((r) => r.query.per_page === '100')).toBe(true);
    expect(lists.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('honours a configured tagPattern', async () => {
    expect(await latestImageTag(await deps.octokit(), { ...CONFIG, tagPattern: '^rel-' })).toBe('rel-2025.05.30.0');
  });

  it('a wrong token is a GitHubApiError with the status, not the token', async () => {
    const err = await capture(latestImageTag(await makeDeps('ghp_wrongTokenZZZ999').octokit(), CONFIG));
    expect(err).toMatchObject({ name: 'GitHubApiError', status: 401 });
    expect((err as Error).message).toMatch(/HTTP 401: Bad credentials/);
    expect((err as Error).message).not.toContain('ghp_wrongTokenZZZ999');
  });
});

describe('dispatchDeploy', () => {
  it('dispatches exactly {ref, inputs: {tag, run_name}} with the token, and finds the run on the 3rd listing', async () => {
    // Other runs in the window: someone's manual deployment, and an older execution on another branch.
    server.addRun({ display_title: 'Deployment: staging-api', created_at: '2025-06-01T03:00:05Z' });
    server.addRun({ display_title: CONFIG.runName, created_at: '2025-06-01T02:59:30Z', head_branch: 'hotfix' });
    server.runAppearsOnListing = 3;

    const result = await run(dispatchDeploy(CONFIG, deps));

    const [runId] = server.dispatchedRunIds();
    expect(result).toEqual<DispatchResult>({
      tag: 'd00d1e5',
      runId: runId!,
      runUrl: `https://github.com/WordPress/openverse/actions/runs/${runId}`,
      dispatchedAt: START.toISOString(),
    });

    const [dispatch, ...more] = server.requestsTo('POST', /\/dispatches$/);
    expect(more).toEqual([]);
    expect(dispatch!.path).toBe('/repos/WordPress/openverse/actions/workflows/deploy-staging-api.yml/dispatches');
    expect(dispatch!.body).toEqual({ ref: 'main', inputs: { tag: 'd00d1e5', run_name: CONFIG.runName } });
    expect(dispatch!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(dispatch!.status).toBe(204);

    const listings = server.requestsTo('GET', /\/actions\/workflows\/deploy-staging-api\.yml\/runs$/);
    expect(listings).toHaveLength(3);
    for (const l of listings) {
      expect(l.query).toMatchObject({ event: 'workflow_dispatch', branch: 'main', created: '>=2025-06-01T02:59:00Z' });
    }
    expect(sleeps).toEqual([3000, 3000]);
    // The dispatch happens after the tag lookup and before any listing.
    const order = server.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(order).toEqual(['GET versions', 'POST dispatches', 'GET runs', 'GET runs', 'GET runs']);
  });

  it('gives up after the bounded lookups with DeployRunNotFound (one dispatch only)', async () => {
    server.runAppearsOnListing = 99;
    const err = await capture(dispatchDeploy(CONFIG, deps));
    expect(err).toMatchObject({ name: 'DeployRunNotFound' });
    expect((err as Error).message).toContain(CONFIG.runName);
    expect(server.requestsTo('GET', /\/runs$/)).toHaveLength(5);
    expect(server.requestsTo('POST', /\/dispatches$/)).toHaveLength(1);
    expect(sleeps).toEqual([3000, 3000, 3000, 3000]);
  });

  it.each([
    [422, 'Unexpected inputs provided: ["run_name"]'],
    [404, 'Not Found'],
    [403, 'Resource not accessible by personal access token'],
  ])('dispatch answered %i → DeployDispatchFailed with status and GitHub message', async (status, message) => {
    server.dispatchFailure = { status, message };
    const err = await capture(dispatchDeploy(CONFIG, deps));
    expect(err).toMatchObject({ name: 'DeployDispatchFailed', status });
    expect((err as Error).message).toBe(
      `Dispatching deploy-staging-api.yml on WordPress/openverse@main failed with HTTP ${status}: ${message}`,
    );
    expect(server.requestsTo('GET', /\/runs$/)).toEqual([]);
  });

  it('an unknown workflow file is a 404 DeployDispatchFailed', async () => {
    const err = await capture(dispatchDeploy({ ...CONFIG, workflowFile: 'deploy-stagin-api.yml' }, deps));
    expect(err).toMatchObject({ name: 'DeployDispatchFailed', status: 404 });
  });

  it('no release tag → NoReleaseTag, and nothing is dispatched', async () => {
    server.versions = [{ id: 1, created_at: '2025-05-01T00:00:00Z', tags: ['a1b2c3d'] }];
    const err = await capture(dispatchDeploy(CONFIG, deps));
    expect(err).toMatchObject({ name: 'NoReleaseTag' });
    expect(server.requestsTo('POST', /dispatches/)).toEqual([]);
  });
});

describe('checkDeploy', () => {
  const states = (...s: RunState[]) => s;

  async function dispatched(): Promise<DispatchResult> {
    return run(dispatchDeploy(CONFIG, deps));
  }

  it('follows queued → in_progress → completed/success', async () => {
    const d = await dispatched();
    const input = { ...REPO, runId: d.runId, tag: d.tag, startedAt: d.dispatchedAt, maxSeconds: 1800, pollSeconds: 30 };
    const seen: CheckResult[] = [];
    for (let i = 0; i < 3; i += 1) {
      now = new Date(now.getTime() + 30_000);
      seen.push(await run(checkDeploy(input, deps)));
    }
    expect(seen.map((r) => [r.done, r.status, r.conclusion])).toEqual([
      [false, 'queued', null],
      [false, 'in_progress', null],
      [true, 'completed', 'success'],
    ]);
    expect(seen[2]).toEqual<CheckResult>({
      done: true,
      status: 'completed',
      conclusion: 'success',
      runUrl: d.runUrl,
      tag: 'd00d1e5',
      nextPollSeconds: 30,
    });
    const gets = server.requestsTo('GET', /^\/repos\/WordPress\/openverse\/actions\/runs\/\d+$/);
    expect(gets.map((g) => g.path)).toEqual(Array(3).fill(`/repos/WordPress/openverse/actions/runs/${d.runId}`));
    expect(gets.every((g) => g.headers.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it.each(['failure', 'cancelled', 'timed_out', 'action_required', 'startup_failure'] as const)(
    'a run concluding %s → DeployFailed with the run URL',
    async (conclusion) => {
      server.runStates = states({ status: 'in_progress' }, { status: 'completed', conclusion });
      const d = await dispatched();
      const input = {
        ...REPO,
        runId: d.runId,
        tag: d.tag,
        startedAt: d.dispatchedAt,
        maxSeconds: 1800,
        pollSeconds: 30,
      };
      expect(await run(checkDeploy(input, deps))).toMatchObject({ done: false, status: 'in_progress' });
      const err = await capture(checkDeploy(input, deps));
      expect(err).toMatchObject({ name: 'DeployFailed', runUrl: d.runUrl });
      expect((err as Error).message).toContain(d.runUrl);
      expect((err as Error).message).toContain(`"${conclusion}"`);
    },
  );

  it('still queued past the bound → WaitTimedOut; within it → not done', async () => {
    server.runStates = states({ status: 'queued' });
    const d = await dispatched();
    const input = { ...REPO, runId: d.runId, tag: d.tag, startedAt: d.dispatchedAt, maxSeconds: 600, pollSeconds: 30 };
    now = new Date(START.getTime() + 599_000);
    expect(await run(checkDeploy(input, deps))).toMatchObject({ done: false, status: 'queued' });
    now = new Date(START.getTime() + 600_000);
    const err = await capture(checkDeploy(input, deps));
    expect(err).toMatchObject({ name: 'WaitTimedOut' });
    expect((err as Error).message).toContain(d.runUrl);
  });

  it('a success seen past the bound is still done', async () => {
    server.runStates = states({ status: 'completed', conclusion: 'success' });
    const d = await dispatched();
    now = new Date(START.getTime() + 3_600_000);
    const input = { ...REPO, runId: d.runId, tag: d.tag, startedAt: d.dispatchedAt, maxSeconds: 600, pollSeconds: 30 };
    expect(await run(checkDeploy(input, deps))).toMatchObject({ done: true, conclusion: 'success' });
  });

  it('an unknown run id is a GitHubApiError 404', async () => {
    const input = { ...REPO, runId: 123, tag: 'x', startedAt: START.toISOString(), maxSeconds: 600, pollSeconds: 30 };
    expect(await capture(checkDeploy(input, deps))).toMatchObject({ name: 'GitHubApiError', status: 404 });
  });
});

describe('makeHandler', () => {
  const check = (d: DispatchResult, extra: Record<string, unknown> = {}) => ({
    action: 'check',
    ...REPO,
    runId: d.runId,
    tag: d.tag,
    startedAt: d.dispatchedAt,
    maxSeconds: 1800,
    pollSeconds: 60,
    ...extra,
  });

  it('runs both actions from flat payloads and reads the secret once', async () => {
    const handler = makeHandler(deps);
    const d = (await run(
      handler({ action: 'dispatch', ...CONFIG, tagPattern: '^rel-', execution: { name: 'exec-7f3a' } }),
    )) as DispatchResult;
    expect(Object.keys(d).sort()).toEqual(['dispatchedAt', 'runId', 'runUrl', 'tag']);
    expect(d.tag).toBe('rel-2025.05.30.0');
    expect(await run(handler(check(d)))).toMatchObject({ done: false, status: 'queued', nextPollSeconds: 60 });
    expect(await run(handler(check(d)))).toMatchObject({ done: false, status: 'in_progress' });
    expect(await run(handler(check(d)))).toEqual<CheckResult>({
      done: true,
      status: 'completed',
      conclusion: 'success',
      runUrl: d.runUrl,
      tag: 'rel-2025.05.30.0',
      nextPollSeconds: 60,
    });
    expect(secretReads).toBe(1);
  });

  it('a failed run surfaces as DeployFailed through the handler', async () => {
    server.runStates = [{ status: 'completed', conclusion: 'failure' }];
    const handler = makeHandler(deps);
    const d = (await run(handler({ action: 'dispatch', ...CONFIG }))) as DispatchResult;
    const err = await capture(handler(check(d)));
    expect(err).toMatchObject({ name: 'DeployFailed', runUrl: d.runUrl });
  });

  const d0: DispatchResult = { tag: 't', runId: 5, runUrl: 'u', dispatchedAt: START.toISOString() };
  it.each([
    [{ action: 'deploy', ...CONFIG }, 'action'],
    [{ action: 'dispatch', ...CONFIG, runName: '' }, 'runName'],
    [{ action: 'dispatch', ...CONFIG, tagPattern: '(' }, 'tagPattern'],
    [{ action: 'dispatch', config: CONFIG }, 'owner'],
    [check(d0, { runId: '5' }), 'runId'],
    [check(d0, { startedAt: 'yesterday' }), 'startedAt'],
    [check(d0, { pollSeconds: undefined }), 'pollSeconds'],
    [check(d0, { tag: undefined }), 'tag'],
  ])('rejects a bad payload before calling GitHub (%j)', async (event, field) => {
    const err = await capture(makeHandler(deps)(event));
    expect(err).toMatchObject({ name: 'InvalidInput' });
    expect((err as Error).message).toContain(`input field ${field}:`);
    expect(server.requests).toEqual([]);
    expect(secretReads).toBe(0);
  });

  it('accepts a bare-token secret too', async () => {
    const handler = makeHandler(makeDeps(`  ${TOKEN}\n`));
    expect(await run(handler({ action: 'dispatch', ...CONFIG }))).toMatchObject({ tag: 'd00d1e5' });
  });
});

describe('the token', () => {
  it.each([
    ['', 'does not hold a token'],
    ['{"token": ""}', 'does not hold a token'],
    [`{"token": "${TOKEN}"`, 'not valid JSON'],
    [`${TOKEN} ${TOKEN}`, 'does not hold a token'],
  ])('a malformed secret fails without quoting it (%#)', (secret, message) => {
    let caught: unknown;
    try {
      parseGitHubToken(secret);
    } catch (err) {
      caught = err;
    }
    outputs.push(caught);
    expect(caught).toMatchObject({ name: 'GitHubTokenInvalid', message: expect.stringContaining(message) });
  });

  it('is scrubbed even when the server echoes it in an error', async () => {
    server.echoAuthorizationInErrors = true;
    server.dispatchFailure = { status: 422, message: 'Workflow does not have workflow_dispatch trigger' };
    const err = await capture(dispatchDeploy(CONFIG, deps));
    expect(err).toMatchObject({ name: 'DeployDispatchFailed' });
    expect((err as Error).message).toContain('sent: token [REDACTED]');
    const bad = await capture(
      checkDeploy(
        { ...REPO, runId: 1, tag: 'x', startedAt: START.toISOString(), maxSeconds: 1, pollSeconds: 30 },
        deps,
      ),
    );
    expect((bad as Error).message).toContain('[REDACTED]');
  });

  it('appears in nothing any test got back or caught (run last)', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const out of outputs) {
      const text =
        out instanceof Error
          ? [String(out), out.stack, JSON.stringify(out, Object.getOwnPropertyNames(out)), JSON.stringify(out)].join(
              '\n',
            )
          : JSON.stringify(out);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TOKEN.slice(4, 20));
    }
  });
});
