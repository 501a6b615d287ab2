import { DEFAULT_CONFIG } from '../lib/config';
import { DEFAULT_DB_CREDENTIALS } from './harness';
import { PgDataPlane } from './pg/data-plane';
import {
  type InstanceSeed,
  RdsSimulator,
  type RdsSimulatorOptions,
  type SimInstanceAttributes,
  type SnapshotSeed,
} from './rds';

/**
 * The standard offline world, shaped like Openverse's: production with a month of automated snapshots
 * (plus manual ones and another instance's, which must be ignored), and staging configured as the plan
 * describes (single-AZ, not public, three security groups, m5.xlarge, 3000 GB gp2).
 */
export const IDS = {
  production: DEFAULT_CONFIG.productionInstance,
  staging: DEFAULT_CONFIG.stagingInstance,
  temporary: DEFAULT_CONFIG.temporaryInstance,
  old: DEFAULT_CONFIG.oldInstance,
};

/** The virtual time every world starts at. */
export const WORLD_START = new Date('2026-12-01T00:00:00Z');

export const STAGING_SECURITY_GROUPS = ['sg-0default000000001', 'sg-0openverse0vpcdb1', 'sg-0stagingdevrds01'];

export interface World {
  sim: RdsSimulator;
  /**
   * The offline network's DNS: an instance endpoint (`<identifier>.<...>.rds.amazonaws.com:<port>`) resolves to
   * the real server of whichever instance holds that identifier now, or to nothing (ENOTFOUND).
   */
  resolve(host: string, port: number): { host: string; port: number } | undefined;
  /** Real PostgreSQL behind the instances (absent with `data: false`). */
  dataPlane?: PgDataPlane;
  productionResourceId: string;
  stagingResourceId: string;
  /** The snapshot the workflow should pick. */
  newestSnapshot: string;
}

/** Master passwords of the seeded servers (staging's is the harness's default credentials secret). */
export const PASSWORDS = { production: 'production-master-password', staging: DEFAULT_DB_CREDENTIALS.password };

const liveDataPlanes = new Set<PgDataPlane>();

/** Stops every PostgreSQL server the worlds started (call in afterEach / afterAll). */
export async function stopWorlds(): Promise<void> {
  const planes = [...liveDataPlanes];
  liveDataPlanes.clear();
  await Promise.all(planes.map((p) => p.stopAll()));
}

export interface WorldOptions extends RdsSimulatorOptions {
  /**
   * Back production and staging with real PostgreSQL servers (Openverse-shaped data), so snapshots copy
   * production's data and restores start servers from them. Default true.
   */
  data?: boolean;
  /** Replace the default snapshots (DescribeDBSnapshots lists them in an order of its own, see `snapshotOrderSeed`). */
  snapshots?: (start: Date) => SnapshotSeed[];
  /** Seed no staging instance. */
  noStaging?: boolean;
  stagingDeletionProtection?: boolean;
  /** Staging's attributes beyond the standard ones (e.g. a staging configured with every setting RDS has). */
  staging?: Partial<SimInstanceAttributes>;
  /** Production's attributes beyond the standard ones (its snapshots copy them). */
  production?: Partial<SimInstanceAttributes>;
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const dataPlane = options.data === false ? undefined : new PgDataPlane({ publishEndpoints: false });
  if (dataPlane) liveDataPlanes.add(dataPlane);
  const sim = new RdsSimulator({ start: WORLD_START, dataPlane, ...options });
  const start = sim.clock.now();
  const production = await seed(sim, dataPlane, 'production', {
    identifier: IDS.production,
    dbInstanceClass: 'db.m5.4xlarge',
    multiAZ: true,
    allocatedStorage: 3000,
    storageType: 'gp2',
    dbSubnetGroupName: 'openverse-production-db',
    vpcSecurityGroupIds: ['sg-0production0db0001'],
    deletionProtection: true,
    tags: [
      { Key: 'environment', Value: 'production' },
      { Key: 'team', Value: 'openverse' },
    ],
    ...options.production,
  });
  const staging = options.noStaging
    ? undefined
    : await seed(sim, dataPlane, 'staging', {
        identifier: IDS.staging,
        dbInstanceClass: 'db.m5.xlarge',
        multiAZ: false,
        availabilityZone: 'us-east-1c',
        allocatedStorage: 3000,
        storageType: 'gp2',
        publiclyAccessible: false,
        dbSubnetGroupName: 'default-vpc-subnets',
        vpcSecurityGroupIds: STAGING_SECURITY_GROUPS,
        dbParameterGroupName: 'openverse-staging-pg18',
        deletionProtection: options.stagingDeletionProtection ?? false,
        backupRetentionPeriod: 7,
        tags: [
          { Key: 'environment', Value: 'staging' },
          { Key: 'team', Value: 'openverse' },
        ],
        ...options.staging,
      });

  const day = 24 * 3600 * 1000;
  const seeds =
    options.snapshots?.(start) ??
    [3, 1, 2, 0.5].map((daysAgo) => ({
      identifier: `rds:${IDS.production}-${new Date(start.getTime() - daysAgo * day).toISOString().slice(0, 16).replace(/[T:]/g, '-')}`,
      instanceIdentifier: IDS.production,
      snapshotType: 'automated' as const,
      createTime: new Date(start.getTime() - daysAgo * day),
    }));
  for (const seed of seeds) sim.addSnapshot(seed);
  // Distractors: a newer manual snapshot of production and a newer automated one of staging.
  if (!options.snapshots) {
    sim.addSnapshot({
      identifier: 'prod-before-migration',
      instanceIdentifier: IDS.production,
      snapshotType: 'manual',
      createTime: new Date(start.getTime() - 3600_000),
    });
    if (staging)
      sim.addSnapshot({
        identifier: `rds:${IDS.staging}-latest`,
        instanceIdentifier: IDS.staging,
        snapshotType: 'automated',
        createTime: new Date(start.getTime() - 1800_000),
      });
  }
  const automated = seeds.filter(
    (s) => (s.snapshotType ?? 'automated') === 'automated' && s.instanceIdentifier === IDS.production,
  );
  // The documented order (docs/how-it-works.md), written out again here so the tests do not take it from the
  // product: the latest creation time, then the greatest identifier.
  const newest = automated.reduce((a, b) => {
    const ta = a.createTime?.getTime() ?? 0;
    const tb = b.createTime?.getTime() ?? 0;
    return tb > ta || (tb === ta && b.identifier > a.identifier) ? b : a;
  }, automated[0]!);
  const resolve = (host: string, port: number) => {
    const db = dataPlane ? sim.instance(host.split('.')[0] ?? '') : undefined;
    if (!db || db.hidden || db.port !== port || !host.endsWith('.rds.amazonaws.com')) return undefined;
    try {
      const real = dataPlane!.connectionFor(db.resourceId);
      return { host: real.host, port: real.port };
    } catch {
      return undefined; // an instance without a server (e.g. still being created)
    }
  };
  return {
    sim,
    dataPlane,
    resolve,
    productionResourceId: production.resourceId,
    stagingResourceId: staging?.resourceId ?? '',
    newestSnapshot: newest?.identifier ?? '',
  };
}

async function seed(
  sim: RdsSimulator,
  dataPlane: PgDataPlane | undefined,
  role: 'production' | 'staging',
  spec: InstanceSeed,
) {
  if (!dataPlane) return sim.addInstance(spec);
  return role === 'production'
    ? dataPlane.seedProduction(sim, spec, PASSWORDS.production)
    : dataPlane.seedStaging(sim, spec, PASSWORDS.staging);
}
