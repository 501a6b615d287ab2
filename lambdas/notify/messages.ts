import type { NotifyInput } from '../shared/contract';
import { describeNames, type Names } from '../shared/names';

/**
 * The Slack texts, one per event (plan steps 1, 8, 13). Plain and testable: no secret ever reaches here,
 * only identifiers, times and error texts.
 */
export interface MessageContext {
  now: Date;
  skipParameterName: string;
  stagingInstance: string;
  oldInstance: string;
  temporaryInstance: string;
}

export function buildMessage(input: NotifyInput, ctx: MessageContext): string {
  const d = input.details;
  const link = executionLink(input.execution.id);
  const footer = `Execution <${link}|${input.execution.name}>`;
  switch (input.event) {
    case 'invalid-input':
      return (
        `:no_entry: *Staging database restore not started: invalid execution input.* ${failureText(d.error, d.cause)}. ` +
        'Allowed: `{"dryRun": true}`, `{"snapshotIdentifier": "<production snapshot>"}`, `{"skipPostSteps": true}`. ' +
        `Nothing was read or changed.\n${footer}`
      );
    case 'already-running':
      return (
        `:hourglass: *Staging database restore not started: another restore is running* (${runs(d.restores)}). ` +
        `Nothing was changed.\n${footer}`
      );
    case 'others-busy':
      return (
        `:hourglass: *Staging database restore skipped: staging is in use* by ${runs(d.others)}. Nothing was ` +
        `changed; start the restore again when they are done.\n${footer}`
      );
    case 'dry-run':
      return [
        `:mag: *Staging database restore dry run: nothing was changed.* A real run now would:`,
        ...planLines(d, ctx),
        footer,
      ].join('\n');
    case 'skipped':
      return (
        `:fast_forward: *Staging database restore skipped.* The SSM parameter \`${ctx.skipParameterName}\` is \`true\`. ` +
        `Set it to \`false\` to re-enable the monthly restore.\n${footer}`
      );
    case 'outage-starting':
      return (
        `:warning: *Staging database outage starting.* \`${ctx.stagingInstance}\` is being swapped for a fresh copy of ` +
        `production (snapshot \`${str(d.snapshot)}\`). The staging API will be unavailable for a few minutes.\n${footer}`
      );
    case 'outage-over':
      return (
        `:white_check_mark: *Staging database outage over* after ${duration(d.outageStartedAt, d.outageEndedAt ?? ctx.now)}. ` +
        `\`${ctx.stagingInstance}\` now serves production data from snapshot \`${str(d.snapshot)}\`.\n${footer}`
      );
    case 'succeeded':
      return [
        `:tada: *Staging database restore succeeded.*`,
        ...leftoverLines(d),
        ...summaryLines(d, ctx),
        footer,
      ].join('\n');
    case 'after-swap-failed':
      return [
        `:warning: *Staging database was refreshed, but a step after the swap failed.* Staging serves the new ` +
          `data (nothing was undone); finish the failed step by hand:`,
        ...leftoverLines(d),
        ...summaryLines(d, ctx),
        ...afterSwapFixes(d, ctx),
        footer,
      ].join('\n');
    case 'failed':
      return failedMessage(input, ctx, footer);
  }
}

/** "name (state machine, started at)" for each running execution. */
function runs(list: unknown): string {
  const items = Array.isArray(list) ? (list as { stateMachine?: unknown; name?: unknown; startedAt?: unknown }[]) : [];
  if (!items.length) return 'an unknown execution';
  return items.map((r) => `\`${str(r.name)}\` of ${str(r.stateMachine)}, started ${str(r.startedAt)}`).join('; ');
}

/** What this run changed before it started, to clear what an earlier run had left. */
function leftoverLines(d: Record<string, unknown>): string[] {
  const actions = (filled(d.leftovers) as { actions?: string[] } | null)?.actions ?? [];
  return actions.length ? [`• Cleaned up after an earlier run first: ${actions.join('; ')}`] : [];
}

interface Plan {
  snapshot?: { identifier?: string; status?: string; createdAt?: string };
  staging?: {
    foundAs?: string;
    resourceId?: string;
    status?: string;
    configuration?: { DBInstanceClass?: string };
    settings?: Record<string, unknown>;
    notMirrored?: { attribute?: string; why?: string }[];
  };
  leftovers?: string[];
  otherRuns?: unknown[];
  restoreTo?: string;
  sanitize?: { tables?: string[]; resetMasterPassword?: boolean };
  swap?: { renameStagingTo?: string; renameNewTo?: string };
  afterSwap?: {
    deleteOld?: string;
    deleteAutomatedBackups?: boolean;
    deployApi?: boolean;
    searchIndex?: string[];
    skipPostSteps?: boolean;
  };
}

