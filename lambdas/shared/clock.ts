/** Time as a dependency: handlers use the system clock, the offline harness a virtual one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
