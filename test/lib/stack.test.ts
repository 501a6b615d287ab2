import type { AppProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import type { RestoreConfig } from '../../lib/config';
import { MUTATING_RDS_ACTIONS, STEP_ENV, STEPS } from '../../lib/functions';
import { actionMatches, asArray, flatten, globMatches } from '../support/template';

type Json = unknown;
type Resource = { Type: string; Properties: Record<string, Json> };
type Statement = {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: Json | Json[];
  Sid?: string;
  Condition?: Record<string, Record<string, string>>;
};

let template: Template;
let resources: Record<string, Resource>;
let config: RestoreConfig;

beforeAll(() => {
  const props = {
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  } as AppProps;
  // Speed is measured by `npm run bench` (BENCHMARKS.md), never asserted here.
  const built = buildApp(props);
  template = Template.fromStack(built.stack);
  config = built.config;
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Every statement of every IAM policy in the template: inline policies, managed policies, role policies. */
function allStatements(): { policy: string; statement: Statement }[] {
  const out: { policy: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const docs: Json[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of asArray(r.Properties.Policies as { PolicyDocument: Json }[] | undefined))
        docs.push(p.PolicyDocument);
    }
    for (const doc of docs) {
      for (const statement of asArray((doc as { Statement: Statement | Statement[] }).Statement))
        out.push({ policy: id, statement });
    }
  }
  return out;
}

/** The mutating RDS actions a statement's Action covers (wildcards included). */
function mutatingActionsOf(statement: Statement): string[] {
  const patterns = asArray(statement.Action);
  return MUTATING_RDS_ACTIONS.filter((action) => patterns.some((p) => actionMatches(p, action)));
}

const ARN_PREFIX = 'arn:{Ref:AWS::Partition}:rds:{Ref:AWS::Region}:{Ref:AWS::AccountId}:';
const dbArn = (name: string) => `${ARN_PREFIX}db:${name}`;

function lambdaSteps(): Map<string, { step: string; props: Record<string, Json> }> {
  const out = new Map<string, { step: string; props: Record<string, Json> }>();
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const env = (r.Properties.Environment as { Variables: Record<string, string> }).Variables;
    // The status source and the data-age publisher are not steps (test/lib/status-monitoring.test.ts).
    if (!env[STEP_ENV]) continue;
    out.set(id, { step: env[STEP_ENV], props: r.Properties });
  }
  return out;
}

function roleOf(fn: Record<string, Json>): string {
  const [roleId, attr] = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  expect(attr).toBe('Arn');
  return roleId;
}

describe('synthesis', () => {
  it('did not bundle any Lambda code (bundling is skipped for every stack)', () => {
    // Arrange
    const functions = ofType('AWS::Lambda::Function');

    // Act
    const inline = functions.filter(([, r]) => 'ZipFile' in (r.Properties.Code as object));

    // Assert
    expect(lambdaSteps().size).toBe(STEPS.length);
    expect(inline).toEqual([]);
  });
});

describe('state machine', () => {
  it('is the one STANDARD state machine, traced, logging ALL without execution data', () => {
    // Arrange / Act: beforeAll
    // Assert
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });
});

describe('schedule and skip flag', () => {
  it('starts the state machine on the 1st of every month', () => {
    // Arrange
    const [machineId] = ofType('AWS::StepFunctions::StateMachine')[0]!;

    // Act / Assert
    const starters = ofType('AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes(machineId),
    );
    expect(starters).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 0 1 * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: machineId } })],
    });
  });

  it('creates the skip flag as a String parameter "false" that only takes true or false', () => {
    // Arrange / Act: beforeAll
    // Assert
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/staging-db-restore/skip',
      Type: 'String',
      Value: 'false',
      AllowedPattern: '^(true|false)$',
    });
  });
});

