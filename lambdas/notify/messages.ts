import type { NotifyInput } from '../shared/contract';

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
        `• Snapshot: \`${str(d.snapshot)}\` (taken ${str(d.snapshotCreatedAt)}, ${age(d.snapshotCreatedAt, ctx.now)} old)`,
        `• Outage: ${duration(d.outageStartedAt, d.outageEndedAt)}`,
        `• Old staging instance \`${ctx.oldInstance}\` deleted (automated backups kept).`,
        footer,
      ].join('\n');
    case 'swap-kept-cleanup-failed':
      return [
        `:warning: *Staging database was refreshed, but cleaning up failed.* Staging serves the new data; the old`,
        `instance \`${ctx.oldInstance}\` could not be deleted: ${failureText(d.error, d.cause)}`,
        `Delete it by hand once you no longer need it:`,
        '```aws rds delete-db-instance --db-instance-identifier ' +
          `${ctx.oldInstance} --skip-final-snapshot --no-delete-automated-backups` +
          '```',
        footer,
      ].join('\n');
    case 'failed':
      return failedMessage(input, ctx, footer);
  }
}

function failedMessage(input: NotifyInput, ctx: MessageContext, footer: string): string {
  const d = input.details;
  // Empty slots arrive as {} (see EMPTY_SLOT in the contract).
  const rollback = filled(d.rollback) as { actions?: string[]; stagingHolds?: string; leftovers?: string[] } | null;
  const rollbackError = filled(d.rollbackError) as { Error?: unknown; Cause?: unknown } | null;
  const lines = [
    `:x: *Staging database restore failed* in state "${str(d.failedState)}": ${failureText(d.error, d.cause)}`,
  ];
  if (rollbackError) {
    lines.push(
      `:rotating_light: *The rollback failed too*: ${failureText(rollbackError.Error, rollbackError.Cause)}`,
      `Check by hand which instance holds \`${ctx.stagingInstance}\`, \`${ctx.oldInstance}\` and \`${ctx.temporaryInstance}\` ` +
        `(\`aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,DbiResourceId]"\`) ` +
        `and rename the original staging instance back to \`${ctx.stagingInstance}\`.`,
    );
    if (rollback?.actions?.length) lines.push(`Rollback steps taken before it failed: ${rollback.actions.join('; ')}.`);
  } else if (rollback) {
    const holds =
      rollback.stagingHolds === 'original'
        ? `\`${ctx.stagingInstance}\` is the original staging instance, unchanged data.`
        : `\`${ctx.stagingInstance}\` is in state "${str(rollback.stagingHolds)}".`;
    lines.push(`Rollback: ${rollback.actions?.length ? rollback.actions.join('; ') : 'nothing to undo'}. ${holds}`);
    if (rollback.leftovers?.length)
      lines.push(`Left in place (not created by this run): ${rollback.leftovers.join(', ')}.`);
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

function age(from: unknown, now: Date): string {
  const start = typeof from === 'string' ? Date.parse(from) : NaN;
  if (!Number.isFinite(start)) return 'an unknown time';
  const hours = Math.max(0, (now.getTime() - start) / 3_600_000);
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
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
