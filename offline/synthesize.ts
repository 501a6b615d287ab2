import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { buildApp, STACK_NAME } from '../lib/app';
import type { RestoreConfig } from '../lib/config';
import { STEP_ENV, type Step } from '../lib/functions';

/**
 * The synthesized workflow the harness runs: the real CDK app synthesized, the state machine's definition taken
 * out of the template (Fn::Join / Ref / Fn::GetAtt resolved as CloudFormation would in the harness's account and
 * region), and each Task state's resource: a step's function with its synthesized environment, or an
 * `aws-sdk:*` integration.
 */

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

export interface SynthesizedWorkflow {
  config: RestoreConfig;
  template: Template;
  definition: StateMachineDefinition;
  /** Task state name → its resource: `lambda:<step>` with the function's env, or `aws-sdk:<service>:<action>`. */
  tasks: Map<string, { kind: 'lambda'; step: Step; env: Record<string, string> } | { kind: 'aws-sdk'; action: string }>;
}

const synthCache = new Map<string, SynthesizedWorkflow>();

/** Synthesizes the app (bundling skipped, templates not re-validated: only the definition is needed). */
export function synthesizeWorkflow(configOverride?: Record<string, unknown>): SynthesizedWorkflow {
  const key = JSON.stringify(configOverride ?? null);
  const cached = synthCache.get(key);
  if (cached) return cached;
  const { app, config } = buildApp(
    { context: { 'aws:cdk:bundling-stacks': [] }, ...({ builtinCloudFormationValidation: false } as object) },
    configOverride,
  );
  const template = app.synth().getStackByName(STACK_NAME).template as Template;
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine in the template, found ${machines.length}`);
  const definition = JSON.parse(
    resolve(machines[0]!.Properties!.DefinitionString, template) as string,
  ) as StateMachineDefinition;

  const tasks: SynthesizedWorkflow['tasks'] = new Map();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = (state as unknown as { Resource: string }).Resource;
    const fn = /^arn:aws:lambda:[^:]+:\d+:function:(.+)$/.exec(resource);
    const sdk = /^arn:aws:states:::aws-sdk:(.+)$/.exec(resource);
    if (fn) {
      const raw = (template.Resources[fn[1]!]?.Properties?.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      const env = raw && (resolve(raw, template) as Record<string, string>);
      const step = env?.[STEP_ENV] as Step | undefined;
      if (!env || !step) throw new Error(`Task "${name}" calls ${fn[1]}, which has no ${STEP_ENV} in its environment`);
      tasks.set(name, { kind: 'lambda', step, env });
    } else if (sdk) {
      tasks.set(name, { kind: 'aws-sdk', action: sdk[1]! });
    } else {
      throw new Error(`Task "${name}" has a resource the harness cannot run: ${resource}`);
    }
  }
  const result = { config, template, definition, tasks };
  synthCache.set(key, result);
  return result;
}

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
export function allStates(definition: {
  States: Record<string, unknown>;
}): [string, { Type: string } & Record<string, unknown>][] {
  const out: [string, { Type: string } & Record<string, unknown>][] = [];
  for (const [name, raw] of Object.entries(definition.States)) {
    const state = raw as { Type: string; Branches?: { States: Record<string, unknown> }[] } & Record<string, unknown>;
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch));
  }
  return out;
}

function resolve(value: unknown, template: Template): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, template));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p, template))).join(sep);
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (PSEUDO[ref]) return PSEUDO[ref];
      const resource = template.Resources[ref];
      if (!resource) throw new Error(`Unresolvable Ref ${ref}`);
      // Refs of SSM parameters resolve to their names, which the workflow passes to GetParameter.
      const name = resource.Properties?.Name;
      return typeof name === 'string' ? name : ref;
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const resource = template.Resources[id];
      if (!resource) throw new Error(`Unresolvable Fn::GetAtt ${id}.${attr}`);
      if (resource.Type === 'AWS::Lambda::Function' && attr === 'Arn')
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      return `${id}.${attr}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, template)]));
  }
  return value as Json;
}
