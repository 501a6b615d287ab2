import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeRuns } from '../../offline/run-observers';

/**
 * State coverage, the recording side: a Jest setup file that observes every run of the offline harness. When
 * the test run set STATE_COVERAGE_DIR (the reporter state-coverage-reporter.js does, for every `jest` run),
 * each workflow run of the
 * harness appends one JSON line to `<dir>/<pid>.jsonl`: the config it synthesized (`config`, the override
 * as JSON, `null` = the default config), that definition's states (`states`, once per config and process)
 * and the states the execution entered (`entered`, from its event log). Outside jest nothing is written.
 */
export const STATE_COVERAGE_DIR_ENV = 'STATE_COVERAGE_DIR';

const described = new Set<string>();

function recordStatesEntered(config: string, states: () => string[], entered: readonly string[]): void {
  const dir = process.env[STATE_COVERAGE_DIR_ENV];
  if (!dir) return;
  const line: { config: string; states?: string[]; entered: string[] } = { config, entered: [...new Set(entered)] };
  if (!described.has(config)) {
    line.states = states();
    described.add(config);
  }
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

observeRuns((run) => recordStatesEntered(run.config, run.states, run.entered));
