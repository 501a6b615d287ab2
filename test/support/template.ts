import type { AppProps } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import type { RestoreConfig } from '../../lib/config';

/**
 * The synthesized template as data, for infrastructure tests that read IAM policies and the state machine
 * definition (test/lib/iam.test.ts, test/lib/nag.test.ts). Bundling is skipped and CloudFormation validation
 * is off: only the template is needed.
 */

export type Json = unknown;
export interface Resource {
  Type: string;
  Properties: Record<string, Json>;
  Metadata?: Record<string, Json>;
}
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json | Json[];
  NotResource?: Json | Json[];
  Condition?: Record<string, Record<string, Json>>;
}
export interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, Json>;
  Branches?: { States: Record<string, State> }[];
  Iterator?: { States: Record<string, State> };
  ItemProcessor?: { States: Record<string, State> };
  [key: string]: Json;
}
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

export const FAST_SYNTH: AppProps = {
  context: { 'aws:cdk:bundling-stacks': [] },
  ...({ builtinCloudFormationValidation: false } as AppProps),
};

/**
 * Configurations the infrastructure tests check: the defaults, and one with every optional part on (VPC
 * placement, a customer KMS key, alarm targets) and a production name without "prod" in it.
 */
export const TEST_CONFIGS: Record<string, Record<string, unknown> | undefined> = {
  default: undefined,
  'full, production "openverse-main"': {
    productionInstance: 'openverse-main',
    snapshotKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
    network: {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      securityGroupIds: ['sg-0ccccccccccccccc3'],
    },
    monitoring: {
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:platform-alarms',
      slack: { workspaceId: 'T012ABCDEFG', channelId: 'C012ABCDEFG' },
    },
  },
};

export interface Synthesized {
  config: RestoreConfig;
  resources: Record<string, Resource>;
}

/** Synthesizes the app with `configOverride` (as the `staging-db-restore` context would give it). */
export function synthesize(configOverride?: Record<string, unknown>): Synthesized {
  const { app, config, stack } = buildApp(FAST_SYNTH, configOverride);
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource> };
  return { config, resources: template.Resources };
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * A CloudFormation string expression as one string: Fn::Join parts joined, `{Ref:X}` for Ref and
 * `{GetAtt:X.Attr}` for Fn::GetAtt, Fn::Sub's template as is. ARNs then read like
 * `arn:{Ref:AWS::Partition}:rds:{Ref:AWS::Region}:{Ref:AWS::AccountId}:db:dev-openverse-db`.
 */
