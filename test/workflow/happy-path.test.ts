import { runWorkflow } from '../support/harness';
import { SlackServer } from '../support/slack-server';
import { createWorld, IDS } from '../support/world';

describe('workflow: happy path', () => {
  const slack = new SlackServer();
  beforeAll(() => slack.start());
  afterAll(() => slack.stop());

  it('swaps a fresh copy of the newest production snapshot in under the staging name', async () => {
    const world = createWorld();
    const result = await runWorkflow({ sim: world.sim, slackWebhookUrl: slack.url });
    console.log(result.status, result.error, result.cause, result.statesEntered.join(' > '));
    console.log(slack.texts().join('\n---\n'));
    expect(result.status).toBe('SUCCEEDED');
    const staging = world.sim.instance(IDS.staging)!;
    expect(staging.resourceId).not.toBe(world.stagingResourceId);
  });
});
