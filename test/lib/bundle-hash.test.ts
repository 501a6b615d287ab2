import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashAll } from '../../lib/bundle-hash';
import { BUNDLING } from '../../lib/app-function';

/** lib/bundle-hash.ts: a function's asset is reused only while its bundle would come out the same. */
describe('bundle asset hash', () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const hashes = (bundling: Parameters<typeof hashAll>[0] = BUNDLING) => {
    const h = hashAll(bundling, root);
    return { a: h.get(path.join(root, 'lambdas/a/index.ts')), b: h.get(path.join(root, 'lambdas/b/index.ts')) };
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-hash-'));
    write('lambdas/shared/greet.ts', 'export const greet = (n: string) => `hello ${n}`;\n');
    write('lambdas/a/index.ts', "import { greet } from '../shared/greet';\nexport const handler = () => greet('a');\n");
    write('lambdas/b/index.ts', "export const handler = () => 'b';\n");
    write('lambdas/shared/index.md', 'not an entry');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is stable while nothing changes, and differs between functions', () => {
    const first = hashes();
    expect(first.a).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes()).toEqual(first);
    expect(first.a).not.toBe(first.b);
  });

  it('changes for exactly the functions whose bundle includes a changed file, even for a comment', () => {
    const before = hashes();
    write('lambdas/shared/greet.ts', 'export const greet = (n: string) => `hi ${n}`;\n');
    const changed = hashes();
    expect(changed.a).not.toBe(before.a);
    expect(changed.b).toBe(before.b);
    write(
      'lambdas/shared/greet.ts',
      '// a comment moves the source map\nexport const greet = (n: string) => `hi ${n}`;\n',
    );
    expect(hashes().a).not.toBe(changed.a);
  });

  it('changes with the bundling options', () => {
    const before = hashes();
    const after = hashes({ ...BUNDLING, minify: false } as unknown as typeof BUNDLING);
    expect(after.a).not.toBe(before.a);
    expect(after.b).not.toBe(before.b);
  });
});
