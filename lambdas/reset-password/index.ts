import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { identifiersFromEnv, requireEnv } from '../shared/env';
import { credentialsReader } from '../sanitize/credentials';
import { makeHandler } from './reset-password';

export const handler = makeHandler({
  rds: new RDSClient({}),
  ids: identifiersFromEnv(),
  clock: systemClock,
  readCredentials: credentialsReader(new SecretsManagerClient({}), requireEnv('DB_CREDENTIALS_SECRET')),
});
