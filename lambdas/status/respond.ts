import type { APIGatewayProxyResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RestoreStatus } from '../shared/status-contract';
import { createLogger } from '../shared/logger';

export interface StatusResponderDeps {
  read(): Promise<RestoreStatus>;
  now(): number;
  /** How long one answer is reused for (and browsers may cache it): keeps API calls flat under load. */
  cacheSeconds: number;
  log?: Logger;
}

/**
 * The Function URL handler: GET returns the status JSON. CORS (which origins may read it from a browser) is
 * the Function URL's own configuration (lib/status-source.ts), answered by AWS before this code runs; preflights
 * never reach it. A failed read answers 503 with no detail (the details go to the log).
 */
export function statusResponder(deps: StatusResponderDeps) {
  const log = deps.log ?? createLogger('status');
  let cached: { body: string; until: number } | undefined;
  return async (event: Pick<LambdaFunctionURLEvent, 'requestContext'>): Promise<APIGatewayProxyResultV2> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        statusCode: 405,
        headers: { Allow: 'GET, HEAD', 'Content-Type': 'application/json' },
        body: '{"error":"method not allowed"}',
      };
    }
    const now = deps.now();
    if (!cached || cached.until <= now) {
      try {
        const status = await deps.read();
        cached = { body: JSON.stringify(status), until: now + deps.cacheSeconds * 1000 };
      } catch (err) {
        log.error('Could not read the status', { error: (err as Error).name, message: (err as Error).message });
        return {
          statusCode: 503,
          headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
          body: '{"error":"status unavailable"}',
        };
      }
    }
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${deps.cacheSeconds}` },
      body: method === 'HEAD' ? '' : cached.body,
    };
  };
}
