import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import type { Identifiers } from '../../lambdas/shared/env';
import { RdsGuard } from '../../lambdas/shared/guard';

const REFUSED = 'ProductionGuardRefused';

const IDS: Identifiers = {
  production: 'prod-openverse-db',
  staging: 'dev-openverse-db',
  temporary: 'dev-next-openverse-db',
  old: 'dev-old-openverse-db',
};

const rds = new RDSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const rdsMock = mockClient(rds);

beforeEach(() => {
  rdsMock.reset();
  // Any command that gets through resolves, so a missing refusal shows up as a resolved promise.
  rdsMock.onAnyCommand().resolves({});
});

afterAll(() => rdsMock.restore());

function newGuard(ids: Identifiers = IDS): RdsGuard {
  return new RdsGuard(rds, ids);
}

/** A restore request as the restore step builds it, aimed at `target`. */
function restoreRequest(target: unknown): RestoreDBInstanceFromDBSnapshotCommandInput {
  return {
    DBInstanceIdentifier: target as string,
    DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-12-01-00-05',
    DBInstanceClass: 'db.t4g.medium',
    DBSubnetGroupName: 'staging-db-subnets',
    MultiAZ: false,
    DeletionProtection: true,
    Tags: [{ Key: 'staging-db-restore:execution', Value: 'run-2026-12' }],
  };
}

