import { synthesizeWorkflow } from '../../offline/harness';

/**
 * Each step's index.ts, loaded as Lambda loads it: with the environment its function is synthesized with. The
 * offline harness builds the same handlers through the same `fromEnv`, so what is left to check here is that
 * index.ts starts at all: every variable its wiring reads is in the synthesized environment.
 */
const workflow = synthesizeWorkflow();
const envByStep = new Map<string, Record<string, string>>();
for (const task of workflow.tasks.values()) if (task.kind === 'lambda') envByStep.set(task.step, task.env);

function loadIndex(step: string, env: Record<string, string>): { handler?: unknown } {
  const saved = process.env;
  process.env = { ...env, AWS_REGION: 'us-east-1' };
  try {
    let loaded: { handler?: unknown } = {};
    jest.isolateModules(() => {
      loaded = jest.requireActual(`../../lambdas/${step}/index`);
    });
    return loaded;
  } finally {
    process.env = saved;
  }
}

describe("each step's index.ts with its synthesized environment", () => {
  it('covers every step of the workflow', () => {
    expect([...envByStep.keys()].sort()).toEqual(
      [
        'apply-settings',
        'capture-staging',
        'check-runs',
        'check-status',
        'delete',
        'deploy-api',
        'find-snapshot',
        'leftovers',
        'notify',
        'rename',
        'reset-password',
        'restore',
        'rollback',
        'sanitize',
        'update-index',
        'validate-input',
        'verify-restore',
      ].sort(),
    );
  });

  it.each([...envByStep.entries()])('%s starts and exports a handler', (step, env) => {
    expect(typeof loadIndex(step, env).handler).toBe('function');
  });

  it.each([
    ['restore', 'STAGING_INSTANCE'],
    ['check-runs', 'STATE_MACHINE_ARN'],
    ['notify', 'SLACK_WEBHOOK_SECRET'],
    ['sanitize', 'DB_CREDENTIALS_SECRET'],
    ['deploy-api', 'GITHUB_TOKEN_SECRET'],
  ])('%s does not start without %s, naming it', (step, variable) => {
    const env = { ...envByStep.get(step)! };
    delete env[variable];
    expect(() => loadIndex(step, env)).toThrow(`Missing required environment variable ${variable}`);
  });

  it('the validate-input handler that Lambda runs refuses a bad input', async () => {
    const { handler } = loadIndex('validate-input', envByStep.get('validate-input')!) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    await expect(
      handler({ input: { dryRun: 'yes' }, execution: { id: 'arn', name: 'n', startedAt: '2026-12-01T00:00:00Z' } }),
    ).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
