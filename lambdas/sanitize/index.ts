import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../shared/clock';
import { identifiersFromEnv, requireEnv } from '../shared/env';
import { credentialsReader } from './credentials';
import { connectPg } from './pg';
import { makeHandler } from './sanitize';

export const handler = makeHandler({
  rds: new RDSClient({}),
  ids: identifiersFromEnv(),
  clock: systemClock,
  readCredentials: credentialsReader(new SecretsManagerClient({}), requireEnv('DB_CREDENTIALS_SECRET')),
  connect: connectPg,
  sleep: (ms) => sleep(ms),
});
