import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { ERRORS } from '../../lambdas/shared/contract';
import { EXECUTION, type PhaseKit } from './kit';
import { DEPLOY_TIMEOUT, NO_RETRY, RETRY_GITHUB, RETRY_THROTTLED, RETRY_TRANSIENT, TASK_TIMEOUT } from './retries';
import { STATE } from './states';

/**
 * Plan steps 11 (delete old) and 12, after the swap, in parallel. Each branch reports its own outcome
 * (`{ step, ok, ... }`) instead of failing the Parallel, so one failing branch neither cancels the others nor
 * undoes the swap: staging already serves the new data. Then one report: success, or which branch failed
 * and what to do by hand, and the run ends failed.
 */
export function afterSwap(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const finish = new sfn.Parallel(scope, STATE.afterSwap, {
    resultSelector: {
      'delete.$': '$[0]',
      'deploy.$': '$[1]',
      'index.$': '$[2]',
      'record.$': '$[3]',
      'settings.$': '$[4]',
    },
    resultPath: '$.afterSwap',
  });
  finish.branch(deleteBranch(kit), deployBranch(kit), indexBranch(kit), recordBranch(kit), settingsBranch(kit));

  const details = {
    'snapshot.$': '$.found.snapshot.identifier',
    'snapshotCreatedAt.$': '$.found.snapshot.createdAt',
    'outageStartedAt.$': '$.renameAway.requestedAt',
    'outageEndedAt.$': '$.waits.staging.observedAt',
    'sanitize.$': '$.sanitize',
    'afterSwap.$': '$.afterSwap',
    'leftovers.$': '$.leftovers',
    'stagingSettings.$': '$.found.staging.settings',
  };
  const success = kit
    .notify(STATE.notifySuccess, 'succeeded', details)
    .next(
      new sfn.Pass(scope, STATE.reportSuccess, {
        parameters: {
          outcome: 'succeeded',
          execution: EXECUTION,
          'snapshot.$': '$.found.snapshot',
          staging: { identifier: config.stagingInstance, 'resourceId.$': '$.waits.restore.resourceId' },
          outage: { 'startedAt.$': '$.renameAway.requestedAt', 'endedAt.$': '$.waits.staging.observedAt' },
          'sanitize.$': '$.sanitize',
          'afterSwap.$': '$.afterSwap',
        },
      }),
    )
    .next(new sfn.Succeed(scope, STATE.succeeded));
  const partial = kit
    .notify(STATE.notifyAfterSwapFailed, 'after-swap-failed', {
      ...details,
      hints: {
        repo: `${config.deployApi.owner}/${config.deployApi.repo}`,
        deployWorkflow: config.deployApi.workflowFile,
        ingestionServerUrl: config.searchIndex.ingestionServerUrl,
        lastRestoreParameter: config.lastRestoreParameterName,
        deleteAutomatedBackups: config.deleteOld.deleteAutomatedBackups,
      },
    })
    .next(
      new sfn.Fail(scope, STATE.afterSwapFailed, {
        error: ERRORS.afterSwapFailed,
        cause: 'Staging serves the new data, but a step after the swap failed: see the Slack message and $.afterSwap',
      }),
    );
  const allOk = sfn.Condition.and(
    ...(['delete', 'deploy', 'index', 'record', 'settings'] as const).map((branch) =>
      sfn.Condition.booleanEquals(`$.afterSwap.${branch}.ok`, true),
    ),
  );
  // Every branch catches its own failures; this only guards against one failing outside its tasks.
  finish.addCatch(partial, { resultPath: '$.failure' });
  return finish.next(new sfn.Choice(scope, STATE.didAfterSwapSucceed).when(allOk, success).otherwise(partial));
}

/** A branch switched off in config: it reports success, marked skipped (the summary says "disabled"). */
function disabledBranch(kit: PhaseKit, step: string, name: string): sfn.Pass {
  return new sfn.Pass(kit.scope, name, { parameters: { step, ok: true, skipped: true, skippedBy: 'config' } });
}

/** A branch the execution input skips (`skipPostSteps`), else `branch`. */
function unlessSkipped(
  kit: PhaseKit,
  step: string,
  question: string,
  skippedName: string,
  branch: sfn.IChainable,
): sfn.IChainable {
  const { scope } = kit;
  return new sfn.Choice(scope, question)
    .when(
      sfn.Condition.booleanEquals('$.input.skipPostSteps', true),
      new sfn.Pass(scope, skippedName, { parameters: { step, ok: true, skipped: true, skippedBy: 'input' } }),
    )
    .otherwise(branch);
}

