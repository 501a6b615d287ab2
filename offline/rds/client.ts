/**
 * The front door: a real `RDSClient` (routed with aws-sdk-client-mock) whose send() hands each supported command
 * to its operation, after applying due transitions, logging the call (password redacted) and any injected fault.
 * Separate so the operations never see SDK plumbing and every command passes the same checks in the same order.
 */
import {
  AddTagsToResourceCommand,
  type AddTagsToResourceCommandInput,
  CreateDBSnapshotCommand,
  type CreateDBSnapshotCommandInput,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DeleteDBSnapshotCommand,
  type DeleteDBSnapshotCommandInput,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  DescribeDBSnapshotsCommand,
  type DescribeDBSnapshotsCommandInput,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  RDSClient,
  RebootDBInstanceCommand,
  type RebootDBInstanceCommandInput,
  RemoveTagsFromResourceCommand,
  type RemoveTagsFromResourceCommandInput,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { runDue, settle } from './clock';
import { rdsError } from './errors';
import { deleteInstance, describeInstances, reboot, restore } from './instances';
import { modify } from './modify';
import { createSnapshot, deleteSnapshot, describeSnapshots } from './snapshots';
import { deepCopy, type Input, type SimState } from './state';
import { addTags, listTags, removeTags } from './tags';
import { type Fault, MUTATING_COMMANDS, type SimCall, type SimCommandName } from './types';

const REDACTED = '***REDACTED***';

function redact(input: Input): Input {
  let copy: Input;
  try {
    copy = deepCopy(input);
  } catch {
    copy = { ...input };
  }
  if ('MasterUserPassword' in copy) copy.MasterUserPassword = REDACTED;
  return copy;
}

/** A new real RDSClient whose send() is served by this simulator. */
export function createClient(sim: SimState): RDSClient {
  const client = new RDSClient({
    region: sim.region,
    credentials: { accessKeyId: 'AKIARDSSIMULATOR0000', secretAccessKey: 'rds-simulator-secret' },
  });
  const stub = mockClient(client);
  stub.send.callsFake((command: { input?: unknown }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    const input = redact((command.input ?? {}) as Input);
    sim.calls.push({ command: name, input, at: new Date(sim.nowMs), error: 'Error', mutating: false });
    return Promise.reject(new Error(`RdsSimulator: unsupported command ${name}`));
  });
  stub
    .on(DescribeDBInstancesCommand)
    .callsFake((i: DescribeDBInstancesCommandInput) =>
      handle(sim, 'DescribeDBInstances', i, () => describeInstances(sim, i)),
    );
  stub
    .on(DescribeDBSnapshotsCommand)
    .callsFake((i: DescribeDBSnapshotsCommandInput) =>
      handle(sim, 'DescribeDBSnapshots', i, () => describeSnapshots(sim, i)),
    );
  stub
    .on(ListTagsForResourceCommand)
    .callsFake((i: ListTagsForResourceCommandInput) => handle(sim, 'ListTagsForResource', i, () => listTags(sim, i)));
  stub
    .on(RestoreDBInstanceFromDBSnapshotCommand)
    .callsFake((i: RestoreDBInstanceFromDBSnapshotCommandInput) =>
      handle(sim, 'RestoreDBInstanceFromDBSnapshot', i, () => restore(sim, i)),
    );
  stub
    .on(ModifyDBInstanceCommand)
    .callsFake((i: ModifyDBInstanceCommandInput) => handle(sim, 'ModifyDBInstance', i, () => modify(sim, i)));
  stub
    .on(DeleteDBInstanceCommand)
    .callsFake((i: DeleteDBInstanceCommandInput) => handle(sim, 'DeleteDBInstance', i, () => deleteInstance(sim, i)));
  stub
    .on(RebootDBInstanceCommand)
    .callsFake((i: RebootDBInstanceCommandInput) => handle(sim, 'RebootDBInstance', i, () => reboot(sim, i)));
  stub
    .on(AddTagsToResourceCommand)
    .callsFake((i: AddTagsToResourceCommandInput) => handle(sim, 'AddTagsToResource', i, () => addTags(sim, i)));
  stub
    .on(RemoveTagsFromResourceCommand)
    .callsFake((i: RemoveTagsFromResourceCommandInput) =>
      handle(sim, 'RemoveTagsFromResource', i, () => removeTags(sim, i)),
    );
  stub
    .on(CreateDBSnapshotCommand)
    .callsFake((i: CreateDBSnapshotCommandInput) => handle(sim, 'CreateDBSnapshot', i, () => createSnapshot(sim, i)));
  stub
    .on(DeleteDBSnapshotCommand)
    .callsFake((i: DeleteDBSnapshotCommandInput) => handle(sim, 'DeleteDBSnapshot', i, () => deleteSnapshot(sim, i)));
  return client;
}

export async function handle(
  sim: SimState,
  command: SimCommandName,
  rawInput: unknown,
  fn: () => unknown,
): Promise<unknown> {
  const input = (rawInput ?? {}) as Input;
  runDue(sim, sim.nowMs);
  const call: SimCall = {
    command,
    input: redact(input),
    at: new Date(sim.nowMs),
    mutating: MUTATING_COMMANDS.includes(command),
  };
  sim.calls.push(call);
  try {
    if (sim.pending.length > 0 || sim.hookErrors.length > 0) await settle(sim);
    const fault = sim.faults.find((f) => f.command === command && f.remaining > 0 && (!f.when || f.when(input)));
    if (fault && !fault.applyFirst) throw consumeFault(fault, command);
    const result = await fn();
    if (fault) throw consumeFault(fault, command);
    return deepCopy(result);
  } catch (err) {
    call.error = err instanceof Error ? err.name : 'Error';
    throw err;
  }
}

function consumeFault(fault: Fault & { remaining: number }, command: string): Error {
  fault.remaining -= 1;
  return rdsError(fault.error, fault.message ?? `Injected ${fault.error} on ${command}`);
}
