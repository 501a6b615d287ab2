import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './check-runs';

export const handler = makeHandler(fromEnv(process.env, { sfn: new SFNClient({}), clock: systemClock }));
