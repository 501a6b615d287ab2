import type { GitHubServer } from '../../../offline/doubles/github-server';
import { runWorkflow, type RunOptions, type RunResult } from '../../../offline/harness';
import type { RdsSimulator } from '../../../offline/rds';
import type { SlackServer } from '../../../offline/doubles/slack-server';
import { offlineServices } from '../../../offline/services';
import { IDS, stopWorlds, type World } from '../../../offline/world';
import type { IngestionServer } from '../../../offline/doubles/ingestion-server';

/** Who holds each of the workflow's names now (resource ids), and what production looks like. */
export function holders(sim: RdsSimulator) {
  const at = (name: string) => {
    const db = sim.instance(name);
    return db && !db.hidden ? { resourceId: db.resourceId, status: db.status } : undefined;
  };
  return { staging: at(IDS.staging), temporary: at(IDS.temporary), old: at(IDS.old), production: at(IDS.production) };
}

/** Production is untouched: never the target of a mutating call, still available under its name. */
export function expectProductionUntouched(world: World): void {
  const touching = world.sim
    .mutatingCalls()
    .filter(
      (c) => JSON.stringify(c.input).toLowerCase().includes('prod') && c.command !== 'RestoreDBInstanceFromDBSnapshot',
    );
  expect(touching).toEqual([]);
  const restores = world.sim.mutatingCalls().filter((c) => c.command === 'RestoreDBInstanceFromDBSnapshot');
  for (const r of restores) expect(r.input.DBInstanceIdentifier).toBe(IDS.temporary);
  expect(holders(world.sim).production).toEqual({ resourceId: world.productionResourceId, status: 'available' });
}

/** Staging is the original instance, available, and nothing this run created is left. */
export function expectStagingUntouched(world: World): void {
  const now = holders(world.sim);
  expect(now.staging).toEqual({ resourceId: world.stagingResourceId, status: 'available' });
  expect(now.temporary).toBeUndefined();
  expect(now.old).toBeUndefined();
}

/**
 * The local stand-ins every workflow test talks to (offline/services.ts), started once per file. Each test
 * starts from their scripted good month (a successful deploy and index update) with nothing recorded.
 */
export function useServices(): {
  slack: SlackServer;
  github: GitHubServer;
  ingestion: IngestionServer;
  run: (world: World, options?: Partial<RunOptions>) => Promise<RunResult>;
} {
  const services = offlineServices();
  // Unique per run, as real execution names are: the deploy step finds its run by a name derived from it.
  let runs = 0;
  beforeAll(() => services.start());
  afterAll(async () => {
    await Promise.all([services.stop(), stopWorlds()]);
  });
  beforeEach(() => services.reset());
  afterEach(() => stopWorlds());
  return {
    slack: services.slack,
    github: services.github,
    ingestion: services.ingestion,
    run: (world, options = {}) =>
      runWorkflow({ executionName: `test-run-${++runs}`, ...services.runOptions(world), ...options }),
  };
}

/** The Slack messages of a run, by their first bold words. */
export function kinds(slack: SlackServer): string[] {
  return slack.texts().map((t) => /\*([^*]+)\*/.exec(t)?.[1]?.replace(/[.:]$/, '') ?? t);
}
