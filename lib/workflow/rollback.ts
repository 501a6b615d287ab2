import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EXECUTION, type Failures, type WorkflowKit } from './kit';
import { RETRY_TRANSIENT } from './retries';
import { STATE } from './states';

/**
 * Plan step 11, failure side, and step 13's failure report: where every caught failure ends. Built before the
 * other phases, whose catches lead here.
 */
export function failurePaths(kit: WorkflowKit): Failures {
  const report = failureReport(kit);
  return { report, rollback: rollbackLoop(kit, report) };
}

/** Slack failure report (what failed, what the rollback did), then Fail with the failure's error and cause. */
function failureReport(kit: WorkflowKit): sfn.IChainable {
  const { scope } = kit;
  const failed = new sfn.Fail(scope, STATE.failed, { errorPath: '$.failure.Error', causePath: '$.failure.Cause' });
  const rollbackFailed = new sfn.Fail(scope, STATE.rollbackFailed, {
    errorPath: '$.rollbackError.Error',
    causePath: '$.rollbackError.Cause',
  });
  return kit
    .notify(STATE.notifyFailure, 'failed', {
      'failedState.$': '$.failedAt.state',
      'outageStarted.$': '$.failedAt.outageStarted',
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
      'rollback.$': '$.rollback',
      'rollbackError.$': '$.rollbackError',
      rollbackState: STATE.rollback,
      'leftovers.$': '$.leftovers',
    })
    .next(
      new sfn.Choice(scope, STATE.didRollbackFail)
        .when(sfn.Condition.isPresent('$.rollbackError.Error'), rollbackFailed)
        .otherwise(failed),
    );
}

/**
 * The catch branch: a reconciliation loop (see lambdas/rollback), then Slack, then Fail. Every failure
 * before the old database is deleted comes here, after a Pass that records which state failed.
 */
function rollbackLoop(kit: WorkflowKit, report: sfn.IChainable): sfn.IChainable {
  const { config, scope } = kit;
  const bound = config.waits.rollback;
  const step = kit.task(
    STATE.rollback,
    'rollback',
    {
      execution: EXECUTION,
      'staging.$': '$.found.staging',
      'outageStarted.$': '$.failedAt.outageStarted',
      bound: {
        maxSeconds: bound.maxMinutes * 60,
        pollSeconds: bound.pollSeconds,
        settleSeconds: config.renameSettleSeconds,
      },
      'previous.$': '$.rollback',
    },
    { resultPath: '$.rollback', retry: RETRY_TRANSIENT },
  );
  step.addCatch(report, { resultPath: '$.rollbackError' });
  const wait = new sfn.Wait(scope, STATE.waitRollback, {
    time: sfn.WaitTime.secondsPath('$.rollback.nextPollSeconds'),
  });
  step.next(
    new sfn.Choice(scope, STATE.isRolledBack)
      .when(sfn.Condition.booleanEquals('$.rollback.done', false), wait)
      .otherwise(report),
  );
  wait.next(step);
  return step;
}
