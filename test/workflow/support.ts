import { runWorkflow, type RunOptions, type RunResult } from '../support/harness';
import type { RdsSimulator } from '../support/rds-simulator';
import { SlackServer } from '../support/slack-server';
import { IDS, type World } from '../support/world';

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

/** One Slack server for a test file, and a runner bound to it. */
export function useSlack(): {
  slack: SlackServer;
  run: (world: World, options?: Partial<RunOptions>) => Promise<RunResult>;
} {
  const slack = new SlackServer();
  beforeAll(() => slack.start());
  afterAll(() => slack.stop());
  beforeEach(() => {
    slack.messages.length = 0;
  });
  return {
    slack,
    run: (world, options = {}) => runWorkflow({ sim: world.sim, slackWebhookUrl: slack.url, ...options }),
  };
}

/** The Slack messages of a run, by their first bold words. */
export function kinds(slack: SlackServer): string[] {
  return slack.texts().map((t) => /\*([^*]+)\*/.exec(t)?.[1]?.replace(/[.:]$/, '') ?? t);
}
