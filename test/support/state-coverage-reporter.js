// @ts-check
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');

/**
 * State coverage, the checking side: a Jest reporter. It gives every test run a fresh directory
 * (STATE_COVERAGE_DIR, inherited by the test workers, which start after it), where each workflow run of the
 * harness is recorded (state-coverage.ts, a setup file). At the end it prints which states of the
 * synthesized definitions were entered and, on a full run, fails the run if any was never entered.
 *
 * Which states count: every state of every definition a workflow test ran: the default config's, plus
 * those that exist only in the other configs the tests use (e.g. "Notify staging is in use" exists only
 * with `concurrency.whenOthersRun: "skip"`). A state counts as entered when any run of any config entered it.
 *
 * A full run is enforced, a partial one only reported: enforced when no test-name filter (`-t`) was given
 * and every test file under test/lib/workflow/ ran, so a developer running one file is not failed by it.
 * STATE_COVERAGE=enforce forces the check (to see it fail on a partial run); STATE_COVERAGE=off disables it.
 */
const ENV = 'STATE_COVERAGE_DIR';
/** Where the workflow tests are. */
const WORKFLOW_TESTS = ['test', 'lib', 'workflow'];

class StateCoverageReporter {
  /** @param {import('@jest/reporters').Config.GlobalConfig} globalConfig */
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
    this.mode = process.env.STATE_COVERAGE ?? 'auto';
    /** @type {Error | undefined} */
    this.error = undefined;
    if (this.mode === 'off') return;
    this.dir = mkdtempSync(join(tmpdir(), 'staging-db-restore-state-coverage-'));
    process.env[ENV] = this.dir;
  }

  /**
   * @param {unknown} _contexts
   * @param {import('@jest/reporters').AggregatedResult} results
   */
  onRunComplete(_contexts, results) {
    if (!this.dir) return;
    const { universe, entered, runs } = this.read();
    rmSync(this.dir, { recursive: true, force: true });
    if (runs === 0) return;
    const missing = [...universe].filter((s) => !entered.has(s)).sort();
    const ran = new Set(results.testResults.map((r) => relative(this.globalConfig.rootDir, r.testFilePath)));
    const workflowFiles = readdirSync(join(this.globalConfig.rootDir, ...WORKFLOW_TESTS))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => join(...WORKFLOW_TESTS, f));
    const notRun = workflowFiles.filter((f) => !ran.has(f));
    const full = !this.globalConfig.testNamePattern && notRun.length === 0;
    const enforced = this.mode === 'enforce' || (this.mode === 'auto' && full);
    const covered = universe.size - missing.length;
    const summary =
      `State coverage: ${covered}/${universe.size} states of the synthesized definitions entered ` +
      `(${runs} workflow runs)${enforced ? '' : `; not enforced (partial run: ${notRun.length ? `${notRun.length} workflow test file(s) not run` : 'test-name filter'})`}`;
    const list = missing.map((s) => `  - ${s}`).join('\n');
    // A partial run misses most states by design: the list only matters when it is enforced.
    process.stdout.write(`\n${summary}${enforced && missing.length ? `\nNever entered:\n${list}` : ''}\n`);
    if (enforced && missing.length) {
      this.error = new Error(
        `State coverage: ${missing.length} state(s) of the synthesized definitions were never entered by any ` +
          `workflow test:\n${list}\nAdd a workflow test that reaches each (test/lib/workflow/).`,
      );
    }
  }

  /** Jest fails the run when a reporter returns an error here. */
  getLastError() {
    return this.error;
  }

  read() {
    /** @type {Set<string>} */
    const universe = new Set();
    /** @type {Set<string>} */
    const entered = new Set();
    let runs = 0;
    for (const file of readdirSync(/** @type {string} */ (this.dir))) {
      for (const line of readFileSync(join(/** @type {string} */ (this.dir), file), 'utf8').split('\n')) {
        if (!line) continue;
        const record = /** @type {{ states?: string[]; entered: string[] }} */ (JSON.parse(line));
        for (const s of record.states ?? []) universe.add(s);
        for (const s of record.entered) entered.add(s);
        runs += 1;
      }
    }
    return { universe, entered, runs };
  }
}

module.exports = StateCoverageReporter;
