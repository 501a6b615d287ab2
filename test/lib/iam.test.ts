import * as fs from 'node:fs';
import * as path from 'node:path';
import { MUTATING_RDS_ACTIONS, STEP_ENV } from '../../lib/functions';
import { type AwsCall, awsCallsOf, iamActionsOf } from '../support/aws-calls';
import {
  actionMatches,
  allows,
  allStatements,
  allStates,
  arnPrefix,
  asArray,
  definitionOf,
  flatten,
  globMatches,
  managedPoliciesOf,
  ofType,
  type PolicyStatement,
  type Resource,
  roleIdOf,
  type Statement,
  statementsOfRole,
  type Synthesized,
  synthesize,
  TEST_CONFIGS,
} from '../support/template';

/**
 * The production Deny, Allow scoping and IAM completeness. Everything is derived from the synthesized template and the code, never
 * from a list of today's functions: a new role, statement, function or Task state is covered as it lands.
 * (test/lib/stack.test.ts holds the original example-based IAM checks: deny resources, delete targets.)
 */

const ROOT = path.join(__dirname, '..', '..');

const CONFIGS = TEST_CONFIGS;

const synthesized = new Map<string, Synthesized>();
beforeAll(() => {
  for (const [name, override] of Object.entries(CONFIGS)) synthesized.set(name, synthesize(override));
});
const each = Object.keys(CONFIGS);

/** A role's construct path, for failure messages (the logical id alone is hard to place). */
function named(resources: Record<string, Resource>, id: string): string {
  const p = resources[id]?.Metadata?.['aws:cdk:path'];
  return typeof p === 'string' ? `${id} (${p})` : id;
}

const isReadAction = (action: string) => /^rds:(Describe|List|Download)/i.test(action);

/** RDS actions (not reads) a statement's Action covers, wildcards expanded against the known mutating ones. */
function nonReadRdsActions(statement: Statement): string[] {
  return asArray(statement.Action).flatMap((pattern) => {
    if (!/^rds:/i.test(pattern) && !/^\*|^rds\*/i.test(pattern)) return [];
    if (!pattern.includes('*') && !pattern.includes('?')) return isReadAction(pattern) ? [] : [pattern];
    // A wildcard: every known mutating action it covers, and itself when it could cover an unknown one.
    const covered = MUTATING_RDS_ACTIONS.filter((a) => actionMatches(pattern, a));
    const onlyReads = /^rds:(Describe|List|Download)/i.test(pattern);
    return onlyReads ? [] : [...covered, pattern];
  });
}

describe.each(each)('IAM: production is denied explicitly, on every role (%s config)', (configName) => {
  let resources: Record<string, Resource>;
  let production: string;
  beforeAll(() => {
    const s = synthesized.get(configName)!;
    resources = s.resources;
    production = s.config.productionInstance;
  });

  /** The template's managed policies holding an explicit Deny of mutating RDS actions. */
  function denyPolicies(): string[] {
    return ofType(resources, 'AWS::IAM::ManagedPolicy')
      .filter(([id]) =>
        allStatements(resources)
          .filter((s) => s.policy === id)
          .some(({ statement }) => statement.Effect === 'Deny' && nonReadRdsActions(statement).length > 0),
      )
      .map(([id]) => id);
  }

  it('attaches the production Deny to every IAM role of the template', () => {
    // Arrange
    const denies = denyPolicies();
    const roles = ofType(resources, 'AWS::IAM::Role').map(([id]) => id);

    // Act
    const without = roles.filter((id) => !managedPoliciesOf(resources, id).some((p) => denies.includes(p)));

    // Assert
    expect(denies).toHaveLength(1);
    expect(roles.length).toBeGreaterThan(10);
    expect(without.map((id) => named(resources, id))).toEqual([]);
  });

  it('denies every mutating RDS action on production, unconditionally, with no NotAction/NotResource escape', () => {
    // Arrange
    const [policy] = denyPolicies();
    const denies = allStatements(resources).filter((s) => s.policy === policy && s.statement.Effect === 'Deny');
    const productionDb = `${arnPrefix('rds')}db:${production}`;

    // Act
    const notDenied = MUTATING_RDS_ACTIONS.filter((action) => !allows(denies.map(asAllow), action, productionDb));

    // Assert
    expect(denies.length).toBeGreaterThan(0);
    for (const { statement } of denies) {
      expect(statement).not.toHaveProperty('Condition');
      expect(statement).not.toHaveProperty('NotAction');
      expect(statement).not.toHaveProperty('NotResource');
    }
    expect(notDenied).toEqual([]);
  });

  it('denies every non-read RDS action that any statement allows, on production and on anything named *prod*', () => {
    // Arrange
    const [policy] = denyPolicies();
    const denies = allStatements(resources)
      .filter((s) => s.policy === policy && s.statement.Effect === 'Deny')
      .map(asAllow);
    const granted = [
      ...new Set(
        allStatements(resources)
          .filter(({ statement }) => statement.Effect === 'Allow')
          .flatMap(({ statement }) => nonReadRdsActions(statement)),
      ),
    ];
    const targets = [production, 'x-prod-x'].map((name) => `${arnPrefix('rds')}db:${name}`);

    // Act
    const escaping = granted.flatMap((action) =>
      targets.filter((arn) => !allows(denies, action, arn)).map((arn) => `${action} on ${arn}`),
    );

    // Assert
    expect(granted).toEqual(expect.arrayContaining(['rds:ModifyDBInstance', 'rds:DeleteDBInstance']));
    expect(escaping).toEqual([]);
  });
});

