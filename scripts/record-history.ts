#!/usr/bin/env node
/**
 * Records the operator CLI's `timeline` fixture: one offline run (the rehearsal's world: RDS simulator, real
 * PostgreSQL, Slack/GitHub/ingestion doubles) in which "Rename new database to staging" fails, so the run rolls
 * back mid-swap, converted into the events GetExecutionHistory returns (offline/execution-history.ts).
 *
 *   npm run record:history     writes test/cli/fixtures/rollback-mid-swap.history.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATE } from '../lib/workflow/states';
import { toExecutionHistory } from '../offline/execution-history';
import { runWorkflow, synthesizeWorkflow } from '../offline/harness';
import { startOfflineServices } from '../offline/services';
import { createWorld, stopWorlds } from '../offline/world';

export const FIXTURE = path.join(__dirname, '..', 'test', 'cli', 'fixtures', 'rollback-mid-swap.history.json');
export const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:rollback-mid-swap';

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const world = await createWorld();
  const services = await startOfflineServices();
  try {
    const result = await runWorkflow({
      ...services.runOptions(world),
      executionName: 'rollback-mid-swap',
      taskFaults: { [STATE.renameIn]: { error: 'InvalidDBInstanceStateFault', message: 'Recorded fault' } },
    });
    if (result.status !== 'FAILED') throw new Error(`expected the run to fail, it ${result.status}`);
    const history = toExecutionHistory(result.events, synthesizeWorkflow(), { arn: EXECUTION_ARN });
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    // One event per line: a re-recording shows as a readable diff.
    const lines = history.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
    fs.writeFileSync(
      FIXTURE,
      `{\n  "executionArn": ${JSON.stringify(EXECUTION_ARN)},\n  "events": [\n${lines}\n  ]\n}\n`,
    );
    console.log(`Wrote ${path.relative(process.cwd(), FIXTURE)}: ${history.length} events, run ${result.status}`);
  } finally {
    await Promise.all([services.stop(), stopWorlds()]);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
