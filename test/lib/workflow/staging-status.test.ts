import { STATE } from '../../../lib/workflow';
import type { HarnessEvent, RunResult } from '../../../offline/harness';
import { createWorld, IDS, type World } from '../../../offline/world';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * Staging in a passing status (a backup, someone's modification, maintenance) or stopped, at the start and just
 * before the outage; and the rollback when RDS is slow or stuck. Each test asserts who holds every name at the
 * end, the Slack messages and how the execution ended.
 */
const MIN = 60;

/** When a state was first entered (virtual time, ms), or NaN. */
function enteredAt(result: RunResult, state: string, which: 'first' | 'last' = 'first'): number {
  const entered = result.events.filter((e: HarnessEvent) => e.type === 'StateEntered' && e.state === state);
  const event = which === 'first' ? entered[0] : entered.at(-1);
  return event ? event.at.getTime() : NaN;
}

/** Puts staging through `status` for `seconds`, from the first time `state` is about to run. */
function episodeAt(world: World, state: string, status: string, seconds: number) {
  let done = false;
  return (name: string) => {
    if (name !== state || done) return;
    done = true;
    world.sim.scheduleStatusEpisode({ identifier: IDS.staging, status, atSeconds: 0, forSeconds: seconds });
  };
}

/** Advice that would not fit a staging this run never renamed. */
const RENAME_BACK = /rename (it|the original[^.]*) back|back to `?dev-openverse-db`? *\(/i;

describe('workflow: staging busy or stopped', () => {
  const { slack, run } = useServices();

  it('staging backing-up at the start: waited for, then captured and restored as usual', async () => {
    const world = await createWorld();
    world.sim.scheduleStatusEpisode({
      identifier: IDS.staging,
      status: 'backing-up',
      atSeconds: 0,
      forSeconds: 20 * MIN,
    });

    const result = await run(world);

    expect(result.status).toBe('SUCCEEDED');
    const waits = result.statesEntered.filter((s) => s === STATE.waitStagingReady).length;
    expect(waits).toBe(40); // 20 min at 30 s
    expect(enteredAt(result, STATE.captureStaging) - enteredAt(result, STATE.checkStagingReady)).toBe(20 * MIN * 1000);
    const now = holders(world.sim);
    expect(now.staging?.status).toBe('backing-up'); // the first backup after backups are back on;
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expect(world.sim.deleted().map((d) => d.resourceId)).toEqual([world.stagingResourceId]);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
  });

  it('staging modifying just before the outage: Slack announces the outage only once it is available again', async () => {
    const world = await createWorld();
    let stagingAtNotice: string | undefined;
    const modifying = episodeAt(world, STATE.checkStagingBeforeOutage, 'modifying', 15 * MIN);

    const result = await run(world, {
      beforeTask: (name) => {
        modifying(name);
        if (name === STATE.notifyOutage) stagingAtNotice = holders(world.sim).staging?.status;
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.filter((s) => s === STATE.waitStagingBeforeOutage)).toHaveLength(30);
    const waited = enteredAt(result, STATE.notifyOutage) - enteredAt(result, STATE.checkStagingBeforeOutage);
    expect(waited).toBe(15 * MIN * 1000);
    expect(enteredAt(result, STATE.notifyOutage)).toBeGreaterThan(
      enteredAt(result, STATE.waitStagingBeforeOutage, 'last'),
    );
    expect(stagingAtNotice).toBe('available');
    // The renames were accepted first time: none refused while staging was busy.
    expect(world.sim.calls.filter((c) => c.command === 'ModifyDBInstance' && c.error)).toEqual([]);
    const now = holders(world.sim);
    expect(now.staging?.status).toBe('backing-up'); // the first backup after backups are back on;
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
    const outage = /outage over\* after (\d+) min/.exec(slack.texts()[1]!);
    expect(Number(outage![1])).toBeLessThan(10);
  });

  it('staging still modifying when waits.stagingReady runs out: no outage, the copy deleted, staging as it was', async () => {
    const world = await createWorld();

    const result = await run(world, {
      beforeTask: episodeAt(world, STATE.checkStagingBeforeOutage, 'modifying', 5 * 3600),
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WaitTimedOut');
    expect(result.statesEntered).toContain(STATE.failed);
    expect(result.statesEntered).not.toContain(STATE.rollbackFailed);
    expect(result.statesEntered).not.toContain(STATE.notifyOutage);
    expect(result.statesEntered).not.toContain(STATE.renameAway);
    const now = holders(world.sim);
    expect(now.staging).toEqual({ resourceId: world.stagingResourceId, status: 'modifying' });
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expect(
      world.sim.mutatingCalls().filter((c) => c.command === 'ModifyDBInstance' && c.input.NewDBInstanceIdentifier),
    ).toEqual([]);
    expectProductionUntouched(world);
    // One message: the failure. No outage was announced.
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    const report = slack.texts()[0]!;
    expect(report).toContain(
      `in state "${STATE.checkStagingBeforeOutage}": WaitTimedOut: Gave up waiting for instance ${IDS.staging} to be available with no operation in flight after 60 min`,
    );
    expect(report).toContain('last status "modifying"');
    expect(report).toContain(`Rollback: Deleted the new instance ${IDS.temporary}`);
    expect(report).toContain(
      `\`${IDS.staging}\` is the original staging instance, unchanged data. It is "modifying" now.`,
    );
    expect(report).toContain(`The outage had not started: this run never renamed \`${IDS.staging}\`.`);
    expect(report).not.toMatch(RENAME_BACK);
    expect(report).not.toContain('rollback failed');
  });

  it('staging stopped at the start: refused at once, saying to start it, nothing changed', async () => {
    const world = await createWorld();
    world.sim.scheduleStatusEpisode({ identifier: IDS.staging, status: 'stopped', atSeconds: 0, forSeconds: Infinity });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PreconditionFailed');
    expect(result.statesEntered).not.toContain(STATE.waitStagingReady);
    expect(result.statesEntered).not.toContain(STATE.restore);
    expect(result.statesEntered).not.toContain(STATE.rollback);
    expect(world.sim.mutatingCalls()).toEqual([]);
    const now = holders(world.sim);
    expect(now.staging).toEqual({ resourceId: world.stagingResourceId, status: 'stopped' });
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    const report = slack.texts()[0]!;
    expect(report).toContain(`in state "${STATE.prepare}": PreconditionFailed: Instance ${IDS.staging} is "stopped"`);
    expect(report).toContain(`aws rds start-db-instance --db-instance-identifier ${IDS.staging}`);
    expect(report).toContain(`aws rds wait db-instance-available --db-instance-identifier ${IDS.staging}`);
    expect(report).toContain('then start the restore again');
    expect(report).toContain(
      `No rollback needed: the run stopped before creating anything. \`${IDS.staging}\` was not touched.`,
    );
  });
});

describe('workflow: a slow or stuck rollback', () => {
  const { slack, run } = useServices();

  it('a rollback that needs nearly its whole worst case ends rolled back, not "rollback failed"', async () => {
    // Every rename takes 28 of its 30 min (25 min not found under either name), a delete 55 of its 60 min. The
    // copy fails right after it was asked to take the staging name: the rollback waits for that rename, renames
    // the copy away, the original back, and deletes the copy: well over the old 90 min bound.
    const world = await createWorld({ timings: { renameHiddenSeconds: 25 * MIN, deleteSeconds: 55 * MIN } });

    const result = await run(world, {
      taskFaults: { [STATE.checkStaging]: { error: 'States.Timeout', times: Infinity } },
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    expect(result.statesEntered).toContain(STATE.failed);
    expect(result.statesEntered).not.toContain(STATE.rollbackFailed);
    const rollbackMinutes = (result.endedAt.getTime() - enteredAt(result, STATE.rollback)) / 60_000;
    expect(rollbackMinutes).toBeGreaterThan(90);
    expect(rollbackMinutes).toBeLessThan(160);
    expectStagingUntouched(world);
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database outage starting', 'Staging database restore failed']);
    const report = slack.texts()[1]!;
    expect(report).toContain(`Renamed the new instance from ${IDS.staging} back to ${IDS.temporary}`);
    expect(report).toContain(`Renamed the original instance from ${IDS.old} back to ${IDS.staging}`);
    expect(report).toContain(`\`${IDS.staging}\` is the original staging instance, unchanged data.`);
    expect(report).not.toContain('The rollback failed too');
    expect(report).not.toContain('The outage had not started');
  });

  it('stuck before the outage (the copy takes hours to delete): says staging was never renamed, and where all is', async () => {
    const world = await createWorld({ timings: { deleteSeconds: 4 * 3600 } });

    const result = await run(world, {
      taskFaults: { [STATE.verify]: { error: 'ConfigMismatch', message: 'DBInstanceClass differs' } },
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RollbackStuck');
    expect(result.statesEntered).toContain(STATE.rollbackFailed);
    const now = holders(world.sim);
    const copy = world.sim.instance(IDS.temporary)!;
    expect(now.staging).toEqual({ resourceId: world.stagingResourceId, status: 'available' });
    expect(now.temporary).toEqual({ resourceId: copy.resourceId, status: 'deleting' });
    expect(now.old).toBeUndefined();
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    const report = slack.texts()[0]!;
    expect(report).toContain(`in state "${STATE.verify}": ConfigMismatch: DBInstanceClass differs`);
    expect(report).toContain(
      '*The rollback failed too* in state "Roll back": RollbackStuck: Rollback did not finish within 160 min',
    );
    expect(report).toContain(
      `Now: \`${IDS.staging}\` holds the original staging instance ${world.stagingResourceId} (available); ` +
        `\`${IDS.temporary}\` holds this run's copy ${copy.resourceId} (deleting); \`${IDS.old}\` is free.`,
    );
    expect(report).toContain(
      `This run never renamed ${IDS.staging} (the outage had not started): there is nothing to put back.`,
    );
    expect(report).toContain(`Delete this run's copy under ${IDS.temporary} once RDS lets you`);
    expect(report).toContain(`The outage had not started: this run never renamed \`${IDS.staging}\`.`);
    expect(report).not.toMatch(RENAME_BACK);
  });

  it('stuck mid-swap (the original busy under the old name for hours): staging is down, rename the original back', async () => {
    const world = await createWorld();
    let originalBusy = false;

    const result = await run(world, {
      taskFaults: { [STATE.checkStaging]: { error: 'States.Timeout', times: Infinity } },
      beforeTask: (name) => {
        if (name !== STATE.rollback || originalBusy) return;
        originalBusy = true;
        world.sim.scheduleStatusEpisode({
          identifier: IDS.old,
          status: 'backing-up',
          atSeconds: 0,
          forSeconds: 5 * 3600,
        });
      },
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RollbackStuck');
    const now = holders(world.sim);
    const copy = world.sim.instance(IDS.temporary)!;
    expect(now.staging).toBeUndefined();
    expect(now.temporary).toEqual({ resourceId: copy.resourceId, status: 'available' });
    expect(now.old).toEqual({ resourceId: world.stagingResourceId, status: 'backing-up' });
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database outage starting', 'Staging database restore failed']);
    const report = slack.texts()[1]!;
    expect(report).toContain(
      `Now: \`${IDS.staging}\` is free; \`${IDS.temporary}\` holds this run's copy ${copy.resourceId} (available); ` +
        `\`${IDS.old}\` holds the original staging instance ${world.stagingResourceId} (backing-up).`,
    );
    expect(report).toContain(
      `Staging is down: the original is under ${IDS.old}. Once it is available, rename it back (aws rds ` +
        `modify-db-instance --db-instance-identifier ${IDS.old} --new-db-instance-identifier ${IDS.staging} --apply-immediately).`,
    );
    expect(report).toContain(
      `Rollback steps taken before it failed: Renamed the new instance from ${IDS.staging} back to ${IDS.temporary}.`,
    );
    expect(report).not.toContain('The outage had not started');
  });
});