/** A Deny statement read as an Allow, to ask "does it cover this action on this resource?". */
function asAllow(s: PolicyStatement): PolicyStatement {
  return { ...s, statement: { ...s.statement, Effect: 'Allow', Condition: undefined } };
}

describe.each(each)('IAM: every Allow is scoped (%s config)', (configName) => {
  let resources: Record<string, Resource>;
  let production: string;
  beforeAll(() => {
    const s = synthesized.get(configName)!;
    resources = s.resources;
    production = s.config.productionInstance;
  });

  it('uses no NotAction or NotResource in an Allow (they grant everything not listed)', () => {
    // Arrange
    const allowsOf = allStatements(resources).filter(({ statement }) => statement.Effect === 'Allow');

    // Act
    const inverted = allowsOf.filter(({ statement }) => 'NotAction' in statement || 'NotResource' in statement);

    // Assert
    expect(allowsOf.length).toBeGreaterThan(20);
    expect(inverted.map(({ policy }) => named(resources, policy))).toEqual([]);
  });

  /**
   * Actions that have no resource-level permissions, so `Resource: "*"` is the only way to grant them: X-Ray
   * tracing, the vended log delivery of the state machine's logs, PutMetricData (then scoped by namespace).
   */
  const RESOURCELESS = [
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
    'cloudwatch:PutMetricData',
  ];

  it('grants a "*" resource only for actions that have no resource-level permissions', () => {
    // Arrange
    const star = allStatements(resources).filter(
      ({ statement }) => statement.Effect === 'Allow' && asArray(statement.Resource).some((r) => flatten(r) === '*'),
    );

    // Act
    const offending = star.flatMap(({ policy, statement }) =>
      asArray(statement.Action)
        .filter((a) => !RESOURCELESS.some((known) => known.toLowerCase() === a.toLowerCase()))
        .map((a) => `${named(resources, policy)}: ${a} on "*"`),
    );
    const unscopedMetrics = star.filter(
      ({ statement }) =>
        asArray(statement.Action).some((a) => actionMatches(a, 'cloudwatch:PutMetricData')) &&
        !statement.Condition?.StringEquals?.['cloudwatch:namespace'],
    );

    // Assert
    expect(star.length).toBeGreaterThan(0);
    expect(offending).toEqual([]);
    expect(unscopedMetrics.map(({ policy }) => policy)).toEqual([]);
  });

  it('never allows a mutating RDS action on production, anything production-like, or production snapshots', () => {
    // Arrange
    const db = (name: string) => `${arnPrefix('rds')}db:${name}`;
    const snapshot = (name: string) => `${arnPrefix('rds')}snapshot:${name}`;
    const productionLike = [production, `${production}-copy`, `x-${production}`, 'prod', 'my-prod-db'].map(db);
    const productionSnapshots = [`rds:${production}-2026-12-01-00-05`, `${production}-manual`, 'prod-final'].map(
      snapshot,
    );

    // Act: a pattern matching one of these names would let the action reach it.
    const offending = allStatements(resources)
      .filter(({ statement }) => statement.Effect === 'Allow')
      .flatMap(({ policy, statement }) =>
        nonReadRdsActions(statement).flatMap((action) =>
          asArray(statement.Resource)
            .map(flatten)
            .flatMap((pattern) => [
              ...productionLike.filter((arn) => globMatches(pattern, arn)),
              // Restoring *from* a production snapshot is the point; changing one never is.
              ...(actionMatches(action, 'rds:RestoreDBInstanceFromDBSnapshot')
                ? []
                : productionSnapshots.filter((arn) => globMatches(pattern, arn))),
            ])
            .map((arn) => `${named(resources, policy)}: ${action} reaches ${arn}`),
        ),
      );

    // Assert
    expect(offending).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// IAM completeness.

/** Which lambdas/<folder> a function runs: its STEP_NAME, else the folder its logical id is named after. */
function codeFolderOf(logicalId: string, fn: Resource): string {
  const env = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const step = env[STEP_ENV];
  if (typeof step === 'string') return step;
  const folders = fs
    .readdirSync(path.join(ROOT, 'lambdas'))
    .filter((d) => fs.existsSync(path.join(ROOT, 'lambdas', d, 'index.ts')));
  const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
  const matching = folders.filter((d) => logicalId.includes(pascal(d))).sort((a, b) => b.length - a.length);
  if (!matching[0]) {
    throw new Error(
      `Cannot tell which lambdas/<folder> function ${logicalId} runs: give it ${STEP_ENV} or name its construct ` +
        'after its folder (e.g. "DataAgeFunction" for lambdas/data-age)',
    );
  }
  return matching[0];
}

/** `{Ref:X}` of an SSM parameter of this template replaced by its name (a parameter's Ref is its name). */
function withParameterNames(resources: Record<string, Resource>, text: string): string {
  return text.replace(/\{Ref:(\w+)\}/g, (ref, id: string) =>
    resources[id]?.Type === 'AWS::SSM::Parameter' ? String(resources[id]!.Properties.Name) : ref,
  );
}

/** The statements, their resources flattened and parameter Refs replaced by names (see withParameterNames). */
function withParameterNamesIn(resources: Record<string, Resource>, statements: PolicyStatement[]): PolicyStatement[] {
  return statements.map((s) => ({
    ...s,
    statement: {
      ...s.statement,
      Resource: asArray(s.statement.Resource).map((r) => withParameterNames(resources, flatten(r))),
    },
  }));
}

/** Parameter ARN of an SSM parameter name, as this stack's policies write it. */
function parameterArn(name: string): string {
  return `${arnPrefix('ssm')}parameter/${name.replace(/^\//, '')}`;
}

/** Step Functions SDK service names whose IAM prefix differs (the others are the same). */
const SFN_SERVICE_PREFIX: Record<string, string> = {
  sfn: 'states',
  eventbridge: 'events',
  cloudwatchlogs: 'logs',
  efs: 'elasticfilesystem',
  elasticloadbalancingv2: 'elasticloadbalancing',
};
/** Step Functions SDK service names known to be their IAM prefix. Anything else fails the test. */
const SFN_SAME_PREFIX = ['ssm', 'rds', 'secretsmanager', 'lambda', 's3', 'sns', 'sqs', 'dynamodb', 'cloudwatch', 'ec2'];

/** The IAM action(s) and, where it can be told, the resource of one Task state of the definition. */
function taskNeeds(
  state: { Resource?: string; Parameters?: Record<string, unknown> },
  resources: Record<string, Resource>,
): {
  action: string;
  resource?: string;
}[] {
  const resource = state.Resource ?? '';
  const fn = /^\{GetAtt:(\w+)\.Arn\}$/.exec(resource);
  if (fn) return [{ action: 'lambda:InvokeFunction', resource: resource }];
  const integration = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z0-9]+)(\.sync|\.waitForTaskToken)?$/.exec(
    resource.replace('{Ref:AWS::Partition}', 'aws'),
  );
  const sdk = /^arn:[^:]+:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(
    resource.replace('{Ref:AWS::Partition}', 'aws'),
  );
  if (sdk) {
    const [, service, action] = sdk as unknown as [string, string, string];
    const prefix = SFN_SERVICE_PREFIX[service] ?? (SFN_SAME_PREFIX.includes(service) ? service : undefined);
    if (!prefix) throw new Error(`aws-sdk:${service}: add its IAM prefix to SFN_SERVICE_PREFIX in ${__filename}`);
    const iamAction = `${prefix}:${action[0]!.toUpperCase()}${action.slice(1)}`;
    const name = state.Parameters?.Name;
    const resource =
      prefix === 'ssm' && typeof name === 'string' ? parameterArn(withParameterNames(resources, name)) : undefined;
    return [{ action: iamAction, resource }];
  }
  if (integration?.[1] === 'lambda' && integration[2] === 'invoke') {
    const name = state.Parameters?.FunctionName;
    return [{ action: 'lambda:InvokeFunction', resource: typeof name === 'string' ? name : undefined }];
  }
  throw new Error(`A Task state has a resource this test does not know how to check: ${resource}`);
}

describe.each(each)('IAM completeness: every AWS API the workflow calls is granted (%s config)', (configName) => {
  let resources: Record<string, Resource>;
  beforeAll(() => {
    resources = synthesized.get(configName)!.resources;
  });

  it('grants each Lambda function every AWS action its code can call (derived from the code)', () => {
    // Arrange
    const functions = ofType(resources, 'AWS::Lambda::Function');
    const table: string[] = [];

    // Act
    const missing = functions.flatMap(([id, fn]) => {
      const folder = codeFolderOf(id, fn);
      const { calls } = awsCallsOf(path.join(ROOT, 'lambdas', folder, 'index.ts'), { root: ROOT });
      const statements = statementsOfRole(resources, roleIdOf(fn.Properties.Role));
      const needs = calls.flatMap((call: AwsCall) => iamActionsOf(call).map((action) => ({ action, call })));
      table.push(`${folder}: ${[...new Set(needs.map((n) => n.action))].join(', ') || '(no AWS API)'}`);
      return needs
        .filter(({ action }) => !allows(statements, action))
        .map(({ action, call }) => `${folder} (${id}): ${action} (${call.operation} in ${call.file}) is not granted`);
    });

    // Assert
    expect(functions.length).toBeGreaterThanOrEqual(13);
    if (configName === 'default') console.log(`AWS APIs per function, from the code:\n  ${table.join('\n  ')}`);
    expect(missing).toEqual([]);
  });

  it("grants each function's Secrets Manager reads on the secret its environment names", () => {
    // Arrange
    const functions = ofType(resources, 'AWS::Lambda::Function');

    // Act
    const secrets = functions.flatMap(([id, fn]) => {
      const env = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      return Object.entries(env)
        .filter(([key, value]) => key.endsWith('_SECRET') && typeof value === 'string')
        .map(([key, name]) => ({ id, key, arn: `${arnPrefix('secretsmanager')}secret:${String(name)}-AbCdEf`, fn }));
    });
    const missing = secrets
      .filter(
        ({ fn, arn }) =>
          !allows(statementsOfRole(resources, roleIdOf(fn.Properties.Role)), 'secretsmanager:GetSecretValue', arn),
      )
      .map(({ id, key, arn }) => `${id}: ${key} → ${arn}`);

    // Assert
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(missing).toEqual([]);
  });

  it('grants the state machine role every aws-sdk:* call and the invocation of every Lambda function it calls', () => {
    // Arrange
    const [, machine] = ofType(resources, 'AWS::StepFunctions::StateMachine')[0]!;
    const statements = withParameterNamesIn(
      resources,
      statementsOfRole(resources, roleIdOf(machine.Properties.RoleArn)),
    );
    const tasks = allStates(definitionOf(resources).definition).filter(([, s]) => s.Type === 'Task');

    // Act
    const needs = tasks.flatMap(([name, state]) => taskNeeds(state, resources).map((need) => ({ name, ...need })));
    const missing = needs
      .filter(({ action, resource }) => !allows(statements, action, resource))
      .map(({ name, action, resource }) => `"${name}": ${action}${resource ? ` on ${resource}` : ''}`);

    // Assert
    expect(needs.filter((n) => n.action === 'lambda:InvokeFunction').length).toBeGreaterThan(10);
    expect(needs.some((n) => n.action.startsWith('ssm:'))).toBe(true);
    expect(missing).toEqual([]);
  });

  it('lets every EventBridge rule start the state machine it targets', () => {
    // Arrange
    const rules = ofType(resources, 'AWS::Events::Rule');

    // Act
    const missing = rules.flatMap(([id, rule]) =>
      asArray(rule.Properties.Targets as { Arn: unknown; RoleArn?: unknown }[] | undefined)
        .filter(
          (t) =>
            flatten(t.Arn).startsWith('{Ref:') &&
            resources[flatten(t.Arn).slice(5, -1)]?.Type === 'AWS::StepFunctions::StateMachine',
        )
        .filter(
          (t) =>
            !t.RoleArn ||
            !allows(statementsOfRole(resources, roleIdOf(t.RoleArn)), 'states:StartExecution', flatten(t.Arn)),
        )
        .map((t) => `${id} → ${flatten(t.Arn)}`),
    );

    // Assert
    expect(rules.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});

describe('the AWS call analysis (test/support/aws-calls.ts) on small programs', () => {
  const FILES: Record<string, string> = {
    '/p/guard.ts': `
      import { DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';
      export class Guard {
        constructor(private rds: RDSClient) { this.check('x'); }
        check(id: string) { return id; }
        delete(id: string) { return this.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id })); }
        rename(id: string) { return this.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id })); }
      }
      export function unused() { return new DescribeDBInstancesCommand({}); }
    `,
    '/p/reader.ts': `
      import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
      export const reader = (c: { send(x: unknown): unknown }) => () => c.send(new GetSecretValueCommand({ SecretId: 's' }));
    `,
    '/p/checks-only.ts': `
      import { Guard } from './guard';
      import { reader } from './reader';
      export const handler = async () => { new Guard({} as never).check('a'); return reader({ send: () => 1 })(); };
    `,
    '/p/deletes.ts': `
      import { Guard } from './guard';
      export const handler = async (g: Guard = new Guard({} as never)) => g.delete('a');
    `,
    '/p/unknown-client.ts': `
      import { PutObjectCommand } from '@aws-sdk/client-s3';
      export const handler = () => new PutObjectCommand({ Bucket: 'b', Key: 'k' });
    `,
    '/p/aggregated.ts': `
      import { RDS } from '@aws-sdk/client-rds';
      export const handler = () => new RDS({}).deleteDBInstance({ DBInstanceIdentifier: 'x' });
    `,
  };
  const analyse = (entry: string) => awsCallsOf(entry, { root: '/p', readFile: (f) => FILES[f] });
  const operations = (entry: string) => analyse(entry).calls.map((c) => c.operation);

  it('counts only the methods a module reaches, not every command in the files it imports', () => {
    expect(operations('/p/checks-only.ts')).toEqual(['GetSecretValue']);
    expect(operations('/p/deletes.ts')).toEqual(['DeleteDBInstance']);
  });

  it('maps commands to IAM actions, with the tagging a restore also needs', () => {
    expect(iamActionsOf({ pkg: '@aws-sdk/client-rds', operation: 'DeleteDBInstance' })).toEqual([
      'rds:DeleteDBInstance',
    ]);
    expect(iamActionsOf({ pkg: '@aws-sdk/client-sfn', operation: 'ListExecutions' })).toEqual([
      'states:ListExecutions',
    ]);
    expect(iamActionsOf({ pkg: '@aws-sdk/client-rds', operation: 'RestoreDBInstanceFromDBSnapshot' })).toEqual([
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:AddTagsToResource',
    ]);
  });

  it('fails loudly on a client package it does not know, and on an aggregated client', () => {
    expect(() => analyse('/p/unknown-client.ts')).toThrow(/@aws-sdk\/client-s3.*CLIENT_SERVICE_PREFIX/);
    expect(() => analyse('/p/aggregated.ts')).toThrow(/RDS from @aws-sdk\/client-rds: an aggregated client/);
  });
});