/** The dry run's plan as numbered steps. */
function planLines(d: Record<string, unknown>, ctx: MessageContext): string[] {
  const p = (filled(d.plan) ?? {}) as Plan;
  const steps: string[] = [];
  for (const l of p.leftovers ?? []) steps.push(`First clean up after an earlier run: ${l}`);
  if (p.otherRuns?.length) steps.push(`Note: other users of staging are running now: ${runs(p.otherRuns)}`);
  const snap = p.snapshot ?? {};
  const waitFor = snap.status === 'available' ? '' : ` (it is "${str(snap.status)}" now: wait until it is available)`;
  const stagingStatus = p.staging?.status;
  if (stagingStatus && stagingStatus !== 'available')
    steps.push(`Wait for staging: it is "${stagingStatus}" now (bounded by waits.stagingReady)`);
  steps.push(
    `Restore snapshot \`${str(snap.identifier)}\` (${taken(snap.createdAt, ctx.now)}) to ` +
      `\`${str(p.restoreTo)}\`, configured like staging (${str(p.staging?.configuration?.DBInstanceClass)}, resource ` +
      `${str(p.staging?.resourceId)})${waitFor}`,
  );
  const s = p.sanitize ?? {};
  steps.push(
    `${s.resetMasterPassword ? "Give it staging's master password, then empty" : 'Empty'} ${(s.tables ?? []).length} OAuth tables before the swap`,
  );
  steps.push(
    `Outage: rename \`${ctx.stagingInstance}\` to \`${str(p.swap?.renameStagingTo)}\`, then the new one to \`${str(p.swap?.renameNewTo)}\``,
  );
  const settings = Object.entries(p.staging?.settings ?? {}).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  if (settings.length) steps.push(`After the swap, give it staging's own settings: ${settings.join(', ')}`);
  for (const n of p.staging?.notMirrored ?? []) {
    steps.push(`Not carried over: \`${str(n.attribute)}\` (${str(n.why)})`);
  }
  const a = p.afterSwap ?? {};
  const post: string[] = [`delete \`${str(a.deleteOld)}\` (${backups(a.deleteAutomatedBackups)})`];
  if (a.skipPostSteps) post.push('no API deploy or index update (skipPostSteps)');
  else {
    post.push(a.deployApi ? 'redeploy the staging API' : 'no API deploy (disabled in config)');
    post.push(
      a.searchIndex?.length ? `update the ${a.searchIndex.join(', ')} indices` : 'no index update (disabled in config)',
    );
  }
  steps.push(`Then: ${post.join(', ')}, record the restore`);
  return steps.map((line, i) => `${i + 1}. ${line}`);
}

interface BranchOutcome {
  ok?: boolean;
  /** The state that failed (a failed branch). */
  state?: unknown;
  skipped?: boolean;
  skippedBy?: string;
  error?: unknown;
  cause?: unknown;
  tag?: unknown;
  runUrl?: unknown;
  /** The delete branch: whether the old instance's automated backups were deleted with it. */
  deleteAutomatedBackups?: unknown;
  sinceDate?: unknown;
  tasks?: { mediaType?: string; status?: string; index?: string; reason?: string }[];
}

function branches(d: Record<string, unknown>): Record<string, BranchOutcome> {
  return (filled(d.afterSwap) ?? {}) as Record<string, BranchOutcome>;
}

/** What the run did: snapshot and age, outage, OAuth rows removed, deploy, indices, old instance. */
function summaryLines(d: Record<string, unknown>, ctx: MessageContext): string[] {
  const b = branches(d);
  const removed = (filled(d.sanitize) as { removed?: Record<string, number> } | null)?.removed;
  const lines = [
    `• Snapshot: \`${str(d.snapshot)}\` (${taken(d.snapshotCreatedAt, ctx.now)})`,
    `• Outage: ${duration(d.outageStartedAt, d.outageEndedAt)}`,
  ];
  if (removed) {
    const total = Object.values(removed).reduce((a, n) => a + n, 0);
    const each = Object.entries(removed)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    lines.push(`• Production OAuth data removed before the swap: ${total} rows (${each})`);
  }
  const outcome = (o: BranchOutcome | undefined, ok: string) =>
    !o
      ? 'unknown'
      : o.skipped
        ? o.skippedBy === 'input'
          ? 'skipped (execution input skipPostSteps)'
          : 'disabled in config'
        : o.ok
          ? ok
          : `:x: failed: ${failureText(o.error, o.cause)}${typeof o.state === 'string' ? ` (in state "${o.state}")` : ''}`;
  lines.push(
    `• Staging API deploy: ${outcome(b.deploy, `tag \`${str(b.deploy?.tag)}\` deployed (<${str(b.deploy?.runUrl)}|run>)`)}`,
  );
  const indexOk = (b.index?.tasks ?? [])
    .map(
      (t) =>
        `${str(t.mediaType)} ${t.status === 'skipped' ? `skipped (${str(t.reason)})` : `updated (${str(t.index)})`}`,
    )
    .join(', ');
  const since = typeof b.index?.sinceDate === 'string' ? ` since ${b.index.sinceDate}` : '';
  lines.push(`• Search indices${since}: ${outcome(b.index, indexOk || 'none')}`);
  const deleted = `deleted (${backups(b.delete?.deleteAutomatedBackups)})`;
  lines.push(`• Old staging instance \`${ctx.oldInstance}\`: ${outcome(b.delete, deleted)}`);
  if (b.record && !b.record.ok) lines.push(`• Recording this restore: ${outcome(b.record, '')}`);
  lines.push(...settingsLines(b.settings, outcome));
  return lines;
}

