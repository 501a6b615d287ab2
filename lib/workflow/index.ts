/**
 * The restore workflow, in the plan's words ("Update Staging Database", steps 1-11 and 13):
 *
 *  1. Read the skip flag; if `true`, tell Slack and end (a skip is a success).
 *  2. Find the newest automated production snapshot,
 *  3.   and wait until it is available,
 *  4.   while (in parallel) capturing staging's configuration and checking the names are free.
 *  5. Restore the snapshot to the temporary name with staging's configuration.
 *  6. Wait for the new database, then verify its configuration (still no outage).
 *  7. Slack: outage starting. Rename staging to old,
 *  8.   wait until it is available under the old name (not found = rename in progress).
 *  9. Rename the new database to staging,
 * 10.   wait until it is settled under the staging name. Slack: outage over.
 * 11. On failure in 2-10: roll back (reconcile until the original is staging again, the new one gone);
 *     otherwise delete the old database and wait until it is gone.
 * 13. Report success or failure to Slack.
 *
 * State data: see lambdas/shared/contract.ts. Every failure ends in a Fail state with error and cause.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EMPTY_SLOT, ERRORS, type NotifyEvent } from '../../lambdas/shared/contract';
import type { RestoreConfig, WaitKind } from '../config';
import type { Step } from '../functions';

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
/** Slack is best effort: retry, then carry on without it (a Slack outage must not stop a restore). */
const RETRY_NOTIFY: sfn.RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(5),
  maxAttempts: 2,
  backoffRate: 2,
};
/** Lambda functions time out after 1 minute; the task gives them a little longer. */
const TASK_TIMEOUT = Duration.seconds(90);

/** State names people read in the console. Exported so tests and the runbook refer to the same names. */
export const STATE = {
  start: 'Start restore',
  readSkip: 'Read skip flag',
  isSkipped: 'Is this run skipped?',
  notifySkipped: 'Notify skipped',
  reportSkipped: 'Report skipped',
  skipped: 'Skipped',
  invalidSkip: 'Skip flag is invalid',
  prepare: 'Find snapshot and capture staging',
  findSnapshot: 'Find latest production snapshot',
  checkSnapshot: 'Check snapshot',
  isSnapshotAvailable: 'Is the snapshot available?',
  waitSnapshot: 'Wait for snapshot',
  snapshotReady: 'Snapshot is ready',
  captureStaging: 'Capture staging configuration',
  restore: 'Restore snapshot to temporary instance',
  checkNew: 'Check new database',
  isNewAvailable: 'Is the new database available?',
  waitNew: 'Wait for new database',
  verify: 'Verify new database configuration',
  notifyOutage: 'Notify outage starting',
  renameAway: 'Rename staging to old',
  checkOld: 'Check old database',
  isOldAvailable: 'Is the old database available under its new name?',
  waitOld: 'Wait for rename to old',
  renameIn: 'Rename new database to staging',
  checkStaging: 'Check staging',
  isStagingAvailable: 'Is the new database available as staging?',
  waitStaging: 'Wait for rename to staging',
  notifyOutageOver: 'Notify outage over',
  deleteOld: 'Delete old database',
  checkDeleted: 'Check old database deletion',
  isOldGone: 'Is the old database gone?',
  waitDeleted: 'Wait for old database deletion',
  notifySuccess: 'Notify success',
  reportSuccess: 'Report success',
  succeeded: 'Restore succeeded',
  rollback: 'Roll back',
  isRolledBack: 'Is staging back in place?',
  waitRollback: 'Wait during rollback',
  notifyFailure: 'Notify failure',
  didRollbackFail: 'Did the rollback fail?',
  failed: 'Restore failed',
  rollbackFailed: 'Restore and rollback failed',
  notifyCleanupFailed: 'Notify cleanup failed',
  cleanupFailed: 'Old database not deleted',
} as const;

