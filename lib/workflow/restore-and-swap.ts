import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EXECUTION, ON_FAILURE, type PhaseKit } from './kit';
import { RETRY_THROTTLED, RETRY_TRANSIENT, SANITIZE_TIMEOUT } from './retries';
import { STATE } from './states';

/**
 * Plan steps 2-10: find the snapshot and capture staging, restore a copy under the temporary name, check and
 * clean it while staging still serves, then swap the names (the outage). A failure from the restore on rolls
 * back; the report says whether the outage had started.
 */

/** Plan steps 2-4: the snapshot and staging's configuration, side by side; still nothing changed. */
export function findSnapshotAndCaptureStaging(kit: PhaseKit): sfn.Parallel {
  const prepare = new sfn.Parallel(kit.scope, STATE.prepare, {
    resultSelector: { 'snapshot.$': '$[0].found.snapshot', 'staging.$': '$[1].found.staging' },
    resultPath: '$.found',
  });
  prepare.branch(findSnapshot(kit), captureStaging(kit));
  // Nothing of this run exists yet (the restore comes next): report at once, no rollback. (A rollback here would
  // take whatever holds the staging name for the original, and wait on it if it is not available.)
  kit.catchInto(prepare, ON_FAILURE.report);
  return prepare;
}

/**
 * Plan step 4: branch of the Parallel state. Staging in a passing status (a backup, a modification, a
 * maintenance update) is waited for, bounded by `waits.stagingReady`, so the configuration captured is not
 * one about to change; a stopped one ends the run, saying to start it. A dry run takes staging as it is.
 */
function captureStaging(kit: PhaseKit): sfn.IChainable {
  const { scope } = kit;
  const capture = kit.task(
    STATE.captureStaging,
    'capture-staging',
    { 'at.$': '$.leftovers.stagingAt' },
    { resultPath: '$.found.staging', retry: RETRY_TRANSIENT },
  );
  const ready = kit.waitUntil({
    bound: 'stagingReady',
    slot: 'stagingAtStart',
    states: { check: STATE.checkStagingReady, question: STATE.isStagingReady, wait: STATE.waitStagingReady },
    target: { kind: 'instance', 'identifier.$': '$.leftovers.stagingAt', until: 'available', steady: true },
    onError: 'caught-by-parallel',
  });
  return new sfn.Choice(scope, STATE.isDryRunStaging)
    .when(sfn.Condition.booleanEquals('$.input.dryRun', true), capture)
    .otherwise(ready.next(capture));
}

/** Plan steps 2-3: branch of the Parallel state. */
function findSnapshot(kit: PhaseKit): sfn.IChainable {
  const { scope } = kit;
  const find = kit.task(
    STATE.findSnapshot,
    'find-snapshot',
    { 'snapshotIdentifier.$': '$.input.snapshotIdentifier' },
    { resultPath: '$.found.snapshot', retry: RETRY_TRANSIENT },
  );
  const wait = kit.waitUntil({
    bound: 'snapshot',
    slot: 'snapshot',
    states: { check: STATE.checkSnapshot, question: STATE.isSnapshotAvailable, wait: STATE.waitSnapshot },
    target: { kind: 'snapshot', 'identifier.$': '$.found.snapshot.identifier' },
    onError: 'caught-by-parallel',
  });
  // The snapshot as the last check saw it, available: a snapshot found while still being created had no creation
  // time yet (docs/aws-facts.md), and every report after this (Slack, the last-restore record, the output) reads
  // it from $.found.snapshot.
  const useChecked = new sfn.Pass(scope, STATE.useAvailableSnapshot, {
    inputPath: '$.waits.snapshot.snapshot',
    resultPath: '$.found.snapshot',
  });
  // A branch needs a terminal state; the Choice's "available" exit ends it here. A dry run does not wait:
  // the plan reports the snapshot's status.
  return find.next(
    new sfn.Choice(scope, STATE.isDryRunSnapshot)
      .when(sfn.Condition.booleanEquals('$.input.dryRun', true), new sfn.Succeed(scope, STATE.snapshotFound))
      .otherwise(wait.next(useChecked).next(new sfn.Succeed(scope, STATE.snapshotReady))),
  );
}

/**
 * Plan steps 5-10: from the restore to the new database settled as staging, Slack told of the outage once
 * staging is ready for the swap.
 */
