import { RDSClient } from '@aws-sdk/client-rds';
import { systemClock } from '../shared/clock';
import { identifiersFromEnv } from '../shared/env';
import { makeHandler } from './rename';

export const handler = makeHandler({ rds: new RDSClient({}), ids: identifiersFromEnv(), clock: systemClock });
