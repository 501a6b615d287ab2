import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DescribeDBInstancesCommandInput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../../lib/config';
import { makeHandler as makeApplySettings } from '../../lambdas/apply-settings/apply-settings';
import { makeHandler as makeDelete } from '../../lambdas/delete/delete';
import { makeHandler as makeLeftovers } from '../../lambdas/leftovers/leftovers';
import { makeHandler as makeRename } from '../../lambdas/rename/rename';
import { makeHandler as makeResetPassword } from '../../lambdas/reset-password/reset-password';
import { makeHandler as makeRestore } from '../../lambdas/restore/restore';
import { makeHandler as makeRollback } from '../../lambdas/rollback/rollback';
import type { ConnectOptions } from '../../lambdas/sanitize/sanitize';
import { makeHandler as makeSanitize } from '../../lambdas/sanitize/sanitize';
import { CREATED_BY_TAG } from '../../lambdas/shared/contract';
import type { Identifiers } from '../../lambdas/shared/env';
import { RdsGuard } from '../../lambdas/shared/guard';
import { clock, EXECUTION, IDS, makeDbInstance, makeStagingConfig, notFound, SNAPSHOT_INFO } from './fixtures';

/**
 * The guard's property: no mutating call can ever target production, whatever the identifiers and inputs.
 *
 * fast-check generates adversarial identifiers (case variants, Unicode look-alikes, invisible characters,
 * padding, ARNs, endpoints, snapshot names, prefixes/suffixes/slices of the production name, non-strings)
 * and adversarial configurations (a role or production itself in another form). They drive every mutating
 * method of RdsGuard and the real entry points (`makeHandler(deps)(event)`) of every step that uses it, with
 * the RDS client mocked by aws-sdk-client-mock recording what is sent. Every sent command's target fields
 * are checked against an independent oracle (`namesProduction`, which normalises case, Unicode, whitespace,
 * look-alikes and ARNs) and against the configured non-production names; refusals must send nothing.
 * A failure prints fast-check's counterexample and seed.
 */

const RUNS = { guardMethods: 5_000, perHandler: 1_000, config: 1_000 };
const MIN_TOTAL_CASES = 10_000;
let casesRun = 0;
const summary: string[] = [];

// ---------------------------------------------------------------------------------------------------------
// The oracle: does a value name production in any form? Deliberately independent of lambdas/shared.

/** Look-alikes that NFKC does not fold (Cyrillic, Greek, small capitals, dotless i...), to their Latin letter. */
const CONFUSABLE_TO_LATIN: Record<string, string> = {
  а: 'a',
  α: 'a',
  ɑ: 'a',
  ԁ: 'd',
  ɗ: 'd',
  е: 'e',
  ε: 'e',
  ѕ: 's',
  о: 'o',
  ο: 'o',
  σ: 'o',
  р: 'p',
  ρ: 'p',
  ʀ: 'r',
  ꭇ: 'r',
  г: 'r',
  с: 'c',
  ϲ: 'c',
  ո: 'n',
  η: 'n',
  ν: 'v',
  ѵ: 'v',
  і: 'i',
  ı: 'i',
  ɩ: 'i',
  ј: 'j',
  ԛ: 'q',
  х: 'x',
  у: 'y',
  ᴅ: 'd',
  ᴘ: 'p',
  ᴏ: 'o',
  ʙ: 'b',
  ь: 'b',
  ɡ: 'g',
  һ: 'h',
  ⅼ: 'l',
  ӏ: 'l',
};
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]/g;

/** Lowercase ASCII skeleton: NFKC, look-alikes mapped, marks/format/control/whitespace removed. */
function skeleton(value: string): string {
  return [
    ...value
      .normalize('NFKC')
      .replace(DASHES, '-')
      .normalize('NFD')
      .replace(/[\p{M}\p{Cf}\p{Cc}\p{Z}\s]/gu, ''),
  ]
    .map((c) => CONFUSABLE_TO_LATIN[c] ?? CONFUSABLE_TO_LATIN[c.toLowerCase()] ?? c)
    .join('')
    .toLowerCase();
}

/** True if `value` is, contains, wraps (ARN, endpoint, snapshot name) or looks like production. */
function namesProduction(value: unknown, production: string): boolean {
  if (value === undefined || value === null) return false;
  const s = skeleton(String(value));
  const p = skeleton(production);
  // Every run of identifier characters: the name inside an ARN, an endpoint's first label, a snapshot name...
  const tokens = s.split(/[^a-z0-9-]+/).filter(Boolean);
  return s.includes('prod') || s === p || tokens.includes(p);
}

const CANONICAL = /^[a-z][a-z0-9-]{0,62}$/;
const ROLES = ['staging', 'temporary', 'old'] as const;
type Role = (typeof ROLES)[number];

