import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { buildApp } from '../../lib/app';
import {
  ConfigError,
  DEFAULT_CONFIG,
  loadConfig,
  restoreConfigSchema,
  rollbackWorstCaseMinutes,
  worstCaseMinutes,
  type RestoreConfig,
} from '../../lib/config';
import { parseSchedule } from '../../lambdas/shared/schedule';
import { RdsGuard } from '../../lambdas/shared/guard';

/** Skips esbuild bundling: these tests only need synth to get as far as config validation. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** Runs `act` and returns the ConfigError it throws; fails the test if it throws nothing or something else. */
function configErrorOf(act: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    act();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error('Expected a ConfigError, but nothing was thrown');
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

/** Asserts that `err` names `field`, both as `.field` and in its message. */
function expectNames(err: ConfigError, field: string): void {
  expect(err.field).toBe(field);
  expect(err.message).toContain(field);
}

const NON_PRODUCTION_FIELDS = ['stagingInstance', 'temporaryInstance', 'oldInstance'] as const;

describe('loadConfig: defaults', () => {
  it('loads the plan (prod / dev / dev-next / dev-old, 1st of the month at 00:00 UTC) when nothing is given', () => {
    // Arrange: nothing
    // Act
    const config = loadConfig();

    // Assert
    expect(config).toMatchObject({
      productionInstance: 'prod-openverse-db',
      stagingInstance: 'dev-openverse-db',
      temporaryInstance: 'dev-next-openverse-db',
      oldInstance: 'dev-old-openverse-db',
      schedule: 'cron(0 0 1 * ? *)',
      skipParameterName: '/staging-db-restore/skip',
    });
    expect(config.waits).toEqual(DEFAULT_CONFIG.waits);
  });

  it('loads the same config from an empty object as from nothing', () => {
    // Arrange
    const raw = {};

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config).toEqual(loadConfig());
  });

  it('merges a partial waits override with the defaults', () => {
    // Arrange: a longer rename needs a longer rollback too (see "the rollback's bound" below).
    const raw = { waits: { rename: { maxMinutes: 45 }, rollback: { maxMinutes: 200 } } };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.waits.rename).toEqual({ maxMinutes: 45, pollSeconds: DEFAULT_CONFIG.waits.rename.pollSeconds });
    expect(config.waits.snapshot).toEqual(DEFAULT_CONFIG.waits.snapshot);
    expect(config.waits.restore).toEqual(DEFAULT_CONFIG.waits.restore);
    expect(config.waits.delete).toEqual(DEFAULT_CONFIG.waits.delete);
    expect(config.waits.rollback).toEqual({ maxMinutes: 200, pollSeconds: DEFAULT_CONFIG.waits.rollback.pollSeconds });
  });

  it('does not change DEFAULT_CONFIG when merging an override', () => {
    // Arrange
    const before = JSON.stringify(DEFAULT_CONFIG);

    // Act
    loadConfig({ stagingInstance: 'dev-other-db', waits: { delete: { pollSeconds: 5 } } });

    // Assert
    expect(JSON.stringify(DEFAULT_CONFIG)).toBe(before);
  });
});

describe('loadConfig: nothing production-like may be a target', () => {
  const productionLike = [
    'prod-openverse-db',
    'PROD-OPENVERSE-DB',
    'Prod-Openverse-Db',
    'Prod-copy',
    'dev-PROD',
    'xprodx',
    'dev-openverse-prod',
    'production',
    'pRoD',
    'dev-ｐｒｏｄ',
    'ｐｒｏｄ-openverse-db',
  ];
  const cases = NON_PRODUCTION_FIELDS.flatMap((field) => productionLike.map((value) => [field, value] as const));

  it.each(cases)('refuses %s = %j, naming the field', (field, value) => {
    // Arrange
    const raw = { [field]: value };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, field);
  });

  it.each(NON_PRODUCTION_FIELDS)(
    'refuses %s equal to a production identifier without "prod" in it, in any case',
    (field) => {
      // Arrange
      const raw = { productionInstance: 'main-db', [field]: 'MAIN-DB' };

      // Act
      const err = configErrorOf(() => loadConfig(raw));

      // Assert
      expectNames(err, field);
    },
  );
});

