import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IncomingWebhook } from '@slack/webhook';

/**
 * Builds the Slack poster from a secret reader. The secret holds the webhook URL, either bare or as JSON
 * `{"url": "..."}`. It is read once per container and never logged, returned or put in an error message.
 */
export function slackPoster(readSecret: () => Promise<string>): (text: string) => Promise<void> {
  let webhook: Promise<IncomingWebhook> | undefined;
  const load = async () => new IncomingWebhook(webhookUrl(await readSecret()));
  return async (text) => {
    webhook ??= load().catch((err: unknown) => {
      webhook = undefined;
      throw err;
    });
    // Reading the secret fails with its own, URL-free error; only the call itself is wrapped below.
    const client = await webhook;
    try {
      await client.send({ text });
    } catch (err) {
      // @slack/webhook errors can carry the request (and so the URL): rethrow without them.
      // v8 throws IncomingWebhookHTTPError with `statusCode`; older versions nested the axios response.
      const e = err as { statusCode?: number; original?: { response?: { status?: number } } };
      const status = e.statusCode ?? e.original?.response?.status;
      throw new SlackError(`Slack webhook call failed${status ? ` with HTTP ${status}` : ''}: ${(err as Error).name}`);
    }
  };
}

export class SlackError extends Error {
  override readonly name = 'SlackNotificationFailed';
}

export function webhookUrl(secret: string): string {
  const trimmed = secret.trim();
  let url = trimmed;
  if (trimmed.startsWith('{')) {
    let parsed: { url?: unknown; webhookUrl?: unknown };
    try {
      parsed = JSON.parse(trimmed) as typeof parsed;
    } catch {
      // V8's SyntaxError quotes the input, which is the secret: say only what is wrong.
      throw new SlackError('The Slack webhook secret starts with "{" but is not valid JSON');
    }
    url = typeof parsed.url === 'string' ? parsed.url : typeof parsed.webhookUrl === 'string' ? parsed.webhookUrl : '';
  }
  if (!/^https?:\/\/\S+$/.test(url))
    throw new SlackError('The Slack webhook secret does not hold a URL (bare or {"url": ...})');
  return url;
}

/** Reads the webhook secret's current value from Secrets Manager. */
export function secretReader(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new SlackError(`Secret ${secretId} has no string value`);
    return out.SecretString;
  };
}
