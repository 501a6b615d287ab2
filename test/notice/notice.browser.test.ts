import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { readStatus } from '../../lambdas/status/status';
import { defaultState, fakeAws, type FakeAwsState, lastRestoreRecord, SOURCES } from '../support/status-fakes';

/**
 * The Django admin notice in a real browser: Debian's Chromium (driven by playwright-core) against a real
 * Django admin (Debian's python3-django) with the drop-in installed as docs/django-notice.md says, reading a local
 * status server whose answers are made by the real status module (lambdas/status) from fake AWS state.
 * The status server answers CORS like the Function URL: only for the allowed origin.
 *
 * Needs /usr/bin/chromium and python3-django: `bash .ci/run` installs them; without them this test fails and
 * says how to install them (it does not skip).
 */
const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
/** Debian's Python, which sees python3-django (a pyenv or venv `python3` on PATH would not). */
const PYTHON = process.env.NOTICE_PYTHON ?? '/usr/bin/python3';
const ARTIFACTS = path.join(ROOT, 'artifacts', 'notice');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const INSTALL_HINT =
  'The notice browser test needs Debian packages: apt-get update && apt-get install -y chromium python3-django ' +
  '(bash .ci/run installs them before npm test).';

interface Scenario {
  now: string;
  /** What the status server does: answer the status of `aws`, refuse the connection, or allow another origin. */
  server: 'ok' | 'down' | 'wrong-origin';
  aws?: FakeAwsState;
  expected: string[];
  state: string;
}

const NOV_RESTORE = lastRestoreRecord('2026-11-01T00:41:00.000Z', 'nov', '2026-10-31T06:12:00.000Z');
const novSucceeded = () =>
  defaultState({
    executions: [
      { name: 'nov', status: 'SUCCEEDED', startDate: '2026-11-01T00:00:04Z', stopDate: '2026-11-01T00:52:00Z' },
    ],
  });

const SCENARIOS: Record<string, Scenario> = {
  normal: {
    now: '2026-11-25T00:00:00Z',
    server: 'ok',
    aws: (() => {
      const s = novSucceeded();
      s.parameters.set(SOURCES.lastRestoreParameterName, NOV_RESTORE);
      return s;
    })(),
    state: 'scheduled',
    expected: [
      'Staging database will be recreated from production on Tue 1 Dec 2026, 00:00 UTC (in 6 days).',
      'All changes made in staging will be lost.',
      "Staging currently holds production's data of Sat 31 Oct 2026 (recreated Sun 1 Nov 2026).",
      'To skip it: set SSM parameter /staging-db-restore/skip to true (how to).',
    ],
  },
  'skip-on': {
    now: '2026-11-25T00:00:00Z',
    server: 'ok',
    aws: (() => {
      const s = novSucceeded();
      s.parameters.set(SOURCES.skipParameterName, 'true');
      return s;
    })(),
    state: 'skipped',
    expected: [
      'The next scheduled recreation of the staging database from production (Tue 1 Dec 2026, 00:00 UTC, in 6 days) ' +
        'will be skipped: SSM parameter /staging-db-restore/skip is true. Set it to false to let it run.',
    ],
  },
  'last-run-failed': {
    now: '2026-11-25T00:00:00Z',
    server: 'ok',
    aws: defaultState({
      executions: [
        {
          name: 'nov',
          status: 'FAILED',
          startDate: '2026-11-01T00:00:04Z',
          stopDate: '2026-11-01T00:03:00Z',
          error: 'NoProductionSnapshot',
        },
      ],
    }),
    state: 'failed',
    expected: [
      'The last recreation attempt (Sun 1 Nov 2026, 00:00 UTC) failed (NoProductionSnapshot).',
      'Staging database will be recreated from production on Tue 1 Dec 2026, 00:00 UTC (in 6 days).',
    ],
  },
  'status-down': {
    now: '2026-11-25T00:00:00Z',
    server: 'down',
    state: 'unknown',
    expected: [
      'Staging database will be recreated from production on Tue 1 Dec 2026, 00:00 UTC (in 6 days), according to its schedule.',
      'The restore status cannot be reached right now, so whether this run will be skipped is unknown.',
      'To skip it: set SSM parameter /staging-db-restore/skip to true (how to).',
    ],
  },
  'last-day-of-month': {
    now: '2026-11-30T19:00:00Z',
    server: 'ok',
    aws: novSucceeded(),
    state: 'scheduled',
    expected: ['Staging database will be recreated from production on Tue 1 Dec 2026, 00:00 UTC (in 5 hours).'],
  },
  // Not one of the five states, but it shows CORS matters: an origin the status source does not allow is down.
  'origin-not-allowed': {
    now: '2026-11-25T00:00:00Z',
    server: 'wrong-origin',
    aws: novSucceeded(),
    state: 'unknown',
    expected: ['according to its schedule.', 'whether this run will be skipped is unknown.'],
  },
};

let statusServer: http.Server;
let django: ChildProcess | undefined;
let djangoOrigin: string;
let browser: BrowserContext | undefined;
let page: Page;
let current: { scenario: Scenario; body: string } | undefined;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notice-test-'));
const screenshots: string[] = [];