interface SettingsOutcome extends BranchOutcome {
  applied?: string[];
  drift?: { attribute?: string; staging?: unknown; now?: unknown; why?: string }[];
}

/** Staging's settings on the new staging, and every attribute that is not as it was, with the reason. */
function settingsLines(
  o: SettingsOutcome | undefined,
  outcome: (o: BranchOutcome | undefined, ok: string) => string,
): string[] {
  if (!o) return [];
  const applied = o.applied?.length ? `re-applied ${o.applied.join(', ')}` : 'nothing to re-apply';
  const drift = o.drift ?? [];
  const lines = [
    `• Staging's settings: ${outcome(o, drift.length ? `${applied}; ${drift.length} not as before:` : `${applied}; every attribute as before`)}`,
  ];
  for (const d of drift) {
    lines.push(`    ◦ \`${str(d.attribute)}\`: was ${shown(d.staging)}, now ${shown(d.now)} (${str(d.why)})`);
  }
  return lines;
}

function shown(v: unknown): string {
  return v === null || v === undefined ? 'unset' : `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
}

/** For each failed step after the swap, what to run by hand. */
function afterSwapFixes(d: Record<string, unknown>, ctx: MessageContext): string[] {
  const b = branches(d);
  const h = (filled(d.hints) ?? {}) as {
    deployWorkflow?: string;
    repo?: string;
    ingestionServerUrl?: string;
    lastRestoreParameter?: string;
    deleteAutomatedBackups?: boolean;
  };
  const fixes: string[] = [];
  if (b.delete && !b.delete.ok) {
    const flag = h.deleteAutomatedBackups === true ? '--delete-automated-backups' : '--no-delete-automated-backups';
    fixes.push(
      'Delete the old instance once you no longer need it: ```aws rds delete-db-instance --db-instance-identifier ' +
        `${ctx.oldInstance} --skip-final-snapshot ${flag}\`\`\``,
    );
  }
  if (b.deploy && !b.deploy.ok) {
    fixes.push(
      `Redeploy the staging API: run the \`${str(h.deployWorkflow)}\` workflow of \`${str(h.repo)}\` with the newest release tag ` +
        `(\`gh workflow run ${str(h.deployWorkflow)} --repo ${str(h.repo)} -f tag=<tag>\`).`,
    );
  }
  if (b.index && !b.index.ok) {
    fixes.push(
      `Update the search indices: for each media type, \`POST ${str(h.ingestionServerUrl)}/task\` with ` +
        '`{"model": "<media type>", "action": "UPDATE_INDEX", "index_suffix": "<suffix>", "since_date": "<date>"}`.',
    );
  }
  if (b.settings && !b.settings.ok) {
    const wanted = Object.entries((filled(d.stagingSettings) ?? {}) as Record<string, unknown>)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    fixes.push(
      `Give the new staging staging's own settings (ModifyDBInstance, applied immediately): ${wanted}. Then compare ` +
        `it with the old one before that is deleted.`,
    );
  }
  if (b.record && !b.record.ok) {
    fixes.push(
      `Record the restore so the next index update starts from today: \`aws ssm put-parameter --overwrite --type String ` +
        `--name ${str(h.lastRestoreParameter)} --value '{"at": "${ctx.now.toISOString()}"}'\`.`,
    );
  }
  return fixes;
}

