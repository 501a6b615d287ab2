/**
 * Errors of the Elasticsearch index update, matched by name in the workflow's Catch/Retry like those in
 * ../shared/errors.ts. Their names live here rather than in contract.ts (owned by the workflow), so the
 * integrator should copy them into ERRORS when wiring the step.
 */
export const INDEX_ERRORS = {
  /** Connection refused/reset, DNS failure, no answer within the request timeout, or HTTP 5xx. */
  unavailable: 'IngestionServerUnavailable',
  /** The server refused a request (HTTP 4xx), answered an unexpected body, or a task reported `error: true`. */
  updateFailed: 'IndexUpdateFailed',
} as const;

abstract class NamedError extends Error {
  abstract override readonly name: string;
}

export class IngestionServerUnavailableError extends NamedError {
  override readonly name = INDEX_ERRORS.unavailable;
}

export class IndexUpdateFailedError extends NamedError {
  override readonly name = INDEX_ERRORS.updateFailed;
}

/** Re-exported so callers see the bound error next to these ones; it is the shared WaitTimedOut. */
export { WaitTimedOutError } from '../shared/errors';
