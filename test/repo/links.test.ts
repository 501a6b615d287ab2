import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERRORS } from '../../lambdas/shared/contract';
import { ALARMS } from '../../lib/monitoring';

/**
 * The documentation's links hold: every relative link in README.md, BENCHMARKS.md and docs/*.md points at a
 * file of the repository, and a `#fragment` names a heading of the target (GitHub's anchor for it) or an
 * explicit `<a id>` / `<a name>`. External links (http, https, mailto) are not fetched. Also: the README stays
 * a front door (size limits), and the runbook keeps the anchors the alarms link and a section per error name.
 */
const ROOT = path.join(__dirname, '..', '..');

/** The checked Markdown files, relative to the repository root. */
function markdownFiles(root: string): string[] {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs
        .readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', 'BENCHMARKS.md', ...docs].filter((f) => fs.existsSync(path.join(root, f)));
}

const blank = (s: string) => s.replace(/[^\n]/g, ' ');

/** The text with fenced code blocks blanked out (same length and line breaks). */
function withoutFences(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const open = /^[ \t]*(`{3,}|~{3,})/.exec(line);
      if (fence === null && open) {
        fence = open[1]!;
        return blank(line);
      }
      if (fence !== null) {
        if (new RegExp(`^[ \\t]*\\${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = null;
        return blank(line);
      }
      return line;
    })
    .join('\n');
}

/**
 * The text with fenced code blocks and code spans blanked out (same length and line breaks), so that what
 * looks like a link inside code is not taken for one.
 */
function withoutCode(markdown: string): string {
  return withoutFences(markdown).replace(/(`+)((?:(?!\n\n)[\s\S])*?[^`])\1(?!`)/g, blank);
}

/** The text of each heading (ATX, outside fenced code). */
function headingsOf(markdown: string): string[] {
  return [...withoutFences(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)].map((m) => m[1]!);
}

interface Link {
  target: string;
  line: number;
}

/** Inline links and images, reference definitions, and HTML href/src attributes. */
function linksOf(markdown: string): Link[] {
  const text = withoutCode(markdown);
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const patterns = [
    /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    /<(?:a|img)\b[^>]*?\b(?:href|src)="([^"]*)"/g,
  ];
  return patterns
    .flatMap((re) => [...text.matchAll(re)].map((m) => ({ target: m[1]!, line: lineOf(m.index) })))
    .sort((a, b) => a.line - b.line);
}

/** GitHub's anchor of a heading's text: lowercase, punctuation removed, each space a hyphen. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[((?:[^[\]]|\[[^[\]]*\])*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown file: its headings' (duplicates get -1, -2, ...) and explicit ids and names. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const heading of headingsOf(markdown)) {
    const base = slug(heading);
    let anchor = base;
    for (let n = counts.get(base) ?? 0; anchors.has(anchor); n += 1) {
      anchor = `${base}-${n + 1}`;
      counts.set(base, n + 1);
    }
    anchors.add(anchor);
  }
  for (const m of withoutCode(markdown).matchAll(/<a\b[^>]*?\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Whether git ignores a path (an ignored file exists here but not in the repository). */
function ignored(root: string, relative: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', relative], { cwd: root }).status === 0;
}

/** Every broken relative link of `files` (paths relative to `root`), as "file:line: target: why". */
function brokenLinks(root: string, files: string[]): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(path.join(root, file), 'utf8')));
    return anchorCache.get(file)!;
  };
  for (const file of files) {
    for (const { target, line } of linksOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
      const where = `${file}:${line}: ${target}`;
      if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(target)) {
        if (!/^(?:https?|mailto):/i.test(target)) problems.push(`${where}: not a relative or http(s) link`);
        continue;
      }
      const hash = target.indexOf('#');
      const pathPart = decodeURI(hash < 0 ? target : target.slice(0, hash));
      const fragment = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
      if (pathPart.startsWith('/')) {
        problems.push(`${where}: absolute path (links must be relative to ${file})`);
        continue;
      }
      const resolved =
        pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      if (resolved === '..' || resolved.startsWith('../')) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      const absolute = path.join(root, resolved);
      if (!fs.existsSync(absolute)) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (ignored(root, resolved)) {
        problems.push(`${where}: ${resolved} is ignored by git, so it is not in the repository`);
        continue;
      }
      if (fragment === undefined) continue;
      if (!resolved.endsWith('.md')) {
        if (!/^L\d+(?:-L\d+)?$/.test(fragment)) problems.push(`${where}: #${fragment} in a file that is not Markdown`);
        continue;
      }
      if (!anchors(resolved).has(fragment)) {
        problems.push(`${where}: ${resolved} has no heading or <a id> with the anchor #${fragment}`);
      }
    }
  }
  return problems;
}