/** A configuration the guard may act on: every name canonical, none of the three production-like. */
function configSafe(ids: Identifiers): boolean {
  return (
    typeof ids.production === 'string' &&
    CANONICAL.test(ids.production.toLowerCase()) &&
    ROLES.every((r) => typeof ids[r] === 'string' && CANONICAL.test(ids[r]) && !namesProduction(ids[r], ids.production))
  );
}

/** Fields of an RDS request that name what it changes (DBSnapshotIdentifier is a restore's *source*). */
const TARGET_FIELDS = [
  'DBInstanceIdentifier',
  'NewDBInstanceIdentifier',
  'ResourceName',
  'SourceDBInstanceIdentifier',
  'TargetDBInstanceIdentifier',
  'DBClusterIdentifier',
  'DBSnapshotIdentifier',
];

function targetsOf(command: { constructor: { name: string }; input: object }): [string, unknown][] {
  const input = command.input as Record<string, unknown>;
  return TARGET_FIELDS.filter((f) => f in input)
    .filter(
      (f) => !(f === 'DBSnapshotIdentifier' && command.constructor.name === 'RestoreDBInstanceFromDBSnapshotCommand'),
    )
    .map((f) => [f, input[f]]);
}

const isRead = (name: string) => /^(Describe|List|Get|Download)/.test(name);

type Sent = { name: string; command: { constructor: { name: string }; input: object } };

function sentBy(mock: AwsClientStub<RDSClient>): Sent[] {
  return mock.calls().map((c) => {
    const command = c.args[0] as unknown as Sent['command'];
    return { name: command.constructor.name, command };
  });
}

/** Every mutating command sent names only configured non-production instances. Returns the violations. */
function productionTargets(sent: Sent[], ids: Identifiers): string[] {
  const allowed = new Set(ROLES.map((r) => ids[r]));
  return sent
    .filter((s) => !isRead(s.name))
    .flatMap((s) =>
      targetsOf(s.command)
        .filter(([, v]) => namesProduction(v, ids.production) || !allowed.has(v as string))
        .map(([f, v]) => `${s.name}.${f} = ${JSON.stringify(v)}`),
    );
}

// ---------------------------------------------------------------------------------------------------------
// Generators.

const PRODUCTION_NAMES = ['prod-openverse-db', 'main-db', 'openverse-db', 'db-production-1', 'live'];

/** Latin letter → look-alikes (some folded by NFKC: full-width, mathematical; some not: Cyrillic, Greek). */
const LOOKALIKES: Record<string, string[]> = {};
for (const [other, latin] of Object.entries(CONFUSABLE_TO_LATIN)) (LOOKALIKES[latin] ??= []).push(other);
for (let code = 0x61; code <= 0x7a; code++) {
  const c = String.fromCharCode(code);
  (LOOKALIKES[c] ??= []).push(String.fromCharCode(0xff41 + code - 0x61), String.fromCodePoint(0x1d41a + code - 0x61));
}
LOOKALIKES['-'] = ['‐', '‑', '‒', '–', '−', '－', '_', '.', ' ', '\u00ad'];

const PADDING = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\ufeff',
  '\u200b',
  '\u200d',
  '\u2060',
  '\u0000',
  '\u180e',
];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\u0301', '\u0307', '\ufeff'];

type Transform = (s: string) => string;

/** A run of `chars` (fc.stringMatching is far slower to generate from). */
function stringOf(chars: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...chars), { minLength, maxLength }).map((cs) => cs.join(''));
}
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const IDENTIFIER_CHARS = `${LOWER}0123456789-`;
/** A well-formed RDS identifier: a letter, then letters, digits or hyphens. */
const wellFormed = fc.tuple(fc.constantFrom(...LOWER), stringOf(IDENTIFIER_CHARS, 0, 20)).map(([a, b]) => a + b);

const caseVariant: fc.Arbitrary<Transform> = fc
  .array(fc.boolean(), { minLength: 1, maxLength: 64 })
  .map((flags) => (s) => [...s].map((c, i) => (flags[i % flags.length] ? c.toUpperCase() : c.toLowerCase())).join(''));

const lookalike: fc.Arbitrary<Transform> = fc
  .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.nat())
  .map(([positions, pick]) => (s) => {
    const chars = [...s];
    for (const p of positions) {
      const i = p % Math.max(chars.length, 1);
      const options = LOOKALIKES[chars[i]?.toLowerCase() ?? ''];
      if (options) chars[i] = options[(pick + p) % options.length]!;
    }
    return chars.join('');
  });

const padding: fc.Arbitrary<Transform> = fc
  .tuple(fc.subarray(PADDING, { maxLength: 2 }), fc.subarray(PADDING, { maxLength: 2 }))
  .map(
    ([before, after]) =>
      (s) =>
        `${before.join('')}${s}${after.join('')}`,
  );

