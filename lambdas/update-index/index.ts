import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './update-index';

export const handler = makeHandler(fromEnv(process.env, { fetch: globalThis.fetch, clock: systemClock }));
