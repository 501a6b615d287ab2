import { type App, type CfnResource, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app';
import { acknowledge, MIN_REASON_LENGTH, NAG_PACK } from '../../lib/nag';
import { FAST_SYNTH, TEST_CONFIGS } from '../support/template';

/**
 * cdk-nag's AwsSolutions checks on the app, as `cdk synth` runs them (lib/nag.ts), on the
 * default configuration and on one with every optional part on. Zero unacknowledged findings; every
 * acknowledgement has a specific reason and still matches a finding (a stale one is removed, not kept).
 * Any resource another change adds is checked too: its findings fail this test until fixed or acknowledged
 * next to the construct with `acknowledge(...)` from lib/nag.ts.
 */

interface Finding {
  ruleId: string;
  path: string;
}
interface Acknowledgement {
  id: string;
  path: string;
  reason: string;
}

/** Every finding, acknowledged or not: cdk-nag is asked with its acknowledgement lookup answering "no". */
function allFindings(app: App): Finding[] {
  const pack = new AwsSolutionsChecks();
  const findings: Finding[] = [];
  const internals = pack as unknown as { isAcknowledged?: (resource: CfnResource, ruleId: string) => boolean };
  // cdk-nag 3.0 checks each finding through this (private) method; if it is renamed, no finding is recorded
  // and the "matches a finding" test below fails for every acknowledgement, pointing here.
  expect(typeof internals.isAcknowledged).toBe('function');
  internals.isAcknowledged = (resource, ruleId) => {
    findings.push({ ruleId, path: resource.node.path });
    return false;
  };
  pack.validateScope(app);
  return findings;
}

/** Every cdk-nag acknowledgement in the construct tree, however it was made. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([key, reason]) => ({ id: key.replace(/^[A-Za-z-]+::/, ''), path: c.node.path, reason }))
      .filter((a) => a.id.startsWith(`${NAG_PACK}-`)),
  );
}

const under = (path: string, scope: string) => path === scope || path.startsWith(`${scope}/`);

/** Reasons that say nothing about why. */
const VAGUE =
  /^(ok|fine|n\/?a|none|todo|tbd|accepted|acknowledged|suppressed?|not (needed|applicable|relevant)|false positive|by design|needed|required|intended)\.?$/i;

describe.each(Object.keys(TEST_CONFIGS))('cdk-nag AwsSolutions (%s config)', (configName) => {
  let app: App;
  let findings: Finding[];
  let acks: Acknowledgement[];
  let synthError: string | undefined;

  beforeAll(() => {
    const override = TEST_CONFIGS[configName];
    // What `cdk synth` does (bin/app.ts): the checks as a validation plugin; a finding fails synthesis. The
    // full configuration is synthesized for a concrete account and region, as the CDK CLI does with a
    // profile: ARNs then carry them instead of tokens, and acknowledgements must still match.
    const env = {
      CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT,
      CDK_DEFAULT_REGION: process.env.CDK_DEFAULT_REGION,
    };
    if (override) Object.assign(process.env, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'us-east-1' });
    try {
      app = buildApp(FAST_SYNTH, override, { nag: true }).app;
    } finally {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    try {
      app.synth();
    } catch (err) {
      synthError = (err as Error).message;
    }
    findings = allFindings(app);
    acks = acknowledgements(app);
  });

  it('synthesizes with the checks on: no unacknowledged finding', () => {
    // Assert: on failure, this shows cdk-nag's report (rule, resource path, what to fix).
    expect(synthError ?? 'no unacknowledged finding').toBe('no unacknowledged finding');
  });

  it('finds no finding without an acknowledgement on its resource or a parent', () => {
    // Act
    const unacknowledged = findings.filter((f) => !acks.some((a) => a.id === f.ruleId && under(f.path, a.path)));

    // Assert
    expect(findings.length).toBeGreaterThan(0);
    expect(unacknowledged.map((f) => `${f.ruleId} at ${f.path}`)).toEqual([]);
  });

  it('keeps no acknowledgement that matches no finding (a stale one hides the next real finding)', () => {
    // Act
    const stale = acks.filter((a) => !findings.some((f) => f.ruleId === a.id && under(f.path, a.path)));

    // Assert
    expect(acks.length).toBeGreaterThan(0);
    expect(stale.map((a) => `${a.id} at ${a.path}`)).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    // Act
    const vague = acks.filter((a) => a.reason.trim().length < MIN_REASON_LENGTH || VAGUE.test(a.reason.trim()));

    // Assert
    expect(vague.map((a) => `${a.id} at ${a.path}: "${a.reason}"`)).toEqual([]);
    const list = acks.map((a) => `${a.path}\n      ${a.id}\n      ${a.reason}`);
    console.log(`cdk-nag acknowledgements (${configName}, ${acks.length}):\n  ${list.join('\n  ')}`);
  });
});

describe('acknowledge() (lib/nag.ts)', () => {
  const scope = () => buildApp(FAST_SYNTH).stack;

  it('refuses a vague reason, naming the finding and the construct', () => {
    expect(() => acknowledge(scope(), [['AwsSolutions-IAM5[Resource::*]', 'needed']])).toThrow(
      /AwsSolutions-IAM5\[Resource::\*\] on StagingDbRestore: the reason must say why/,
    );
  });

  it('refuses an id that is not an AwsSolutions finding', () => {
    expect(() => acknowledge(scope(), [['IAM5', 'X-Ray has no resource-level permissions for these actions']])).toThrow(
      /"IAM5" is not an AwsSolutions finding id/,
    );
  });

  it('records the bare id cdk-nag matches, also when given with the AwsSolutions:: namespace', () => {
    // Arrange
    const stack = scope();

    // Act
    acknowledge(stack, [['AwsSolutions::AwsSolutions-L1', 'Node.js 22 is the runtime these handlers are tested for']]);

    // Assert
    expect(acknowledgements(stack).filter((a) => a.path === stack.node.path)).toEqual([
      {
        id: 'AwsSolutions-L1',
        path: 'StagingDbRestore',
        reason: 'Node.js 22 is the runtime these handlers are tested for',
      },
    ]);
  });
});
