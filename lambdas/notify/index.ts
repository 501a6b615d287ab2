import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { identifiersFromEnv, requireEnv } from '../shared/env';
import { makeHandler, notifyContext } from './notify';
import { secretReader, slackPoster } from './slack';

export const handler = makeHandler({
  clock: systemClock,
  post: slackPoster(secretReader(new SecretsManagerClient({}), requireEnv('SLACK_WEBHOOK_SECRET'))),
  context: notifyContext(identifiersFromEnv()),
});
