#!/usr/bin/env node
/**
 * The local rehearsal: runs the synthesized state machine end to end through the offline harness, against
 * the RDS simulator seeded with production (and a month of snapshots) and staging, with Slack on a local
 * server. Time is virtual: a four-hour run takes a few seconds.
 *
 *   npm run rehearse                          the monthly run, as scheduled
 *   npm run rehearse -- --skip                with the skip flag set to true
 *   npm run rehearse -- --fault "Rename new database to staging"
 *                                             that state fails (any Task state; --list-states shows them)
 *   npm run rehearse -- --timeline out.svg    where to write the run's timeline picture
 *                                             (default artifacts/rehearsal-timeline.svg)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fromHarnessLog } from '../cli/timeline/events';
import { buildTimeline, duration, renderTimelineSvg } from '../cli/timeline/render';
import { STATE } from '../lib/workflow';
import type { PollResult } from '../lambdas/shared/contract';
import { DEFAULT_CONFIG } from '../lib/config';
import { runWorkflow, synthesizeWorkflow, type HarnessEvent } from '../offline/harness';
import { startOfflineServices } from '../offline/services';
import { createWorld, IDS, stopWorlds, type World } from '../offline/world';

const OAUTH_TABLES = DEFAULT_CONFIG.sanitize.truncateTables;

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const USAGE = `Usage: npm run rehearse -- [--skip] [--fault "<Task state name>"] [--timeline <file.svg>] [--list-states] [--help]`;
const DEFAULT_TIMELINE = path.join(__dirname, '..', 'artifacts', 'rehearsal-timeline.svg');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      skip: { type: 'boolean', default: false },
      fault: { type: 'string' },
      timeline: { type: 'string' },
      'list-states': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const workflow = synthesizeWorkflow();
  const taskStates = [...workflow.tasks.keys()];
  if (values['list-states']) {
    console.log(`Task states (for --fault):\n${taskStates.map((s) => `  ${s}`).join('\n')}`);
    return 0;
  }
  if (values.fault && !workflow.tasks.has(values.fault)) {
    console.error(
      `--fault: "${values.fault}" is not a Task state of the workflow. Task states:\n  ${taskStates.join('\n  ')}`,
    );
    return 2;
  }

  console.log('Starting the offline world (RDS simulator, real PostgreSQL servers, Slack/GitHub/ingestion doubles)...');
  const world = await createWorld();
  const start = world.sim.clock.now();
  const clock = (at: Date) => {
    const s = Math.round((at.getTime() - start.getTime()) / 1000);
    return `+${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const services = await startOfflineServices({
    onSlackMessage: (m) =>
      console.log(`${clock(world.sim.clock.now())}   Slack │ ${m.text.split('\n').join('\n' + ' '.repeat(19) + '│ ')}`),
  });
  const { slack } = services;

  console.log(`Rehearsal: virtual start ${start.toISOString()}`);
  console.log(
    `  production ${IDS.production} (${world.productionResourceId}), staging ${IDS.staging} (${world.stagingResourceId})`,
  );
  console.log(`  newest automated production snapshot: ${world.newestSnapshot}`);
  const before = await dataSummary(world, world.stagingResourceId);
  console.log(`  staging's data now: ${before}`);
  if (values.skip) console.log('  skip flag: true');
  if (values.fault) console.log(`  injected fault: "${values.fault}" fails`);
  console.log('');

  let lastFailed: string | undefined;
  const printer = (event: HarnessEvent) => {
    const t = clock(event.at);
    if (event.type === 'StateExited' && event.state === lastFailed) return; // caught: the failure was printed
    lastFailed = event.type === 'StateFailed' ? event.state : undefined;
    if (event.type === 'StateEntered' && event.stateType === 'Wait') return;
    if (event.type === 'StateEntered' && event.stateType !== 'Choice' && event.stateType !== 'Task') {
      console.log(`${t}   ${event.state}`);
    } else if (event.type === 'StateExited' && event.stateType === 'Task') {
      const out = event.output as Record<string, unknown> | null;
      console.log(`${t}   ${event.state}${describe(event.state!, out)}`);
    } else if (event.type === 'StateFailed') {
      console.log(`${t}   ✗ ${event.state}: ${event.error}`);
    }
  };

  let result;
  try {
    result = await runWorkflow({
      ...services.runOptions(world),
      skipFlag: values.skip ? 'true' : 'false',
      executionName: 'rehearsal',
      taskFaults: values.fault ? { [values.fault]: { error: 'RehearsalFault', message: `Injected by --fault` } } : {},
      onEvent: printer,
    });
  } catch (err) {
    await Promise.all([services.stop(), stopWorlds()]);
    throw err;
  }
  const stagingNow = world.sim.instance(IDS.staging);
  const after =
    stagingNow && !stagingNow.hidden ? await dataSummary(world, stagingNow.resourceId) : '(no staging instance)';
  await Promise.all([services.stop(), stopWorlds()]);

  const outage = slack
    .texts()
    .map((t) => /outage over\* after ([^.]+)\./.exec(t)?.[1])
    .find(Boolean);
  console.log('\nSummary');
  console.log(
    `  outcome:   ${result.status === 'SUCCEEDED' ? (result.output as { outcome?: string })?.outcome : `FAILED (${result.error})`}`,
  );
  console.log(`  duration:  ${clock(result.endedAt)} (virtual), ${result.statesEntered.length} state transitions`);
  console.log(`  outage:    ${outage ?? 'none'}`);
  console.log(`  staging data before: ${before}`);
  console.log(`  staging data after:  ${after}`);
  console.log('  now:');
  for (const name of [IDS.production, IDS.staging, IDS.temporary, IDS.old]) {
    const db = world.sim.instance(name);
    const who =
      !db || db.hidden
        ? '(none)'
        : db.resourceId === world.stagingResourceId
          ? 'the original staging instance'
          : db.resourceId === world.productionResourceId
            ? 'production'
            : `new, restored from ${db.restoredFromSnapshot}`;
    console.log(
      `    ${name.padEnd(24)} ${db && !db.hidden ? `${db.status.padEnd(10)} ${db.resourceId}  ${who}` : who}`,
    );
  }
  const mutations = world.sim.mutatingCalls();
  console.log(
    `  RDS mutations: ${mutations.length} (${mutations.filter((c) => /prod/i.test(JSON.stringify(c.input)) && c.command !== 'RestoreDBInstanceFromDBSnapshot').length} touching production)`,
  );
  console.log(`  Slack messages: ${slack.messages.length}`);

  const timeline = buildTimeline(fromHarnessLog(result.events));
  const file = path.resolve(values.timeline ?? DEFAULT_TIMELINE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    renderTimelineSvg(timeline, {
      title: `Rehearsal${values.fault ? ` with "${values.fault}" failing` : values.skip ? ' with the skip flag on' : ''}`,
      subtitle: 'npm run rehearse: the synthesized state machine against the RDS simulator and real PostgreSQL',
      note:
        "Virtual time (the simulator's clock). Parallel branches after the swap share that clock, so their waits add up: " +
        'the after-swap phase looks longer than it would be. The outage window is before them and exact.',
    }),
  );
  console.log(
    `  timeline:  ${path.relative(process.cwd(), file) || file}` +
      (timeline.outage
        ? ` (outage window ${duration(timeline.outage.end.getTime() - timeline.outage.start.getTime())})`
        : ''),
  );
  return result.status === 'SUCCEEDED' || values.fault ? 0 : 1;
}

/** Which slot of `$.waits` each check state fills. */
const POLL_SLOT: Record<string, string> = {
  [STATE.checkSnapshot]: 'snapshot',
  [STATE.checkNew]: 'restore',
  [STATE.checkOld]: 'old',
  [STATE.checkStaging]: 'staging',
  [STATE.checkDeleted]: 'deleted',
};