/** The execution's identity, from the context object, for every payload that reports it. */
const EXECUTION = { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' };

/** Suffix of the Pass state that records which state failed before the rollback starts. */
export const FAILED_SUFFIX = ' failed';

export class RestoreWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  private readonly config: RestoreConfig;
  private readonly fns: Record<Step, lambda.IFunction>;
  private readonly rollbackStart: sfn.IChainable;

  constructor(scope: Construct, id: string, props: RestoreWorkflowProps) {
    super(scope, id);
    this.config = props.config;
    this.fns = props.functions;
    this.rollbackStart = this.rollbackLoop();

    const definition = sfn.Chain.start(this.startState()).next(this.skipCheck(props.skipParameter, this.mainPath()));

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Recreates the staging database from the newest automated production snapshot (staging-db-restore)',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(this.config.executionTimeoutHours),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }

  /**
   * Lays out every slot of the state data, so each later JSONPath exists (a path to nothing is a
   * States.Runtime error, which no Catch catches). Empty slots are `{}`: see EMPTY_SLOT. The execution's
   * input is replaced: nothing in it is used yet (the execution's identity comes from `$$`).
   */
  private startState(): sfn.Pass {
    return new sfn.Pass(this, STATE.start, {
      result: sfn.Result.fromObject({
        skip: EMPTY_SLOT,
        found: { snapshot: EMPTY_SLOT, staging: EMPTY_SLOT },
        restore: EMPTY_SLOT,
        waits: { snapshot: EMPTY_SLOT, restore: EMPTY_SLOT, old: EMPTY_SLOT, staging: EMPTY_SLOT, deleted: EMPTY_SLOT },
        verify: EMPTY_SLOT,
        renameAway: EMPTY_SLOT,
        renameIn: EMPTY_SLOT,
        deleteOld: EMPTY_SLOT,
        failure: EMPTY_SLOT,
        failedAt: EMPTY_SLOT,
        rollback: EMPTY_SLOT,
        rollbackError: EMPTY_SLOT,
        notifyError: EMPTY_SLOT,
      }),
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
    this.catchInto(read, false);

    const skipped = this.notify(STATE.notifySkipped, 'skipped', {})
      .next(new sfn.Pass(this, STATE.reportSkipped, { parameters: { outcome: 'skipped', execution: EXECUTION } }))
      .next(new sfn.Succeed(this, STATE.skipped));
    const invalid = new sfn.Pass(this, STATE.invalidSkip, {
      result: sfn.Result.fromObject({
        Error: ERRORS.invalidSkipFlag,
        Cause: `The SSM parameter ${this.config.skipParameterName} must be "true" or "false"`,
      }),
      resultPath: '$.failure',
    }).next(this.recordFailure(STATE.isSkipped, false));

    return read.next(
      new sfn.Choice(this, STATE.isSkipped)
        .when(sfn.Condition.stringEquals('$.skip.value', 'true'), skipped)
        .when(sfn.Condition.stringEquals('$.skip.value', 'false'), proceed)
        .otherwise(invalid),
    );
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
      this.lambda(STATE.captureStaging, 'capture-staging', {}, '$.found.staging', RETRY_TRANSIENT),
    );
    this.catchInto(prepare, false);

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

    return sfn.Chain.start(prepare)
      .next(restore)
      .next(waitNew)
      .next(verify)
      .next(this.notify(STATE.notifyOutage, 'outage-starting', { 'snapshot.$': '$.found.snapshot.identifier' }))
      .next(renameAway)
      .next(waitOld)
      .next(renameIn)
      .next(waitStaging)
      .next(this.notify(STATE.notifyOutageOver, 'outage-over', outageTimes))
      .next(this.deleteOld(outageTimes));
  }

  /** Plan steps 2-3: branch of the Parallel state. */
  private findSnapshot(): sfn.IChainable {
    const find = this.lambda(STATE.findSnapshot, 'find-snapshot', {}, '$.found.snapshot', RETRY_TRANSIENT);
    const wait = this.waitUntil('snapshot', [STATE.checkSnapshot, STATE.isSnapshotAvailable, STATE.waitSnapshot], {
      kind: 'snapshot',
      'identifier.$': '$.found.snapshot.identifier',
    });
    // A branch needs a terminal state; the Choice's "available" exit ends it here.
    return find.next(wait).next(new sfn.Succeed(this, STATE.snapshotReady));
  }

  /** Plan step 11, success side: delete old. Its failure keeps the swap and says what to do by hand. */
  private deleteOld(outageTimes: Record<string, string>): sfn.IChainable {
    const c = this.config;
    const cleanupFailed = this.notify(STATE.notifyCleanupFailed, 'swap-kept-cleanup-failed', {
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
    }).next(new sfn.Fail(this, STATE.cleanupFailed, { errorPath: '$.failure.Error', causePath: '$.failure.Cause' }));

    const del = this.lambda(
      STATE.deleteOld,
      'delete',
      { identifier: c.oldInstance, 'resourceId.$': '$.found.staging.resourceId' },
      '$.deleteOld',
      RETRY_THROTTLED,
    );
    del.addCatch(cleanupFailed, { resultPath: '$.failure' });
    const waitGone = this.waitUntil(
      'deleted',
      [STATE.checkDeleted, STATE.isOldGone, STATE.waitDeleted],
      { kind: 'instance', identifier: c.oldInstance, until: 'gone', 'resourceId.$': '$.found.staging.resourceId' },
      0,
      cleanupFailed,
    );
    const success = new sfn.Pass(this, STATE.reportSuccess, {
      parameters: {
        outcome: 'succeeded',
        execution: EXECUTION,
        'snapshot.$': '$.found.snapshot',
        staging: { identifier: c.stagingInstance, 'resourceId.$': '$.waits.restore.resourceId' },
        outage: { 'startedAt.$': '$.renameAway.requestedAt', 'endedAt.$': '$.waits.staging.observedAt' },
      },
    });
    return sfn.Chain.start(del)
      .next(waitGone)
      .next(
        this.notify(STATE.notifySuccess, 'succeeded', {
          ...outageTimes,
          'snapshotCreatedAt.$': '$.found.snapshot.createdAt',
        }),
      )
      .next(success)
      .next(new sfn.Succeed(this, STATE.succeeded));
  }

  /**
   * The catch branch: a reconciliation loop (see lambdas/rollback), then Slack, then Fail. Every failure
   * before the old database is deleted comes here, after a Pass that records which state failed.
   */
  private rollbackLoop(): sfn.IChainable {
    const c = this.config;
    const bound = c.waits.rollback;
    const failed = new sfn.Fail(this, STATE.failed, { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
    const rollbackFailed = new sfn.Fail(this, STATE.rollbackFailed, {
      errorPath: '$.rollbackError.Error',
      causePath: '$.rollbackError.Cause',
    });
    const report = this.notify(STATE.notifyFailure, 'failed', {
      'failedState.$': '$.failedAt.state',
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
      'rollback.$': '$.rollback',
      'rollbackError.$': '$.rollbackError',
    }).next(
      new sfn.Choice(this, STATE.didRollbackFail)
        .when(sfn.Condition.isPresent('$.rollbackError.Error'), rollbackFailed)
        .otherwise(failed),
    );

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

  /** A reusable Check → "Is it …?" → Wait loop on the check-status function, bounded by config. */
  private waitUntil(
    kind: Exclude<WaitKind, 'rollback'> | 'old' | 'staging' | 'deleted',
    [checkName, question, waitName]: [string, string, string],
    target: Record<string, unknown>,
    settleSeconds = 0,
    onFailure?: sfn.IChainable,
  ): sfn.Chain {
    const boundKind: WaitKind = kind === 'old' || kind === 'staging' ? 'rename' : kind === 'deleted' ? 'delete' : kind;
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
    if (onFailure) check.addCatch(onFailure, { resultPath: '$.failure' });
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
    resultPath: string,
    retry: sfn.RetryProps,
  ): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, name, {
      lambdaFunction: this.fns[step],
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath,
      taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
    });
    task.addRetry(retry);
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

  /** Catch every error of `state` into `$.failure`, record the state's name, and roll back. */
  private catchInto(state: sfn.TaskStateBase | sfn.Parallel, outageStarted: boolean): void {
    state.addCatch(this.recordFailure(state.stateId, outageStarted), { resultPath: '$.failure' });
  }

  /** A Pass named "<state> failed" that records where the run failed, then the rollback. */
  private recordFailure(stateName: string, outageStarted: boolean): sfn.Pass {
    const record = new sfn.Pass(this, `${stateName}${FAILED_SUFFIX}`, {
      result: sfn.Result.fromObject({ state: stateName, outageStarted }),
      resultPath: '$.failedAt',
    });
    record.next(this.rollbackStart);
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
