import { DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/find-snapshot/find-snapshot';
import { caught, IDS, makeSnapshot, mutatingCommands, newRdsClient } from './fixtures';

const rdsMock = mockClient(RDSClient);
const findSnapshot = makeHandler({ rds: newRdsClient(), ids: IDS });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

const at = (iso: string) => new Date(iso);

describe('find-snapshot', () => {
  it('pages through every Marker and asks only for automated snapshots of production, 100 at a time', async () => {
    // Arrange
    rdsMock
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [makeSnapshot({ SnapshotCreateTime: at('2026-11-28T05:00:00Z') })], Marker: 'p2' })
      .resolvesOnce({ DBSnapshots: [makeSnapshot({ SnapshotCreateTime: at('2026-11-29T05:00:00Z') })], Marker: 'p3' })
      .resolvesOnce({ DBSnapshots: [makeSnapshot({ SnapshotCreateTime: at('2026-11-27T05:00:00Z') })] });

    // Act
    const result = await findSnapshot({});

    // Assert
    const inputs = rdsMock.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { DBInstanceIdentifier: 'prod-openverse-db', SnapshotType: 'automated', MaxRecords: 100 },
      { DBInstanceIdentifier: 'prod-openverse-db', SnapshotType: 'automated', MaxRecords: 100, Marker: 'p2' },
      { DBInstanceIdentifier: 'prod-openverse-db', SnapshotType: 'automated', MaxRecords: 100, Marker: 'p3' },
    ]);
    expect(inputs[0]!.Marker).toBeUndefined();
    expect(result.identifier).toBe('rds:prod-openverse-db-2026-11-29-05-00');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('picks the newest by SnapshotCreateTime whatever order RDS lists them in, and returns its details', async () => {
    // Arrange
    const newest = makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z'), EngineVersion: '16.6' });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-29T05:00:00Z') }),
        newest,
        makeSnapshot({ SnapshotCreateTime: at('2026-11-24T05:00:00Z') }),
      ],
    });

    // Act
    const result = await findSnapshot({});

    // Assert
    expect(result).toEqual({
      identifier: 'rds:prod-openverse-db-2026-11-30-05-00',
      arn: 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:prod-openverse-db-2026-11-30-05-00',
      instance: 'prod-openverse-db',
      status: 'available',
      createdAt: '2026-11-30T05:00:00.000Z',
      engine: 'postgres',
      engineVersion: '16.6',
      encrypted: true,
    });
    expect(rdsMock.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(1);
  });

  it('ignores manual snapshots and snapshots of other instances even when RDS returns them', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({
          DBSnapshotIdentifier: 'manual-before-upgrade',
          SnapshotType: 'manual',
          SnapshotCreateTime: at('2026-11-30T23:00:00Z'),
        }),
        makeSnapshot({
          DBSnapshotIdentifier: 'rds:dev-openverse-db-2026-11-30-22-00',
          DBInstanceIdentifier: 'dev-openverse-db',
          SnapshotCreateTime: at('2026-11-30T22:00:00Z'),
        }),
        makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z') }),
      ],
    });

    // Act
    const result = await findSnapshot({});

    // Assert
    expect(result.identifier).toBe('rds:prod-openverse-db-2026-11-30-05-00');
    expect(result.instance).toBe('prod-openverse-db');
  });

  it('fails with NoProductionSnapshot when there is no automated snapshot of production', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [makeSnapshot({ DBSnapshotIdentifier: 'manual-one', SnapshotType: 'manual' })],
    });

    // Act
    const err = await caught(() => findSnapshot({}));

    // Assert
    expect(err.name).toBe('NoProductionSnapshot');
    expect(err.message).toContain('prod-openverse-db');
  });

  it('fails with NoProductionSnapshot on an empty answer', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

    // Act
    const err = await caught(() => findSnapshot({}));

    // Assert
    expect(err.name).toBe('NoProductionSnapshot');
  });

  it('fails with SnapshotFailed when the newest snapshot failed, rather than falling back to an older one', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-29T05:00:00Z') }),
        makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z'), Status: 'failed' }),
      ],
    });

    // Act
    const err = await caught(() => findSnapshot({}));

    // Assert
    expect(err.name).toBe('SnapshotFailed');
    expect(err.message).toContain('rds:prod-openverse-db-2026-11-30-05-00');
    expect(err.message).toContain('"failed"');
  });

  it('returns the newest snapshot while it is still creating, for the workflow to wait on', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z'), Status: 'creating' }),
        makeSnapshot({ SnapshotCreateTime: at('2026-11-29T05:00:00Z') }),
      ],
    });

    // Act
    const result = await findSnapshot({});

    // Assert
    expect(result.identifier).toBe('rds:prod-openverse-db-2026-11-30-05-00');
    expect(result.status).toBe('creating');
  });

  it('treats a creating snapshot without a create time yet as the newest', async () => {
    // Arrange
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z') }),
        makeSnapshot({
          DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-12-01-05-00',
          SnapshotCreateTime: undefined,
          Status: 'creating',
        }),
      ],
    });

    // Act
    const result = await findSnapshot({});

    // Assert
    expect(result).toMatchObject({
      identifier: 'rds:prod-openverse-db-2026-12-01-05-00',
      status: 'creating',
      createdAt: null,
    });
  });

  it.each([
    ['listed first', ['rds:prod-openverse-db-2026-11-30-05-00-b', 'rds:prod-openverse-db-2026-11-30-05-00-a']],
    ['listed last', ['rds:prod-openverse-db-2026-11-30-05-00-a', 'rds:prod-openverse-db-2026-11-30-05-00-b']],
  ])('breaks a tie of creation times by the greater identifier, %s', async (_where, order) => {
    // Arrange
    const time = at('2026-11-30T05:00:00Z');
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-29T05:00:00Z') }),
        ...order.map((id) => makeSnapshot({ DBSnapshotIdentifier: id, SnapshotCreateTime: time })),
      ],
    });

    // Act
    const result = await findSnapshot({});

    // Assert
    expect(result).toMatchObject({
      identifier: 'rds:prod-openverse-db-2026-11-30-05-00-b',
      createdAt: '2026-11-30T05:00:00.000Z',
    });
  });

  it('fails with SnapshotFailed when the newest has no creation time and failed, naming the missing time', async () => {
    // Arrange: a snapshot without a time ranks newest whatever its status, so an older one is never used silently.
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        makeSnapshot({ SnapshotCreateTime: at('2026-11-30T05:00:00Z') }),
        makeSnapshot({
          DBSnapshotIdentifier: 'rds:prod-openverse-db-x',
          SnapshotCreateTime: undefined,
          Status: 'failed',
        }),
      ],
    });

    // Act
    const err = await caught(() => findSnapshot({}));

    // Assert
    expect(err.name).toBe('SnapshotFailed');
    expect(err.message).toContain('rds:prod-openverse-db-x (no creation time)');
    expect(err.message).toContain('snapshotIdentifier');
  });
});
