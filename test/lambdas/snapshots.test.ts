import type { DBSnapshot } from '@aws-sdk/client-rds';
import fc from 'fast-check';
import { compareNewestFirst, newestSnapshot, toSnapshotInfo } from '../../lambdas/shared/snapshots';
import { makeSnapshot } from './fixtures';

const at = (iso: string) => new Date(iso);
const ids = (list: DBSnapshot[]) => list.map((s) => s.DBSnapshotIdentifier);

describe('compareNewestFirst: the documented order of snapshots (docs/how-it-works.md)', () => {
  const older = makeSnapshot({
    DBSnapshotIdentifier: 'rds:p-2026-11-29',
    SnapshotCreateTime: at('2026-11-29T05:00:00Z'),
  });
  const tieLow = makeSnapshot({
    DBSnapshotIdentifier: 'rds:p-2026-11-30-a',
    SnapshotCreateTime: at('2026-11-30T05:00:00Z'),
  });
  const tieHigh = makeSnapshot({
    DBSnapshotIdentifier: 'rds:p-2026-11-30-b',
    SnapshotCreateTime: at('2026-11-30T05:00:00Z'),
  });
  const noTimeLow = makeSnapshot({
    DBSnapshotIdentifier: 'rds:p-2026-12-01-a',
    SnapshotCreateTime: undefined,
    Status: 'creating',
  });
  const noTimeHigh = makeSnapshot({
    DBSnapshotIdentifier: 'rds:p-2026-12-01-b',
    SnapshotCreateTime: undefined,
    Status: 'creating',
  });

  it('puts the later creation time first', () => {
    expect(ids([older, tieLow].sort(compareNewestFirst))).toEqual(['rds:p-2026-11-30-a', 'rds:p-2026-11-29']);
  });

  it('breaks a tie of creation times by the greater identifier, whichever comes first', () => {
    expect(newestSnapshot([tieLow, tieHigh])).toBe(tieHigh);
    expect(newestSnapshot([tieHigh, tieLow])).toBe(tieHigh);
  });

  it('compares identifiers by code unit, not by locale', () => {
    // In most locales "a" sorts after "B"; by code unit "B" (0x42) is before "a" (0x61).
    const upper = makeSnapshot({ DBSnapshotIdentifier: 'rds:B', SnapshotCreateTime: at('2026-11-30T05:00:00Z') });
    const lower = makeSnapshot({ DBSnapshotIdentifier: 'rds:a', SnapshotCreateTime: at('2026-11-30T05:00:00Z') });

    expect(newestSnapshot([upper, lower])).toBe(lower);
  });

  it('ranks a snapshot without a creation time before every one with a time, whatever its status', () => {
    const failedNoTime = makeSnapshot({
      DBSnapshotIdentifier: 'rds:x',
      SnapshotCreateTime: undefined,
      Status: 'failed',
    });

    expect(newestSnapshot([tieHigh, noTimeLow, older])).toBe(noTimeLow);
    expect(newestSnapshot([tieHigh, failedNoTime])).toBe(failedNoTime);
  });

  it('ranks an unreadable creation time like a missing one', () => {
    const garbled = { ...makeSnapshot({ DBSnapshotIdentifier: 'rds:x' }), SnapshotCreateTime: new Date('not a time') };

    expect(newestSnapshot([tieHigh, garbled])).toBe(garbled);
  });

  it('breaks a tie of two snapshots without a time by the greater identifier', () => {
    expect(newestSnapshot([noTimeHigh, noTimeLow])).toBe(noTimeHigh);
    expect(newestSnapshot([noTimeLow, noTimeHigh])).toBe(noTimeHigh);
  });

  it('is a total order: every order of the same snapshots sorts the same', () => {
    const all = [older, tieLow, tieHigh, noTimeLow, noTimeHigh];
    const expected = [
      'rds:p-2026-12-01-b',
      'rds:p-2026-12-01-a',
      'rds:p-2026-11-30-b',
      'rds:p-2026-11-30-a',
      'rds:p-2026-11-29',
    ];

    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length }), (order) => {
        expect(ids([...order].sort(compareNewestFirst))).toEqual(expected);
      }),
    );
  });

  it('finds nothing in an empty list', () => {
    expect(newestSnapshot([])).toBeUndefined();
  });
});

describe('toSnapshotInfo', () => {
  it('gives createdAt null when RDS gives no creation time', () => {
    expect(toSnapshotInfo(makeSnapshot({ SnapshotCreateTime: undefined, Status: 'creating' }))).toMatchObject({
      status: 'creating',
      createdAt: null,
    });
  });

  it('gives the creation time in ISO form', () => {
    expect(toSnapshotInfo(makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z') })).createdAt).toBe(
      '2026-11-30T05:00:00.000Z',
    );
  });
});