/**
 * Plan step 11, success side: delete the old database (no final snapshot; its automated backups kept or deleted
 * per `deleteOld.deleteAutomatedBackups`, and the report says which).
 */
function deleteBranch(kit: PhaseKit): sfn.IChainable {
  const { config } = kit;
  const ends = kit.branchEnds('delete', STATE.oldDeleted, STATE.deleteFailed, {
    identifier: config.oldInstance,
    'deleteAutomatedBackups.$': '$.deleteOld.deleteAutomatedBackups',
  });
  const del = kit.task(
    STATE.deleteOld,
    'delete',
    {
      identifier: config.oldInstance,
      'resourceId.$': '$.found.staging.resourceId',
      deleteAutomatedBackups: config.deleteOld.deleteAutomatedBackups,
    },
    { resultPath: '$.deleteOld', retry: RETRY_THROTTLED },
  );
  kit.catchInBranch(del, ends.failed);
  const waitGone = kit.waitUntil({
    bound: 'delete',
    slot: 'deleted',
    states: { check: STATE.checkDeleted, question: STATE.isOldGone, wait: STATE.waitDeleted },
    target: {
      kind: 'instance',
      identifier: config.oldInstance,
      until: 'gone',
      'resourceId.$': '$.found.staging.resourceId',
    },
    onError: { branchFailed: ends.failed },
  });
  return sfn.Chain.start(del).next(waitGone).next(ends.ok);
}

/**
 * "The infrastructure should mirror what existed before": the new staging gets staging's own settings that a
 * restore cannot set (one ModifyDBInstance, applied at once), then every attribute is compared with staging as
 * captured before any change. What still differs is reported with the reason (a success still).
 */
function settingsBranch(kit: PhaseKit): sfn.IChainable {
  const { config } = kit;
  const target = {
    identifier: config.stagingInstance,
    'resourceId.$': '$.waits.restore.resourceId',
    'staging.$': '$.found.staging',
    'adjustments.$': '$.restore.adjustments',
  };
  const ends = kit.branchEnds('settings', STATE.settingsApplied, STATE.settingsFailed, {
    'applied.$': '$.applySettings.applied',
    'drift.$': '$.drift.drift',
  });
  const apply = kit.task(
    STATE.applySettings,
    'apply-settings',
    { action: 'apply', ...target },
    { resultPath: '$.applySettings', retry: RETRY_THROTTLED },
  );
  kit.catchInBranch(apply, ends.failed);
  // Turning backups on starts a baseline backup at once: the settings are in place while it runs.
  const applied = kit.waitUntil({
    bound: 'settings',
    slot: 'settings',
    states: { check: STATE.checkSettings, question: STATE.areSettingsApplied, wait: STATE.waitSettings },
    target: {
      kind: 'instance',
      identifier: config.stagingInstance,
      until: 'available',
      'resourceId.$': '$.waits.restore.resourceId',
      noPendingChanges: true,
      alsoSettledIn: ['backing-up'],
    },
    onError: { branchFailed: ends.failed },
  });
  const drift = kit.task(
    STATE.checkDrift,
    'apply-settings',
    { action: 'check', ...target },
    { resultPath: '$.drift', retry: RETRY_TRANSIENT },
  );
  kit.catchInBranch(drift, ends.failed);
  return sfn.Chain.start(apply).next(applied).next(drift).next(ends.ok);
}

/** Plan step 12.1: the newest release image tag, the deploy workflow dispatched, its run followed. */
function deployBranch(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const deploy = config.deployApi;
  if (!deploy.enabled) return disabledBranch(kit, 'deploy', STATE.deployDisabled);
  const ends = kit.branchEnds('deploy', STATE.apiDeployed, STATE.deployFailed, {
    'tag.$': '$.deploy.tag',
    'runUrl.$': '$.deploy.runUrl',
  });
  const dispatchConfig = {
    owner: deploy.owner,
    repo: deploy.repo,
    packageOrg: deploy.packageOrg,
    packageName: deploy.packageName,
    workflowFile: deploy.workflowFile,
    ref: deploy.ref,
    ...(deploy.tagPattern ? { tagPattern: deploy.tagPattern } : {}),
    // Unique per execution: it is how the dispatched run is found again (GitHub returns no run id).
    'runName.$': "States.Format('Staging DB restore {}', $$.Execution.Name)",
  };
  // Not retried: a dispatch whose answer was lost may have started a deploy; a second would deploy twice.
  const dispatch = kit.task(
    STATE.dispatchDeploy,
    'deploy-api',
    { action: 'dispatch', ...dispatchConfig },
    { resultPath: '$.deploy', retry: NO_RETRY, timeout: DEPLOY_TIMEOUT },
  );
  kit.catchInBranch(dispatch, ends.failed);
  const check = kit.task(
    STATE.checkDeploy,
    'deploy-api',
    {
      action: 'check',
      owner: deploy.owner,
      repo: deploy.repo,
      'runId.$': '$.deploy.runId',
      'tag.$': '$.deploy.tag',
      'startedAt.$': '$.deploy.dispatchedAt',
      maxSeconds: config.waits.deploy.maxMinutes * 60,
      pollSeconds: config.waits.deploy.pollSeconds,
    },
    { resultPath: '$.deployPoll', retry: RETRY_GITHUB },
  );
  kit.catchInBranch(check, ends.failed);
  const wait = new sfn.Wait(scope, STATE.waitDeploy, {
    time: sfn.WaitTime.duration(Duration.seconds(config.waits.deploy.pollSeconds)),
  });
  wait.next(check);
  check.next(
    new sfn.Choice(scope, STATE.isDeployDone)
      .when(sfn.Condition.booleanEquals('$.deployPoll.done', true), ends.ok)
      .otherwise(wait),
  );
  return unlessSkipped(kit, 'deploy', STATE.isDeploySkipped, STATE.deploySkipped, dispatch.next(wait));
}

