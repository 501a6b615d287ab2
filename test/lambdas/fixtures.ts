import {
  type DBInstance,
  DBInstanceNotFoundFault,
  type DBSnapshot,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { Clock } from '../../lambdas/shared/clock';
import type { Identifiers } from '../../lambdas/shared/env';
import { captureAttributes } from '../../lambdas/shared/instance-attributes';

/** Shared builders for the handler unit tests (not a test file itself). */

export const IDS: Identifiers = {
  production: 'prod-openverse-db',
  staging: 'dev-openverse-db',
  temporary: 'dev-next-openverse-db',
  old: 'dev-old-openverse-db',
};

export const NOW_ISO = '2026-12-01T00:00:00.000Z';
export const clock: Clock = { now: () => new Date('2026-12-01T00:00:00Z') };

/** A clock that can be moved, for wait loops that span several polls. */
export function movableClock(startIso = NOW_ISO): Clock & { set(iso: string): void; advance(seconds: number): void } {
  let current = new Date(startIso);
  return {
    now: () => new Date(current.getTime()),
    set: (iso) => (current = new Date(iso)),
    advance: (seconds) => (current = new Date(current.getTime() + seconds * 1000)),
  };
}

export function newRdsClient(): RDSClient {
  return new RDSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}

export const ORIGINAL_ID = 'db-ORIGINALSTAGING0000000001';
export const NEW_ID = 'db-NEWRESTORED000000000000001';
export const FOREIGN_ID = 'db-SOMEBODYELSE00000000000001';
export const EXECUTION_NAME = 'run-2026-12';
export const EXECUTION = {
  id: `arn:aws:states:us-east-1:123456789012:execution:StagingDbRestore:${EXECUTION_NAME}`,
  name: EXECUTION_NAME,
  startedAt: '2026-11-30T23:30:00.000Z',
};

/** Staging as DescribeDBInstances shows it: single-AZ, gp3 with provisioned IOPS, deletion protection on. */
export function makeDbInstance(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: IDS.staging,
    DbiResourceId: ORIGINAL_ID,
    DBInstanceStatus: 'available',
    DBInstanceClass: 'db.t4g.medium',
    Engine: 'postgres',
    EngineVersion: '16.4',
    MultiAZ: false,
    AvailabilityZone: 'us-east-1b',
    DBSubnetGroup: { DBSubnetGroupName: 'staging-db-subnets', VpcId: 'vpc-0123' },
    VpcSecurityGroups: [
      { VpcSecurityGroupId: 'sg-0aaa', Status: 'active' },
      { VpcSecurityGroupId: 'sg-0bbb', Status: 'active' },
    ],
    PubliclyAccessible: false,
    AllocatedStorage: 500,
    StorageType: 'gp3',
    Iops: 12000,
    StorageThroughput: 500,
    DBParameterGroups: [{ DBParameterGroupName: 'staging-postgres16', ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-16', Status: 'in-sync' }],
    CopyTagsToSnapshot: true,
    DeletionProtection: true,
    Endpoint: { Address: 'dev-openverse-db.abc123.us-east-1.rds.amazonaws.com', Port: 5432 },
    DbInstancePort: 0,
    AutoMinorVersionUpgrade: true,
    IAMDatabaseAuthenticationEnabled: false,
    EnabledCloudwatchLogsExports: ['postgresql'],
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    BackupRetentionPeriod: 7,
    PreferredBackupWindow: '07:00-07:30',
    PreferredMaintenanceWindow: 'sun:08:00-sun:08:30',
    PerformanceInsightsEnabled: false,
    MonitoringInterval: 0,
    TagList: [
      { Key: 'environment', Value: 'staging' },
      { Key: 'team', Value: 'catalog' },
      { Key: 'aws:cloudformation:stack-name', Value: 'StagingStack' },
    ],
    ...overrides,
  };
}

/** What capture-staging must produce for `makeDbInstance()`, written out by hand. */
export const STAGING_CONFIG = {
  DBInstanceClass: 'db.t4g.medium',
  MultiAZ: false,
  AvailabilityZone: 'us-east-1b',
  DBSubnetGroupName: 'staging-db-subnets',
  VpcSecurityGroupIds: ['sg-0aaa', 'sg-0bbb'],
  PubliclyAccessible: false,
  AllocatedStorage: 500,
  StorageType: 'gp3',
  Iops: 12000,
  StorageThroughput: 500,
  DBParameterGroupName: 'staging-postgres16',
  OptionGroupName: 'default:postgres-16',
  CopyTagsToSnapshot: true,
  Port: 5432,
  AutoMinorVersionUpgrade: true,
  EnableIAMDatabaseAuthentication: false,
  EnableCloudwatchLogsExports: ['postgresql'],
  CACertificateIdentifier: 'rds-ca-rsa2048-g1',
};

/** What capture-staging must produce as settings for `makeDbInstance()`, written out by hand. */
export const STAGING_SETTINGS = {
  BackupRetentionPeriod: 7,
  PreferredBackupWindow: '07:00-07:30',
  PreferredMaintenanceWindow: 'sun:08:00-sun:08:30',
  EnablePerformanceInsights: false,
  MonitoringInterval: 0,
  DeletionProtection: true,
};

export const STAGING_TAGS = [
  { Key: 'environment', Value: 'staging' },
  { Key: 'team', Value: 'catalog' },
];

export function makeStagingConfig(overrides: Record<string, unknown> = {}) {
  return {
    identifier: IDS.staging,
    resourceId: ORIGINAL_ID,
    status: 'available',
    config: { ...STAGING_CONFIG },
    settings: { ...STAGING_SETTINGS },
    attributes: captureAttributes(makeDbInstance()),
    notMirrored: [],
    tags: STAGING_TAGS.map((t) => ({ ...t })),
    ...overrides,
  };
}

/** The instance this execution restored (tagged with the execution name). */
export function makeNewInstance(overrides: Partial<DBInstance> = {}): DBInstance {
  return makeDbInstance({
    DBInstanceIdentifier: IDS.temporary,
    DbiResourceId: NEW_ID,
    DeletionProtection: false,
    TagList: [...STAGING_TAGS, { Key: 'staging-db-restore:execution', Value: EXECUTION_NAME }],
    ...overrides,
  });
}

/** The production snapshot as find-snapshot reports it (contract SnapshotInfo), for the steps that take it. */
export const SNAPSHOT_INFO = {
  identifier: 'rds:prod-openverse-db-2026-11-30-05-00',
  arn: 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:prod-openverse-db-2026-11-30-05-00',
  instance: 'prod-openverse-db',
  status: 'available',
  createdAt: '2026-11-30T05:00:00.000Z',
  engine: 'postgres',
  engineVersion: '16.4',
  encrypted: true,
};

export function makeSnapshot(overrides: Partial<DBSnapshot> = {}): DBSnapshot {
  const created = overrides.SnapshotCreateTime ?? new Date('2026-11-30T05:00:00Z');
  const identifier = `rds:prod-openverse-db-${created.toISOString().slice(0, 16).replace(/[T:]/g, '-')}`;
  return {
    DBSnapshotIdentifier: identifier,
    DBSnapshotArn: `arn:aws:rds:us-east-1:123456789012:snapshot:${identifier}`,
    DBInstanceIdentifier: IDS.production,
    SnapshotType: 'automated',
    Status: 'available',
    SnapshotCreateTime: created,
    Engine: 'postgres',
    EngineVersion: '16.4',
    Encrypted: true,
    ...overrides,
  };
}

export function notFound(identifier = 'x'): DBInstanceNotFoundFault {
  return new DBInstanceNotFoundFault({ message: `DBInstance ${identifier} not found.`, $metadata: {} });
}

export type RdsMock = AwsClientStub<RDSClient>;

/**
 * Answers DescribeDBInstances from `world` (name → instance); a name not in it is DBInstanceNotFound, as RDS
 * answers. Mutate `world` between calls to move time on.
 */
export function describeFrom(rdsMock: RdsMock, world: Record<string, DBInstance | undefined>): void {
  rdsMock.on(DescribeDBInstancesCommand).callsFake((input: DescribeDBInstancesCommandInput) => {
    const db = world[input.DBInstanceIdentifier ?? ''];
    if (!db) throw notFound(input.DBInstanceIdentifier);
    return { DBInstances: [{ ...db, DBInstanceIdentifier: input.DBInstanceIdentifier }] };
  });
}

/** Names of every command sent, in order. */
export function sentCommands(rdsMock: RdsMock): string[] {
  return rdsMock.calls().map((c) => (c.args[0] as object).constructor.name);
}

/** Every command sent that is not a read (Describe*). */
export function mutatingCommands(rdsMock: RdsMock): string[] {
  return sentCommands(rdsMock).filter((name) => !name.startsWith('Describe'));
}

/** Runs `fn` expecting it to reject; returns the error for precise assertions. */
export async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`Rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('Expected a rejection, but it resolved');
}
