/** What the steps that touch RDS agree on: which statuses end a wait, what may be deleted, this tool's tag. */

/** Instance statuses that can never become `available` on their own: fail fast. */
export const TERMINAL_INSTANCE_STATUSES = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'restore-error',
  'storage-full',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'deleting',
  'stopped',
  'stopping',
] as const;

/**
 * Statuses an instance passes through and leaves on its own (the RDS User Guide's "Viewing Amazon RDS DB
 * instance status"; docs/aws-facts.md): a wait for staging to be ready waits through them, bounded.
 */
export const PASSING_INSTANCE_STATUSES = [
  'backing-up',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'maintenance',
  'modifying',
  'moving-to-vpc',
  'rebooting',
  'renaming',
  'resetting-master-credentials',
  'starting',
  'storage-optimization',
  'upgrading',
] as const;

/** Stopped, or being stopped, by someone: this tool never starts an instance (RDS does after seven days). */
export const STOPPED_INSTANCE_STATUSES = ['stopped', 'stopping'] as const;

/** Statuses in which RDS accepts DeleteDBInstance for an instance this tool created. */
export const DELETABLE_INSTANCE_STATUSES = [
  'available',
  'creating',
  'backing-up',
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'restore-error',
  'storage-full',
  'inaccessible-encryption-credentials',
  'stopped',
] as const;

export function isDeletable(status: string | undefined): boolean {
  return (DELETABLE_INSTANCE_STATUSES as readonly string[]).includes(status ?? '');
}

/** Snapshot statuses that can never become `available`. */
export const TERMINAL_SNAPSHOT_STATUSES = ['failed', 'deleted', 'deleting', 'incompatible-restore'] as const;

/** The tag every instance created by this tool carries; rollback only deletes instances with it. */
export const CREATED_BY_TAG = 'staging-db-restore:execution';
