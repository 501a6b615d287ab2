/**
 * One PostgreSQL server's machinery: its process (start on a free port, fast shutdown), admin sessions, the online
 * copy a snapshot is made of, and the per-server queue that serialises that work. Apart from the data plane, which
 * only decides which server backs which instance and when.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { binaries } from './binaries';
import type { Template } from './template';
import { ADMIN_USER, HOST, type PgServer, type PgSnapshotData } from './types';

const execFileAsync = promisify(execFile);

export interface ServerState {
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

export function configOf(state: ServerState): pg.ClientConfig & { host: string; port: number } {
  return {
    host: HOST,
    port: state.handle.port,
    database: state.handle.database,
    user: state.handle.masterUser,
    password: state.password,
  };
}

export function exclusive<T>(state: ServerState, fn: () => Promise<T>): Promise<T> {
  const run = state.queue.catch(() => undefined).then(fn);
  state.queue = run;
  return run;
}

export async function withAdmin<T>(
  state: ServerState,
  templateOf: () => Promise<Template>,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const { adminPassword } = await templateOf();
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
export async function onlineCopy(state: ServerState, templateOf: () => Promise<Template>, dir: string): Promise<void> {
  const source = state.handle.dataDir;
  await withAdmin(state, templateOf, async (c) => {
    await c.query(`SELECT pg_backup_start('pg-data-plane snapshot', true)`);
    await copyLiveDir(source, dir);
    const { rows } = await c.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(false)');
    await fs.writeFile(path.join(dir, 'backup_label'), rows[0]!.labelfile);
  });
  await copyLiveDir(path.join(source, 'pg_wal'), path.join(dir, 'pg_wal'), true);
  // Not the copy's: the running source's lock file and its shared-memory/stat leftovers.
  await Promise.all(['postmaster.pid', 'postmaster.opts'].map((f) => fs.rm(path.join(dir, f), { force: true })));
  const { runAs } = await templateOf();
  if (runAs) await fs.chown(path.join(dir, 'backup_label'), runAs.uid, runAs.gid);
}

export function walPosition(state: ServerState, templateOf: () => Promise<Template>): Promise<string> {
  return withAdmin(state, templateOf, async (c) => {
    const { rows } = await c.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    return rows[0]!.lsn;
  });
}

export async function startProcess(state: ServerState, templateOf: () => Promise<Template>): Promise<void> {
  const { postgres } = binaries();
  const { runAs } = await templateOf();
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

export async function stopProcess(state: ServerState): Promise<void> {
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

export function freePort(): Promise<number> {
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