const invisible: fc.Arbitrary<Transform> = fc.tuple(fc.constantFrom(...INVISIBLE), fc.nat()).map(([c, at]) => (s) => {
  const i = at % (s.length + 1);
  return s.slice(0, i) + c + s.slice(i);
});

const wrapper: fc.Arbitrary<Transform> = fc.constantFrom<Transform>(
  (s) => `arn:aws:rds:us-east-1:123456789012:db:${s}`,
  (s) => `arn:aws-us-gov:rds:us-gov-west-1:123456789012:db:${s}`,
  (s) => `ARN:AWS:RDS:EU-WEST-1:123456789012:DB:${s}`,
  (s) => `arn:aws:rds:us-east-1:123456789012:snapshot:rds:${s}-2026-12-01-00-05`,
  (s) => `${s}.abcdefgh1234.us-east-1.rds.amazonaws.com`,
  (s) => `${s}.abcdefgh1234.us-east-1.rds.amazonaws.com:5432`,
  (s) => `rds:${s}-2026-12-01-00-05`,
  (s) => `db:${s}`,
  (s) => `${s}/`,
  (s) => `"${s}"`,
  (s) => `postgres://deploy@${s}:5432/openverse`,
);

const affix: fc.Arbitrary<Transform> = fc
  .tuple(
    fc.oneof(fc.constantFrom('', 'x-', 'dev-', 'a', 'stg-', 'copy-of-', 'not-'), stringOf(IDENTIFIER_CHARS, 0, 6)),
    fc.oneof(fc.constantFrom('', '-2', '-copy', 'x', '-old', '-next', '-db'), stringOf(IDENTIFIER_CHARS, 0, 6)),
  )
  .map(
    ([before, after]) =>
      (s) =>
        `${before}${s}${after}`,
  );

/** A prefix, suffix or infix of the name (e.g. "prod-openverse", "rod-openverse-db"). */
const slice: fc.Arbitrary<Transform> = fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s) => {
  const [i, j] = [a % (s.length + 1), b % (s.length + 1)].sort((x, y) => x - y);
  return s.slice(i!, Math.max(j!, i! + 1));
});

const transforms: fc.Arbitrary<Transform[]> = fc.array(
  fc.oneof(caseVariant, lookalike, padding, invisible, wrapper, affix, slice),
  { minLength: 1, maxLength: 3 },
);

/** `base` in another form: one to three transformations composed. */
function variantOf(base: string): fc.Arbitrary<string> {
  return transforms.map((ts) => ts.reduce((s, t) => t(s), base));
}

const NON_STRINGS: unknown[] = [
  undefined,
  null,
  42,
  0,
  true,
  {},
  [],
  ['prod-openverse-db'],
  ['dev-next-openverse-db'],
  { DBInstanceIdentifier: 'prod-openverse-db' },
  { toString: () => 'dev-next-openverse-db' },
  new String('dev-next-openverse-db'),
  Symbol('dev-next-openverse-db'),
];

/** A configuration: usually the default one, sometimes adversarial (a role or production in another form). */
const identifiers: fc.Arbitrary<Identifiers> = fc
  .tuple(fc.constantFrom(...PRODUCTION_NAMES), fc.nat(9))
  .chain(([production, mode]) => {
    const base: Identifiers = { ...IDS, production };
    if (mode < 6) return fc.constant(base);
    if (mode < 8) {
      // One role configured as production in another form.
      return fc
        .tuple(fc.constantFrom(...ROLES), variantOf(production))
        .map(([role, value]) => ({ ...base, [role]: value }));
    }
    // Production configured as another form of one of the allowed names.
    return fc
      .tuple(
        fc.constantFrom(...ROLES),
        fc.oneof(
          fc.constant((s: string) => s),
          ...[caseVariant, padding, invisible, lookalike],
        ),
      )
      .map(([role, t]) => ({ ...base, production: t(base[role]) }));
  });

/** An identifier argument aimed at this configuration: mostly production-like, sometimes exactly allowed. */
function identifierFor(ids: Identifiers): fc.Arbitrary<unknown> {
  const names = ROLES.map((r) => ids[r]);
  return fc.oneof(
    { weight: 6, arbitrary: variantOf(ids.production) },
    { weight: 2, arbitrary: fc.constantFrom(...names).chain(variantOf) },
    { weight: 8, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}${ids.production}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 70 }) },
    { weight: 1, arbitrary: wellFormed },
    { weight: 1, arbitrary: fc.constantFrom(...NON_STRINGS) },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Running.

const rds = new RDSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const rdsMock = mockClient(rds);
afterAll(() => rdsMock.restore());

type Outcome = { ok: true } | { ok: false; name: string };

