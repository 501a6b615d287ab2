import {
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandOutput,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  type ModifyDBInstanceCommandOutput,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
  type RestoreDBInstanceFromDBSnapshotCommandOutput,
} from '@aws-sdk/client-rds';
import type { Identifiers } from './env';
import { GuardRefusedError } from './errors';
import { looksLikeProduction } from './production';

/**
 * The one door to every RDS mutation. No other module may import the mutating commands (a test checks
 * this). Each call names which of the configured non-production identifiers it may touch; anything else,
 * and anything that is or looks like production, is refused before a request is sent.
 */

type Role = Exclude<keyof Identifiers, 'production'>;

/** What applySettings may send: ModifyDBInstance's names for the after-swap settings (contract/state.ts). */
const SETTINGS_FIELDS = new Set([
  'DBInstanceIdentifier',
  'ApplyImmediately',
  'BackupRetentionPeriod',
  'PreferredBackupWindow',
  'PreferredMaintenanceWindow',
  'EnablePerformanceInsights',
  'PerformanceInsightsKMSKeyId',
  'PerformanceInsightsRetentionPeriod',
  'DatabaseInsightsMode',
  'MonitoringInterval',
  'MonitoringRoleArn',
  'MaxAllocatedStorage',
  'DeletionProtection',
]);

/** RDS instance identifiers in canonical (lowercase ASCII) form: nothing else is ever accepted. */
const CANONICAL = /^[a-z][a-z0-9-]{0,62}$/;

export class RdsGuard {
  constructor(
    private readonly rds: RDSClient,
    private readonly ids: Identifiers,
  ) {
    // Production is what every target is compared against. A production identifier that is not an RDS
    // identifier (an invisible character, a look-alike letter, padding, an ARN) would make those comparisons
    // miss it ("\u200bdev-db" is not "dev-db"), so such a configuration allows nothing at all.
    if (typeof ids.production !== 'string' || !CANONICAL.test(ids.production.toLowerCase())) {
      throw new GuardRefusedError(
        `Refusing every mutation: the configured production identifier ${JSON.stringify(ids.production)} ` +
          'is not an RDS instance identifier, so nothing can be told apart from it',
      );
    }
    for (const role of ['staging', 'temporary', 'old'] as const) {
      // The allow-list itself must be safe: a misconfigured function fails on its first call.
      this.check(ids[role], [role], `configured ${role} identifier`);
    }
  }

  /** Restore a snapshot. The target must be the temporary identifier. */
  async restore(
    input: RestoreDBInstanceFromDBSnapshotCommandInput,
  ): Promise<RestoreDBInstanceFromDBSnapshotCommandOutput> {
    const target = this.check(input.DBInstanceIdentifier, ['temporary'], 'restore target');
    return this.rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ ...input, DBInstanceIdentifier: target }));
  }

  /** Rename `from` to `to` at once. Both must be distinct non-production identifiers. */
  async rename(from: string, to: string): Promise<ModifyDBInstanceCommandOutput> {
    const source = this.check(from, ['staging', 'temporary', 'old'], 'rename source');
    const target = this.check(to, ['staging', 'temporary', 'old'], 'rename target');
    if (source === target) throw new GuardRefusedError(`Refusing to rename ${source} to itself`);
    return this.rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: source,
        NewDBInstanceIdentifier: target,
        ApplyImmediately: true,
      }),
    );
  }

  /** Turn deletion protection off so an instance can be deleted. Only temporary or old instances. */
  async disableDeletionProtection(identifier: string): Promise<ModifyDBInstanceCommandOutput> {
    const target = this.check(identifier, ['temporary', 'old'], 'deletion-protection target');
    return this.rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: target, DeletionProtection: false, ApplyImmediately: true }),
    );
  }

  /**
   * Set the master password of the restored copy (which carries production's) before it becomes staging.
   * Only the temporary instance. The password goes to RDS only: never into an error or a log line.
   */
  async setMasterPassword(identifier: string, password: string): Promise<ModifyDBInstanceCommandOutput> {
    const target = this.check(identifier, ['temporary'], 'master-password target');
    return this.rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: target,
        MasterUserPassword: password,
        ApplyImmediately: true,
      }),
    );
  }

  /**
   * Give the new staging staging's own settings after the swap (backups, windows, monitoring, Performance
   * Insights, storage ceiling, deletion protection). Only the staging identifier, only those settings: never a
   * rename, a password, storage or class change.
   */
  async applySettings(input: ModifyDBInstanceCommandInput): Promise<ModifyDBInstanceCommandOutput> {
    const target = this.check(input.DBInstanceIdentifier, ['staging'], 'settings target');
    const refused = Object.keys(input).filter((key) => !SETTINGS_FIELDS.has(key));
    if (refused.length) {
      throw new GuardRefusedError(`Refusing to modify ${target}: ${refused.join(', ')} are not staging's settings`);
    }
    return this.rds.send(new ModifyDBInstanceCommand({ ...input, DBInstanceIdentifier: target }));
  }

  /**
   * Delete without a final snapshot. Automated backups are kept unless asked otherwise (so an accidental delete
   * stays recoverable; the old instance's are the config's `deleteOld.deleteAutomatedBackups`). Only the temporary
   * or old identifier: the staging name is never deleted.
   */
  async delete(identifier: string, deleteAutomatedBackups = false): Promise<DeleteDBInstanceCommandOutput> {
    const target = this.check(identifier, ['temporary', 'old'], 'delete target');
    return this.rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: target,
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: deleteAutomatedBackups,
      }),
    );
  }

  /** Returns the canonical identifier if it is one of `allowed`, else throws GuardRefused. */
  check(identifier: unknown, allowed: readonly Role[], what: string): string {
    if (typeof identifier !== 'string' || !CANONICAL.test(identifier)) {
      const shown = typeof identifier === 'string' ? JSON.stringify(identifier) : `a ${typeof identifier}`;
      throw new GuardRefusedError(`Refusing ${what} ${shown}: not a canonical RDS identifier`);
    }
    if (looksLikeProduction(identifier, this.ids.production)) {
      throw new GuardRefusedError(`Refusing ${what} "${identifier}": it is or looks like production`);
    }
    const match = allowed.find((role) => this.ids[role].toLowerCase() === identifier);
    if (!match) {
      const names = allowed.map((role) => this.ids[role].toLowerCase()).join(', ');
      throw new GuardRefusedError(`Refusing ${what} "${identifier}": only ${names} may be targeted here`);
    }
    return identifier;
  }
}
