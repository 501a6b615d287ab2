import { RDSClient } from '@aws-sdk/client-rds';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './apply-settings';

export const handler = makeHandler(fromEnv(process.env, { rds: new RDSClient({}), clock: systemClock }));
