import { GitHubServer, type VersionSpec } from './doubles/github-server';
import { IngestionServer } from './doubles/ingestion-server';
import { type SlackMessage, SlackServer } from './doubles/slack-server';
import type { RunOptions } from './harness';
import { WORLD_START, type World } from './world';

/**
 * The services around staging that a run talks to, as local doubles reached through their real clients:
 * Slack's incoming webhook, GitHub's API, the ingestion server. One function starts them for the rehearsal,
 * the bench, the history recorder and the workflow tests, scripted like a good month: the newest release
 * image is found, its deploy succeeds, every index update finishes.
 */
export interface OfflineServices {
  slack: SlackServer;
  github: GitHubServer;
  ingestion: IngestionServer;
  /**
   * What a run needs to reach these services and `world`'s databases (spread into runWorkflow's options).
   * GitHub's clock becomes the world's virtual clock.
   */
  runOptions(
    world: World,
  ): Pick<RunOptions, 'sim' | 'slackWebhookUrl' | 'github' | 'ingestionServerUrl' | 'resolveHost'>;
  /** Every double back to the scripted good month, with nothing recorded. */
  reset(): void;
  stop(): Promise<void>;
}

/** The token the GitHub double accepts, stored as the token secret's value in offline runs. */
export const OFFLINE_GITHUB_TOKEN = 'ghp_offlineWorldToken000000000000000000';

/** The release the GitHub double lists by default: the newest version tagged `latest` has a `rel-` tag too. */
export function defaultVersions(now: Date): VersionSpec[] {
  const at = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  return [
    { id: 3, created_at: at(20), tags: ['rel-2026.11.05', 'sha-1111111'] },
    { id: 1, created_at: at(2), tags: ['rel-2026.11.28', 'latest', 'sha-2222222'] },
    { id: 2, created_at: at(1), tags: [] },
  ];
}

export interface OfflineServicesOptions {
  /** Called with every Slack message as it arrives (the rehearsal prints them). */
  onSlackMessage?: (message: SlackMessage) => void;
}

/** Starts the services (see offlineServices). */
export async function startOfflineServices(options: OfflineServicesOptions = {}): Promise<OfflineServices> {
  const services = offlineServices(options);
  await services.start();
  return services;
}

/** The services, not yet listening: for test files that start them in `beforeAll`. */
export function offlineServices(options: OfflineServicesOptions = {}): OfflineServices & { start(): Promise<void> } {
  let world: World | undefined;
  const slack = new SlackServer(options.onSlackMessage);
  const github = new GitHubServer({
    token: OFFLINE_GITHUB_TOKEN,
    now: () => world?.sim.clock.now() ?? WORLD_START,
  });
  const ingestion = new IngestionServer();
  const reset = () => {
    slack.reset();
    github.reset();
    github.versions = defaultVersions(WORLD_START);
    ingestion.reset();
    ingestion.media = {
      image: { index: 'image-5bb9d1cf', progress: [10, 60, 100] },
      audio: { index: 'audio-init-7e2a' },
    };
  };
  reset();
  return {
    slack,
    github,
    ingestion,
    reset,
    runOptions: (w) => {
      world = w;
      return {
        sim: w.sim,
        slackWebhookUrl: slack.url,
        github: { apiUrl: github.url, token: OFFLINE_GITHUB_TOKEN },
        ingestionServerUrl: ingestion.url,
        resolveHost: w.resolve,
      };
    },
    start: async () => {
      await Promise.all([slack.start(), github.start(), ingestion.start()]);
    },
    stop: async () => {
      await Promise.all([slack.stop(), github.stop(), ingestion.stop()]);
    },
  };
}
