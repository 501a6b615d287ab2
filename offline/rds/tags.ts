/**
 * Tags on instances and snapshots by ARN: ListTagsForResource, AddTagsToResource, RemoveTagsFromResource. Small,
 * but apart because it is the one place that resolves a resource of either kind from an ARN.
 */
import type {
  AddTagsToResourceCommandInput,
  ListTagsForResourceCommandInput,
  RemoveTagsFromResourceCommandInput,
  Tag,
} from '@aws-sdk/client-rds';
import { invalidParameterValue, snapshotNotFound } from './errors';
import {
  copyTags,
  findSnapshot,
  type InstanceRecord,
  requireInstance,
  type SimState,
  type SnapshotRecord,
} from './state';

function mergeTags(existing: Tag[], added: readonly Tag[]): Tag[] {
  const out = copyTags(existing);
  for (const tag of added) {
    const i = out.findIndex((t) => t.Key === tag.Key);
    if (i >= 0) out[i] = { Key: tag.Key, Value: tag.Value };
    else out.push({ Key: tag.Key, Value: tag.Value });
  }
  return out;
}

function resolveResource(sim: SimState, arn: unknown): { instance?: InstanceRecord; snapshot?: SnapshotRecord } {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw invalidParameterValue(`Invalid resource name: ${String(arn)}`);
  }
  const type = arn.split(':')[5];
  if (type === 'db') return { instance: requireInstance(sim, arn) };
  if (type === 'snapshot') {
    const snapshot = findSnapshot(sim, arn);
    if (!snapshot) throw snapshotNotFound(arn);
    return { snapshot };
  }
  throw invalidParameterValue(`Unsupported resource type in ${arn}`);
}

export function listTags(sim: SimState, input: ListTagsForResourceCommandInput): { TagList: Tag[] } {
  if (input.Filters && input.Filters.length > 0) throw invalidParameterValue('Filters are not supported.');
  const { instance, snapshot } = resolveResource(sim, input.ResourceName);
  return { TagList: copyTags(instance ? instance.tags : snapshot?.tags) };
}

export function addTags(sim: SimState, input: AddTagsToResourceCommandInput): Record<string, never> {
  const { instance, snapshot } = resolveResource(sim, input.ResourceName);
  const tags = input.Tags ?? [];
  if (instance) instance.tags = mergeTags(instance.tags, tags);
  if (snapshot) snapshot.tags = mergeTags(snapshot.tags, tags);
  return {};
}

export function removeTags(sim: SimState, input: RemoveTagsFromResourceCommandInput): Record<string, never> {
  const { instance, snapshot } = resolveResource(sim, input.ResourceName);
  const keys = new Set(input.TagKeys ?? []);
  if (instance) instance.tags = instance.tags.filter((t) => !keys.has(t.Key ?? ''));
  if (snapshot) snapshot.tags = snapshot.tags.filter((t) => !keys.has(t.Key ?? ''));
  return {};
}
