import type * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { EMPTY_SLOT, ERRORS, type NotifyEvent } from '../../lambdas/shared/contract';
import { EXECUTION, ON_FAILURE, type PhaseKit, type WaitSlot } from './kit';
import { RETRY_THROTTLED, RETRY_TRANSIENT, TASK_TIMEOUT } from './retries';
import { FAILED_SUFFIX, STATE } from './states';

/**
 * Plan steps 0-1 and what must hold before anything changes: the input, the skip flag, the last restore, the
 * run lock and what earlier runs left; and the dry run's report, which ends a run that changed nothing. A
 * failure here goes straight to the report: nothing of this run exists, there is nothing to roll back.
 */

/**
 * From the execution's first state to the main path, the first state that may change something. `mainPath`
 * is built between the run lock and the leftovers loop: the order states are created in is the order the
 * synthesized definition lists them in, kept as it was when this was one file.
 */
export function checksBeforeAnyChange(
  kit: PhaseKit,
  skipParameter: ssm.IStringParameter,
  mainPath: () => sfn.IChainable,
): sfn.IChainable {
  const proceed = sfn.Chain.start(runLock(kit)).next(leftovers(kit, mainPath()));
  return sfn.Chain.start(validateInput(kit))
    .next(startState(kit))
    .next(skipCheck(kit, skipParameter, proceed));
}

/**
 * Plan step 0 (ours): the execution input, validated before anything is read. Its result replaces the state
 * (no ResultPath: the raw input need not even be an object). A bad input ends the run here, with an error
 * naming the field, in Slack too.
 */
function validateInput(kit: PhaseKit): sfn.IChainable {
  const { scope } = kit;
  const validate = kit.task(
    STATE.validateInput,
    'validate-input',
    { 'input.$': '$', execution: EXECUTION },
    { resultPath: undefined, retry: RETRY_TRANSIENT },
  );
  const invalid = kit
    .notify(STATE.notifyInvalidInput, 'invalid-input', { 'error.$': '$.Error', 'cause.$': '$.Cause' })
    .next(new sfn.Fail(scope, STATE.invalidInput, { errorPath: '$.Error', causePath: '$.Cause' }));
  // No ResultPath: the error replaces the state (the raw input may not be an object to add it to).
  validate.addCatch(invalid, { errors: [ERRORS.invalidInput] });
  // Anything else (the function timing out, an unexpected error) is not the input's fault: the failure report
  // names this state. Nothing has been read or changed, and the state data is not laid out yet: the Pass lays
  // out what the report reads.
  const failed = new sfn.Pass(scope, `${STATE.validateInput}${FAILED_SUFFIX}`, {
    parameters: {
      failedAt: { state: STATE.validateInput, outageStarted: false },
      failure: { 'Error.$': '$.Error', 'Cause.$': '$.Cause' },
      rollback: EMPTY_SLOT,
      rollbackError: EMPTY_SLOT,
      leftovers: EMPTY_SLOT,
    },
  });
  validate.addCatch(failed.next(kit.failures.report));
  return validate;
}

/**
 * Lays out every slot of the state data, so each later JSONPath exists (a path to nothing is a
 * States.Runtime error, which no Catch catches). Empty slots are `{}`: see EMPTY_SLOT. The validated
 * execution input goes to `$.input` (the execution's identity comes from `$$`).
 */
