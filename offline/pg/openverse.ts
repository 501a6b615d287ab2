/**
 * Openverse-shaped seed data: the API database's schema (media tables and django-oauth-toolkit with a swapped
 * application model) and the rows production and staging start with. Apart because it is data, not machinery.
 */
import type pg from 'pg';

export const MEDIA_TABLES: readonly string[] = ['image', 'audio'];
/**
 * django-oauth-toolkit's tables. Openverse swaps the application model (OAUTH2_PROVIDER_APPLICATION_MODEL =
 * api.ThrottledApplication), so every FK points at `api_throttledapplication`; DOT's own migrations still create
 * `oauth2_provider_application`, unused and unreferenced.
 */
export const OAUTH_TABLES: readonly string[] = [
  'api_throttledapplication',
  'api_oauth2registration',
  'api_oauth2verification',
  'oauth2_provider_idtoken',
  'oauth2_provider_accesstoken',
  'oauth2_provider_refreshtoken',
  'oauth2_provider_grant',
  'oauth2_provider_application',
];
export const OPENVERSE_TABLES: readonly string[] = [...MEDIA_TABLES, ...OAUTH_TABLES];

/** Django-style schema of Openverse's API database (media + django-oauth-toolkit with a swapped application model). */
export async function createOpenverseSchema(client: pg.Client): Promise<void> {
  const media = (table: string): string => `
    CREATE TABLE ${table} (
      id bigserial PRIMARY KEY,
      identifier uuid NOT NULL UNIQUE,
      title text,
      url text,
      provider text,
      license varchar(50) NOT NULL DEFAULT 'by',
      created_on timestamptz NOT NULL DEFAULT now(),
      updated_on timestamptz NOT NULL DEFAULT now()
    );`;
  const fk = (table: string): string => `REFERENCES ${table} (id) DEFERRABLE INITIALLY DEFERRED`;
  await client.query(`
    ${media('image')}
    ${media('audio')}
    CREATE TABLE api_throttledapplication (
      id bigserial PRIMARY KEY,
      client_id varchar(100) NOT NULL UNIQUE,
      redirect_uris text NOT NULL DEFAULT '',
      post_logout_redirect_uris text NOT NULL DEFAULT '',
      client_type varchar(32) NOT NULL DEFAULT 'confidential',
      authorization_grant_type varchar(32) NOT NULL DEFAULT 'client-credentials',
      client_secret varchar(255) NOT NULL,
      hash_client_secret boolean NOT NULL DEFAULT true,
      name varchar(255) NOT NULL,
      user_id bigint,
      skip_authorization boolean NOT NULL DEFAULT false,
      algorithm varchar(5) NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      rate_limit_model varchar(20) NOT NULL DEFAULT 'standard',
      verified boolean NOT NULL DEFAULT false,
      revoked boolean NOT NULL DEFAULT false
    );
    CREATE TABLE api_oauth2registration (
      id bigserial PRIMARY KEY,
      name varchar(150) NOT NULL UNIQUE,
      description varchar(10000) NOT NULL DEFAULT '',
      email varchar(254) NOT NULL,
      created timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE api_oauth2verification (
      id bigserial PRIMARY KEY,
      email varchar(254) NOT NULL,
      code varchar(256) NOT NULL,
      associated_application_id bigint NOT NULL ${fk('api_throttledapplication')}
    );
    CREATE TABLE oauth2_provider_idtoken (
      id bigserial PRIMARY KEY,
      jti uuid NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      scope text NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      application_id bigint ${fk('api_throttledapplication')},
      user_id bigint
    );
    CREATE TABLE oauth2_provider_accesstoken (
      id bigserial PRIMARY KEY,
      token varchar(255) NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      scope text NOT NULL DEFAULT 'read',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      application_id bigint ${fk('api_throttledapplication')},
      user_id bigint,
      id_token_id bigint UNIQUE ${fk('oauth2_provider_idtoken')},
      source_refresh_token_id bigint UNIQUE
    );
    CREATE TABLE oauth2_provider_refreshtoken (
      id bigserial PRIMARY KEY,
      token varchar(255) NOT NULL,
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      revoked timestamptz,
      access_token_id bigint UNIQUE ${fk('oauth2_provider_accesstoken')},
      application_id bigint NOT NULL ${fk('api_throttledapplication')},
      user_id bigint,
      UNIQUE (token, revoked)
    );
    ALTER TABLE oauth2_provider_accesstoken
      ADD CONSTRAINT oauth2_provider_accesstoken_source_refresh_token_id_fk
      FOREIGN KEY (source_refresh_token_id) ${fk('oauth2_provider_refreshtoken')};
    CREATE TABLE oauth2_provider_grant (
      id bigserial PRIMARY KEY,
      code varchar(255) NOT NULL UNIQUE,
      expires timestamptz NOT NULL,
      redirect_uri text NOT NULL DEFAULT '',
      scope text NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now(),
      code_challenge varchar(128) NOT NULL DEFAULT '',
      code_challenge_method varchar(10) NOT NULL DEFAULT '',
      nonce varchar(255) NOT NULL DEFAULT '',
      claims text NOT NULL DEFAULT '',
      application_id bigint NOT NULL ${fk('api_throttledapplication')},
      user_id bigint
    );
    CREATE TABLE oauth2_provider_application (
      id bigserial PRIMARY KEY,
      client_id varchar(100) NOT NULL UNIQUE,
      redirect_uris text NOT NULL DEFAULT '',
      post_logout_redirect_uris text NOT NULL DEFAULT '',
      client_type varchar(32) NOT NULL DEFAULT 'confidential',
      authorization_grant_type varchar(32) NOT NULL DEFAULT 'client-credentials',
      client_secret varchar(255) NOT NULL,
      hash_client_secret boolean NOT NULL DEFAULT true,
      name varchar(255) NOT NULL,
      user_id bigint,
      skip_authorization boolean NOT NULL DEFAULT false,
      algorithm varchar(5) NOT NULL DEFAULT '',
      created timestamptz NOT NULL DEFAULT now(),
      updated timestamptz NOT NULL DEFAULT now()
    );
  `);
}

