import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLING } from '../../lib/app-function';
import {
  contributions,
  esbuildOptions,
  countStates,
  enteredAt,
  fmtStats,
  MODEL_TIMINGS,
  packageOf,
  renameSettledAt,
  stats,
  steps,
  synthPhases,
  topBy,
} from '../../scripts/bench';

describe('bench helpers', () => {
  it('takes the median with min and max', () => {
    expect(stats([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(stats([4, 1, 2, 3]).median).toBe(2.5);
    expect(fmtStats(stats([10, 12, 11]))).toBe('11.0 (10.0–12.0)');
    expect(() => stats([])).toThrow();
  });

  it('names the npm package of a metafile input', () => {
    expect(packageOf('node_modules/pg/lib/client.js')).toBe('pg');
    expect(packageOf('node_modules/@octokit/rest/dist/index.js')).toBe('@octokit/rest');
    expect(packageOf('node_modules/a/node_modules/@x/y/z.js')).toBe('@x/y');
    expect(packageOf('lambdas/shared/guard.ts')).toBe('lambdas/shared/guard.ts');
  });

  it('sums bytes per package and takes the largest', () => {
    const { files, packages } = contributions({
      'node_modules/pg/a.js': { bytesInOutput: 10 },
      'node_modules/pg/b.js': { bytesInOutput: 15 },
      'node_modules/zod/index.js': { bytesInOutput: 20 },
      'lambdas/x/index.ts': { bytesInOutput: 5 },
    });
    expect(topBy(packages, 2)).toEqual([
      { name: 'pg', bytes: 25 },
      { name: 'zod', bytes: 20 },
    ]);
    expect(topBy(files, 1)).toEqual([{ name: 'node_modules/zod/index.js', bytes: 20 }]);
    expect(packages['(project)']).toBe(5);
  });

  it('settles a rename after all its phases', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    expect(renameSettledAt({ at }, MODEL_TIMINGS).getTime() - at.getTime()).toBe((15 + 60 + 120 + 20 + 85) * 1000);
  });

  it('finds the first entry of a state after a time, and counts entries', () => {
    const t = (s: number) => new Date(s * 1000);
    const events = [
      { at: t(1), type: 'StateEntered', state: 'A' },
      { at: t(5), type: 'StateExited', state: 'A' },
      { at: t(9), type: 'StateEntered', state: 'A' },
    ];
    expect(enteredAt(events, 'A', t(2))).toEqual(t(9));
    expect(enteredAt(events, 'B', t(0))).toBeUndefined();
    expect(countStates(['A', 'B', 'A'])).toEqual([
      { name: 'A', count: 2 },
      { name: 'B', count: 1 },
    ]);
  });

  it('lists the Lambda steps, without shared', () => {
    const found = steps();
    expect(found).toContain('rename');
    expect(found).not.toContain('shared');
  });

  it('bundles as the functions are bundled (SDK from the runtime), or with the SDK for comparison', () => {
    expect(esbuildOptions('runtime')).toEqual({
      minify: BUNDLING.minify,
      target: BUNDLING.target,
      external: BUNDLING.externalModules,
    });
    expect(esbuildOptions('bundled')).toMatchObject({ external: [], mainFields: ['module', 'main'] });
  });

  it("reads where a synth's time went from the CDK's performance counters", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-phases-'));
    fs.writeFileSync(
      path.join(dir, 'performance-counters.json'),
      JSON.stringify({
        counters: {
          'phase:Load': 800,
          'phase:Construction': 9000,
          'bundle:NodejsFunction': 8000,
          'bundle:NodejsFunction(cnt)': 13,
          'phase:Synthesis': 3600,
          validateTemplates: 3400,
          'CloudFormationValidate.validate': 850,
        },
      }),
    );
    expect(synthPhases(dir)).toEqual({
      load: 800,
      construction: 9000,
      bundling: 8000,
      bundled: 13,
      synthesis: 3600,
      validate: 3400,
      cfnValidate: 850,
    });
    expect(synthPhases(path.join(dir, 'nowhere'))).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
