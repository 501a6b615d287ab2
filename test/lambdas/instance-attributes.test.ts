import * as rds from '@aws-sdk/client-rds';
import {
  type AttributeClass,
  captureAttributes,
  DB_INSTANCE_ATTRIBUTES,
  driftFrom,
  notMirrored,
  unclassified,
} from '../../lambdas/shared/instance-attributes';
import { makeDbInstance } from './fixtures';

/** The member names of the SDK's DBInstance structure, from its runtime schema (`[type, ns, name, traits, members]`). */
function sdkMembers(): string[] {
  const schema = (rds as unknown as Record<string, unknown>)['DBInstance$'];
  if (!Array.isArray(schema) || !Array.isArray(schema[4])) throw new Error('the SDK no longer exports DBInstance$');
  return schema[4] as string[];
}

describe('the DBInstance attribute classification', () => {
  it('classifies every member of the SDK’s DBInstance shape, and nothing else', () => {
    const members = sdkMembers();
    expect(members.length).toBeGreaterThan(90);
    expect(unclassified(members)).toEqual([]);
    expect(Object.keys(DB_INSTANCE_ATTRIBUTES).sort()).toEqual([...members].sort());
  });

  it('fails on a member the SDK adds', () => {
    expect(unclassified([...sdkMembers(), 'SomeNewAttribute'])).toEqual(['SomeNewAttribute']);
  });

  it('gives every attribute a class and a reason', () => {
    const classes: AttributeClass[] = ['identity', 'restore', 'after-swap', 'snapshot', 'not-mirrorable'];
    for (const [name, rule] of Object.entries(DB_INSTANCE_ATTRIBUTES)) {
      expect({ name, known: classes.includes(rule.class), why: rule.why.length > 10 }).toEqual({
        name,
        known: true,
        why: true,
      });
    }
  });
});

describe('the drift check', () => {
  it('finds nothing between an instance and itself, and ignores identity', () => {
    const db = makeDbInstance();
    const renamed = makeDbInstance({
      DbiResourceId: 'db-OTHER',
      InstanceCreateTime: new Date(),
      DBInstanceStatus: 'backing-up',
    });
    expect(driftFrom(captureAttributes(db), renamed)).toEqual([]);
  });

  it('names each differing attribute with its class and reason, or the run’s own reason', () => {
    // Arrange
    const staging = captureAttributes(makeDbInstance({ KmsKeyId: 'key/staging', MaxAllocatedStorage: 1000 }));
    const now = makeDbInstance({ KmsKeyId: 'key/production', AllocatedStorage: 800, MaxAllocatedStorage: 1000 });

    // Act
    const drift = driftFrom(staging, now, { AllocatedStorage: 'the snapshot is bigger' });

    // Assert
    expect(drift).toEqual([
      { attribute: 'AllocatedStorage', class: 'restore', staging: 500, now: 800, why: 'the snapshot is bigger' },
      expect.objectContaining({
        attribute: 'KmsKeyId',
        class: 'not-mirrorable',
        staging: 'key/staging',
        now: 'key/production',
      }),
    ]);
  });

  it('compares groups and tags without their order or status', () => {
    const staging = captureAttributes(makeDbInstance());
    const now = makeDbInstance({
      VpcSecurityGroups: [
        { VpcSecurityGroupId: 'sg-0bbb', Status: 'adding' },
        { VpcSecurityGroupId: 'sg-0aaa', Status: 'active' },
      ],
      DBParameterGroups: [{ DBParameterGroupName: 'staging-postgres16', ParameterApplyStatus: 'pending-reboot' }],
      TagList: [
        { Key: 'team', Value: 'catalog' },
        { Key: 'environment', Value: 'staging' },
        { Key: 'staging-db-restore:execution', Value: 'run-1' },
      ],
    });
    expect(driftFrom(staging, now)).toEqual([]);
  });

  it('lists what will not be carried over: not-mirrorable attributes staging has', () => {
    const staging = captureAttributes(
      makeDbInstance({
        ReadReplicaDBInstanceIdentifiers: ['dev-openverse-db-replica'],
        AssociatedRoles: [{ RoleArn: 'arn:aws:iam::1:role/s3', FeatureName: 's3Import', Status: 'ACTIVE' }],
        MasterUserSecret: { SecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:rds!db-1', KmsKeyId: 'k' },
      }),
    );
    expect(notMirrored(staging).map((d) => d.attribute)).toEqual([
      'ReadReplicaDBInstanceIdentifiers',
      'AssociatedRoles',
      'MasterUserSecret',
    ]);
    expect(notMirrored(captureAttributes(makeDbInstance()))).toEqual([]);
  });
});
