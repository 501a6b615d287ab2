/** Reads a required environment variable, failing with its name (never `process.env.X!`). */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

/** A comma-separated list from an optional environment variable (unset or empty: none). */
export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '').split(',').filter(Boolean);
}

/** The DB identifiers every RDS-facing function is configured with (set by lib/functions.ts). */
export interface Identifiers {
  production: string;
  staging: string;
  temporary: string;
  old: string;
}

export const IDENTIFIER_ENV = {
  production: 'PRODUCTION_INSTANCE',
  staging: 'STAGING_INSTANCE',
  temporary: 'TEMPORARY_INSTANCE',
  old: 'OLD_INSTANCE',
} as const satisfies Record<keyof Identifiers, string>;

export function identifiersFromEnv(env: NodeJS.ProcessEnv = process.env): Identifiers {
  return {
    production: requireEnv(IDENTIFIER_ENV.production, env),
    staging: requireEnv(IDENTIFIER_ENV.staging, env),
    temporary: requireEnv(IDENTIFIER_ENV.temporary, env),
    old: requireEnv(IDENTIFIER_ENV.old, env),
  };
}
