/**
 * What callers of the data plane hold: server handles, snapshot data, options, and the host and admin role every
 * server uses. Apart so the server, template and data-plane files share them without importing each other.
 */

export const HOST = '127.0.0.1';
/** Bootstrap superuser of every cluster, used only by the data plane itself. */
export const ADMIN_USER = 'sim_admin';

/** A running server, as returned by `startInstance` (usable as an instance seed's `data`). */
export interface PgServer {
  readonly kind: 'pg-data-plane/server';
  readonly id: string;
  readonly host: typeof HOST;
  readonly port: number;
  readonly dataDir: string;
  readonly database: string;
  readonly masterUser: string;
}

/** A snapshot's data: an immutable physical copy of the source cluster. */
export interface PgSnapshotData {
  readonly kind: 'pg-data-plane/snapshot';
  readonly dir: string;
  readonly sourceResourceId: string;
  readonly database: string;
  readonly masterUser: string;
  /** The master password at snapshot time (the restored copy keeps it). */
  readonly password: string;
  readonly takenAt: Date;
}

export interface PgServerInfo {
  id: string;
  resourceId?: string;
  port: number;
  dataDir: string;
  running: boolean;
  pid?: number;
}

export interface PgDataPlaneOptions {
  /**
   * Whether a restored instance's simulated endpoint becomes the real server's `127.0.0.1:<port>` (default).
   * With false the simulator keeps the RDS-like `<identifier>.<...>.rds.amazonaws.com:<configured port>`, and
   * callers reach the server through `resolve()`, as DNS would (see offline/world.ts).
   */
  publishEndpoints?: boolean;
  /** Default `openverse`. */
  database?: string;
  /** Default `deploy`. */
  masterUser?: string;
}

export function isPgServer(value: unknown): value is PgServer {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pg-data-plane/server';
}

export function isPgSnapshotData(value: unknown): value is PgSnapshotData {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pg-data-plane/snapshot';
}
