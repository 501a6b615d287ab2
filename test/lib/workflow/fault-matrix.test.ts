import { STATE } from '../../../lib/workflow';
import type { Step } from '../../../lib/functions';
import { CREATED_BY_TAG } from '../../../lambdas/shared/contract';
import { allStates, type RunOptions, type RunResult, synthesizeWorkflow } from '../../../offline/harness';
import { sqlStandIn } from '../../../offline/pg/sql-stand-in';
import { createWorld, IDS, type World, type WorldOptions } from '../../../offline/world';
import { holders, kinds, useServices } from './support';

/**
 * The fault matrix. Every Task state of the synthesized definitions is taken from the
 * definitions themselves (a new state is covered automatically), and for each one the workflow is run with
 * that state failing: (a) with an error, (b) with a timeout (Step Functions reports it as `States.Timeout`),
 * and, where the state waits on RDS, (c) with what it waits on ending in a terminal status. After every run:
 *  - production is untouched;
 *  - the staging identifier is on an `available` instance: the original before the swap, the new copy after
 *    it (a failure in a best-effort Slack step changes nothing: the run ends as it would have);
 *  - no temporary or old instance is left unless the run's failure report (Slack) names it;
 *  - the failure report names the state that failed;
 *  - the execution ends failed (before the swap, or after it with the report saying which step to finish).
 *
 * Each Task runs in the first scenario (below) that reaches it without faults; a Task no scenario reaches
 * fails its cases. The sanitize step talks to a stand-in database here (offline/pg/sql-stand-in.ts): real
 * PostgreSQL per case would make this file take many minutes; the other workflow tests use the real one.
 */

const REINDEX = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingReindex';
const minutes = (world: World, n: number) => new Date(world.sim.clock.now().getTime() + n * 60_000);

interface Scenario {
  name: string;
  config?: Record<string, unknown>;
  world?: WorldOptions;
  /** Seeds the world and returns what the run needs (input, other executions...). */
  arrange?: (world: World) => Partial<RunOptions>;
}

/** In order of preference: each Task runs in the first one that enters it. */
const SCENARIOS: Scenario[] = [
  { name: 'the monthly run' },
  {
    name: 'a failure before the outage (rolled back)',
    arrange: (world) => {
      world.sim.injectStatusFault({ operation: 'restore', identifier: IDS.temporary, status: 'incompatible-restore' });
      return {};
    },
  },
  {
    name: 'a failure after the swap',
    arrange: (world) => {
      world.sim.injectFault({ command: 'DeleteDBInstance', error: 'InvalidDBInstanceStateFault', times: Infinity });
      return {};
    },
  },
  { name: 'the skip flag on', arrange: () => ({ skipFlag: 'true' }) },
  {
    name: 'another restore running',
    arrange: (world) => ({ otherExecutions: [{ name: 'monthly-2026-12', startDate: minutes(world, -1) }] }),
  },
  { name: 'a dry run', arrange: () => ({ input: { dryRun: true } }) },
  { name: 'an invalid input', arrange: () => ({ input: { dryrun: true } }) },
  {
    name: 'another user of staging running (whenOthersRun: skip)',
    config: { concurrency: { otherStateMachineArns: [REINDEX], whenOthersRun: 'skip' } },
    arrange: (world) => ({
      otherExecutions: [{ stateMachineArn: REINDEX, name: 'reindex-1', startDate: minutes(world, -60) }],
    }),
  },
  {
    name: 'a copy left by an earlier run',
    arrange: (world) => {
      world.sim.addInstance({ identifier: IDS.temporary, tags: [{ Key: CREATED_BY_TAG, Value: 'monthly-2026-11' }] });
      return {};
    },
  },
];

/** Staging serves: available, or taking the first backup after a run turned backups back on. */
const serving = (status: string | undefined) => status === 'available' || status === 'backing-up';

type FaultKind = 'error' | 'timeout' | 'terminal status';
type Json = Record<string, unknown>;

