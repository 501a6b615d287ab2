import type { Logger } from '@aws-lambda-powertools/logger';
import type * as z from 'zod/mini';
import { InvalidInputError } from './errors';
import { createLogger } from './logger';

/**
 * Every step is `defineStep(name, inputSchema, run)`: the event is parsed first (a bad payload fails with the
 * field's path before anything is called), then `run` gets typed input and its dependencies as arguments.
 * `index.ts` binds real dependencies; tests and the offline harness bind their own.
 */
export function defineStep<Schema extends z.ZodMiniType, Deps, Result>(
  step: string,
  schema: Schema,
  run: (input: z.infer<Schema>, deps: Deps, log: Logger) => Promise<Result>,
): (deps: Deps) => (event: unknown) => Promise<Result> {
  return (deps) => {
    const log = createLogger(step);
    return async (event) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InvalidInputError(`${step}: input field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      const execution = (event as { execution?: { name?: unknown } }).execution?.name;
      if (typeof execution === 'string') log.appendKeys({ execution });
      return run(parsed.data, deps, log);
    };
  };
}
