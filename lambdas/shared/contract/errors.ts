/** Custom error names: thrown by handlers (`error.name`), caught by the workflow's Catch/Retry. */
export const ERRORS = {
  noSnapshot: 'NoProductionSnapshot',
  snapshotFailed: 'SnapshotFailed',
  instanceFailed: 'InstanceFailed',
  waitTimedOut: 'WaitTimedOut',
  stagingNotFound: 'StagingNotFound',
  configMismatch: 'ConfigMismatch',
  unexpectedInstance: 'UnexpectedInstance',
  guardRefused: 'ProductionGuardRefused',
  preconditionFailed: 'PreconditionFailed',
  sanitizeFailed: 'SanitizeFailed',
  databaseUnreachable: 'DatabaseUnreachable',
  invalidInput: 'InvalidInput',
  invalidSkipFlag: 'InvalidSkipFlag',
  rollbackStuck: 'RollbackStuck',
  leftoversFound: 'LeftoversFound',
  afterSwapFailed: 'AfterSwapFailed',
  // Raised by the deploy-api and update-index steps (their errors.ts): caught as branch failures after the swap.
  noReleaseTag: 'NoReleaseTag',
  deployDispatchFailed: 'DeployDispatchFailed',
  deployRunNotFound: 'DeployRunNotFound',
  deployFailed: 'DeployFailed',
  gitHubApiError: 'GitHubApiError',
  gitHubTokenInvalid: 'GitHubTokenInvalid',
  ingestionServerUnavailable: 'IngestionServerUnavailable',
  indexUpdateFailed: 'IndexUpdateFailed',
} as const;

/** RDS errors we retry or treat specially, as the SDK names them (`err.name`). */
export const RDS_ERRORS = {
  instanceNotFound: 'DBInstanceNotFoundFault',
  invalidState: 'InvalidDBInstanceStateFault',
  alreadyExists: 'DBInstanceAlreadyExistsFault',
} as const;
