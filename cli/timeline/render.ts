import { laneOf as workflowLaneOf, PHASES, type Lane, type Phase } from '../../lib/workflow/phases';
import { STATE } from '../../lib/workflow/states';
import type { StateType, TimelineEvent } from './events';

/**
 * The timeline picture of one execution: a self-contained SVG Gantt chart with one row per lane of each of
 * the plan's phases (lib/workflow/phases.ts), each state visit drawn as a bar (Task solid, Wait hatched,
 * Choice/Pass a tick), the outage window highlighted across all rows, failures marked where they happened.
 * Fed by the neutral events of ./events.ts, so the rehearsal, the bench and the CLI draw the same picture.
 */

export interface Span {
  state: string;
  stateType?: StateType;
  start: Date;
  end: Date;
  /** Never exited: the execution ended (or is still running) inside it. */
  open: boolean;
}

export interface LaneModel {
  id: string;
  label: string;
  spans: Span[];
}

export interface PhaseModel {
  id: string;
  label: string;
  lanes: LaneModel[];
  /** First entry to last exit of any of its states; absent when the run never reached it. */
  start?: Date;
  end?: Date;
}

export interface Failure {
  at: Date;
  state?: string;
  error?: string;
  cause?: string;
  /** Where it is drawn; absent for an execution-level failure with no state. */
  phase?: string;
  lane?: string;
  /** The state was exited afterwards (a Catch took it, or a retry succeeded): the run went on. */
  handled: boolean;
  /** The execution's own failure (drawn at its Fail state, if it ended in one). */
  execution?: true;
}

/**
 * The outage window: from "Rename staging to old" (staging starts moving away from its name) until the new
 * database is settled as staging ("Notify outage over" is entered, as the bench and the Slack message
 * measure it) or, after a failure mid-swap, until the rollback is done ("Notify failure"), or the end.
 */
