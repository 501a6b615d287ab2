/**
 * The timing engine: virtual time, each instance's chain of status phases, the status faults that interrupt one,
 * and the data-plane hook work that runs alongside. Apart from the operations so that every operation only says
 * which phases it starts, and one place decides what becomes due in which order.
 */
import type { StatusFault, StatusFaultOperation } from './types';
import {
  type EpisodeRecord,
  type InstanceRecord,
  type Interrupt,
  isPromiseLike,
  type Phase,
  type SimState,
} from './state';

/** Moves virtual time forward, applying every transition that became due, in time order. */
export function advance(sim: SimState, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`advance(): invalid seconds ${seconds}`);
  runDue(sim, sim.nowMs + seconds * 1000);
}

/** Awaits all pending data-plane hook work; rethrows the first hook failure. */
export async function settle(sim: SimState): Promise<void> {
  while (sim.pending.length > 0) {
    const batch = sim.pending.splice(0);
    await Promise.all(batch);
  }
  if (sim.hookErrors.length > 0) {
    const [first] = sim.hookErrors.splice(0);
    throw first;
  }
}

function track(sim: SimState, work: unknown): void {
  if (!isPromiseLike(work)) return;
  sim.pending.push(
    Promise.resolve(work).then(
      () => undefined,
      (err: unknown) => {
        sim.hookErrors.push(err);
      },
    ),
  );
}

export function callHook(sim: SimState, fn: () => unknown): void {
  try {
    track(sim, fn());
  } catch (err) {
    sim.hookErrors.push(err);
  }
}

export function runDue(sim: SimState, targetMs: number): void {
  for (let guard = 0; ; guard++) {
    if (guard > 1_000_000) throw new Error('RdsSimulator: runaway transitions');
    let best: { at: number; rank: number; run: () => void } | undefined;
    const consider = (at: number | undefined, rank: number, run: () => void): void => {
      if (at === undefined || at > targetMs) return;
      if (!best || at < best.at || (at === best.at && rank < best.rank)) best = { at, rank, run };
    };
    for (const rec of sim.live) {
      const interrupt = rec.interrupt;
      if (interrupt) consider(interrupt.at, 0, () => fireInterrupt(sim, rec, interrupt));
      consider(rec.phaseEndsAt, 1, () => endPhase(sim, rec));
    }
    for (const episode of sim.episodes) {
      // Due, and the instance idle (available, nothing in flight): a passing status never cuts an operation short.
      if (episode.rec.gone) consider(episode.at, 3, () => dropEpisode(sim, episode));
      else if (episode.rec.status === 'available' && isSteady(episode.rec))
        consider(Math.max(episode.at, sim.nowMs), 3, () => startEpisode(sim, episode));
    }
    for (const snap of sim.snaps) {
      const becomes = snap.becomes;
      if (becomes) {
        consider(becomes.at, 2, () => {
          snap.status = becomes.status;
          if (becomes.status === 'available') snap.percentProgress = 100;
          delete snap.becomes;
        });
      }
    }
    if (!best) break;
    sim.nowMs = Math.max(sim.nowMs, best.at);
    best.run();
  }
  sim.nowMs = Math.max(sim.nowMs, targetMs);
}

export function enterPhase(sim: SimState, rec: InstanceRecord): void {
  const phase = rec.queue[0];
  if (!phase) return;
  rec.status = phase.status;
  rec.hidden = phase.hidden ?? false;
  rec.phaseEndsAt = Number.isFinite(phase.seconds) ? sim.nowMs + phase.seconds * 1000 : undefined;
  phase.onStart?.();
}

function endPhase(sim: SimState, rec: InstanceRecord): void {
  const phase = rec.queue.shift();
  rec.phaseEndsAt = undefined;
  phase?.onEnd?.();
  if (rec.gone) return;
  if (rec.queue.length > 0) enterPhase(sim, rec);
}

function fireInterrupt(sim: SimState, rec: InstanceRecord, interrupt: Interrupt): void {
  delete rec.interrupt;
  interrupt.cleanup?.();
  rec.queue = [{ status: interrupt.status, seconds: Infinity }];
  enterPhase(sim, rec);
}

/** Replaces the instance's phase chain with `phases` (ending in a steady state) and starts it. */
export function startOperation(
  sim: SimState,
  rec: InstanceRecord,
  phases: Phase[],
  fault?: StatusFault,
  defaultAfter = 0,
  cleanup?: () => void,
): void {
  delete rec.interrupt;
  rec.queue = phases;
  if (fault) {
    rec.interrupt = { at: sim.nowMs + (fault.afterSeconds ?? defaultAfter) * 1000, status: fault.status, cleanup };
  }
  enterPhase(sim, rec);
}

function dropEpisode(sim: SimState, episode: EpisodeRecord): void {
  sim.episodes.splice(sim.episodes.indexOf(episode), 1);
}

function startEpisode(sim: SimState, episode: EpisodeRecord): void {
  dropEpisode(sim, episode);
  startOperation(sim, episode.rec, [
    { status: episode.status, seconds: episode.seconds },
    { status: 'available', seconds: Infinity },
  ]);
}

/** Schedules a passing status (types.ts StatusEpisode) on `rec`; one due now starts at once if it can. */
export function scheduleEpisode(
  sim: SimState,
  rec: InstanceRecord,
  status: string,
  atSeconds: number,
  forSeconds: number,
): void {
  if (!Number.isFinite(atSeconds) || atSeconds < 0)
    throw new Error(`scheduleStatusEpisode(): invalid atSeconds ${atSeconds}`);
  if (!(forSeconds > 0)) throw new Error(`scheduleStatusEpisode(): invalid forSeconds ${forSeconds}`);
  sim.episodes.push({ rec, status, at: sim.nowMs + atSeconds * 1000, seconds: forSeconds });
  runDue(sim, sim.nowMs);
}

export function takeStatusFault(
  sim: SimState,
  operation: StatusFaultOperation,
  names: string[],
): StatusFault | undefined {
  const i = sim.statusFaults.findIndex(
    (f) => f.operation === operation && (f.identifier === undefined || names.includes(f.identifier.toLowerCase())),
  );
  if (i < 0) return undefined;
  return sim.statusFaults.splice(i, 1)[0];
}

export function isSteady(rec: InstanceRecord): boolean {
  return rec.queue.length <= 1 && rec.phaseEndsAt === undefined && rec.interrupt === undefined;
}
