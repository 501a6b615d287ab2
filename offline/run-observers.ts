/**
 * Who is told about each finished run of the harness (the tests' state coverage registers here). Its own
 * small module, so that a setup file can register without loading the harness and the CDK app behind it.
 */

/** What an observer learns of each finished run. */
export interface ObservedRun {
  /** The config override the run synthesized, as JSON (`null`: the default config). */
  config: string;
  /** Every state of that definition (computed when asked). */
  states: () => string[];
  /** The states the execution entered, in order. */
  entered: readonly string[];
}

export const runObservers = new Set<(run: ObservedRun) => void>();

/** Tells `observer` about every run that finishes from now on; returns a function that stops it. */
export function observeRuns(observer: (run: ObservedRun) => void): () => void {
  runObservers.add(observer);
  return () => runObservers.delete(observer);
}
