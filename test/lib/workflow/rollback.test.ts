import { STATE } from '../../../lib/workflow';
import { createWorld, IDS } from '../../../offline/world';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * Failures at each point of the restore and swap, and the compensation that fits each: before the outage
 * the new instance is deleted; during it, the original staging instance is put back under its name (after
 * moving the new one away if it had taken the name); after the swap, the swap is kept.
 */
describe('workflow: failures and rollback', () => {
  const { slack, run } = useServices();

  it('restore request fails: nothing was created, staging untouched, Slack names the state', async () => {
    const world = await createWorld();
    world.sim.injectFault({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expectStagingUntouched(world);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database restore failed']);
    expect(slack.texts()[0]).toContain(`in state "${STATE.restore}"`);
    expect(slack.texts()[0]).toContain('original staging instance');
  });

  it('new instance ends in incompatible-restore: fails fast, the new instance is deleted, staging untouched', async () => {
    const world = await createWorld();
    world.sim.injectStatusFault({ operation: 'restore', identifier: IDS.temporary, status: 'incompatible-restore' });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InstanceFailed');
    expectStagingUntouched(world);
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expect(world.sim.mutatingCalls().filter((c) => c.command === 'ModifyDBInstance')).toEqual([]);
    expectProductionUntouched(world);
    expect(slack.texts()).toHaveLength(1);
    expect(slack.texts()[0]).toContain(`in state "${STATE.checkNew}"`);
    expect(slack.texts()[0]).toContain('incompatible-restore');
    expect(slack.texts()[0]).toContain(`Deleted the new instance ${IDS.temporary}`);
  });

  it('rename staging→old refused: no outage happened beyond the attempt, new instance deleted', async () => {
    const world = await createWorld();
    world.sim.injectFault({
      command: 'ModifyDBInstance',
      when: (input) => input.NewDBInstanceIdentifier === IDS.old,
      error: 'InvalidDBInstanceStateFault',
    });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidDBInstanceStateFault');
    expectStagingUntouched(world);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database outage starting', 'Staging database restore failed']);
    expect(slack.texts()[1]).toContain(`in state "${STATE.renameAway}"`);
  });

  it('rename staging→old went through but its response was lost: the original is renamed back', async () => {
    const world = await createWorld();
    world.sim.injectFault({
      command: 'ModifyDBInstance',
      when: (input) => input.NewDBInstanceIdentifier === IDS.old,
      error: 'InternalFailure',
      applyFirst: true,
    });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expectStagingUntouched(world);
    const renames = world.sim
      .mutatingCalls()
      .filter((c) => c.command === 'ModifyDBInstance' && c.input.NewDBInstanceIdentifier && !c.error)
      .map((c) => `${String(c.input.DBInstanceIdentifier)}→${String(c.input.NewDBInstanceIdentifier)}`);
    expect(renames).toEqual([`${IDS.old}→${IDS.staging}`]);
    expect(slack.texts()[1]).toContain(`Renamed the original instance from ${IDS.old} back to ${IDS.staging}`);
  });

  it('rename temp→staging refused: the original staging is put back under its name', async () => {
    const world = await createWorld();
    world.sim.injectFault({
      command: 'ModifyDBInstance',
      when: (input) => input.DBInstanceIdentifier === IDS.temporary && input.NewDBInstanceIdentifier === IDS.staging,
      error: 'InvalidDBInstanceStateFault',
    });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expectStagingUntouched(world);
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expectProductionUntouched(world);
    expect(kinds(slack)).toEqual(['Staging database outage starting', 'Staging database restore failed']);
    expect(slack.texts()[1]).toContain(`in state "${STATE.renameIn}"`);
    expect(slack.texts()[1]).toContain(`back to ${IDS.staging}`);
  });

  it('failure after the new instance took the staging name: it is renamed away first, then the original returns', async () => {
    const world = await createWorld();

    const result = await run(world, {
      taskFaults: { [STATE.checkStaging]: { error: 'States.Timeout', times: Infinity } },
    });

    expect(result.status).toBe('FAILED');
    expectStagingUntouched(world);
    const renames = world.sim
      .mutatingCalls()
      .filter((c) => c.command === 'ModifyDBInstance' && c.input.NewDBInstanceIdentifier && !c.error)
      .map((c) => `${String(c.input.DBInstanceIdentifier)}→${String(c.input.NewDBInstanceIdentifier)}`);
    expect(renames).toEqual([
      `${IDS.staging}→${IDS.old}`,
      `${IDS.temporary}→${IDS.staging}`,
      `${IDS.staging}→${IDS.temporary}`,
      `${IDS.old}→${IDS.staging}`,
    ]);
    expect(world.sim.deleted().map((d) => d.identifier)).toEqual([IDS.temporary]);
    expect(slack.texts()[1]).toContain(`Renamed the new instance from ${IDS.staging} back to ${IDS.temporary}`);
  });

  it('not found under both names mid-rename is "in progress", not a failure', async () => {
    const world = await createWorld({ timings: { renameHiddenSeconds: 240 } });

    const result = await run(world);

    expect(result.status).toBe('SUCCEEDED');
    const notFound = world.sim.calls.filter(
      (c) =>
        c.command === 'DescribeDBInstances' &&
        c.error === 'DBInstanceNotFoundFault' &&
        c.input.DBInstanceIdentifier === IDS.old,
    );
    expect(notFound.length).toBeGreaterThanOrEqual(10);
    const now = holders(world.sim);
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.old).toBeUndefined();
    expect(now.temporary).toBeUndefined();
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
  });

  it('delete of old fails: the swap is kept, the other steps still run, the failure is reported with the command', async () => {
    const world = await createWorld();
    world.sim.injectFault({ command: 'DeleteDBInstance', error: 'InvalidDBInstanceStateFault', times: Infinity });

    const result = await run(world);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AfterSwapFailed');
    const now = holders(world.sim);
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.staging?.status).toBe('backing-up');
    expect(now.old).toEqual({ resourceId: world.stagingResourceId, status: 'available' });
    expect(now.temporary).toBeUndefined();
    expect(result.statesEntered).not.toContain(STATE.rollback);
    // The other branches were not cancelled by the failing one.
    expect(result.statesEntered).toEqual(
      expect.arrayContaining([STATE.apiDeployed, STATE.indicesUpdated, STATE.restoreRecorded]),
    );
    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database was refreshed, but a step after the swap failed',
    ]);
    expect(slack.texts()[2]).toContain(`\`${IDS.old}\`: :x: failed: InvalidDBInstanceStateFault`);
    expect(slack.texts()[2]).toContain(`(in state "${STATE.deleteOld}")`);
    expect(slack.texts()[2]).toContain(`aws rds delete-db-instance --db-instance-identifier ${IDS.old}`);
    expectProductionUntouched(world);
  });

  it('Slack down: the restore still completes', async () => {
    const world = await createWorld();
    slack.failNext(100);

    const result = await run(world);

    slack.failNext(0);
    expect(result.status).toBe('SUCCEEDED');
    expect(slack.texts()).toEqual([]);
    expect(holders(world.sim).staging?.resourceId).not.toBe(world.stagingResourceId);
  });
});