/** Runs `act` and returns what it rejected (or threw) with; fails the test if it resolved. */
async function refusalOf(act: () => Promise<unknown>): Promise<Error> {
  let outcome: { resolved: unknown } | { rejected: unknown };
  try {
    outcome = { resolved: await act() };
  } catch (err) {
    outcome = { rejected: err };
  }
  expect(outcome).toHaveProperty('rejected');
  const err = (outcome as { rejected: unknown }).rejected;
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Every mutating method, with `bad` in each of its identifier argument positions. */
const MUTATIONS: [string, (guard: RdsGuard, bad: unknown) => Promise<unknown>][] = [
  ['restore target', (g, bad) => g.restore(restoreRequest(bad))],
  ['rename source', (g, bad) => g.rename(bad as string, IDS.old)],
  ['rename target', (g, bad) => g.rename(IDS.staging, bad as string)],
  ['rename source (to temporary)', (g, bad) => g.rename(bad as string, IDS.temporary)],
  ['rename target (from temporary)', (g, bad) => g.rename(IDS.temporary, bad as string)],
  ['rename source and target', (g, bad) => g.rename(bad as string, bad as string)],
  ['disableDeletionProtection', (g, bad) => g.disableDeletionProtection(bad as string)],
  ['delete', (g, bad) => g.delete(bad as string)],
];

describe('RdsGuard: production-like identifiers are refused by every mutating method', () => {
  const PRODUCTION_LIKE: [string, unknown][] = [
    ['exact', 'prod-openverse-db'],
    ['upper prefix', 'PROD-openverse-db'],
    ['title case', 'Prod-Openverse-DB'],
    ['all upper', 'PROD-OPENVERSE-DB'],
    ['mixed case', 'pRoD-oPeNvErSe-Db'],
    ['prefix', 'x-prod-openverse-db'],
    ['dev- prefix', 'dev-prod-openverse-db'],
    ['suffix', 'prod-openverse-db-2'],
    ['copy suffix', 'prod-openverse-db-copy'],
    ['prod in the middle', 'xprodx'],
    ['prod at the end', 'dev-openverse-prod'],
    ['bare prod', 'prod'],
    ['production', 'production'],
    ['prod without hyphens', 'prodopenversedb'],
    ['leading space', ' prod-openverse-db'],
    ['trailing space', 'prod-openverse-db '],
    ['trailing newline', 'prod-openverse-db\n'],
    ['leading tab', '\tprod-openverse-db'],
    ['trailing NUL', 'prod-openverse-db\u0000'],
    ['CRLF', 'prod-openverse-db\r\n'],
    ['instance ARN', 'arn:aws:rds:us-east-1:123456789012:db:prod-openverse-db'],
    ['upper-case ARN', 'ARN:AWS:RDS:US-EAST-1:123456789012:DB:PROD-OPENVERSE-DB'],
    ['endpoint', 'prod-openverse-db.abcdefgh.us-east-1.rds.amazonaws.com'],
    ['snapshot name', 'rds:prod-openverse-db-2026-12-01-00-05'],
    ['underscores', 'prod_openverse_db'],
    ['trailing slash', 'prod-openverse-db/'],
    ['full-width prod', 'ｐｒｏｄ-openverse-db'],
    ['full-width upper PROD', 'ＰＲＯＤ-openverse-db'],
    ['full-width everything', 'ｐｒｏｄ－ｏｐｅｎｖｅｒｓｅ－ｄｂ'],
    ['Cyrillic er (U+0440)', 'рrod-openverse-db'],
    ['Cyrillic o (U+043E)', 'prоd-openverse-db'],
    ['zero-width space inside', 'p\u200brod-openverse-db'],
    ['zero-width joiner after', 'prod-openverse-db\u200d'],
    ['soft hyphen', 'pro\u00add-openverse-db'],
    ['combining accent', 'pro\u0301d-openverse-db'],
    ['undefined', undefined],
    ['null', null],
    ['number', 42],
    ['boolean', true],
    ['empty object', {}],
    ['object with a production name', { DBInstanceIdentifier: 'prod-openverse-db' }],
    ['object whose toString is an allowed name', { toString: () => 'dev-next-openverse-db' }],
    ['String object', new String('prod-openverse-db')],
    ['array', ['prod-openverse-db']],
    ['array of an allowed name', ['dev-next-openverse-db']],
    ['empty array', []],
    ['empty string', ''],
  ];

  it('has a table of at least 40 production-like variants', () => {
    // Arrange / Act: the table above
    // Assert
    expect(PRODUCTION_LIKE.length).toBeGreaterThanOrEqual(40);
  });

  const cases = MUTATIONS.flatMap(([method, call]) =>
    PRODUCTION_LIKE.map(([variant, value]) => [method, variant, call, value] as const),
  );

  it.each(cases)('%s refuses %s, sending nothing', async (_method, _variant, call, value) => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => call(guard, value));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it.each(PRODUCTION_LIKE)('check() refuses %s for every role', (_variant, value) => {
    // Arrange
    const guard = newGuard();

    // Act
    const act = () => guard.check(value, ['staging', 'temporary', 'old'], 'test target');

    // Assert
    expect(act).toThrow(expect.objectContaining({ name: REFUSED }));
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('refuses a production identifier that does not contain "prod"', async () => {
    // Arrange
    const guard = newGuard({ ...IDS, production: 'main-db' });

    // Act
    const results = await Promise.all(MUTATIONS.map(([, call]) => refusalOf(() => call(guard, 'main-db'))));

    // Assert
    for (const err of results) expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('RdsGuard: only canonical lower-case identifiers are accepted', () => {
  const NON_CANONICAL = [
    'DEV-OPENVERSE-DB',
    'Dev-Openverse-Db',
    'DEV-NEXT-OPENVERSE-DB',
    'dev-Next-openverse-db',
    'DEV-OLD-OPENVERSE-DB',
    ' dev-next-openverse-db',
    'dev-old-openverse-db ',
    'arn:aws:rds:us-east-1:123456789012:db:dev-next-openverse-db',
  ];
  const cases = MUTATIONS.flatMap(([method, call]) => NON_CANONICAL.map((value) => [method, value, call] as const));

  it.each(cases)('%s refuses %j, sending nothing', async (_method, value, call) => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => call(guard, value));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it.each(MUTATIONS)('%s refuses a well-formed name that is not configured', async (_method, call) => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => call(guard, 'dev-other-openverse-db'));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('RdsGuard: the configuration itself must be safe', () => {
  const roles = ['staging', 'temporary', 'old'] as const;
  const unsafe = ['prod-openverse-db', 'dev-prod', 'xprodx', 'PROD-OPENVERSE-DB', 'ｐｒｏｄ-openverse-db', 'рrod-db'];
  const cases = roles.flatMap((role) => unsafe.map((value) => [role, value] as const));

  it.each(cases)('refuses to construct with %s = %j', (role, value) => {
    // Arrange
    const ids = { ...IDS, [role]: value };

    // Act
    const act = () => newGuard(ids);

    // Assert
    expect(act).toThrow(expect.objectContaining({ name: REFUSED }));
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it.each(roles)('refuses to construct with %s equal to the production identifier', (role) => {
    // Arrange
    const ids = { ...IDS, production: 'main-db', [role]: 'main-db' };

    // Act
    const act = () => newGuard(ids);

    // Assert
    expect(act).toThrow(expect.objectContaining({ name: REFUSED }));
  });

  // Regression, found by guard.property.test.ts: a production identifier with an invisible character (or a
  // look-alike letter...) compared unequal to the staging name it stood for, so staging could be mutated.
  it.each([
    ['a zero-width space', '\u200bdev-openverse-db'],
    ['a Cyrillic look-alike', 'dеv-openverse-db'],
    ['padding', ' dev-openverse-db\n'],
    ['an ARN', 'arn:aws:rds:us-east-1:123456789012:db:dev-openverse-db'],
    ['an empty string', ''],
  ])('refuses every mutation when the production identifier is not an RDS identifier: %s', (_what, production) => {
    // Arrange
    const ids = { ...IDS, production };

    // Act
    const act = () => newGuard(ids);

    // Assert
    expect(act).toThrow(
      expect.objectContaining({ name: REFUSED, message: expect.stringMatching(/production identifier/) }),
    );
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('constructs with the default configuration', () => {
    // Arrange / Act
    const act = () => newGuard();

    // Assert
    expect(act).not.toThrow();
  });
});

describe('RdsGuard.restore', () => {
  it('restores to the temporary identifier, sending the request unchanged', async () => {
    // Arrange
    const guard = newGuard();
    const request = restoreRequest(IDS.temporary);

    // Act
    await guard.restore(request);

    // Assert
    expect(rdsMock.calls()).toHaveLength(1);
    const [call] = rdsMock.commandCalls(RestoreDBInstanceFromDBSnapshotCommand);
    expect(call!.args[0].input).toEqual(request);
  });

  it('returns what RDS returned', async () => {
    // Arrange
    const guard = newGuard();
    rdsMock
      .on(RestoreDBInstanceFromDBSnapshotCommand)
      .resolves({ DBInstance: { DBInstanceIdentifier: IDS.temporary, DbiResourceId: 'db-NEW' } });

    // Act
    const out = await guard.restore(restoreRequest(IDS.temporary));

    // Assert
    expect(out.DBInstance?.DbiResourceId).toBe('db-NEW');
  });

  it.each([IDS.staging, IDS.old])('refuses to restore to %s', async (target) => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => guard.restore(restoreRequest(target)));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('RdsGuard.rename', () => {
  const names = [IDS.staging, IDS.temporary, IDS.old];
  const pairs = names.flatMap((from) => names.filter((to) => to !== from).map((to) => [from, to] as const));

  it.each(pairs)('renames %s to %s at once', async (from, to) => {
    // Arrange
    const guard = newGuard();

    // Act
    await guard.rename(from, to);

    // Assert
    expect(rdsMock.calls()).toHaveLength(1);
    const [call] = rdsMock.commandCalls(ModifyDBInstanceCommand);
    expect(call!.args[0].input).toEqual({
      DBInstanceIdentifier: from,
      NewDBInstanceIdentifier: to,
      ApplyImmediately: true,
    });
  });

  it.each(names)('refuses to rename %s to itself', async (name) => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => guard.rename(name, name));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('RdsGuard.disableDeletionProtection and RdsGuard.delete', () => {
  it.each([IDS.temporary, IDS.old])('turns deletion protection off on %s', async (name) => {
    // Arrange
    const guard = newGuard();

    // Act
    await guard.disableDeletionProtection(name);

    // Assert
    expect(rdsMock.calls()).toHaveLength(1);
    const [call] = rdsMock.commandCalls(ModifyDBInstanceCommand);
    expect(call!.args[0].input).toEqual({
      DBInstanceIdentifier: name,
      DeletionProtection: false,
      ApplyImmediately: true,
    });
  });

  it.each([IDS.temporary, IDS.old])('deletes %s without a final snapshot, keeping automated backups', async (name) => {
    // Arrange
    const guard = newGuard();

    // Act
    await guard.delete(name);

    // Assert
    expect(rdsMock.calls()).toHaveLength(1);
    const [call] = rdsMock.commandCalls(DeleteDBInstanceCommand);
    expect(call!.args[0].input).toEqual({
      DBInstanceIdentifier: name,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  it('deletes the automated backups too only when asked', async () => {
    // Arrange
    const guard = newGuard();

    // Act
    await guard.delete(IDS.old, true);

    // Assert
    expect(rdsMock.commandCalls(DeleteDBInstanceCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: IDS.old,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
  });

  it('refuses to delete staging', async () => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => guard.delete(IDS.staging));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('refuses to turn deletion protection off on staging', async () => {
    // Arrange
    const guard = newGuard();

    // Act
    const err = await refusalOf(() => guard.disableDeletionProtection(IDS.staging));

    // Assert
    expect(err.name).toBe(REFUSED);
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('every RDS mutation goes through the guard (static check of lambdas/)', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const LAMBDAS = path.join(ROOT, 'lambdas');
  const GUARD = 'lambdas/shared/guard.ts';
  const MUTATING_COMMANDS = [
    'RestoreDBInstanceFromDBSnapshotCommand',
    'ModifyDBInstanceCommand',
    'DeleteDBInstanceCommand',
    'RebootDBInstanceCommand',
    'StopDBInstanceCommand',
    'AddTagsToResourceCommand',
    'RemoveTagsFromResourceCommand',
  ];
  /** The aggregated `RDS` client's methods for the same operations (another way around the guard). */
  const MUTATING_METHODS = [
    'restoreDBInstanceFromDBSnapshot',
    'modifyDBInstance',
    'deleteDBInstance',
    'rebootDBInstance',
    'stopDBInstance',
    'addTagsToResource',
    'removeTagsFromResource',
  ];

  /** Whole-word reference: `XCommand`, not the input/output types `XCommandInput` / `XCommandOutput`. */
  function references(text: string, name: string): boolean {
    return new RegExp(`\\b${name}\\b`).test(text);
  }

  function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(full);
      return entry.isFile() && entry.name.endsWith('.ts') ? [full] : [];
    });
  }
  const sources = tsFiles(LAMBDAS).map((file) => ({
    file: path.relative(ROOT, file).split(path.sep).join('/'),
    text: fs.readFileSync(file, 'utf8'),
  }));

  it('finds the guard and the step sources', () => {
    // Arrange / Act: the scan above
    // Assert
    expect(sources.map((s) => s.file)).toEqual(
      expect.arrayContaining([
        GUARD,
        'lambdas/restore/restore.ts',
        'lambdas/rename/rename.ts',
        'lambdas/delete/delete.ts',
        'lambdas/rollback/rollback.ts',
      ]),
    );
  });

  it('tells a command from its input and output types', () => {
    // Arrange
    const typeOnly = "import type { ModifyDBInstanceCommandInput } from '@aws-sdk/client-rds';";
    const command = 'await rds.send(new ModifyDBInstanceCommand({}));';

    // Act / Assert
    expect(references(typeOnly, 'ModifyDBInstanceCommand')).toBe(false);
    expect(references(command, 'ModifyDBInstanceCommand')).toBe(true);
  });

  it('the guard itself references the commands it sends', () => {
    // Arrange
    const guard = sources.find((s) => s.file === GUARD)!;

    // Act
    const used = MUTATING_COMMANDS.filter((name) => references(guard.text, name));

    // Assert
    expect(used).toEqual(
      expect.arrayContaining([
        'RestoreDBInstanceFromDBSnapshotCommand',
        'ModifyDBInstanceCommand',
        'DeleteDBInstanceCommand',
      ]),
    );
  });

  it('no file other than the guard references a mutating RDS command', () => {
    // Arrange
    const others = sources.filter((s) => s.file !== GUARD);

    // Act
    const offenders = others.flatMap((s) =>
      MUTATING_COMMANDS.filter((name) => references(s.text, name)).map((name) => `${s.file}: ${name}`),
    );

    // Assert
    expect(offenders).toEqual([]);
  });

  it('no file other than the guard calls a mutating method of the aggregated RDS client', () => {
    // Arrange
    const others = sources.filter((s) => s.file !== GUARD);

    // Act
    const offenders = others.flatMap((s) =>
      MUTATING_METHODS.filter((name) => new RegExp(`\\b${name}\\s*\\(`).test(s.text)).map(
        (name) => `${s.file}: ${name}`,
      ),
    );

    // Assert
    expect(offenders).toEqual([]);
  });

  it('no file other than the guard imports @aws-sdk/client-rds as a namespace', () => {
    // Arrange
    const others = sources.filter((s) => s.file !== GUARD);

    // Act
    const offenders = others
      .filter(
        (s) =>
          /import\s+\*\s+as\s+\w+\s+from\s+['"]@aws-sdk\/client-rds['"]/.test(s.text) ||
          /require\(\s*['"]@aws-sdk\/client-rds['"]\s*\)/.test(s.text),
      )
      .map((s) => s.file);

    // Assert
    expect(offenders).toEqual([]);
  });

  it.each([
    'lambdas/restore/restore.ts',
    'lambdas/rename/rename.ts',
    'lambdas/delete/delete.ts',
    'lambdas/rollback/rollback.ts',
  ])('%s imports RdsGuard from the shared guard', (file) => {
    // Arrange
    const source = sources.find((s) => s.file === file)!;

    // Act
    const imports = /import\s*\{[^}]*\bRdsGuard\b[^}]*\}\s*from\s*['"]\.\.\/shared\/guard['"]/.test(source.text);

    // Assert
    expect(imports).toBe(true);
  });
});
