import { GitHubServer, type VersionSpec } from '../deploy-api/github-server';
import { runWorkflow, type RunOptions, type RunResult } from '../support/harness';
import type { RdsSimulator } from '../support/rds-simulator';
import { SlackServer } from '../support/slack-server';
import { IDS, stopWorlds, type World } from '../support/world';
import { IngestionServer } from '../update-index/ingestion-server';

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

export const GITHUB_TOKEN = 'ghp_workflowTestToken0000000000000000000';

/** The release the GitHub double lists by default: the newest version tagged `latest` has a `rel-` tag too. */
export function defaultVersions(now: Date): VersionSpec[] {
  const at = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  return [
    { id: 3, created_at: at(20), tags: ['rel-2026.11.05', 'sha-1111111'] },
    { id: 1, created_at: at(2), tags: ['rel-2026.11.28', 'latest', 'sha-2222222'] },
    { id: 2, created_at: at(1), tags: [] },
  ];
}

/**
 * The local stand-ins every workflow test talks to, started once per file: Slack, GitHub's API, the
 * ingestion server. Each test starts from their defaults (a successful deploy and index update).
 */
export function useServices(): {
  slack: SlackServer;
  github: GitHubServer;
  ingestion: IngestionServer;
  run: (world: World, options?: Partial<RunOptions>) => Promise<RunResult>;
} {
  const slack = new SlackServer();
  let current: World | undefined;
  // Unique per run, as real execution names are: the deploy step finds its run by a name derived from it.
  let runs = 0;
  const github = new GitHubServer({ token: GITHUB_TOKEN, now: () => current?.sim.clock.now() ?? new Date() });
  const ingestion = new IngestionServer();
  beforeAll(async () => {
    await Promise.all([slack.start(), github.start(), ingestion.start()]);
  });
  afterAll(async () => {
    await Promise.all([slack.stop(), github.stop(), ingestion.stop(), stopWorlds()]);
  });
  beforeEach(() => {
    slack.messages.length = 0;
    slack.failNext(0);
    github.requests.length = 0;
    github.problems.length = 0;
    github.dispatchFailure = undefined;
    github.runStates = [
      { status: 'queued' },
      { status: 'in_progress' },
      { status: 'completed', conclusion: 'success' },
    ];
    github.versions = defaultVersions(new Date('2026-12-01T00:00:00Z'));
    ingestion.requests.length = 0;
    ingestion.problems.length = 0;
    ingestion.expectSinceDate = undefined;
    ingestion.media = {
      image: { index: 'image-5bb9d1cf', progress: [10, 60, 100] },
      audio: { index: 'audio-init-7e2a' },
    };
  });
  afterEach(() => stopWorlds());
  return {
    slack,
    github,
    ingestion,
    run: (world, options = {}) => {
      current = world;
      return runWorkflow({
        executionName: `test-run-${++runs}`,
        sim: world.sim,
        slackWebhookUrl: slack.url,
        github: { apiUrl: github.url, token: GITHUB_TOKEN },
        ingestionServerUrl: ingestion.url,
        resolveHost: world.resolve,
        ...options,
      });
    },
  };
}

/** The Slack messages of a run, by their first bold words. */
export function kinds(slack: SlackServer): string[] {
  return slack.texts().map((t) => /\*([^*]+)\*/.exec(t)?.[1]?.replace(/[.:]$/, '') ?? t);
}
