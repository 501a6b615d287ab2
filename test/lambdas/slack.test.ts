import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { secretReader, slackPoster, webhookUrl } from '../../lambdas/notify/slack';
import { caught } from './fixtures';

const SECRET_PATH = '/services/T0SEKRIT/B0SEKRIT/sekrit-token-4b1d';

interface Received {
  method: string | undefined;
  path: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A local Slack incoming-webhook endpoint answering `status` to every request and recording them. */
class WebhookServer {
  readonly received: Received[] = [];
  status = 200;
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      this.received.push({ method: req.method, path: req.url, contentType: req.headers['content-type'], body });
      res.writeHead(this.status, { 'content-type': 'text/plain' }).end(this.status === 200 ? 'ok' : 'internal_error');
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${SECRET_PATH}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}

describe('slackPoster (real @slack/webhook client against a local server)', () => {
  const server = new WebhookServer();

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.received.length = 0;
    server.status = 200;
  });

  it('posts {"text": ...} as JSON to the URL held in the secret', async () => {
    // Arrange
    const post = slackPoster(async () => JSON.stringify({ url: server.url }));

    // Act
    await post('Staging database outage starting');

    // Assert
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(SECRET_PATH);
    expect(request!.contentType).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({ text: 'Staging database outage starting' });
  });

  it('reads the secret once for several posts', async () => {
    // Arrange
    const readSecret = jest.fn(async () => server.url);
    const post = slackPoster(readSecret);

    // Act
    await post('one');
    await post('two');

    // Assert
    expect(readSecret).toHaveBeenCalledTimes(1);
    expect(server.received.map((r) => JSON.parse(r.body))).toEqual([{ text: 'one' }, { text: 'two' }]);
  });

  it('reads the secret again after a failed read', async () => {
    // Arrange
    const readSecret = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValue(server.url);
    const post = slackPoster(readSecret);

    // Act
    const err = await caught(() => post('first'));
    await post('second');

    // Assert
    expect(err).toBeInstanceOf(Error);
    expect(readSecret).toHaveBeenCalledTimes(2);
    expect(server.received.map((r) => JSON.parse(r.body))).toEqual([{ text: 'second' }]);
  });

  it('turns a 500 into SlackNotificationFailed with the status and without the URL', async () => {
    // Arrange
    server.status = 500;
    const post = slackPoster(async () => server.url);

    // Act
    const err = await caught(() => post('hello'));

    // Assert
    expect(server.received).toHaveLength(1);
    expect(err.name).toBe('SlackNotificationFailed');
    expect(err.message).not.toContain(SECRET_PATH);
    expect(err.message).not.toContain('sekrit');
    expect(err.message).not.toContain('127.0.0.1');
    expect(JSON.stringify(err)).not.toContain('sekrit');
    expect(err.message).toContain('HTTP 500');
  });

  it('reports a secret that is not valid JSON as such, without the secret', async () => {
    // Arrange
    const post = slackPoster(async () => `{"url": "${server.url}"`);

    // Act
    const err = await caught(() => post('hello'));

    // Assert
    expect(server.received).toHaveLength(0);
    expect(err.name).toBe('SlackNotificationFailed');
    expect(err.message).not.toContain('sekrit');
    expect(err.message).toContain('not valid JSON');
  });

  it('turns an unreachable endpoint into SlackNotificationFailed without the URL', async () => {
    // Arrange: a port that was just freed, so nothing listens on it.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const post = slackPoster(async () => `http://127.0.0.1:${port}${SECRET_PATH}`);

    // Act
    const err = await caught(() => post('hello'));

    // Assert
    expect(err.name).toBe('SlackNotificationFailed');
    expect(err.message).not.toContain('sekrit');
    expect(err.message).not.toContain(String(port));
  });
});

describe('webhookUrl', () => {
  it('accepts a bare URL, trimming whitespace', () => {
    expect(webhookUrl('  https://hooks.example/T0/B0/sekrit\n')).toBe('https://hooks.example/T0/B0/sekrit');
  });

  it('accepts {"url": ...}', () => {
    expect(webhookUrl('{"url": "https://hooks.example/T0/B0/sekrit"}')).toBe('https://hooks.example/T0/B0/sekrit');
  });

  it('accepts {"webhookUrl": ...}', () => {
    expect(webhookUrl('{"webhookUrl": "https://hooks.example/T0/B0/sekrit"}')).toBe(
      'https://hooks.example/T0/B0/sekrit',
    );
  });

  it('throws SlackNotificationFailed without the secret for invalid JSON', () => {
    // Act
    let err: unknown;
    try {
      webhookUrl('{"url": "https://hooks.example/T0/B0/sekrit"');
    } catch (e) {
      err = e;
    }

    // Assert
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('SlackNotificationFailed');
    expect((err as Error).message).toContain('not valid JSON');
    expect((err as Error).message).not.toContain('sekrit');
    expect((err as Error).stack ?? '').not.toContain('sekrit');
  });

  it.each([
    ['JSON without a url', '{"token": "sekrit"}'],
    ['a url that is not a string', '{"url": ["https://hooks.example/sekrit"]}'],
    ['not a URL', 'sekrit-value'],
    ['a URL with spaces', 'https://hooks.example/T0 sekrit'],
  ])('throws SlackNotificationFailed without the secret for %s', (_what, secret) => {
    // Act
    let err: unknown;
    try {
      webhookUrl(secret);
    } catch (e) {
      err = e;
    }

    // Assert
    expect((err as Error | undefined)?.name).toBe('SlackNotificationFailed');
    expect((err as Error).message).not.toContain('sekrit');
  });
});

describe('secretReader', () => {
  const smMock = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

  beforeEach(() => smMock.reset());
  afterAll(() => smMock.restore());

  it('reads the secret string by id', async () => {
    // Arrange
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"url":"https://hooks.example/x"}' });

    // Act
    const value = await secretReader(client, 'staging-db-restore/slack-webhook')();

    // Assert
    expect(value).toBe('{"url":"https://hooks.example/x"}');
    expect(smMock.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: 'staging-db-restore/slack-webhook',
    });
  });

  it('fails with SlackNotificationFailed naming the secret when it has no string value', async () => {
    // Arrange
    smMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });

    // Act
    const err = await caught(() => secretReader(client, 'staging-db-restore/slack-webhook')());

    // Assert
    expect(err.name).toBe('SlackNotificationFailed');
    expect(err.message).toContain('staging-db-restore/slack-webhook');
  });
});
