import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { DEFAULT_CONFIG } from '../../../lib/config';
import { STATE } from '../../../lib/workflow';
import { RdsSimulator, type SnapshotSeed } from '../../../offline/rds';
import type { RunResult } from '../../../offline/harness';
import { createWorld, IDS, type World } from '../../../offline/world';
import { expectProductionUntouched, holders, kinds, useServices } from './support';

/**
 * Which snapshot a run restores, and what it reports about it: the documented order (docs/how-it-works.md, "Find
 * snapshot and capture staging") decides ties whatever order RDS lists snapshots in, and a snapshot found while
 * still being created, without a creation time, is reported with its real time once it is available.
 */
describe('workflow: choosing the snapshot', () => {
  const { slack, run } = useServices();
  const DAY = 86_400_000;

  /** Everything a successful run ends with: who holds each name, production untouched, the execution's end. */
  function expectRestoredFrom(world: World, snapshot: string, result: RunResult) {
    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.at(-1)).toBe(STATE.succeeded);
    const now = holders(world.sim);
    expect(now.staging?.status).toBe('backing-up'); // its first backup, backups being back on
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expect(now.production).toEqual({ resourceId: world.productionResourceId, status: 'available' });
    expect(world.sim.instance(IDS.staging)!.restoredFromSnapshot).toBe(snapshot);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
  }

  describe('two snapshots with the same creation time', () => {
    const tied = new Date('2026-11-30T06:12:00Z');
    const WINNER = `rds:${IDS.production}-2026-11-30-06-12-b`;
    const LOSER = `rds:${IDS.production}-2026-11-30-06-12-a`;
    const seeds = (start: Date): SnapshotSeed[] => [
      {
        identifier: `rds:${IDS.production}-2026-11-29-06-12`,
        instanceIdentifier: IDS.production,
        createTime: new Date(start.getTime() - 2 * DAY),
      },
      { identifier: LOSER, instanceIdentifier: IDS.production, createTime: tied },
      { identifier: WINNER, instanceIdentifier: IDS.production, createTime: tied },
    ];

    /** The first simulator seed whose DescribeDBSnapshots lists the documented winner first (or last). */
    async function seedListing(winnerFirst: boolean): Promise<number> {
      for (let seed = 0; seed < 50; seed++) {
        const sim = new RdsSimulator({ snapshotOrderSeed: seed });
        sim.addInstance({ identifier: IDS.production });
        for (const s of seeds(new Date('2026-12-01T00:00:00Z'))) sim.addSnapshot(s);
        const order = await listed(sim);
        if (order.indexOf(WINNER) < order.indexOf(LOSER) === winnerFirst) return seed;
      }
      throw new Error('no seed lists the snapshots that way');
    }
    async function listed(sim: RdsSimulator): Promise<string[]> {
      const out = await sim.client().send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: IDS.production }));
      return (out.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier!);
    }

    it.each([
      ['first', true],
      ['last', false],
    ])('the greater identifier wins with RDS listing it %s', async (_where, winnerFirst) => {
      const snapshotOrderSeed = await seedListing(winnerFirst);
      const world = await createWorld({ snapshotOrderSeed, snapshots: seeds });
      const order = await listed(world.sim);
      expect(order.indexOf(WINNER) < order.indexOf(LOSER)).toBe(winnerFirst);

      const result = await run(world);

      expectRestoredFrom(world, WINNER, result);
      expect(world.newestSnapshot).toBe(WINNER);
      expect(slack.texts()[0]).toContain(WINNER);
      expect(slack.texts()[2]).toContain(`• Snapshot: \`${WINNER}\` (taken ${tied.toISOString()}, `);
      expect(result.output).toMatchObject({ outcome: 'succeeded', snapshot: { identifier: WINNER } });
    });
  });

  it('the newest snapshot still creating, without a creation time: its real time is reported once available', async () => {
    const NEWEST = `rds:${IDS.production}-2026-12-01-00-00`;
    const parameters = new Map<string, string>();
    const world = await createWorld({
      snapshots: (start) => [
        {
          identifier: `rds:${IDS.production}-2026-11-30-00-00`,
          instanceIdentifier: IDS.production,
          createTime: new Date(start.getTime() - DAY),
        },
        {
          identifier: NEWEST,
          instanceIdentifier: IDS.production,
          status: 'creating',
          createTime: start,
          becomes: { status: 'available', afterSeconds: 40 * 60 },
        },
      ],
    });
    const createdAt = '2026-12-01T00:00:00.000Z';

    const result = await run(world, { parameters });

    expectRestoredFrom(world, NEWEST, result);
    // Found while creating: RDS gave no time then (the simulator omits it, as RDS does).
    const found = result.events.find((e) => e.type === 'StateExited' && e.state === STATE.findSnapshot);
    expect(found?.output).toMatchObject({
      found: { snapshot: { identifier: NEWEST, status: 'creating', createdAt: null } },
    });
    expect(result.statesEntered).toContain(STATE.waitSnapshot);
    expect(result.statesEntered).toContain(STATE.useAvailableSnapshot);
    // Every report after the wait carries the real time.
    const success = slack.texts()[2]!;
    expect(success).toMatch(new RegExp(`• Snapshot: \`${NEWEST}\` \\(taken ${createdAt}, \\d+ h old\\)`));
    expect(success).not.toContain('no creation time');
    expect(success).not.toContain('unknown');
    expect(result.output).toMatchObject({
      outcome: 'succeeded',
      snapshot: { identifier: NEWEST, status: 'available', createdAt },
    });
    const record = JSON.parse(parameters.get(DEFAULT_CONFIG.lastRestoreParameterName)!) as Record<string, unknown>;
    expect(record).toMatchObject({ snapshot: NEWEST, snapshotCreatedAt: createdAt });
  });
});
