import type { Logger } from '@aws-lambda-powertools/logger';
import type { Octokit } from '@octokit/rest';
import type { StepClients } from '../shared/clients';
import type { Clock } from '../shared/clock';
import {
  deployApiInputSchema,
  type DeployCheckInput,
  type DeployCheckResult,
  type DeployConfig,
  type DeployDispatchResult,
} from '../shared/contract/steps-after-swap';
import { WaitTimedOutError } from '../shared/errors';
import { defineStep } from '../shared/handler';
import { DeployDispatchFailedError, DeployFailedError, DeployRunNotFoundError, GitHubApiError } from './errors';
import { DEFAULT_GITHUB_API_URL, describeGitHubError, githubClient, secretReader } from './github';
import { type PackageVersion, selectImageTag } from './tags';
import { requireEnv } from '../shared/env';

export { selectImageTag, type PackageVersion, type SelectedTag } from './tags';
export type { DeployConfig } from '../shared/contract';

/**
 * Redeploys the staging API after the database was recreated (plan: "get the latest GHCR image tag, trigger
 * the deployment workflow"). Openverse itself dispatches without waiting; we follow the run:
 *   dispatch: newest release tag → workflow_dispatch(tag, run_name) → find the run by its unique run name
 *   check:    one poll of that run (Check → Wait → Check in the workflow, bounded by startedAt + maxSeconds)
 */

/** The contract's types (lambdas/shared/contract), under the names this file's functions use. */
export type DispatchResult = DeployDispatchResult;
export type CheckResult = DeployCheckResult;
/** The check's input without the action that picked it. */
export type CheckInput = Omit<DeployCheckInput, 'action'>;

export interface RunLookup {
  /** How many times the run list is read before giving up (default 10). */
  attempts: number;
  /** Pause between two reads (default 3000 ms). */
  intervalMs: number;
}

export const DEFAULT_RUN_LOOKUP: RunLookup = { attempts: 10, intervalMs: 3000 };

export interface DeployDeps {
  octokit: () => Promise<Octokit>;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  runLookup?: RunLookup;
}

/** Conclusions of a completed run that mean "deployed". Every other conclusion is a failed deployment. */
const SUCCESS = 'success';

/** Reads every version of the container package (all pages) and picks the tag to deploy. */
export async function latestImageTag(
  octokit: Octokit,
  config: Pick<DeployConfig, 'packageOrg' | 'packageName' | 'tagPattern'>,
): Promise<string> {
  let versions: PackageVersion[];
  try {
    versions = await octokit.paginate(octokit.rest.packages.getAllPackageVersionsForPackageOwnedByOrg, {
      org: config.packageOrg,
      package_type: 'container',
      package_name: config.packageName,
      per_page: 100,
    });
  } catch (err) {
    throw apiError(`Listing versions of ghcr package ${config.packageOrg}/${config.packageName}`, err);
  }
  return selectImageTag(versions, config.tagPattern).tag;
}

/**
 * Dispatches the deployment workflow with the newest release tag and finds the run it created. GitHub's
 * dispatch answers 204 without a run id, so the run is looked up by its unique `run_name` among the
 * workflow_dispatch runs on `ref` created since a minute before the dispatch, a bounded number of times.
 */
export async function dispatchDeploy(config: DeployConfig, deps: DeployDeps, log?: Logger): Promise<DispatchResult> {
  const octokit = await deps.octokit();
  const tag = await latestImageTag(octokit, config);
  const where = `${config.workflowFile} on ${config.owner}/${config.repo}@${config.ref}`;

  const dispatched = deps.clock.now();
  const dispatchedAt = dispatched.toISOString();
  try {
    await octokit.rest.actions.createWorkflowDispatch({
      owner: config.owner,
      repo: config.repo,
      workflow_id: config.workflowFile,
      ref: config.ref,
      inputs: { tag, run_name: config.runName },
    });
  } catch (err) {
    const { status, message } = describeGitHubError(err);
    if (status !== undefined && status >= 400 && status < 500) {
      throw new DeployDispatchFailedError(`Dispatching ${where} failed with HTTP ${status}: ${message}`, status);
    }
    throw apiError(`Dispatching ${where}`, err);
  }
  log?.info('Dispatched deployment', { tag, workflow: config.workflowFile, runName: config.runName });

  const lookup = deps.runLookup ?? DEFAULT_RUN_LOOKUP;
  const createdSince = githubTime(new Date(dispatched.getTime() - 60_000));
  for (let attempt = 1; attempt <= lookup.attempts; attempt += 1) {
    let runs: WorkflowRun[];
    try {
      const out = await octokit.rest.actions.listWorkflowRuns({
        owner: config.owner,
        repo: config.repo,
        workflow_id: config.workflowFile,
        event: 'workflow_dispatch',
        branch: config.ref,
        created: `>=${createdSince}`,
        per_page: 100,
      });
      runs = out.data.workflow_runs;
    } catch (err) {
      throw apiError(`Listing runs of ${where}`, err);
    }
    const run = runs
      .filter((r) => (r.display_title ?? '').includes(config.runName) || (r.name ?? '').includes(config.runName))
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
    if (run) {
      log?.info('Found deployment run', { tag, runId: run.id, runUrl: run.html_url, attempt });
      return { tag, runId: run.id, runUrl: run.html_url, dispatchedAt };
    }
    if (attempt < lookup.attempts) await deps.sleep(lookup.intervalMs);
  }
  throw new DeployRunNotFoundError(
    `Dispatched ${where} with tag ${tag}, but no run named "${config.runName}" appeared after ${lookup.attempts} ` +
      `lookups; the deployment may still be running: check the workflow's runs (the workflow must set ` +
      `run-name from the run_name input)`,
  );
}

