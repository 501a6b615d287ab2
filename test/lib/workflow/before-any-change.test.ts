import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DEFAULT_CONFIG } from '../../../lib/config';
import { STATE } from '../../../lib/workflow';
import { CREATED_BY_TAG } from '../../../lambdas/shared/contract';
import type { RunResult } from '../../../offline/harness';
import { createWorld, IDS, type World } from '../../../offline/world';
import { BAD_INPUTS } from '../../lambdas/bad-inputs';
import { expectProductionUntouched, expectStagingUntouched, holders, kinds, useServices } from './support';

/**
 * Everything the workflow checks before it changes anything (issue: safety under every failure): the
 * execution input, the run lock, other users of staging, what an earlier failed run left, and the dry run.
 * "Nothing changed" is asserted on every side effect the workflow has: RDS mutations (the simulator records
 * every call), SSM writes, the GitHub dispatch and the ingestion server's tasks.
 */
const REINDEX = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingReindex';
/** The error message of a failed run (Step Functions' Cause is the Lambda's JSON error). */
const causeOf = (result: RunResult): string =>
  (JSON.parse(result.cause ?? '{}') as { errorMessage?: string }).errorMessage ?? '';
/** What a run that stopped mid-swap leaves: staging renamed to the old name, settled there. */
async function leaveStagingUnderOldName(world: World): Promise<void> {
  await world.sim.client().send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: IDS.staging,
      NewDBInstanceIdentifier: IDS.old,
      ApplyImmediately: true,
    }),
  );
  world.sim.advance(3600);
  await world.sim.settle();
}

const minutes = (world: World, n: number) => new Date(world.sim.clock.now().getTime() + n * 60_000);

