import { ERRORS } from './contract/errors';

/**
 * Errors the workflow reacts to by name. Step Functions matches `ErrorEquals` against the Lambda's
 * errorType, which is the thrown error's `name`, so each class pins its name to a constant in contract/errors.ts.
 */
export abstract class NamedError extends Error {
  abstract override readonly name: string;
}

export class NoSnapshotError extends NamedError {
  override readonly name = ERRORS.noSnapshot;
}
export class SnapshotFailedError extends NamedError {
  override readonly name = ERRORS.snapshotFailed;
}
export class InstanceFailedError extends NamedError {
  override readonly name = ERRORS.instanceFailed;
}
export class WaitTimedOutError extends NamedError {
  override readonly name = ERRORS.waitTimedOut;
}
export class StagingNotFoundError extends NamedError {
  override readonly name = ERRORS.stagingNotFound;
}
export class ConfigMismatchError extends NamedError {
  override readonly name = ERRORS.configMismatch;
}
export class UnexpectedInstanceError extends NamedError {
  override readonly name = ERRORS.unexpectedInstance;
}
export class GuardRefusedError extends NamedError {
  override readonly name = ERRORS.guardRefused;
}
export class PreconditionFailedError extends NamedError {
  override readonly name = ERRORS.preconditionFailed;
}

export class InvalidInputError extends NamedError {
  override readonly name = ERRORS.invalidInput;
}
export class SanitizeFailedError extends NamedError {
  override readonly name = ERRORS.sanitizeFailed;
}
export class DatabaseUnreachableError extends NamedError {
  override readonly name = ERRORS.databaseUnreachable;
}
export class RollbackStuckError extends NamedError {
  override readonly name = ERRORS.rollbackStuck;
}

/** The SDK's error name (e.g. `DBInstanceNotFoundFault`), or undefined for non-errors. */
export function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** An earlier run left instances this run will not touch on its own: the message says what to do by hand. */
export class LeftoversFoundError extends NamedError {
  override readonly name = ERRORS.leftoversFound;
}

/** What to do about a stopped (or stopping) instance the run needs, in words and commands. */
export function stoppedInstanceMessage(identifier: string, status: string): string {
  const start =
    `start it (aws rds start-db-instance --db-instance-identifier ${identifier}), wait until it is available ` +
    `(aws rds wait db-instance-available --db-instance-identifier ${identifier}), then start the restore again`;
  return status === 'stopping'
    ? `Instance ${identifier} is "stopping": someone is stopping it, and this tool never starts an instance. Once it ` +
        `is stopped, ${start}.`
    : `Instance ${identifier} is "${status}", and this tool never starts an instance: ${start}.`;
}
