import { laneOf, PHASES } from '../../../lib/workflow/phases';
import { STATE } from '../../../lib/workflow/states';
import { allStates, synthesizeWorkflow } from '../../../offline/harness';

describe('the plan phases of the timeline (lib/workflow/phases.ts)', () => {
  it.each([
    ['the default configuration', undefined],
    [
      'other users of staging skipped, deploy and index disabled',
      {
        concurrency: {
          otherStateMachineArns: ['arn:aws:states:us-east-1:123456789012:stateMachine:Reindex'],
          whenOthersRun: 'skip',
        },
        deployApi: { enabled: false },
        searchIndex: { enabled: false },
      },
    ],
  ])('puts every state of the synthesized definition in one lane (%s)', (_label, config) => {
    const names = allStates(synthesizeWorkflow(config).definition).map(([name]) => name);
    const unplaced = names.filter((n) => !laneOf(n));
    expect(unplaced).toEqual([]);
  });

  it('lists each state once, and only states the workflow names', () => {
    const listed = PHASES.flatMap((p) => p.lanes.flatMap((l) => l.states));
    expect(new Set(listed).size).toBe(listed.length);
    const known = new Set<string>(Object.values(STATE));
    expect(listed.filter((s) => !known.has(s))).toEqual([]);
    expect(Object.values(STATE).filter((s) => !listed.includes(s))).toEqual([]);
  });
});