export interface Outage {
  start: Date;
  end: Date;
  endedBy: 'settled' | 'rollback' | 'execution-end';
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT' | 'RUNNING';

export interface TimelineModel {
  start: Date;
  end: Date;
  status: ExecutionStatus;
  /** The execution's error, when it failed, was aborted or timed out. */
  error?: string;
  phases: PhaseModel[];
  failures: Failure[];
  outage?: Outage;
  /** States entered (what Step Functions bills as state transitions, near enough). */
  transitions: number;
}

export interface BuildOptions {
  phases?: readonly Phase[];
  laneOf?: (state: string) => { phase: Phase; lane: Lane } | undefined;
  /** End of a running execution's picture (default: its last event). */
  now?: Date;
}

const OTHER_PHASE = { id: 'other', label: 'Other states' };

export function outageWindow(events: readonly TimelineEvent[], end?: Date): Outage | undefined {
  const entered = (state: string, after: number) =>
    events.find((e) => e.kind === 'state-entered' && e.state === state && e.at.getTime() >= after);
  const start = entered(STATE.renameAway, -Infinity);
  if (!start) return undefined;
  const settled = entered(STATE.notifyOutageOver, start.at.getTime());
  if (settled) return { start: start.at, end: settled.at, endedBy: 'settled' };
  const rolledBack = entered(STATE.notifyFailure, start.at.getTime());
  if (rolledBack) return { start: start.at, end: rolledBack.at, endedBy: 'rollback' };
  const last = end ?? events[events.length - 1]!.at;
  return { start: start.at, end: last, endedBy: 'execution-end' };
}

export function buildTimeline(events: readonly TimelineEvent[], options: BuildOptions = {}): TimelineModel {
  if (events.length === 0) throw new Error('timeline: the execution has no events');
  const phases = options.phases ?? PHASES;
  const laneOf = options.laneOf ?? workflowLaneOf;
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const start = sorted.find((e) => e.kind === 'execution-started')?.at ?? sorted[0]!.at;
  const finished = sorted.find((e) => e.kind.startsWith('execution-') && e.kind !== 'execution-started');
  const end = finished?.at ?? options.now ?? sorted[sorted.length - 1]!.at;
  const status: ExecutionStatus = !finished
    ? 'RUNNING'
    : finished.kind === 'execution-succeeded'
      ? 'SUCCEEDED'
      : finished.kind === 'execution-aborted'
        ? 'ABORTED'
        : finished.kind === 'execution-timed-out'
          ? 'TIMED_OUT'
          : 'FAILED';

  const model: PhaseModel[] = phases.map((p) => ({
    id: p.id,
    label: p.label,
    lanes: p.lanes.map((l) => ({ id: l.id, label: l.label, spans: [] })),
  }));
  const other: PhaseModel = { ...OTHER_PHASE, lanes: [{ id: 'other', label: 'Not in the plan', spans: [] }] };
  const place = (state: string): { phase: PhaseModel; lane: LaneModel } => {
    const found = laneOf(state);
    const phase = found && model.find((p) => p.id === found.phase.id);
    const lane = phase?.lanes.find((l) => l.id === found!.lane.id);
    return phase && lane ? { phase, lane } : { phase: other, lane: other.lanes[0]! };
  };

  const open = new Map<string, { at: Date; stateType?: StateType }[]>();
  const lastFailState = (at: Date) => {
    const last = sorted.filter((x) => x.kind === 'state-entered' && x.at.getTime() <= at.getTime()).at(-1);
    return last?.stateType === 'Fail' ? last.state : undefined;
  };
  const failures: Failure[] = [];
  let transitions = 0;
  for (const e of sorted) {
    if (e.kind === 'state-entered' && e.state) {
      transitions += 1;
      const stack = open.get(e.state) ?? [];
      stack.push({ at: e.at, ...(e.stateType ? { stateType: e.stateType } : {}) });
      open.set(e.state, stack);
    } else if (e.kind === 'state-exited' && e.state) {
      const entered = open.get(e.state)?.shift();
      if (!entered) continue;
      addSpan(place(e.state), {
        state: e.state,
        stateType: entered.stateType,
        start: entered.at,
        end: e.at,
        open: false,
      });
    } else if (e.kind === 'state-failed' || (e.kind !== 'execution-started' && e.kind.startsWith('execution-'))) {
      if (e.kind === 'execution-succeeded') continue;
      // An execution that failed in a Fail state is drawn failing there.
      const state = e.state ?? (e.kind === 'execution-failed' ? lastFailState(e.at) : undefined);
      const where = state ? place(state) : undefined;
      failures.push({
        at: e.at,
        ...(state ? { state } : {}),
        ...(e.error ? { error: e.error } : {}),
        ...(e.cause ? { cause: e.cause } : {}),
        ...(where ? { phase: where.phase.id, lane: where.lane.id } : {}),
        ...(e.kind === 'state-failed' ? {} : { execution: true as const }),
        handled:
          !!state &&
          sorted.some((x) => x.kind === 'state-exited' && x.state === state && x.at.getTime() >= e.at.getTime()),
      });
    }
  }
  // States still open at the end (the execution failed or stopped inside them, or is running).
  for (const [state, stack] of open) {
    for (const entered of stack) {
      const stateType = entered.stateType;
      // Terminal Succeed/Fail states have no exit event: they are instants, not open spans.
      const instant = stateType === 'Succeed' || stateType === 'Fail';
      addSpan(place(state), { state, stateType, start: entered.at, end: instant ? entered.at : end, open: !instant });
    }
  }
  // An execution failure right after a state's failure repeats it: keep the state's marker only.
  const deduped = failures.filter(
    (f, i) =>
      !f.execution ||
      !failures.some(
        (g, j) => j !== i && !g.execution && g.error === f.error && Math.abs(g.at.getTime() - f.at.getTime()) < 1000,
      ),
  );

  const phasesOut = other.lanes[0]!.spans.length ? [...model, other] : model;
  for (const p of phasesOut) {
    const spans = p.lanes.flatMap((l) => l.spans);
    if (!spans.length) continue;
    p.start = new Date(Math.min(...spans.map((s) => s.start.getTime())));
    p.end = new Date(Math.max(...spans.map((s) => s.end.getTime())));
    for (const l of p.lanes) l.spans.sort((a, b) => a.start.getTime() - b.start.getTime());
  }
  const outage = outageWindow(sorted, end);
  const error = status === 'SUCCEEDED' || status === 'RUNNING' ? undefined : finished?.error;
  return {
    start,
    end,
    status,
    ...(error ? { error } : {}),
    phases: phasesOut,
    failures: deduped,
    ...(outage ? { outage } : {}),
    transitions,
  };

  function addSpan(where: { lane: LaneModel }, span: Omit<Span, 'stateType'> & { stateType: StateType | undefined }) {
    const { stateType, ...rest } = span;
    where.lane.spans.push({ ...rest, ...(stateType ? { stateType } : {}) });
  }
}

// ------------------------------------------------------------------------------------------------------------
// SVG
// ------------------------------------------------------------------------------------------------------------

export interface RenderOptions {
  title: string;
  /** Shown under the title (e.g. the execution ARN). */
  subtitle?: string;
  /** A footnote (e.g. "virtual time"). */
  note?: string;
}

const COLORS: Record<string, string> = {
  checks: '#6b7280',
  snapshot: '#1f77b4',
  restore: '#2ca02c',
  sanitize: '#9467bd',
  swap: '#e67e22',
  'after-swap': '#17a2b8',
  rollback: '#c0392b',
  other: '#8c564b',
};
const FAILURE = '#d62728';

const WIDTH = 1200;
const LEFT = 300;
const RIGHT = 40;
const TOP = 96;
const ROW = 20;
const PHASE_ROW = 22;

export function renderTimelineSvg(model: TimelineModel, options: RenderOptions): string {
  const t0 = model.start.getTime();
  const span = Math.max(model.end.getTime() - t0, 1000);
  const x = (d: Date) => LEFT + ((d.getTime() - t0) / span) * (WIDTH - LEFT - RIGHT);
  const body: string[] = [];
  let y = TOP + 8;
  for (const phase of model.phases) {
    const color = COLORS[phase.id] ?? COLORS.other!;
    const group: string[] = [];
    const took = phase.start && phase.end ? duration(phase.end.getTime() - phase.start.getTime()) : 'not reached';
    group.push(
      `<rect class="phase-band" x="0" y="${y}" width="${WIDTH}" height="${PHASE_ROW}" fill="${color}" fill-opacity="0.08"/>`,
      `<text class="phase-label" x="10" y="${y + 15}" font-weight="bold" fill="${color}">${esc(phase.label)}</text>`,
      `<text x="${LEFT - 10}" y="${y + 15}" text-anchor="end" font-size="11" fill="#555">${esc(took)}</text>`,
    );
    if (phase.start && phase.end) {
      group.push(
        `<rect class="phase-span" x="${fx(x(phase.start))}" y="${y + 8}" width="${fx(Math.max(x(phase.end) - x(phase.start), 1.5))}" height="6" rx="3" fill="${color}" fill-opacity="0.45"><title>${esc(`${phase.label}: ${clock(phase.start, model.start)} to ${clock(phase.end, model.start)} (${took})`)}</title></rect>`,
      );
    }
    y += PHASE_ROW;
    for (const lane of phase.lanes) {
      if (phase.lanes.length > 1 && !lane.spans.length && phase.id !== 'after-swap') continue;
      const laneParts: string[] = [
        `<text x="24" y="${y + 14}" font-size="11" fill="#333">${esc(lane.label)}</text>`,
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y + ROW - 0.5}" y2="${y + ROW - 0.5}" stroke="#eee"/>`,
      ];
      for (const s of lane.spans) laneParts.push(spanSvg(s, x, y, color, model.start));
      for (const f of model.failures.filter((f) => f.phase === phase.id && f.lane === lane.id)) {
        laneParts.push(failureSvg(f, x(f.at), y + ROW / 2, model.start));
      }
      group.push(`<g class="lane" data-phase="${esc(phase.id)}" data-lane="${esc(lane.id)}">${laneParts.join('')}</g>`);
      y += ROW;
    }
    body.push(
      `<g class="phase" data-phase="${esc(phase.id)}" data-label="${esc(phase.label)}"${phase.start ? ` data-start="${phase.start.toISOString()}" data-end="${phase.end!.toISOString()}"` : ''}>${group.join('')}</g>`,
    );
  }
  const bottom = y;

