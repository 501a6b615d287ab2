import { RDSClient } from '@aws-sdk/client-rds';
import { identifiersFromEnv } from '../shared/env';
import { makeHandler } from './capture-staging';

export const handler = makeHandler({ rds: new RDSClient({}), ids: identifiersFromEnv() });
