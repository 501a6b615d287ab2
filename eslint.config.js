// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Everything outside test/ that imports code: the app, the handlers, the CLI, the scripts, the offline world. */
const PRODUCT_FILES = ['bin/**', 'lib/**', 'lambdas/**', 'cli/**', 'scripts/**', 'notice/**', 'offline/**'];
/** Relative imports that reach into test/ from any depth. */
const TEST_IMPORTS = ['**/test', '**/test/**'];
/** The same, for dynamic import() and require() (which no-restricted-imports does not see). */
const TEST_PATH = String.raw`/(^|\/)test(\/|$)/`;
const TEST_IMPORT_MESSAGE =
  'Nothing outside test/ imports from test/: move what both need into offline/ (the offline world) or lib/.';

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      'coverage/**',
      'artifacts/**',
      'scratch/**',
      'django-notice/**/static/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests assert on values they know are present.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  {
    // The product and the offline world never depend on the tests (test/ may import everything else).
    files: PRODUCT_FILES,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: TEST_IMPORTS, message: TEST_IMPORT_MESSAGE }] }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=${TEST_PATH}]`, message: TEST_IMPORT_MESSAGE },
        {
          selector: `CallExpression[callee.name='require'][arguments.0.value=${TEST_PATH}]`,
          message: TEST_IMPORT_MESSAGE,
        },
      ],
    },
  },
  {
    files: ['jest.config.js', 'eslint.config.js', 'test/support/state-coverage-reporter.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