describe('Lambda functions', () => {
  it('has one nodejs22.x function per step', () => {
    // Arrange
    const steps = lambdaSteps();

    // Act
    const names = [...steps.values()].map((s) => s.step).sort();

    // Assert
    expect(names).toEqual([...STEPS].sort());
    expect(steps.size).toBe(STEPS.length);
    for (const { props } of steps.values()) expect(props.Runtime).toBe('nodejs22.x');
  });

  it('gives every function its own role', () => {
    // Arrange
    const steps = [...lambdaSteps().values()];

    // Act
    const roles = new Set(steps.map((s) => roleOf(s.props)));

    // Assert
    expect(roles.size).toBe(STEPS.length);
  });

  it('puts only names in the environment, never secret values', () => {
    // Arrange
    const envs = [...lambdaSteps().values()].map(
      (s) => (s.props.Environment as { Variables: Record<string, Json> }).Variables,
    );

    const secretNames = [
      config.slackWebhookSecretName,
      config.sanitize.credentialsSecretName,
      config.deployApi.tokenSecretName,
    ];

    // Act
    const suspicious = envs.flatMap((env) =>
      Object.entries(env).filter(
        ([key, value]) =>
          // A step's own name (e.g. "reset-password"), a secret's *name* and the public GitHub API URL are
          // not secrets.
          !(key === STEP_ENV && (STEPS as readonly Json[]).includes(value)) &&
          !(key.endsWith('_SECRET') && secretNames.includes(value as string)) &&
          !(key === 'GITHUB_API_URL' && value === config.deployApi.apiUrl) &&
          // The state machine's own ARN (built from its name) and those of the other users of staging.
          !(key === 'STATE_MACHINE_ARN' && flatten(value).endsWith(`:stateMachine:${config.stateMachineName}`)) &&
          !(key === 'OTHER_STATE_MACHINE_ARNS' && value === config.concurrency.otherStateMachineArns.join(',')) &&
          (typeof value !== 'string' ||
            /hooks\.slack\.com|token|xox[abpr]-|https?:\/\/|password/i.test(value) ||
            /token|password/i.test(key) ||
            !/^[A-Za-z0-9/_.:+=@-]{1,512}$/.test(value)),
      ),
    );

    // Assert
    expect(suspicious).toEqual([]);
    const notify = envs.find((env) => env[STEP_ENV] === 'notify')!;
    expect(notify.SLACK_WEBHOOK_SECRET).toBe(config.slackWebhookSecretName);
  });
});

