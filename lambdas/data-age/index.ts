import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { systemClock } from '../shared/clock';
import { requireEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { publishDataAge } from './data-age';

const sources = {
  lastRestoreParameterName: requireEnv('LAST_RESTORE_PARAMETER_NAME'),
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
  stagingInstance: requireEnv('STAGING_INSTANCE'),
};
const deps = {
  ssm: new SSMClient({}),
  sfn: new SFNClient({}),
  cloudwatch: new CloudWatchClient({}),
  clock: systemClock,
};
const log = createLogger('data-age');

/** Runs on a schedule (lib/monitoring.ts): publishes how old staging's data is. */
export async function handler(): Promise<void> {
  const result = await publishDataAge(sources, deps);
  log.info('Published staging data age', result);
}