function failedMessage(input: NotifyInput, ctx: MessageContext, footer: string): string {
  const d = input.details;
  // Empty slots arrive as {} (see EMPTY_SLOT in the contract).
  const rollback = filled(d.rollback) as {
    actions?: string[];
    stagingHolds?: string;
    leftovers?: string[];
    names?: Names;
  } | null;
  const rollbackError = filled(d.rollbackError) as { Error?: unknown; Cause?: unknown } | null;
  const ids = { staging: ctx.stagingInstance, temporary: ctx.temporaryInstance, old: ctx.oldInstance };
  const lines = [
    `:x: *Staging database restore failed* in state "${str(d.failedState)}": ${failureText(d.error, d.cause)}`,
    ...leftoverLines(d),
  ];
  // Whether the swap's first rename was ever asked for: if not, staging was never renamed by this run.
  const notRenamed =
    d.outageStarted === false
      ? `The outage had not started: this run never renamed \`${ctx.stagingInstance}\`.`
      : undefined;
  if (rollbackError) {
    const where = typeof d.rollbackState === 'string' ? ` in state "${d.rollbackState}"` : '';
    const cause = failureText(rollbackError.Error, rollbackError.Cause);
    lines.push(`:rotating_light: *The rollback failed too*${where}: ${cause}`);
    // A RollbackStuck says where everything is and what is left to do; any other error cannot: then say what
    // the rollback saw last, and that it may have changed since.
    if (!cause.includes(' Now: ') && rollback?.names) {
      lines.push(`When the rollback last looked: ${describeNames(rollback.names, ids)}. It may have moved on since.`);
    }
    if (notRenamed) lines.push(notRenamed);
    lines.push(
      `Check who holds \`${ctx.stagingInstance}\`, \`${ctx.oldInstance}\` and \`${ctx.temporaryInstance}\` before acting ` +
        `(\`aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,DbiResourceId]"\`); ` +
        `the runbook's "The rollback failed" section says what to do in each case.`,
    );
    if (rollback?.actions?.length) lines.push(`Rollback steps taken before it failed: ${rollback.actions.join('; ')}.`);
  } else if (rollback) {
    const staging = rollback.names?.staging;
    const busy = staging?.status && staging.status !== 'available' ? ` It is "${staging.status}" now.` : '';
    const holds =
      rollback.stagingHolds === 'original'
        ? `\`${ctx.stagingInstance}\` is the original staging instance, unchanged data.${busy}`
        : rollback.names
          ? `Now: ${describeNames(rollback.names, ids)}.`
          : `\`${ctx.stagingInstance}\` is in state "${str(rollback.stagingHolds)}".`;
    lines.push(`Rollback: ${rollback.actions?.length ? rollback.actions.join('; ') : 'nothing to undo'}. ${holds}`);
    if (notRenamed) lines.push(notRenamed);
    if (rollback.leftovers?.length)
      lines.push(`Left in place (not created by this run): ${rollback.leftovers.join(', ')}.`);
  } else {
    const untouched = leftoverLines(d).length ? '' : ` \`${ctx.stagingInstance}\` was not touched.`;
    lines.push(`No rollback needed: the run stopped before creating anything.${untouched}`);
  }
  lines.push(footer);
  return lines.join('\n');
}

/** A Step Functions Cause is often Lambda's JSON ({errorType, errorMessage, trace}); show the message. */
export function failureText(error: unknown, cause: unknown): string {
  let text = typeof cause === 'string' ? cause : '';
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // not JSON: keep as is
  }
  const full = text ? `${str(error)}: ${text}` : str(error);
  return full.length > 1500 ? `${full.slice(0, 1500)}…` : full;
}

export function duration(from: unknown, to: unknown): string {
  const start = typeof from === 'string' ? Date.parse(from) : NaN;
  const end = to instanceof Date ? to.getTime() : typeof to === 'string' ? Date.parse(to) : NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return 'an unknown time';
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

/**
 * "taken <time>, <age> old". RDS gives a snapshot no creation time while it is being created (docs/aws-facts.md):
 * the workflow reads it again once the snapshot is available, so only a dry run should find it missing.
 */
function taken(createdAt: unknown, now: Date): string {
  const start = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN;
  if (!Number.isFinite(start)) return 'no creation time yet';
  const hours = Math.max(0, (now.getTime() - start) / 3_600_000);
  const age = hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
  return `taken ${String(createdAt)}, ${age} old`;
}

/** What the old instance's delete does with its automated backups (config `deleteOld.deleteAutomatedBackups`). */
function backups(deleteAutomatedBackups: unknown): string {
  return deleteAutomatedBackups === true ? 'automated backups deleted too' : 'automated backups kept';
}

function filled(v: unknown): object | null {
  return v && typeof v === 'object' && Object.keys(v).length > 0 ? v : null;
}

function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : 'unknown';
}

/** Console link of an execution ARN: arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME. */
export function executionLink(executionArn: string): string {
  const region = executionArn.split(':')[3] || 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
