import { type DBInstance, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { RDS_ERRORS } from './contract/errors';
import { errorName } from './errors';

/** The instance holding `identifier`, or undefined when RDS says DBInstanceNotFound (e.g. mid-rename). */
export async function describeInstance(rds: RDSClient, identifier: string): Promise<DBInstance | undefined> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    const db = out.DBInstances?.[0];
    if (db && db.DBInstanceIdentifier?.toLowerCase() !== identifier.toLowerCase()) {
      throw new Error(`DescribeDBInstances(${identifier}) answered with ${db.DBInstanceIdentifier}`);
    }
    return db;
  } catch (err) {
    if (errorName(err) === RDS_ERRORS.instanceNotFound) return undefined;
    throw err;
  }
}
