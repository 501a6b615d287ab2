import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../shared/clock';
import { identifiersFromEnv, requireEnv } from '../shared/env';
import { makeHandler } from './leftovers';

export const handler = makeHandler({
  rds: new RDSClient({}),
  sfn: new SFNClient({}),
  ids: identifiersFromEnv(),
  clock: systemClock,
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
});