  const header: string[] = [];
  const outcome =
    model.status === 'SUCCEEDED'
      ? 'succeeded'
      : model.status === 'RUNNING'
        ? 'still running'
        : `${model.status.toLowerCase().replace('_', ' ')}${model.error ? ` (${model.error})` : ''}`;
  header.push(
    `<text x="10" y="24" font-size="17" font-weight="bold">${esc(options.title)}</text>`,
    `<text x="10" y="44" font-size="12" fill="#333">${esc(
      `${outcome} · started ${model.start.toISOString().replace('.000Z', 'Z')} · ${duration(model.end.getTime() - t0)} · ${model.transitions} state transitions` +
        (model.outage ? ` · outage ${duration(model.outage.end.getTime() - model.outage.start.getTime())}` : ''),
    )}</text>`,
  );
  if (options.subtitle) header.push(`<text x="10" y="60" font-size="11" fill="#666">${esc(options.subtitle)}</text>`);

  // Time axis with grid lines.
  const step = tickStep(span);
  const axis: string[] = [];
  for (let t = 0; t <= span + 1; t += step) {
    const tx = fx(x(new Date(t0 + t)));
    axis.push(
      `<line x1="${tx}" x2="${tx}" y1="${TOP}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${tx}" y="${TOP - 4}" font-size="10" text-anchor="middle" fill="#666">${esc(relative(t))}</text>`,
    );
  }
  const axisGroup = `<g class="axis" data-start="${model.start.toISOString()}" data-end="${model.end.toISOString()}" data-x0="${LEFT}" data-x1="${WIDTH - RIGHT}">${axis.join('')}</g>`;

