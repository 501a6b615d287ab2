/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  setupFiles: [
    '<rootDir>/offline/polyfills.ts',
    '<rootDir>/test/support/quiet.ts',
    '<rootDir>/test/support/state-coverage.ts',
  ],
  testTimeout: 60_000,
  // The default reporter, and the state coverage of the workflow tests (fails a full run that misses a state).
  reporters: ['default', '<rootDir>/test/support/state-coverage-reporter.js'],
};
