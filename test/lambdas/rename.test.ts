import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/rename/rename';
import {
  caught,
  clock,
  describeFrom,
  FOREIGN_ID,
  IDS,
  makeDbInstance,
  makeNewInstance,
  mutatingCommands,
  NEW_ID,
  newRdsClient,
  ORIGINAL_ID,
  sentCommands,
} from './fixtures';

const rdsMock = mockClient(RDSClient);
const rename = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

describe('rename', () => {
  it('renames staging to the old name at once, after checking source and target', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});

    // Act
    const result = await rename({ from: IDS.staging, to: IDS.old, resourceId: ORIGINAL_ID });

    // Assert
    expect(result).toEqual({
      from: 'dev-openverse-db',
      to: 'dev-old-openverse-db',
      resourceId: ORIGINAL_ID,
      requestedAt: '2026-12-01T00:00:00.000Z',
    });
    expect(sentCommands(rdsMock)).toEqual([
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
      'ModifyDBInstanceCommand',
    ]);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-openverse-db',
      NewDBInstanceIdentifier: 'dev-old-openverse-db',
      ApplyImmediately: true,
    });
  });

  it('renames the temporary instance to staging', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance() });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});

    // Act
    await rename({ from: IDS.temporary, to: IDS.staging, resourceId: NEW_ID });

    // Assert
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-next-openverse-db',
      NewDBInstanceIdentifier: 'dev-openverse-db',
      ApplyImmediately: true,
    });
  });

  it('fails with UnexpectedInstance when the source is not the expected instance, and mutates nothing', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DbiResourceId: FOREIGN_ID }) });

    // Act
    const err = await caught(() => rename({ from: IDS.staging, to: IDS.old, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('UnexpectedInstance');
    expect(err.message).toContain(FOREIGN_ID);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with PreconditionFailed when the source is not available', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance({ DBInstanceStatus: 'modifying' }) });

    // Act
    const err = await caught(() => rename({ from: IDS.staging, to: IDS.old, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('"modifying"');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with PreconditionFailed when no instance has the source name', async () => {
    // Arrange
    describeFrom(rdsMock, {});

    // Act
    const err = await caught(() => rename({ from: IDS.staging, to: IDS.old, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('fails with PreconditionFailed when the target name is taken', async () => {
    // Arrange
    describeFrom(rdsMock, {
      [IDS.staging]: makeDbInstance(),
      [IDS.old]: makeDbInstance({ DbiResourceId: FOREIGN_ID }),
    });

    // Act
    const err = await caught(() => rename({ from: IDS.staging, to: IDS.old, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('dev-old-openverse-db is taken');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it.each([
    ['production as source', { from: 'prod-openverse-db', to: 'dev-old-openverse-db' }],
    ['production as target', { from: 'dev-openverse-db', to: 'prod-openverse-db' }],
    ['a production-like target', { from: 'dev-openverse-db', to: 'dev-prod-copy' }],
    ['a production-like source', { from: 'prod-replica', to: 'dev-old-openverse-db' }],
  ])('refuses %s with ProductionGuardRefused, sending nothing at all', async (_what, names) => {
    // Arrange
    describeFrom(rdsMock, { [names.from]: makeDbInstance({ DbiResourceId: ORIGINAL_ID }) });

    // Act
    const err = await caught(() => rename({ ...names, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('refuses a name outside the configured ones', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.staging]: makeDbInstance() });

    // Act
    const err = await caught(() => rename({ from: IDS.staging, to: 'dev-other-db', resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(sentCommands(rdsMock)).toEqual([]);
  });
});
