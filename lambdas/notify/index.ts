import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { fromEnv, makeHandler } from './notify';

export const handler = makeHandler(fromEnv(process.env, { secrets: new SecretsManagerClient({}), clock: systemClock }));
