import { ERRORS } from '../shared/contract/errors';
import { NamedError } from '../shared/errors';

/**
 * Errors of the staging-API redeploy; their names are in the shared contract (ERRORS). No message ever
 * contains the GitHub token.
 */
export const DEPLOY_ERRORS = {
  /** No container image version carries a release tag: nothing to deploy. */
  noReleaseTag: ERRORS.noReleaseTag,
  /** GitHub refused the workflow dispatch (4xx): bad token, unknown workflow, unexpected inputs, … */
  dispatchFailed: ERRORS.deployDispatchFailed,
  /** Dispatched, but the run it created never showed up in the run list. Do NOT retry the dispatch blindly. */
  runNotFound: ERRORS.deployRunNotFound,
  /** The deployment run concluded with anything but success. */
  deployFailed: ERRORS.deployFailed,
  /** Any other GitHub API failure (5xx, network, 4xx outside the dispatch). */
  githubApi: ERRORS.gitHubApiError,
  /** The token secret is empty or not in a known shape. */
  tokenInvalid: ERRORS.gitHubTokenInvalid,
} as const;

export class NoReleaseTagError extends NamedError {
  override readonly name = DEPLOY_ERRORS.noReleaseTag;
}
export class DeployDispatchFailedError extends NamedError {
  override readonly name = DEPLOY_ERRORS.dispatchFailed;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
export class DeployRunNotFoundError extends NamedError {
  override readonly name = DEPLOY_ERRORS.runNotFound;
}
export class DeployFailedError extends NamedError {
  override readonly name = DEPLOY_ERRORS.deployFailed;
  constructor(
    message: string,
    readonly runUrl: string,
  ) {
    super(message);
  }
}
export class GitHubApiError extends NamedError {
  override readonly name = DEPLOY_ERRORS.githubApi;
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}
export class GitHubTokenError extends NamedError {
  override readonly name = DEPLOY_ERRORS.tokenInvalid;
}

/** Re-exported so callers see the bound error next to the deploy ones; it is the shared WaitTimedOut. */
export { WaitTimedOutError } from '../shared/errors';
