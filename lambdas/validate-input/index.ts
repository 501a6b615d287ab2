import { makeHandler } from './validate-input';

export const handler = makeHandler({});