/** Rows in the media tables, and in the OAuth tables, of the server behind an instance. */
async function dataSummary(world: World, resourceId: string): Promise<string> {
  const instance = world.sim.instanceByResourceId(resourceId);
  if (!instance || !world.dataPlane) return '(no data)';
  const client = await world.dataPlane.connect(instance);
  try {
    const count = async (table: string) =>
      Number((await client.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
    const image = await count('image');
    const audio = await count('audio');
    let oauth = 0;
    for (const t of OAUTH_TABLES) oauth += await count(t);
    const titles = (await client.query(`SELECT count(*)::int AS n FROM image WHERE title = 'staging-only'`)).rows[0].n;
    return `${image} images (${titles} staging-only), ${audio} audio, ${oauth} OAuth rows (${instance.resourceId})`;
  } finally {
    await client.end();
  }
}

function describe(state: string, out: Record<string, unknown> | null): string {
  if (!out) return '';
  const slot = POLL_SLOT[state];
  if (slot) {
    const poll = (out.waits as Record<string, PollResult> | undefined)?.[slot];
    if (!poll?.status) return '';
    const where = poll.seenAs && poll.seenAs !== poll.identifier ? ` (still as ${poll.seenAs})` : '';
    return `: ${poll.status}${where}${poll.done ? ' ✓' : ''}`;
  }
  if (state === STATE.findSnapshot)
    return `: ${(out.found as { snapshot?: { identifier?: string } })?.snapshot?.identifier ?? ''}`;
  if (state === STATE.rollback) return `: ${(out.rollback as { action?: string })?.action ?? ''}`;
  return '';
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
