import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ConnectOptions, SqlClient } from '../sanitize/sanitize';
import type { Clock } from './clock';

/**
 * Everything outside a step's own code that it may talk to. Each step's `fromEnv(env, clients)` builds its
 * dependencies from its function's environment and the clients it needs (a `Pick` of these): `index.ts`
 * passes the real ones, the offline harness its own, so both run the same wiring.
 */
export interface StepClients {
  rds: RDSClient;
  sfn: SFNClient;
  secrets: SecretsManagerClient;
  clock: Clock;
  /** Waits between attempts (real time in Lambda). */
  sleep(ms: number): Promise<void>;
  /** HTTP: GitHub's API, the ingestion server. */
  fetch: typeof globalThis.fetch;
  /** A PostgreSQL connection to a database endpoint. */
  connectDatabase(options: ConnectOptions): Promise<SqlClient>;
}
