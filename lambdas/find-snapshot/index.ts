import { RDSClient } from '@aws-sdk/client-rds';
import { fromEnv, makeHandler } from './find-snapshot';

export const handler = makeHandler(fromEnv(process.env, { rds: new RDSClient({}) }));