  let outage = '';
  if (model.outage) {
    const ox = x(model.outage.start);
    const ow = Math.max(x(model.outage.end) - ox, 2);
    const label = `outage ${duration(model.outage.end.getTime() - model.outage.start.getTime())}`;
    outage =
      `<g class="outage-window" data-start="${model.outage.start.toISOString()}" data-end="${model.outage.end.toISOString()}" data-ended-by="${model.outage.endedBy}">` +
      `<rect class="outage" x="${fx(ox)}" y="${TOP}" width="${fx(ow)}" height="${bottom - TOP}" fill="${FAILURE}" fill-opacity="0.13" stroke="${FAILURE}" stroke-opacity="0.6" stroke-dasharray="4 2">` +
      `<title>${esc(`Outage window: ${clock(model.outage.start, model.start)} to ${clock(model.outage.end, model.start)}, ${label.slice(7)} (staging is not served under its name)`)}</title></rect>` +
      `<text x="${fx(ox + ow / 2)}" y="${TOP - 18}" font-size="11" font-weight="bold" text-anchor="middle" fill="${FAILURE}">${esc(label)}</text></g>`;
  }
  const unplaced = model.failures
    .filter((f) => !f.phase)
    .map((f) => failureSvg(f, x(f.at), TOP - 30, model.start))
    .join('');

