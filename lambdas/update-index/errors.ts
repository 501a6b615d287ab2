import { ERRORS } from '../shared/contract/errors';
import { NamedError } from '../shared/errors';

/** Errors of the Elasticsearch index update; their names are in the shared contract (ERRORS). */
export const INDEX_ERRORS = {
  /** Connection refused/reset, DNS failure, no answer within the request timeout, or HTTP 5xx. */
  unavailable: ERRORS.ingestionServerUnavailable,
  /** The server refused a request (HTTP 4xx), answered an unexpected body, or a task reported `error: true`. */
  updateFailed: ERRORS.indexUpdateFailed,
} as const;

export class IngestionServerUnavailableError extends NamedError {
  override readonly name = INDEX_ERRORS.unavailable;
}

export class IndexUpdateFailedError extends NamedError {
  override readonly name = INDEX_ERRORS.updateFailed;
}

/** Re-exported so callers see the bound error next to these ones; it is the shared WaitTimedOut. */
export { WaitTimedOutError } from '../shared/errors';