/**
 * OAuth rows whose values carry `prefix` (`production-access-1`, `staging-client-2`, ...), ids from 1001 (the
 * sequences then stand at 100n): applications n, registrations n+1, verifications n, ID tokens n+1, access tokens
 * n+2 (the last issued from refresh token 1001: the circular FK), refresh tokens n+1, grants n, and n rows in DOT's
 * unused application table.
 */
async function seedOAuth(client: pg.Client, prefix: string, n: number): Promise<void> {
  const p = client.escapeLiteral(prefix);
  const ids = (count: number): string => `generate_series(1001, ${1000 + count}) g`;
  const app = `(1001 + (g - 1001) % ${n})`;
  await client.query(`
    BEGIN;
    INSERT INTO api_throttledapplication (id, client_id, client_secret, name, rate_limit_model, verified)
      SELECT g, ${p} || '-client-' || g, ${p} || '-secret-' || g, ${p} || ' app ' || g,
             CASE WHEN g = 1001 THEN 'enhanced' ELSE 'standard' END, g <> ${1000 + n}
      FROM ${ids(n)};
    INSERT INTO api_oauth2registration (id, name, description, email)
      SELECT g, ${p} || ' registration ' || g, 'registered for ' || ${p}, ${p} || '-' || g || '@example.org'
      FROM ${ids(n + 1)};
    INSERT INTO api_oauth2verification (id, email, code, associated_application_id)
      SELECT g, ${p} || '-' || g || '@example.org', ${p} || '-code-' || g, g FROM ${ids(n)};
    INSERT INTO oauth2_provider_idtoken (id, jti, expires, application_id)
      SELECT g, md5(${p} || '-jti-' || g)::uuid, timestamptz '2027-01-01', ${app} FROM ${ids(n + 1)};
    INSERT INTO oauth2_provider_accesstoken (id, token, expires, application_id, id_token_id)
      SELECT g, ${p} || '-access-' || (g - 1000), timestamptz '2027-01-01', ${app},
             CASE WHEN g <= ${1001 + n} THEN g END
      FROM ${ids(n + 2)};
    INSERT INTO oauth2_provider_refreshtoken (id, token, access_token_id, application_id)
      SELECT g, ${p} || '-refresh-' || (g - 1000), g, ${app} FROM ${ids(n + 1)};
    UPDATE oauth2_provider_accesstoken SET source_refresh_token_id = 1001 WHERE id = ${1002 + n};
    INSERT INTO oauth2_provider_grant (id, code, expires, application_id)
      SELECT g, ${p} || '-grant-' || g, timestamptz '2027-01-01', g FROM ${ids(n)};
    INSERT INTO oauth2_provider_application (id, client_id, client_secret, name)
      SELECT g, ${p} || '-dot-client-' || g, 'unused', 'dot app ' || g FROM ${ids(n)};
    COMMIT;
  `);
}

/** Moves every table's id sequence to its highest id (explicit ids do not advance a sequence). */
async function advanceSequences(client: pg.Client): Promise<void> {
  for (const table of OPENVERSE_TABLES) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM ${client.escapeIdentifier(table)} HAVING count(*) > 0`,
      [table],
    );
  }
}

/** Production: 50 images, 20 audio tracks, 3-5 rows per OAuth table (`production-access-1` ...). */
export async function seedOpenverseProduction(client: pg.Client): Promise<void> {
  await createOpenverseSchema(client);
  await client.query(`
    INSERT INTO image (identifier, title, url, provider, created_on, updated_on)
      SELECT md5('production-image-' || g)::uuid, 'production image ' || g, 'https://example.org/image/' || g || '.jpg',
             (ARRAY['flickr', 'wikimedia', 'smithsonian'])[1 + g % 3], timestamptz '2026-01-01' + g * interval '1 hour',
             timestamptz '2026-02-01'
      FROM generate_series(1, 50) g;
    INSERT INTO audio (identifier, title, url, provider, created_on, updated_on)
      SELECT md5('production-audio-' || g)::uuid, 'production audio ' || g, 'https://example.org/audio/' || g || '.mp3',
             (ARRAY['jamendo', 'freesound'])[1 + g % 2], timestamptz '2026-01-01' + g * interval '1 hour',
             timestamptz '2026-02-01'
      FROM generate_series(1, 20) g;
  `);
  await seedOAuth(client, 'production', 3);
  await advanceSequences(client);
}

/** Staging: same schema, 5 images titled `staging-only`, no audio, its own OAuth rows (`staging-access-1` ...). */
export async function seedStaging(client: pg.Client): Promise<void> {
  await createOpenverseSchema(client);
  await client.query(`
    INSERT INTO image (identifier, title, url, provider)
      SELECT md5('staging-image-' || g)::uuid, 'staging-only', 'https://staging.example.org/image/' || g || '.jpg', 'flickr'
      FROM generate_series(1, 5) g;
  `);
  await seedOAuth(client, 'staging', 2);
  await advanceSequences(client);
}
