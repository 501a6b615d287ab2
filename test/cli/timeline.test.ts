import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { fromExecutionHistory, fromHarnessLog } from '../../cli/timeline/events';
import { buildTimeline, renderTimelineSvg } from '../../cli/timeline/render';
import { laneOf, PHASES } from '../../lib/workflow/phases';
import { STATE } from '../../lib/workflow/states';
import { toExecutionHistory } from '../../offline/execution-history';
import { type RunResult, synthesizeWorkflow } from '../../offline/harness';
import { createWorld } from '../../offline/world';
import { useServices } from '../lib/workflow/support';
import { findAll, hasClass, parseSvg, type SvgElement, textOf } from './svg';

/** Where the axis puts a time (the axis group states its time range and pixel range). */
function xOf(root: SvgElement, at: Date): number {
  const axis = findAll(root, (e) => hasClass(e, 'axis'))[0]!;
  const t0 = Date.parse(axis.attrs['data-start']!);
  const t1 = Date.parse(axis.attrs['data-end']!);
  const x0 = Number(axis.attrs['data-x0']);
  const x1 = Number(axis.attrs['data-x1']);
  return x0 + ((at.getTime() - t0) / (t1 - t0)) * (x1 - x0);
}

/** The first StateEntered of a state in the harness's own log (not through the timeline module). */
function enteredAt(result: RunResult, state: string, after = 0): Date {
  const e = result.events.find((x) => x.type === 'StateEntered' && x.state === state && x.at.getTime() >= after);
  if (!e) throw new Error(`"${state}" was never entered`);
  return e.at;
}

describe('timeline picture of a whole run (harness event log)', () => {
  const { slack, run } = useServices();
  let result: RunResult;
  let root: SvgElement;
  let outageOnSlack: string | undefined;
  // One run for the whole block, made in the first test (after the services' per-test defaults are set).
  const ready = async () => {
    if (result) return;
    const world = await createWorld();
    result = await run(world, { executionName: 'timeline-happy-path' });
    outageOnSlack = slack
      .texts()
      .map((t) => /outage over\* after ([^.]+)\./.exec(t)?.[1])
      .find(Boolean);
    root = parseSvg(renderTimelineSvg(buildTimeline(fromHarnessLog(result.events)), { title: 'happy path' }));
  };
  beforeEach(ready, 120_000);

  it('draws every phase of the plan, each reached one with the states the run went through', () => {
    expect(result.status).toBe('SUCCEEDED');
    const phases = findAll(root, (e) => e.tag === 'g' && hasClass(e, 'phase'));
    expect(phases.map((p) => p.attrs['data-phase'])).toEqual(PHASES.map((p) => p.id));

    for (const phase of phases) {
      const id = phase.attrs['data-phase']!;
      const bars = findAll(phase, (e) => hasClass(e, 'state'));
      if (id === 'rollback') {
        expect(bars).toEqual([]);
        expect(textOf(phase)).toContain('not reached');
        continue;
      }
      expect(bars.length).toBeGreaterThan(0);
      // Each bar is drawn in the phase and lane its state belongs to, and the run really entered it.
      for (const bar of bars) {
        const state = bar.attrs['data-state']!;
        expect(laneOf(state)?.phase.id).toBe(id);
        expect(result.statesEntered).toContain(state);
      }
    }
    // The four branches after the swap each get their own row, each with its states.
    const afterSwap = phases.find((p) => p.attrs['data-phase'] === 'after-swap')!;
    const lanes = findAll(afterSwap, (e) => hasClass(e, 'lane'));
    for (const lane of ['delete', 'deploy', 'index', 'record']) {
      const row = lanes.find((l) => l.attrs['data-lane'] === lane)!;
      expect(findAll(row, (e) => hasClass(e, 'state')).length).toBeGreaterThan(0);
    }
    // Waits are drawn as waits: every Wait state the run entered appears as a wait bar.
    const waits = new Set(findAll(root, (e) => hasClass(e, 'wait')).map((w) => w.attrs['data-state']));
    const entered = new Set(result.events.filter((e) => e.stateType === 'Wait').map((e) => e.state));
    expect(waits).toEqual(entered);
  });

  it('highlights the outage window, from the first rename until the new database is settled as staging', () => {
    const start = enteredAt(result, STATE.renameAway);
    const end = enteredAt(result, STATE.notifyOutageOver, start.getTime());
    const [window] = findAll(root, (e) => hasClass(e, 'outage-window'));
    expect(window!.attrs['data-start']).toBe(start.toISOString());
    expect(window!.attrs['data-end']).toBe(end.toISOString());
    // Its label agrees with what Slack told people (computed independently, by the notify step).
    expect(outageOnSlack).toBeDefined();
    expect(textOf(window!)).toContain(`outage ${outageOnSlack}`);
    // And it is where the axis says those times are, over every row.
    const rect = findAll(window!, (e) => hasClass(e, 'outage'))[0]!;
    expect(Number(rect.attrs.x)).toBeCloseTo(xOf(root, start), 0);
    expect(Number(rect.attrs.x) + Number(rect.attrs.width)).toBeCloseTo(xOf(root, end), 0);
    const rows = findAll(root, (e) => hasClass(e, 'phase-band'));
    expect(Number(rect.attrs.y)).toBeLessThanOrEqual(Number(rows[0]!.attrs.y));
    expect(Number(rect.attrs.y) + Number(rect.attrs.height)).toBeGreaterThanOrEqual(
      Number(rows.at(-1)!.attrs.y) + Number(rows.at(-1)!.attrs.height),
    );
    // The swap's renames are inside it; the restore wait is before it.
    const bar = (state: string) => findAll(root, (e) => hasClass(e, 'state') && e.attrs['data-state'] === state);
    for (const b of bar(STATE.renameIn)) expect(Date.parse(b.attrs['data-start']!)).toBeGreaterThan(start.getTime());
    for (const b of bar(STATE.waitNew)) expect(Date.parse(b.attrs['data-end']!)).toBeLessThanOrEqual(start.getTime());
  });

  it('marks a failure where it happened: the missing last-restore parameter of a first run, caught', () => {
    const failures = findAll(root, (e) => hasClass(e, 'failure'));
    const failedStates = result.events.filter((e) => e.type === 'StateFailed').map((e) => e.state);
    expect(failures.map((f) => f.attrs['data-state'])).toEqual(failedStates);
    const readLast = failures.find((f) => f.attrs['data-state'] === STATE.readLastRestore)!;
    expect(readLast.attrs['data-error']).toBe('Ssm.ParameterNotFoundException');
    expect(readLast.attrs['data-handled']).toBe('true');
    const lane = findAll(root, (e) => hasClass(e, 'lane') && findAll(e, (x) => x === readLast).length > 0)[0]!;
    expect(lane.attrs['data-phase']).toBe('checks');
  });

  it('reads the same run from its GetExecutionHistory form as from the harness log', () => {
    const history = toExecutionHistory(result.events, synthesizeWorkflow(), {
      arn: 'arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:timeline-happy-path',
    });
    expect(buildTimeline(fromExecutionHistory(history))).toEqual(buildTimeline(fromHarnessLog(result.events)));
  });
});

