import { RDSClient } from '@aws-sdk/client-rds';
import { systemClock } from '../shared/clock';
import { makeHandler } from './check-status';

export const handler = makeHandler({ rds: new RDSClient({}), clock: systemClock });
