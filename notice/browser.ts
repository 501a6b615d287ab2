import { asStatus, noticeFor } from './message';

/**
 * The Django admin notice's script (bundled by `npm run build:notice` into
 * django-notice/staging_db_restore_notice/static/staging_db_restore_notice/notice.js). It reads the status source
 * named in the notice's data attributes and replaces the placeholder text. The text sits in a
 * role="status" live region that is in the page from the start, so screen readers announce the update.
 */
const TIMEOUT_MS = 5000;

async function fetchStatus(url: string): Promise<unknown> {
  if (!url) return null;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(url, { credentials: 'omit', mode: 'cors', signal: abort.signal });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function render(root: HTMLElement): Promise<void> {
  const item = root.querySelector('li');
  const text = root.querySelector<HTMLElement>('[role="status"]');
  if (!item || !text) return;
  const status = asStatus(await fetchStatus(root.dataset.statusUrl ?? ''));
  const notice = noticeFor({
    status,
    schedule: root.dataset.schedule ?? '',
    skipParameterName: root.dataset.skipParameter ?? '',
    now: new Date(),
  });
  const body = document.createDocumentFragment();
  body.append(notice.sentences.join(' '));
  const help = root.dataset.helpUrl;
  if (notice.showSkipHelp && help) {
    body.append(' (');
    const link = document.createElement('a');
    link.href = help;
    link.textContent = 'how to';
    body.append(link, ').');
  } else if (notice.showSkipHelp) {
    body.append('.');
  }
  item.className = notice.level;
  text.replaceChildren(body);
  root.dataset.noticeState = notice.state;
}

function start(): void {
  const root = document.getElementById('staging-db-restore-notice');
  if (root) void render(root);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
