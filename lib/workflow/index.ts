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
 * State data: see lambdas/shared/contract.ts. Every failure ends in a Fail state with error and cause.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EMPTY_SLOT, ERRORS, type NotifyEvent } from '../../lambdas/shared/contract';
import type { RestoreConfig, WaitKind } from '../config';
import type { Step } from '../functions';
import { FAILED_SUFFIX, STATE } from './states';

export interface RestoreWorkflowProps {
  config: RestoreConfig;
  functions: Record<Step, lambda.IFunction>;
  skipParameter: ssm.IStringParameter;
}

/** Errors after which a read-only or idempotent step is worth running again: nothing was done. */
const TRANSIENT_ERRORS = [
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Lambda.Unknown',
  'States.Timeout',
];
/** Read-only and idempotent steps: retry transient errors a few times, backing off. */
const RETRY_TRANSIENT: sfn.RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(5),
  maxAttempts: 3,
  backoffRate: 2,
};
/** Mutating steps: only retry when RDS throttled the request, which means it was not carried out. */
const RETRY_THROTTLED: sfn.RetryProps = {
  errors: ['Throttling', 'ThrottlingException', 'RequestLimitExceeded'],
  interval: Duration.seconds(10),
  maxAttempts: 3,
  backoffRate: 2,
};
/** GitHub reads: a 5xx or network error (GitHubApiError) is worth another poll later. */
const RETRY_GITHUB: sfn.RetryProps = {
  errors: ['GitHubApiError'],
  interval: Duration.seconds(30),
  maxAttempts: 3,
  backoffRate: 2,
};
/** Slack is best effort: retry, then carry on without it (a Slack outage must not stop a restore). */
const RETRY_NOTIFY: sfn.RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(5),
  maxAttempts: 2,
  backoffRate: 2,
};
/** Lambda functions time out after 1 minute; the task gives them a little longer. */
const TASK_TIMEOUT = Duration.seconds(90);
/** Dispatch waits for the run to appear (bounded lookups inside a 2-minute Lambda). */
const DEPLOY_TIMEOUT = Duration.minutes(3);
/** The sanitize function may retry its connection for a few minutes (5-minute Lambda timeout). */
const SANITIZE_TIMEOUT = Duration.minutes(6);

/** State names people read in the console (lib/workflow/states.ts, free of CDK so the CLI can load it). */
export { FAILED_SUFFIX, STATE };