export function flatten(value: Json): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, Json[]];
      return parts.map(flatten).join(sep);
    }
    if ('Ref' in o) return `{Ref:${String(o.Ref)}}`;
    if ('Fn::GetAtt' in o) return `{GetAtt:${(o['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Sub' in o) return String(asArray(o['Fn::Sub'] as Json)[0]);
  }
  throw new Error(`Cannot flatten ${JSON.stringify(value)}`);
}

/** `arn:{Ref:AWS::Partition}:<service>:{Ref:AWS::Region}:{Ref:AWS::AccountId}:`, as this stack's ARNs start. */
export function arnPrefix(service: string): string {
  return `arn:{Ref:AWS::Partition}:${service}:{Ref:AWS::Region}:{Ref:AWS::AccountId}:`;
}

export function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

export interface PolicyStatement {
  /** Logical id of the policy (or role, for inline policies) holding the statement. */
  policy: string;
  statement: Statement;
}

/** Every statement of every IAM policy in the template. */
export function allStatements(resources: Record<string, Resource>): PolicyStatement[] {
  return Object.keys(resources).flatMap((id) => statementsOfPolicy(resources, id));
}

function statementsOfPolicy(resources: Record<string, Resource>, id: string): PolicyStatement[] {
  const r = resources[id];
  if (!r) return [];
  const docs: Json[] = [];
  if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties.PolicyDocument);
  if (r.Type === 'AWS::IAM::Role') {
    for (const p of asArray(r.Properties.Policies as { PolicyDocument: Json }[] | undefined))
      docs.push(p.PolicyDocument);
  }
  return docs.flatMap((doc) =>
    asArray((doc as { Statement: Statement | Statement[] }).Statement).map((statement) => ({ policy: id, statement })),
  );
}

/** Logical ids of the template's managed policies attached to `roleId` (AWS managed ones are not in it). */
export function managedPoliciesOf(resources: Record<string, Resource>, roleId: string): string[] {
  const role = resources[roleId];
  const byArn = asArray(role?.Properties.ManagedPolicyArns as Json[] | undefined)
    .map((arn) => (arn && typeof arn === 'object' && 'Ref' in arn ? String((arn as { Ref: string }).Ref) : undefined))
    .filter((id): id is string => id !== undefined && resources[id]?.Type === 'AWS::IAM::ManagedPolicy');
  const byRoles = ofType(resources, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => attachedTo(p, roleId))
    .map(([id]) => id);
  return [...new Set([...byArn, ...byRoles])];
}

/** AWS managed policies attached to `roleId`, as flattened ARNs. */
export function awsManagedPoliciesOf(resources: Record<string, Resource>, roleId: string): string[] {
  return asArray(resources[roleId]?.Properties.ManagedPolicyArns as Json[] | undefined)
    .map(flatten)
    .filter((arn) => arn.includes(':iam::aws:policy/'));
}

function attachedTo(policy: Resource, roleId: string): boolean {
  return asArray(policy.Properties.Roles as Json[] | undefined).some(
    (r) => r && typeof r === 'object' && (r as { Ref?: string }).Ref === roleId,
  );
}

/** Every statement that applies to the role: inline, attached policies, managed policies of the template. */
export function statementsOfRole(resources: Record<string, Resource>, roleId: string): PolicyStatement[] {
  const policies = ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => attachedTo(p, roleId))
    .map(([id]) => id);
  return [roleId, ...policies, ...managedPoliciesOf(resources, roleId)].flatMap((id) =>
    statementsOfPolicy(resources, id),
  );
}

/** The logical id of the role a `Role: {Fn::GetAtt: [X, Arn]}` property points at. */
export function roleIdOf(roleArn: Json): string {
  const getAtt = (roleArn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt || getAtt[1] !== 'Arn') throw new Error(`Not a role of this template: ${JSON.stringify(roleArn)}`);
  return getAtt[0];
}

/** IAM's glob: `*` any run of characters, `?` one character. ARNs compare case-sensitively. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** IAM actions are case-insensitive globs. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern.toLowerCase(), action.toLowerCase());
}

/**
 * Whether the statements allow `action` on `resource` (any resource when omitted): an Allow covers it and
 * no unconditional Deny does. Conditions on an Allow are taken as satisfiable (they narrow which instance,
 * not whether the action is granted at all).
 */
export function allows(statements: PolicyStatement[], action: string, resource?: string): boolean {
  const covers = (s: Statement, r: string | undefined) =>
    (s.Action !== undefined
      ? asArray(s.Action).some((a) => actionMatches(a, action))
      : !asArray(s.NotAction).some((a) => actionMatches(a, action))) &&
    (s.Resource !== undefined
      ? r === undefined || asArray(s.Resource).some((p) => globMatches(flatten(p), r))
      : !asArray(s.NotResource).some((p) => r !== undefined && globMatches(flatten(p), r)));
  const granted = statements
    .filter(({ statement: s }) => s.Effect === 'Allow' && covers(s, resource))
    .flatMap(({ statement: s }) =>
      resource !== undefined
        ? [resource]
        : asArray(s.Resource)
            .map(flatten)
            .map((p) => p.replace(/\*/g, 'x')),
    );
  const denied = (r: string) =>
    statements.some(({ statement: s }) => s.Effect === 'Deny' && !s.Condition && covers(s, r));
  return granted.some((r) => !denied(r));
}

/** Every state of a definition, with those inside Parallel branches and Map iterators. */
export function allStates(definition: { States: Record<string, State> }): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...[...asArray(state.Branches), ...asArray(state.Iterator), ...asArray(state.ItemProcessor)].flatMap(allStates),
  ]);
}

/** The state machine's definition, with CloudFormation expressions flattened (see flatten). */
export function definitionOf(resources: Record<string, Resource>): { machineId: string; definition: Definition } {
  const machines = ofType(resources, 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine, found ${machines.length}`);
  const [machineId, machine] = machines[0]!;
  return { machineId, definition: JSON.parse(flatten(machine.Properties.DefinitionString)) as Definition };
}
