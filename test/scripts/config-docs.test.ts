import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../lib/config';
import { CONFIG_DOCS, CONFIG_DOCS_COMMAND, configDocsMarkdown } from '../../scripts/config-docs';

const ROOT = path.join(__dirname, '..', '..');

/** Every field with a default, as [dotted path, value]; objects are listed and so are their fields. */
function defaults(value: object, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, member]): [string, unknown][] => {
    const fieldPath = prefix ? `${prefix}.${key}` : key;
    const inner = member !== null && typeof member === 'object' && !Array.isArray(member);
    return [[fieldPath, member], ...(inner ? defaults(member as object, fieldPath) : [])];
  });
}

describe('docs/configuration.md', () => {
  // Prettier loads its parsers with import(), which Jest's module sandbox does not offer: generate it in a
  // child process, in memory (--stdout), and compare.
  it(`is committed exactly as \`${CONFIG_DOCS_COMMAND}\` generates it from lib/config-schema.ts`, () => {
    // Arrange
    const committed = fs.readFileSync(CONFIG_DOCS, 'utf8');

    // Act
    const generated = execFileSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/config-docs.ts', '--stdout'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    // Assert
    expect(generated.length).toBeGreaterThan(10_000);
    if (committed !== generated) {
      const [was, is] = [committed.split('\n'), generated.split('\n')];
      let line = 0;
      while (was[line] === is[line]) line++;
      throw new Error(
        `docs/configuration.md is out of date (first difference on line ${line + 1}): run \`${CONFIG_DOCS_COMMAND}\` ` +
          'and commit the result. It is generated from the schema in lib/config-schema.ts; edit the descriptions there.',
      );
    }
  });

  it('names every field that has a default, and each plain value with its default', () => {
    // Arrange
    const markdown = configDocsMarkdown();
    const fields = defaults(DEFAULT_CONFIG);

    // Act: a field's entry is its heading (a group's, or a field's), or its item in the list under its object
    const entryOf = (fieldPath: string) => {
      const at = [`### \`${fieldPath}\`\n`, `#### \`${fieldPath}\`\n`, `- \`${fieldPath}\` (`]
        .map((start) => markdown.indexOf(start))
        .find((index) => index >= 0);
      if (at === undefined) return undefined;
      const text = markdown.slice(at);
      return text.startsWith('-') ? text.split('\n')[0] : text.split('\n\n').slice(0, 2).join('\n\n');
    };
    const missing = fields.filter(([fieldPath]) => entryOf(fieldPath) === undefined);
    const wrongDefault = fields.filter(
      ([fieldPath, value]) =>
        typeof value !== 'object' && !entryOf(fieldPath)?.includes(`default \`${JSON.stringify(value)}\``),
    );

    // Assert
    expect(fields.length).toBeGreaterThan(60);
    expect(missing).toEqual([]);
    expect(wrongDefault).toEqual([]);
  });
});
