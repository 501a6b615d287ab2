import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../shared/clock';
import { readLastRestore } from '../status/status';

/** The custom metric behind the staleness alarm (lib/monitoring.ts reads the same names). */
export const DATA_AGE_METRIC = {
  namespace: 'StagingDbRestore',
  name: 'StagingDataAgeDays',
  dimension: 'StagingInstance',
} as const;

export interface DataAgeDeps {
  ssm: Pick<SSMClient, 'send'>;
  sfn: Pick<SFNClient, 'send'>;
  cloudwatch: Pick<CloudWatchClient, 'send'>;
  clock: Clock;
}

export interface DataAgeSources {
  lastRestoreParameterName: string;
  stateMachineArn: string;
  stagingInstance: string;
}

/**
 * How old staging's data is, in days, published as a metric: since the last successful restore recorded by
 * the workflow or, when none is recorded yet, since the state machine was created (so a fresh deploy is not
 * stale at once, but one that never restores becomes stale). Any read error throws: no datapoint is
 * published, and the alarm treats the missing data as breaching.
 */
export async function publishDataAge(
  sources: DataAgeSources,
  deps: DataAgeDeps,
): Promise<{ ageDays: number; since: string; basis: 'last-restore' | 'deployed' }> {
  const record = await readLastRestore(deps.ssm, sources.lastRestoreParameterName);
  let since: Date;
  let basis: 'last-restore' | 'deployed';
  if (record) {
    since = new Date(record.at);
    basis = 'last-restore';
  } else {
    const machine = await deps.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: sources.stateMachineArn }));
    if (!machine.creationDate) throw new Error('DescribeStateMachine returned no creationDate');
    since = machine.creationDate;
    basis = 'deployed';
  }
  const now = deps.clock.now();
  const ageDays = Math.max(0, (now.getTime() - since.getTime()) / 86_400_000);
  await deps.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: DATA_AGE_METRIC.namespace,
      MetricData: [
        {
          MetricName: DATA_AGE_METRIC.name,
          Dimensions: [{ Name: DATA_AGE_METRIC.dimension, Value: sources.stagingInstance }],
          Timestamp: now,
          Value: Math.round(ageDays * 100) / 100,
          Unit: 'None',
        },
      ],
    }),
  );
  return { ageDays, since: since.toISOString(), basis };
}
