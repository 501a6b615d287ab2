import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * The retry policies and timeouts of the workflow's Task states, each with why it is what it is. Which step
 * gets which policy is decided where the step is built (the phase files).
 */

/** Errors after which a read-only or idempotent step is worth running again: nothing was done. */
const TRANSIENT_ERRORS = [
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Lambda.Unknown',
  'States.Timeout',
];

/** Read-only and idempotent steps: retry transient errors a few times, backing off. */
export const RETRY_TRANSIENT: sfn.RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(5),
  maxAttempts: 3,
  backoffRate: 2,
};

/** Mutating steps: only retry when RDS throttled the request, which means it was not carried out. */
export const RETRY_THROTTLED: sfn.RetryProps = {
  errors: ['Throttling', 'ThrottlingException', 'RequestLimitExceeded'],
  interval: Duration.seconds(10),
  maxAttempts: 3,
  backoffRate: 2,
};

/** GitHub reads: a 5xx or network error (GitHubApiError) is worth another poll later. */
export const RETRY_GITHUB: sfn.RetryProps = {
  errors: ['GitHubApiError'],
  interval: Duration.seconds(30),
  maxAttempts: 3,
  backoffRate: 2,
};

/** Slack is best effort: retry, then carry on without it (a Slack outage must not stop a restore). */
export const RETRY_NOTIFY: sfn.RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(5),
  maxAttempts: 2,
  backoffRate: 2,
};

/**
 * No retry of our own (LambdaInvoke still retries the Lambda service's own errors): for a step whose second
 * call could do twice what the first may already have done.
 */
export const NO_RETRY = undefined;

/** Lambda functions time out after 1 minute; the task gives them a little longer. */
export const TASK_TIMEOUT = Duration.seconds(90);

/** Dispatch waits for the run to appear (bounded lookups inside a 2-minute Lambda). */
export const DEPLOY_TIMEOUT = Duration.minutes(3);

/** The sanitize function may retry its connection for a few minutes (5-minute Lambda timeout). */
export const SANITIZE_TIMEOUT = Duration.minutes(6);