describe('workflow: before any change', () => {
  const { slack, github, ingestion, run } = useServices();

  /** The parameter store before the run, to compare after it. */
  function parameterStore(): Map<string, string> {
    return new Map([[DEFAULT_CONFIG.lastRestoreParameterName, '{"at":"2026-11-01T00:30:00.000Z"}']]);
  }

  function expectNothingChanged(world: World, parameters: Map<string, string>, result: RunResult): void {
    expect(world.sim.mutatingCalls()).toEqual([]);
    expect(parameters.get(DEFAULT_CONFIG.lastRestoreParameterName)).toBe('{"at":"2026-11-01T00:30:00.000Z"}');
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(ingestion.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(result.statesEntered).not.toContain(STATE.restore);
    expectProductionUntouched(world);
  }

  describe('execution input', () => {
    // A `null` input: aws-local-stepfunctions cannot pass `$` on when it is null (a States.Runtime error in its
    // first state, so still nothing changes); AWS passes it to the validation, as the unit test covers.
    const inputs = BAD_INPUTS.filter(([, input]) => input !== null);

    it(`ends the run in its first state for each of ${inputs.length} bad inputs, naming the field, changing nothing`, async () => {
      const outcomes: { what: string; status: string; error?: string; says: boolean; states: string[] }[] = [];
      for (const [what, input, says] of inputs) {
        const world = await createWorld({ data: false });
        const parameters = parameterStore();
        slack.messages.length = 0;

        const result = await run(world, { input: input as never, parameters });

        expectNothingChanged(world, parameters, result);
        expectStagingUntouched(world);
        outcomes.push({
          what,
          status: result.status,
          error: result.error,
          says: causeOf(result).includes(says) && (slack.texts()[0] ?? '').includes(says),
          states: result.statesEntered,
        });
      }

      expect(outcomes.length).toBeGreaterThanOrEqual(20);
      for (const o of outcomes) {
        expect(o).toEqual({
          what: o.what,
          status: 'FAILED',
          error: 'InvalidInput',
          says: true,
          states: [STATE.validateInput, STATE.notifyInvalidInput, STATE.invalidInput],
        });
      }
    });

    it("a chosen snapshot that is not production's ends the run naming snapshotIdentifier, changing nothing", async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();

      const result = await run(world, { input: { snapshotIdentifier: `rds:${IDS.staging}-latest` }, parameters });

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InvalidInput');
      expect(causeOf(result)).toContain('snapshotIdentifier');
      expect(causeOf(result)).toContain(`is a snapshot of ${IDS.staging}, not of production`);
      expectNothingChanged(world, parameters, result);
      expect(slack.texts()[0]).toContain('snapshotIdentifier');
    });

    it('a chosen snapshot that does not exist ends the run the same way', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();

      const result = await run(world, {
        input: { snapshotIdentifier: 'rds:prod-openverse-db-1999-01-01-00-00' },
        parameters,
      });

      expect(result.status).toBe('FAILED');
      expect(causeOf(result)).toContain('no snapshot "rds:prod-openverse-db-1999-01-01-00-00" exists');
      expectNothingChanged(world, parameters, result);
    });

    it('restores a chosen older production snapshot, and skipPostSteps skips the deploy and the index update', async () => {
      const world = await createWorld();
      const older = world.sim
        .snapshots()
        .filter((s) => s.instanceIdentifier === IDS.production && s.snapshotType === 'automated')
        .sort((a, b) => a.createTime.getTime() - b.createTime.getTime())[0]!.identifier;

      const result = await run(world, { input: { snapshotIdentifier: older, skipPostSteps: true } });

      expect(result.status).toBe('SUCCEEDED');
      expect(older).not.toBe(world.newestSnapshot);
      const restores = world.sim.mutatingCalls().filter((c) => c.command === 'RestoreDBInstanceFromDBSnapshot');
      expect(restores.map((c) => c.input.DBSnapshotIdentifier)).toEqual([older]);
      expect(result.statesEntered).toEqual(expect.arrayContaining([STATE.deploySkipped, STATE.indexSkipped]));
      expect(result.statesEntered).not.toContain(STATE.dispatchDeploy);
      expect(github.requests).toEqual([]);
      expect(ingestion.requests).toEqual([]);
      expect(slack.texts()[2]).toContain('Staging API deploy: skipped (execution input skipPostSteps)');
      expect(slack.texts()[2]).toContain(`Snapshot: \`${older}\``);
      expect(holders(world.sim).staging?.resourceId).not.toBe(world.stagingResourceId);
    });
  });

  describe('run lock', () => {
    it('a second execution while one is running ends at once, as skipped, and says so', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();
      const first = { name: 'monthly-2026-12', startDate: new Date('2026-11-30T23:59:00Z') };

      const result = await run(world, { otherExecutions: [first], parameters });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({
        outcome: 'skipped',
        reason: 'another-restore-running',
        runs: { restores: [{ name: 'monthly-2026-12', stateMachine: 'StagingDbRestore' }] },
      });
      expect(result.statesEntered.at(-1)).toBe(STATE.alreadyRunning);
      expectNothingChanged(world, parameters, result);
      expect(kinds(slack)).toEqual(['Staging database restore not started: another restore is running']);
      expect(slack.texts()[0]).toContain('`monthly-2026-12` of StagingDbRestore, started 2026-11-30T23:59:00.000Z');
    });

    it('an earlier dry run, or an execution that already ended, holds no lock', async () => {
      const world = await createWorld({ data: false });
      const others = [
        { name: 'just-looking', startDate: new Date('2026-11-30T23:00:00Z'), input: { dryRun: true } },
        { name: 'ended', startDate: new Date('2026-11-30T22:00:00Z'), endsAt: new Date('2026-11-30T23:00:00Z') },
        { name: 'started-later', startDate: new Date('2026-12-01T00:00:30Z') },
      ];

      const result = await run(world, { otherExecutions: others, input: { dryRun: true } });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({ outcome: 'dry-run' });
    });

    it('waits for another user of staging to finish before changing anything', async () => {
      const world = await createWorld();
      const reindexEnds = minutes(world, 20);
      const config = { concurrency: { otherStateMachineArns: [REINDEX] } };
      const reindex = {
        stateMachineArn: REINDEX,
        name: 'reindex-1',
        startDate: minutes(world, -60),
        endsAt: reindexEnds,
      };

      const result = await run(world, { config, otherExecutions: [reindex] });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.statesEntered.filter((s) => s === STATE.waitOtherRuns).length).toBe(4);
      const firstChange = world.sim.mutatingCalls()[0]!;
      expect(firstChange.at.getTime()).toBeGreaterThanOrEqual(reindexEnds.getTime());
    });

    it('with whenOthersRun "skip", ends skipped while another user of staging runs', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();
      const config = { concurrency: { otherStateMachineArns: [REINDEX], whenOthersRun: 'skip' } };
      const reindex = { stateMachineArn: REINDEX, name: 'reindex-1', startDate: minutes(world, -60) };

      const result = await run(world, { config, otherExecutions: [reindex], parameters });

      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({ outcome: 'skipped', reason: 'staging-in-use' });
      expect(result.statesEntered.at(-1)).toBe(STATE.othersBusy);
      expectNothingChanged(world, parameters, result);
      expect(slack.texts()[0]).toContain('staging is in use* by `reindex-1` of StagingReindex');
    });

    it('gives up waiting after waits.otherRuns, changing nothing', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();
      const config = {
        concurrency: { otherStateMachineArns: [REINDEX] },
        waits: { otherRuns: { maxMinutes: 30, pollSeconds: 600 } },
      };
      const reindex = { stateMachineArn: REINDEX, name: 'reindex-1', startDate: minutes(world, -60) };

      const result = await run(world, { config, otherExecutions: [reindex], parameters });

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('WaitTimedOut');
      expect(result.statesEntered).not.toContain(STATE.rollback);
      expectNothingChanged(world, parameters, result);
      expect(slack.texts()[0]).toContain('failed* in state "Check for other runs"');
      expect(slack.texts()[0]).toContain('No rollback needed');
    });
  });

  describe('leftovers of an earlier failed run', () => {
    it('deletes the copy this tool left under the temporary name, then restores as usual and reports it', async () => {
      const world = await createWorld();
      const left = world.sim.addInstance({
        identifier: IDS.temporary,
        tags: [{ Key: CREATED_BY_TAG, Value: 'monthly-2026-11' }],
      });

      const result = await run(world);

      expect(result.status).toBe('SUCCEEDED');
      const deletes = world.sim.mutatingCalls().filter((c) => c.command === 'DeleteDBInstance');
      expect(deletes[0]!.input.DBInstanceIdentifier).toBe(IDS.temporary);
      const restore = world.sim.mutatingCalls().find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
      expect(restore.at.getTime()).toBeGreaterThan(deletes[0]!.at.getTime());
      expect(world.sim.deleted().map((d) => d.resourceId)).toContain(left.resourceId);
      expect(holders(world.sim).temporary).toBeUndefined();
      expect(slack.texts()[2]).toContain(
        `Cleaned up after an earlier run first: Deleted ${IDS.temporary} (${left.resourceId}), left by execution monthly-2026-11`,
      );
    });

    it('an instance under the temporary name that this tool did not create stops the run with instructions', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();
      const foreign = world.sim.addInstance({ identifier: IDS.temporary, tags: [{ Key: 'team', Value: 'search' }] });

      const result = await run(world, { parameters });

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('LeftoversFound');
      expectNothingChanged(world, parameters, result);
      expect(holders(world.sim).temporary?.resourceId).toBe(foreign.resourceId);
      expect(slack.texts()[0]).toContain('was not created by staging-db-restore');
      expect(slack.texts()[0]).toContain('aws rds delete-db-instance --db-instance-identifier dev-next-openverse-db');
    });

    it('staging left under the old name: gets its name back, then the restore runs, and the report says so', async () => {
      const world = await createWorld();
      await leaveStagingUnderOldName(world);
      expect(holders(world.sim).old?.resourceId).toBe(world.stagingResourceId);
      const before = world.sim.mutatingCalls().length;

      const result = await run(world);

      expect(result.status).toBe('SUCCEEDED');
      const first = world.sim.mutatingCalls()[before]!;
      expect(first).toMatchObject({
        command: 'ModifyDBInstance',
        input: { DBInstanceIdentifier: IDS.old, NewDBInstanceIdentifier: IDS.staging },
      });
      expect(holders(world.sim).staging?.resourceId).not.toBe(world.stagingResourceId);
      expect(holders(world.sim).old).toBeUndefined();
      expect(slack.texts()[2]).toContain(
        `Cleaned up after an earlier run first: Renamed ${IDS.old} back to ${IDS.staging}`,
      );
    });

    it('staging and old both present: stops with instructions, changing nothing', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();
      world.sim.addInstance({ identifier: IDS.old });

      const result = await run(world, { parameters });

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('LeftoversFound');
      expectNothingChanged(world, parameters, result);
      expect(slack.texts()[0]).toContain(`Both ${IDS.staging}`);
      expect(slack.texts()[0]).toContain('--skip-final-snapshot --no-delete-automated-backups');
    });
  });

  describe('dry run', () => {
    it('does every read-only check and ends with the plan, in the output and in Slack, changing nothing', async () => {
      const world = await createWorld({ data: false });
      const parameters = parameterStore();

      const result = await run(world, { input: { dryRun: true }, parameters });

      expect(result.status).toBe('SUCCEEDED');
      expectNothingChanged(world, parameters, result);
      expect(result.statesEntered).toEqual(
        expect.arrayContaining([STATE.checkRuns, STATE.clearLeftovers, STATE.findSnapshot, STATE.captureStaging]),
      );
      expect(result.statesEntered.at(-1)).toBe(STATE.dryRunFinished);
      expect(result.output).toMatchObject({
        outcome: 'dry-run',
        plan: {
          snapshot: { identifier: world.newestSnapshot, status: 'available' },
          staging: { identifier: IDS.staging, foundAs: IDS.staging, resourceId: world.stagingResourceId },
          leftovers: [],
          restoreTo: IDS.temporary,
          swap: { renameStagingTo: IDS.old, renameNewTo: IDS.staging },
          afterSwap: { deleteOld: IDS.old, deployApi: true, searchIndex: ['image', 'audio'], skipPostSteps: false },
        },
      });
      expect(kinds(slack)).toEqual(['Staging database restore dry run: nothing was changed']);
      const text = slack.texts()[0]!;
      expect(text).toContain(`1. Restore snapshot \`${world.newestSnapshot}\``);
      expect(text).toContain('3. Outage: rename `dev-openverse-db` to `dev-old-openverse-db`');
      expect(text).toContain('redeploy the staging API, update the image, audio indices');
    });

    it('reports what it would clean up and a snapshot still being created, without waiting or changing anything', async () => {
      const world = await createWorld({
        data: false,
        snapshots: (start) => [
          {
            identifier: `rds:${IDS.production}-2026-12-01-00-00`,
            instanceIdentifier: IDS.production,
            snapshotType: 'automated',
            createTime: start,
            status: 'creating',
          },
        ],
      });
      const parameters = parameterStore();
      world.sim.addInstance({ identifier: IDS.temporary, tags: [{ Key: CREATED_BY_TAG, Value: 'monthly-2026-11' }] });

      const result = await run(world, { input: { dryRun: true }, parameters });

      expect(result.status).toBe('SUCCEEDED');
      expectNothingChanged(world, parameters, result);
      expect(result.statesEntered).not.toContain(STATE.waitSnapshot);
      expect(result.output).toMatchObject({
        plan: { leftovers: [expect.stringContaining(`Deleted ${IDS.temporary}`)], snapshot: { status: 'creating' } },
      });
      expect(slack.texts()[0]).toContain('1. First clean up after an earlier run: Deleted dev-next-openverse-db');
      expect(slack.texts()[0]).toContain('(it is "creating" now: wait until it is available)');
    });

    it('with staging left under the old name, plans to rename it back and captures it there', async () => {
      const world = await createWorld({ data: false });
      await leaveStagingUnderOldName(world);
      const before = world.sim.mutatingCalls().length;

      const result = await run(world, { input: { dryRun: true } });

      expect(result.status).toBe('SUCCEEDED');
      expect(world.sim.mutatingCalls().length).toBe(before);
      expect(result.output).toMatchObject({
        plan: {
          staging: { foundAs: IDS.old, resourceId: world.stagingResourceId },
          leftovers: [expect.stringContaining(`Renamed ${IDS.old} back to ${IDS.staging}`)],
        },
      });
    });
  });
});
