import { worstCaseMinutes } from '../../lib/config';
import { allStates, synthesizeWorkflow } from '../../offline/harness';

/**
 * Bounded everything, checked on the synthesized definitions: the state machine has an
 * overall timeout; every Task has its own timeout; every loop of the state graph waits between its rounds
 * (no busy loop) and is bounded by a check Task that is told its maximum; and the overall timeout leaves room
 * for the longest path through the graph with every loop running to its maximum. A run that hits the overall
 * timeout is stopped wherever it is, with no rollback (see the execution-timed-out alarm): it must never be
 * the way a slow run ends.
 */
type State = { Type: string; Next?: string; Default?: string; TimeoutSeconds?: number } & Record<string, unknown>;
interface Graph {
  StartAt: string;
  States: Record<string, State>;
}

const CONFIGS: [string, Record<string, unknown> | undefined][] = [
  ['default config', undefined],
  [
    'waiting for other users of staging',
    { concurrency: { otherStateMachineArns: ['arn:aws:states:us-east-1:123456789012:stateMachine:Reindex'] } },
  ],
  [
    'post-steps disabled, no password reset',
    { deployApi: { enabled: false }, searchIndex: { enabled: false }, sanitize: { resetMasterPassword: false } },
  ],
];

/** Where a state can go next: Next, Default, Choices and Catch targets (not into Parallel branches). */
function successors(state: State): string[] {
  const choices = ((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next);
  const catches = ((state.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next);
  return [state.Next, state.Default, ...choices, ...catches].filter((n): n is string => typeof n === 'string');
}

/** Strongly connected components of one graph (Tarjan): the loops are those with more than one state. */
function components(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of successors(graph.States[v]!)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const name of Object.keys(graph.States)) if (!index.has(name)) visit(name);
  return out;
}

/** Every graph of a definition: the top level and each Parallel branch. */
function graphs(definition: Graph): Graph[] {
  return [definition, ...allStates(definition).flatMap(([, s]) => (s.Branches as Graph[] | undefined) ?? [])];
}

interface Loop {
  states: string[];
  waits: string[];
  /** The bound the loop's check Task is given (bound.maxSeconds, or maxSeconds), and its poll interval. */
  maxSeconds: number;
  pollSeconds: number;
  checks: string[];
}

function loops(definition: Graph): Loop[] {
  return graphs(definition).flatMap((graph) =>
    components(graph)
      .map((scc) => loopOf(graph, scc))
      .filter((l): l is Loop => l !== undefined),
  );
}

/** The loop a strongly connected component is, if it is one (more than one state, or a state that loops). */
function loopOf(graph: Graph, scc: string[]): Loop | undefined {
  if (scc.length === 1 && !successors(graph.States[scc[0]!]!).includes(scc[0]!)) return undefined;
  const bounded = scc
    .map((name) => {
      const params = graph.States[name]!.Parameters as
        | { bound?: { maxSeconds?: unknown; pollSeconds?: unknown }; maxSeconds?: unknown; pollSeconds?: unknown }
        | undefined;
      const maxSeconds = params?.bound?.maxSeconds ?? params?.maxSeconds;
      const pollSeconds = params?.bound?.pollSeconds ?? params?.pollSeconds;
      return { name, type: graph.States[name]!.Type, maxSeconds, pollSeconds };
    })
    .filter((c) => c.type === 'Task' && typeof c.maxSeconds === 'number' && c.maxSeconds > 0);
  return {
    states: [...scc].sort(),
    waits: scc.filter((name) => graph.States[name]!.Type === 'Wait'),
    maxSeconds: Math.max(0, ...bounded.map((c) => c.maxSeconds as number)),
    pollSeconds: Math.max(0, ...bounded.map((c) => Number(c.pollSeconds) || 0)),
    checks: bounded.map((c) => c.name),
  };
}

/**
 * The longest one Task state can take: it times out on every attempt its retry policy allows for a time-out
 * (the first retrier whose ErrorEquals has States.Timeout or States.ALL, as Step Functions picks it), with the
 * back-off between attempts.
 */
function taskSeconds(state: Record<string, unknown>): number {
  const timeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : Infinity;
  const retriers = (state.Retry ?? []) as {
    ErrorEquals: string[];
    MaxAttempts?: number;
    IntervalSeconds?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
  }[];
  const r = retriers.find((x) => x.ErrorEquals.some((e) => e === 'States.Timeout' || e === 'States.ALL'));
  const retries = r ? (r.MaxAttempts ?? 3) : 0;
  let waits = 0;
  for (let k = 0; k < retries; k++) {
    const delay = (r!.IntervalSeconds ?? 1) * (r!.BackoffRate ?? 2) ** k;
    waits += Math.min(delay, r!.MaxDelaySeconds ?? Infinity);
  }
  return timeout * (1 + retries) + waits;
}

/**
 * The longest a run can take through `graph` from `start`, in seconds: each Task its timeout on every attempt
 * its retries allow (taskSeconds), each loop its maximum plus one more round (the check that notices the bound
 * is spent; the bound is on elapsed time, so retries inside the loop count against it), each Parallel its
 * slowest branch; along the slowest path, failure paths (Catch) included.
 */
function worstCaseSeconds(graph: Graph, start = graph.StartAt): number {
  const sccs = components(graph);
  const sccOf = new Map(sccs.flatMap((scc, i) => scc.map((name) => [name, i] as const)));
  const memo = new Map<number, number>();
  const own = (name: string): number => {
    const s = graph.States[name]!;
    if (s.Type === 'Task') return taskSeconds(s);
    if (s.Type === 'Parallel') return Math.max(...(s.Branches as Graph[]).map((b) => worstCaseSeconds(b)));
    if (s.Type === 'Wait') return typeof s.Seconds === 'number' ? s.Seconds : Infinity;
    return 0;
  };
  const cost = (i: number): number => {
    const cached = memo.get(i);
    if (cached !== undefined) return cached;
    const scc = sccs[i]!;
    const loop = loopOf(graph, scc);
    const tasks = scc.reduce((sum, n) => sum + (graph.States[n]!.Type === 'Task' ? own(n) : 0), 0);
    const here = loop ? loop.maxSeconds + loop.pollSeconds + tasks : own(scc[0]!);
    const next = scc.flatMap((n) => successors(graph.States[n]!)).filter((n) => sccOf.get(n) !== i);
    const result = here + Math.max(0, ...next.map((n) => cost(sccOf.get(n)!)));
    memo.set(i, result);
    return result;
  };
  return cost(sccOf.get(start)!);
}

describe.each(CONFIGS)('bounded everything: %s', (_name, override) => {
  const { definition: raw, config } = synthesizeWorkflow(override);
  const definition = raw as unknown as Graph & { TimeoutSeconds?: number };

  it('has an overall timeout: executionTimeoutHours', () => {
    // Arrange / Act
    const timeout = definition.TimeoutSeconds;

    // Assert
    expect(timeout).toBe(config.executionTimeoutHours * 3600);
  });

  it('gives every Task state a timeout', () => {
    // Arrange
    const tasks = allStates(definition).filter(([, s]) => s.Type === 'Task');

    // Act
    const without = tasks.filter(([, s]) => !(typeof s.TimeoutSeconds === 'number' && s.TimeoutSeconds > 0));

    // Assert
    expect(tasks.length).toBeGreaterThan(10);
    expect(without.map(([name]) => name)).toEqual([]);
  });

  it('every loop waits between rounds and is bounded by a check told its maximum', () => {
    // Arrange
    const all = loops(definition);
    const waits = allStates(definition).filter(([, s]) => s.Type === 'Wait');

    // Act
    const unbounded = all.filter((l) => l.waits.length === 0 || l.checks.length === 0).map((l) => l.states);

    // Assert: every Wait state is in a loop (a one-off wait would be unbounded by any check), and none is unbounded.
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(all.flatMap((l) => l.waits).sort()).toEqual(waits.map(([name]) => name).sort());
    expect(unbounded).toEqual([]);
    // Every maximum is one of the configured wait bounds.
    const configured = new Set(Object.values(config.waits).map((w) => w.maxMinutes * 60));
    for (const l of all)
      expect({ loop: l.checks, maxSeconds: configured.has(l.maxSeconds) }).toEqual({
        loop: l.checks,
        maxSeconds: true,
      });
  });

  it('leaves room within the overall timeout for the slowest path with every loop at its maximum', () => {
    // Arrange / Act
    const worst = worstCaseSeconds(definition);

    // Assert
    expect(Number.isFinite(worst)).toBe(true);
    expect(definition.TimeoutSeconds).toBeGreaterThan(worst);
    // The config's own estimate, which sets the smallest executionTimeoutHours synth accepts, covers it too.
    expect(worstCaseMinutes(config) * 60).toBeGreaterThanOrEqual(worst);
  });
});

describe('bounded everything: the checks themselves', () => {
  const task = (next: string, parameters: Record<string, unknown> = {}) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    TimeoutSeconds: 60,
    Parameters: parameters,
    Next: next,
  });
  const choice = (loop: string, out: string) => ({
    Type: 'Choice',
    Choices: [{ Variable: '$.done', BooleanEquals: false, Next: loop }],
    Default: out,
  });

  it('finds a busy loop (no Wait) and a loop whose check is not told a maximum', () => {
    // Arrange
    const busy: Graph = {
      StartAt: 'Check',
      States: { Check: task('Done?'), 'Done?': choice('Check', 'End'), End: { Type: 'Succeed' } },
    };
    const unbounded: Graph = {
      StartAt: 'Check',
      States: {
        Check: task('Done?'),
        'Done?': choice('Wait', 'End'),
        Wait: { Type: 'Wait', Seconds: 5, Next: 'Check' },
        End: { Type: 'Succeed' },
      },
    };

    // Act
    const [busyLoop] = loops(busy);
    const [unboundedLoop] = loops(unbounded);

    // Assert
    expect(busyLoop).toMatchObject({ states: ['Check', 'Done?'], waits: [], checks: [] });
    expect(unboundedLoop).toMatchObject({ waits: ['Wait'], checks: [] });
  });

  it('counts a loop at its maximum plus one round, and takes the slowest way out', () => {
    // Arrange: 60 s task, then a loop bounded at 600 s (poll 30 s, its check 60 s), then a catch to a 60 s task.
    const graph: Graph = {
      StartAt: 'First',
      States: {
        First: task('Check'),
        Check: {
          ...task('Done?', { bound: { maxSeconds: 600, pollSeconds: 30 } }),
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report' }],
        },
        'Done?': choice('Wait', 'End'),
        Wait: { Type: 'Wait', SecondsPath: '$.next', Next: 'Check' },
        Report: task('End'),
        End: { Type: 'Succeed' },
      },
    };

    // Act
    const worst = worstCaseSeconds(graph);

    // Assert
    expect(worst).toBe(60 + (600 + 30 + 60) + 60);
  });
});
