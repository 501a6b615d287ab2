import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as esbuild from 'esbuild';
import type { BUNDLING } from './app-function';

/**
 * A content hash for a function's bundle, so that `cdk synth` re-bundles only the functions whose code
 * changed. NodejsFunction bundles each function by running `npx esbuild` in a new process (~0.7 s of npx
 * start-up each, 18 functions); with a custom asset hash, CDK reuses `cdk.out/asset.<hash>` when it is
 * already there and bundles otherwise.
 *
 * The hash is that of the bundle itself, built here in-process by esbuild with the same options
 * (`BUNDLING`: minify, target, externals) and an external source map with the sources'
 * contents, plus esbuild's version and the options: any change to any file the bundle includes (even a
 * comment, which the source map carries), to a dependency's installed version, to the options or to esbuild
 * changes the hash, so a reused asset is always what bundling would produce now. This is CDK's own
 * default (`AssetHashType.OUTPUT`, the hash of the bundling output) computed without the npx round trip.
 *
 * All entries are built in one esbuild call on first use (they share most of their modules). Nothing is
 * computed when the stack is not bundled (tests set `aws:cdk:bundling-stacks` to none).
 */
const PROJECT_ROOT = path.join(__dirname, '..');

type Bundling = typeof BUNDLING;

const cache = new Map<string, Map<string, string>>();

export function bundleAssetHash(scope: Construct, entry: string, bundling: Bundling): { assetHash?: string } {
  if (!Stack.of(scope).bundlingRequired) return {};
  const key = JSON.stringify(bundling);
  let hashes = cache.get(key);
  if (!hashes) {
    hashes = hashAll(bundling);
    cache.set(key, hashes);
  }
  const hash = hashes.get(path.resolve(entry));
  if (!hash) throw new Error(`bundleAssetHash: ${entry} is not a function entry (lambdas/<name>/index.ts)`);
  return { assetHash: hash };
}

/** Every lambdas/<name>/index.ts entry → the hash of its bundle. */
export function hashAll(bundling: Bundling, root = PROJECT_ROOT): Map<string, string> {
  const lambdas = path.join(root, 'lambdas');
  const entries = fs
    .readdirSync(lambdas)
    .map((d) => path.join(lambdas, d, 'index.ts'))
    .filter((f) => fs.existsSync(f));
  const outdir = path.join(root, 'cdk.out', 'bundle-hash');
  const result = esbuild.buildSync({
    entryPoints: Object.fromEntries(entries.map((e) => [path.basename(path.dirname(e)), e])),
    outdir,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: 'external',
    sourcesContent: true,
    external: bundling.externalModules,
    absWorkingDir: root,
    logLevel: 'silent',
  });
  const hashes = new Map<string, string>();
  for (const entry of entries) {
    const name = path.basename(path.dirname(entry));
    const files = result.outputFiles
      .filter((f) => path.basename(f.path).startsWith(`${name}.js`) && path.dirname(f.path) === outdir)
      .sort((a, b) => a.path.localeCompare(b.path));
    if (!files.length) throw new Error(`bundleAssetHash: esbuild produced no output for ${entry}`);
    const h = createHash('sha256').update(`esbuild ${esbuild.version}\n${JSON.stringify(bundling)}\n`);
    for (const f of files) h.update(`${path.basename(f.path)}\n`).update(f.contents);
    hashes.set(entry, h.digest('hex'));
  }
  return hashes;
}
