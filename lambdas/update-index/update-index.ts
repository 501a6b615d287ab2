import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import type { Clock } from '../shared/clock';
import {
  type IndexCheckInput,
  type IndexCheckResult,
  type IndexStartInput,
  type IndexStartResult,
  type IndexTask,
  type PolledTask,
  type SinceDateSource,
  type SkippedTask,
  type StartedTask,
  type UpdateIndexInput,
  updateIndexInputSchema,
} from '../shared/contract/steps-after-swap';
import { defineStep } from '../shared/handler';
import { IndexUpdateFailedError, WaitTimedOutError } from './errors';
import { type Fetch, IngestionClient } from './ingestion';
import type { StepClients } from '../shared/clients';

/**
 * After the staging DB is recreated, Openverse's ingestion server must bring each media type's Elasticsearch
 * index up to date with rows changed since a date. One Lambda, two actions, driven by a wait loop:
 * `start` (stat each alias, POST an UPDATE_INDEX task per existing index) → Wait → `check` (poll every
 * unfinished task once) → … until `done`. `check`'s output carries `tasks` and `startedAt` so it can be fed
 * back as the next `check` input.
 */
export interface UpdateIndexDeps {
  /** Defaults to the global fetch. */
  fetch?: Fetch;
  clock: Clock;
}

/** The contract's types (lambdas/shared/contract), under the names this file's functions use. */
export type StartInput = IndexStartInput;
export type CheckInput = IndexCheckInput;
export type StartResult = IndexStartResult;
export type CheckResult = IndexCheckResult;
export type { IndexTask, PolledTask, SinceDateSource, SkippedTask, StartedTask, UpdateIndexInput };

/** `image-5bb9d1cf` → `5bb9d1cf`; `image-init-xyz` → `init-xyz` (everything after the FIRST `-`). */
export function indexSuffix(index: string): string {
  const dash = index.indexOf('-');
  const suffix = dash < 0 ? '' : index.slice(dash + 1);
  if (suffix === '') throw new IndexUpdateFailedError(`Index name "${index}" has no "-<suffix>" part`);
  return suffix;
}

/** since_date: the explicit input, else the UTC date of the last restore's `at`, else the default. */
export function resolveSinceDate(input: Pick<StartInput, 'sinceDate' | 'lastRestore' | 'defaultSinceDate'>): {
  sinceDate: string;
  sinceDateSource: SinceDateSource;
} {
  if (input.sinceDate) return { sinceDate: input.sinceDate, sinceDateSource: 'input' };
  const at = lastRestoreTime(input.lastRestore);
  if (at) return { sinceDate: at.toISOString().slice(0, 10), sinceDateSource: 'last-restore' };
  return { sinceDate: input.defaultSinceDate, sinceDateSource: 'default' };
}

function lastRestoreTime(raw: string | null | undefined): Date | undefined {
  if (!raw?.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const at = (parsed as { at?: unknown } | null)?.at;
  if (!z.iso.datetime({ offset: true }).safeParse(at).success) return undefined;
  const time = new Date(at as string);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

export async function startIndexUpdates(input: StartInput, deps: UpdateIndexDeps): Promise<StartResult> {
  const client = new IngestionClient(input.baseUrl, deps.fetch);
  const { sinceDate, sinceDateSource } = resolveSinceDate(input);
  const startedAt = deps.clock.now().toISOString();
  const tasks: StartResult['tasks'] = [];
  for (const media of input.mediaTypes) {
    const stat = await client.stat(media);
    if (!stat.exists) {
      tasks.push({ mediaType: media, status: 'skipped', reason: `no index or alias "${media}" exists` });
      continue;
    }
    if (!stat.is_alias) {
      throw new IndexUpdateFailedError(
        `"${media}" is a concrete index, not an alias; cannot tell which suffixed index to update`,
      );
    }
    const index = typeof stat.alt_names === 'string' ? stat.alt_names : stat.alt_names[0]!;
    const suffix = indexSuffix(index);
    const taskId = await client.startUpdate({
      model: media,
      action: 'UPDATE_INDEX',
      index_suffix: suffix,
      since_date: sinceDate,
    });
    tasks.push({ mediaType: media, status: 'started', index, indexSuffix: suffix, taskId });
  }
  return { sinceDate, sinceDateSource, tasks, startedAt };
}

export async function checkIndexUpdates(input: CheckInput, deps: UpdateIndexDeps): Promise<CheckResult> {
  const client = new IngestionClient(input.baseUrl, deps.fetch);
  const tasks: CheckResult['tasks'] = [];
  for (const task of input.tasks) {
    if (task.status === 'skipped') {
      tasks.push(task);
      continue;
    }
    const { mediaType: media, index, indexSuffix: suffix, taskId } = task;
    if (task.status === 'succeeded') {
      tasks.push({
        mediaType: media,
        status: 'succeeded',
        index,
        indexSuffix: suffix,
        taskId,
        progress: task.progress ?? 100,
      });
      continue;
    }
    const status = await client.taskStatus(taskId);
    if (status.error) {
      throw new IndexUpdateFailedError(
        `Index update of ${media} (index ${index}) failed: ingestion task ${taskId} reported an error at ${status.progress}%`,
      );
    }
    tasks.push({
      mediaType: media,
      status: status.active ? 'running' : 'succeeded',
      index,
      indexSuffix: suffix,
      taskId,
      progress: status.progress,
    });
  }
  const done = tasks.every((t) => t.status !== 'running');
  const elapsed = (deps.clock.now().getTime() - Date.parse(input.startedAt)) / 1000;
  if (!done && elapsed >= input.maxSeconds) {
    const running = tasks
      .filter((t): t is PolledTask => t.status === 'running')
      .map((t) => `${t.mediaType} task ${t.taskId} at ${t.progress}%`);
    throw new WaitTimedOutError(
      `Gave up waiting for the index updates after ${Math.round(elapsed / 60)} min (bound ${Math.round(input.maxSeconds / 60)} min); still running: ${running.join(', ')}`,
    );
  }
  return { done, tasks, startedAt: input.startedAt, nextPollSeconds: input.pollSeconds };
}

export const makeHandler = defineStep(
  'update-index',
  updateIndexInputSchema,
  async (input, deps: UpdateIndexDeps, log: Logger): Promise<StartResult | CheckResult> => {
    if (input.action === 'start') {
      const result = await startIndexUpdates(input, deps);
      log.info('Started index updates', {
        sinceDate: result.sinceDate,
        sinceDateSource: result.sinceDateSource,
        tasks: result.tasks,
      });
      return result;
    }
    const result = await checkIndexUpdates(input, deps);
    log.info('Polled index updates', { done: result.done, tasks: result.tasks });
    return result;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(_env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'fetch' | 'clock'>): UpdateIndexDeps {
  return { fetch: clients.fetch, clock: clients.clock };
}
