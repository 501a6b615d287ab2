import { type Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { NotifyEvent } from '../../lambdas/shared/contract';
import type { RestoreConfig, WaitKind } from '../config';
import type { Step } from '../functions';
import { checkedPayload, type Payload, type PollTargetInput, type StepInput } from './payload';
import { RETRY_NOTIFY, RETRY_TRANSIENT, TASK_TIMEOUT } from './retries';
import { FAILED_SUFFIX } from './states';

/**
 * What the phase files build their states with: Lambda tasks, best-effort Slack messages, wait loops and the
 * catches that route failures. Every state is created in the workflow construct's scope, so its construct id
 * is its state name.
 */

/** The execution's identity, from the context object, for every payload that reports it. */
export const EXECUTION = {
  'id.$': '$$.Execution.Id',
  'name.$': '$$.Execution.Name',
  'startedAt.$': '$$.Execution.StartTime',
};

/** Where a caught failure goes, and what the failure report and the rollback are told about it. */
export interface FailureRoute {
  /** False: nothing of this run exists yet, so the report comes at once and there is nothing to undo. */
  rollBack: boolean;
  /** Whether the first rename was requested (staging may be mid-rename: the rollback must look for it). */
  outageStarted: boolean;
}

export const ON_FAILURE = {
  /** Before this run has created anything. */
  report: { rollBack: false, outageStarted: false },
  /** This run created the copy; staging is untouched. */
  rollBack: { rollBack: true, outageStarted: false },
  /** From the first rename on. */
  rollBackAfterOutageStart: { rollBack: true, outageStarted: true },
} as const satisfies Record<string, FailureRoute>;

/** The two places failures end up: built first (rollback.ts), since every phase's catches lead there. */
export interface Failures {
  /** Slack failure report, then Fail. */
  report: sfn.IChainable;
  /** The rollback loop, which ends in the report. */
  rollback: sfn.IChainable;
}

export interface TaskOptions {
  /** Undefined: the result replaces the state. */
  resultPath: string | undefined;
  /** Undefined: only the Lambda service-error retry LambdaInvoke adds. */
  retry: sfn.RetryProps | undefined;
  timeout?: Duration;
}

/** The slots of `$.waits`, one per wait loop (laid out by "Start restore"). */
export type WaitSlot =
  | 'snapshot'
  | 'stagingAtStart'
  | 'restore'
  | 'password'
  | 'stagingBeforeOutage'
  | 'old'
  | 'staging'
  | 'deleted'
  | 'settings';

/** The config bounds of the loops on the check-status function (the other loops have steps of their own). */
export type StatusWaitKind = Extract<
  WaitKind,
  'snapshot' | 'stagingReady' | 'restore' | 'modify' | 'rename' | 'delete' | 'settings'
>;

export interface WaitLoop<Target> {
  /** The config's `waits.<bound>`: how long the loop may take and how often it polls. */
  bound: StatusWaitKind;
  /** Where each poll goes: `$.waits.<slot>`, read back as the next poll's `previous`. */
  slot: WaitSlot;
  states: { check: string; question: string; wait: string };
  /** What the loop waits for: the check-status input's `target`, checked like a task's payload. */
  target: Payload<PollTargetInput, Target>;
  /** How long a renamed instance must stay available to count as settled (0: no rename involved). */
  settleSeconds?: number;
  /**
   * Where a failed check goes: the rollback or the report (a route), the failed end of a branch after the
   * swap, or nowhere here when the loop runs inside a Parallel whose Catch covers it.
   */
  onError: FailureRoute | { branchFailed: sfn.IChainable } | 'caught-by-parallel';
}

/** Tasks and Slack messages: all the rollback phase needs. */
export class WorkflowKit {
  constructor(
    readonly scope: Construct,
    readonly config: RestoreConfig,
    private readonly functions: Record<Step, lambda.IFunction>,
  ) {}

  /** The same kit, with catches that route failures to `failures`. */
  withFailures(failures: Failures): PhaseKit {
    return new PhaseKit(this.scope, this.config, this.functions, failures);
  }

  /**
   * A Lambda step with its payload, result path, retry policy and timeout. The payload is checked against the
   * step's input in the contract (see payload.ts): a key the step does not take, a required key left out or a
   * value of the wrong type fails the build.
   */
  task<S extends Step, const P extends Record<string, unknown>>(
    name: string,
    step: S,
    payload: Payload<StepInput[S], P>,
    options: TaskOptions,
  ): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this.scope, name, {
      lambdaFunction: this.functions[step],
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      resultPath: options.resultPath,
      taskTimeout: sfn.Timeout.duration(options.timeout ?? TASK_TIMEOUT),
    });
    if (options.retry) task.addRetry(options.retry);
    return task;
  }

  /** A best-effort Slack message: on failure (after retries) the workflow carries on to the same next state. */
  notify(name: string, event: NotifyEvent, details: Record<string, unknown>): sfn.Chain {
    const task = this.task(
      name,
      'notify',
      { event, execution: EXECUTION, details },
      { resultPath: sfn.JsonPath.DISCARD, retry: RETRY_NOTIFY },
    );
    return sfn.Chain.custom(task, [new NextAlsoOnError(task, '$.notifyError')], task);
  }

  /** An SSM parameter of this stack's account and region. */
  parameterArn(name: string): string {
    return Stack.of(this.scope).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: name.replace(/^\//, ''),
    });
  }
}

