import { STATE } from '../../../lib/workflow';
import { createWorld, IDS } from '../../../offline/world';
import { expectProductionUntouched, holders, kinds, useServices } from './support';

/**
 * Deleting the old staging instance after the swap: its automated backups are kept or deleted as the config's
 * `deleteOld.deleteAutomatedBackups` says, and the Slack report and the dry run's plan say which.
 */
describe('workflow: deleting the old instance', () => {
  const { slack, run } = useServices();
  /** Staging's automated snapshot in the standard world: one of the old instance's automated backups. */
  const OLD_BACKUP = `rds:${IDS.staging}-latest`;

  it.each([
    ['false (the default): its automated backups are kept', undefined, false, 'automated backups kept'],
    ['true: its automated backups are deleted with it', true, true, 'automated backups deleted too'],
  ])('deleteAutomatedBackups %s', async (_what, configured, deleted, text) => {
    const world = await createWorld();
    expect(world.sim.snapshots().map((s) => s.identifier)).toContain(OLD_BACKUP);
    expect(world.sim.snapshots().find((s) => s.identifier === OLD_BACKUP)!.dbiResourceId).toBe(world.stagingResourceId);

    const result = await run(world, {
      ...(configured === undefined ? {} : { config: { deleteOld: { deleteAutomatedBackups: configured } } }),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.at(-1)).toBe(STATE.succeeded);
    const now = holders(world.sim);
    expect(now.staging?.status).toBe('backing-up'); // its first backup, backups being back on
    expect(now.staging?.resourceId).not.toBe(world.stagingResourceId);
    expect(now.temporary).toBeUndefined();
    expect(now.old).toBeUndefined();
    expect(now.production).toEqual({ resourceId: world.productionResourceId, status: 'available' });
    expectProductionUntouched(world);
    expect(world.sim.deleted().map((d) => d.resourceId)).toEqual([world.stagingResourceId]);
    const deletes = world.sim.mutatingCalls().filter((c) => c.command === 'DeleteDBInstance');
    expect(deletes.map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: IDS.old, SkipFinalSnapshot: true, DeleteAutomatedBackups: deleted },
    ]);
    // The old instance's automated backups, by its resource id: gone with it, or kept.
    const backups = world.sim
      .snapshots()
      .filter((s) => s.snapshotType === 'automated' && s.dbiResourceId === world.stagingResourceId);
    expect(backups.map((s) => s.identifier)).toEqual(deleted ? [] : [OLD_BACKUP]);
    // Production's are never touched.
    expect(world.sim.snapshots().map((s) => s.identifier)).toContain(world.newestSnapshot);

    expect(kinds(slack)).toEqual([
      'Staging database outage starting',
      'Staging database outage over',
      'Staging database restore succeeded',
    ]);
    expect(slack.texts()[2]).toContain(`• Old staging instance \`${IDS.old}\`: deleted (${text})\n`);
    expect(result.output).toMatchObject({
      outcome: 'succeeded',
      afterSwap: { delete: { ok: true, identifier: IDS.old, deleteAutomatedBackups: deleted } },
    });
  });

  it('a dry run plans the delete with what it will do with the automated backups', async () => {
    const world = await createWorld({ data: false });

    const result = await run(world, {
      input: { dryRun: true },
      config: { deleteOld: { deleteAutomatedBackups: true } },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesEntered.at(-1)).toBe(STATE.dryRunFinished);
    expect(world.sim.mutatingCalls()).toEqual([]);
    expect(holders(world.sim)).toEqual({
      staging: { resourceId: world.stagingResourceId, status: 'available' },
      temporary: undefined,
      old: undefined,
      production: { resourceId: world.productionResourceId, status: 'available' },
    });
    expect(result.output).toMatchObject({
      outcome: 'dry-run',
      plan: { afterSwap: { deleteOld: IDS.old, deleteAutomatedBackups: true } },
    });
    expect(kinds(slack)).toEqual(['Staging database restore dry run: nothing was changed']);
    expect(slack.texts()[0]).toContain(`Then: delete \`${IDS.old}\` (automated backups deleted too), `);
  });
});
