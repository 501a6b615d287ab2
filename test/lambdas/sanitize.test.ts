import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { type ConnectOptions, makeHandler, type SqlClient } from '../../lambdas/sanitize/sanitize';
import { caught, clock, describeFrom, IDS, makeNewInstance, mutatingCommands, NEW_ID, newRdsClient } from './fixtures';

/**
 * The sanitize step's control flow, with the database as a recording stand-in: connection retries, the one
 * transaction, the checks. The SQL itself runs on real PostgreSQL in the workflow tests (test/lib/workflow).
 */
const rdsMock = mockClient(RDSClient);
const credentials = { username: 'deploy', password: 'staging-secret-pw' };
const TABLES = ['api_throttledapplication', 'oauth2_provider_accesstoken'];
const input = {
  identifier: IDS.temporary,
  resourceId: NEW_ID,
  database: 'openverse',
  tables: TABLES,
  connectAttempts: 3,
  masterPasswordReset: true,
};

function recordingDb(counts: { before: number[]; after: number[] }, failOn?: RegExp) {
  const statements: string[] = [];
  let phase: 'before' | 'after' = 'before';
  let i = 0;
  const client: SqlClient = {
    async query(sql) {
      statements.push(sql);
      if (failOn?.test(sql)) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      if (sql === 'COMMIT') {
        phase = 'after';
        i = 0;
      }
      if (sql.startsWith('SELECT count')) return { rows: [{ n: counts[phase][i++] }] };
      return { rows: [] };
    },
    async end() {
      statements.push('END');
    },
  };
  return { client, statements };
}

function connectError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

beforeEach(() => {
  rdsMock.reset();
  describeFrom(rdsMock, {
    [IDS.temporary]: makeNewInstance({ Endpoint: { Address: 'dev-next.example.internal', Port: 5432 } }),
  });
});
afterAll(() => rdsMock.restore());

describe('sanitize', () => {
  it('empties every table in one transaction and one TRUNCATE, reports rows removed, checks they are empty', async () => {
    const db = recordingDb({ before: [3, 7], after: [0, 0] });
    const seen: ConnectOptions[] = [];
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async (o) => (seen.push(o), db.client),
      sleep: async () => undefined,
    });

    const result = await step(input);

    expect(result).toEqual({
      identifier: IDS.temporary,
      database: 'openverse',
      removed: { api_throttledapplication: 3, oauth2_provider_accesstoken: 7 },
      masterPasswordReset: true,
      at: '2026-12-01T00:00:00.000Z',
    });
    expect(seen).toEqual([
      {
        host: 'dev-next.example.internal',
        port: 5432,
        database: 'openverse',
        user: 'deploy',
        password: 'staging-secret-pw',
      },
    ]);
    expect(db.statements).toEqual([
      'BEGIN',
      'SELECT count(*)::int AS n FROM "api_throttledapplication"',
      'SELECT count(*)::int AS n FROM "oauth2_provider_accesstoken"',
      'TRUNCATE TABLE "api_throttledapplication", "oauth2_provider_accesstoken" RESTART IDENTITY CASCADE',
      'COMMIT',
      'SELECT count(*)::int AS n FROM "api_throttledapplication"',
      'SELECT count(*)::int AS n FROM "oauth2_provider_accesstoken"',
      'END',
    ]);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('retries while DNS does not resolve or the server refuses, with growing waits, then proceeds', async () => {
    const db = recordingDb({ before: [0, 0], after: [0, 0] });
    const failures = [connectError('ENOTFOUND'), connectError('ECONNREFUSED')];
    const sleeps: number[] = [];
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return db.client;
      },
      sleep: async (ms) => void sleeps.push(ms),
    });

    const result = await step(input);

    expect(result.removed).toEqual({ api_throttledapplication: 0, oauth2_provider_accesstoken: 0 });
    expect(sleeps).toEqual([2000, 4000]);
  });

  it('gives up after the configured attempts with DatabaseUnreachable, never showing the password', async () => {
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => {
        throw connectError('ETIMEDOUT');
      },
      sleep: async () => undefined,
    });

    const err = await caught(() => step(input));

    expect(err.name).toBe('DatabaseUnreachable');
    expect(err.message).toContain('after 3 attempt(s)');
    expect(err.message).not.toContain(credentials.password);
  });

  it('does not retry errors that will not go away (unknown database)', async () => {
    let attempts = 0;
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => {
        attempts++;
        throw connectError('3D000');
      },
      sleep: async () => undefined,
    });

    const err = await caught(() => step(input));

    expect(err.name).toBe('DatabaseUnreachable');
    expect(attempts).toBe(1);
  });

  it('rolls the transaction back and fails when the TRUNCATE fails', async () => {
    const db = recordingDb({ before: [1, 1], after: [1, 1] }, /^TRUNCATE/);
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => db.client,
      sleep: async () => undefined,
    });

    const err = await caught(() => step(input));

    expect(err.name).toBe('SanitizeFailed');
    expect(db.statements).toContain('ROLLBACK');
    expect(db.statements).not.toContain('COMMIT');
    expect(db.statements.at(-1)).toBe('END');
  });

  it('fails when a table is still not empty afterwards', async () => {
    const db = recordingDb({ before: [2, 2], after: [0, 1] });
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => db.client,
      sleep: async () => undefined,
    });

    const err = await caught(() => step(input));

    expect(err.name).toBe('SanitizeFailed');
    expect(err.message).toContain('oauth2_provider_accesstoken');
  });

  it.each([IDS.staging, IDS.old, IDS.production])('never connects to %s', async (identifier) => {
    let connected = false;
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => {
        connected = true;
        throw new Error('no');
      },
      sleep: async () => undefined,
    });

    const err = await caught(() => step({ ...input, identifier }));

    expect(err.name).toBe('ProductionGuardRefused');
    expect(connected).toBe(false);
  });

  it('refuses table names that are not plain identifiers (no SQL through config)', async () => {
    const step = makeHandler({
      rds: newRdsClient(),
      ids: IDS,
      clock,
      readCredentials: async () => credentials,
      connect: async () => recordingDb({ before: [], after: [] }).client,
      sleep: async () => undefined,
    });

    const err = await caught(() => step({ ...input, tables: ['image"; DROP TABLE image; --'] }));

    expect(err.name).toBe('InvalidInput');
  });
});
