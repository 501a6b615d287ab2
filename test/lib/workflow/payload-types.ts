/**
 * Type test of the task payloads (lib/workflow/payload.ts), checked by `npm run typecheck` (tsconfig covers
 * test/); never run. Each `@ts-expect-error` line must fail to compile: if the checking went away, tsc would
 * report the directive as unused.
 */
import { EXECUTION, ON_FAILURE, type PhaseKit, type TaskOptions } from '../../../lib/workflow/kit';

declare const kit: PhaseKit;
const options: TaskOptions = { resultPath: '$.out', retry: undefined };
const states = { check: 'Check', question: 'Done?', wait: 'Wait' };

// Values, JSONPaths, nested payloads and optional keys left out.
kit.task('t', 'delete', { identifier: 'dev-old-openverse-db', 'resourceId.$': '$.found.staging.resourceId' }, options);
kit.task('t', 'rename', { 'from.$': '$.a', to: 'dev-openverse-db', resourceId: 'db-1' }, options);
kit.task('t', 'capture-staging', {}, options);
kit.task('t', 'find-snapshot', { 'snapshotIdentifier.$': '$.input.snapshotIdentifier' }, options);
kit.task('t', 'validate-input', { 'input.$': '$', execution: EXECUTION }, options);
kit.task(
  't',
  'check-runs',
  {
    execution: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', startedAt: '2025-06-01T00:00:00Z' },
    dryRun: false,
    bound: { maxSeconds: 60, pollSeconds: 5 },
    'previous.$': '$.runs',
  },
  options,
);
kit.task(
  't',
  'rollback',
  {
    execution: EXECUTION,
    'staging.$': '$.found.staging',
    'outageStarted.$': '$.failedAt.outageStarted',
    bound: { maxSeconds: 60, pollSeconds: 5, settleSeconds: 120 },
  },
  options,
);
kit.task(
  't',
  'sanitize',
  {
    identifier: 'dev-next-openverse-db',
    'resourceId.$': '$.waits.restore.resourceId',
    database: 'openledger',
    tables: ['api_oauth2registration'],
    connectAttempts: 3,
    masterPasswordReset: true,
  },
  options,
);
// A step with several actions takes either one.
kit.task(
  't',
  'deploy-api',
  {
    action: 'dispatch',
    owner: 'WordPress',
    repo: 'openverse',
    packageOrg: 'WordPress',
    packageName: 'openverse-api',
    workflowFile: 'deploy-staging-api.yml',
    ref: 'main',
    'runName.$': "States.Format('Staging DB restore {}', $$.Execution.Name)",
  },
  options,
);
kit.task(
  't',
  'deploy-api',
  {
    action: 'check',
    owner: 'WordPress',
    repo: 'openverse',
    'runId.$': '$.deploy.runId',
    'tag.$': '$.deploy.tag',
    'startedAt.$': '$.deploy.dispatchedAt',
    maxSeconds: 3600,
    pollSeconds: 60,
  },
  options,
);
const mediaTypes: readonly string[] = ['image', 'audio'];
kit.task(
  't',
  'update-index',
  { action: 'start', baseUrl: 'http://i:8001', mediaTypes, 'lastRestore.$': '$.x', defaultSinceDate: '2023-01-01' },
  options,
);
// Slack details are free-form.
kit.task(
  't',
  'notify',
  { event: 'failed', execution: EXECUTION, details: { any: { thing: 1 }, 'x.$': '$.y' } },
  options,
);
kit.notify('t', 'succeeded', { 'snapshot.$': '$.found.snapshot.identifier', hints: { repo: 'WordPress/openverse' } });
// Wait targets: either member of the union.
kit.waitUntil({
  bound: 'snapshot',
  slot: 'snapshot',
  states,
  target: { kind: 'snapshot', 'identifier.$': '$.found.snapshot.identifier' },
  onError: 'caught-by-parallel',
});
kit.waitUntil({
  bound: 'rename',
  slot: 'old',
  states,
  target: { kind: 'instance', identifier: 'dev-old-openverse-db', until: 'available', previousIdentifier: 'x' },
  onError: ON_FAILURE.rollBackAfterOutageStart,
});

// A misspelt key.
// @ts-expect-error `identifer` is not a key of the delete input
kit.task('t', 'delete', { identifer: 'dev-old-openverse-db', 'resourceId.$': '$.r' }, options);
// @ts-expect-error `resourceID.$`: a misspelt JSONPath key
kit.task('t', 'delete', { identifier: 'dev-old-openverse-db', 'resourceID.$': '$.r' }, options);
// A required key left out.
// @ts-expect-error rename needs `to`
kit.task('t', 'rename', { from: 'dev-openverse-db', 'resourceId.$': '$.r' }, options);
kit.task(
  't',
  'update-index',
  // @ts-expect-error update-index's check needs `tasks`
  { action: 'check', baseUrl: 'http://i', 'startedAt.$': '$.s', maxSeconds: 1, pollSeconds: 1 },
  options,
);
// A value of the wrong type.
// @ts-expect-error `identifier` is a string
kit.task('t', 'delete', { identifier: 42, 'resourceId.$': '$.r' }, options);
// @ts-expect-error a JSONPath is a string
kit.task('t', 'delete', { 'identifier.$': true, 'resourceId.$': '$.r' }, options);
// @ts-expect-error not a Slack event
kit.task('t', 'notify', { event: 'finished', execution: EXECUTION }, options);
// @ts-expect-error an object where the input has a string
kit.task('t', 'delete', { identifier: { name: 'x' }, 'resourceId.$': '$.r' }, options);
// A misspelt nested key, required or optional.
// @ts-expect-error `maxSecond`
kit.task('t', 'check-runs', { execution: EXECUTION, dryRun: false, bound: { maxSecond: 60, pollSeconds: 5 } }, options);
kit.task(
  't',
  'leftovers',
  // @ts-expect-error `settleSecond`
  { execution: EXECUTION, dryRun: true, bound: { maxSeconds: 1, pollSeconds: 1, settleSecond: 1 } },
  options,
);
kit.task(
  't',
  'restore',
  // @ts-expect-error `nam.$` in the execution info
  { execution: { 'id.$': '$$.a', 'nam.$': '$$.b', 'startedAt.$': '$$.c' }, 'snapshot.$': '$.s', 'staging.$': '$.t' },
  options,
);
// A key of the other action.
kit.task(
  't',
  'deploy-api',
  // @ts-expect-error `runId` belongs to the check, not the dispatch
  {
    action: 'dispatch',
    owner: 'o',
    repo: 'r',
    packageOrg: 'o',
    packageName: 'p',
    workflowFile: 'w',
    ref: 'main',
    runName: 'n',
    runId: 1,
  },
  options,
);
// @ts-expect-error no such step
kit.task('t', 'delet', { identifier: 'x', resourceId: 'y' }, options);
// Wait targets.
kit.waitUntil({
  bound: 'delete',
  slot: 'deleted',
  states,
  // @ts-expect-error `identifer` in the target
  target: { kind: 'instance', identifer: 'x', until: 'gone' },
  onError: ON_FAILURE.rollBack,
});
kit.waitUntil({
  bound: 'restore',
  slot: 'restore',
  states,
  // @ts-expect-error not a target kind
  target: { kind: 'instanc', identifier: 'x', until: 'available' },
  onError: ON_FAILURE.rollBack,
});
kit.waitUntil({
  bound: 'restore',
  // @ts-expect-error not a state slot
  slot: 'restored',
  states,
  target: { kind: 'snapshot', identifier: 'x' },
  onError: ON_FAILURE.rollBack,
});
