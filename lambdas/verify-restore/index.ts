import { RDSClient } from '@aws-sdk/client-rds';
import { makeHandler } from './verify-restore';

export const handler = makeHandler({ rds: new RDSClient({}) });
