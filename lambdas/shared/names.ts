import type { NameHolder } from './contract/state';
import type { Identifiers } from './env';

/**
 * Who holds the staging, temporary and old names, in words, for a failure report: the rollback puts it in its
 * progress and in the message of a RollbackStuck, the Slack report prints it. Without a guess: what RDS showed.
 */
export interface Names {
  staging: NameHolder;
  temporary: NameHolder;
  old: NameHolder;
}

const WHO: Record<Exclude<NameHolder['holder'], 'free'>, string> = {
  original: 'the original staging instance',
  new: "this run's copy",
  foreign: 'an instance this run neither created nor started from',
};

export function describeNames(names: Names, ids: Pick<Identifiers, 'staging' | 'temporary' | 'old'>): string {
  const one = (name: string, h: NameHolder) =>
    h.holder === 'free'
      ? `\`${name}\` is free`
      : `\`${name}\` holds ${WHO[h.holder]} ${h.resourceId ?? '(unknown id)'} (${h.status ?? 'unknown status'})`;
  const parts = [one(ids.staging, names.staging), one(ids.temporary, names.temporary), one(ids.old, names.old)];
  const all = [names.staging, names.temporary, names.old];
  const original = all.some((h) => h.holder === 'original')
    ? ''
    : '; the original staging instance is under none of these names (a rename may be in flight)';
  return `${parts.join('; ')}${original}`;
}
