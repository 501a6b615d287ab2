import { settle, type SettleState } from '../../lambdas/shared/settle';

const T0 = '2026-12-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000);

/** Feeds statuses one poll every 30 s, passing each result on as `previous`. */
function run(statuses: string[], settleSeconds: number) {
  let previous: SettleState | null = null;
  return statuses.map((status, i) => {
    const s = settle(previous, status, at(i * 30), settleSeconds);
    previous = s;
    return s;
  });
}

describe('settle', () => {
  it('counts the first available at once when settleSeconds is 0', () => {
    // Act
    const s = settle(null, 'available', at(0), 0);

    // Assert
    expect(s).toEqual({ availableSince: T0, sawReboot: false, settled: true });
  });

  it('is never settled while not available, even with settleSeconds 0', () => {
    expect(settle(null, 'modifying', at(0), 0)).toEqual({ availableSince: null, sawReboot: false, settled: false });
  });

  it('after a rename, settles only at the available that follows the reboot', () => {
    // Act
    const results = run(['renaming', 'available', 'rebooting', 'available'], 600);

    // Assert
    expect(results.map((r) => r.settled)).toEqual([false, false, false, true]);
    expect(results.map((r) => r.sawReboot)).toEqual([false, false, true, true]);
    expect(results.map((r) => r.availableSince)).toEqual([null, at(30).toISOString(), null, at(90).toISOString()]);
  });

  it('counts leaving available for another status as a reboot seen (it came and went between polls)', () => {
    // Act
    const results = run(['available', 'modifying', 'available'], 600);

    // Assert
    expect(results.map((r) => r.settled)).toEqual([false, false, true]);
  });

  it('does not count disappearing (not-found) as a reboot', () => {
    // Act
    const results = run(['available', 'not-found', 'available'], 600);

    // Assert
    expect(results.map((r) => r.settled)).toEqual([false, false, false]);
    expect(results[2]!.sawReboot).toBe(false);
  });

  it('settles without a reboot once available has lasted settleSeconds, keeping the first time seen', () => {
    // Arrange
    const first = settle(null, 'available', at(0), 600);

    // Act
    const before = settle(first, 'available', at(599), 600);
    const after = settle(before, 'available', at(600), 600);

    // Assert
    expect(before.settled).toBe(false);
    expect(after).toEqual({ availableSince: T0, sawReboot: false, settled: true });
  });

  it('restarts the steady count when the instance stops being available', () => {
    // Arrange
    const first = settle(null, 'available', at(0), 600);
    const gone = settle(first, 'not-found', at(300), 600);

    // Act
    const back = settle(gone, 'available', at(600), 600);

    // Assert
    expect(back).toEqual({ availableSince: at(600).toISOString(), sawReboot: false, settled: false });
  });

  it('a rebooting seen before the first available makes that available count', () => {
    // Act
    const results = run(['renaming', 'rebooting', 'available'], 600);

    // Assert
    expect(results.map((r) => r.settled)).toEqual([false, false, true]);
  });
});
