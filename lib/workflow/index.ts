/**
 * The restore workflow, in the plan's words ("Update Staging Database", steps 1-11 and 13):
 *
 *  0. Validate the execution input (`dryRun`, `snapshotIdentifier`, `skipPostSteps`); anything else ends the run.
 *  1. Read the skip flag; if `true`, tell Slack and end (a skip is a success).
 *     Then, still before any change: end at once if another restore is running (the run lock); wait for (or
 *     skip because of) other users of staging; clear what an earlier failed run left, where that is safe.
 *  2. Find the newest automated production snapshot (or the one chosen in the input),
 *  3.   and wait until it is available,
 *  4.   while (in parallel) capturing staging's configuration (the names were cleared just before).
 *  5. Restore the snapshot to the temporary name with staging's configuration.
 *  6. Wait for the new database, then verify its configuration (still no outage).
 *  7. Slack: outage starting. Rename staging to old,
 *  8.   wait until it is available under the old name (not found = rename in progress).
 *  9. Rename the new database to staging,
 * 10.   wait until it is settled under the staging name. Slack: outage over.
 * 11. On failure in 2-10: roll back (reconcile until the original is staging again, the new one gone);
 *     otherwise delete the old database and wait until it is gone.
 * 13. Report success or failure to Slack.
 * A dry run stops after step 4 and reports the plan, having changed nothing.
 *
 * State data: see lambdas/shared/contract. Every failure ends in a Fail state with error and cause.
 *
 * The phases, each in its own file: before-any-change.ts (0-1 and the dry run's report), restore-and-swap.ts
 * (2-10), after-swap.ts (11 on success, 12, 13 on success), rollback.ts (11 on failure, 13 on failure).
 * kit.ts has what they build with (tasks, Slack messages, wait loops, catches), retries.ts the retry policies
 * and timeouts.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RestoreConfig } from '../config';
import type { Step } from '../functions';
import { afterSwap } from './after-swap';
import { checksBeforeAnyChange, dryRunReport } from './before-any-change';
import { WorkflowKit } from './kit';
import { findSnapshotAndCaptureStaging, restoreAndSwap } from './restore-and-swap';
import { failurePaths } from './rollback';
import { FAILED_SUFFIX, STATE } from './states';

export interface RestoreWorkflowProps {
  config: RestoreConfig;
  functions: Record<Step, lambda.IFunction>;
  skipParameter: ssm.IStringParameter;
}

/** State names people read in the console (lib/workflow/states.ts, free of CDK so the CLI can load it). */
export { FAILED_SUFFIX, STATE };

export class RestoreWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RestoreWorkflowProps) {
    super(scope, id);
    const { config } = props;
    const base = new WorkflowKit(this, config, props.functions);
    // The failure report and the rollback come first: every later phase's catches lead to them.
    const kit = base.withFailures(failurePaths(base));

    const definition = checksBeforeAnyChange(kit, props.skipParameter, () => {
      const prepare = findSnapshotAndCaptureStaging(kit);
      const realRun = restoreAndSwap(kit).next(afterSwap(kit));
      return prepare.next(
        new sfn.Choice(this, STATE.isDryRun)
          .when(sfn.Condition.booleanEquals('$.input.dryRun', true), dryRunReport(kit))
          .otherwise(realRun),
      );
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Recreates the staging database from the newest automated production snapshot (staging-db-restore)',
      stateMachineName: config.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(config.executionTimeoutHours),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}