/** The kit of the phases that catch failures: into the rollback, the report, or a branch's failed end. */
export class PhaseKit extends WorkflowKit {
  constructor(
    scope: Construct,
    config: RestoreConfig,
    functions: Record<Step, lambda.IFunction>,
    readonly failures: Failures,
  ) {
    super(scope, config, functions);
  }

  /** Catch every error of `state` into `$.failure`, record the state's name, and go where `route` says. */
  catchInto(state: sfn.TaskStateBase | sfn.Parallel, route: FailureRoute): void {
    state.addCatch(this.recordFailure(state.stateId, route), { resultPath: '$.failure' });
  }

  /** A Pass named "<state> failed" that records where the run failed, then the rollback or the report. */
  recordFailure(stateName: string, route: FailureRoute): sfn.Pass {
    const record = new sfn.Pass(this.scope, `${stateName}${FAILED_SUFFIX}`, {
      result: sfn.Result.fromObject({ state: stateName, outageStarted: route.outageStarted }),
      resultPath: '$.failedAt',
    });
    record.next(route.rollBack ? this.failures.rollback : this.failures.report);
    return record;
  }

  /** Catches every error of a task after the swap into its branch's failed end, recording which state failed. */
  catchInBranch(task: sfn.TaskStateBase, failed: sfn.IChainable): void {
    const record = new sfn.Pass(this.scope, `${task.stateId}${FAILED_SUFFIX}`, {
      result: sfn.Result.fromObject({ state: task.stateId, outageStarted: true }),
      resultPath: '$.failedAt',
    });
    record.next(failed);
    task.addCatch(record, { resultPath: '$.failure' });
  }

  /** A branch's two ends: `{ step, ok: true, ...result }` or `{ step, ok: false, state, error, cause }`. */
  branchEnds(step: string, okName: string, failedName: string, result: Record<string, unknown> = {}) {
    const ok = new sfn.Pass(this.scope, okName, { parameters: { step, ok: true, ...result } });
    const failed = new sfn.Pass(this.scope, failedName, {
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

  /** A reusable Check → "Is it …?" → Wait loop on the check-status function, bounded by config. */
  waitUntil<const Target extends Record<string, unknown>>(loop: WaitLoop<Target>): sfn.Chain {
    const bound = this.config.waits[loop.bound];
    const path = `$.waits.${loop.slot}`;
    const check = this.task(
      loop.states.check,
      'check-status',
      {
        target: checkedPayload<PollTargetInput>(loop.target),
        bound: {
          maxSeconds: bound.maxMinutes * 60,
          pollSeconds: bound.pollSeconds,
          settleSeconds: loop.settleSeconds ?? 0,
        },
        'previous.$': path,
      },
      { resultPath: path, retry: RETRY_TRANSIENT },
    );
    const { onError } = loop;
    // 'caught-by-parallel': no Catch here; the enclosing Parallel's records the failure.
    if (onError !== 'caught-by-parallel') {
      if ('branchFailed' in onError) this.catchInBranch(check, onError.branchFailed);
      else this.catchInto(check, onError);
    }
    const wait = new sfn.Wait(this.scope, loop.states.wait, {
      time: sfn.WaitTime.secondsPath(`${path}.nextPollSeconds`),
    });
    wait.next(check);
    const choice = new sfn.Choice(this.scope, loop.states.question).when(
      sfn.Condition.booleanEquals(`${path}.done`, false),
      wait,
    );
    check.next(choice);
    return sfn.Chain.custom(check, choice.afterwards({ includeOtherwise: true }).endStates, choice);
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
