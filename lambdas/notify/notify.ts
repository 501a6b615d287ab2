import type { Clock } from '../shared/clock';
import { type Identifiers, identifiersFromEnv, requireEnv } from '../shared/env';
import { type NotifyInput, notifyInputSchema, type NotifyResult } from '../shared/contract/steps';
import { defineStep } from '../shared/handler';
import { buildMessage, type MessageContext } from './messages';
import type { StepClients } from '../shared/clients';
import { secretReader, slackPoster } from './slack';

export interface NotifyDeps {
  clock: Clock;
  /** Posts to the Slack webhook; the URL stays inside this function (see index.ts). */
  post(text: string): Promise<void>;
  context: Omit<MessageContext, 'now'>;
}

/** Plan steps 1, 8 and 13: tell the people who depend on staging. */
export async function notify(input: NotifyInput, deps: NotifyDeps): Promise<NotifyResult> {
  const now = deps.clock.now();
  await deps.post(buildMessage(input, { ...deps.context, now }));
  return { event: input.event, sentAt: now.toISOString() };
}

export const makeHandler = defineStep('notify', notifyInputSchema, async (input, deps: NotifyDeps, log) => {
  const result = await notify(input, deps);
  log.info('Sent Slack message', { event: input.event });
  return result;
});

/** The message context from the function's environment (set by lib/functions.ts). */
export function notifyContext(ids: Identifiers, env: NodeJS.ProcessEnv = process.env): NotifyDeps['context'] {
  return {
    skipParameterName: requireEnv('SKIP_PARAMETER_NAME', env),
    stagingInstance: ids.staging,
    oldInstance: ids.old,
    temporaryInstance: ids.temporary,
  };
}

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(env: NodeJS.ProcessEnv, clients: Pick<StepClients, 'secrets' | 'clock'>): NotifyDeps {
  return {
    clock: clients.clock,
    post: slackPoster(secretReader(clients.secrets, requireEnv('SLACK_WEBHOOK_SECRET', env))),
    context: notifyContext(identifiersFromEnv(env), env),
  };
}
