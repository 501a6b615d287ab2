import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/reset-password/reset-password';
import { caught, clock, describeFrom, IDS, makeNewInstance, mutatingCommands, NEW_ID, newRdsClient } from './fixtures';

const rdsMock = mockClient(RDSClient);
const credentials = { username: 'deploy', password: 'staging-secret-pw' };
const reset = makeHandler({ rds: newRdsClient(), ids: IDS, clock, readCredentials: async () => credentials });

beforeEach(() => rdsMock.reset());
afterAll(() => rdsMock.restore());

describe('reset-password', () => {
  it("sets the restored copy's master password to staging's, at once", async () => {
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ MasterUsername: 'deploy' }) });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});

    const result = await reset({ identifier: IDS.temporary, resourceId: NEW_ID });

    expect(result).toEqual({ identifier: IDS.temporary, requestedAt: '2026-12-01T00:00:00.000Z' });
    expect(rdsMock.commandCalls(ModifyDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: IDS.temporary,
      MasterUserPassword: 'staging-secret-pw',
      ApplyImmediately: true,
    });
  });

  it('refuses when the secret names another user than the master user, before changing anything', async () => {
    describeFrom(rdsMock, { [IDS.temporary]: makeNewInstance({ MasterUsername: 'openverse_admin' }) });

    const err = await caught(() => reset({ identifier: IDS.temporary, resourceId: NEW_ID }));

    expect(err.name).toBe('PreconditionFailed');
    expect(err.message).toContain('openverse_admin');
    expect(err.message).not.toContain(credentials.password);
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it.each([IDS.staging, IDS.old, IDS.production])('never touches %s', async (identifier) => {
    describeFrom(rdsMock, { [identifier]: makeNewInstance({ MasterUsername: 'deploy' }) });

    const err = await caught(() => reset({ identifier, resourceId: NEW_ID }));

    expect(err.name).toBe('ProductionGuardRefused');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });

  it('refuses an instance other than the restored one', async () => {
    describeFrom(rdsMock, {
      [IDS.temporary]: makeNewInstance({ DbiResourceId: 'db-OTHER', MasterUsername: 'deploy' }),
    });

    const err = await caught(() => reset({ identifier: IDS.temporary, resourceId: NEW_ID }));

    expect(err.name).toBe('UnexpectedInstance');
    expect(mutatingCommands(rdsMock)).toEqual([]);
  });
});
