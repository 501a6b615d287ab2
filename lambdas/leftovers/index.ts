import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './leftovers';

export const handler = makeHandler(
  fromEnv(process.env, { rds: new RDSClient({}), sfn: new SFNClient({}), clock: systemClock }),
);
