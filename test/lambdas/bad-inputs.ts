/**
 * Bad execution inputs, each with the text the error must contain (the field or the problem). Used by the
 * validate-input unit test and by the workflow test that runs each through the synthesized state machine.
 */
export const BAD_INPUTS: [string, unknown, string][] = [
  ['an unknown key', { dryrun: true }, '"dryrun" is not allowed'],
  [
    'a misspelt key next to a good one',
    { dryRun: true, snapshotId: 'rds:prod-openverse-db-2026-11-30-12-00' },
    '"snapshotId"',
  ],
  ['dryRun as a string', { dryRun: 'true' }, 'field dryRun'],
  ['dryRun as a number', { dryRun: 1 }, 'field dryRun'],
  ['dryRun null', { dryRun: null }, 'field dryRun'],
  ['skipPostSteps as a string', { skipPostSteps: 'yes' }, 'field skipPostSteps'],
  ['skipPostSteps as an object', { skipPostSteps: {} }, 'field skipPostSteps'],
  ['snapshotIdentifier as a number', { snapshotIdentifier: 42 }, 'field snapshotIdentifier'],
  ['snapshotIdentifier empty', { snapshotIdentifier: '' }, 'field snapshotIdentifier'],
  [
    'snapshotIdentifier as an ARN',
    { snapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:prod-openverse-db-2026-11-30-12-00' },
    'field snapshotIdentifier',
  ],
  [
    'snapshotIdentifier with a shell injection',
    { snapshotIdentifier: 'rds:x; aws rds delete-db-instance' },
    'field snapshotIdentifier',
  ],
  [
    'snapshotIdentifier with a JSONPath injection',
    { snapshotIdentifier: '$.found.staging' },
    'field snapshotIdentifier',
  ],
  ['snapshotIdentifier with SQL', { snapshotIdentifier: "x'; DROP TABLE image; --" }, 'field snapshotIdentifier'],
  ['snapshotIdentifier with a Slack mention', { snapshotIdentifier: '<!channel>' }, 'field snapshotIdentifier'],
  ['snapshotIdentifier with a newline', { snapshotIdentifier: 'rds:prod-openverse-db\nx' }, 'field snapshotIdentifier'],
  [
    'snapshotIdentifier with a double hyphen',
    { snapshotIdentifier: 'rds:prod--openverse-db' },
    'field snapshotIdentifier',
  ],
  ['snapshotIdentifier ending in a hyphen', { snapshotIdentifier: 'prod-openverse-db-' }, 'field snapshotIdentifier'],
  [
    'snapshotIdentifier with unicode look-alikes',
    { snapshotIdentifier: 'rds:prоd-openverse-db-2026' },
    'field snapshotIdentifier',
  ],
  [
    'snapshotIdentifier of 300 characters',
    { snapshotIdentifier: `rds:${'a'.repeat(296)}` },
    'field snapshotIdentifier',
  ],
  [
    'snapshotIdentifier as an array',
    { snapshotIdentifier: ['rds:prod-openverse-db-2026-11-30-12-00'] },
    'field snapshotIdentifier',
  ],
  ['a nested object key', { dryRun: true, options: { force: true } }, '"options" is not allowed'],
  ['a prototype-pollution key', JSON.parse('{"__proto__": {"dryRun": true}}'), 'is not allowed'],
  ['an oversize input', { Comment: 'x'.repeat(2000) }, 'at most 1024 are allowed'],
  ['a Comment that is not a string', { Comment: 7 }, 'field Comment'],
  ['a JSON string instead of an object', 'dryRun', 'must be a JSON object'],
  ['a JSON array', [{ dryRun: true }], 'must be a JSON object'],
  ['JSON null', null, 'must be a JSON object'],
  ['a JSON number', 1, 'must be a JSON object'],
];
