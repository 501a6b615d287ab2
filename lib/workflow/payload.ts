import type * as z from 'zod/mini';
import type {
  applySettingsInputSchema,
  captureStagingInputSchema,
  checkRunsInputSchema,
  checkStatusInputSchema,
  deleteInputSchema,
  deployApiInputSchema,
  findSnapshotInputSchema,
  leftoversInputSchema,
  notifyInputSchema,
  pollTargetSchema,
  renameInputSchema,
  resetPasswordInputSchema,
  restoreInputSchema,
  rollbackInputSchema,
  sanitizeInputSchema,
  updateIndexInputSchema,
  validateInputInputSchema,
  verifyRestoreInputSchema,
} from '../../lambdas/shared/contract';
import type { Step } from '../functions';

/**
 * Task payloads checked against the contract at compile time: a misspelt, missing or mistyped key of a step's
 * input fails `tsc`, instead of the step's input check when a workflow runs. See
 * test/lib/workflow/payload-types.ts for what is caught.
 */

/** What each step parses its event with, before defaults are filled in: what the workflow must send. */
interface StepInputs {
  'validate-input': z.input<typeof validateInputInputSchema>;
  'check-runs': z.input<typeof checkRunsInputSchema>;
  leftovers: z.input<typeof leftoversInputSchema>;
  'find-snapshot': z.input<typeof findSnapshotInputSchema>;
  'capture-staging': z.input<typeof captureStagingInputSchema>;
  restore: z.input<typeof restoreInputSchema>;
  'check-status': z.input<typeof checkStatusInputSchema>;
  'verify-restore': z.input<typeof verifyRestoreInputSchema>;
  rename: z.input<typeof renameInputSchema>;
  delete: z.input<typeof deleteInputSchema>;
  'apply-settings': z.input<typeof applySettingsInputSchema>;
  rollback: z.input<typeof rollbackInputSchema>;
  notify: z.input<typeof notifyInputSchema>;
  'reset-password': z.input<typeof resetPasswordInputSchema>;
  sanitize: z.input<typeof sanitizeInputSchema>;
  'deploy-api': z.input<typeof deployApiInputSchema>;
  'update-index': z.input<typeof updateIndexInputSchema>;
}
/** Every step, and only steps: a step without an entry above fails here. */
export type StepInput = { [S in Step]: StepInputs[S] };

/** The target of a wait loop (the check-status input's `target`). */
export type PollTargetInput = z.input<typeof pollTargetSchema>;

/**
 * The type of a parameter that takes a payload P for the input type T (P is inferred from the argument): P
 * itself when it is right, else what it should have been, so that the compiler's error points at the key that
 * is wrong and says what it expected.
 */
export type Payload<T, P> = [P] extends [ExactPayload<T, P>] ? P : ExactPayload<T, P>;

declare const checked: unique symbol;
/** A nested payload that a generic signature has already checked against T (see `checkedPayload`). */
export interface CheckedPayload<T> {
  readonly [checked]: T;
}

/** Marks `payload`, checked against T by the signature that took it, for a payload that nests it. */
export function checkedPayload<T>(payload: object): CheckedPayload<T> {
  return payload as CheckedPayload<T>;
}

/**
 * The payload P is right for the input type T when every key of P is a key K of T, given either as `K` (a value
 * of T[K] or, for an object, a payload of it in turn) or as `K.$` (a JSONPath, resolved when the task runs), and
 * every required key of T is given one of the two ways. Other keys map to `never` and missing ones are added as
 * required, so that P is no longer assignable to it. An input with several shapes (a union: a step's actions, a
 * wait target's kinds) takes a payload of any one of them.
 */
type ExactPayload<T, P> = T extends unknown ? ObjectPayload<T, P> : never;

type ObjectPayload<T, P> = {
  [K in keyof P]: K extends `${infer Key}.$`
    ? Key extends keyof T
      ? string
      : never
    : K extends keyof T
      ? PayloadValue<T[K], P[K]>
      : never;
} & { [K in MissingKeys<T, P>]: T[K] };

type RequiredKeys<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? never : K }[keyof T];
/** The keys of T that P gives, as a value or as a JSONPath. */
type GivenKeys<P> = { [K in keyof P]-?: K extends `${infer Key}.$` ? Key : K }[keyof P];
type MissingKeys<T, P> = Exclude<RequiredKeys<T>, GivenKeys<P>>;

/** The object members of V, arrays aside. */
type ObjectMembers<V> = Exclude<Extract<V, object>, readonly unknown[]>;

/** What a key given as a value must hold, for an input member of type V given as PV. */
type PayloadValue<V, PV> = [PV] extends [CheckedPayload<infer Checked>]
  ? [Checked] extends [V]
    ? PV
    : never
  : unknown extends V
    ? PV
    : [PV] extends [readonly unknown[]]
      ? ReadonlyArrays<V>
      : [PV] extends [object]
        ? [ObjectMembers<V>] extends [never]
          ? V
          : string extends keyof ObjectMembers<V>
            ? PV
            : ExactPayload<ObjectMembers<V>, PV>
        : V;

/** A payload's arrays may be read-only (config, `as const`): the step gets a copy in JSON either way. */
type ReadonlyArrays<V> = V extends (infer E)[] ? readonly E[] : V;