/** Task states of every definition the scenarios use, with their step and parameters. */
function taskStates(): Map<string, { step: string; params: Json; config?: Record<string, unknown> }> {
  const out = new Map<string, { step: string; params: Json; config?: Record<string, unknown> }>();
  const configs = [undefined, ...SCENARIOS.map((s) => s.config).filter(Boolean)];
  for (const config of configs) {
    const workflow = synthesizeWorkflow(config);
    for (const [name, state] of allStates(workflow.definition)) {
      const task = workflow.tasks.get(name);
      if (!task || out.has(name)) continue;
      const step = task.kind === 'lambda' ? task.step : task.action;
      out.set(name, { step, params: (state.Parameters as Json | undefined) ?? {}, config });
    }
  }
  return out;
}

/** The Task each Wait state leads back to: the check of a wait loop. */
function loopChecks(config?: Record<string, unknown>): Set<string> {
  const states = allStates(synthesizeWorkflow(config).definition);
  return new Set(states.filter(([, s]) => s.Type === 'Wait').map(([, s]) => s.Next as string));
}

/**
 * The state a failure report names: the state itself, or, for a state in a Parallel branch with no Catch of
 * its own, the Parallel whose Catch takes its failure (Step Functions passes only the error and cause out of
 * a failed branch, not where in the branch it failed).
 */
function namedState(state: string, config?: Record<string, unknown>): string {
  for (const [name, s] of allStates(synthesizeWorkflow(config).definition)) {
    for (const branch of (s.Branches as { States: Record<string, Json> }[] | undefined) ?? []) {
      const inner = branch.States[state];
      if (inner && !inner.Catch) return name;
    }
  }
  return state;
}