describe('loadConfig: the four identifiers are four different instances', () => {
  const pairs = [
    ['stagingInstance', 'temporaryInstance'],
    ['stagingInstance', 'oldInstance'],
    ['temporaryInstance', 'oldInstance'],
  ] as const;

  it.each(pairs)('refuses %s and %s being the same name, naming one of them and both in the message', (a, b) => {
    // Arrange
    const raw = { [a]: 'dev-same-db', [b]: 'dev-same-db' };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expect([a, b]).toContain(err.field);
    expect(err.message).toContain(a);
    expect(err.message).toContain(b);
  });

  it.each(pairs)('refuses %s and %s differing only in case', (a, b) => {
    // Arrange
    const raw = { [a]: 'dev-same-db', [b]: 'DEV-Same-DB' };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expect([a, b]).toContain(err.field);
    expect(err.message).toContain(a);
    expect(err.message).toContain(b);
  });

  it('refuses oldInstance equal to the default staging name in upper case', () => {
    // Arrange
    const raw = { oldInstance: 'DEV-OPENVERSE-DB' };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'oldInstance');
  });
});

describe('loadConfig: identifiers must be RDS instance identifiers', () => {
  const invalid = ['1abc', 'a--b', 'ends-', 'a'.repeat(64), '', '-abc', 'a_b', 'a.b', 'a b', 'dev-openverse-db\n'];
  const fields = ['productionInstance', ...NON_PRODUCTION_FIELDS] as const;
  const cases = fields.flatMap((field) => invalid.map((value) => [field, value] as const));

  it.each(cases)('refuses %s = %j, naming the field', (field, value) => {
    // Arrange
    const raw = { [field]: value };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, field);
  });

  it.each(fields)('refuses a non-string %s', (field) => {
    // Arrange
    const raw = { [field]: 42 };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, field);
  });

  it('accepts a 63-character identifier (the longest RDS allows)', () => {
    // Arrange
    const raw = { oldInstance: `d${'a'.repeat(62)}` };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.oldInstance).toHaveLength(63);
  });

  /*
   * The runtime guard (lambdas/shared/guard.ts) only accepts canonical lower-case identifiers, and refuses to
   * start with a configured identifier it does not accept. So an identifier accepted here must also be one the
   * guard accepts: either synth refuses it (naming the field) or the config carries the canonical lower-case
   * form. Otherwise every guarded step of the first run fails.
   */
  it.each(NON_PRODUCTION_FIELDS)('never yields a %s that the runtime guard refuses (upper-case input)', (field) => {
    // Arrange
    const raw = { [field]: 'Dev-Mixed-Case-DB' };

    // Act
    let config: RestoreConfig | undefined;
    let error: unknown;
    try {
      config = loadConfig(raw);
    } catch (err) {
      error = err;
    }

    // Assert
    if (error !== undefined) {
      expect(error).toBeInstanceOf(ConfigError);
      expectNames(error as ConfigError, field);
      return;
    }
    const ids = {
      production: config!.productionInstance,
      staging: config!.stagingInstance,
      temporary: config!.temporaryInstance,
      old: config!.oldInstance,
    };
    const rds = new RDSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    mockClient(rds);
    expect(() => new RdsGuard(rds, ids)).not.toThrow();
  });
});