describe('timeline model', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000);
  let id = 0;
  const ev = (s: number, type: string, extra: Partial<HistoryEvent> = {}): HistoryEvent =>
    ({ id: ++id, previousEventId: id - 1, timestamp: t(s), type, ...extra }) as HistoryEvent;

  it('traces a task failure back to its own state when parallel branches interleave', () => {
    id = 0;
    const history = [
      ev(0, 'ExecutionStarted'),
      ev(1, 'ParallelStateEntered', { stateEnteredEventDetails: { name: STATE.afterSwap } }),
      ev(1, 'ParallelStateStarted'),
      ev(2, 'TaskStateEntered', { stateEnteredEventDetails: { name: STATE.deleteOld } }), // id 4
      ev(2, 'TaskStateEntered', { stateEnteredEventDetails: { name: STATE.dispatchDeploy } }), // id 5
      ev(3, 'LambdaFunctionScheduled', { previousEventId: 4 }), // id 6
      ev(3, 'LambdaFunctionScheduled', { previousEventId: 5 }), // id 7
      ev(4, 'LambdaFunctionStarted', { previousEventId: 7 }), // id 8
      ev(4, 'LambdaFunctionStarted', { previousEventId: 6 }), // id 9
      ev(9, 'LambdaFunctionFailed', {
        previousEventId: 9,
        lambdaFunctionFailedEventDetails: { error: 'InvalidDBInstanceStateFault', cause: 'busy' },
      }),
      ev(9, 'LambdaFunctionSucceeded', { previousEventId: 8 }),
    ];
    const model = buildTimeline(fromExecutionHistory(history), { now: t(10) });
    expect(model.status).toBe('RUNNING');
    expect(model.failures).toEqual([
      {
        at: t(9),
        state: STATE.deleteOld,
        error: 'InvalidDBInstanceStateFault',
        cause: 'busy',
        phase: 'after-swap',
        lane: 'delete',
        handled: false,
      },
    ]);
    // Nothing exited: every state is still open at "now".
    const deploy = model.phases.find((p) => p.id === 'after-swap')!.lanes.find((l) => l.id === 'deploy')!;
    expect(deploy.spans).toEqual([
      { state: STATE.dispatchDeploy, stateType: 'Task', start: t(2), end: t(10), open: true },
    ]);
  });

  it('ends the outage window with the rollback when the swap failed, and keeps unknown states visible', () => {
    const events = fromHarnessLog([
      { at: t(0), type: 'ExecutionStarted' },
      { at: t(10), type: 'StateEntered', state: STATE.renameAway, stateType: 'Task' },
      { at: t(11), type: 'StateExited', state: STATE.renameAway, stateType: 'Task' },
      { at: t(20), type: 'StateEntered', state: STATE.renameIn, stateType: 'Task' },
      { at: t(20), type: 'StateFailed', state: STATE.renameIn, stateType: 'Task', error: 'RehearsalFault' },
      { at: t(20), type: 'StateExited', state: STATE.renameIn, stateType: 'Task' },
      { at: t(25), type: 'StateEntered', state: 'A state added later', stateType: 'Pass' },
      { at: t(25), type: 'StateExited', state: 'A state added later', stateType: 'Pass' },
      { at: t(300), type: 'StateEntered', state: STATE.notifyFailure, stateType: 'Task' },
      { at: t(301), type: 'StateExited', state: STATE.notifyFailure, stateType: 'Task' },
      { at: t(301), type: 'StateEntered', state: STATE.failed, stateType: 'Fail' },
      { at: t(301), type: 'ExecutionFailed', error: 'RehearsalFault' },
    ]);
    const model = buildTimeline(events);
    expect(model.status).toBe('FAILED');
    expect(model.error).toBe('RehearsalFault');
    expect(model.outage).toEqual({ start: t(10), end: t(300), endedBy: 'rollback' });
    // The failing rename (caught: the rollback ran), and the execution failing in its Fail state.
    expect(model.failures.map((f) => [f.state, f.handled, f.execution ?? false])).toEqual([
      [STATE.renameIn, true, false],
      [STATE.failed, false, true],
    ]);
    expect(model.phases.at(-1)).toMatchObject({ id: 'other', lanes: [{ spans: [{ state: 'A state added later' }] }] });
  });
});