/** Every state reachable from `start` (Next, Default, Choices, Catch, Parallel branches). */
function reachableFrom(start: string, config?: Record<string, unknown>): Set<string> {
  const byName = new Map(allStates(synthesizeWorkflow(config).definition));
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const s = byName.get(name) as Json | undefined;
    if (!s) continue;
    const next = [
      s.Next,
      s.Default,
      ...((s.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ...((s.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ...((s.Branches as { StartAt: string }[] | undefined) ?? []).map((b) => b.StartAt),
    ];
    for (const n of next) if (typeof n === 'string') todo.push(n);
  }
  return seen;
}

/** Steps whose wait loop waits on something other than RDS (GitHub, the ingestion server, Step Functions). */
const WAITS_ON_OTHERS: readonly string[] = ['check-runs', 'deploy-api', 'update-index'] satisfies Step[];

/**
 * How to make what a waiting Task waits on end in a terminal status, from the Task's own parameters. A
 * new waiting step that is not covered here makes its case fail, so it cannot slip through.
 */
interface TerminalFault {
  scenario?: string;
  world?: WorldOptions;
  poison?: (world: World) => void;
  /** Run options that strike mid-run (e.g. a status episode as a given state is about to run). */
  options?: (world: World) => Partial<RunOptions>;
  what: string;
  /**
   * `fails` (default): like an error there. `recovers`: the run deals with it (a copy that fails while being
   * deleted is deleted again) and ends as it would have. `breaks staging`: RDS broke the original staging
   * instance itself; nothing can put it back as staging automatically (the staging name is never deleted), so
   * the run must stop at once and the report must say what it is and where the new copy is. `breaks new
   * staging`: after the swap, RDS broke the new staging while applying staging's settings; the report must say so.
   * `staging stopped`: someone stopped staging while the run waited for it; the run must end with staging as it is
   * (stopped), nothing of the run left, and the report saying how to start it.
   */
  outcome?: 'fails' | 'recovers' | 'breaks staging' | 'breaks new staging' | 'staging stopped';
  /** For `recovers`: what shows the status really was injected (else the case would pass by doing nothing). */
  happened?: (world: World) => boolean;
}

/** Accepted deletes of the temporary name: one more than usual means a copy failed while deleting. */
const tempDeletes = (world: World) =>
  world.sim
    .mutatingCalls()
    .filter((c) => c.command === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === IDS.temporary && !c.error)
    .length;
function terminalFault(step: string, params: Json, state: string): TerminalFault | undefined {
  if (step === 'check-status') {
    const target = params.target as { kind: string; identifier?: string; until?: string } & Json;
    if (target.steady) {
      return {
        what: `staging is stopped as "${state}" is about to look at it`,
        outcome: 'staging stopped',
        options: (world) => {
          let stopped = false;
          return {
            beforeTask: (name) => {
              if (name !== state || stopped) return;
              stopped = true;
              world.sim.scheduleStatusEpisode({
                identifier: IDS.staging,
                status: 'stopped',
                atSeconds: 0,
                forSeconds: Infinity,
              });
            },
          };
        },
      };
    }
    if (target.kind === 'snapshot') {
      return {
        what: 'the newest snapshot, still being created, ends "failed"',
        world: {
          snapshots: (start) => [
            {
              identifier: `rds:${IDS.production}-2026-12-01-00-00`,
              instanceIdentifier: IDS.production,
              createTime: start,
              status: 'creating',
              becomes: { status: 'failed', afterSeconds: 600 },
            },
          ],
        },
      };
    }
    const identifier = target.identifier!;
    const [operation, status] =
      target.until === 'gone'
        ? (['delete', 'failed'] as const)
        : target.noPendingChanges
          ? (['modify', 'incompatible-parameters'] as const)
          : target.previousIdentifier
            ? (['rename', 'failed'] as const)
            : (['restore', 'incompatible-restore'] as const);
    // A rename matches either of its names: name it by where it starts (the staging name is in two renames).
    const name = operation === 'rename' ? String(target.previousIdentifier) : identifier;
    return {
      what: `the ${operation} of ${name} ends "${status}"`,
      poison: (world) => world.sim.injectStatusFault({ operation, identifier: name, status }),
      outcome:
        operation === 'rename' && name === IDS.staging
          ? 'breaks staging'
          : operation === 'modify' && name === IDS.staging
            ? 'breaks new staging'
            : 'fails',
    };
  }
  if (step === 'rollback') {
    return {
      what: `the rollback's delete of ${IDS.temporary} ends "failed"`,
      outcome: 'recovers',
      happened: (world) => tempDeletes(world) === 2,
      poison: (world) =>
        world.sim.injectStatusFault({ operation: 'delete', identifier: IDS.temporary, status: 'failed' }),
    };
  }
  if (step === 'leftovers') {
    return {
      scenario: 'a copy left by an earlier run',
      what: `the delete of the copy left under ${IDS.temporary} ends "failed"`,
      outcome: 'recovers',
      happened: (world) => tempDeletes(world) === 2,
      poison: (world) =>
        world.sim.injectStatusFault({ operation: 'delete', identifier: IDS.temporary, status: 'failed' }),
    };
  }
  return undefined;
}

interface Case {
  state: string;
  kind: FaultKind;
  /** The state the failure report must name (see namedState). */
  named: string;
}

const TASKS = taskStates();
const CASES: Case[] = [...TASKS].flatMap(([state, { step, config }]) => {
  const kinds: FaultKind[] = ['error', 'timeout'];
  const waitsOnRds = loopChecks(config).has(state) && !WAITS_ON_OTHERS.includes(step);
  if (waitsOnRds) kinds.push('terminal status');
  return kinds.map((kind) => ({ state, kind, named: namedState(state, config) }));
});
const AFTER_SWAP = reachableFrom(STATE.afterSwap);

interface Outcome {
  result: RunResult;
  world: World;
  slack: string[];
  kinds: string[];
}

describe('fault matrix: every Task state × error, timeout and terminal status', () => {
  const { slack, run } = useServices();
  const baselines = new Map<string, Outcome>();

  async function runCase(scenario: Scenario, extra: Partial<RunOptions> = {}, world?: WorldOptions): Promise<Outcome> {
    slack.messages.length = 0;
    const w = await createWorld({ data: false, ...scenario.world, ...world });
    const arranged = scenario.arrange?.(w) ?? {};
    const config = synthesizeWorkflow(scenario.config).config;
    const result = await run(w, {
      config: scenario.config,
      connectDatabase: sqlStandIn(w.sim, config.sanitize.truncateTables),
      ...arranged,
      ...extra,
      taskFaults: { ...arranged.taskFaults, ...extra.taskFaults },
    });
    return { result, world: w, slack: slack.texts(), kinds: kinds(slack) };
  }

  /** Each scenario's run without the fault (inside a test, so the services have their per-test defaults). */
  async function baselineOf(scenario: Scenario): Promise<Outcome> {
    if (!baselines.has(scenario.name)) baselines.set(scenario.name, await runCase(scenario));
    return baselines.get(scenario.name)!;
  }
  async function scenarioReaching(state: string): Promise<Scenario | undefined> {
    for (const scenario of SCENARIOS) {
      if ((await baselineOf(scenario)).result.statesEntered.includes(state)) return scenario;
    }
    return undefined;
  }

  afterAll(() => {
    const byKind = (k: FaultKind) => CASES.filter((c) => c.kind === k).length;
    console.log(
      `Fault matrix: ${TASKS.size} Task states, ${CASES.length} cases ` +
        `(${byKind('error')} errors, ${byKind('timeout')} timeouts, ${byKind('terminal status')} terminal statuses)`,
    );
  });

  it.each(CASES)('$state: $kind', async (c) => {
    const { state, kind } = c;
    const { step, params } = TASKS.get(state)!;
    const terminal = kind === 'terminal status' ? terminalFault(step, params, state) : undefined;
    if (kind === 'terminal status' && !terminal) {
      throw new Error(`"${state}" (${step}) waits on RDS, but the matrix has no terminal status for it`);
    }
    const scenario = terminal?.scenario
      ? SCENARIOS.find((s) => s.name === terminal.scenario)!
      : await scenarioReaching(state);
    if (!scenario) throw new Error(`No scenario reaches "${state}": add one to SCENARIOS`);
    const baseline = await baselineOf(scenario);

    const fault = kind === 'error' ? 'InjectedFault' : 'States.Timeout';
    const outcome = await runCase(
      {
        ...scenario,
        arrange: (world) => {
          const arranged = scenario.arrange?.(world) ?? {};
          terminal?.poison?.(world);
          return { ...arranged, ...terminal?.options?.(world) };
        },
      },
      // The message does not name the state: the report must name it by itself.
      terminal ? {} : { taskFaults: { [state]: { error: fault, message: `Injected ${kind}` } } },
      terminal?.world,
    );

    const violations = check(c, step, outcome, baseline, terminal);
    expect({ scenario: scenario.name, fault: terminal?.what ?? fault, violations }).toEqual({
      scenario: scenario.name,
      fault: terminal?.what ?? fault,
      violations: [],
    });
  });
});

function dataAt(world: World): 'original' | 'new' | 'nobody' | 'foreign' {
  const staging = world.sim.instance(IDS.staging);
  if (!staging || staging.hidden) return 'nobody';
  if (staging.resourceId === world.stagingResourceId) return 'original';
  return staging.tags.some((t) => t.Key === CREATED_BY_TAG) ? 'new' : 'foreign';
}

/** The invariants of one case; returns what was violated, in words. */
function check(c: Case, step: string, o: Outcome, baseline: Outcome, terminal?: TerminalFault): string[] {
  const v: string[] = [];
  const { result, world } = o;
  // Production untouched: never the target of a mutating call, still available under its name.
  const touching = world.sim
    .mutatingCalls()
    .filter(
      (call) =>
        JSON.stringify(call.input).toLowerCase().includes('prod') && call.command !== 'RestoreDBInstanceFromDBSnapshot',
    );
  if (touching.length) v.push(`mutating calls touched production: ${JSON.stringify(touching)}`);
  const restores = world.sim.mutatingCalls().filter((call) => call.command === 'RestoreDBInstanceFromDBSnapshot');
  if (restores.some((r) => r.input.DBInstanceIdentifier !== IDS.temporary)) v.push('restored to another name');
  const production = holders(world.sim).production;
  if (production?.resourceId !== world.productionResourceId || production.status !== 'available')
    v.push(`production is ${JSON.stringify(production)}`);

  const staging = holders(world.sim).staging;
  const report = o.slack.find((t) => /restore failed\*|a step after the swap failed\.\*/.test(t));
  const left = world.sim
    .instances()
    .filter((i) => i.identifier !== IDS.production && !(i.identifier === IDS.staging && !i.hidden));
  const unreported = (text: string | undefined) =>
    left.filter((i) => !text?.includes(i.identifier)).map((i) => `${i.identifier} (${i.status}) is left, unreported`);

  // The fault really struck: the state ran (and failed), or the terminal status was reached.
  if (!terminal && !result.statesEntered.includes(c.state)) v.push(`"${c.state}" was never entered`);
  if (terminal?.happened && !terminal.happened(world)) v.push(`${terminal.what}: did not happen`);

  // A best-effort Slack step, or a terminal status the run deals with: the run ends as it would have.
  if (step === 'notify' || terminal?.outcome === 'recovers') {
    const same = (r: RunResult) => `${r.status} ${r.error ?? ''}`;
    if (same(result) !== same(baseline.result))
      v.push(`ended ${same(result)}, without the fault ${same(baseline.result)}`);
    if (dataAt(world) !== dataAt(baseline.world) || !serving(staging?.status))
      v.push(`staging is ${JSON.stringify(staging)} (${dataAt(world)}), without the fault ${dataAt(baseline.world)}`);
    const expectedKinds =
      step === 'notify'
        ? baseline.kinds.filter((k) => !o.kinds.includes(k)).length === 1 &&
          o.kinds.length === baseline.kinds.length - 1
        : JSON.stringify(o.kinds) === JSON.stringify(baseline.kinds);
    if (!expectedKinds)
      v.push(`Slack got ${JSON.stringify(o.kinds)}, without the fault ${JSON.stringify(baseline.kinds)}`);
    const names = (w: World) =>
      w.sim
        .instances()
        .filter((i) => i.identifier !== IDS.production && i.identifier !== IDS.staging)
        .map((i) => i.identifier)
        .sort()
        .join(', ');
    if (names(world) !== names(baseline.world))
      v.push(`left [${names(world)}], without the fault [${names(baseline.world)}]`);
    return v;
  }

  if (result.status !== 'FAILED') v.push(`ended ${result.status}, not FAILED`);
  if (!report) v.push(`no failure report in Slack: ${JSON.stringify(o.kinds)}`);
  else if (!report.includes(`"${c.named}"`)) v.push(`the report does not name "${c.named}": ${report}`);
  v.push(...unreported(report));

  if (terminal?.outcome === 'breaks staging') {
    // Staging's own instance is broken: it must still be there, untouched, and the report must say so at once.
    if (dataAt(world) !== 'original') v.push(`staging holds ${dataAt(world)}, not the (broken) original`);
    if (!report?.includes('The rollback failed too') || !report.includes(`is "${staging?.status}"`))
      v.push(`the report does not say that the original is "${staging?.status}": ${report}`);
    return v;
  }
  if (terminal?.outcome === 'staging stopped') {
    // Stopped by someone, not by the run: still the original, still stopped, and the report says how to start it.
    if (dataAt(world) !== 'original' || staging?.status !== 'stopped')
      v.push(`staging is ${JSON.stringify(staging)} (${dataAt(world)}), not the original, stopped`);
    if (!report?.includes(`aws rds start-db-instance --db-instance-identifier ${IDS.staging}`))
      v.push(`the report does not say how to start staging: ${report}`);
    if (report?.includes('The rollback failed too')) v.push(`the report says the rollback failed: ${report}`);
    return v;
  }
  const expectedData = AFTER_SWAP.has(c.state) ? 'new' : 'original';
  if (terminal?.outcome === 'breaks new staging') {
    if (!report?.includes(`"${staging?.status}"`)) v.push(`the report does not say staging is "${staging?.status}"`);
  } else if (!serving(staging?.status)) v.push(`staging is ${JSON.stringify(staging)}, not available`);
  if (dataAt(world) !== expectedData) v.push(`staging holds ${dataAt(world)} data, expected ${expectedData}`);
  if (AFTER_SWAP.has(c.state) && result.error !== 'AfterSwapFailed')
    v.push(`ended ${result.error}, not AfterSwapFailed`);
  return v;
}
