import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackMessage {
  text: string;
  body: unknown;
  headers: http.IncomingHttpHeaders;
  path: string;
}

/**
 * A local Slack incoming-webhook endpoint: the notify step's real @slack/webhook client posts here. It
 * records every message and can be told to fail the next N posts (Slack down).
 */
export class SlackServer {
  readonly messages: SlackMessage[] = [];
  private failures = 0;
  private server?: http.Server;
  /** The webhook path: a secret in real life, so tests can check it never leaks. */
  readonly path = '/services/T0SECRET/B0SECRET/xoxb-not-a-real-token-4b1d';

  constructor(private readonly onMessage?: (message: SlackMessage) => void) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('SlackServer is not started');
    return `http://127.0.0.1:${address.port}${this.path}`;
  }

  /** Back to a fresh server's state: no messages, no failures to come. */
  reset(): void {
    this.messages.length = 0;
    this.failures = 0;
  }

  failNext(count: number): void {
    this.failures = count;
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== this.path) {
          res.writeHead(404).end('no_service');
          return;
        }
        if (this.failures > 0) {
          this.failures -= 1;
          res.writeHead(500).end('internal_error');
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          res.writeHead(400).end('invalid_payload');
          return;
        }
        const text = (body as { text?: unknown }).text;
        if (typeof text !== 'string' || !text) {
          res.writeHead(400).end('no_text');
          return;
        }
        const message = { text, body, headers: req.headers, path: req.url };
        this.messages.push(message);
        this.onMessage?.(message);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve, reject) => this.server!.close((err) => (err ? reject(err) : resolve())));
    this.server = undefined;
  }
}