  const legendY = bottom + 26;
  const legend = [
    `<g class="legend" font-size="11" fill="#333">`,
    `<rect x="10" y="${legendY - 10}" width="24" height="12" fill="#6b7280"/><text x="40" y="${legendY}">Task</text>`,
    `<rect x="90" y="${legendY - 10}" width="24" height="12" fill="#6b7280" fill-opacity="0.25"/><rect x="90" y="${legendY - 10}" width="24" height="12" fill="url(#wait)"/><text x="120" y="${legendY}">Wait</text>`,
    `<rect x="170" y="${legendY - 10}" width="2" height="12" fill="#333"/><text x="178" y="${legendY}">Choice / Pass (instant)</text>`,
    `<circle cx="330" cy="${legendY - 4}" r="6" fill="${FAILURE}"/><path d="M326.5 ${legendY - 7.5} l7 7 m0 -7 l-7 7" stroke="#fff" stroke-width="1.8"/><text x="342" y="${legendY}">Failure</text>`,
    `<rect x="410" y="${legendY - 10}" width="24" height="12" fill="${FAILURE}" fill-opacity="0.13" stroke="${FAILURE}" stroke-dasharray="4 2"/><text x="440" y="${legendY}">Outage window</text>`,
    `</g>`,
  ].join('');
  const note = options.note
    ? `<text x="10" y="${legendY + 22}" font-size="10.5" fill="#666">${esc(options.note)}</text>`
    : '';
  const height = legendY + (options.note ? 36 : 16);

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" data-status="${model.status}">`,
    `<title>${esc(`${options.title}: ${outcome}`)}</title>`,
    `<defs><pattern id="wait" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-opacity="0.35" stroke-width="2"/></pattern></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...header,
    axisGroup,
    ...body,
    outage,
    unplaced,
    legend,
    note,
    `</svg>`,
    '',
  ].join('\n');
}

function spanSvg(s: Span, x: (d: Date) => number, y: number, color: string, start: Date): string {
  const x0 = x(s.start);
  const w = x(s.end) - x0;
  const took = duration(s.end.getTime() - s.start.getTime());
  const title = `<title>${esc(`${s.state} (${s.stateType ?? 'state'}): ${clock(s.start, start)}, ${s.open ? 'still in it at the end' : took}`)}</title>`;
  const data = `data-state="${esc(s.state)}" data-type="${s.stateType ?? ''}" data-start="${s.start.toISOString()}" data-end="${s.end.toISOString()}"`;
  if (s.stateType === 'Parallel') {
    return `<rect class="state parallel" ${data} x="${fx(x0)}" y="${y + ROW - 5}" width="${fx(Math.max(w, 1.5))}" height="2.5" fill="${color}">${title}</rect>`;
  }
  if (s.stateType === 'Wait') {
    const width = fx(Math.max(w, 1.5));
    return `<g class="state wait" ${data}><rect x="${fx(x0)}" y="${y + 4}" width="${width}" height="12" fill="${color}" fill-opacity="0.25"/><rect x="${fx(x0)}" y="${y + 4}" width="${width}" height="12" fill="url(#wait)">${title}</rect></g>`;
  }
  if (s.stateType === 'Task' || w >= 1.5) {
    return `<rect class="state task" ${data} x="${fx(x0)}" y="${y + 4}" width="${fx(Math.max(w, 1.5))}" height="12" fill="${color}"${s.open ? ` fill-opacity="0.6"` : ''}>${title}</rect>`;
  }
  return `<rect class="state instant" ${data} x="${fx(x0 - 0.75)}" y="${y + 4}" width="1.5" height="12" fill="#333" fill-opacity="0.7">${title}</rect>`;
}

function failureSvg(f: Failure, cx: number, cy: number, start: Date): string {
  const label = `${f.error ?? 'failed'}${f.handled ? ', caught' : ''}${f.execution ? ' (execution failed)' : ''}`;
  const title = `${f.execution ? 'Execution failed' : `${f.state} failed`}${f.execution && f.state ? ` in ${f.state}` : ''} at ${clock(f.at, start)}: ${f.error ?? ''}${f.cause ? ` — ${truncate(f.cause, 300)}` : ''}`;
  const right = cx < WIDTH - 220;
  return (
    `<g class="failure" data-at="${f.at.toISOString()}" data-error="${esc(f.error ?? '')}" data-handled="${f.handled}"${f.state ? ` data-state="${esc(f.state)}"` : ''}>` +
    `<title>${esc(title)}</title>` +
    `<circle cx="${fx(cx)}" cy="${fx(cy)}" r="6" fill="${FAILURE}"/>` +
    `<path d="M${fx(cx - 3.5)} ${fx(cy - 3.5)} l7 7 m0 -7 l-7 7" stroke="#fff" stroke-width="1.8"/>` +
    `<text x="${fx(right ? cx + 10 : cx - 10)}" y="${fx(cy + 4)}" font-size="11" font-weight="bold" fill="${FAILURE}" stroke="#fff" stroke-width="3" paint-order="stroke"${right ? '' : ' text-anchor="end"'}>${esc(label)}</text></g>`
  );
}

const STEPS_S = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

function tickStep(spanMs: number): number {
  const s = STEPS_S.find((step) => spanMs / (step * 1000) <= 12) ?? 86400;
  return s * 1000;
}

/** "+1:05:00" style offset from the start. */
function relative(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const sec = s % 60;
  return `+${h}:${String(m).padStart(2, '0')}${sec ? `:${String(sec).padStart(2, '0')}` : ''}`;
}

function clock(d: Date, start: Date): string {
  const s = Math.round((d.getTime() - start.getTime()) / 1000);
  return `+${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** "2 h 5 min", "10 min 0 s", "45 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor(s / 60) % 60} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function fx(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
