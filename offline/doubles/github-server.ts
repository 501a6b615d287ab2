import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A container package version as GitHub returns it. */
export interface VersionSpec {
  id: number;
  created_at: string;
  tags: string[];
}

export interface RunState {
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'pending';
  conclusion?: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'action_required' | 'startup_failure' | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface GitHubServerOptions {
  token: string;
  owner?: string;
  repo?: string;
  packageOrg?: string;
  packageName?: string;
  workflowFile?: string;
  /** Largest page the server hands out, whatever per_page asks (GitHub's cap is 100). */
  maxPerPage?: number;
  /** Server time, for run `created_at` (the tests' virtual clock). */
  now?: () => Date;
}

interface Run {
  id: number;
  name: string;
  display_title: string;
  head_branch: string;
  event: string;
  created_at: string;
  /** Listing calls (after its creation) that must pass before the run shows up in the list. */
  hiddenForListings: number;
  states: RunState[];
  polled: number;
  dispatched: boolean;
}

const DOCS = 'https://docs.github.com/rest';

/**
 * A local double of the few GitHub REST endpoints the deploy step uses. It checks method, path, query,
 * the `authorization: token|bearer <t>` header and the JSON body of every request, records them all, and
 * answers like GitHub (JSON bodies, `Link` headers, 204 for a dispatch). Anything it does not expect is
 * answered with an error AND listed in `problems`, which tests assert to be empty.
 */
/** A dispatched run that is queued, then in progress, then completes successfully. */
function successfulRun(): RunState[] {
  return [{ status: 'queued' }, { status: 'in_progress' }, { status: 'completed', conclusion: 'success' }];
}

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  versions: VersionSpec[] = [];
  /** The next dispatch fails with this status and GitHub-style error body. */
  dispatchFailure?: { status: number; message: string };
  /** A run created by the next dispatch is visible only from this listing on (1 = the first). */
  runAppearsOnListing = 1;
  /** Status sequence of dispatched runs: each GET of the run advances one step; the last one repeats. */
  runStates: RunState[] = successfulRun();
  /** Echo the Authorization header in error messages (a misbehaving proxy): the client must scrub it. */
  echoAuthorizationInErrors = false;

  private readonly runs: Run[] = [];
  private nextRunId = 9_000_000_001;
  private server?: http.Server;
  private readonly o: Required<GitHubServerOptions>;

  constructor(options: GitHubServerOptions) {
    this.o = {
      owner: 'WordPress',
      repo: 'openverse',
      packageOrg: 'WordPress',
      packageName: 'openverse-api',
      workflowFile: 'deploy-staging-api.yml',
      maxPerPage: 100,
      now: () => new Date(),
      ...options,
    };
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('GitHubServer is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /**
   * Back to a fresh server's state: nothing recorded, no versions, no runs, every knob at its default. Run ids
   * keep counting, so an id is never reused within one server's life.
   */
  reset(): void {
    this.requests.length = 0;
    this.problems.length = 0;
    this.versions = [];
    this.dispatchFailure = undefined;
    this.runAppearsOnListing = 1;
    this.runStates = successfulRun();
    this.echoAuthorizationInErrors = false;
    this.runs.length = 0;
  }

  /** Adds a run that exists before the dispatch (someone else's deployment, an older execution). */
  addRun(run: {
    display_title: string;
    created_at: string;
    head_branch?: string;
    event?: string;
    states?: RunState[];
  }): number {
    const id = this.nextRunId++;
    this.runs.push({
      id,
      name: 'Deployment: staging-api',
      display_title: run.display_title,
      head_branch: run.head_branch ?? 'main',
      event: run.event ?? 'workflow_dispatch',
      created_at: run.created_at,
      hiddenForListings: 0,
      states: run.states ?? [{ status: 'completed', conclusion: 'success' }],
      polled: 0,
      dispatched: false,
    });
    return id;
  }

  /** Ids of the runs the dispatches created, oldest first. */
  dispatchedRunIds(): number[] {
    return this.runs.filter((r) => r.dispatched).map((r) => r.id);
  }

  requestsTo(method: string, pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve, reject) => this.server!.close((err) => (err ? reject(err) : resolve())));
    this.server = undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: undefined,
      status: 0,
    };
    this.requests.push(record);
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const common = { 'x-github-media-type': 'github.v3; format=json', 'x-ratelimit-remaining': '4999' };
      if (body === undefined) {
        res.writeHead(status, { ...common, ...headers }).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...common, ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string, docs = DOCS) => {
      const echoed = this.echoAuthorizationInErrors ? ` (sent: ${req.headers.authorization ?? 'none'})` : '';
      reply(status, { message: `${message}${echoed}`, documentation_url: docs, status: String(status) });
    };
    const problem = (status: number, message: string) => {
      this.problems.push(`${record.method} ${url.pathname}${url.search}: ${message}`);
      fail(status, message);
    };

