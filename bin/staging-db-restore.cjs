#!/usr/bin/env node
// `npx staging-db-restore <command>`: the operator CLI (cli/main.ts), run through tsx, which `npm ci`
// installs with the repository's dev dependencies. No build step.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry that must load tsx before the TypeScript */
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
