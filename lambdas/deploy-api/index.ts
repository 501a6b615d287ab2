import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../shared/clock';
import { requireEnv } from '../shared/env';
import { makeHandler, realSleep } from './deploy-api';
import { DEFAULT_GITHUB_API_URL, githubClient, secretReader } from './github';

export const handler = makeHandler({
  octokit: githubClient({
    readSecret: secretReader(new SecretsManagerClient({}), requireEnv('GITHUB_TOKEN_SECRET')),
    baseUrl: process.env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
  }),
  clock: systemClock,
  sleep: realSleep,
});
