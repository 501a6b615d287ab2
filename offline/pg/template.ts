/**
 * The shared template cluster: `initdb` runs once per process into it (~1 s) and every server starts as a
 * `cp -a` of it. scram-sha-256 everywhere (`initdb --auth`); the bootstrap superuser `sim_admin` has a per-process
 * secret. Apart because it is process-wide state, shared by every data plane and removed by the last one to stop.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { binaries, type RunAs, runAsUser } from './binaries';
import { ADMIN_USER } from './types';

const execFileAsync = promisify(execFile);

export interface Template {
  dir: string;
  template: string;
  runAs?: RunAs;
  adminPassword: string;
}

/** What the exit hook needs of a data plane that uses the template. */
export interface TemplateUser {
  killSync(): void;
}

// Process-wide: one template cluster while any data plane is in use (removed by the last stopAll), and a
// last-resort cleanup at exit (outside jest: jest's sandboxed `process` never sees the real 'exit').
let sharedTemplate: Promise<Template> | undefined;
let templateDir: string | undefined;
export const livePlanes = new Set<TemplateUser>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const plane of livePlanes) plane.killSync();
    if (templateDir) rmSync(templateDir, { recursive: true, force: true });
  });
}

export async function removeTemplate(): Promise<void> {
  const pending = sharedTemplate;
  sharedTemplate = undefined;
  templateDir = undefined;
  const built = await pending?.catch(() => undefined);
  if (built) await fs.rm(built.dir, { recursive: true, force: true });
}

export function template(): Promise<Template> {
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
