import type { Client } from 'pg';
import { DEFAULT_CONFIG } from '../../../lib/config';
import { STATE } from '../../../lib/workflow';
import { DEFAULT_DB_CREDENTIALS } from '../../../offline/harness';
import { createWorld, IDS, PASSWORDS, type World } from '../../../offline/world';
import { OFFLINE_GITHUB_TOKEN } from '../../../offline/services';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * The plan's step 12 on real PostgreSQL: the copy is sanitized before it is exposed as staging, then the
 * staging API is redeployed (GitHub double), the search indices updated (ingestion-server double) and the
 * restore recorded. Failures after the swap keep the swap and say what to do by hand.
 */
const OAUTH = DEFAULT_CONFIG.sanitize.truncateTables;

async function withInstance<T>(world: World, resourceId: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await world.dataPlane!.connect(resourceId);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** md5 of every row of every OAuth table: production's rows must never show up under the staging name. */
async function oauthRowHashes(client: Client): Promise<Set<string>> {
  const hashes = new Set<string>();
  for (const table of OAUTH) {
    const { rows } = await client.query<{ h: string }>(`SELECT md5(t::text) AS h FROM "${table}" t`);
    for (const r of rows) hashes.add(`${table}:${r.h}`);
  }
  return hashes;
}

async function count(client: Client, table: string, where = 'true'): Promise<number> {
  return Number(
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`)).rows[0]!.n,
  );
}

describe('workflow: after the restore (real PostgreSQL)', () => {
  const { slack, github, ingestion, run } = useServices();

  it('staging ends with production media, empty OAuth tables with identities restarted, old data gone; production OAuth rows never readable as staging', async () => {
    const world = await createWorld();
    const productionOAuth = await withInstance(world, world.productionResourceId, oauthRowHashes);
    expect(productionOAuth.size).toBeGreaterThan(15);
    let checks = 0;

    const result = await run(world, {
      // Before every step: whatever answers under the staging name holds none of production's OAuth rows.
      beforeTask: async () => {
        const staging = world.sim.instance(IDS.staging);
        if (!staging || staging.hidden) return;
        const seen = await withInstance(world, staging.resourceId, oauthRowHashes);
        expect([...seen].filter((h) => productionOAuth.has(h))).toEqual([]);
        checks += 1;
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(checks).toBeGreaterThan(20);
    const staging = holders(world.sim).staging!;
    expect(staging.resourceId).not.toBe(world.stagingResourceId);
    await withInstance(world, staging.resourceId, async (c) => {
      expect(await count(c, 'image')).toBe(50);
      expect(await count(c, 'audio')).toBe(20);
      expect(await count(c, 'image', `title = 'staging-only'`)).toBe(0);
      for (const table of OAUTH) {
        expect({ table, rows: await count(c, table) }).toEqual({ table, rows: 0 });
        const seq = await c.query<{ last_value: string; is_called: boolean }>(
          `SELECT last_value, is_called FROM "${table}_id_seq"`,
        );
        expect({ table, seq: seq.rows[0] }).toEqual({ table, seq: { last_value: '1', is_called: false } });
      }
    });
    // Staging's own credentials work on the new staging; production's master password no longer does.
    await expect(
      withInstance(world, staging.resourceId, async (c) => (await c.query('SELECT current_user AS u')).rows[0]),
    ).resolves.toEqual({ u: DEFAULT_DB_CREDENTIALS.username });
    expect(world.dataPlane!.connectionFor(staging.resourceId).password).toBe(PASSWORDS.staging);
    // The old staging's server is gone with its instance.
    expect(() => world.dataPlane!.connectionFor(world.stagingResourceId)).toThrow();
    expectProductionUntouched(world);

    // After the swap: deploy dispatched with the newest release tag and followed; indices updated; recorded.
    const dispatches = github.requestsTo('POST', /\/actions\/workflows\/deploy-staging-api\.yml\/dispatches$/);
    expect(dispatches.map((r) => r.body)).toEqual([
      {
        ref: 'main',
        inputs: { tag: 'rel-2026.11.28', run_name: expect.stringMatching(/^Staging DB restore test-run-\d+$/) },
      },
    ]);
    expect(github.problems).toEqual([]);
    const posts = ingestion.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.body)).toEqual([
      { model: 'image', action: 'UPDATE_INDEX', index_suffix: '5bb9d1cf', since_date: '2023-01-01' },
      { model: 'audio', action: 'UPDATE_INDEX', index_suffix: 'init-7e2a', since_date: '2023-01-01' },
    ]);
    expect(ingestion.problems).toEqual([]);
    const text = slack.texts()[2]!;
    expect(text).toContain('Production OAuth data removed before the swap: ');
    expect(text).toContain('tag `rel-2026.11.28` deployed');
    expect(text).toContain('image updated (image-5bb9d1cf), audio updated (audio-init-7e2a)');
  });

  it('uses the last recorded restore as since_date and records this one', async () => {
    const world = await createWorld();
    const parameters = new Map([
      [DEFAULT_CONFIG.lastRestoreParameterName, JSON.stringify({ at: '2026-11-01T00:26:30.000Z' })],
    ]);

    const result = await run(world, { parameters });

    expect(result.status).toBe('SUCCEEDED');
    expect(
      ingestion.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { since_date: string }).since_date),
    ).toEqual(['2026-11-01', '2026-11-01']);
    const recorded = JSON.parse(parameters.get(DEFAULT_CONFIG.lastRestoreParameterName)!);
    expect(recorded).toMatchObject({ snapshot: world.newestSnapshot, execution: expect.any(String) });
    expect(Date.parse(recorded.at)).toBeGreaterThan(Date.parse('2026-12-01T00:00:00Z'));
  });

  it('emptying the OAuth tables fails: nothing was exposed, the copy is deleted, staging untouched', async () => {
    const world = await createWorld();

    const result = await run(world, {
      config: { sanitize: { truncateTables: [...OAUTH, 'table_that_is_not_there'] } },
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SanitizeFailed');
    expectStagingUntouched(world);
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expect(world.sim.mutatingCalls().filter((c) => c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    expect(slack.texts()[0]).toContain(`in state "${STATE.sanitize}"`);
    expect(slack.texts()[0]).toContain('table_that_is_not_there');
  });

  it('database not reachable at first (DNS not resolving yet), then reachable: retried, then sanitized', async () => {
    const world = await createWorld();
    let lookups = 0;

    const result = await run(world, {
      resolveHost: (host, port) => (++lookups <= 2 ? undefined : world.resolve(host, port)),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(lookups).toBe(3);
    expect(result.invocations[STATE.sanitize]).toBe(1);
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
  });

  it('database never reachable: DatabaseUnreachable, rolled back before any outage', async () => {
    const world = await createWorld();

    const result = await run(world, { resolveHost: () => undefined });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DatabaseUnreachable');
    expectStagingUntouched(world);
    expect(slack.texts()[0]).toContain('ENOTFOUND');
  });

  it.each([
    [
      'deploy dispatch refused (4xx)',
      () => (github.dispatchFailure = { status: 422, message: 'Unexpected inputs provided: ["run_name"]' }),
      'Staging API deploy: :x: failed: DeployDispatchFailed',
      'gh workflow run deploy-staging-api.yml',
    ],
    [
      'deploy run concludes failure',
      () => (github.runStates = [{ status: 'in_progress' }, { status: 'completed', conclusion: 'failure' }]),
      'Staging API deploy: :x: failed: DeployFailed',
      'gh workflow run deploy-staging-api.yml',
    ],
    [
      'an index task reports an error',
      () => (ingestion.media.image = { index: 'image-5bb9d1cf', progress: [10, 100], error: true }),
      'Search indices: :x: failed: IndexUpdateFailed',
      '"action": "UPDATE_INDEX"',
    ],
  ])(
    '%s: the swap is kept, the run fails, Slack says what failed and what to do',
    async (_what, arrange, says, fix) => {
      const world = await createWorld();
      arrange();

      const result = await run(world);

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('AfterSwapFailed');
      expect(holders(world.sim).staging?.resourceId).not.toBe(world.stagingResourceId);
      expect(holders(world.sim).old).toBeUndefined();
      expect(result.statesEntered).not.toContain(STATE.rollback);
      expect(kinds(slack)).toEqual([
        'Staging database outage starting',
        'Staging database outage over',
        'Staging database was refreshed, but a step after the swap failed',
      ]);
      expect(slack.texts()[2]).toContain(says);
      expect(slack.texts()[2]).toContain(fix);
    },
  );

  it('ingestion server down: reported as such, the swap and the other steps kept', async () => {
    const world = await createWorld();

    const result = await run(world, { ingestionServerUrl: 'http://127.0.0.1:9' });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AfterSwapFailed');
    expect(result.statesEntered).toEqual(
      expect.arrayContaining([STATE.apiDeployed, STATE.oldDeleted, STATE.restoreRecorded]),
    );
    expect(slack.texts()[2]).toContain('failed: IngestionServerUnavailable');
  });

  it('no secret appears in any Slack message, log line or execution output', async () => {
    const world = await createWorld();
    const secrets = [slack.path, OFFLINE_GITHUB_TOKEN, DEFAULT_DB_CREDENTIALS.password, PASSWORDS.production];
    const logged: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const previous = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    let result;
    try {
      // A failing deploy too, so error paths are searched as well.
      github.dispatchFailure = { status: 401, message: 'Bad credentials' };
      result = await run(world);
    } finally {
      spy.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = previous;
    }
    void write;

    const haystacks = {
      slack: slack.texts().join('\n'),
      logs: logged.join(''),
      events: JSON.stringify(result.events),
      output: JSON.stringify(result.output ?? null),
    };
    expect(haystacks.logs).toContain('Emptied OAuth tables'); // the logs were captured
    expect(slack.texts()).toHaveLength(3);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) expect({ where, leaks: text.includes(secret) }).toEqual({ where, leaks: false });
    }
  });
});

describe('workflow: steps after the swap switched off in config', () => {
  const { slack, github, ingestion, run } = useServices();

  it('skips the deploy and the index update, says so, and still succeeds', async () => {
    const world = await createWorld();

    const result = await run(world, { config: { deployApi: { enabled: false }, searchIndex: { enabled: false } } });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered).toEqual(expect.arrayContaining([STATE.deployDisabled, STATE.indexDisabled]));
    expect(github.requests).toEqual([]);
    expect(ingestion.requests).toEqual([]);
    expect(slack.texts()[2]).toContain('Staging API deploy: disabled in config');
    expect(slack.texts()[2]).toContain('Search indices: disabled in config');
  });
});
