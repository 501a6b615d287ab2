import * as z from 'zod/mini';
import { IndexUpdateFailedError, IngestionServerUnavailableError } from './errors';

/** Per-request bound; the Lambda's own timeout is far longer. */
export const REQUEST_TIMEOUT_MS = 10_000;

export type Fetch = typeof globalThis.fetch;

/** `GET /stat/<media_type>`: whether the media type's alias exists, and the index it points to. */
const statSchema = z.discriminatedUnion('exists', [
  z.object({ exists: z.literal(false) }),
  z.object({
    exists: z.literal(true),
    is_alias: z.boolean(),
    // Upstream's get_stat returns the index name as a plain string for an alias; accept a list too.
    alt_names: z.union([
      z.string().check(z.minLength(1)),
      z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    ]),
  }),
]);
export type IndexStat = z.infer<typeof statSchema>;

/** `POST /task` (202). */
const taskCreatedSchema = z.object({ message: z.optional(z.string()), task_id: z.string().check(z.minLength(1)) });

/** `GET /task/<task_id>`. */
const taskStatusSchema = z.object({
  task_id: z.optional(z.string()),
  active: z.boolean(),
  error: z.boolean(),
  progress: z.number(),
});
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export interface UpdateIndexRequest {
  model: string;
  action: 'UPDATE_INDEX';
  index_suffix: string;
  since_date: string;
}

/**
 * A thin client of the three ingestion-server endpoints the step uses. Network failures, timeouts and 5xx
 * become IngestionServerUnavailable; 4xx and responses that fail their schema become IndexUpdateFailed.
 */
export class IngestionClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly fetchFn: Fetch = globalThis.fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  stat(mediaType: string): Promise<IndexStat> {
    return this.call('GET', `/stat/${encodeURIComponent(mediaType)}`, statSchema);
  }

  async startUpdate(body: UpdateIndexRequest): Promise<string> {
    return (await this.call('POST', '/task', taskCreatedSchema, body)).task_id;
  }

  taskStatus(taskId: string): Promise<TaskStatus> {
    return this.call('GET', `/task/${encodeURIComponent(taskId)}`, taskStatusSchema);
  }

  private async call<S extends z.ZodMiniType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const url = `${this.baseUrl}${path}`;
    const what = `${method} ${url}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, {
        method,
        headers:
          body === undefined
            ? { accept: 'application/json' }
            : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw new IngestionServerUnavailableError(`Ingestion server unreachable: ${what}: ${describeCause(err)}`, {
        cause: err,
      });
    }
    if (res.status >= 500) {
      throw new IngestionServerUnavailableError(
        `Ingestion server failed: ${what} answered ${res.status}: ${excerpt(text)}`,
      );
    }
    if (!res.ok) {
      throw new IndexUpdateFailedError(`Ingestion server refused ${what}: ${res.status}: ${excerpt(text)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new IndexUpdateFailedError(
        `Ingestion server ${what} answered ${res.status} with non-JSON: ${excerpt(text)}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new IndexUpdateFailedError(
        `Ingestion server ${what} answered an unexpected body: field ${issue.path.join('.') || '(root)'}: ${issue.message}: ${excerpt(text)}`,
      );
    }
    return parsed.data;
  }
}

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * undici reports "fetch failed" and hides the useful part (ECONNREFUSED, …) in `cause`. Duck-typed: errors
 * from another realm (jest's sandbox) are not `instanceof Error`.
 */
function describeCause(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (typeof e?.message !== 'string') return String(err);
  if (e.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = e.cause;
  if (cause && (typeof cause.code === 'string' || typeof cause.message === 'string')) {
    const code = typeof cause.code === 'string' ? cause.code : undefined;
    const detail = typeof cause.message === 'string' ? cause.message : '';
    return `${e.message} (${[code, detail].filter(Boolean).join(': ')})`;
  }
  return e.message;
}
