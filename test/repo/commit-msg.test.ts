import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The commit-msg hook (.githooks/commit-msg, enabled with `git config core.hooksPath .githooks`): a subject of
 * at most 72 characters, then an empty line. Run as git runs it: the executable, with a message file.
 */
const ROOT = path.join(__dirname, '..', '..');
const HOOK = path.join(ROOT, '.githooks', 'commit-msg');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-msg-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function hook(message: string): { status: number | null; stderr: string } {
  const file = path.join(dir, `message-${++n}`);
  fs.writeFileSync(file, message);
  const result = spawnSync(HOOK, [file], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

const x = (count: number) => 'x'.repeat(count);

describe('.githooks/commit-msg', () => {
  it('is executable, on disk and in git', () => {
    expect(fs.statSync(HOOK).mode & 0o111).toBe(0o111);
    const staged = execFileSync('git', ['ls-files', '--stage', '.githooks/commit-msg'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(staged).toMatch(/^100755 /);
  });

  it('accepts a subject of up to 72 characters followed by an empty line', () => {
    expect(hook('Move the runbook into docs/runbook.md\n\nWhy, and the numbers.\n')).toEqual({ status: 0, stderr: '' });
    expect(hook(`${x(72)}\n\nBody\n`).status).toBe(0);
    expect(hook('Subject only\n').status).toBe(0);
    expect(hook('Subject without a newline').status).toBe(0);
  });

  it('refuses a subject longer than 72 characters, saying why', () => {
    const result = hook(`${x(73)}\n\nBody\n`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the subject line has 73 characters; at most 72 are allowed');
  });

  it('refuses a second line that is not empty, saying why', () => {
    const result = hook('A good subject\nthe body starts here\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the second line must be empty');
  });

  it('counts characters, not bytes', () => {
    expect(hook(`${'→'.repeat(72)}\n`).status).toBe(0);
    expect(hook(`${'→'.repeat(73)}\n`).status).toBe(1);
  });

  it('reads the message as git keeps it: no comments, nothing below the scissors, no leading blank lines', () => {
    const template = '# Please enter the commit message for your changes.\n# On branch h-docs\n';
    expect(hook(`\n\nA good subject\n\nBody\n${template}`).status).toBe(0);
    expect(hook(`# a comment first\nA good subject\n# another\n\nBody\n`).status).toBe(0);
    const scissors = '# ------------------------ >8 ------------------------\n';
    expect(hook(`A good subject\n\nBody\n${scissors}${x(100)}\ndiff --git a/x b/x\n`).status).toBe(0);
    expect(hook('A good subject\r\n\r\nBody\r\n').status).toBe(0);
  });

  it('accepts the subjects git writes itself: merges, fixup!/squash!/amend!, reverts', () => {
    for (const subject of [
      `Merge branch 'h-docs' of ${x(80)}`,
      `fixup! ${x(80)}`,
      `squash! ${x(80)}`,
      `amend! ${x(80)}`,
      `Revert "${x(80)}"`,
    ]) {
      expect({ subject, status: hook(`${subject}\n\nThis reverts commit 0123abc.\n`).status }).toEqual({
        subject,
        status: 0,
      });
    }
  });

  it('an empty message is left to git', () => {
    expect(hook('# only comments\n').status).toBe(0);
  });
});
