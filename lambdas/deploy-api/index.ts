import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler, realSleep } from './deploy-api';

export const handler = makeHandler(
  fromEnv(process.env, {
    secrets: new SecretsManagerClient({}),
    clock: systemClock,
    sleep: realSleep,
    fetch: globalThis.fetch,
  }),
);