function requirePrerequisites(): void {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. ${INSTALL_HINT}`);
  const py = spawnSync(PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`Django is not importable by ${PYTHON} (${py.stderr.trim()}). ${INSTALL_HINT}`);
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function djangoEnv(statusUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [path.join(ROOT, 'test', 'notice'), path.join(ROOT, 'django-notice')].join(path.delimiter),
    DJANGO_SETTINGS_MODULE: 'django_site.settings',
    NOTICE_TEST_DIR: workDir,
    STAGING_DB_RESTORE_STATUS_URL: statusUrl,
    DJANGO_SUPERUSER_PASSWORD: 'admin-test-password',
  };
}

function manage(env: NodeJS.ProcessEnv, ...args: string[]): void {
  const run = spawnSync(PYTHON, ['-m', 'django', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`django-admin ${args.join(' ')} failed: ${run.stderr}`);
}

async function waitForHttp(url: string, deadline: number): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The status bodies, made by the real status module from each scenario's fake AWS state at its time. */
async function statusBody(scenario: Scenario): Promise<string> {
  if (!scenario.aws) return '';
  const aws = fakeAws(scenario.aws);
  try {
    const status = await readStatus(SOURCES, { ...aws.clients, clock: { now: () => new Date(scenario.now) } });
    return JSON.stringify(status);
  } finally {
    aws.restore();
  }
}

beforeAll(async () => {
  requirePrerequisites();
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  statusServer = http.createServer((req, res) => {
    if (!current || current.scenario.server === 'down') {
      req.socket.destroy();
      return;
    }
    // Like the Function URL's CORS configuration: the allow-origin header only for an allowed origin.
    const allowed = current.scenario.server === 'wrong-origin' ? 'https://admin.example.org' : djangoOrigin;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
    if (req.headers.origin === allowed) headers['Access-Control-Allow-Origin'] = allowed;
    res.writeHead(200, headers).end(current.body);
  });
  const statusUrl = `http://127.0.0.1:${await listen(statusServer)}/`;

  const port = await freePort();
  djangoOrigin = `http://127.0.0.1:${port}`;
  const env = djangoEnv(statusUrl);
  manage(env, 'migrate', '--noinput', '-v', '0');
  manage(env, 'createsuperuser', '--noinput', '--username', 'admin', '--email', 'admin@example.org');
  django = spawn(PYTHON, ['-m', 'django', 'runserver', '--noreload', '--nothreading', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let djangoLog = '';
  django.stderr!.on('data', (chunk: Buffer) => (djangoLog = (djangoLog + chunk.toString()).slice(-4000)));
  await waitForHttp(`${djangoOrigin}/admin/login/`, Date.now() + 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; Django said: ${djangoLog}`);
  });

  // A fresh profile each run (playwright passes it to Chromium as --user-data-dir).
  browser = await chromium.launchPersistentContext(path.join(workDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 700 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${djangoOrigin}/admin/login/`);
  await page.fill('#id_username', 'admin');
  await page.fill('#id_password', 'admin-test-password');
  await Promise.all([page.waitForURL(`${djangoOrigin}/admin/`), page.click('input[type="submit"]')]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  django?.kill('SIGTERM');
  await new Promise((resolve) => (statusServer ? statusServer.close(resolve) : resolve(undefined)));
  fs.rmSync(workDir, { recursive: true, force: true });
  if (screenshots.length) console.log(`Notice screenshots:\n${screenshots.join('\n')}`);
});

async function show(name: string, pathname = '/admin/'): Promise<{ text: string; state: string | null }> {
  const scenario = SCENARIOS[name]!;
  current = { scenario, body: await statusBody(scenario) };
  await page.clock.setFixedTime(new Date(scenario.now));
  await page.goto(`${djangoOrigin}${pathname}`);
  const notice = page.locator('#staging-db-restore-notice[data-notice-state]');
  await notice.waitFor({ timeout: 10_000 });
  const text = (await page.getByRole('status').innerText()).replace(/\s+/g, ' ').trim();
  return { text, state: await notice.getAttribute('data-notice-state') };
}

async function screenshot(name: string): Promise<void> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1200, height: 260 } });
  screenshots.push(path.relative(process.cwd(), file));
}

describe('the Django admin notice in Chromium', () => {
  it.each(Object.keys(SCENARIOS))('%s', async (name) => {
    // Arrange / Act
    const { text, state } = await show(name);
    await screenshot(name);

    // Assert
    for (const sentence of SCENARIOS[name]!.expected) expect(text).toContain(sentence);
    expect(state).toBe(SCENARIOS[name]!.state);
  });

  it('is on every admin page (a change list too), above the page content, with the help link', async () => {
    // Act
    const { text } = await show('normal', '/admin/auth/user/');

    // Assert
    expect(text).toContain('Tue 1 Dec 2026, 00:00 UTC (in 6 days)');
    const link = page.getByRole('status').getByRole('link', { name: 'how to' });
    expect(await link.getAttribute('href')).toBe('https://example.org/staging-db-restore#skip-the-next-run');
    const noticeTop = (await page.locator('#staging-db-restore-notice').boundingBox())!.y;
    const contentTop = (await page.locator('#content').boundingBox())!.y;
    expect(noticeTop).toBeLessThan(contentTop);
  });

  it.each(['normal', 'last-run-failed', 'skip-on'])(
    'has readable contrast (WCAG AA, at least 4.5:1) in the %s state',
    async (name) => {
      // Act
      await show(name);
      const ratio = await page.locator('#staging-db-restore-notice li').evaluate((li) => {
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
        const background = (el: Element | null): number[] => {
          for (; el; el = el.parentElement) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3]! > 0)) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const luminance = ([r, g, b]: number[]) =>
          [r!, g!, b!]
            .map((v) => v / 255)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
        const fg = luminance(rgb(getComputedStyle(li).color));
        const bg = luminance(background(li));
        return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      });

      // Assert
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    },
  );
});
