/*
 * @octokit/rest is pinned to 20.1.2, the last CommonJS release (21+ ships ESM only). This project's Lambdas
 * are bundled by esbuild either way, but jest runs ts-jest with CommonJS output and cannot `require` an ESM
 * package without extra transforms (transformIgnorePatterns for @octokit/*, before-after-hook,
 * universal-user-agent, plus babel or ts-jest ESM handling). The pin keeps the real client loadable in jest
 * with no configuration. 20.1.2 already carries the 2025 ReDoS fixes (@octokit/request 8.4.1,
 * request-error 5.1.1, plugin-paginate-rest 11.4.4-cjs.2). Revisit when jest runs ESM natively here.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Octokit } from '@octokit/rest';
import { GitHubTokenError } from './errors';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export interface GitHubClientOptions {
  /** Returns the token secret's value: the bare token or JSON `{"token": "..."}`. */
  readSecret: () => Promise<string>;
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
}

/**
 * Builds the Octokit factory the deploy handler gets as a dependency. The secret is read once per container
 * (again after a failure). The token is never logged, returned or put in an error: as a last guard, every
 * request error is scrubbed of it before it leaves Octokit (a proxy or server could echo the header).
 */
export function githubClient(options: GitHubClientOptions): () => Promise<Octokit> {
  let client: Promise<Octokit> | undefined;
  const load = async () => {
    const token = parseGitHubToken(await options.readSecret());
    const octokit = new Octokit({
      auth: token,
      baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
      userAgent: 'staging-db-restore',
      request: { fetch: options.fetch ?? globalThis.fetch },
      // Octokit's default logger writes deprecation notices with console.warn; keep them but drop debug/info.
      log: { debug: () => {}, info: () => {}, warn: console.warn, error: console.error },
    });
    octokit.hook.error('request', (error) => {
      throw scrubToken(error, token);
    });
    return octokit;
  };
  return async () => {
    client ??= load().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  };
}

/** The token from the secret's value (bare, or JSON `{"token": "..."}`); errors never quote the value. */
export function parseGitHubToken(secret: string): string {
  const trimmed = secret.trim();
  let token = trimmed;
  if (trimmed.startsWith('{')) {
    let parsed: { token?: unknown };
    try {
      parsed = JSON.parse(trimmed) as typeof parsed;
    } catch {
      // V8's SyntaxError quotes the input, which is the secret: say only what is wrong.
      throw new GitHubTokenError('The GitHub token secret starts with "{" but is not valid JSON');
    }
    token = typeof parsed.token === 'string' ? parsed.token.trim() : '';
  }
  if (!token || /\s/.test(token)) {
    throw new GitHubTokenError('The GitHub token secret does not hold a token (bare, or {"token": "..."})');
  }
  return token;
}

/** Reads the token secret's current value from Secrets Manager. */
export function secretReader(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new GitHubTokenError(`Secret ${secretId} has no string value`);
    return out.SecretString;
  };
}

/** What a failed Octokit call tells us: the HTTP status (if any) and GitHub's message, without the request. */
export function describeGitHubError(err: unknown): { status: number | undefined; message: string } {
  const e = err as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  let message = typeof data?.message === 'string' ? data.message : typeof e.message === 'string' ? e.message : '';
  if (Array.isArray(data?.errors) && data.errors.length > 0) {
    const details = data.errors.map((d) =>
      typeof d === 'string'
        ? d
        : typeof (d as { message?: unknown }).message === 'string'
          ? (d as { message: string }).message
          : JSON.stringify(d),
    );
    message = `${message} (${details.join('; ')})`;
  }
  return { status, message: message || (err instanceof Error ? err.name : 'unknown error') };
}

function scrubToken(error: unknown, token: string): unknown {
  const scrub = (s: string) => s.split(token).join('[REDACTED]');
  if (error instanceof Error) {
    error.message = scrub(error.message);
    if (error.stack) error.stack = scrub(error.stack);
  }
  const response = (error as { response?: { data?: unknown; url?: unknown } }).response;
  if (response && typeof response.data === 'string') response.data = scrub(response.data);
  if (response?.data && typeof response.data === 'object') {
    const text = JSON.stringify(response.data);
    if (text.includes(token)) response.data = JSON.parse(scrub(text)) as unknown;
  }
  return error;
}