    const auth = /^(token|bearer) (.+)$/i.exec(req.headers.authorization ?? '');
    if (!auth || auth[2] !== this.o.token) {
      fail(401, 'Bad credentials', 'https://docs.github.com/rest');
      return;
    }
    if (!/application\/vnd\.github|application\/json/.test(req.headers.accept ?? '')) {
      problem(415, `unexpected accept header ${req.headers.accept ?? '(none)'}`);
      return;
    }
    if (raw) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) {
        problem(415, 'body sent without content-type application/json');
        return;
      }
      try {
        record.body = JSON.parse(raw);
      } catch {
        problem(400, 'Problems parsing JSON');
        return;
      }
    }

    const { owner, repo, packageOrg, packageName, workflowFile } = this.o;
    const parts = url.pathname.split('/').map(decodeURIComponent);
    const route = (pattern: string) => {
      const want = pattern.split('/');
      if (want.length !== parts.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < want.length; i += 1) {
        const w = want[i]!;
        if (w.startsWith(':')) params[w.slice(1)] = parts[i]!;
        else if (w !== parts[i]) return undefined;
      }
      return params;
    };

    let p: Record<string, string> | undefined;
    if ((p = route('/orgs/:org/packages/:type/:name/versions'))) {
      if (req.method !== 'GET') return problem(404, `method ${req.method} on a package version list`);
      if (p.org !== packageOrg || p.type !== 'container' || p.name !== packageName)
        return fail(404, 'Package not found.');
      return this.listVersions(url, record, reply, problem);
    }
    if ((p = route('/repos/:owner/:repo/actions/workflows/:workflow/dispatches'))) {
      if (req.method !== 'POST') return problem(404, `method ${req.method} on dispatches`);
      if (p.owner !== owner || p.repo !== repo || p.workflow !== workflowFile) return fail(404, 'Not Found');
      return this.dispatch(record, reply, fail, problem);
    }
    if ((p = route('/repos/:owner/:repo/actions/workflows/:workflow/runs'))) {
      if (req.method !== 'GET') return problem(404, `method ${req.method} on workflow runs`);
      if (p.owner !== owner || p.repo !== repo || p.workflow !== workflowFile) return fail(404, 'Not Found');
      return this.listRuns(record, reply, problem);
    }
    if ((p = route('/repos/:owner/:repo/actions/runs/:id'))) {
      if (req.method !== 'GET') return problem(404, `method ${req.method} on a run`);
      const run = this.runs.find((r) => String(r.id) === p!.id);
      if (p.owner !== owner || p.repo !== repo || !run) return fail(404, 'Not Found');
      const state = run.states[Math.min(run.polled, run.states.length - 1)]!;
      run.polled += 1;
      return reply(200, this.runJson(run, state));
    }
    problem(404, 'Not Found');
  }

  private listVersions(
    url: URL,
    record: RecordedRequest,
    reply: (status: number, body?: unknown, headers?: Record<string, string>) => void,
    problem: (status: number, message: string) => void,
  ): void {
    const allowed = new Set(['per_page', 'page', 'state']);
    const extra = Object.keys(record.query).filter((k) => !allowed.has(k));
    if (extra.length) return problem(422, `unexpected query ${extra.join(',')}`);
    const perPage = Math.min(Number(record.query.per_page ?? 30), this.o.maxPerPage);
    const page = Number(record.query.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || !Number.isInteger(page) || page < 1) {
      return problem(422, 'bad per_page/page');
    }
    const pages = Math.max(1, Math.ceil(this.versions.length / perPage));
    const items = this.versions.slice((page - 1) * perPage, page * perPage).map((v) => {
      const digest = `sha256:${v.id.toString(16).padStart(64, '0')}`;
      return {
        id: v.id,
        name: digest,
        url: `https://api.github.com/orgs/${this.o.packageOrg}/packages/container/${this.o.packageName}/versions/${v.id}`,
        package_html_url: `https://github.com/orgs/${this.o.packageOrg}/packages/container/package/${this.o.packageName}`,
        created_at: v.created_at,
        updated_at: v.created_at,
        html_url: `https://github.com/orgs/${this.o.packageOrg}/packages/container/${this.o.packageName}/${v.id}`,
        metadata: { package_type: 'container', container: { tags: v.tags } },
      };
    });
    const link = (n: number, rel: string) => {
      const u = new URL(url.pathname, this.url);
      u.searchParams.set('per_page', String(record.query.per_page ?? perPage));
      u.searchParams.set('page', String(n));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < pages) links.push(link(page + 1, 'next'), link(pages, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    reply(200, items, links.length ? { link: links.join(', ') } : {});
  }

  private dispatch(
    record: RecordedRequest,
    reply: (status: number, body?: unknown) => void,
    fail: (status: number, message: string, docs?: string) => void,
    problem: (status: number, message: string) => void,
  ): void {
    const body = record.body as { ref?: unknown; inputs?: Record<string, unknown> } | undefined;
    if (!body || typeof body.ref !== 'string') return problem(422, 'Invalid request: "ref" wasn\'t supplied.');
    const keys = Object.keys(body).sort().join(',');
    if (keys !== 'inputs,ref') return problem(422, `unexpected body keys ${keys}`);
    const inputs = body.inputs ?? {};
    if (Object.values(inputs).some((v) => typeof v !== 'string')) return problem(422, 'inputs must be strings');
    if (this.dispatchFailure) {
      const { status, message } = this.dispatchFailure;
      this.dispatchFailure = undefined;
      return fail(status, message, `${DOCS}/actions/workflows#create-a-workflow-dispatch-event`);
    }
    const unexpected = Object.keys(inputs).filter((k) => k !== 'tag' && k !== 'run_name');
    if (unexpected.length) return fail(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    if (typeof inputs.tag !== 'string' || !inputs.tag) return fail(422, "Required input 'tag' not provided");
    const created = new Date(this.o.now().getTime() + 2_000);
    this.runs.push({
      id: this.nextRunId++,
      name: 'Deployment: staging-api',
      // The workflow sets `run-name: ${{ inputs.run_name }}`.
      display_title: String(inputs.run_name ?? 'Deployment: staging-api'),
      head_branch: body.ref.replace(/^refs\/heads\//, ''),
      event: 'workflow_dispatch',
      created_at: created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      hiddenForListings: this.runAppearsOnListing - 1,
      states: this.runStates,
      polled: 0,
      dispatched: true,
    });
    reply(204);
  }

  private listRuns(
    record: RecordedRequest,
    reply: (status: number, body?: unknown) => void,
    problem: (status: number, message: string) => void,
  ): void {
    const q = record.query;
    const allowed = new Set(['event', 'branch', 'created', 'per_page', 'page', 'status', 'actor']);
    const extra = Object.keys(q).filter((k) => !allowed.has(k));
    if (extra.length) return problem(422, `unexpected query ${extra.join(',')}`);
    let since = Number.NEGATIVE_INFINITY;
    if (q.created !== undefined) {
      const m = /^>=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(q.created);
      if (!m) return problem(422, `created must be ">=YYYY-MM-DDTHH:MM:SSZ", got ${q.created}`);
      since = Date.parse(m[1]!);
    }
    const visible = this.runs.filter((r) => {
      if (r.hiddenForListings > 0) {
        r.hiddenForListings -= 1;
        return false;
      }
      return (
        (q.event === undefined || r.event === q.event) &&
        (q.branch === undefined || r.head_branch === q.branch) &&
        Date.parse(r.created_at) >= since
      );
    });
    visible.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const perPage = Math.min(Number(q.per_page ?? 30), 100);
    reply(200, {
      total_count: visible.length,
      workflow_runs: visible
        .slice(0, perPage)
        .map((r) => this.runJson(r, r.states[Math.min(r.polled, r.states.length - 1)]!)),
    });
  }

  private runJson(run: Run, state: RunState) {
    const { owner, repo, workflowFile } = this.o;
    const api = `https://api.github.com/repos/${owner}/${repo}`;
    return {
      id: run.id,
      name: run.name,
      node_id: `WFR_kwLO${run.id}`,
      head_branch: run.head_branch,
      head_sha: '7c1d9e6f3a0b2c4d5e6f708192a3b4c5d6e7f809',
      path: `.github/workflows/${workflowFile}`,
      display_title: run.display_title,
      run_number: run.id % 1000,
      event: run.event,
      status: state.status,
      conclusion: state.status === 'completed' ? (state.conclusion ?? null) : null,
      workflow_id: 42424242,
      url: `${api}/actions/runs/${run.id}`,
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${run.id}`,
      created_at: run.created_at,
      updated_at: run.created_at,
      run_attempt: 1,
      run_started_at: run.created_at,
      jobs_url: `${api}/actions/runs/${run.id}/jobs`,
      logs_url: `${api}/actions/runs/${run.id}/logs`,
      workflow_url: `${api}/actions/workflows/42424242`,
    };
  }
}
