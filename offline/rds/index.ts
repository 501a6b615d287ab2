/** The RDS simulator: what the offline world answers RDS calls with. */
export * from './types';
export { RdsSimulator } from './simulator';
