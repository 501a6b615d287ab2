import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions rule pack) on the app.
 *
 * It runs on every `cdk synth` / `diff` / `deploy` (bin/app.ts builds the app with `nag: true`): an
 * unacknowledged finding fails synthesis with cdk-nag's report, as platform engineers expect. The tests run
 * it on the default and a fully featured configuration (test/lib/nag.test.ts). The offline harness and the
 * other infrastructure tests build the app without it, so that a finding fails the nag test, not every test
 * that merely synthesizes. Cost, measured on this 2-core machine (app without bundling): about 0.8 s once
 * per process (loading the rule pack and its first run: 1.9 s instead of 1.1 s for the first synth), then
 * about 30 ms per further synth; a whole `cdk synth` takes 11-20 s with nothing to re-bundle and 29-38 s fresh (BENCHMARKS.md).
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** The rule pack's prefix of every finding id (`AwsSolutions-IAM5[Resource::*]`). */
export const NAG_PACK = 'AwsSolutions';

/** The shortest reason accepted: it has to say why, for this construct, not just "accepted". */
export const MIN_REASON_LENGTH = 40;

/**
 * Accepts cdk-nag findings on `scope` (and its children), each with the reason it is acceptable there.
 * Put the call next to the construct that causes the finding. `id` is the finding as cdk-nag reports it,
 * e.g. `AwsSolutions-L1` or `AwsSolutions-IAM5[Resource::*]` (each wildcard is its own finding); the
 * `AwsSolutions::` namespace CDK's report suggests is accepted too and dropped, because cdk-nag itself only
 * recognises the bare id (CDK's synth-time report would honour both; `validateScope`, used by tests, only
 * the bare one). A vague or missing reason fails synthesis here.
 */
export function acknowledge(scope: IConstruct, findings: [id: string, reason: string][]): void {
  for (const [raw, reason] of findings) {
    const id = raw.replace(new RegExp(`^${NAG_PACK}::`), '');
    if (!new RegExp(`^${NAG_PACK}-[A-Za-z0-9]+(\\[.+\\])?$`).test(id)) {
      throw new Error(`cdk-nag acknowledgement on ${scope.node.path}: "${raw}" is not an ${NAG_PACK} finding id`);
    }
    if (reason.trim().length < MIN_REASON_LENGTH) {
      throw new Error(
        `cdk-nag acknowledgement ${id} on ${scope.node.path}: the reason must say why it is acceptable here ` +
          `(at least ${MIN_REASON_LENGTH} characters), got "${reason}"`,
      );
    }
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/**
 * A resource (ARN) as cdk-nag writes it in a finding id, e.g. `arn:<AWS::Partition>:rds:...:snapshot:*` or
 * `<WorkflowStateMachine8F1B1C15.Name>`: `AwsSolutions-IAM5[Resource::${nagResource(scope, arn)}]`
 * acknowledges the wildcard in exactly the ARN the policy grants, tokens included.
 */
export function nagResource(scope: IConstruct, arn: string): string {
  return flattenCfnReference(Stack.of(scope).resolve(arn));
}
