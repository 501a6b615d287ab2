import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. Handlers append the execution name and DB identifiers as keys; secrets are
 * never passed to it (the Slack step logs the event kind, not the webhook URL).
 */
export function createLogger(step: string): Logger {
  return new Logger({ serviceName: 'staging-db-restore', persistentKeys: { step } });
}
