import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../shared/clock';
import { listEnv, requireEnv } from '../shared/env';
import { makeHandler } from './check-runs';

export const handler = makeHandler({
  sfn: new SFNClient({}),
  clock: systemClock,
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
  otherStateMachineArns: listEnv('OTHER_STATE_MACHINE_ARNS'),
});
