/**
 * Offline RDS simulator behind a real `RDSClient` (routed with aws-sdk-client-mock).
 *
 * Models the behaviours listed in docs/aws-facts.md: restore defaults (default security group,
 * default parameter/option groups, tags copied from the source when none are given, baseline backup after a
 * restore), the rename race (old name still `available`, then not found under either name, then renaming →
 * available → rebooting → available under the new name), delete preconditions, snapshot paging in an order
 * that is not sorted by time. Time is virtual: it moves only when `advance()` is called.
 *
 * This class is the facade: it owns the state (state.ts) and hands each call to the file of its concern
 * (client.ts routes SDK commands; clock.ts, instances.ts, modify.ts, snapshots.ts, tags.ts, views.ts).
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import { createClient } from './client';
import { advance, scheduleEpisode, settle } from './clock';
import { addInstance } from './instances';
import { addSnapshot } from './snapshots';
import { createState, findInstanceRecord, findSnapshot, type SimState } from './state';
import type {
  Fault,
  InstanceSeed,
  RdsSimulatorOptions,
  SimCall,
  SimInstance,
  SimInstanceView,
  SimSnapshot,
  SimSnapshotView,
  SimTimings,
  SnapshotSeed,
  StatusEpisode,
  StatusFault,
  VirtualClock,
} from './types';
import { snapshotView, view } from './views';

export class RdsSimulator {
  readonly clock: VirtualClock;
  readonly calls: SimCall[];
  readonly timings: Readonly<SimTimings>;
  readonly region: string;
  readonly accountId: string;

  private readonly state: SimState;

  constructor(options: RdsSimulatorOptions = {}) {
    this.state = createState(options);
    this.calls = this.state.calls;
    this.timings = this.state.timings;
    this.region = this.state.region;
    this.accountId = this.state.accountId;
    this.clock = { now: () => new Date(this.state.nowMs), advance: (seconds: number) => this.advance(seconds) };
  }

  // ----- time -----

  /** Moves virtual time forward, applying every transition that became due, in time order. */
  advance(seconds: number): void {
    advance(this.state, seconds);
  }

  /** Awaits all pending data-plane hook work; rethrows the first hook failure. */
  settle(): Promise<void> {
    return settle(this.state);
  }

  // ----- client -----

  /** A new real RDSClient whose send() is served by this simulator. */
  client(): RDSClient {
    return createClient(this.state);
  }

  // ----- seeding -----

  addInstance(seed: InstanceSeed): SimInstance {
    return addInstance(this.state, seed);
  }

  addSnapshot(seed: SnapshotSeed): SimSnapshot {
    return addSnapshot(this.state, seed);
  }

  // ----- inspection -----

  /** Every instance that exists (not yet gone), including ones hidden mid-rename, in creation order. */
  instances(): SimInstanceView[] {
    return this.state.live.map((r) => view(this.state, r));
  }

  /** The instance whose current name is `identifier` (case-insensitive), hidden or not. */
  instance(identifier: string): SimInstanceView | undefined {
    const rec = findInstanceRecord(this.state, identifier);
    return rec ? view(this.state, rec) : undefined;
  }

  instanceByResourceId(resourceId: string): SimInstanceView | undefined {
    const { live, removed } = this.state;
    const rec = live.find((r) => r.resourceId === resourceId) ?? removed.find((r) => r.resourceId === resourceId);
    return rec ? view(this.state, rec) : undefined;
  }

  /** Instances that finished deleting, in deletion order. */
  deleted(): SimInstanceView[] {
    return this.state.removed.map((r) => view(this.state, r));
  }

  snapshots(): SimSnapshotView[] {
    return this.state.snaps.map((s) => snapshotView(this.state, s));
  }

  snapshot(identifier: string): SimSnapshotView | undefined {
    const rec = findSnapshot(this.state, identifier);
    return rec ? snapshotView(this.state, rec) : undefined;
  }

  mutatingCalls(): SimCall[] {
    return this.calls.filter((c) => c.mutating);
  }

  // ----- faults -----

  injectFault(fault: Fault): void {
    this.state.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  injectStatusFault(fault: StatusFault): void {
    this.state.statusFaults.push({ ...fault });
  }

  /**
   * Puts the instance that holds `identifier` now through a passing status (a backup, someone's modification):
   * from `atSeconds` from now (or, if it is busy then, as soon as it is idle) for `forSeconds`, then available.
   */
  scheduleStatusEpisode(episode: StatusEpisode): void {
    const rec = findInstanceRecord(this.state, episode.identifier);
    if (!rec) throw new Error(`scheduleStatusEpisode(): no instance ${episode.identifier}`);
    scheduleEpisode(this.state, rec, episode.status, episode.atSeconds, episode.forSeconds);
  }
}
