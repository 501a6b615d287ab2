import { systemClock } from '../shared/clock';
import { makeHandler } from './update-index';

export const handler = makeHandler({ fetch: globalThis.fetch, clock: systemClock });
