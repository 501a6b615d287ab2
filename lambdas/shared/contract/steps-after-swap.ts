import * as z from 'zod/mini';
import './locale';

/**
 * The inputs and results of the two steps after the swap that reach outside AWS: deploy-api (GitHub) and
 * update-index (the ingestion server). Each is one Lambda with two actions, driven by a wait loop; its input
 * says which (`action`).
 */

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

// deploy-api

export const deployConfigSchema = z.object({
  owner: nonEmpty,
  repo: nonEmpty,
  packageOrg: nonEmpty,
  packageName: nonEmpty,
  /** Workflow file name (or numeric id as a string), e.g. `deploy-staging-api.yml`. */
  workflowFile: nonEmpty,
  /** Branch the workflow runs on. */
  ref: nonEmpty,
  /** RegExp source replacing the default release-tag rule (see selectImageTag). */
  tagPattern: z.optional(
    z.string().check(
      z.minLength(1),
      z.refine((s) => isRegExp(s), { message: 'is not a valid regular expression' }),
    ),
  ),
  /** Unique per execution: sent as the `run_name` input and used to find the run the dispatch created. */
  runName: nonEmpty,
});
export type DeployConfig = z.infer<typeof deployConfigSchema>;

/** Step input, flat (no nested config): `{ action: 'dispatch', ...DeployConfig }`. */
export const deployDispatchInputSchema = z.extend(deployConfigSchema, { action: z.literal('dispatch') });
export type DeployDispatchInput = z.infer<typeof deployDispatchInputSchema>;

/** Step input: `{ action: 'check', owner, repo, runId, tag, startedAt, maxSeconds, pollSeconds }`. */
export const deployCheckInputSchema = z.object({
  action: z.literal('check'),
  owner: nonEmpty,
  repo: nonEmpty,
  runId: z.int().check(z.positive()),
  /** The tag the dispatch deployed; echoed in the result for the notification. */
  tag: nonEmpty,
  /** When the wait began (the dispatch's `dispatchedAt`); the bound counts from here. */
  startedAt: z.iso.datetime({ offset: true }),
  maxSeconds: z.number().check(z.positive()),
  pollSeconds: z.int().check(z.positive()),
});
export type DeployCheckInput = z.infer<typeof deployCheckInputSchema>;

export const deployApiInputSchema = z.discriminatedUnion('action', [deployDispatchInputSchema, deployCheckInputSchema]);
export type DeployApiInput = z.infer<typeof deployApiInputSchema>;

export const deployDispatchResultSchema = z.object({
  tag: z.string(),
  runId: z.number(),
  runUrl: z.string(),
  dispatchedAt: z.string(),
});
export type DeployDispatchResult = z.infer<typeof deployDispatchResultSchema>;

export const deployCheckResultSchema = z.object({
  done: z.boolean(),
  status: z.string(),
  conclusion: z.nullable(z.string()),
  runUrl: z.string(),
  tag: z.string(),
  nextPollSeconds: z.number(),
});
export type DeployCheckResult = z.infer<typeof deployCheckResultSchema>;

export const deployApiResultSchema = z.union([deployDispatchResultSchema, deployCheckResultSchema]);
export type DeployApiResult = z.infer<typeof deployApiResultSchema>;

// update-index

const mediaType = z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case media type such as "image"'));

export const indexStartInputSchema = z.object({
  action: z.literal('start'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  mediaTypes: z.array(mediaType).check(z.minLength(1)),
  /** Explicit override; wins over the last restore. */
  sinceDate: z.optional(z.iso.date()),
  /** Raw SSM parameter value: JSON `{"at": "<ISO time>", ...}`, or empty / absent on a first run. */
  lastRestore: z.nullish(z.string()),
  defaultSinceDate: z.iso.date(),
});
export type IndexStartInput = z.infer<typeof indexStartInputSchema>;

export const skippedTaskSchema = z.object({ mediaType, status: z.literal('skipped'), reason: z.string() });
export type SkippedTask = z.infer<typeof skippedTaskSchema>;
/** A task as `check` reads it back from the previous poll. */
const activeTaskSchema = z.object({
  mediaType,
  status: z.enum(['started', 'running', 'succeeded']),
  index: z.string(),
  indexSuffix: z.string(),
  taskId: z.string().check(z.minLength(1)),
  progress: z.optional(z.number()),
});
const taskSchema = z.union([skippedTaskSchema, activeTaskSchema]);

export const indexCheckInputSchema = z.object({
  action: z.literal('check'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  tasks: z.array(taskSchema),
  startedAt: z.iso.datetime({ offset: true }),
  maxSeconds: z.number().check(z.positive()),
  pollSeconds: z.int().check(z.positive()),
});
export type IndexCheckInput = z.infer<typeof indexCheckInputSchema>;

export const updateIndexInputSchema = z.discriminatedUnion('action', [indexStartInputSchema, indexCheckInputSchema]);
export type UpdateIndexInput = z.infer<typeof updateIndexInputSchema>;

/** An UPDATE_INDEX task just created. */
export const startedTaskSchema = z.object({
  mediaType: z.string(),
  status: z.literal('started'),
  index: z.string(),
  indexSuffix: z.string(),
  taskId: z.string(),
});
export type StartedTask = z.infer<typeof startedTaskSchema>;
/** A task as the last poll saw it. */
export const polledTaskSchema = z.object({
  mediaType: z.string(),
  status: z.enum(['running', 'succeeded']),
  index: z.string(),
  indexSuffix: z.string(),
  taskId: z.string(),
  progress: z.number(),
});
export type PolledTask = z.infer<typeof polledTaskSchema>;
export type IndexTask = SkippedTask | StartedTask | PolledTask;

/** Where the update's since_date came from. */
export const SINCE_DATE_SOURCES = ['input', 'last-restore', 'default'] as const;
export type SinceDateSource = (typeof SINCE_DATE_SOURCES)[number];

export const indexStartResultSchema = z.object({
  sinceDate: z.string(),
  sinceDateSource: z.enum(SINCE_DATE_SOURCES),
  tasks: z.array(z.union([skippedTaskSchema, startedTaskSchema])),
  startedAt: z.string(),
});
export type IndexStartResult = z.infer<typeof indexStartResultSchema>;

export const indexCheckResultSchema = z.object({
  done: z.boolean(),
  tasks: z.array(z.union([skippedTaskSchema, polledTaskSchema])),
  startedAt: z.string(),
  nextPollSeconds: z.number(),
});
export type IndexCheckResult = z.infer<typeof indexCheckResultSchema>;

export const updateIndexResultSchema = z.union([indexStartResultSchema, indexCheckResultSchema]);
export type UpdateIndexResult = z.infer<typeof updateIndexResultSchema>;
