import { makeHandler, notifyContext } from '../../lambdas/notify/notify';
import { caught, clock, EXECUTION, IDS } from './fixtures';

const CONTEXT = {
  skipParameterName: '/staging-db-restore/skip',
  stagingInstance: IDS.staging,
  oldInstance: IDS.old,
  temporaryInstance: IDS.temporary,
};

describe('notify', () => {
  it('posts the message for the event and returns when it was sent', async () => {
    // Arrange
    const posted: string[] = [];
    const notify = makeHandler({ clock, post: async (text) => void posted.push(text), context: CONTEXT });

    // Act
    const result = await notify({ event: 'skipped', execution: EXECUTION });

    // Assert
    expect(result).toEqual({ event: 'skipped', sentAt: '2026-12-01T00:00:00.000Z' });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain('`/staging-db-restore/skip`');
  });

  it('uses the clock as the end of an outage still running', async () => {
    // Arrange
    const posted: string[] = [];
    const notify = makeHandler({ clock, post: async (text) => void posted.push(text), context: CONTEXT });

    // Act
    await notify({ event: 'outage-over', execution: EXECUTION, details: { outageStartedAt: '2026-11-30T23:58:00Z' } });

    // Assert
    expect(posted[0]).toContain('after 2 min 0 s');
  });

  it('fails when Slack fails, so the workflow can retry', async () => {
    // Arrange
    const notify = makeHandler({
      clock,
      post: async () => {
        throw new Error('Slack webhook call failed');
      },
      context: CONTEXT,
    });

    // Act
    const err = await caught(() => notify({ event: 'succeeded', execution: EXECUTION }));

    // Assert
    expect(err.message).toBe('Slack webhook call failed');
  });

  it('rejects an unknown event as InvalidInput without posting', async () => {
    // Arrange
    const post = jest.fn(async () => undefined);
    const notify = makeHandler({ clock, post, context: CONTEXT });

    // Act
    const err = await caught(() => notify({ event: 'exploded', execution: EXECUTION }));

    // Assert
    expect(err.name).toBe('InvalidInput');
    expect(err.message).toContain('input field event');
    expect(post).not.toHaveBeenCalled();
  });

  it('builds its context from the environment', () => {
    // Act
    const context = notifyContext(IDS, { SKIP_PARAMETER_NAME: '/staging-db-restore/skip' });

    // Assert
    expect(context).toEqual(CONTEXT);
  });

  it('fails naming the variable when the skip parameter name is not configured', () => {
    expect(() => notifyContext(IDS, {})).toThrow('SKIP_PARAMETER_NAME');
  });
});
