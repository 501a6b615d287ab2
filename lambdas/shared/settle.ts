/**
 * Whether an instance has settled as `available` (plan steps 8 and 10: "the database may not be initially
 * available/named when the sensor first starts"). After a rename RDS shows renaming → available →
 * rebooting → available, and a waiter that stops at the first `available` returns too early (docs/aws-facts.md).
 * So: `available` after a reboot was seen counts at once; otherwise it must stay available on every poll
 * for `settleSeconds` (in case the reboot came and went between two polls, or never comes).
 * With `settleSeconds` 0 the first `available` counts.
 */
export interface SettleState {
  availableSince: string | null;
  sawReboot: boolean;
}

export function settle(
  previous: SettleState | null | undefined,
  status: string,
  now: Date,
  settleSeconds: number,
): SettleState & { settled: boolean } {
  const available = status === 'available';
  const leftAvailable = Boolean(previous?.availableSince) && !available && status !== 'not-found';
  const sawReboot = (previous?.sawReboot ?? false) || status === 'rebooting' || leftAvailable;
  const availableSince = available ? (previous?.availableSince ?? now.toISOString()) : null;
  const steadyFor = availableSince ? (now.getTime() - Date.parse(availableSince)) / 1000 : 0;
  const settled = available && (settleSeconds === 0 || sawReboot || steadyFor >= settleSeconds);
  return { availableSince, sawReboot, settled };
}