/** The execution's identity, from the context object, for every payload that reports it. */
const EXECUTION = { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' };

export class RestoreWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  private readonly config: RestoreConfig;
  private readonly fns: Record<Step, lambda.IFunction>;
  private readonly rollbackStart: sfn.IChainable;
  /** Slack failure report, then Fail: where failures go that need no rollback (nothing was created yet). */
  private readonly failureReport: sfn.IChainable;

  constructor(scope: Construct, id: string, props: RestoreWorkflowProps) {
    super(scope, id);
    this.config = props.config;
    this.fns = props.functions;
    this.failureReport = this.failureReportChain();
    this.rollbackStart = this.rollbackLoop(this.failureReport);

    const beforeAnyChange = sfn.Chain.start(this.runLock()).next(this.leftovers(this.mainPath()));
    const definition = sfn.Chain.start(this.validateInput())
      .next(this.startState())
      .next(this.skipCheck(props.skipParameter, beforeAnyChange));

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Recreates the staging database from the newest automated production snapshot (staging-db-restore)',
      stateMachineName: this.config.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(this.config.executionTimeoutHours),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }

  /**
   * Plan step 0 (ours): the execution input, validated before anything is read. Its result replaces the state
   * (no ResultPath: the raw input need not even be an object). A bad input ends the run here, with an error
   * naming the field, in Slack too.
   */
  private validateInput(): sfn.IChainable {
    const validate = this.lambda(
      STATE.validateInput,
      'validate-input',
      { 'input.$': '$', execution: EXECUTION },
      undefined,
      RETRY_TRANSIENT,
    );
    const invalid = this.notify(STATE.notifyInvalidInput, 'invalid-input', {
      'error.$': '$.Error',
      'cause.$': '$.Cause',
    }).next(new sfn.Fail(this, STATE.invalidInput, { errorPath: '$.Error', causePath: '$.Cause' }));
    // No ResultPath: the error replaces the state (the raw input may not be an object to add it to).
    validate.addCatch(invalid, { errors: [ERRORS.invalidInput] });
    // Anything else (the function timing out, an unexpected error) is not the input's fault: the failure report
    // names this state. Nothing has been read or changed, and the state data is not laid out yet: the Pass lays
    // out what the report reads.
    const failed = new sfn.Pass(this, `${STATE.validateInput}${FAILED_SUFFIX}`, {
      parameters: {
        failedAt: { state: STATE.validateInput, outageStarted: false },
        failure: { 'Error.$': '$.Error', 'Cause.$': '$.Cause' },
        rollback: EMPTY_SLOT,
        rollbackError: EMPTY_SLOT,
        leftovers: EMPTY_SLOT,
      },
    });
    validate.addCatch(failed.next(this.failureReport));
    return validate;
  }

  /**
   * Lays out every slot of the state data, so each later JSONPath exists (a path to nothing is a
   * States.Runtime error, which no Catch catches). Empty slots are `{}`: see EMPTY_SLOT. The validated
   * execution input goes to `$.input` (the execution's identity comes from `$$`).
   */
  private startState(): sfn.Pass {
    return new sfn.Pass(this, STATE.start, {
      parameters: {
        'input.$': '$',
        runs: EMPTY_SLOT,
        leftovers: EMPTY_SLOT,
        plan: EMPTY_SLOT,
        skip: EMPTY_SLOT,
        found: { snapshot: EMPTY_SLOT, staging: EMPTY_SLOT },
        restore: EMPTY_SLOT,
        waits: {
          snapshot: EMPTY_SLOT,
          restore: EMPTY_SLOT,
          password: EMPTY_SLOT,
          old: EMPTY_SLOT,
          staging: EMPTY_SLOT,
          deleted: EMPTY_SLOT,
        },
        verify: EMPTY_SLOT,
        resetPassword: EMPTY_SLOT,
        sanitize: EMPTY_SLOT,
        renameAway: EMPTY_SLOT,
        renameIn: EMPTY_SLOT,
        deleteOld: EMPTY_SLOT,
        failure: EMPTY_SLOT,
        failedAt: EMPTY_SLOT,
        rollback: EMPTY_SLOT,
        rollbackError: EMPTY_SLOT,
        notifyError: EMPTY_SLOT,
        lastRestore: EMPTY_SLOT,
        lastRestoreRecord: EMPTY_SLOT,
        deploy: EMPTY_SLOT,
        deployPoll: EMPTY_SLOT,
        index: EMPTY_SLOT,
        indexPoll: EMPTY_SLOT,
        afterSwap: EMPTY_SLOT,
      },
      // No ResultPath: the default ("$") replaces the input. (aws-local-stepfunctions 3 mishandles an
      // explicit "$", nesting the result under a "$" key.)
    });
  }

  /** Plan step 1. */
  private skipCheck(skipParameter: ssm.IStringParameter, proceed: sfn.IChainable): sfn.IChainable {
    const read = new tasks.CallAwsService(this, STATE.readSkip, {
      service: 'ssm',
      action: 'getParameter',
      parameters: { Name: skipParameter.parameterName },
      iamResources: [skipParameter.parameterArn],
      resultSelector: { 'value.$': '$.Parameter.Value' },
      resultPath: '$.skip',
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
    });
    read.addRetry(RETRY_TRANSIENT);
    this.catchInto(read, false, false);

    const skipped = this.notify(STATE.notifySkipped, 'skipped', {})
      .next(new sfn.Pass(this, STATE.reportSkipped, { parameters: { outcome: 'skipped', execution: EXECUTION } }))
      .next(new sfn.Succeed(this, STATE.skipped));
    const invalid = new sfn.Pass(this, STATE.invalidSkip, {
      result: sfn.Result.fromObject({
        Error: ERRORS.invalidSkipFlag,
        Cause: `The SSM parameter ${this.config.skipParameterName} must be "true" or "false"`,
      }),
      resultPath: '$.failure',
    }).next(this.recordFailure(STATE.isSkipped, false, false));

    return read.next(
      new sfn.Choice(this, STATE.isSkipped)
        .when(sfn.Condition.stringEquals('$.skip.value', 'true'), skipped)
        .when(sfn.Condition.stringEquals('$.skip.value', 'false'), this.readLastRestore(proceed))
        .otherwise(invalid),
    );
  }

  /**
   * The last successful restore, recorded by the previous run: the index update starts from its date. None
   * recorded yet (first run) is normal; the index step then uses `searchIndex.firstRunSinceDate`.
   */
  private readLastRestore(next: sfn.IChainable): sfn.IChainable {
    const name = this.config.lastRestoreParameterName;
    const read = new tasks.CallAwsService(this, STATE.readLastRestore, {
      service: 'ssm',
      action: 'getParameter',
      parameters: { Name: name },
      iamResources: [this.parameterArn(name)],
      resultSelector: { 'value.$': '$.Parameter.Value' },
      resultPath: '$.lastRestore',
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
    });
    read.addRetry(RETRY_TRANSIENT);
    const none = new sfn.Pass(this, STATE.noLastRestore, {
      result: sfn.Result.fromObject({ value: '' }),
      resultPath: '$.lastRestore',
    });
    read.addCatch(none, { errors: ['Ssm.ParameterNotFoundException'], resultPath: '$.failure' });
    this.catchInto(read, false, false);
    none.next(next);
    return read.next(next);
  }

  /**
   * The run lock (see lambdas/check-runs): another restore running ends this one at once; another user of
   * staging running makes it wait (bounded) or end skipped, as configured. Both end as a success that says why.
   * A failure here goes straight to the report: nothing has been changed, there is nothing to roll back.
   */
  private runLock(): sfn.IChainable {
    const c = this.config;
    const check = this.lambda(
      STATE.checkRuns,
      'check-runs',
      {
        execution: EXECUTION,
        'dryRun.$': '$.input.dryRun',
        bound: { maxSeconds: c.waits.otherRuns.maxMinutes * 60, pollSeconds: c.waits.otherRuns.pollSeconds },
        'previous.$': '$.runs',
      },
      '$.runs',
      RETRY_TRANSIENT,
    );
    this.catchInto(check, false, false);
    const endWith = (notifyName: string, event: NotifyEvent, reportName: string, endName: string, reason: string) =>
      this.notify(notifyName, event, { 'restores.$': '$.runs.restores', 'others.$': '$.runs.others' })
        .next(
          new sfn.Pass(this, reportName, {
            parameters: { outcome: 'skipped', reason, execution: EXECUTION, 'runs.$': '$.runs' },
          }),
        )
        .next(new sfn.Succeed(this, endName));
    // Without other users of staging configured there is nothing to wait for: no such branch (and no wait loop
    // to count against the execution timeout).
    const others = c.concurrency.otherStateMachineArns.length > 0;
    const othersBusy = () =>
      c.concurrency.whenOthersRun === 'skip'
        ? endWith(STATE.notifyOthersBusy, 'others-busy', STATE.reportOthersBusy, STATE.othersBusy, 'staging-in-use')
        : new sfn.Wait(this, STATE.waitOtherRuns, { time: sfn.WaitTime.secondsPath('$.runs.nextPollSeconds') }).next(
            check,
          );
    const verdict = (v: string) => sfn.Condition.stringEquals('$.runs.verdict', v);
    const choice = new sfn.Choice(this, STATE.isRunBlocked).when(
      verdict('another-restore'),
      endWith(
        STATE.notifyAlreadyRunning,
        'already-running',
        STATE.reportAlreadyRunning,
        STATE.alreadyRunning,
        'another-restore-running',
      ),
    );
    if (others) choice.when(verdict('others-busy'), othersBusy());
    check.next(choice);
    return sfn.Chain.custom(check, choice.afterwards({ includeOtherwise: true }).endStates, choice);
  }

  /**
   * What an earlier failed run left (see lambdas/leftovers): a reconciliation loop, at most one change per
   * call, until the temporary and old names are free and staging is under its own name. What cannot be
   * cleared safely stops the run with instructions; nothing of this run exists yet, so no rollback.
   */
  private leftovers(next: sfn.IChainable): sfn.IChainable {
    const c = this.config;
    const clear = this.lambda(
      STATE.clearLeftovers,
      'leftovers',
      {
        execution: EXECUTION,
        'dryRun.$': '$.input.dryRun',
        bound: {
          maxSeconds: c.waits.leftovers.maxMinutes * 60,
          pollSeconds: c.waits.leftovers.pollSeconds,
          settleSeconds: c.renameSettleSeconds,
        },
        'previous.$': '$.leftovers',
      },
      '$.leftovers',
      RETRY_THROTTLED,
    );
    this.catchInto(clear, false, false);
    const wait = new sfn.Wait(this, STATE.waitLeftovers, {
      time: sfn.WaitTime.secondsPath('$.leftovers.nextPollSeconds'),
    }).next(clear);
    return clear.next(
      new sfn.Choice(this, STATE.areLeftoversCleared)
        .when(sfn.Condition.booleanEquals('$.leftovers.done', false), wait)
        .otherwise(next),
    );
  }

  /**
   * Dry run: everything above was read-only; this is what a real run would do, in the output and in Slack.
   */
  private dryRunReport(): sfn.IChainable {
    const c = this.config;
    const plan = new sfn.Pass(this, STATE.describePlan, {
      parameters: {
        'snapshot.$': '$.found.snapshot',
        staging: {
          identifier: c.stagingInstance,
          'foundAs.$': '$.leftovers.stagingAt',
          'resourceId.$': '$.found.staging.resourceId',
          'configuration.$': '$.found.staging.config',
          'tags.$': '$.found.staging.tags',
        },
        'leftovers.$': '$.leftovers.planned',
        'otherRuns.$': '$.runs.others',
        restoreTo: c.temporaryInstance,
        sanitize: { tables: c.sanitize.truncateTables, resetMasterPassword: c.sanitize.resetMasterPassword },
        swap: { renameStagingTo: c.oldInstance, renameNewTo: c.stagingInstance },
        afterSwap: {
          deleteOld: c.oldInstance,
          deployApi: c.deployApi.enabled,
          searchIndex: c.searchIndex.enabled ? c.searchIndex.mediaTypes : [],
          'skipPostSteps.$': '$.input.skipPostSteps',
        },
      },
      resultPath: '$.plan',
    });
    return sfn.Chain.start(plan)
      .next(this.notify(STATE.notifyDryRun, 'dry-run', { 'plan.$': '$.plan' }))
      .next(
        new sfn.Pass(this, STATE.reportDryRun, {
          parameters: { outcome: 'dry-run', execution: EXECUTION, 'plan.$': '$.plan' },
        }),
      )
      .next(new sfn.Succeed(this, STATE.dryRunFinished));
  }

  /** Plan steps 2-10 and the clean-up of step 11. */
  private mainPath(): sfn.IChainable {
    const c = this.config;
    const prepare = new sfn.Parallel(this, STATE.prepare, {
      resultSelector: { 'snapshot.$': '$[0].found.snapshot', 'staging.$': '$[1].found.staging' },
      resultPath: '$.found',
    });
    prepare.branch(
      this.findSnapshot(),
      this.lambda(
        STATE.captureStaging,
        'capture-staging',
        { 'at.$': '$.leftovers.stagingAt' },
        '$.found.staging',
        RETRY_TRANSIENT,
      ),
    );
    // Nothing of this run exists yet (the restore comes next): report at once, no rollback. (A rollback here would
    // take whatever holds the staging name for the original, and wait on it if it is not available.)
    this.catchInto(prepare, false, false);

    const restore = this.lambda(
      STATE.restore,
      'restore',
      { execution: EXECUTION, 'snapshot.$': '$.found.snapshot', 'staging.$': '$.found.staging' },
      '$.restore',
      RETRY_THROTTLED,
    );
    this.catchInto(restore, false);

    const waitNew = this.waitUntil('restore', [STATE.checkNew, STATE.isNewAvailable, STATE.waitNew], {
      kind: 'instance',
      identifier: c.temporaryInstance,
      until: 'available',
      'resourceId.$': '$.restore.resourceId',
    });
    const verify = this.lambda(
      STATE.verify,
      'verify-restore',
      { 'staging.$': '$.found.staging', identifier: c.temporaryInstance, 'resourceId.$': '$.waits.restore.resourceId' },
      '$.verify',
      RETRY_TRANSIENT,
    );
    this.catchInto(verify, false);

    const renameAway = this.lambda(
      STATE.renameAway,
      'rename',
      { from: c.stagingInstance, to: c.oldInstance, 'resourceId.$': '$.found.staging.resourceId' },
      '$.renameAway',
      RETRY_THROTTLED,
    );
    this.catchInto(renameAway, true);
    const waitOld = this.waitUntil(
      'old',
      [STATE.checkOld, STATE.isOldAvailable, STATE.waitOld],
      {
        kind: 'instance',
        identifier: c.oldInstance,
        until: 'available',
        'resourceId.$': '$.found.staging.resourceId',
        previousIdentifier: c.stagingInstance,
      },
      c.renameSettleSeconds,
    );
    const renameIn = this.lambda(
      STATE.renameIn,
      'rename',
      { from: c.temporaryInstance, to: c.stagingInstance, 'resourceId.$': '$.waits.restore.resourceId' },
      '$.renameIn',
      RETRY_THROTTLED,
    );
    this.catchInto(renameIn, true);
    const waitStaging = this.waitUntil(
      'staging',
      [STATE.checkStaging, STATE.isStagingAvailable, STATE.waitStaging],
      {
        kind: 'instance',
        identifier: c.stagingInstance,
        until: 'available',
        'resourceId.$': '$.waits.restore.resourceId',
        previousIdentifier: c.temporaryInstance,
      },
      c.renameSettleSeconds,
    );
    const outageTimes = {
      'snapshot.$': '$.found.snapshot.identifier',
      'outageStartedAt.$': '$.renameAway.requestedAt',
      'outageEndedAt.$': '$.waits.staging.observedAt',
    };

    const realRun = sfn.Chain.start(restore)
      .next(waitNew)
      .next(verify)
      .next(this.sanitize())
      .next(this.notify(STATE.notifyOutage, 'outage-starting', { 'snapshot.$': '$.found.snapshot.identifier' }))
      .next(renameAway)
      .next(waitOld)
      .next(renameIn)
      .next(waitStaging)
      .next(this.notify(STATE.notifyOutageOver, 'outage-over', outageTimes))
      .next(this.afterSwap());
    return prepare.next(
      new sfn.Choice(this, STATE.isDryRun)
        .when(sfn.Condition.booleanEquals('$.input.dryRun', true), this.dryRunReport())
        .otherwise(realRun),
    );
  }

  /**
   * Plan step 12.3, moved before the swap: production's OAuth data is removed from the copy (and its master
   * password made staging's) while it is still under the temporary name, so it is never live as staging.
   * A failure here rolls back like any other before the outage: the copy is deleted, staging untouched.
   */
  private sanitize(): sfn.IChainable {
    const c = this.config;
    const target = { identifier: c.temporaryInstance, 'resourceId.$': '$.waits.restore.resourceId' };
    const clean = this.lambda(
      STATE.sanitize,
      'sanitize',
      {
        ...target,
        database: c.sanitize.databaseName,
        tables: c.sanitize.truncateTables,
        connectAttempts: c.sanitize.connectAttempts,
        masterPasswordReset: c.sanitize.resetMasterPassword,
      },
      '$.sanitize',
      RETRY_THROTTLED,
      SANITIZE_TIMEOUT,
    );
    this.catchInto(clean, false);
    if (!c.sanitize.resetMasterPassword) return clean;

    const reset = this.lambda(STATE.resetPassword, 'reset-password', target, '$.resetPassword', RETRY_THROTTLED);
    this.catchInto(reset, false);
    const applied = this.waitUntil('password', [STATE.checkPassword, STATE.isPasswordApplied, STATE.waitPassword], {
      kind: 'instance',
      until: 'available',
      noPendingChanges: true,
      ...target,
    });
    return sfn.Chain.start(reset).next(applied).next(clean);
  }

  /** Plan steps 2-3: branch of the Parallel state. */
  private findSnapshot(): sfn.IChainable {
    const find = this.lambda(
      STATE.findSnapshot,
      'find-snapshot',
      { 'snapshotIdentifier.$': '$.input.snapshotIdentifier' },
      '$.found.snapshot',
      RETRY_TRANSIENT,
    );
    const wait = this.waitUntil('snapshot', [STATE.checkSnapshot, STATE.isSnapshotAvailable, STATE.waitSnapshot], {
      kind: 'snapshot',
      'identifier.$': '$.found.snapshot.identifier',
    });
    // A branch needs a terminal state; the Choice's "available" exit ends it here. A dry run does not wait:
    // the plan reports the snapshot's status.
    return find.next(
      new sfn.Choice(this, STATE.isDryRunSnapshot)
        .when(sfn.Condition.booleanEquals('$.input.dryRun', true), new sfn.Succeed(this, STATE.snapshotFound))
        .otherwise(wait.next(new sfn.Succeed(this, STATE.snapshotReady))),
    );
  }

  /**
   * Plan steps 11 (delete old) and 12, after the swap, in parallel. Each branch reports its own outcome
   * (`{ step, ok, ... }`) instead of failing the Parallel, so one failing branch neither cancels the others nor
   * undoes the swap: staging already serves the new data. Then one report: success, or which branch failed
   * and what to do by hand, and the run ends failed.
   */
  private afterSwap(): sfn.IChainable {
    const c = this.config;
    const finish = new sfn.Parallel(this, STATE.afterSwap, {
      resultSelector: { 'delete.$': '$[0]', 'deploy.$': '$[1]', 'index.$': '$[2]', 'record.$': '$[3]' },
      resultPath: '$.afterSwap',
    });
    finish.branch(this.deleteBranch(), this.deployBranch(), this.indexBranch(), this.recordBranch());

    const details = {
      'snapshot.$': '$.found.snapshot.identifier',
      'snapshotCreatedAt.$': '$.found.snapshot.createdAt',
      'outageStartedAt.$': '$.renameAway.requestedAt',
      'outageEndedAt.$': '$.waits.staging.observedAt',
      'sanitize.$': '$.sanitize',
      'afterSwap.$': '$.afterSwap',
      'leftovers.$': '$.leftovers',
    };
    const success = this.notify(STATE.notifySuccess, 'succeeded', details)
      .next(
        new sfn.Pass(this, STATE.reportSuccess, {
          parameters: {
            outcome: 'succeeded',
            execution: EXECUTION,
            'snapshot.$': '$.found.snapshot',
            staging: { identifier: c.stagingInstance, 'resourceId.$': '$.waits.restore.resourceId' },
            outage: { 'startedAt.$': '$.renameAway.requestedAt', 'endedAt.$': '$.waits.staging.observedAt' },
            'sanitize.$': '$.sanitize',
            'afterSwap.$': '$.afterSwap',
          },
        }),
      )
      .next(new sfn.Succeed(this, STATE.succeeded));
    const partial = this.notify(STATE.notifyAfterSwapFailed, 'after-swap-failed', {
      ...details,
      hints: {
        repo: `${c.deployApi.owner}/${c.deployApi.repo}`,
        deployWorkflow: c.deployApi.workflowFile,
        ingestionServerUrl: c.searchIndex.ingestionServerUrl,
        lastRestoreParameter: c.lastRestoreParameterName,
      },
    }).next(
      new sfn.Fail(this, STATE.afterSwapFailed, {
        error: ERRORS.afterSwapFailed,
        cause: 'Staging serves the new data, but a step after the swap failed: see the Slack message and $.afterSwap',
      }),
    );
    const allOk = sfn.Condition.and(
      ...(['delete', 'deploy', 'index', 'record'] as const).map((b) =>
        sfn.Condition.booleanEquals(`$.afterSwap.${b}.ok`, true),
      ),
    );
    // Every branch catches its own failures; this only guards against one failing outside its tasks.
    finish.addCatch(partial, { resultPath: '$.failure' });
    return finish.next(new sfn.Choice(this, STATE.didAfterSwapSucceed).when(allOk, success).otherwise(partial));
  }

  /** A branch switched off in config: it reports success, marked skipped (the summary says "disabled"). */
  private disabledBranch(step: string, name: string): sfn.Pass {
    return new sfn.Pass(this, name, { parameters: { step, ok: true, skipped: true, skippedBy: 'config' } });
  }

  /** A branch the execution input skips (`skipPostSteps`), else `branch`. */
  private unlessSkipped(step: string, question: string, skippedName: string, branch: sfn.IChainable): sfn.IChainable {
    return new sfn.Choice(this, question)
      .when(
        sfn.Condition.booleanEquals('$.input.skipPostSteps', true),
        new sfn.Pass(this, skippedName, { parameters: { step, ok: true, skipped: true, skippedBy: 'input' } }),
      )
      .otherwise(branch);
  }

  /** A branch's two ends: `{ step, ok: true, ...result }` or `{ step, ok: false, state, error, cause }`. */
  private branchEnds(step: string, okName: string, failedName: string, result: Record<string, unknown> = {}) {
    const ok = new sfn.Pass(this, okName, { parameters: { step, ok: true, ...result } });
    const failed = new sfn.Pass(this, failedName, {
      parameters: {
        step,
        ok: false,
        'state.$': '$.failedAt.state',
        'error.$': '$.failure.Error',
        'cause.$': '$.failure.Cause',
      },
    });
    return { ok, failed };
  }

  /** Catches every error of a task after the swap into its branch's failed end, recording which state failed. */
  private catchInBranch(task: sfn.TaskStateBase, failed: sfn.IChainable): void {
    const record = new sfn.Pass(this, `${task.stateId}${FAILED_SUFFIX}`, {
      result: sfn.Result.fromObject({ state: task.stateId, outageStarted: true }),
      resultPath: '$.failedAt',
    });
    record.next(failed);
    task.addCatch(record, { resultPath: '$.failure' });
  }

  /** Plan step 11, success side: delete the old database (no final snapshot, automated backups kept). */
  private deleteBranch(): sfn.IChainable {
    const c = this.config;
    const ends = this.branchEnds('delete', STATE.oldDeleted, STATE.deleteFailed, { identifier: c.oldInstance });
    const del = this.lambda(
      STATE.deleteOld,
      'delete',
      { identifier: c.oldInstance, 'resourceId.$': '$.found.staging.resourceId' },
      '$.deleteOld',
      RETRY_THROTTLED,
    );
    this.catchInBranch(del, ends.failed);
    const waitGone = this.waitUntil(
      'deleted',
      [STATE.checkDeleted, STATE.isOldGone, STATE.waitDeleted],
      { kind: 'instance', identifier: c.oldInstance, until: 'gone', 'resourceId.$': '$.found.staging.resourceId' },
      0,
      ends.failed,
    );
    return sfn.Chain.start(del).next(waitGone).next(ends.ok);
  }

  /** Plan step 12.1: the newest release image tag, the deploy workflow dispatched, its run followed. */
  private deployBranch(): sfn.IChainable {
    const c = this.config;
    const d = c.deployApi;
    if (!d.enabled) return this.disabledBranch('deploy', STATE.deployDisabled);
    const ends = this.branchEnds('deploy', STATE.apiDeployed, STATE.deployFailed, {
      'tag.$': '$.deploy.tag',
      'runUrl.$': '$.deploy.runUrl',
    });
    const config = {
      owner: d.owner,
      repo: d.repo,
      packageOrg: d.packageOrg,
      packageName: d.packageName,
      workflowFile: d.workflowFile,
      ref: d.ref,
      ...(d.tagPattern ? { tagPattern: d.tagPattern } : {}),
      // Unique per execution: it is how the dispatched run is found again (GitHub returns no run id).
      'runName.$': "States.Format('Staging DB restore {}', $$.Execution.Name)",
    };
    // Not retried: a dispatch whose answer was lost may have started a deploy; a second would deploy twice.
    const dispatch = this.lambda(
      STATE.dispatchDeploy,
      'deploy-api',
      { action: 'dispatch', ...config },
      '$.deploy',
      undefined,
      DEPLOY_TIMEOUT,
    );
    this.catchInBranch(dispatch, ends.failed);
    const check = this.lambda(
      STATE.checkDeploy,
      'deploy-api',
      {
        action: 'check',
        owner: d.owner,
        repo: d.repo,
        'runId.$': '$.deploy.runId',
        'tag.$': '$.deploy.tag',
        'startedAt.$': '$.deploy.dispatchedAt',
        maxSeconds: c.waits.deploy.maxMinutes * 60,
        pollSeconds: c.waits.deploy.pollSeconds,
      },
      '$.deployPoll',
      RETRY_GITHUB,
    );
    this.catchInBranch(check, ends.failed);
    const wait = new sfn.Wait(this, STATE.waitDeploy, {
      time: sfn.WaitTime.duration(Duration.seconds(c.waits.deploy.pollSeconds)),
    });
    wait.next(check);
    check.next(
      new sfn.Choice(this, STATE.isDeployDone)
        .when(sfn.Condition.booleanEquals('$.deployPoll.done', true), ends.ok)
        .otherwise(wait),
    );
    return this.unlessSkipped('deploy', STATE.isDeploySkipped, STATE.deploySkipped, dispatch.next(wait));
  }

  /** Plan step 12.2: UPDATE_INDEX per media type on the ingestion server, followed to the end. */
  private indexBranch(): sfn.IChainable {
    const c = this.config;
    const x = c.searchIndex;
    if (!x.enabled) return this.disabledBranch('index', STATE.indexDisabled);
    const ends = this.branchEnds('index', STATE.indicesUpdated, STATE.indexFailed, {
      'sinceDate.$': '$.index.sinceDate',
      'tasks.$': '$.index.tasks',
    });
    const start = this.lambda(
      STATE.startIndex,
      'update-index',
      {
        action: 'start',
        baseUrl: x.ingestionServerUrl,
        mediaTypes: x.mediaTypes,
        'lastRestore.$': '$.lastRestore.value',
        defaultSinceDate: x.firstRunSinceDate,
      },
      '$.index',
      RETRY_THROTTLED,
    );
    this.catchInBranch(start, ends.failed);
    const check = this.lambda(
      STATE.checkIndex,
      'update-index',
      {
        action: 'check',
        baseUrl: x.ingestionServerUrl,
        'tasks.$': '$.index.tasks',
        'startedAt.$': '$.index.startedAt',
        maxSeconds: c.waits.index.maxMinutes * 60,
        pollSeconds: c.waits.index.pollSeconds,
      },
      '$.indexPoll',
      RETRY_TRANSIENT,
    );
    this.catchInBranch(check, ends.failed);
    // The check's output replaces the task list, so progress carries from poll to poll.
    const keep = new sfn.Pass(this, STATE.keepIndexProgress, {
      parameters: {
        'sinceDate.$': '$.index.sinceDate',
        'tasks.$': '$.indexPoll.tasks',
        'startedAt.$': '$.index.startedAt',
        'done.$': '$.indexPoll.done',
        'nextPollSeconds.$': '$.indexPoll.nextPollSeconds',
      },
      resultPath: '$.index',
    });
    check.next(keep);
    const wait = new sfn.Wait(this, STATE.waitIndex, { time: sfn.WaitTime.secondsPath('$.index.nextPollSeconds') });
    wait.next(check);
    keep.next(
      new sfn.Choice(this, STATE.isIndexDone)
        .when(sfn.Condition.booleanEquals('$.index.done', false), wait)
        .otherwise(ends.ok),
    );
    return this.unlessSkipped('index', STATE.isIndexSkipped, STATE.indexSkipped, start.next(check));
  }

  /** Plan step 12 (ours): record this restore, for the next run's index update and for status displays. */
  private recordBranch(): sfn.IChainable {
    const c = this.config;
    const ends = this.branchEnds('record', STATE.restoreRecorded, STATE.recordFailed, {
      parameter: c.lastRestoreParameterName,
    });
    const describe = new sfn.Pass(this, STATE.describeRestore, {
      parameters: {
        'at.$': '$.waits.staging.observedAt',
        'snapshot.$': '$.found.snapshot.identifier',
        'snapshotCreatedAt.$': '$.found.snapshot.createdAt',
        'execution.$': '$$.Execution.Name',
      },
      resultPath: '$.lastRestoreRecord',
    });
    const put = new tasks.CallAwsService(this, STATE.recordRestore, {
      service: 'ssm',
      action: 'putParameter',
      parameters: {
        Name: c.lastRestoreParameterName,
        Type: 'String',
        Overwrite: true,
        'Value.$': 'States.JsonToString($.lastRestoreRecord)',
      },
      iamResources: [this.parameterArn(c.lastRestoreParameterName)],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
    });
    put.addRetry(RETRY_TRANSIENT);
    this.catchInBranch(put, ends.failed);
    return sfn.Chain.start(describe).next(put).next(ends.ok);
  }

  private parameterArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
  }

  /**
   * The catch branch: a reconciliation loop (see lambdas/rollback), then Slack, then Fail. Every failure
   * before the old database is deleted comes here, after a Pass that records which state failed.
   */
  private rollbackLoop(report: sfn.IChainable): sfn.IChainable {
    const c = this.config;
    const bound = c.waits.rollback;

    const step = this.lambda(
      STATE.rollback,
      'rollback',
      {
        execution: EXECUTION,
        'staging.$': '$.found.staging',
        'outageStarted.$': '$.failedAt.outageStarted',
        bound: {
          maxSeconds: bound.maxMinutes * 60,
          pollSeconds: bound.pollSeconds,
          settleSeconds: c.renameSettleSeconds,
        },
        'previous.$': '$.rollback',
      },
      '$.rollback',
      RETRY_TRANSIENT,
    );
    step.addCatch(report, { resultPath: '$.rollbackError' });
    const wait = new sfn.Wait(this, STATE.waitRollback, {
      time: sfn.WaitTime.secondsPath('$.rollback.nextPollSeconds'),
    });
    step.next(
      new sfn.Choice(this, STATE.isRolledBack)
        .when(sfn.Condition.booleanEquals('$.rollback.done', false), wait)
        .otherwise(report),
    );
    wait.next(step);
    return step;
  }

  /** Slack failure report (what failed, what the rollback did), then Fail with the failure's error and cause. */
  private failureReportChain(): sfn.IChainable {
    const failed = new sfn.Fail(this, STATE.failed, { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    const rollbackFailed = new sfn.Fail(this, STATE.rollbackFailed, {
      errorPath: '$.rollbackError.Error',
      causePath: '$.rollbackError.Cause',
    });
    return this.notify(STATE.notifyFailure, 'failed', {
      'failedState.$': '$.failedAt.state',
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
      'rollback.$': '$.rollback',
      'rollbackError.$': '$.rollbackError',
      rollbackState: STATE.rollback,
      'leftovers.$': '$.leftovers',
    }).next(
      new sfn.Choice(this, STATE.didRollbackFail)
        .when(sfn.Condition.isPresent('$.rollbackError.Error'), rollbackFailed)
        .otherwise(failed),
    );
  }

  /** A reusable Check → "Is it …?" → Wait loop on the check-status function, bounded by config. */
  private waitUntil(
    kind: Exclude<WaitKind, 'rollback' | 'modify'> | 'password' | 'old' | 'staging' | 'deleted',
    [checkName, question, waitName]: [string, string, string],
    target: Record<string, unknown>,
    settleSeconds = 0,
    onFailure?: sfn.IChainable,
  ): sfn.Chain {
    const boundKind: WaitKind =
      kind === 'old' || kind === 'staging'
        ? 'rename'
        : kind === 'deleted'
          ? 'delete'
          : kind === 'password'
            ? 'modify'
            : kind;
    const bound = this.config.waits[boundKind];
    const path = `$.waits.${kind}`;
    const check = this.lambda(
      checkName,
      'check-status',
      {
        target,
        bound: { maxSeconds: bound.maxMinutes * 60, pollSeconds: bound.pollSeconds, settleSeconds },
        'previous.$': path,
      },
      path,
      RETRY_TRANSIENT,
    );
    if (onFailure) this.catchInBranch(check, onFailure);
    else if (kind !== 'snapshot') this.catchInto(check, kind === 'old' || kind === 'staging');
    const wait = new sfn.Wait(this, waitName, { time: sfn.WaitTime.secondsPath(`${path}.nextPollSeconds`) });
    wait.next(check);
    const choice = new sfn.Choice(this, question).when(sfn.Condition.booleanEquals(`${path}.done`, false), wait);
    check.next(choice);
    return sfn.Chain.custom(check, choice.afterwards({ includeOtherwise: true }).endStates, choice);
  }

  /** A Lambda step with its payload, result path, retry policy and timeout. */
  private lambda(
    name: string,
    step: Step,
    payload: Record<string, unknown>,
    /** Undefined: the result replaces the state. */
    resultPath: string | undefined,
    /** Undefined: only the Lambda service-error retry LambdaInvoke adds. */
    retry: sfn.RetryProps | undefined,
    timeout = TASK_TIMEOUT,
  ): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, name, {
      lambdaFunction: this.fns[step],
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(timeout),
    });
    if (retry) task.addRetry(retry);
    return task;
  }

  /** A best-effort Slack message: on failure (after retries) the workflow carries on to the same next state. */
  private notify(name: string, event: NotifyEvent, details: Record<string, unknown>): sfn.Chain {
    const task = this.lambda(
      name,
      'notify',
      { event, execution: EXECUTION, details },
      sfn.JsonPath.DISCARD,
      RETRY_NOTIFY,
    );
    return sfn.Chain.custom(task, [new NextAlsoOnError(task, '$.notifyError')], task);
  }

  /**
   * Catch every error of `state` into `$.failure`, record the state's name, and roll back (or, before this run
   * has created anything, report at once).
   */
  private catchInto(state: sfn.TaskStateBase | sfn.Parallel, outageStarted: boolean, rollBack = true): void {
    state.addCatch(this.recordFailure(state.stateId, outageStarted, rollBack), { resultPath: '$.failure' });
  }

  /** A Pass named "<state> failed" that records where the run failed, then the rollback or the report. */
  private recordFailure(stateName: string, outageStarted: boolean, rollBack = true): sfn.Pass {
    const record = new sfn.Pass(this, `${stateName}${FAILED_SUFFIX}`, {
      result: sfn.Result.fromObject({ state: stateName, outageStarted }),
      resultPath: '$.failedAt',
    });
    record.next(rollBack ? this.rollbackStart : this.failureReport);
    return record;
  }
}

/** Chains `task` to whatever comes next both on success and, via a Catch, on any error. */
class NextAlsoOnError implements sfn.INextable {
  constructor(
    private readonly task: sfn.TaskStateBase,
    private readonly errorPath: string,
  ) {}

  next(state: sfn.IChainable): sfn.Chain {
    this.task.addCatch(state.startState, { resultPath: this.errorPath });
    return this.task.next(state);
  }
}
