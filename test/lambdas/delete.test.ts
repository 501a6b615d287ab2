import { DeleteDBInstanceCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/delete/delete';
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
const deleteStep = makeHandler({ rds: newRdsClient(), ids: IDS, clock });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

describe('delete', () => {
  it('deletes the old instance without a final snapshot, keeping automated backups when not told', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DeletionProtection: false }) });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    const result = await deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID });

    // Assert
    expect(result).toEqual({
      identifier: 'dev-old-openverse-db',
      resourceId: ORIGINAL_ID,
      requestedAt: '2026-12-01T00:00:00.000Z',
      alreadyGone: false,
      deleteAutomatedBackups: false,
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBInstancesCommand', 'DeleteDBInstanceCommand']);
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-old-openverse-db',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  it.each([true, false])('sends DeleteAutomatedBackups %s as the input says, and reports it', async (value) => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DeletionProtection: false }) });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    const result = await deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID, deleteAutomatedBackups: value });

    // Assert
    expect(result).toMatchObject({ alreadyGone: false, deleteAutomatedBackups: value });
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-old-openverse-db',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: value,
    });
  });

  it('turns deletion protection off first when it is on', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DeletionProtection: true }) });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    await deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID });

    // Assert
    expect(mutatingCommands(rdsMock)).toEqual(['ModifyDBInstanceCommand', 'DeleteDBInstanceCommand']);
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-old-openverse-db',
      DeletionProtection: false,
      ApplyImmediately: true,
    });
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-old-openverse-db',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  it('counts an instance that is already gone as done, sending no delete', async () => {
    // Arrange
    describeFrom(rdsMock, {});

    // Act
    const result = await deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID });

    // Assert
    expect(result).toEqual({
      identifier: 'dev-old-openverse-db',
      resourceId: ORIGINAL_ID,
      requestedAt: '2026-12-01T00:00:00.000Z',
      alreadyGone: true,
      deleteAutomatedBackups: false,
    });
    expect(sentCommands(rdsMock)).toEqual(['DescribeDBInstancesCommand']);
  });

  it('does not delete again an instance already deleting', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DBInstanceStatus: 'deleting' }) });

    // Act
    const result = await deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID });

    // Assert
    expect(result.alreadyGone).toBe(false);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('deletes the temporary instance too', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance() });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    await deleteStep({ identifier: IDS.temporary, resourceId: NEW_ID });

    // Assert
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toStrictEqual({
      DBInstanceIdentifier: 'dev-next-openverse-db',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  it.each([
    ['the staging name', IDS.staging],
    ['production', IDS.production],
    ['a production-like name', 'prod-openverse-db-replica'],
    ['an unconfigured name', 'dev-something-else'],
  ])('refuses to delete %s, sending nothing', async (_what, identifier) => {
    // Arrange
    describeFrom(rdsMock, { [identifier]: makeDbInstance({ DeletionProtection: false }) });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    const err = await caught(() => deleteStep({ identifier, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('ProductionGuardRefused');
    expect(sentCommands(rdsMock)).toEqual([]);
  });

  it('fails with UnexpectedInstance when another instance holds the name, deleting nothing', async () => {
    // Arrange
    describeFrom(rdsMock, { [IDS.old]: makeDbInstance({ DbiResourceId: FOREIGN_ID, DeletionProtection: true }) });
    rdsMock.on(DeleteDBInstanceCommand).resolves({});

    // Act
    const err = await caught(() => deleteStep({ identifier: IDS.old, resourceId: ORIGINAL_ID }));

    // Assert
    expect(err.name).toBe('UnexpectedInstance');
    expect(err.message).toContain(FOREIGN_ID);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });
});
