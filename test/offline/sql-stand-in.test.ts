/**
 * The fault matrix's stand-in for the sanitize step's database (offline/pg/sql-stand-in.ts) against real
 * PostgreSQL: the real sanitize step, once on each, must give the same outcome, for the configured tables and
 * for a table that does not exist (the transaction rolled back: nothing emptied). So the stand-in cannot drift
 * from what the step relies on without this test failing.
 */
import { DEFAULT_CONFIG } from '../../lib/config';
import { connectPg } from '../../lambdas/sanitize/pg';
import { type SanitizeDeps, sanitize, type SqlClient } from '../../lambdas/sanitize/sanitize';
import { PgDataPlane, type PgServer, seedOpenverseProduction } from '../../offline/pg/data-plane';
import { RdsSimulator, type SimInstanceView } from '../../offline/rds';
import { sqlStandIn } from '../../offline/pg/sql-stand-in';
import { IDS } from '../../offline/world';

const PASSWORD = 'stand-in-test-password';
const TABLES = DEFAULT_CONFIG.sanitize.truncateTables;

let plane: PgDataPlane;
let server: PgServer;

beforeAll(async () => {
  plane = new PgDataPlane({ publishEndpoints: false });
  server = await plane.startInstance(seedOpenverseProduction, PASSWORD);
});
afterAll(() => plane.stopAll());

/** The temporary instance in a simulator, and the step's dependencies with `connect` pointing at one side. */
function setUp(side: 'real' | 'stand-in'): {
  deps: SanitizeDeps;
  copy: SimInstanceView;
  open: () => Promise<SqlClient>;
} {
  const sim = new RdsSimulator();
  const copy = sim.addInstance({ identifier: IDS.temporary });
  const standIn = sqlStandIn(sim, TABLES);
  const real = () =>
    connectPg({
      host: server.host,
      port: server.port,
      database: server.database,
      user: server.masterUser,
      password: PASSWORD,
    });
  const connect: SanitizeDeps['connect'] = side === 'real' ? real : standIn;
  const deps: SanitizeDeps = {
    rds: sim.client(),
    ids: IDS,
    clock: sim.clock,
    readCredentials: () => Promise.resolve({ username: server.masterUser, password: PASSWORD }),
    connect,
    sleep: () => Promise.resolve(),
  };
  const endpoint = {
    host: `${IDS.temporary}.abc.us-east-1.rds.amazonaws.com`,
    port: 5432,
    database: 'openverse',
    user: 'x',
    password: 'x',
  };
  return { deps, copy, open: () => (side === 'real' ? real() : standIn(endpoint)) };
}

async function rows(open: () => Promise<SqlClient>, table: string): Promise<number> {
  const client = await open();
  try {
    return Number((await client.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0]!.n);
  } finally {
    await client.end();
  }
}

const event = (copy: SimInstanceView, tables: readonly string[]) => ({
  identifier: IDS.temporary,
  resourceId: copy.resourceId,
  database: 'openverse',
  tables: [...tables],
  connectAttempts: 2,
  masterPasswordReset: true,
});

describe('sqlStandIn behaves like PostgreSQL for the sanitize step', () => {
  it('a table that does not exist: the same error, and the transaction rolled back on both', async () => {
    const outcomes = [];
    for (const side of ['real', 'stand-in'] as const) {
      // Arrange
      const { deps, copy, open } = setUp(side);

      // Act
      const error = await sanitize(event(copy, [...TABLES, 'table_that_is_not_there']), deps).then(
        () => undefined,
        (e: Error) => ({ name: e.name, message: e.message }),
      );

      outcomes.push({ error, stillFull: (await rows(open, TABLES[0]!)) > 0 });
    }

    // Assert
    expect(outcomes[0]).toEqual({
      error: {
        name: 'SanitizeFailed',
        message: expect.stringContaining('relation "table_that_is_not_there" does not exist'),
      },
      stillFull: true,
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('the configured tables: counted, emptied in one statement, checked empty, on both', async () => {
    const outcomes = [];
    for (const side of ['real', 'stand-in'] as const) {
      // Arrange
      const { deps, copy, open } = setUp(side);

      // Act
      const result = await sanitize(event(copy, TABLES), deps);

      const after = await Promise.all(TABLES.map((t) => rows(open, t)));
      outcomes.push({
        tables: Object.keys(result.removed).sort(),
        removedSome: Object.values(result.removed).every((n) => n > 0),
        after,
      });
    }

    // Assert
    expect(outcomes[0]).toEqual({ tables: [...TABLES].sort(), removedSome: true, after: TABLES.map(() => 0) });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('refuses a statement it does not implement, rather than pretending', async () => {
    // Arrange
    const { open } = setUp('stand-in');
    const client = await open();

    // Act / Assert
    await expect(client.query('DELETE FROM "oauth2_provider_accesstoken"')).rejects.toThrow(
      'sqlStandIn does not implement this statement',
    );
  });
});