describe('loadConfig: schedule', () => {
  const invalid = [
    ['both day-of-month and day-of-week set', 'cron(0 0 1 * * *)'],
    ['neither day-of-month nor day-of-week set', 'cron(0 0 ? * ? *)'],
    ['5 fields', 'cron(0 0 1 * ?)'],
    ['7 fields', 'cron(0 0 1 * ? * *)'],
    ['minute 60', 'cron(60 0 1 * ? *)'],
    ['hour 24', 'cron(0 24 1 * ? *)'],
    ['day-of-month 32', 'cron(0 0 32 * ? *)'],
    ['month 13', 'cron(0 0 1 13 ? *)'],
    ['month 0', 'cron(0 0 1 0 ? *)'],
    ['bad month name', 'cron(0 0 1 JANUARY ? *)'],
    ['bad day-of-week name', 'cron(0 0 ? * FUNDAY *)'],
    ['day-of-week 8', 'cron(0 0 ? * 8 *)'],
    ['step 0', 'cron(0/0 0 1 * ? *)'],
    ['year 1969', 'cron(0 0 1 * ? 1969)'],
    ['rate(0 days)', 'rate(0 days)'],
    ['rate with a plural for 1', 'rate(1 days)'],
    ['rate without a unit', 'rate(30)'],
    ['rate in months', 'rate(1 month)'],
    ['prose', 'every month'],
    ['empty', ''],
    ['cron without parentheses', 'cron 0 0 1 * ? *'],
  ] as const;

  it.each(invalid)('refuses %s (%s), naming schedule', (_why, schedule) => {
    // Arrange
    const raw = { schedule };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'schedule');
  });

  it('refuses a non-string schedule', () => {
    // Arrange
    const raw = { schedule: 5 };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'schedule');
  });

  const valid = [
    'cron(0 0 1 * ? *)',
    'cron(30 2 ? * MON#1 *)',
    'cron(30 2 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 1W * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 ? * MON-FRI *)',
    'cron(0/15 0 1 * ? *)',
    'cron(0 0 1,15 * ? *)',
    'rate(30 days)',
    'rate(1 day)',
    'rate(12 hours)',
    'cron(0 0 1 JAN-DEC ? 2026-2030)',
  ];

  it.each(valid)('accepts %s', (schedule) => {
    // Arrange
    const raw = { schedule };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.schedule).toBe(schedule);
  });
});

