import { App, type AppProps } from 'aws-cdk-lib';
import { loadConfig, type RestoreConfig } from './config';
import { addNagChecks } from './nag';
import { StagingDbRestoreStack } from './stack';

/** The context key under which cdk.json (or `-c`) holds the configuration. */
export const CONFIG_CONTEXT_KEY = 'staging-db-restore';
export const STACK_NAME = 'StagingDbRestore';

/**
 * Builds the app: reads the config from context, validates it (a bad field fails synth, naming it) and
 * creates the stack. Shared by bin/app.ts, the tests and the offline harness, so all three synthesize the
 * same thing. `nag: true` (bin/app.ts, i.e. every `cdk synth`) adds the cdk-nag checks: see lib/nag.ts.
 */
export function buildApp(
  props: AppProps = {},
  override?: unknown,
  options: { nag?: boolean } = {},
): { app: App; stack: StagingDbRestoreStack; config: RestoreConfig } {
  const app = new App(props);
  if (options.nag) addNagChecks(app);
  const config = loadConfig(override ?? app.node.tryGetContext(CONFIG_CONTEXT_KEY) ?? {});
  const stack = new StagingDbRestoreStack(app, STACK_NAME, {
    config,
    description: 'Monthly recreation of the staging database from the newest production snapshot (staging-db-restore)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  return { app, stack, config };
}
