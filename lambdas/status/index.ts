import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { systemClock } from '../shared/clock';
import { requireEnv } from '../shared/env';
import { statusResponder } from './respond';
import { readStatus, sourcesFromEnv } from './status';

const sources = sourcesFromEnv();
const clients = {
  ssm: new SSMClient({}),
  events: new EventBridgeClient({}),
  sfn: new SFNClient({}),
  clock: systemClock,
};

export const handler = statusResponder({
  read: () => readStatus(sources, clients),
  now: () => Date.now(),
  cacheSeconds: Number(requireEnv('CACHE_SECONDS')),
});
