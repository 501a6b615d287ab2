import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { STACK_OUTPUTS } from '../lambdas/shared/status-contract';
import { STATUS_ENV } from '../lambdas/status/status';
import type { RestoreConfig } from './config';
import { acknowledge, appFunction } from './app-function';
import { nagResource } from './nag';

export interface StatusSourceProps {
  config: RestoreConfig;
  stateMachine: sfn.StateMachine;
  rule: events.IRule;
  skipParameter: ssm.IStringParameter;
  denyProduction: iam.IManagedPolicy;
}

/**
 * The read path for people and tools: a small Lambda behind a Function URL that answers the schedule, the
 * next run, the skip flag and the last run as JSON (lambdas/status), for the Django notice; and the stack
 * outputs the operator CLI finds everything by.
 *
 * The URL has no IAM auth because a browser on the admin page reads it (a browser holds no AWS
 * credentials); it answers only non-secret facts, read-only, and CORS lets only the configured admin origins
 * read it from a page. Answers are cached in the function and in browsers for `status.cacheSeconds`.
 */
export class StatusSource extends Construct {
  readonly function?: NodejsFunction;
  readonly url?: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: StatusSourceProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    const outputs: Record<keyof typeof STACK_OUTPUTS, { value: string; description: string } | undefined> = {
      stateMachineArn: { value: props.stateMachine.stateMachineArn, description: 'The restore state machine' },
      scheduleRuleName: { value: props.rule.ruleName, description: 'The EventBridge rule that starts it' },
      schedule: { value: config.schedule, description: 'Its schedule expression (UTC)' },
      skipParameterName: { value: props.skipParameter.parameterName, description: 'SSM parameter: "true" skips' },
      lastRestoreParameterName: {
        value: config.lastRestoreParameterName,
        description: 'SSM parameter the workflow records each successful restore in',
      },
      statusUrl: undefined,
    };

    if (config.status.enabled) {
      const fn = appFunction(this, 'Function', {
        folder: 'status',
        description: 'staging-db-restore: status source (schedule, next run, skip flag, last run) for the admin notice',
        denyProduction: props.denyProduction,
        // Its URL is public (browsers call it without AWS credentials): a flood of requests gets throttled here
        // instead of taking the account's concurrency (answers are cached for cacheSeconds anyway).
        reservedConcurrentExecutions: 2,
        environment: {
          [STATUS_ENV.stateMachineArn]: props.stateMachine.stateMachineArn,
          [STATUS_ENV.scheduleRuleName]: props.rule.ruleName,
          [STATUS_ENV.schedule]: config.schedule,
          [STATUS_ENV.skipParameterName]: props.skipParameter.parameterName,
          [STATUS_ENV.lastRestoreParameterName]: config.lastRestoreParameterName,
          CACHE_SECONDS: String(config.status.cacheSeconds),
        },
      });
      // Read-only, and only these resources.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [props.skipParameter.parameterArn, parameterArn(stack, config.lastRestoreParameterName)],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['events:DescribeRule'], resources: [props.rule.ruleArn] }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:ListExecutions'],
          resources: [props.stateMachine.stateMachineArn],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution'],
          resources: [executionsArn(stack, props.stateMachine)],
        }),
      );
      acknowledge(fn.role!, [
        [
          `AwsSolutions-IAM5[Resource::${nagResource(fn, executionsArn(stack, props.stateMachine))}]`,
          "DescribeExecution is granted on this state machine's executions only; their names are not known in advance.",
        ],
      ]);
      const url = fn.addFunctionUrl({
        authType: lambda.FunctionUrlAuthType.NONE,
        cors: {
          allowedOrigins: config.status.allowedOrigins,
          allowedMethods: [lambda.HttpMethod.GET, lambda.HttpMethod.HEAD],
          allowCredentials: false,
          maxAge: undefined,
        },
      });
      this.function = fn;
      this.url = url;
      outputs.statusUrl = { value: url.url, description: 'Status source for the Django admin notice (JSON)' };
    }

    // Fixed output keys: the CLI looks them up by these names (lambdas/shared/status-contract.ts).
    for (const [key, output] of Object.entries(outputs)) {
      if (!output) continue;
      const name = STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS];
      new CfnOutput(this, name, output).overrideLogicalId(name);
    }
  }
}

/** The ARN of an SSM parameter given by its path name. */
export function parameterArn(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
}

/** The ARNs of the state machine's executions (`execution:<name>:*`). */
export function executionsArn(stack: Stack, machine: sfn.StateMachine): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${machine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
