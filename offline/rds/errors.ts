/**
 * The errors the simulator throws, shaped as the real SDK's (the exception class when @aws-sdk/client-rds exports
 * one, else an RDSServiceException named after the RDS error code), and the parameter checks that throw them.
 * Separate so every operation fails the same way for the same bad input.
 */
import * as rdsModule from '@aws-sdk/client-rds';
import {
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  InvalidDBInstanceStateFault,
  RDSServiceException,
} from '@aws-sdk/client-rds';

/** RDS common error codes that the real SDK surfaces as RDSServiceException with that name. */
const COMMON_ERRORS: Record<string, 'client' | 'server'> = {
  InvalidParameterValue: 'client',
  InvalidParameterCombination: 'client',
  MissingParameter: 'client',
  Throttling: 'client',
  ThrottlingException: 'client',
  AccessDenied: 'client',
  AccessDeniedException: 'client',
  ValidationError: 'client',
  ExpiredToken: 'client',
  InternalFailure: 'server',
  ServiceUnavailable: 'server',
};

export function rdsError(name: string, message: string): Error {
  const ctor = (rdsModule as unknown as Record<string, unknown>)[name];
  if (typeof ctor === 'function' && Object.prototype.isPrototypeOf.call(RDSServiceException, ctor)) {
    return new (ctor as new (opts: { message: string; $metadata: object }) => Error)({ message, $metadata: {} });
  }
  const fault = COMMON_ERRORS[name];
  if (fault) return new RDSServiceException({ name, $fault: fault, message, $metadata: {} });
  const err = new Error(message);
  err.name = name;
  return err;
}

export const invalidParameterValue = (message: string): Error => rdsError('InvalidParameterValue', message);
export const invalidParameterCombination = (message: string): Error => rdsError('InvalidParameterCombination', message);
export const instanceNotFound = (id: string): Error =>
  new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
export const snapshotNotFound = (id: string): Error =>
  new DBSnapshotNotFoundFault({ message: `DBSnapshot ${id} not found.`, $metadata: {} });
export const invalidInstanceState = (message: string): Error =>
  new InvalidDBInstanceStateFault({ message, $metadata: {} });
export const alreadyExists = (id: string): Error =>
  new DBInstanceAlreadyExistsFault({ message: `DB instance already exists: ${id}`, $metadata: {} });

const INSTANCE_ID_RE = /^[a-z][a-z0-9-]{0,62}$/i;
export const SNAPSHOT_ID_RE = /^[a-z][a-z0-9-]{0,254}$/i;

export function validateIdentifier(value: unknown, param: string, re = INSTANCE_ID_RE): string {
  if (typeof value !== 'string' || value === '')
    throw rdsError('MissingParameter', `The parameter ${param} must be provided.`);
  if (!re.test(value) || value.endsWith('-') || value.includes('--')) {
    throw invalidParameterValue(
      `The parameter ${param} is not a valid identifier. Identifiers must begin with a letter; must contain only ` +
        'ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.',
    );
  }
  return value.toLowerCase();
}

/** The size below which gp3 has a fixed baseline and takes no IOPS or throughput, by engine (docs/aws-facts.md). */
export function gp3BaselineBelow(engine: string): number {
  const family = engine.split('-')[0] ?? engine;
  return ({ oracle: 200, sqlserver: 20 } as Record<string, number>)[family] ?? 400;
}

export interface StorageRequest {
  engine: string;
  allocatedStorage: number;
  /** What the request itself gives (undefined: not given). */
  iops?: number;
  storageThroughput?: number;
}

export function validateStorage(
  storageType: string,
  iopsGiven: boolean,
  throughputGiven: boolean,
  iops: unknown,
  request?: StorageRequest,
): void {
  if (!['gp2', 'gp3', 'io1', 'io2', 'standard'].includes(storageType)) {
    throw invalidParameterValue(`Invalid storage type: ${storageType}`);
  }
  if (iopsGiven && (storageType === 'gp2' || storageType === 'standard')) {
    throw invalidParameterCombination(`You can't specify IOPS for storage type ${storageType}.`);
  }
  if (throughputGiven && storageType !== 'gp3') {
    throw invalidParameterCombination(`You can't specify storage throughput for storage type ${storageType}.`);
  }
  if ((storageType === 'io1' || storageType === 'io2') && iops === undefined) {
    throw invalidParameterCombination(`IOPS must be specified for storage type ${storageType}.`);
  }
  if (!request) return;
  const size = request.allocatedStorage;
  if (storageType === 'gp3') {
    const threshold = gp3BaselineBelow(request.engine);
    const family = request.engine.split('-')[0];
    if (size < threshold && (iopsGiven || throughputGiven)) {
      throw invalidParameterCombination(
        `You can't specify IOPS or storage throughput for engine ${family} and a storage size less than ${threshold}.`,
      );
    }
    if (size >= threshold && request.iops !== undefined && request.iops < 12000) {
      throw invalidParameterCombination(
        `The IOPS value ${request.iops} is below the baseline of 12000 for gp3 storage of ${size} GiB or more.`,
      );
    }
  }
  if ((storageType === 'io1' || storageType === 'io2') && typeof iops === 'number') {
    const maxRatio = storageType === 'io2' ? 1000 : 50;
    const ratio = iops / size;
    if (ratio < 0.5 || ratio > maxRatio) {
      throw invalidParameterCombination(
        `The IOPS to storage ratio must be between 0.5 and ${maxRatio} for ${storageType} (requested ${iops} IOPS ` +
          `for ${size} GiB).`,
      );
    }
  }
}

export function validateBackupRetention(value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 35)) {
    throw invalidParameterValue(`Invalid backup retention period: ${String(value)}. Must be between 0 and 35.`);
  }
}
