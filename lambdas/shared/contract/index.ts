/**
 * The one contract for the data that flows through the state machine, by theme: what the state holds
 * (state.ts), the execution input (execution-input.ts), every step's input and result (steps.ts,
 * steps-after-swap.ts), error names (errors.ts) and the RDS facts the steps share (rds.ts).
 *
 * The CDK app, the tests and the tools import this index. The handlers import the theme files they need:
 * esbuild keeps every schema declaration of a file a bundle includes (it cannot tell that `.check()` has no
 * side effects), so importing this index would put every step's schemas into every function.
 */
export * from './errors';
export * from './execution-input';
export * from './rds';
export * from './state';
export * from './steps';
export * from './steps-after-swap';