describe('loadConfig: wait bounds', () => {
  const kinds = Object.keys(DEFAULT_CONFIG.waits) as (keyof typeof DEFAULT_CONFIG.waits)[];
  const badValues = [0, -5, 1.5, '10', null] as const;
  const cases = kinds.flatMap((kind) =>
    (['maxMinutes', 'pollSeconds'] as const).flatMap((key) => badValues.map((value) => [kind, key, value] as const)),
  );

  it.each(cases)('refuses waits.%s.%s = %j, naming it', (kind, key, value) => {
    // Arrange
    const raw = { waits: { [kind]: { [key]: value } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, `waits.${kind}.${key}`);
  });

  it('refuses waits.rename.maxMinutes: 0', () => {
    // Arrange
    const raw = { waits: { rename: { maxMinutes: 0 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.rename.maxMinutes');
  });

  it('refuses waits.restore.pollSeconds: -5', () => {
    // Arrange
    const raw = { waits: { restore: { pollSeconds: -5 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.restore.pollSeconds');
  });

  it.each(kinds)('refuses waits.%s.pollSeconds longer than its maxMinutes', (kind) => {
    // Arrange
    const raw = { waits: { [kind]: { maxMinutes: 1, pollSeconds: 61 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, `waits.${kind}.pollSeconds`);
  });

  it('accepts pollSeconds equal to maxMinutes * 60', () => {
    // Arrange
    const raw = { waits: { rename: { maxMinutes: 1, pollSeconds: 60 } } };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.waits.rename).toEqual({ maxMinutes: 1, pollSeconds: 60 });
  });

  it('refuses a waits entry that is not an object', () => {
    // Arrange
    const raw = { waits: { rename: 30 } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.rename');
  });
});

describe("loadConfig: the rollback's bound covers its own worst case", () => {
  // Defaults: 3 renames (the one in flight, the two the rollback makes) of rename 30 min + poll 30 s each,
  // renameSettleSeconds 120 for the last, the delete 60 min + poll 30 s: 9240 s = 154 min.
  it('computes the worst case from the configured waits: 154 min with the defaults', () => {
    // Act
    const minutes = rollbackWorstCaseMinutes(DEFAULT_CONFIG);

    // Assert
    expect(minutes).toBe(154);
    expect(DEFAULT_CONFIG.waits.rollback.maxMinutes).toBeGreaterThanOrEqual(minutes);
  });

  it('refuses a rollback bound below its worst case, naming waits.rollback.maxMinutes and the minimum', () => {
    // Arrange: the old default, 90 min.
    const raw = { waits: { rollback: { maxMinutes: 90 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.rollback.maxMinutes');
    expect(err.message).toContain("90 min is shorter than the rollback's own worst case, 154 min");
    expect(err.message).toContain('set it to at least 154');
  });

  it('accepts a rollback bound equal to its worst case', () => {
    // Act
    const config = loadConfig({ waits: { rollback: { maxMinutes: 154 } } });

    // Assert
    expect(config.waits.rollback.maxMinutes).toBe(154);
  });

  it.each([
    ['a longer rename', { rename: { maxMinutes: 45 } }, 199],
    ['a longer delete', { delete: { maxMinutes: 120 } }, 214],
    ['a slower rollback poll', { rollback: { maxMinutes: 160, pollSeconds: 150 } }, 162],
  ])('refuses the default rollback bound once %s makes the worst case longer', (_what, waits, worst) => {
    // Act
    const err = configErrorOf(() => loadConfig({ waits }));

    // Assert
    expectNames(err, 'waits.rollback.maxMinutes');
    expect(err.message).toContain(`worst case, ${worst} min`);
  });

  it('counts renameSettleSeconds once, for the rename that puts the original back', () => {
    // Arrange: 154 min - 120 s + 600 s = 162 min.
    const raw = { renameSettleSeconds: 600 };

    // Act
    const err = configErrorOf(() => loadConfig(raw));
    const config = loadConfig({ ...raw, waits: { rollback: { maxMinutes: 162 } } });

    // Assert
    expectNames(err, 'waits.rollback.maxMinutes');
    expect(rollbackWorstCaseMinutes(config)).toBe(162);
  });

  it("states the default worst case in waits.rollback's description", () => {
    // Act
    const description = restoreConfigSchema.shape.waits.unwrap().shape.rollback.description;

    // Assert
    expect(description).toContain(`${rollbackWorstCaseMinutes(DEFAULT_CONFIG)} min with the defaults`);
  });
});

describe('loadConfig: executionTimeoutHours', () => {
  // Defaults: leftovers 60 + the longer of snapshot 240 and staging ready 60 (side by side) + restore 360 +
  // password 30 + staging ready before the outage 60 + 2 x rename 30 = 810 min before the swap, then the longest
  // of rollback 160 and the parallel steps after the swap (delete 60, deploy 60, index 360), plus 150 min for
  // the Task states between the waits = 1320 min = 22 h.
  it('refuses a timeout that does not leave room for the default wait bounds (22 h)', () => {
    // Arrange
    const raw = { executionTimeoutHours: 22 };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'executionTimeoutHours');
  });

  it('accepts the first whole hour above the default wait bounds (23 h)', () => {
    // Arrange
    const raw = { executionTimeoutHours: 23 };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.executionTimeoutHours).toBe(23);
    expect(worstCaseMinutes(config)).toBe(1320);
  });

  it('counts only the enabled steps after the swap', () => {
    // Arrange: without the index update the worst case is 810 + rollback 160 + 150 = 1120 min = 18.7 h.
    const raw = { executionTimeoutHours: 19, searchIndex: { enabled: false } };

    // Act
    const config = loadConfig(raw);

    // Assert
    expect(config.executionTimeoutHours).toBe(19);
    expect(worstCaseMinutes(config)).toBe(1120);
  });

  it('counts the rollback when it is the longest thing after the swap', () => {
    // Arrange: 810 + rollback 600 + 150 = 1560 min = 26 h.
    const raw = { waits: { rollback: { maxMinutes: 600 } } };

    // Act
    const err = configErrorOf(() => loadConfig({ ...raw, executionTimeoutHours: 26 }));
    const config = loadConfig({ ...raw, executionTimeoutHours: 27 });

    // Assert
    expectNames(err, 'executionTimeoutHours');
    expect(worstCaseMinutes(config)).toBe(1560);
  });

  it('counts both waits for staging to be ready: the first beside the snapshot wait, the second before the outage', () => {
    // Arrange: 300 min each; the first replaces the snapshot's 240 (they run side by side).
    const raw = { waits: { stagingReady: { maxMinutes: 300 } }, executionTimeoutHours: 30 };

    // Act
    const config = loadConfig(raw);

    // Assert: 1320 - 240 + 300 - 60 + 300 = 1620 min = 27 h.
    expect(worstCaseMinutes(config)).toBe(1620);
    expectNames(
      configErrorOf(() => loadConfig({ ...raw, executionTimeoutHours: 27 })),
      'executionTimeoutHours',
    );
  });

  it('counts the wait for other users of staging when there are any and the restore waits for them', () => {
    // Arrange: 1320 + otherRuns 180 = 1500 min = 25 h.
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingReindex';
    const waiting = { executionTimeoutHours: 24, concurrency: { otherStateMachineArns: [arn] } };
    const skipping = { ...waiting, concurrency: { otherStateMachineArns: [arn], whenOthersRun: 'skip' } };

    // Act
    const err = configErrorOf(() => loadConfig(waiting));
    const config = loadConfig(skipping);

    // Assert
    expectNames(err, 'executionTimeoutHours');
    expect(config.executionTimeoutHours).toBe(24);
    expect(loadConfig({ concurrency: { otherStateMachineArns: [arn] } }).executionTimeoutHours).toBe(30);
  });

  it('refuses the default timeout once a wait bound grows beyond it', () => {
    // Arrange: 1320 - 360 + 1200 = 2160 min > 30 h
    const raw = { waits: { restore: { maxMinutes: 1200 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'executionTimeoutHours');
  });

  it.each([0, -1, 1.5, '16'])('refuses executionTimeoutHours = %j', (value) => {
    // Arrange
    const raw = { executionTimeoutHours: value };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'executionTimeoutHours');
  });
});

describe('loadConfig: shape', () => {
  it('refuses an unknown top-level field, naming it', () => {
    // Arrange
    const raw = { stagingInstanse: 'dev-openverse-db' };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'stagingInstanse');
  });

  it('refuses an unknown wait kind, naming it', () => {
    // Arrange
    const raw = { waits: { renames: { maxMinutes: 30, pollSeconds: 15 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.renames');
  });

  it('refuses an unknown field inside a wait bound, naming it', () => {
    // Arrange
    const raw = { waits: { rename: { maxMinutes: 30, pollSecs: 15 } } };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits.rename.pollSecs');
  });

  it.each([
    ['null', null],
    ['a string', 'prod-openverse-db'],
    ['a number', 42],
    ['an array', [{ stagingInstance: 'dev-openverse-db' }]],
    ['true', true],
  ])('refuses a config that is %s', (_what, raw) => {
    // Arrange: raw
    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'staging-db-restore');
  });

  it('refuses waits that is not an object', () => {
    // Arrange
    const raw = { waits: 'long' };

    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'waits');
  });
});

describe('buildApp: a bad config fails synth', () => {
  it('throws naming stagingInstance when the override makes production the staging target', () => {
    // Arrange
    const props = { context: NO_BUNDLING };

    // Act
    const err = configErrorOf(() => buildApp(props, { stagingInstance: 'prod-openverse-db' }));

    // Assert
    expectNames(err, 'stagingInstance');
  });

  it('throws naming oldInstance when the context makes old the staging instance (other case)', () => {
    // Arrange
    const props = { context: { 'staging-db-restore': { oldInstance: 'DEV-OPENVERSE-DB' }, ...NO_BUNDLING } };

    // Act
    const err = configErrorOf(() => buildApp(props));

    // Assert
    expectNames(err, 'oldInstance');
  });
});

describe('loadConfig: the run lock', () => {
  const OTHER = 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingReindex';

  it('defaults to no other users of staging, waiting for them if any are listed', () => {
    // Act
    const config = loadConfig({});

    // Assert
    expect(config.stateMachineName).toBe('StagingDbRestore');
    expect(config.concurrency).toEqual({ otherStateMachineArns: [], whenOthersRun: 'wait' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a state machine name with a space', { stateMachineName: 'Staging Db Restore' }, 'stateMachineName'],
    ['an empty state machine name', { stateMachineName: '' }, 'stateMachineName'],
    [
      'another state machine given by name instead of ARN',
      { concurrency: { otherStateMachineArns: ['StagingReindex'] } },
      'concurrency.otherStateMachineArns.0',
    ],
    [
      'an execution ARN instead of a state machine ARN',
      { concurrency: { otherStateMachineArns: [OTHER.replace(':stateMachine:', ':execution:') + ':x'] } },
      'concurrency.otherStateMachineArns.0',
    ],
    [
      'the same state machine twice',
      { concurrency: { otherStateMachineArns: [OTHER, OTHER] } },
      'concurrency.otherStateMachineArns',
    ],
    [
      "this tool's own state machine",
      {
        concurrency: {
          otherStateMachineArns: [OTHER, 'arn:aws:states:us-east-1:123456789012:stateMachine:StagingDbRestore'],
        },
      },
      'concurrency.otherStateMachineArns.1',
    ],
    ['an unknown whenOthersRun', { concurrency: { whenOthersRun: 'queue' } }, 'concurrency.whenOthersRun'],
    ['an unknown concurrency field', { concurrency: { maxRuns: 1 } }, 'concurrency.maxRuns'],
    [
      'a zero leftovers bound',
      { waits: { leftovers: { maxMinutes: 0, pollSeconds: 30 } } },
      'waits.leftovers.maxMinutes',
    ],
    [
      'a negative otherRuns poll',
      { waits: { otherRuns: { maxMinutes: 60, pollSeconds: -5 } } },
      'waits.otherRuns.pollSeconds',
    ],
  ])('refuses %s, naming the field', (_what, raw, field) => {
    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, field);
  });
});

describe('loadConfig: the defaults live in the schema', () => {
  it('DEFAULT_CONFIG is what loadConfig returns when nothing is given', () => {
    // Act
    const config = loadConfig();

    // Assert
    expect(DEFAULT_CONFIG).toEqual(config);
    expect(config.sanitize.truncateTables).not.toBe(DEFAULT_CONFIG.sanitize.truncateTables);
  });

  it('leaves the fields without a default out', () => {
    // Act
    const config = loadConfig();

    // Assert
    expect(config.network).toBeUndefined();
    expect(config.snapshotKmsKeyArn).toBeUndefined();
    expect(config.monitoring.alarmTopicArn).toBeUndefined();
    expect(config.monitoring.slack).toBeUndefined();
    expect(config.deployApi.tagPattern).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, (config: RestoreConfig) => unknown, unknown]>([
    [
      'waits.restore.maxMinutes',
      { waits: { restore: { maxMinutes: 10 } } },
      (c) => c.waits.restore,
      { maxMinutes: 10, pollSeconds: 300 },
    ],
    ['an empty wait bound', { waits: { index: {} } }, (c) => c.waits, DEFAULT_CONFIG.waits],
    [
      'sanitize.connectAttempts',
      { sanitize: { connectAttempts: 3 } },
      (c) => c.sanitize,
      { ...DEFAULT_CONFIG.sanitize, connectAttempts: 3 },
    ],
    [
      'deployApi.enabled',
      { deployApi: { enabled: false } },
      (c) => c.deployApi,
      { ...DEFAULT_CONFIG.deployApi, enabled: false },
    ],
    [
      'searchIndex.mediaTypes',
      { searchIndex: { mediaTypes: ['image'] } },
      (c) => c.searchIndex,
      { ...DEFAULT_CONFIG.searchIndex, mediaTypes: ['image'] },
    ],
    [
      'status.cacheSeconds',
      { status: { cacheSeconds: 5 } },
      (c) => c.status,
      { ...DEFAULT_CONFIG.status, cacheSeconds: 5 },
    ],
    [
      'concurrency.whenOthersRun',
      { concurrency: { whenOthersRun: 'skip' } },
      (c) => c.concurrency,
      { otherStateMachineArns: [], whenOthersRun: 'skip' },
    ],
    [
      'monitoring.slack',
      { monitoring: { slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' } } },
      (c) => c.monitoring,
      { ...DEFAULT_CONFIG.monitoring, slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' } },
    ],
  ])('a partial object (%s) keeps the defaults of what it leaves out', (_what, raw, part, expected) => {
    // Act
    const config = loadConfig(raw);

    // Assert
    expect(part(config)).toEqual(expected);
  });

  it('replaces a default array whole', () => {
    // Act
    const config = loadConfig({ sanitize: { truncateTables: ['api_oauth2registration'] } });

    // Assert
    expect(config.sanitize.truncateTables).toEqual(['api_oauth2registration']);
  });

  it("links the alarms to the runbook's home by default", () => {
    // Act
    const config = loadConfig();

    // Assert
    expect(config.monitoring.runbookUrl).toBe(
      'https://github.com/WordPress/openverse/blob/main/staging-db-restore/docs/runbook.md',
    );
  });

  it("states the default wait bounds' worst case in executionTimeoutHours' description", () => {
    // Arrange
    const hours = worstCaseMinutes(DEFAULT_CONFIG) / 60;

    // Act
    const description = restoreConfigSchema.shape.executionTimeoutHours.description;

    // Assert
    expect(description).toContain(`${hours} h`);
  });
});

describe('loadConfig: the schedule is checked by the parser the status function uses', () => {
  it.each(['cron(0 0 0W * ? *)', 'cron(0 0 1-31/40 * ? *)', 'rate(2 day)'])(
    "refuses %s with the parser's message, naming schedule",
    (schedule) => {
      // Arrange
      let parserMessage = '';
      try {
        parseSchedule(schedule);
      } catch (err) {
        parserMessage = (err as Error).message;
      }

      // Act
      const err = configErrorOf(() => loadConfig({ schedule }));

      // Assert
      expectNames(err, 'schedule');
      expect(parserMessage).not.toBe('');
      expect(err.message).toBe(`Invalid staging-db-restore config: schedule: ${parserMessage}`);
    },
  );
});

describe('loadConfig: given on the command line (cdk synth -c), as JSON text', () => {
  it('reads a JSON object the same as the object', () => {
    // Arrange
    const raw = { stagingInstance: 'dev-other-db', waits: { restore: { maxMinutes: 10 } } };

    // Act
    const config = loadConfig(JSON.stringify(raw));

    // Assert
    expect(config).toEqual(loadConfig(raw));
  });

  it('names the bad field inside the JSON text', () => {
    // Act
    const err = configErrorOf(() => loadConfig('{"stagingInstance": "prod-copy"}'));

    // Assert
    expectNames(err, 'stagingInstance');
  });

  it.each([
    ['text that is not JSON', '{stagingInstance: dev}'],
    ['JSON of an array', '[]'],
    ['JSON of a string', '"dev-openverse-db"'],
    ['JSON null', 'null'],
  ])('refuses %s, naming staging-db-restore', (_what, raw) => {
    // Act
    const err = configErrorOf(() => loadConfig(raw));

    // Assert
    expectNames(err, 'staging-db-restore');
  });
});
