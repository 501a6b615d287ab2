import { FAILED_SUFFIX, STATE } from './states';

/**
 * The plan's phases of a run, each with its lanes (one per Parallel branch where the workflow runs branches
 * side by side), and the states each lane holds. The timeline picture (cli/timeline) draws one row per lane;
 * test/lib/phases.test.ts checks that every state of the synthesized definition is in exactly one lane.
 *
 * Free of CDK (like states.ts): the operator CLI loads it.
 */
export interface Lane {
  id: string;
  label: string;
  states: readonly string[];
}

export interface Phase {
  id: PhaseId;
  label: string;
  lanes: readonly Lane[];
}

export type PhaseId = 'checks' | 'snapshot' | 'restore' | 'sanitize' | 'swap' | 'after-swap' | 'rollback';

const S = STATE;

export const PHASES: readonly Phase[] = [
  {
    id: 'checks',
    label: 'Checks before any change',
    lanes: [
      {
        id: 'checks',
        label: 'Input, skip flag, run lock, leftovers',
        states: [
          S.validateInput,
          S.notifyInvalidInput,
          S.invalidInput,
          S.start,
          S.readSkip,
          S.isSkipped,
          S.invalidSkip,
          S.readLastRestore,
          S.noLastRestore,
          S.notifySkipped,
          S.reportSkipped,
          S.skipped,
          S.checkRuns,
          S.isRunBlocked,
          S.waitOtherRuns,
          S.notifyAlreadyRunning,
          S.reportAlreadyRunning,
          S.alreadyRunning,
          S.notifyOthersBusy,
          S.reportOthersBusy,
          S.othersBusy,
          S.clearLeftovers,
          S.areLeftoversCleared,
          S.waitLeftovers,
        ],
      },
    ],
  },
  {
    id: 'snapshot',
    label: 'Snapshot',
    lanes: [
      {
        id: 'find-snapshot',
        label: 'Find the production snapshot',
        states: [
          S.prepare,
          S.findSnapshot,
          S.isDryRunSnapshot,
          S.checkSnapshot,
          S.waitSnapshot,
          S.isSnapshotAvailable,
          S.useAvailableSnapshot,
          S.snapshotReady,
          S.snapshotFound,
        ],
      },
      {
        id: 'capture-staging',
        label: 'Capture staging',
        states: [S.isDryRunStaging, S.checkStagingReady, S.isStagingReady, S.waitStagingReady, S.captureStaging],
      },
      {
        id: 'dry-run',
        label: 'Dry run report',
        states: [S.isDryRun, S.describePlan, S.notifyDryRun, S.reportDryRun, S.dryRunFinished],
      },
    ],
  },
  {
    id: 'restore',
    label: 'Restore',
    lanes: [
      {
        id: 'restore',
        label: 'Restore to the temporary name',
        states: [S.restore, S.checkNew, S.waitNew, S.isNewAvailable, S.verify],
      },
    ],
  },
  {
    id: 'sanitize',
    label: 'Sanitize',
    lanes: [
      {
        id: 'sanitize',
        label: 'Staging password, OAuth data',
        states: [S.resetPassword, S.checkPassword, S.waitPassword, S.isPasswordApplied, S.sanitize],
      },
    ],
  },
  {
    id: 'swap',
    label: 'Swap',
    lanes: [
      {
        id: 'swap',
        label: 'Rename staging to old, new to staging',
        states: [
          S.checkStagingBeforeOutage,
          S.isStagingReadyForSwap,
          S.waitStagingBeforeOutage,
          S.notifyOutage,
          S.renameAway,
          S.checkOld,
          S.waitOld,
          S.isOldAvailable,
          S.renameIn,
          S.checkStaging,
          S.waitStaging,
          S.isStagingAvailable,
          S.notifyOutageOver,
        ],
      },
    ],
  },
  {
    id: 'after-swap',
    label: 'After the swap',
    lanes: [
      {
        id: 'delete',
        label: 'Delete the old database',
        states: [S.deleteOld, S.checkDeleted, S.waitDeleted, S.isOldGone, S.oldDeleted, S.deleteFailed],
      },
      {
        id: 'settings',
        label: 'Mirror staging settings',
        states: [
          S.applySettings,
          S.checkSettings,
          S.waitSettings,
          S.areSettingsApplied,
          S.checkDrift,
          S.settingsApplied,
          S.settingsFailed,
        ],
      },
      {
        id: 'deploy',
        label: 'Redeploy the staging API',
        states: [
          S.isDeploySkipped,
          S.dispatchDeploy,
          S.waitDeploy,
          S.checkDeploy,
          S.isDeployDone,
          S.apiDeployed,
          S.deployFailed,
          S.deployDisabled,
          S.deploySkipped,
        ],
      },
      {
        id: 'index',
        label: 'Update the search indices',
        states: [
          S.isIndexSkipped,
          S.startIndex,
          S.checkIndex,
          S.waitIndex,
          S.isIndexDone,
          S.keepIndexProgress,
          S.indicesUpdated,
          S.indexFailed,
          S.indexDisabled,
          S.indexSkipped,
        ],
      },
      {
        id: 'record',
        label: 'Record the restore',
        states: [S.describeRestore, S.recordRestore, S.restoreRecorded, S.recordFailed],
      },
      {
        id: 'report',
        label: 'Report',
        states: [
          S.afterSwap,
          S.didAfterSwapSucceed,
          S.notifyAfterSwapFailed,
          S.afterSwapFailed,
          S.notifySuccess,
          S.reportSuccess,
          S.succeeded,
        ],
      },
    ],
  },
  {
    id: 'rollback',
    label: 'Rollback',
    lanes: [
      {
        id: 'rollback',
        label: 'Put staging back, report the failure',
        states: [
          S.rollback,
          S.isRolledBack,
          S.waitRollback,
          S.notifyFailure,
          S.didRollbackFail,
          S.failed,
          S.rollbackFailed,
        ],
      },
    ],
  },
];

/** The phase and lane of a state; `"<state> failed"` Pass states (recording the failure) are the rollback's. */
export function laneOf(state: string): { phase: Phase; lane: Lane } | undefined {
  for (const phase of PHASES) {
    for (const lane of phase.lanes) if (lane.states.includes(state)) return { phase, lane };
  }
  if (state.endsWith(FAILED_SUFFIX)) {
    const phase = PHASES.find((p) => p.id === 'rollback')!;
    return { phase, lane: phase.lanes[0]! };
  }
  return undefined;
}