interface WorkflowRun {
  id: number;
  name?: string | null;
  display_title?: string;
  html_url: string;
  created_at: string;
}

/**
 * One poll of the deployment run. Done on `success`; any other conclusion of a completed run throws
 * DeployFailed with the run's URL; still queued/in progress past `startedAt + maxSeconds` throws WaitTimedOut.
 */
export async function checkDeploy(
  input: CheckInput,
  deps: Pick<DeployDeps, 'octokit' | 'clock'>,
): Promise<CheckResult> {
  const { owner, repo } = input;
  const octokit = await deps.octokit();
  let run: { status: string | null; conclusion: string | null; html_url: string };
  try {
    run = (await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: input.runId })).data;
  } catch (err) {
    throw apiError(`Reading run ${input.runId} of ${owner}/${repo}`, err);
  }
  const now = deps.clock.now();
  const status = run.status ?? 'unknown';
  const conclusion = run.conclusion ?? null;
  const runUrl = run.html_url;

  const completed = status === 'completed' || conclusion !== null;
  if (completed && conclusion !== SUCCESS) {
    throw new DeployFailedError(
      `Staging API deployment run concluded "${conclusion ?? 'none'}" (status "${status}"): ${runUrl}`,
      runUrl,
    );
  }
  const done = completed;
  const elapsed = (now.getTime() - Date.parse(input.startedAt)) / 1000;
  if (!done && elapsed >= input.maxSeconds) {
    throw new WaitTimedOutError(
      `Gave up waiting for the staging API deployment after ${Math.round(elapsed / 60)} min ` +
        `(bound ${Math.round(input.maxSeconds / 60)} min); last status "${status}": ${runUrl}`,
    );
  }
  return { done, status, conclusion, runUrl, tag: input.tag, nextPollSeconds: input.pollSeconds };
}

/** One Lambda for both halves: `{ action: 'dispatch', … }` or `{ action: 'check', … }`. */
export const makeHandler = defineStep(
  'deploy-api',
  deployApiInputSchema,
  async (input, deps: DeployDeps, log: Logger): Promise<DispatchResult | CheckResult> => {
    if (input.action === 'dispatch') {
      const { action: _action, ...config } = input;
      return dispatchDeploy(config, deps, log);
    }
    const { action: _action, ...check } = input;
    const result = await checkDeploy(check, deps);
    log.info('Polled deployment run', {
      runId: input.runId,
      status: result.status,
      conclusion: result.conclusion,
      done: result.done,
    });
    return result;
  },
);

/** Real sleep for index.ts; tests inject one that advances a virtual clock. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function apiError(what: string, err: unknown): GitHubApiError {
  const { status, message } = describeGitHubError(err);
  return new GitHubApiError(`${what} failed${status !== undefined ? ` with HTTP ${status}` : ''}: ${message}`, status);
}

/** GitHub's search qualifiers take ISO 8601 without fractional seconds. */
function githubTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(
  env: NodeJS.ProcessEnv,
  clients: Pick<StepClients, 'secrets' | 'clock' | 'sleep' | 'fetch'>,
): DeployDeps {
  return {
    octokit: githubClient({
      readSecret: secretReader(clients.secrets, requireEnv('GITHUB_TOKEN_SECRET', env)),
      baseUrl: env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
      fetch: clients.fetch,
    }),
    clock: clients.clock,
    sleep: clients.sleep,
  };
}
