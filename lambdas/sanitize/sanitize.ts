import type { RDSClient } from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { type SanitizeInput, sanitizeInputSchema, type SanitizeResult } from '../shared/contract/steps';
import { type Identifiers, identifiersFromEnv, requireEnv } from '../shared/env';
import { DatabaseUnreachableError, SanitizeFailedError, UnexpectedInstanceError } from '../shared/errors';
import { RdsGuard } from '../shared/guard';
import { defineStep } from '../shared/handler';
import { describeInstance } from '../shared/rds-read';
import { credentialsReader, type DbCredentials } from './credentials';
import type { StepClients } from '../shared/clients';

/** What the step needs of a PostgreSQL client (pg's Client has it). */
export interface SqlClient {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

export interface ConnectOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface SanitizeDeps {
  rds: RDSClient;
  ids: Identifiers;
  clock: Clock;
  readCredentials(): Promise<DbCredentials>;
  connect(options: ConnectOptions): Promise<SqlClient>;
  sleep(ms: number): Promise<void>;
}

/**
 * Errors worth another connection attempt right after a restore or a password change: the endpoint's DNS
 * name may not resolve yet, the server may refuse or not accept connections yet, the new password may not
 * have been applied yet.
 */
const RETRYABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);
const RETRYABLE_SQLSTATE = new Set(['57P03' /* cannot_connect_now */, '28P01' /* invalid_password */, '53300']);
const BACKOFF_MS = { first: 2_000, max: 20_000 };

/**
 * Plan step 12.3, before the swap: production's OAuth credentials must never be live in staging. Empties the
 * configured tables of the temporary instance in one transaction and one statement (parallel truncates can
 * deadlock), then checks each is empty. Only ever the temporary instance (the guard's allow-list).
 */
export async function sanitize(input: SanitizeInput, deps: SanitizeDeps): Promise<SanitizeResult> {
  const identifier = new RdsGuard(deps.rds, deps.ids).check(input.identifier, ['temporary'], 'sanitize target');
  const db = await describeInstance(deps.rds, identifier);
  if (!db || db.DbiResourceId !== input.resourceId) {
    throw new UnexpectedInstanceError(`${identifier} is not the restored instance ${input.resourceId}`);
  }
  if (!db.Endpoint?.Address || !db.Endpoint.Port) throw new SanitizeFailedError(`${identifier} has no endpoint yet`);
  const credentials = await deps.readCredentials();
  const client = await connectWithRetry(
    {
      host: db.Endpoint.Address,
      port: db.Endpoint.Port,
      database: input.database,
      user: credentials.username,
      password: credentials.password,
    },
    input.connectAttempts,
    deps,
  );
  const list = input.tables.map((t) => `"${t}"`).join(', ');
  try {
    const removed: Record<string, number> = {};
    await client.query('BEGIN');
    try {
      for (const table of input.tables) removed[table] = await count(client, table);
      await client.query(`TRUNCATE TABLE ${list} RESTART IDENTITY CASCADE`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new SanitizeFailedError(`Emptying ${input.tables.join(', ')} failed: ${(err as Error).message}`);
    }
    const left = [];
    for (const table of input.tables) if ((await count(client, table)) > 0) left.push(table);
    if (left.length) throw new SanitizeFailedError(`Still not empty after TRUNCATE: ${left.join(', ')}`);
    return {
      identifier,
      database: input.database,
      removed,
      masterPasswordReset: input.masterPasswordReset,
      at: deps.clock.now().toISOString(),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function count(client: SqlClient, table: string): Promise<number> {
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${table}"`);
  return Number(rows[0]?.n ?? NaN);
}

async function connectWithRetry(options: ConnectOptions, attempts: number, deps: SanitizeDeps): Promise<SqlClient> {
  let delay = BACKOFF_MS.first;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.connect(options);
    } catch (err) {
      const { code } = err as { code?: string };
      const retryable = code !== undefined && (RETRYABLE.has(code) || RETRYABLE_SQLSTATE.has(code));
      if (!retryable || attempt >= attempts) {
        // The message of a pg/Node connection error names host and user at most, never the password.
        throw new DatabaseUnreachableError(
          `Could not connect to ${options.host}:${options.port}/${options.database} after ${attempt} attempt(s): ` +
            `${code ?? 'error'} ${(err as Error).message}`,
        );
      }
      await deps.sleep(delay);
      delay = Math.min(delay * 2, BACKOFF_MS.max);
    }
  }
}

export const makeHandler = defineStep('sanitize', sanitizeInputSchema, async (input, deps: SanitizeDeps, log) => {
  const result = await sanitize(input, deps);
  log.info('Emptied OAuth tables', { identifier: result.identifier, removed: result.removed });
  return result;
});

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(
  env: NodeJS.ProcessEnv,
  clients: Pick<StepClients, 'rds' | 'secrets' | 'clock' | 'sleep' | 'connectDatabase'>,
): SanitizeDeps {
  return {
    rds: clients.rds,
    ids: identifiersFromEnv(env),
    clock: clients.clock,
    readCredentials: credentialsReader(clients.secrets, requireEnv('DB_CREDENTIALS_SECRET', env)),
    connect: clients.connectDatabase,
    sleep: clients.sleep,
  };
}
