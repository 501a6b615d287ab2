import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../shared/clock';
import { connectPg } from './pg';
import { fromEnv, makeHandler } from './sanitize';

export const handler = makeHandler(
  fromEnv(process.env, {
    rds: new RDSClient({}),
    secrets: new SecretsManagerClient({}),
    clock: systemClock,
    connectDatabase: connectPg,
    sleep: (ms) => sleep(ms),
  }),
);
