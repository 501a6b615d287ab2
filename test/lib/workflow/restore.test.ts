import { STATE } from '../../../lib/workflow';
import { STAGING_SECURITY_GROUPS, createWorld, IDS } from '../../../offline/world';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * The workflow's main paths, each run through the synthesized state machine against the RDS simulator.
 * Every test asserts who holds which name at the end, that production was never touched, and Slack.
 */
describe('workflow: restore and swap', () => {
  const { slack, run } = useServices();

  it('happy path: staging ends on a fresh copy of the newest automated production snapshot', async () => {
    const world = await createWorld();
    const seenAtStaging = new Set<string>();

    const result = await run(world, {
      // At every step: production available under its name, staging held by the original, the new one or
      // (mid-outage only) nobody.
      beforeTask: () => {
        const now = holders(world.sim);
        expect(now.production).toEqual({ resourceId: world.productionResourceId, status: 'available' });
        seenAtStaging.add(now.staging?.resourceId ?? 'nobody');
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    const now = holders(world.sim);
    // Backups are back on: the new staging takes its first backup, serving all the while.
    expect(now.staging?.status).toBe('backing-up');
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expect(world.sim.deleted().map((d) => d.resourceId)).toEqual([world.stagingResourceId]);
    const fresh = world.sim.instance(IDS.staging)!;
    expect(fresh.restoredFromSnapshot).toBe(world.newestSnapshot);
    // Configured like the old staging, not like production; tagged as staging, not production.
    expect(fresh.dbInstanceClass).toBe('db.m5.xlarge');
    expect(fresh.multiAZ).toBe(false);
    expect(fresh.availabilityZone).toBe('us-east-1c');
    expect([...fresh.vpcSecurityGroupIds].sort()).toEqual([...STAGING_SECURITY_GROUPS].sort());
    expect(fresh.dbParameterGroupName).toBe('openverse-staging-pg18');
    expect(fresh.backupRetentionPeriod).toBe(7);
    expect(fresh.tags).toEqual(expect.arrayContaining([{ Key: 'environment', Value: 'staging' }]));
    expect(fresh.tags).not.toEqual(expect.arrayContaining([{ Key: 'environment', Value: 'production' }]));
    const deleteCall = world.sim.mutatingCalls().find((c) => c.command === 'DeleteDBInstance')!;
    expect(deleteCall.input).toEqual({
      DBInstanceIdentifier: IDS.old,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
    expectProductionUntouched(world);

    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
    expect(slack.texts()[0]).toContain(world.newestSnapshot);
    const outage = /outage over\* after (\d+) min (\d+) s/.exec(slack.texts()[1]!);
    expect(outage).not.toBeNull();
    expect(Number(outage![1])).toBeLessThan(10); // the plan promises an outage under 10 minutes
    expect([...seenAtStaging].sort()).toEqual([now.staging!.resourceId, world.stagingResourceId, 'nobody'].sort());
    expect(result.instances.map((i) => i.identifier).sort()).toEqual([IDS.staging, IDS.production].sort());
    expect(result.output).toMatchObject({
      outcome: 'succeeded',
      snapshot: { identifier: world.newestSnapshot },
      staging: { identifier: IDS.staging, resourceId: now.staging!.resourceId },
    });
  });

  it('skip flag true: ends as a success that says "skipped", tells Slack how to re-enable, mutates nothing', async () => {
    const world = await createWorld();

    const result = await run(world, { skipFlag: 'true' });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'skipped' });
    expect(result.statesEntered.at(-1)).toBe(STATE.skipped);
    expect(world.sim.calls).toEqual([]);
    expect(slack.texts()).toHaveLength(1);
    expect(slack.texts()[0]).toContain('skipped');
    expect(slack.texts()[0]).toContain('/staging-db-restore/skip');
    expect(slack.texts()[0]).toContain('to `false` to re-enable');
    expectStagingUntouched(world);
  });

  it.each([
    ['an invalid skip flag value', { skipFlag: 'yes' }, 'InvalidSkipFlag'],
    ['a missing skip parameter', { skipFlag: undefined }, 'Ssm.ParameterNotFoundException'],
  ])('%s fails before anything is touched', async (_what, options, error) => {
    const world = await createWorld();

    const result = await run(world, options);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(world.sim.mutatingCalls()).toEqual([]);
    expectStagingUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    expect(slack.texts()[0]).toContain('No rollback needed: the run stopped before creating anything.');
    expect(result.statesEntered).not.toContain(STATE.rollback);
  });

  it('no automated production snapshot: fails clearly, staging untouched', async () => {
    const world = await createWorld({
      snapshots: (start) => [
        // Only a manual production snapshot and another instance's automated one: neither counts.
        { identifier: 'manual-prod', instanceIdentifier: IDS.production, snapshotType: 'manual', createTime: start },
        {
          identifier: `rds:${IDS.staging}-x`,
          instanceIdentifier: IDS.staging,
          snapshotType: 'automated',
          createTime: start,
        },
      ],
    });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('NoProductionSnapshot');
    expect(world.sim.mutatingCalls()).toEqual([]);
    expectStagingUntouched(world);
    expect(slack.texts()).toHaveLength(1);
    expect(slack.texts()[0]).toContain(`in state "${STATE.prepare}"`);
    expect(slack.texts()[0]).toContain(`No automated snapshot of ${IDS.production}`);
    expect(slack.texts()[0]).toContain('No rollback needed');
    expect(result.statesEntered).not.toContain(STATE.rollback);
  });

  it.each(['stopped', 'backing-up'])(
    'staging %s for good: fails before anything is created, with no rollback to wait on or misreport',
    async (status) => {
      const world = await createWorld({ data: false, noStaging: true });
      const staging = world.sim.addInstance({ identifier: IDS.staging, status });

      const result = await run(world);

      const stopped = status === 'stopped';
      expect(result.status).toBe('FAILED');
      // Stopped: refused at once, saying to start it. Backing up: waited for, up to waits.stagingReady (60 min).
      expect(result.error).toBe(stopped ? 'PreconditionFailed' : 'WaitTimedOut');
      expect(result.statesEntered.filter((s) => s === STATE.waitStagingReady).length).toBe(stopped ? 0 : 120);
      expect(result.statesEntered).not.toContain(STATE.rollback);
      expect(world.sim.mutatingCalls()).toEqual([]);
      expect(holders(world.sim).staging).toEqual({ resourceId: staging.resourceId, status });
      expect(slack.texts()).toHaveLength(1);
      expect(slack.texts()[0]).toContain(
        stopped
          ? `Instance ${IDS.staging} is "stopped", and this tool never starts an instance`
          : `Gave up waiting for instance ${IDS.staging} to be available with no operation in flight after 60 min`,
      );
      expect(slack.texts()[0]).toContain('No rollback needed');
    },
  );

  it('newest snapshot still creating: waits until it is available, then restores it', async () => {
    const world = await createWorld({
      snapshots: (start) => [
        {
          identifier: 'rds:prod-openverse-db-old',
          instanceIdentifier: IDS.production,
          createTime: new Date(start.getTime() - 86_400_000),
        },
        {
          identifier: 'rds:prod-openverse-db-today',
          instanceIdentifier: IDS.production,
          status: 'creating',
          createTime: start,
          becomes: { status: 'available', afterSeconds: 40 * 60 },
        },
      ],
    });

    const result = await run(world);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.filter((s) => s === STATE.waitSnapshot).length).toBeGreaterThanOrEqual(8);
    const restore = world.sim.mutatingCalls().find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restore.input.DBSnapshotIdentifier).toBe('rds:prod-openverse-db-today');
    expect(restore.at.getTime() - world.sim.clock.now().getTime()).toBeLessThan(0);
    expect(restore.at.toISOString() >= '2026-12-01T00:40:00.000Z').toBe(true);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
    expect(slack.texts()[2]).toContain('rds:prod-openverse-db-today');
  });

  it('newest snapshot fails while being created: fails fast, never restores an older one', async () => {
    const world = await createWorld({
      snapshots: (start) => [
        {
          identifier: 'rds:prod-openverse-db-old',
          instanceIdentifier: IDS.production,
          createTime: new Date(start.getTime() - 86_400_000),
        },
        {
          identifier: 'rds:prod-openverse-db-today',
          instanceIdentifier: IDS.production,
          status: 'creating',
          createTime: start,
          becomes: { status: 'failed', afterSeconds: 600 },
        },
      ],
    });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SnapshotFailed');
    expect(world.sim.mutatingCalls()).toEqual([]);
    expectStagingUntouched(world);
    expect(slack.texts()[0]).toContain('rds:prod-openverse-db-today');
  });

  it('150 snapshots over several pages in shuffled order: the newest available automated one is chosen', async () => {
    const day = 86_400_000;
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const world = await createWorld({
      snapshots: (start) => {
        const seeds = Array.from({ length: 150 }, (_, i) => ({
          identifier: `rds:prod-openverse-db-${String(i).padStart(3, '0')}`,
          instanceIdentifier: IDS.production,
          snapshotType: 'automated' as const,
          createTime: new Date(start.getTime() - (150 - i) * day),
        }));
        // Newer than every automated one, but manual or of another instance: must be ignored.
        seeds.push({
          identifier: 'prod-manual-newest',
          instanceIdentifier: IDS.production,
          snapshotType: 'manual' as never,
          createTime: start,
        });
        for (let i = seeds.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [seeds[i], seeds[j]] = [seeds[j]!, seeds[i]!];
        }
        return seeds;
      },
    });

    const result = await run(world);

    expect(result.status).toBe('SUCCEEDED');
    const pages = world.sim.calls.filter(
      (c) => c.command === 'DescribeDBSnapshots' && c.input.SnapshotType === 'automated',
    );
    expect(pages.length).toBe(2);
    expect(pages[1]!.input.Marker).toBeDefined();
    expect(world.sim.instance(IDS.staging)!.restoredFromSnapshot).toBe('rds:prod-openverse-db-149');
    expect(holders(world.sim).old).toBeUndefined();
    expect(slack.texts()[2]).toContain('rds:prod-openverse-db-149');
  });
});
