/**
 * Errors of the staging-API redeploy, matched by name in the workflow's Catch/Retry like those in
 * ../shared/errors.ts. Their names live here rather than in contract.ts (owned by the workflow), so the
 * integrator should copy them into ERRORS when wiring the step. No message ever contains the GitHub token.
 */
export const DEPLOY_ERRORS = {
  /** No container image version carries a release tag: nothing to deploy. */
  noReleaseTag: 'NoReleaseTag',
  /** GitHub refused the workflow dispatch (4xx): bad token, unknown workflow, unexpected inputs, … */
  dispatchFailed: 'DeployDispatchFailed',
  /** Dispatched, but the run it created never showed up in the run list. Do NOT retry the dispatch blindly. */
  runNotFound: 'DeployRunNotFound',
  /** The deployment run concluded with anything but success. */
  deployFailed: 'DeployFailed',
  /** Any other GitHub API failure (5xx, network, 4xx outside the dispatch). */
  githubApi: 'GitHubApiError',
  /** The token secret is empty or not in a known shape. */
  tokenInvalid: 'GitHubTokenInvalid',
} as const;

abstract class NamedError extends Error {
  abstract override readonly name: string;
}

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