describe('IAM: production is never a target', () => {
  function denyPolicy(): [string, Resource] {
    const denying = ofType('AWS::IAM::ManagedPolicy').filter(([, r]) =>
      asArray((r.Properties.PolicyDocument as { Statement: Statement[] }).Statement).some((s) => s.Effect === 'Deny'),
    );
    expect(denying).toHaveLength(1);
    return denying[0]!;
  }

  it('has a managed policy explicitly denying every mutating RDS action on production and *prod*', () => {
    // Arrange
    const [, policy] = denyPolicy();

    // Act
    const [deny] = asArray((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement).filter(
      (s) => s.Effect === 'Deny',
    );
    const deniedResources = asArray(deny!.Resource).map(flatten);

    // Assert
    expect(asArray(deny!.Action).sort()).toEqual([...MUTATING_RDS_ACTIONS].sort());
    expect(MUTATING_RDS_ACTIONS).toEqual(
      expect.arrayContaining([
        'rds:ModifyDBInstance',
        'rds:DeleteDBInstance',
        'rds:RestoreDBInstanceFromDBSnapshot',
        'rds:AddTagsToResource',
        'rds:RebootDBInstance',
        'rds:StopDBInstance',
      ]),
    );
    expect(deniedResources).toEqual(expect.arrayContaining([dbArn('prod-openverse-db'), dbArn('*prod*')]));
  });

  it('attaches the deny policy to every Lambda role and to the state machine role', () => {
    // Arrange
    const [policyId] = denyPolicy();
    const lambdaRoles = [...lambdaSteps().values()].map((s) => roleOf(s.props));
    const [, machine] = ofType('AWS::StepFunctions::StateMachine')[0]!;
    const machineRole = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

    // Act
    const missing = [...lambdaRoles, machineRole].filter(
      (roleId) =>
        !asArray(resources[roleId]!.Properties.ManagedPolicyArns as Json[]).some(
          (arn) => JSON.stringify(arn) === JSON.stringify({ Ref: policyId }),
        ),
    );

    // Assert
    expect(lambdaRoles).toHaveLength(STEPS.length);
    expect(missing).toEqual([]);
  });

  it('never allows a mutating RDS action on a production or wildcard database', () => {
    // Arrange
    const allowing = allStatements().filter(
      ({ statement }) => statement.Effect === 'Allow' && mutatingActionsOf(statement).length > 0,
    );
    // Restoring needs the (read-only) production snapshot as its source; that one resource is allowed, for
    // RestoreDBInstanceFromDBSnapshot alone. Every other resource must be free of "prod".
    const restoreSource = `${ARN_PREFIX}snapshot:rds:${config.productionInstance}-*`;

    // Act
    const offending = allowing.flatMap(({ policy, statement }) => {
      const onlyRestore = asArray(statement.Action).every((a) => a === 'rds:RestoreDBInstanceFromDBSnapshot');
      return asArray(statement.Resource)
        .map(flatten)
        .filter((arn) => {
          if (arn === '*') return true;
          const db = /:db:(.*)$/.exec(arn);
          if (db) return /prod/i.test(db[1]!) || db[1]!.includes('*') || db[1]!.includes('?');
          if (onlyRestore && arn === restoreSource) return false;
          return /prod/i.test(arn);
        })
        .map((arn) => `${policy}: ${asArray(statement.Action).join(',')} on ${arn}`);
    });

    // Assert
    expect(allowing.length).toBeGreaterThan(0);
    expect(offending).toEqual([]);
  });

  it('allows DeleteDBInstance only on the temporary and old databases, never staging', () => {
    // Arrange
    const deleting = allStatements().filter(
      ({ statement }) =>
        statement.Effect === 'Allow' && asArray(statement.Action).some((a) => actionMatches(a, 'rds:DeleteDBInstance')),
    );

    // Act
    const resourceSets = deleting.map(({ statement }) => asArray(statement.Resource).map(flatten).sort());

    // Assert
    expect(deleting.length).toBeGreaterThan(0);
    const allowed = [dbArn(config.temporaryInstance), dbArn(config.oldInstance)];
    for (const set of resourceSets) {
      expect(allowed).toEqual(expect.arrayContaining(set));
      expect(set).not.toContain(dbArn(config.stagingInstance));
    }
    expect([...new Set(resourceSets.flat())].sort()).toEqual(allowed.sort());
  });

  it('deletes the temporary name only when the instance carries this tool tag; the old name is the original staging', () => {
    // Arrange
    const deleting = allStatements().filter(
      ({ statement }) =>
        statement.Effect === 'Allow' && asArray(statement.Action).some((a) => actionMatches(a, 'rds:DeleteDBInstance')),
    );

    // Act
    const unconditionedTemporary = deleting.filter(
      ({ statement }) =>
        asArray(statement.Resource).map(flatten).includes(dbArn(config.temporaryInstance)) &&
        statement.Condition?.Null?.['rds:db-tag/staging-db-restore:execution'] !== 'false',
    );

    const old = deleting.filter(({ statement }) =>
      asArray(statement.Resource).map(flatten).includes(dbArn(config.oldInstance)),
    );

    // Assert
    expect(deleting.length).toBeGreaterThanOrEqual(3);
    expect(unconditionedTemporary).toEqual([]);
    // Only the delete step, after a successful swap, may delete the old name (staging may sit there mid-swap,
    // carrying an earlier run's tag, so a tag condition would not protect it).
    expect(old.map(({ policy }) => policy)).toEqual([expect.stringMatching(/Delete/)]);
  });

  it('does not let the production Deny cancel a permission a step needs', () => {
    // Arrange
    const [, policy] = denyPolicy();
    const denies = asArray((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement).filter(
      (s) => s.Effect === 'Deny',
    );
    const allows = allStatements().filter(({ statement }) => statement.Effect === 'Allow');

    // Act: an allowed (action, resource) that a Deny also covers is a permission that can never be used.
    const cancelled = allows.flatMap(({ policy: id, statement }) =>
      asArray(statement.Action).flatMap((action) =>
        asArray(statement.Resource)
          .map(flatten)
          // A wildcard in an allowed resource stands for some concrete name, e.g. a snapshot's date.
          .map((arn) => arn.replace(/\*/g, 'x'))
          .filter((arn) =>
            denies.some(
              (deny) =>
                asArray(deny.Action).some((a) => actionMatches(a, action)) &&
                asArray(deny.Resource)
                  .map(flatten)
                  .some((pattern) => globMatches(pattern, arn)),
            ),
          )
          .map((arn) => `${id}: ${action} on ${arn}`),
      ),
    );

    // Assert
    expect(cancelled).toEqual([]);
  });
});

describe('network placement (config.network, IDs only: synth needs no lookups)', () => {
  const network = {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
    securityGroupIds: ['sg-0ccccccccccccccc3'],
  };

  it('puts the sanitize and index functions in the given subnets and security groups, and no other', () => {
    // Arrange
    const props = { context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false } as AppProps;

    // Act
    const placed = Template.fromStack(buildApp(props, { network }).stack).toJSON().Resources as Record<
      string,
      Resource
    >;
    const vpcConfigs = Object.values(placed)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => ({
        step: (r.Properties.Environment as { Variables: Record<string, string> }).Variables[STEP_ENV],
        vpc: r.Properties.VpcConfig as { SubnetIds: string[]; SecurityGroupIds: string[] } | undefined,
      }))
      .filter((f) => f.vpc);

    // Assert
    expect(vpcConfigs.map((f) => f.step).sort()).toEqual(['sanitize', 'update-index']);
    for (const { vpc } of vpcConfigs) {
      expect(vpc).toEqual({ SubnetIds: network.subnetIds, SecurityGroupIds: network.securityGroupIds });
    }
  });

  it('refuses a network whose subnets and zones do not pair up, naming the field', () => {
    const props = { context: { 'aws:cdk:bundling-stacks': [] } } as AppProps;
    expect(() => buildApp(props, { network: { ...network, availabilityZones: ['us-east-1a'] } })).toThrow(
      /network\.availabilityZones/,
    );
  });
});