function startState(kit: PhaseKit): sfn.Pass {
  return new sfn.Pass(kit.scope, STATE.start, {
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
        stagingAtStart: EMPTY_SLOT,
        restore: EMPTY_SLOT,
        password: EMPTY_SLOT,
        stagingBeforeOutage: EMPTY_SLOT,
        old: EMPTY_SLOT,
        staging: EMPTY_SLOT,
        deleted: EMPTY_SLOT,
        settings: EMPTY_SLOT,
      } satisfies Record<WaitSlot, object>,
      verify: EMPTY_SLOT,
      resetPassword: EMPTY_SLOT,
      sanitize: EMPTY_SLOT,
      renameAway: EMPTY_SLOT,
      renameIn: EMPTY_SLOT,
      deleteOld: EMPTY_SLOT,
      applySettings: EMPTY_SLOT,
      drift: EMPTY_SLOT,
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
function skipCheck(kit: PhaseKit, skipParameter: ssm.IStringParameter, proceed: sfn.IChainable): sfn.IChainable {
  const { scope } = kit;
  const read = new tasks.CallAwsService(scope, STATE.readSkip, {
    service: 'ssm',
    action: 'getParameter',
    parameters: { Name: skipParameter.parameterName },
    iamResources: [skipParameter.parameterArn],
    resultSelector: { 'value.$': '$.Parameter.Value' },
    resultPath: '$.skip',
    taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
  });
  read.addRetry(RETRY_TRANSIENT);
  kit.catchInto(read, ON_FAILURE.report);

  const skipped = kit
    .notify(STATE.notifySkipped, 'skipped', {})
    .next(new sfn.Pass(scope, STATE.reportSkipped, { parameters: { outcome: 'skipped', execution: EXECUTION } }))
    .next(new sfn.Succeed(scope, STATE.skipped));
  const invalid = new sfn.Pass(scope, STATE.invalidSkip, {
    result: sfn.Result.fromObject({
      Error: ERRORS.invalidSkipFlag,
      Cause: `The SSM parameter ${kit.config.skipParameterName} must be "true" or "false"`,
    }),
    resultPath: '$.failure',
  }).next(kit.recordFailure(STATE.isSkipped, ON_FAILURE.report));

  return read.next(
    new sfn.Choice(scope, STATE.isSkipped)
      .when(sfn.Condition.stringEquals('$.skip.value', 'true'), skipped)
      .when(sfn.Condition.stringEquals('$.skip.value', 'false'), readLastRestore(kit, proceed))
      .otherwise(invalid),
  );
}

/**
 * The last successful restore, recorded by the previous run: the index update starts from its date. None
 * recorded yet (first run) is normal; the index step then uses `searchIndex.firstRunSinceDate`.
 */
function readLastRestore(kit: PhaseKit, next: sfn.IChainable): sfn.IChainable {
  const { scope } = kit;
  const name = kit.config.lastRestoreParameterName;
  const read = new tasks.CallAwsService(scope, STATE.readLastRestore, {
    service: 'ssm',
    action: 'getParameter',
    parameters: { Name: name },
    iamResources: [kit.parameterArn(name)],
    resultSelector: { 'value.$': '$.Parameter.Value' },
    resultPath: '$.lastRestore',
    taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
  });
  read.addRetry(RETRY_TRANSIENT);
  const none = new sfn.Pass(scope, STATE.noLastRestore, {
    result: sfn.Result.fromObject({ value: '' }),
    resultPath: '$.lastRestore',
  });
  read.addCatch(none, { errors: ['Ssm.ParameterNotFoundException'], resultPath: '$.failure' });
  kit.catchInto(read, ON_FAILURE.report);
  none.next(next);
  return read.next(next);
}

/**
 * The run lock (see lambdas/check-runs): another restore running ends this one at once; another user of
 * staging running makes it wait (bounded) or end skipped, as configured. Both end as a success that says why.
 */
function runLock(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const check = kit.task(
    STATE.checkRuns,
    'check-runs',
    {
      execution: EXECUTION,
      'dryRun.$': '$.input.dryRun',
      bound: { maxSeconds: config.waits.otherRuns.maxMinutes * 60, pollSeconds: config.waits.otherRuns.pollSeconds },
      'previous.$': '$.runs',
    },
    { resultPath: '$.runs', retry: RETRY_TRANSIENT },
  );
  kit.catchInto(check, ON_FAILURE.report);
  const endWith = (notifyName: string, event: NotifyEvent, reportName: string, endName: string, reason: string) =>
    kit
      .notify(notifyName, event, { 'restores.$': '$.runs.restores', 'others.$': '$.runs.others' })
      .next(
        new sfn.Pass(scope, reportName, {
          parameters: { outcome: 'skipped', reason, execution: EXECUTION, 'runs.$': '$.runs' },
        }),
      )
      .next(new sfn.Succeed(scope, endName));
  // Without other users of staging configured there is nothing to wait for: no such branch (and no wait loop
  // to count against the execution timeout).
  const others = config.concurrency.otherStateMachineArns.length > 0;
  const othersBusy = () =>
    config.concurrency.whenOthersRun === 'skip'
      ? endWith(STATE.notifyOthersBusy, 'others-busy', STATE.reportOthersBusy, STATE.othersBusy, 'staging-in-use')
      : new sfn.Wait(scope, STATE.waitOtherRuns, { time: sfn.WaitTime.secondsPath('$.runs.nextPollSeconds') }).next(
          check,
        );
  const verdict = (value: string) => sfn.Condition.stringEquals('$.runs.verdict', value);
  const choice = new sfn.Choice(scope, STATE.isRunBlocked).when(
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
function leftovers(kit: PhaseKit, next: sfn.IChainable): sfn.IChainable {
  const { config, scope } = kit;
  const clear = kit.task(
    STATE.clearLeftovers,
    'leftovers',
    {
      execution: EXECUTION,
      'dryRun.$': '$.input.dryRun',
      bound: {
        maxSeconds: config.waits.leftovers.maxMinutes * 60,
        pollSeconds: config.waits.leftovers.pollSeconds,
        settleSeconds: config.renameSettleSeconds,
      },
      'previous.$': '$.leftovers',
    },
    { resultPath: '$.leftovers', retry: RETRY_THROTTLED },
  );
  kit.catchInto(clear, ON_FAILURE.report);
  const wait = new sfn.Wait(scope, STATE.waitLeftovers, {
    time: sfn.WaitTime.secondsPath('$.leftovers.nextPollSeconds'),
  }).next(clear);
  return clear.next(
    new sfn.Choice(scope, STATE.areLeftoversCleared)
      .when(sfn.Condition.booleanEquals('$.leftovers.done', false), wait)
      .otherwise(next),
  );
}

/**
 * Dry run: everything before it was read-only; this is what a real run would do, in the output and in Slack.
 */
export function dryRunReport(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const plan = new sfn.Pass(scope, STATE.describePlan, {
    parameters: {
      'snapshot.$': '$.found.snapshot',
      staging: {
        identifier: config.stagingInstance,
        'foundAs.$': '$.leftovers.stagingAt',
        'resourceId.$': '$.found.staging.resourceId',
        'status.$': '$.found.staging.status',
        'configuration.$': '$.found.staging.config',
        'settings.$': '$.found.staging.settings',
        'tags.$': '$.found.staging.tags',
        'notMirrored.$': '$.found.staging.notMirrored',
      },
      'leftovers.$': '$.leftovers.planned',
      'otherRuns.$': '$.runs.others',
      restoreTo: config.temporaryInstance,
      sanitize: { tables: config.sanitize.truncateTables, resetMasterPassword: config.sanitize.resetMasterPassword },
      swap: { renameStagingTo: config.oldInstance, renameNewTo: config.stagingInstance },
      afterSwap: {
        deleteOld: config.oldInstance,
        deleteAutomatedBackups: config.deleteOld.deleteAutomatedBackups,
        deployApi: config.deployApi.enabled,
        searchIndex: config.searchIndex.enabled ? config.searchIndex.mediaTypes : [],
        'skipPostSteps.$': '$.input.skipPostSteps',
      },
    },
    resultPath: '$.plan',
  });
  return sfn.Chain.start(plan)
    .next(kit.notify(STATE.notifyDryRun, 'dry-run', { 'plan.$': '$.plan' }))
    .next(
      new sfn.Pass(scope, STATE.reportDryRun, {
        parameters: { outcome: 'dry-run', execution: EXECUTION, 'plan.$': '$.plan' },
      }),
    )
    .next(new sfn.Succeed(scope, STATE.dryRunFinished));
}
