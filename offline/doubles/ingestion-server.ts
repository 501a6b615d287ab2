import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

/** How one media type behaves. */
export interface MediaScript {
  /** The alias' target index (e.g. `image-5bb9d1cf`); undefined = the alias does not exist. */
  index?: string;
  /** Progress reported by successive GETs of the task; active until the last one, which repeats. */
  progress?: number[];
  /** The task's last state reports `error: true`. */
  error?: boolean;
  /** Answer every request about this media type with this status (and a text body). */
  failWith?: number;
  /** Answer GET /stat with this body verbatim (malformed responses). */
  statBody?: unknown;
}

interface Task {
  id: string;
  media: string;
  polled: number;
}

/**
 * A local double of the three ingestion-server endpoints. It checks method, path, content-type and the exact
 * JSON body of every POST, records every request, and answers anything unexpected with 400 AND an entry in
 * `problems`, which tests assert to be empty.
 */
export class IngestionServer {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  media: Record<string, MediaScript> = {};
  /** When set, POST /task must carry exactly this since_date. */
  expectSinceDate?: string;

  private readonly tasks = new Map<string, Task>();
  private nextTask = 1;
  private server?: http.Server;

  /** Back to a fresh server's state: nothing recorded, no media types, no tasks. Task ids keep counting. */
  reset(): void {
    this.requests.length = 0;
    this.problems.length = 0;
    this.media = {};
    this.expectSinceDate = undefined;
    this.tasks.clear();
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((err) => (err ? reject(err) : resolve())));
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const method = req.method ?? '';
    const path = req.url ?? '';
    let body: unknown = raw;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        // recorded as text
      }
    }
    const send = (status: number, payload: unknown) => {
      this.requests.push({ method, path, headers: req.headers, body, status });
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    };
    const problem = (message: string) => {
      this.problems.push(`${method} ${path}: ${message}`);
      send(400, { message });
    };

    let m: RegExpMatchArray | null;
    if ((m = path.match(/^\/stat\/([^/?]+)$/))) {
      if (method !== 'GET') return problem('stat must be GET');
      const script = this.media[decodeURIComponent(m[1]!)];
      if (!script) return problem('unknown media type');
      if (script.failWith) return send(script.failWith, 'Internal Server Error: stat exploded');
      if (script.statBody !== undefined) return send(200, script.statBody);
      if (!script.index) return send(200, { exists: false });
      // As upstream's es_helpers.get_stat answers for an alias: the index name as a plain string.
      return send(200, { exists: true, is_alias: true, alt_names: script.index });
    }
    if (path === '/task') {
      if (method !== 'POST') return problem('task creation must be POST');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return problem(`content-type is ${req.headers['content-type']}`);
      }
      if (typeof body !== 'object' || body === null) return problem('body is not JSON');
      const b = body as Record<string, unknown>;
      const keys = Object.keys(b).sort().join(',');
      if (keys !== 'action,index_suffix,model,since_date') return problem(`unexpected body keys ${keys}`);
      if (b.action !== 'UPDATE_INDEX') return problem(`action ${String(b.action)}`);
      const script = this.media[String(b.model)];
      if (!script?.index) return problem(`model ${String(b.model)} has no index`);
      if (script.failWith) return send(script.failWith, 'Internal Server Error');
      const expectedSuffix = script.index.slice(script.index.indexOf('-') + 1);
      if (b.index_suffix !== expectedSuffix) return problem(`index_suffix ${String(b.index_suffix)}`);
      if (typeof b.since_date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(b.since_date)) {
        return problem(`since_date ${String(b.since_date)}`);
      }
      if (this.expectSinceDate && b.since_date !== this.expectSinceDate) {
        return problem(`since_date ${b.since_date}, expected ${this.expectSinceDate}`);
      }
      const id = `task-${this.nextTask++}-${String(b.model)}`;
      this.tasks.set(id, { id, media: String(b.model), polled: 0 });
      return send(202, { message: 'Sent UPDATE_INDEX task', task_id: id, status_check: `${this.url}/task/${id}` });
    }
    if ((m = path.match(/^\/task\/([^/?]+)$/))) {
      if (method !== 'GET') return problem('task status must be GET');
      const task = this.tasks.get(decodeURIComponent(m[1]!));
      if (!task) return send(404, { message: 'No task found' });
      const script = this.media[task.media]!;
      const seq = script.progress ?? [100];
      const i = Math.min(task.polled++, seq.length - 1);
      const last = i === seq.length - 1;
      return send(200, {
        task_id: task.id,
        active: !last,
        error: last && !!script.error,
        progress: seq[i],
        finish_time: last ? '2024-06-01T00:00:00' : null,
      });
    }
    return problem('unknown endpoint');
  }

  /** A port that was just free: connecting to it is refused. */
  static async closedPort(): Promise<string> {
    const s = await new IngestionServer().start();
    const url = s.url;
    await s.stop();
    return url;
  }
}