/** Plan step 12.2: UPDATE_INDEX per media type on the ingestion server, followed to the end. */
function indexBranch(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const searchIndex = config.searchIndex;
  if (!searchIndex.enabled) return disabledBranch(kit, 'index', STATE.indexDisabled);
  const ends = kit.branchEnds('index', STATE.indicesUpdated, STATE.indexFailed, {
    'sinceDate.$': '$.index.sinceDate',
    'tasks.$': '$.index.tasks',
  });
  const start = kit.task(
    STATE.startIndex,
    'update-index',
    {
      action: 'start',
      baseUrl: searchIndex.ingestionServerUrl,
      mediaTypes: searchIndex.mediaTypes,
      'lastRestore.$': '$.lastRestore.value',
      defaultSinceDate: searchIndex.firstRunSinceDate,
    },
    { resultPath: '$.index', retry: RETRY_THROTTLED },
  );
  kit.catchInBranch(start, ends.failed);
  const check = kit.task(
    STATE.checkIndex,
    'update-index',
    {
      action: 'check',
      baseUrl: searchIndex.ingestionServerUrl,
      'tasks.$': '$.index.tasks',
      'startedAt.$': '$.index.startedAt',
      maxSeconds: config.waits.index.maxMinutes * 60,
      pollSeconds: config.waits.index.pollSeconds,
    },
    { resultPath: '$.indexPoll', retry: RETRY_TRANSIENT },
  );
  kit.catchInBranch(check, ends.failed);
  // The check's output replaces the task list, so progress carries from poll to poll.
  const keep = new sfn.Pass(scope, STATE.keepIndexProgress, {
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
  const wait = new sfn.Wait(scope, STATE.waitIndex, { time: sfn.WaitTime.secondsPath('$.index.nextPollSeconds') });
  wait.next(check);
  keep.next(
    new sfn.Choice(scope, STATE.isIndexDone)
      .when(sfn.Condition.booleanEquals('$.index.done', false), wait)
      .otherwise(ends.ok),
  );
  return unlessSkipped(kit, 'index', STATE.isIndexSkipped, STATE.indexSkipped, start.next(check));
}

/** Plan step 12 (ours): record this restore, for the next run's index update and for status displays. */
function recordBranch(kit: PhaseKit): sfn.IChainable {
  const { config, scope } = kit;
  const ends = kit.branchEnds('record', STATE.restoreRecorded, STATE.recordFailed, {
    parameter: config.lastRestoreParameterName,
  });
  const describe = new sfn.Pass(scope, STATE.describeRestore, {
    parameters: {
      'at.$': '$.waits.staging.observedAt',
      'snapshot.$': '$.found.snapshot.identifier',
      'snapshotCreatedAt.$': '$.found.snapshot.createdAt',
      'execution.$': '$$.Execution.Name',
    },
    resultPath: '$.lastRestoreRecord',
  });
  const put = new tasks.CallAwsService(scope, STATE.recordRestore, {
    service: 'ssm',
    action: 'putParameter',
    parameters: {
      Name: config.lastRestoreParameterName,
      Type: 'String',
      Overwrite: true,
      'Value.$': 'States.JsonToString($.lastRestoreRecord)',
    },
    iamResources: [kit.parameterArn(config.lastRestoreParameterName)],
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(TASK_TIMEOUT),
  });
  put.addRetry(RETRY_TRANSIENT);
  kit.catchInBranch(put, ends.failed);
  return sfn.Chain.start(describe).next(put).next(ends.ok);
}