export function restoreAndSwap(kit: PhaseKit): sfn.Chain {
  const { config } = kit;
  const restore = kit.task(
    STATE.restore,
    'restore',
    { execution: EXECUTION, 'snapshot.$': '$.found.snapshot', 'staging.$': '$.found.staging' },
    { resultPath: '$.restore', retry: RETRY_THROTTLED },
  );
  kit.catchInto(restore, ON_FAILURE.rollBack);

  const waitNew = kit.waitUntil({
    bound: 'restore',
    slot: 'restore',
    states: { check: STATE.checkNew, question: STATE.isNewAvailable, wait: STATE.waitNew },
    target: {
      kind: 'instance',
      identifier: config.temporaryInstance,
      until: 'available',
      'resourceId.$': '$.restore.resourceId',
    },
    onError: ON_FAILURE.rollBack,
  });
  const verify = kit.task(
    STATE.verify,
    'verify-restore',
    {
      'staging.$': '$.found.staging',
      identifier: config.temporaryInstance,
      'resourceId.$': '$.waits.restore.resourceId',
      'adjustments.$': '$.restore.adjustments',
    },
    { resultPath: '$.verify', retry: RETRY_TRANSIENT },
  );
  kit.catchInto(verify, ON_FAILURE.rollBack);

  // The swap needs staging available and idle: a backup or a modification that started meanwhile would make
  // RDS refuse the rename. Wait for it before Slack announces the outage; if it does not come, nothing was
  // renamed yet: the rollback deletes the copy and leaves staging as it is.
  const stagingReady = kit.waitUntil({
    bound: 'stagingReady',
    slot: 'stagingBeforeOutage',
    states: {
      check: STATE.checkStagingBeforeOutage,
      question: STATE.isStagingReadyForSwap,
      wait: STATE.waitStagingBeforeOutage,
    },
    target: {
      kind: 'instance',
      identifier: config.stagingInstance,
      until: 'available',
      steady: true,
      'resourceId.$': '$.found.staging.resourceId',
    },
    onError: ON_FAILURE.rollBack,
  });
  const renameAway = kit.task(
    STATE.renameAway,
    'rename',
    { from: config.stagingInstance, to: config.oldInstance, 'resourceId.$': '$.found.staging.resourceId' },
    { resultPath: '$.renameAway', retry: RETRY_THROTTLED },
  );
  kit.catchInto(renameAway, ON_FAILURE.rollBackAfterOutageStart);
  const waitOld = kit.waitUntil({
    bound: 'rename',
    slot: 'old',
    states: { check: STATE.checkOld, question: STATE.isOldAvailable, wait: STATE.waitOld },
    target: {
      kind: 'instance',
      identifier: config.oldInstance,
      until: 'available',
      'resourceId.$': '$.found.staging.resourceId',
      previousIdentifier: config.stagingInstance,
    },
    settleSeconds: config.renameSettleSeconds,
    onError: ON_FAILURE.rollBackAfterOutageStart,
  });
  const renameIn = kit.task(
    STATE.renameIn,
    'rename',
    { from: config.temporaryInstance, to: config.stagingInstance, 'resourceId.$': '$.waits.restore.resourceId' },
    { resultPath: '$.renameIn', retry: RETRY_THROTTLED },
  );
  kit.catchInto(renameIn, ON_FAILURE.rollBackAfterOutageStart);
  const waitStaging = kit.waitUntil({
    bound: 'rename',
    slot: 'staging',
    states: { check: STATE.checkStaging, question: STATE.isStagingAvailable, wait: STATE.waitStaging },
    target: {
      kind: 'instance',
      identifier: config.stagingInstance,
      until: 'available',
      'resourceId.$': '$.waits.restore.resourceId',
      previousIdentifier: config.temporaryInstance,
    },
    settleSeconds: config.renameSettleSeconds,
    onError: ON_FAILURE.rollBackAfterOutageStart,
  });
  const outageTimes = {
    'snapshot.$': '$.found.snapshot.identifier',
    'outageStartedAt.$': '$.renameAway.requestedAt',
    'outageEndedAt.$': '$.waits.staging.observedAt',
  };

  return sfn.Chain.start(restore)
    .next(waitNew)
    .next(verify)
    .next(sanitize(kit))
    .next(stagingReady)
    .next(kit.notify(STATE.notifyOutage, 'outage-starting', { 'snapshot.$': '$.found.snapshot.identifier' }))
    .next(renameAway)
    .next(waitOld)
    .next(renameIn)
    .next(waitStaging)
    .next(kit.notify(STATE.notifyOutageOver, 'outage-over', outageTimes));
}

/**
 * Plan step 12.3, moved before the swap: production's OAuth data is removed from the copy (and its master
 * password made staging's) while it is still under the temporary name, so it is never live as staging.
 * A failure here rolls back like any other before the outage: the copy is deleted, staging untouched.
 */
function sanitize(kit: PhaseKit): sfn.IChainable {
  const { config } = kit;
  const target = { identifier: config.temporaryInstance, 'resourceId.$': '$.waits.restore.resourceId' };
  const clean = kit.task(
    STATE.sanitize,
    'sanitize',
    {
      ...target,
      database: config.sanitize.databaseName,
      tables: config.sanitize.truncateTables,
      connectAttempts: config.sanitize.connectAttempts,
      masterPasswordReset: config.sanitize.resetMasterPassword,
    },
    { resultPath: '$.sanitize', retry: RETRY_THROTTLED, timeout: SANITIZE_TIMEOUT },
  );
  kit.catchInto(clean, ON_FAILURE.rollBack);
  if (!config.sanitize.resetMasterPassword) return clean;

  const reset = kit.task(STATE.resetPassword, 'reset-password', target, {
    resultPath: '$.resetPassword',
    retry: RETRY_THROTTLED,
  });
  kit.catchInto(reset, ON_FAILURE.rollBack);
  const applied = kit.waitUntil({
    bound: 'modify',
    slot: 'password',
    states: { check: STATE.checkPassword, question: STATE.isPasswordApplied, wait: STATE.waitPassword },
    target: { kind: 'instance', until: 'available', noPendingChanges: true, ...target },
    onError: ON_FAILURE.rollBack,
  });
  return sfn.Chain.start(reset).next(applied).next(clean);
}