describe('documentation links', () => {
  const files = markdownFiles(ROOT);

  it('checks README.md, BENCHMARKS.md and every docs/*.md', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'BENCHMARKS.md', 'docs/runbook.md']));
  });

  it('every relative link points at a file of the repository, and every #fragment at an anchor in it', () => {
    expect(brokenLinks(ROOT, files)).toEqual([]);
  });
});

describe('the link checker', () => {
  it("computes GitHub's anchors", () => {
    expect(slug('Quick start')).toBe('quick-start');
    expect(slug('Alarm: execution-failed')).toBe('alarm-execution-failed');
    expect(slug('`InvalidInput`: execution input field …')).toBe('invalidinput-execution-input-field-');
    expect(slug('Step Functions for newcomers (read this first)')).toBe('step-functions-for-newcomers-read-this-first');
    expect(slug('What a run does [1-13]')).toBe('what-a-run-does-1-13');
    expect(slug('A  B/C_d')).toBe('a--bc_d');
    expect(slug('See [the CLI](operator-cli.md)')).toBe('see-the-cli');
    expect([...anchorsOf('# A\n## A\n### A\n```\n# A\n```\n<a id="x"></a>\n')]).toEqual(['a', 'a-1', 'a-2', 'x']);
  });

  it('ignores links in code, and finds inline links, images, reference definitions and HTML links', () => {
    const text = [
      'See [one](a.md) and ![two](b.svg "title").',
      '`[not](c.md)` and',
      '```sh',
      '[not](d.md)',
      '```',
      '[ref]: e.md#x',
      '<a href="f.md">f</a>',
    ].join('\n');
    expect(linksOf(text)).toEqual([
      { target: 'a.md', line: 1 },
      { target: 'b.svg', line: 1 },
      { target: 'e.md#x', line: 6 },
      { target: 'f.md', line: 7 },
    ]);
  });

  it('fails a missing file, a missing anchor, a link outside the repository; passes good ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(
      path.join(dir, 'docs', 'guide.md'),
      '# Guide\n\n## Step one\n\n## Step one\n\n<a id="kept"></a>\n',
    );
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Readme',
        '[ok](docs/guide.md) [ok](docs/guide.md#step-one) [ok](docs/guide.md#step-one-1) [ok](docs/guide.md#kept)',
        '[ok](#readme) [ok](https://example.com/x.md#nothing) [ok](docs)',
        '[bad](docs/missing.md) [bad](docs/guide.md#step-two) [bad](#nowhere) [bad](../outside.md) [bad](/abs.md)',
        '[bad](docs/guide.md#step-one-2) [bad](ftp://example.com/)',
      ].join('\n'),
    );
    try {
      expect(brokenLinks(dir, ['README.md'])).toEqual([
        'README.md:4: docs/missing.md: docs/missing.md does not exist',
        'README.md:4: docs/guide.md#step-two: docs/guide.md has no heading or <a id> with the anchor #step-two',
        'README.md:4: #nowhere: README.md has no heading or <a id> with the anchor #nowhere',
        'README.md:4: ../outside.md: points outside the repository',
        'README.md:4: /abs.md: absolute path (links must be relative to README.md)',
        'README.md:5: docs/guide.md#step-one-2: docs/guide.md has no heading or <a id> with the anchor #step-one-2',
        'README.md:5: ftp://example.com/: not a relative or http(s) link',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README.md is a front door', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it('has at most 250 lines and 25 KB', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThanOrEqual(25_000);
  });

  it('wraps its lines at 120 characters', () => {
    const long = readme.split('\n').flatMap((line, i) => ([...line].length > 120 ? [`${i + 1}: ${line}`] : []));
    expect(long).toEqual([]);
  });
});

describe('docs/runbook.md', () => {
  const runbook = fs.readFileSync(path.join(ROOT, 'docs', 'runbook.md'), 'utf8');

  it('keeps the anchor each alarm links (<runbookUrl>#alarm-<name>, lib/monitoring.ts)', () => {
    const anchors = anchorsOf(runbook);
    const missing = Object.values(ALARMS)
      .map((a) => `alarm-${a.anchor}`)
      .filter((a) => !anchors.has(a));
    expect(missing).toEqual([]);
  });

  it('has a heading for every error name of the contract (ERRORS, lambdas/shared/contract/errors.ts)', () => {
    const headings = headingsOf(runbook).join('\n');
    const missing = Object.values(ERRORS).filter((name) => !headings.includes(name));
    expect(missing).toEqual([]);
  });

  it('has no table row longer than 400 characters', () => {
    const rows = runbook.split('\n').filter((l) => l.startsWith('|') && l.length > 400);
    expect(rows).toEqual([]);
  });
});