async function outcomeOf(act: () => Promise<unknown>): Promise<Outcome> {
  try {
    await act();
    return { ok: true };
  } catch (err) {
    return { ok: false, name: (err as Error)?.name ?? String(err) };
  }
}

/** What RDS holds in the current case (set by serve). */
let currentWorld = new Map<string, DBInstance>();
// Registered once (re-registering sinon stubs per case cost most of the run time); the catch-all first: a
// later, more specific behaviour takes precedence over it.
rdsMock.onAnyCommand().resolves({ DBInstance: { DbiResourceId: 'db-NEWRESTORED000000000000001' } });
rdsMock.on(DescribeDBInstancesCommand).callsFake((input: DescribeDBInstancesCommandInput) => {
  const db = currentWorld.get(input.DBInstanceIdentifier ?? '');
  if (!db) throw notFound(input.DBInstanceIdentifier);
  return { DBInstances: [{ ...db, DBInstanceIdentifier: input.DBInstanceIdentifier }] };
});

rdsMock.on(DescribeDBSnapshotsCommand).callsFake((input: { DBSnapshotIdentifier?: string }) => ({
  DBSnapshots: [{ DBSnapshotIdentifier: input.DBSnapshotIdentifier, Engine: 'postgres', AllocatedStorage: 100 }],
}));

/** Answers DescribeDBInstances from `world` from now on (any mutation "succeeds"); forgets earlier calls. */
function serve(world: Map<string, DBInstance>): void {
  currentWorld = world;
  rdsMock.resetHistory();
}

function show(value: unknown): string {
  return typeof value === 'symbol' ? value.toString() : (JSON.stringify(value) ?? String(value));
}

