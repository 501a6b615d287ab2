import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The layout's one rule: nothing outside test/ imports from test/ (the offline world lives in offline/). Checked
 * twice: every product file as it is now, and the ESLint rule against files that would break it.
 */
const ROOT = path.join(__dirname, '..', '..');
const PRODUCT_DIRS = ['bin', 'lib', 'lambdas', 'cli', 'scripts', 'notice', 'offline'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true }).flatMap((e) => {
    const file = path.join(e.parentPath, e.name);
    return e.isFile() && /\.(ts|js|cjs)$/.test(e.name) ? [path.relative(ROOT, file)] : [];
  });
}

/** Every module specifier of a source file (static, type-only, dynamic and require). */
function specifiers(source: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...source.matchAll(re)].map((m) => m[1]!);
}

describe('nothing outside test/ imports from test/', () => {
  it('holds for every file of the product and the offline world', () => {
    const files = PRODUCT_DIRS.flatMap(sources);
    expect(files.length).toBeGreaterThan(50);
    const offending = files.flatMap((file) =>
      specifiers(fs.readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((s) => s.startsWith('.'))
        .filter((s) => {
          const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s));
          return target === 'test' || target.startsWith(`test${path.sep}`);
        })
        .map((s) => `${file}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('the scan sees every kind of import', () => {
    const code = [
      "import { a } from '../test/a';",
      "import type { B } from '../../test/b';",
      "import '../test/c';",
      "const d = require('../test/d');",
      "const e = await import('../test/e');",
    ].join('\n');
    expect(specifiers(code)).toEqual(['../test/a', '../../test/b', '../test/c', '../test/d', '../test/e']);
  });

  // ESLint loads its config with import(), which Jest's module sandbox does not offer: lint in a child process.
  it('ESLint fails a product file that adds one, in each form, and passes the allowed ones', () => {
    const cases: [string, string, boolean][] = [
      ['lib/added.ts', "import { a } from '../test/support/template';\nexport const b = a;\n", true],
      ['offline/rds/added.ts', "import type { A } from '../../test/lib/workflow/support';\nexport type B = A;\n", true],
      ['scripts/added.ts', "export async function f() {\n  return import('../test/support/template');\n}\n", true],
      [
        'cli/added.ts',
        "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const f = require('../test/x');\n",
        true,
      ],
      ['lib/allowed.ts', "import { a } from '../offline/world';\nexport const b = a;\n", false],
      ['test/allowed.ts', "import { a } from './support/template';\nexport const b = a;\n", false],
    ];
    const script = `
      const { ESLint } = require('eslint');
      (async () => {
        const eslint = new ESLint({ cwd: process.cwd() });
        const out = [];
        for (const [file, code] of JSON.parse(process.argv[1])) {
          const [r] = await eslint.lintText(code, { filePath: require('path').join(process.cwd(), file) });
          out.push(r.messages.map((m) => m.ruleId));
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const rules = JSON.parse(
      execFileSync(process.execPath, ['-e', script, JSON.stringify(cases.map(([f, c]) => [f, c]))], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as string[][];
    cases.forEach(([file, , flagged], i) => {
      const hit = rules[i]!.some((r) => r === 'no-restricted-imports' || r === 'no-restricted-syntax');
      expect({ file, flagged: hit, others: rules[i]!.filter((r) => !r.startsWith('no-restricted')) }).toEqual({
        file,
        flagged,
        others: [],
      });
    });
  });
});
