import { RDSClient } from '@aws-sdk/client-rds';
import { fromEnv, makeHandler } from './verify-restore';

export const handler = makeHandler(fromEnv(process.env, { rds: new RDSClient({}) }));
