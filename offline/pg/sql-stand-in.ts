import type { ConnectOptions, SqlClient } from '../../lambdas/sanitize/sanitize';
import type { RdsSimulator } from '../rds';

/**
 * A stand-in for the PostgreSQL connection of the sanitize step, for the fault matrix only
 * (test/lib/workflow/fault-matrix.test.ts), which runs the whole workflow a few hundred times: a real server per
 * case (data-plane.ts, ~2-3 s each) would take many minutes. Every other workflow test keeps
 * real PostgreSQL.
 *
 * It implements exactly the statements the step sends (lambdas/sanitize/sanitize.ts), with the `pg` semantics
 * the step relies on, and refuses anything else, so a change to the step's SQL fails loudly here instead of
 * being silently accepted:
 *  - the endpoint's host resolves only while an instance holds that identifier and is not hidden mid-rename
 *    (as World.resolve / RDS DNS): otherwise `ENOTFOUND`, which the step retries;
 *  - `BEGIN` / `COMMIT` / `ROLLBACK`; an error inside a transaction aborts it (SQLSTATE 25P02 until ROLLBACK),
 *    and ROLLBACK restores the row counts;
 *  - `SELECT count(*)::int AS n FROM "<table>"` answers `[{ n }]`; an unknown table is SQLSTATE 42P01;
 *  - `TRUNCATE TABLE "<a>", "<b>" RESTART IDENTITY CASCADE` empties every listed table, or none when one is
 *    unknown (42P01).
 * Each instance (by DbiResourceId) has its own database: the configured tables with `rowsPerTable` rows, as
 * a copy of production has; emptied tables stay empty.
 */
export function sqlStandIn(
  sim: RdsSimulator,
  tables: readonly string[],
  rowsPerTable = 3,
): (options: ConnectOptions) => Promise<SqlClient> {
  const databases = new Map<string, Map<string, number>>();
  return (options) => {
    const db = sim.instance(options.host.split('.')[0] ?? '');
    if (!db || db.hidden || db.port !== options.port || !options.host.endsWith('.rds.amazonaws.com')) {
      return Promise.reject(pgError(`getaddrinfo ENOTFOUND ${options.host}`, 'ENOTFOUND'));
    }
    let rows = databases.get(db.resourceId);
    if (!rows) {
      rows = new Map(tables.map((t) => [t, rowsPerTable]));
      databases.set(db.resourceId, rows);
    }
    return Promise.resolve(new StandInClient(rows));
  };
}

class StandInClient implements SqlClient {
  private transaction: { before: Map<string, number>; aborted: boolean } | undefined;
  private ended = false;

  constructor(private readonly rows: Map<string, number>) {}

  query(sql: string): Promise<{ rows: Record<string, unknown>[] }> {
    try {
      return Promise.resolve({ rows: this.run(sql.trim()) });
    } catch (err) {
      if (this.transaction) this.transaction.aborted = true;
      return Promise.reject(err as Error);
    }
  }

  end(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }

  private run(sql: string): Record<string, unknown>[] {
    if (this.ended) throw pgError('Client was closed and is not queryable', undefined);
    if (sql === 'BEGIN') {
      this.transaction = { before: new Map(this.rows), aborted: false };
      return [];
    }
    if (sql === 'ROLLBACK') {
      if (this.transaction) for (const [t, n] of this.transaction.before) this.rows.set(t, n);
      this.transaction = undefined;
      return [];
    }
    if (this.transaction?.aborted) {
      throw pgError('current transaction is aborted, commands ignored until end of transaction block', '25P02');
    }
    if (sql === 'COMMIT') {
      this.transaction = undefined;
      return [];
    }
    const count = /^SELECT count\(\*\)::int AS n FROM "([a-z_][a-z0-9_]*)"$/.exec(sql);
    if (count) return [{ n: this.table(count[1]!) }];
    const truncate = /^TRUNCATE TABLE ((?:"[a-z_][a-z0-9_]*"(?:, )?)+) RESTART IDENTITY CASCADE$/.exec(sql);
    if (truncate) {
      const names = [...truncate[1]!.matchAll(/"([a-z_][a-z0-9_]*)"/g)].map((m) => m[1]!);
      for (const name of names) this.table(name);
      for (const name of names) this.rows.set(name, 0);
      return [];
    }
    throw new Error(`sqlStandIn does not implement this statement (use real PostgreSQL for it): ${sql}`);
  }

  private table(name: string): number {
    const n = this.rows.get(name);
    if (n === undefined) throw pgError(`relation "${name}" does not exist`, '42P01');
    return n;
  }
}

function pgError(message: string, code: string | undefined): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}
