import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './reset-password';

export const handler = makeHandler(
  fromEnv(process.env, {
    rds: new RDSClient({}),
    secrets: new SecretsManagerClient({}),
    clock: systemClock,
  }),
);
