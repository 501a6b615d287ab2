import * as z from 'zod/mini';
import './locale';

/**
 * What a person may put in a manual execution's input ("Start execution" in the console, or the CLI). The
 * monthly rule sends `{}`. Anything else ends the run in its first state, before anything is read or changed,
 * with an error naming the field. Limits are tight on purpose: nothing here is free text.
 */
export const EXECUTION_INPUT_MAX_BYTES = 1024;
/** A snapshot identifier as RDS allows it (automated ones are `rds:<instance>-<date>`); no ARNs. */
export const SNAPSHOT_IDENTIFIER = /^(rds:)?[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/;
export const executionInputSchema = z.strictObject({
  /** Do every read-only step and precondition check, then end with the plan; change nothing. */
  dryRun: z.optional(z.boolean()),
  /** Restore this snapshot of production (automated or manual) instead of the newest automated one. */
  snapshotIdentifier: z.optional(
    z
      .string()
      .check(
        z.maxLength(255),
        z.regex(
          SNAPSHOT_IDENTIFIER,
          'must be an RDS snapshot identifier (letters, digits, hyphens; rds: prefix allowed)',
        ),
      ),
  ),
  /** Skip redeploying the staging API and updating the search indices after the swap. */
  skipPostSteps: z.optional(z.boolean()),
  /** The Step Functions console pre-fills `{"Comment": "Insert your JSON here"}`: accepted and ignored. */
  Comment: z.optional(z.string().check(z.maxLength(256))),
});
/** The validated input, defaults filled in (`snapshotIdentifier` '' = the newest automated snapshot). */
export const validatedInputSchema = z.object({
  dryRun: z.boolean(),
  snapshotIdentifier: z.string(),
  skipPostSteps: z.boolean(),
});
export type ExecutionInput = z.infer<typeof validatedInputSchema>;