describe('RdsGuard, adversarially: every mutating method', () => {
  /** Each mutating method of RdsGuard: how to call it with `arg` in its target position(s), and what it may target. */
  const METHODS: Record<
    string,
    {
      roles: readonly Role[];
      call: (g: RdsGuard, arg: unknown, ids: Identifiers) => Promise<unknown>;
      /** A rename's other end: renaming an instance to its own name is refused too. */
      other?: (ids: Identifiers, arg: unknown) => unknown;
    }
  > = {
    restore: {
      roles: ['temporary'],
      call: (g, arg) =>
        g.restore({
          DBInstanceIdentifier: arg as string,
          DBSnapshotIdentifier: 'rds:prod-openverse-db-2026-12-01-00-05',
        }),
    },
    rename: { roles: ROLES, call: (g, arg, ids) => g.rename(arg as string, ids.old), other: (ids) => ids.old },
    'rename (target)': {
      roles: ROLES,
      call: (g, arg, ids) => g.rename(ids.staging, arg as string),
      other: (ids) => ids.staging,
    },
    'rename (both)': {
      roles: ROLES,
      call: (g, arg) => g.rename(arg as string, arg as string),
      other: (_ids, arg) => arg,
    },
    disableDeletionProtection: {
      roles: ['temporary', 'old'],
      call: (g, arg) => g.disableDeletionProtection(arg as string),
    },
    setMasterPassword: { roles: ['temporary'], call: (g, arg) => g.setMasterPassword(arg as string, 'pw') },
    delete: { roles: ['temporary', 'old'], call: (g, arg) => g.delete(arg as string) },
    applySettings: {
      roles: ['staging'],
      call: (g, arg) => g.applySettings({ DBInstanceIdentifier: arg as string, DeletionProtection: true }),
    },
  };

  it('has a driver for every mutating method of RdsGuard (a new method is covered or this fails)', () => {
    // Arrange
    const methods = Object.getOwnPropertyNames(RdsGuard.prototype).filter((m) => !['constructor', 'check'].includes(m));

    // Act
    const undriven = methods.filter((m) => !Object.keys(METHODS).some((k) => k.split(' ')[0] === m));

    // Assert
    expect(methods.length).toBeGreaterThanOrEqual(5);
    expect(undriven).toEqual([]);
  });

  it(`sends exactly when the configuration is safe and the target is allowed, never to production (${RUNS.guardMethods} cases)`, async () => {
    // Arrange
    const cases = identifiers.chain((ids) =>
      fc.record({ ids: fc.constant(ids), method: fc.constantFrom(...Object.keys(METHODS)), arg: identifierFor(ids) }),
    );
    const stats = { sent: 0, refused: 0 };

    // Act / Assert
    await fc.assert(
      fc.asyncProperty(cases, async ({ ids, method, arg }) => {
        casesRun++;
        serve(new Map());
        const { roles, call, other } = METHODS[method]!;
        const outcome = await outcomeOf(async () => call(new RdsGuard(rds, ids), arg, ids));
        const sent = sentBy(rdsMock);

        const allowed = typeof arg === 'string' && roles.some((r) => ids[r] === arg);
        const expected = configSafe(ids) && allowed && (!other || other(ids, arg) !== arg);
        if (outcome.ok) stats.sent++;
        else stats.refused++;
        // Plain checks, not expect(): thousands of runs; fast-check prints the counterexample with the message.
        const problems = productionTargets(sent, ids);
        // Refused: nothing was sent at all. Accepted: exactly one request.
        if (outcome.ok !== expected)
          problems.push(`expected ${expected ? 'a send' : 'a refusal'}, got ${outcome.ok ? 'a send' : outcome.name}`);
        if (sent.length !== (outcome.ok ? 1 : 0))
          problems.push(`${sent.length} request(s) sent: ${sent.map((c) => c.name).join(', ')}`);
        if (!outcome.ok && outcome.name !== 'ProductionGuardRefused') problems.push(`rejected with ${outcome.name}`);
        if (problems.length) throw new Error(`${method}(${show(arg)}): ${problems.join('; ')}`);
      }),
      { numRuns: RUNS.guardMethods },
    );

    // The property was not vacuous: both sides were exercised.
    expect(stats.sent).toBeGreaterThan(RUNS.guardMethods / 20);
    expect(stats.refused).toBeGreaterThan(RUNS.guardMethods / 2);
    summary.push(`guard methods: ${RUNS.guardMethods} cases, ${stats.sent} sent, ${stats.refused} refused`);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The handlers' real entry points.

interface Driver {
  /** A whole event for the handler, from adversarial identifiers. */
  event(ids: Identifiers): fc.Arbitrary<Record<string, unknown>>;
  /** What RDS holds, for this event. */
  world(ids: Identifiers, event: Record<string, unknown>): fc.Arbitrary<Map<string, DBInstance>>;
  run(ids: Identifiers, event: Record<string, unknown>, record: { connects: ConnectOptions[] }): Promise<unknown>;
}

const RESOURCE_ID = 'db-ORIGINALSTAGING0000000001';
const STATUSES = [
  'available',
  'available',
  'creating',
  'modifying',
  'renaming',
  'rebooting',
  'deleting',
  'failed',
  'stopped',
];

/** An instance under some name: whatever the handler expects there, or something else. */
function instanceFor(name: string, resourceId: string, extra: Partial<DBInstance> = {}): fc.Arbitrary<DBInstance> {
  return fc
    .record({
      status: fc.constantFrom(...STATUSES),
      mine: fc.boolean(),
      protectedDb: fc.boolean(),
      tagged: fc.boolean(),
    })
    .map(({ status, mine, protectedDb, tagged }) =>
      makeDbInstance({
        DBInstanceIdentifier: name,
        DbiResourceId: mine ? resourceId : 'db-SOMEBODYELSE00000000000001',
        DBInstanceStatus: status,
        DeletionProtection: protectedDb,
        MasterUsername: 'deploy',
        Endpoint: { Address: `${name}.abcdefgh1234.us-east-1.rds.amazonaws.com`, Port: 5432 },
        TagList: tagged ? [{ Key: CREATED_BY_TAG, Value: EXECUTION.name }] : [],
        ...extra,
      }),
    );
}

/**
 * What RDS holds: production always (looking as much like ours as it can: our tag, the expected resource id),
 * and under each of `names` either what the handler hopes for (`hopes`, half of the time) or anything.
 */
function worldOf(
  ids: Identifiers,
  names: unknown[],
  resourceId: string,
  hopes: Record<string, 'absent' | 'ready' | 'ours' | 'this-run'> = {},
): fc.Arbitrary<Map<string, DBInstance>> {
  const keys = [...new Set(names.filter((n): n is string => typeof n === 'string'))];
  const endpoint = (name: string) => ({ Address: `${name}.abcdefgh1234.us-east-1.rds.amazonaws.com`, Port: 5432 });
  return fc
    .tuple(
      fc.boolean(),
      fc.array(fc.option(instanceFor('x', resourceId), { freq: 3 }), {
        minLength: keys.length,
        maxLength: keys.length,
      }),
      instanceFor(ids.production, resourceId, {
        DbiResourceId: resourceId,
        TagList: [{ Key: CREATED_BY_TAG, Value: EXECUTION.name }],
      }),
    )
    .map(([hopeful, dbs, production]) => {
      const world = new Map<string, DBInstance>([[ids.production, production]]);
      keys.forEach((k, i) => {
        const hope = hopeful ? hopes[k] : undefined;
        const db =
          hope === 'absent'
            ? null
            : hope === 'ready' || hope === 'ours' || hope === 'this-run'
              ? makeDbInstance({
                  DbiResourceId: resourceId,
                  MasterUsername: 'deploy',
                  DeletionProtection: i % 2 === 0,
                  // Created by this tool (an earlier run, or this one): what leftovers and rollback may delete.
                  ...(hope === 'ours' ? { TagList: [{ Key: CREATED_BY_TAG, Value: 'run-2026-11' }] } : {}),
                  ...(hope === 'this-run'
                    ? {
                        DbiResourceId: 'db-NEWRESTORED000000000000001',
                        TagList: [{ Key: CREATED_BY_TAG, Value: EXECUTION.name }],
                      }
                    : {}),
                })
              : dbs[i];
        if (db) world.set(k, { ...db, DBInstanceIdentifier: k, Endpoint: endpoint(k) });
        else world.delete(k);
      });
      return world;
    });
}

const BOUND = { maxSeconds: 7200, pollSeconds: 60, settleSeconds: 0 };

/** Step Functions for the leftovers step: every execution a leftover's tag names is over. */
const finishedExecutions = new SFNClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
mockClient(finishedExecutions)
  .on(DescribeExecutionCommand)
  .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

/** Drivers by the source file whose handler they drive. Every file calling a mutating guard method needs one. */
const DRIVERS: Record<string, Driver> = {
  'lambdas/restore/restore.ts': {
    event: (ids) =>
      fc
        .record({
          instance: fc.oneof(fc.constant(ids.production), variantOf(ids.production), identifierFor(ids)),
          staging: fc.constantFrom(makeStagingConfig(), makeStagingConfig({ identifier: ids.production })),
        })
        .map(({ instance, staging }) => ({ execution: EXECUTION, snapshot: { ...SNAPSHOT_INFO, instance }, staging })),
    world: (ids) => worldOf(ids, [ids.temporary], RESOURCE_ID, { [ids.temporary]: 'absent' }),
    run: (ids, event) => makeRestore({ rds, ids, clock, grantedKmsKey: null })(event),
  },
  'lambdas/rename/rename.ts': {
    event: (ids) =>
      fc.tuple(identifierFor(ids), identifierFor(ids)).map(([from, to]) => ({ from, to, resourceId: RESOURCE_ID })),
    world: (ids, e) =>
      worldOf(ids, [e.from, e.to], RESOURCE_ID, { [String(e.to)]: 'absent', [String(e.from)]: 'ready' }),
    run: (ids, event) => makeRename({ rds, ids, clock })(event),
  },
  'lambdas/apply-settings/apply-settings.ts': {
    // Only `apply` mutates (`check` reads); staging is the one name it may target, so it is drawn more often.
    event: (ids) =>
      fc
        .oneof(
          { weight: 1, arbitrary: fc.constant<unknown>(ids.staging) },
          { weight: 2, arbitrary: identifierFor(ids) },
        )
        .map((identifier) => ({
          action: 'apply',
          identifier,
          resourceId: RESOURCE_ID,
          staging: makeStagingConfig({ settings: { ...makeStagingConfig().settings, BackupRetentionPeriod: 21 } }),
          adjustments: {},
        })),
    world: (ids, e) => worldOf(ids, [e.identifier], RESOURCE_ID, { [String(e.identifier)]: 'ready' }),
    run: (ids, event) => makeApplySettings({ rds, ids, clock })(event),
  },
  'lambdas/delete/delete.ts': {
    event: (ids) => identifierFor(ids).map((identifier) => ({ identifier, resourceId: RESOURCE_ID })),
    world: (ids, e) => worldOf(ids, [e.identifier], RESOURCE_ID, { [String(e.identifier)]: 'ready' }),
    run: (ids, event) => makeDelete({ rds, ids, clock })(event),
  },
  'lambdas/reset-password/reset-password.ts': {
    event: (ids) => identifierFor(ids).map((identifier) => ({ identifier, resourceId: RESOURCE_ID })),
    world: (ids, e) => worldOf(ids, [e.identifier], RESOURCE_ID, { [String(e.identifier)]: 'ready' }),
    run: (ids, event) =>
      makeResetPassword({ rds, ids, clock, readCredentials: async () => ({ username: 'deploy', password: 'pw' }) })(
        event,
      ),
  },
  'lambdas/sanitize/sanitize.ts': {
    event: (ids) =>
      identifierFor(ids).map((identifier) => ({
        identifier,
        resourceId: RESOURCE_ID,
        database: 'openverse',
        tables: ['oauth2_provider_accesstoken'],
        connectAttempts: 1,
        masterPasswordReset: true,
      })),
    world: (ids, e) => worldOf(ids, [e.identifier], RESOURCE_ID, { [String(e.identifier)]: 'ready' }),
    run: (ids, event, record) =>
      makeSanitize({
        rds,
        ids,
        clock,
        readCredentials: async () => ({ username: 'deploy', password: 'pw' }),
        connect: async (options) => {
          record.connects.push(options);
          return { query: async () => ({ rows: [{ n: 0 }] }), end: async () => undefined };
        },
        sleep: async () => undefined,
      })(event),
  },
  'lambdas/rollback/rollback.ts': {
    event: (ids) =>
      fc
        .record({
          staging: fc.constantFrom(
            makeStagingConfig({ identifier: ids.staging, resourceId: RESOURCE_ID }),
            makeStagingConfig({ identifier: ids.production, resourceId: RESOURCE_ID }),
            {},
          ),
          outageStarted: fc.boolean(),
        })
        .map(({ staging, outageStarted }) => ({
          execution: EXECUTION,
          staging,
          outageStarted,
          bound: BOUND,
          previous: {},
        })),
    // Hoped for: the original back under the staging name, the copy this run made still there to delete.
    world: (ids) =>
      worldOf(ids, [ids.staging, ids.temporary, ids.old], RESOURCE_ID, {
        [ids.staging]: 'ready',
        [ids.temporary]: 'this-run',
        [ids.old]: 'absent',
      }),
    run: (ids, event) => makeRollback({ rds, ids, clock })(event),
  },
  'lambdas/leftovers/leftovers.ts': {
    event: () => fc.boolean().map((dryRun) => ({ execution: EXECUTION, dryRun, bound: BOUND, previous: {} })),
    // Hoped for: a copy an earlier run left under the temporary name, which this step deletes.
    world: (ids) =>
      worldOf(ids, [ids.staging, ids.temporary, ids.old], RESOURCE_ID, {
        [ids.staging]: 'ready',
        [ids.temporary]: 'ours',
        [ids.old]: 'absent',
      }),
    run: (ids, event) =>
      makeLeftovers({
        rds,
        sfn: finishedExecutions,
        ids,
        clock,
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore',
      })(event),
  },
};

describe('the mutating handlers, adversarially (real makeHandler entry points)', () => {
  const ROOT = path.join(__dirname, '..', '..');

  function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(full);
      return entry.isFile() && entry.name.endsWith('.ts') ? [full] : [];
    });
  }

  it('has a driver for every module that calls a mutating RdsGuard method (a new step is covered or this fails)', () => {
    // Arrange
    const mutating = Object.getOwnPropertyNames(RdsGuard.prototype).filter(
      (m) => !['constructor', 'check'].includes(m),
    );
    const callsMutation = new RegExp(`\\.(${mutating.join('|')})\\s*\\(`);
    const users = tsFiles(path.join(ROOT, 'lambdas'))
      .map((file) => ({
        file: path.relative(ROOT, file).split(path.sep).join('/'),
        text: fs.readFileSync(file, 'utf8'),
      }))
      .filter((s) => s.file !== 'lambdas/shared/guard.ts' && /\bRdsGuard\b/.test(s.text) && callsMutation.test(s.text));

    // Act
    const undriven = users.map((s) => s.file).filter((file) => !(file in DRIVERS));

    // Assert
    expect(users.length).toBeGreaterThanOrEqual(5);
    expect(
      undriven.map(
        (file) =>
          `${file} calls a mutating RdsGuard method but has no driver in DRIVERS of ${path.basename(__filename)}`,
      ),
    ).toEqual([]);
  });

  it.each(Object.keys(DRIVERS))(
    `%s: never sends a mutation naming production; a refusal sends nothing (${RUNS.perHandler} cases)`,
    async (file) => {
      // Arrange
      const driver = DRIVERS[file]!;
      const cases = identifiers.chain((ids) =>
        driver.event(ids).chain((event) => driver.world(ids, event).map((world) => ({ ids, event, world }))),
      );
      const stats = { mutated: 0, refused: 0, connected: 0, outcomes: {} as Record<string, number> };

      // Act / Assert
      await fc.assert(
        fc.asyncProperty(cases, async ({ ids, event, world }) => {
          casesRun++;
          serve(world);
          const record = { connects: [] as ConnectOptions[] };
          const outcome = await outcomeOf(() => driver.run(ids, event, record));
          const sent = sentBy(rdsMock);
          const mutations = sent.filter((s) => !isRead(s.name));
          const ending = outcome.ok ? 'ok' : outcome.name;
          stats.outcomes[ending] = (stats.outcomes[ending] ?? 0) + 1;
          if (mutations.length) stats.mutated++;
          if (record.connects.length) stats.connected++;
          if (!outcome.ok && outcome.name === 'ProductionGuardRefused') stats.refused++;

          // Plain checks, not expect(): thousands of runs; fast-check prints the counterexample with the message.
          const problems = productionTargets(sent, ids);
          // A database connection (sanitize's TRUNCATE) only ever goes to the temporary instance.
          for (const c of record.connects) {
            if (namesProduction(c.host, ids.production) || !c.host.startsWith(`${ids.temporary}.`)) {
              problems.push(`connected to ${c.host}`);
            }
          }
          // An unsafe configuration is refused (or the event is, first) before anything is sent, even a read.
          if (!configSafe(ids)) {
            if (outcome.ok || !['ProductionGuardRefused', 'InvalidInput'].includes(outcome.name)) {
              problems.push(`unsafe configuration not refused: ${outcome.ok ? 'succeeded' : outcome.name}`);
            }
            if (sent.length) problems.push(`unsafe configuration, yet sent ${sent.map((c) => c.name).join(', ')}`);
          }
          // A refusal happens before any mutation.
          if (
            !outcome.ok &&
            outcome.name === 'ProductionGuardRefused' &&
            (mutations.length || record.connects.length)
          ) {
            problems.push(`refused after sending ${mutations.map((c) => c.name).join(', ') || 'a connection'}`);
          }
          if (problems.length) throw new Error(problems.join('; '));
        }),
        { numRuns: RUNS.perHandler },
      );

      summary.push(
        `${file}: ${RUNS.perHandler} cases, ${stats.mutated} mutated, ${stats.connected} connected, ` +
          `${stats.refused} refused; outcomes ${JSON.stringify(stats.outcomes)}`,
      );
      // Not vacuous: some runs got as far as a mutation (or a connection), some were refused.
      expect(stats.mutated + stats.connected).toBeGreaterThan(RUNS.perHandler / 50);
      expect(stats.refused).toBeGreaterThan(RUNS.perHandler / 10);
    },
  );
});

describe('configuration: production in any form is refused as a target at synth', () => {
  const FIELDS = ['stagingInstance', 'temporaryInstance', 'oldInstance'] as const;

  it(`loadConfig fails, naming the field, for every production-like target (${RUNS.config} cases)`, () => {
    // Arrange
    const cases = fc
      .tuple(fc.constantFrom(...PRODUCTION_NAMES), fc.constantFrom(...FIELDS))
      .chain(([production, field]) =>
        fc.record({
          production: fc.constant(production),
          field: fc.constant(field),
          value: fc.oneof(variantOf(production), variantOf('prod'), fc.constant(production.toUpperCase())),
        }),
      )
      .filter(({ value, production }) => namesProduction(value, production));
    let refused = 0;

    // Act / Assert
    fc.assert(
      fc.property(cases, ({ production, field, value }) => {
        casesRun++;
        let error: unknown;
        try {
          loadConfig({ productionInstance: production, [field]: value });
        } catch (err) {
          error = err;
        }
        expect({ value, error: error instanceof ConfigError ? error.field : String(error) }).toEqual({
          value,
          error: field,
        });
        refused++;
      }),
      { numRuns: RUNS.config },
    );
    expect(refused).toBe(RUNS.config);
    summary.push(`loadConfig: ${RUNS.config} production-like targets, all refused naming the field`);
  });

  it('still accepts safe targets: the defaults, and non-production names next to a production without "prod"', () => {
    // Arrange
    const safe = fc
      .tuple(
        fc.constantFrom(...PRODUCTION_NAMES),
        fc.tuple(fc.constantFrom(...LOWER), stringOf(`${LOWER}0123456789`, 0, 8)).map(([a, b]) => a + b),
      )
      .filter(([production, name]) => !namesProduction(`dev-${name}`, production));

    // Act / Assert
    expect(() => loadConfig({})).not.toThrow();
    fc.assert(
      fc.property(safe, ([production, name]) => {
        casesRun++;
        const config = loadConfig({ productionInstance: production, stagingInstance: `dev-${name}` });
        expect(config.stagingInstance).toBe(`dev-${name}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the oracle itself', () => {
  it.each([
    ['prod-openverse-db', true],
    ['ＰＲＯＤ-openverse-db', true],
    ['рrod-openverse-db', true],
    ['p\u200brod-openverse-db', true],
    ['pro\u0301d-openverse-db', true],
    ['arn:aws:rds:us-east-1:123456789012:db:main-db', true],
    ['main-db.abcdefgh1234.us-east-1.rds.amazonaws.com', true],
    [' MAIN-DB\n', true],
    ['dev-openverse-db', false],
    ['dev-next-openverse-db', false],
    ['main-db-2', false],
  ])('namesProduction(%j) with production "main-db" or "prod-openverse-db" is %s', (value, expected) => {
    const either = namesProduction(value, 'main-db') || namesProduction(value, 'prod-openverse-db');
    expect(either).toBe(expected);
  });
});

afterAll(() => {
  // The case count of this file (at least 10,000 by design).
  console.log(`Guard property test: ${casesRun} generated cases\n  ${summary.join('\n  ')}`);
});

describe('case count', () => {
  it(`ran at least ${MIN_TOTAL_CASES} generated cases`, () => {
    expect(casesRun).toBeGreaterThanOrEqual(MIN_TOTAL_CASES);
  });
});
