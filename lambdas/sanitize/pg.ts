import { Client } from 'pg';
import type { ConnectOptions, SqlClient } from './sanitize';

/**
 * Opens a pg connection. RDS requires TLS by default on PostgreSQL 15+ (rds.force_ssl) and its certificates
 * are signed by the RDS CAs. Lambda's Node.js 20+ runtimes no longer trust those by default; the function sets
 * NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem (lib/functions.ts), the bundle Lambda ships with them (from the
 * Lambda Node.js docs; not observable here: a wrong guess fails the first run at this step, before the swap).
 * Locally (127.0.0.1) there is no TLS.
 */
export async function connectPg(options: ConnectOptions): Promise<SqlClient> {
  const local = options.host === '127.0.0.1' || options.host === 'localhost';
  const client = new Client({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    ssl: local ? false : { rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
    statement_timeout: 120_000,
  });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}
