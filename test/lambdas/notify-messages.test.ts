import { buildMessage, duration, executionLink, failureText } from '../../lambdas/notify/messages';
import type { NotifyInput } from '../../lambdas/shared/contract';
import { EXECUTION } from './fixtures';

const CONTEXT = {
  now: new Date('2026-12-01T00:00:00Z'),
  skipParameterName: '/staging-db-restore/skip',
  stagingInstance: 'dev-openverse-db',
  oldInstance: 'dev-old-openverse-db',
  temporaryInstance: 'dev-next-openverse-db',
};

function makeInput(event: NotifyInput['event'], details: Record<string, unknown> = {}): NotifyInput {
  return { event, execution: EXECUTION, details };
}

const LINK =
  'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/' +
  'arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:run-2026-12';

const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at handler (index.js:1:1)'],
  });

describe('buildMessage', () => {
  it('skipped: names the SSM parameter and says how to re-enable the restore', () => {
    // Act
    const text = buildMessage(makeInput('skipped'), CONTEXT);

    // Assert
    expect(text).toContain('restore skipped');
    expect(text).toContain('`/staging-db-restore/skip` is `true`');
    expect(text).toContain('Set it to `false` to re-enable');
    expect(text).toContain(`<${LINK}|run-2026-12>`);
  });

  it('outage-starting: names staging and the snapshot', () => {
    // Act
    const text = buildMessage(
      makeInput('outage-starting', { snapshot: 'rds:prod-openverse-db-2026-11-30-05-00' }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('outage starting');
    expect(text).toContain('`dev-openverse-db`');
    expect(text).toContain('`rds:prod-openverse-db-2026-11-30-05-00`');
  });

  it('outage-over: shows how long the outage lasted', () => {
    // Act
    const text = buildMessage(
      makeInput('outage-over', {
        snapshot: 'rds:prod-openverse-db-2026-11-30-05-00',
        outageStartedAt: '2026-11-30T23:40:00Z',
        outageEndedAt: '2026-11-30T23:46:30Z',
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('outage over* after 6 min 30 s');
    expect(text).toContain('`rds:prod-openverse-db-2026-11-30-05-00`');
  });

  it('outage-over: measures up to now when no end is given', () => {
    // Act
    const text = buildMessage(makeInput('outage-over', { outageStartedAt: '2026-11-30T23:53:30Z' }), CONTEXT);

    // Assert
    expect(text).toContain('after 6 min 30 s');
  });

  const AFTER_SWAP_OK = {
    delete: { step: 'delete', ok: true },
    deploy: {
      step: 'deploy',
      ok: true,
      tag: 'rel-2026.11.28',
      runUrl: 'https://github.com/WordPress/openverse/actions/runs/42',
    },
    index: {
      step: 'index',
      ok: true,
      sinceDate: '2026-11-01',
      tasks: [
        { mediaType: 'image', status: 'succeeded', index: 'image-abc' },
        { mediaType: 'audio', status: 'skipped', reason: 'index audio does not exist' },
      ],
    },
    record: { step: 'record', ok: true },
  };

  it('succeeded: snapshot and age, outage, OAuth rows removed, deployed tag, each index, deleted old instance', () => {
    // Act
    const text = buildMessage(
      makeInput('succeeded', {
        snapshot: 'rds:prod-openverse-db-2026-11-30-05-00',
        snapshotCreatedAt: '2026-11-30T05:00:00Z',
        outageStartedAt: '2026-11-30T23:40:00Z',
        outageEndedAt: '2026-11-30T23:42:05Z',
        sanitize: { removed: { api_throttledapplication: 4, oauth2_provider_accesstoken: 6 } },
        afterSwap: AFTER_SWAP_OK,
      }),
      CONTEXT,
    );

    // Assert
    expect(text.split('\n')).toEqual([
      ':tada: *Staging database restore succeeded.*',
      '• Snapshot: `rds:prod-openverse-db-2026-11-30-05-00` (taken 2026-11-30T05:00:00Z, 19 h old)',
      '• Outage: 2 min 5 s',
      '• Production OAuth data removed before the swap: 10 rows (api_throttledapplication 4, oauth2_provider_accesstoken 6)',
      '• Staging API deploy: tag `rel-2026.11.28` deployed (<https://github.com/WordPress/openverse/actions/runs/42|run>)',
      '• Search indices since 2026-11-01: image updated (image-abc), audio skipped (index audio does not exist)',
      '• Old staging instance `dev-old-openverse-db`: deleted (automated backups kept)',
      `Execution <${LINK}|run-2026-12>`,
    ]);
  });

  it('failed: names the failed state, the error message from a Lambda JSON cause, the rollback and what staging holds', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Rename staging to old',
        error: 'PreconditionFailed',
        cause: lambdaCause('PreconditionFailed', 'Cannot rename dev-openverse-db: it is "modifying", not available'),
        rollback: {
          actions: [
            'Renamed the original instance from dev-old-openverse-db back to dev-openverse-db',
            'Deleted the new instance dev-next-openverse-db (db-NEW)',
          ],
          stagingHolds: 'original',
          leftovers: [],
        },
        rollbackError: {},
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain(
      'failed* in state "Rename staging to old": PreconditionFailed: Cannot rename dev-openverse-db: it is "modifying", not available',
    );
    expect(text).not.toContain('errorType');
    expect(text).not.toContain('trace');
    expect(text).toContain(
      'Rollback: Renamed the original instance from dev-old-openverse-db back to dev-openverse-db; ' +
        'Deleted the new instance dev-next-openverse-db (db-NEW).',
    );
    expect(text).toContain('`dev-openverse-db` is the original staging instance, unchanged data.');
    expect(text).not.toContain('rollback failed');
    expect(text).not.toContain('Left in place');
  });

  it('failed: says there was nothing to undo and lists leftovers not created by this run', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Capture staging',
        error: 'PreconditionFailed',
        cause: 'The name dev-next-openverse-db is already taken',
        rollback: { actions: [], stagingHolds: 'original', leftovers: ['dev-next-openverse-db (db-OTHER)'] },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('PreconditionFailed: The name dev-next-openverse-db is already taken');
    expect(text).toContain('Rollback: nothing to undo.');
    expect(text).toContain('Left in place (not created by this run): dev-next-openverse-db (db-OTHER).');
  });

  it('failed with a rollback error: says the rollback failed and gives the describe-db-instances command', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Wait for staging',
        error: 'WaitTimedOut',
        cause: lambdaCause('WaitTimedOut', 'Gave up waiting'),
        rollback: { actions: ['Renamed the new instance from dev-openverse-db back to dev-next-openverse-db'] },
        rollbackError: { Error: 'RollbackStuck', Cause: lambdaCause('RollbackStuck', 'Rollback did not finish') },
        rollbackState: 'Roll back',
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('*The rollback failed too* in state "Roll back": RollbackStuck: Rollback did not finish');
    expect(text).toContain(
      '`aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DBInstanceStatus,DbiResourceId]"`',
    );
    expect(text).toContain('`dev-openverse-db`, `dev-old-openverse-db` and `dev-next-openverse-db`');
    expect(text).toContain(
      'Rollback steps taken before it failed: Renamed the new instance from dev-openverse-db back to dev-next-openverse-db.',
    );
    expect(text).not.toContain('unchanged data');
  });

  it.each([
    [true, 'deleted (automated backups deleted too)'],
    [false, 'deleted (automated backups kept)'],
    [undefined, 'deleted (automated backups kept)'],
  ])('succeeded: with deleteAutomatedBackups %s the old instance line says "%s"', (value, line) => {
    // Act
    const text = buildMessage(
      makeInput('succeeded', {
        afterSwap: { ...AFTER_SWAP_OK, delete: { step: 'delete', ok: true, deleteAutomatedBackups: value } },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain(`• Old staging instance \`dev-old-openverse-db\`: ${line}\n`);
  });

  it('after-swap-failed: the command to finish a failed delete deletes the backups when the config says so', () => {
    // Act
    const text = buildMessage(
      makeInput('after-swap-failed', {
        afterSwap: {
          ...AFTER_SWAP_OK,
          delete: { step: 'delete', ok: false, error: 'X', state: 'Delete old database' },
        },
        hints: { deleteAutomatedBackups: true },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('--skip-final-snapshot --delete-automated-backups```');
    expect(text).not.toContain('--no-delete-automated-backups');
  });

  it('after-swap-failed: says the swap was kept, which step failed, and the command to finish it', () => {
    // Act
    const text = buildMessage(
      makeInput('after-swap-failed', {
        afterSwap: {
          ...AFTER_SWAP_OK,
          delete: {
            step: 'delete',
            ok: false,
            error: 'InvalidDBInstanceStateFault',
            cause: lambdaCause('InvalidDBInstanceStateFault', 'Instance is busy'),
            state: 'Delete old database',
          },
          deploy: { step: 'deploy', ok: false, error: 'DeployFailed', cause: 'run concluded failure' },
        },
        hints: { repo: 'WordPress/openverse', deployWorkflow: 'deploy-staging-api.yml' },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('Staging serves the new data (nothing was undone)');
    expect(text).toContain(
      '`dev-old-openverse-db`: :x: failed: InvalidDBInstanceStateFault: Instance is busy (in state "Delete old database")',
    );
    expect(text).toContain('Staging API deploy: :x: failed: DeployFailed: run concluded failure\n');
    expect(text).toContain(
      '```aws rds delete-db-instance --db-instance-identifier dev-old-openverse-db --skip-final-snapshot ' +
        '--no-delete-automated-backups```',
    );
    expect(text).toContain('gh workflow run deploy-staging-api.yml --repo WordPress/openverse -f tag=<tag>');
    expect(text).not.toContain('UPDATE_INDEX');
  });
});

describe('failureText', () => {
  it('keeps a plain-text cause as it is', () => {
    expect(failureText('States.Timeout', 'Task timed out')).toBe('States.Timeout: Task timed out');
  });

  it('gives only the error when there is no cause', () => {
    expect(failureText('States.TaskFailed', undefined)).toBe('States.TaskFailed');
  });

  it('does not trip over JSON causes that are not objects', () => {
    expect(failureText('X', 'null')).toBe('X: null');
    expect(failureText('X', '42')).toBe('X: 42');
  });

  it('truncates long causes to 1500 characters and marks the cut', () => {
    // Arrange
    const cause = lambdaCause('Boom', 'y'.repeat(5000));

    // Act
    const text = failureText('Boom', cause);

    // Assert
    expect(text).toHaveLength(1501);
    expect(text.startsWith('Boom: yyy')).toBe(true);
    expect(text.endsWith('y…')).toBe(true);
  });

  it('does not truncate a cause that fits', () => {
    // Arrange
    const message = 'z'.repeat(1500 - 'Boom: '.length);

    // Act
    const text = failureText('Boom', message);

    // Assert
    expect(text).toBe(`Boom: ${message}`);
  });
});

describe('duration and executionLink', () => {
  it.each([
    ['2026-11-30T23:40:00Z', '2026-11-30T23:46:30Z', '6 min 30 s'],
    ['2026-11-30T23:40:00Z', '2026-11-30T23:40:45Z', '45 s'],
    ['2026-11-30T23:40:00Z', '2026-11-30T23:40:00Z', '0 s'],
    ['not a date', '2026-11-30T23:40:00Z', 'an unknown time'],
    [undefined, '2026-11-30T23:40:00Z', 'an unknown time'],
  ])('duration(%s, %s) is %s', (from, to, expected) => {
    expect(duration(from, to)).toBe(expected);
  });

  it('links to the execution in the region of its ARN', () => {
    expect(executionLink('arn:aws:states:eu-west-1:123456789012:execution:M:run-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/' +
        'arn:aws:states:eu-west-1:123456789012:execution:M:run-1',
    );
  });
});

describe('buildMessage: before any change', () => {
  const RUNNING = [
    { stateMachine: 'StagingDbRestore', name: 'monthly-2026-12', startedAt: '2026-11-30T23:59:00.000Z' },
  ];

  it('invalid-input: quotes the validation error and lists what is allowed', () => {
    // Act
    const text = buildMessage(
      makeInput('invalid-input', {
        error: 'InvalidInput',
        cause: lambdaCause('InvalidInput', 'Execution input field "dryrun" is not allowed'),
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('not started: invalid execution input');
    expect(text).toContain('InvalidInput: Execution input field "dryrun" is not allowed');
    expect(text).toContain('`{"dryRun": true}`');
    expect(text).toContain('Nothing was read or changed');
  });

  it('already-running: names the execution holding the lock', () => {
    // Act
    const text = buildMessage(makeInput('already-running', { restores: RUNNING, others: [] }), CONTEXT);

    // Assert
    expect(text).toContain('another restore is running');
    expect(text).toContain('`monthly-2026-12` of StagingDbRestore, started 2026-11-30T23:59:00.000Z');
  });

  it('others-busy: names the other user of staging', () => {
    // Act
    const text = buildMessage(
      makeInput('others-busy', { restores: [], others: [{ ...RUNNING[0], stateMachine: 'StagingReindex' }] }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('staging is in use* by `monthly-2026-12` of StagingReindex');
  });

  it('dry-run: the plan as numbered steps, with the leftovers and the post-steps as the input set them', () => {
    // Arrange
    const plan = {
      snapshot: {
        identifier: 'rds:prod-openverse-db-2026-11-30-05-00',
        status: 'available',
        createdAt: '2026-11-30T05:00:00Z',
      },
      staging: { resourceId: 'db-ORIG', configuration: { DBInstanceClass: 'db.m5.xlarge' } },
      leftovers: ['Deleted dev-next-openverse-db (db-LEFT), left by execution monthly-2026-11'],
      otherRuns: [],
      restoreTo: 'dev-next-openverse-db',
      sanitize: { tables: ['a', 'b'], resetMasterPassword: true },
      swap: { renameStagingTo: 'dev-old-openverse-db', renameNewTo: 'dev-openverse-db' },
      afterSwap: { deleteOld: 'dev-old-openverse-db', deployApi: true, searchIndex: ['image'], skipPostSteps: true },
    };

    // Act
    const text = buildMessage(makeInput('dry-run', { plan }), CONTEXT);

    // Assert
    expect(text.split('\n').slice(1, -1)).toEqual([
      '1. First clean up after an earlier run: Deleted dev-next-openverse-db (db-LEFT), left by execution monthly-2026-11',
      '2. Restore snapshot `rds:prod-openverse-db-2026-11-30-05-00` (taken 2026-11-30T05:00:00Z, 19 h old) to ' +
        '`dev-next-openverse-db`, configured like staging (db.m5.xlarge, resource db-ORIG)',
      "3. Give it staging's master password, then empty 2 OAuth tables before the swap",
      '4. Outage: rename `dev-openverse-db` to `dev-old-openverse-db`, then the new one to `dev-openverse-db`',
      '5. Then: delete `dev-old-openverse-db` (automated backups kept), no API deploy or index update (skipPostSteps), ' +
        'record the restore',
    ]);
  });

  it('dry-run: says the old instance would be deleted with its automated backups when the config says so', () => {
    // Act
    const text = buildMessage(
      makeInput('dry-run', {
        plan: { afterSwap: { deleteOld: 'dev-old-openverse-db', deleteAutomatedBackups: true, skipPostSteps: true } },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('Then: delete `dev-old-openverse-db` (automated backups deleted too), no API deploy');
  });

  it('dry-run: a snapshot still being created has no creation time yet, and says so', () => {
    // Arrange
    const plan = {
      snapshot: { identifier: 'rds:prod-openverse-db-2026-12-01-05-00', status: 'creating', createdAt: null },
      restoreTo: 'dev-next-openverse-db',
    };

    // Act
    const text = buildMessage(makeInput('dry-run', { plan }), CONTEXT);

    // Assert
    expect(text).toContain(
      'Restore snapshot `rds:prod-openverse-db-2026-12-01-05-00` (no creation time yet) to `dev-next-openverse-db`',
    );
    expect(text).toContain('(it is "creating" now: wait until it is available)');
    expect(text).not.toContain('unknown time');
  });

  it('failed before anything was created: says no rollback was needed, and what was cleaned up first', () => {
    // Act
    const untouched = buildMessage(makeInput('failed', { failedState: 'Check for other runs', rollback: {} }), CONTEXT);
    const cleaned = buildMessage(
      makeInput('failed', {
        failedState: 'Find latest production snapshot',
        rollback: {},
        leftovers: { actions: ['Renamed dev-old-openverse-db back to dev-openverse-db (db-ORIG)'] },
      }),
      CONTEXT,
    );

    // Assert
    expect(untouched).toContain(
      'No rollback needed: the run stopped before creating anything. `dev-openverse-db` was not touched.',
    );
    expect(cleaned).toContain('Cleaned up after an earlier run first: Renamed dev-old-openverse-db back');
    expect(cleaned).not.toContain('was not touched');
  });
});

describe('buildMessage: a failure report fits where staging is', () => {
  const NAMES_UNTOUCHED = {
    staging: { holder: 'original', resourceId: 'db-ORIG', status: 'available' },
    temporary: { holder: 'new', resourceId: 'db-NEW', status: 'deleting' },
    old: { holder: 'free' },
  };

  it('rollback stuck before the outage: says staging was never renamed, and never to rename it back', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Verify new database configuration',
        outageStarted: false,
        error: 'ConfigMismatch',
        cause: lambdaCause('ConfigMismatch', 'DBInstanceClass differs'),
        rollback: { actions: ['Deleted the new instance dev-next-openverse-db (db-NEW)'], names: NAMES_UNTOUCHED },
        rollbackError: {
          Error: 'RollbackStuck',
          Cause: lambdaCause(
            'RollbackStuck',
            'Rollback did not finish within 160 min; last step: …. Now: `dev-openverse-db` holds the original ' +
              'staging instance db-ORIG (available); …. This run never renamed dev-openverse-db (the outage had not ' +
              'started): there is nothing to put back.',
          ),
        },
        rollbackState: 'Roll back',
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('*The rollback failed too* in state "Roll back": RollbackStuck: Rollback did not finish');
    expect(text).toContain('The outage had not started: this run never renamed `dev-openverse-db`.');
    expect(text).not.toContain('When the rollback last looked');
    expect(text).not.toMatch(/rename the original[^.]*back/);
  });

  it('rollback failed with another error: says what the rollback saw last, and that it may have moved on', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Rename new database to staging',
        outageStarted: true,
        error: 'States.Timeout',
        rollback: {
          actions: ['Renamed the new instance from dev-openverse-db back to dev-next-openverse-db'],
          names: {
            staging: { holder: 'free' },
            temporary: { holder: 'new', resourceId: 'db-NEW', status: 'renaming' },
            old: { holder: 'original', resourceId: 'db-ORIG', status: 'available' },
          },
        },
        rollbackError: { Error: 'Lambda.Unknown', Cause: 'The function crashed' },
        rollbackState: 'Roll back',
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain(
      "When the rollback last looked: `dev-openverse-db` is free; `dev-next-openverse-db` holds this run's copy db-NEW " +
        '(renaming); `dev-old-openverse-db` holds the original staging instance db-ORIG (available). It may have moved on since.',
    );
    expect(text).not.toContain('The outage had not started');
  });

  it('rolled back before the outage while staging is busy: the original, its status, and that it was not renamed', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Check staging before the outage',
        outageStarted: false,
        error: 'WaitTimedOut',
        cause: lambdaCause('WaitTimedOut', 'Gave up waiting for instance dev-openverse-db'),
        rollback: {
          actions: ['Deleted the new instance dev-next-openverse-db (db-NEW)'],
          stagingHolds: 'original',
          leftovers: [],
          names: {
            ...NAMES_UNTOUCHED,
            staging: { ...NAMES_UNTOUCHED.staging, status: 'modifying' },
            temporary: { holder: 'free' },
          },
        },
        rollbackError: {},
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain(
      'Rollback: Deleted the new instance dev-next-openverse-db (db-NEW). `dev-openverse-db` is the original staging ' +
        'instance, unchanged data. It is "modifying" now.',
    );
    expect(text).toContain('The outage had not started: this run never renamed `dev-openverse-db`.');
  });

  it('rolled back with another instance under the staging name: says who holds each name', () => {
    // Act
    const text = buildMessage(
      makeInput('failed', {
        failedState: 'Check staging before the outage',
        outageStarted: false,
        error: 'UnexpectedInstance',
        rollback: {
          actions: ['Deleted the new instance dev-next-openverse-db (db-NEW)'],
          stagingHolds: 'unknown',
          names: {
            staging: { holder: 'foreign', resourceId: 'db-OTHER', status: 'available' },
            temporary: { holder: 'free' },
            old: { holder: 'free' },
          },
        },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain(
      'Now: `dev-openverse-db` holds an instance this run neither created nor started from db-OTHER (available); ' +
        '`dev-next-openverse-db` is free; `dev-old-openverse-db` is free; the original staging instance is under none ' +
        'of these names (a rename may be in flight).',
    );
    expect(text).not.toContain('unchanged data');
  });

  it('dry run with staging busy: the plan says a real run waits for it', () => {
    // Act
    const text = buildMessage(
      makeInput('dry-run', {
        plan: {
          snapshot: { identifier: 'rds:prod-openverse-db-2026-11-30-05-00', status: 'available' },
          staging: { resourceId: 'db-ORIG', status: 'backing-up' },
        },
      }),
      CONTEXT,
    );

    // Assert
    expect(text).toContain('1. Wait for staging: it is "backing-up" now (bounded by waits.stagingReady)');
  });
});
