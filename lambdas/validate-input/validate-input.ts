import {
  EXECUTION_INPUT_MAX_BYTES,
  type ExecutionInput,
  executionInputSchema,
} from '../shared/contract/execution-input';
import * as steps from '../shared/contract/steps';
import { InvalidInputError } from '../shared/errors';
import { defineStep } from '../shared/handler';
import type { StepClients } from '../shared/clients';

/**
 * The first state: the execution's input, checked before anything is read or changed. Only the fields of
 * `executionInputSchema` are allowed; the error names the first bad field and never echoes a value that is
 * not plainly safe to show (the message reaches Slack and the console).
 */
export function validateExecutionInput(raw: unknown): ExecutionInput {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  } catch {
    throw new InvalidInputError('The execution input must be a JSON object');
  }
  if (size > EXECUTION_INPUT_MAX_BYTES) {
    throw new InvalidInputError(
      `The execution input is ${size} bytes; at most ${EXECUTION_INPUT_MAX_BYTES} are allowed ` +
        '(allowed fields: dryRun, snapshotIdentifier, skipPostSteps)',
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidInputError(
      `The execution input must be a JSON object like {"dryRun": true}, not ${describe(raw)}`,
    );
  }
  const parsed = executionInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new InvalidInputError(
        `Execution input field ${issue.keys.map(shown).join(', ')} is not allowed ` +
          '(allowed: dryRun, snapshotIdentifier, skipPostSteps)',
      );
    }
    const field = issue.path.map(String).join('.');
    const value = (raw as Record<string, unknown>)[String(issue.path[0])];
    throw new InvalidInputError(`Execution input field ${field}: ${issue.message} (got ${describe(value)})`);
  }
  return {
    dryRun: parsed.data.dryRun ?? false,
    snapshotIdentifier: parsed.data.snapshotIdentifier ?? '',
    skipPostSteps: parsed.data.skipPostSteps ?? false,
  };
}

/** Plain identifiers are shown as they are; anything else only by its type and length. */
const SAFE = /^[A-Za-z0-9:._-]{1,64}$/;

function shown(key: string): string {
  return SAFE.test(key) ? `"${key}"` : `(a name of ${key.length} characters)`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return SAFE.test(value) ? `"${value}"` : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

export const makeHandler = defineStep(
  'validate-input',
  steps.validateInputInputSchema,
  async (event, _deps: object, log) => {
    const input = validateExecutionInput(event.input);
    log.info('Execution input accepted', { input });
    return input;
  },
);

/** This step's dependencies, from its function's environment (set by lib/functions.ts) and the clients given. */
export function fromEnv(_env: NodeJS.ProcessEnv, _clients: Pick<StepClients, never>): object {
  return {};
}
