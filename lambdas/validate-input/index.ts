import { fromEnv, makeHandler } from './validate-input';

export const handler = makeHandler(fromEnv(process.env, {}));
