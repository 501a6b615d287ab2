import { NoReleaseTagError } from './errors';

/** The fields of a GHCR package version (`GET /orgs/{org}/packages/container/{name}/versions`) we read. */
export interface PackageVersion {
  id: number;
  /** The image digest (`sha256:…`). */
  name: string;
  created_at: string;
  metadata?: { container?: { tags?: string[] | null } | null } | null;
}

export interface SelectedTag {
  tag: string;
  versionId: number;
  digest: string;
  createdAt: string;
}

const LATEST = 'latest';
const RELEASE_PREFIX = 'rel-';

/**
 * Picks the image tag to deploy from a package's versions (any order; the API's order is not trusted).
 *
 * Default rule: a version qualifies when it carries a `rel-…` tag, or when it is the version tagged
 * `latest` and carries another tag besides (the commit SHA the build pushed next to `latest`). The newest
 * qualifying version (by `created_at`, ties by id) wins; from it a `rel-` tag is preferred (the greatest, if
 * several), else its other non-`latest` tag. Untagged versions and lone SHA tags are never picked.
 *
 * With `tagPattern` (a RegExp source, unanchored unless it says `^…$`) that rule is replaced: the newest
 * version with a tag matching the pattern wins, with its first matching tag. `latest` itself is never
 * returned: the point is to pin the deployment to an immutable tag.
 */
export function selectImageTag(versions: readonly PackageVersion[], tagPattern?: string): SelectedTag {
  const pattern = tagPattern === undefined ? undefined : compilePattern(tagPattern);
  const newestFirst = [...versions].sort((a, b) => time(b) - time(a) || b.id - a.id);
  for (const version of newestFirst) {
    const tag = pattern ? matchingTag(tagsOf(version), pattern) : releaseTag(tagsOf(version));
    if (tag !== undefined) return { tag, versionId: version.id, digest: version.name, createdAt: version.created_at };
  }
  const tagged = versions.filter((v) => tagsOf(v).length > 0).length;
  const wanted = pattern
    ? `a tag matching /${tagPattern}/ (other than "${LATEST}")`
    : `a "${RELEASE_PREFIX}…" tag, or a tag next to "${LATEST}" on the same version`;
  throw new NoReleaseTagError(
    `No image version carries ${wanted} (looked at ${versions.length} versions, ${tagged} of them tagged)`,
  );
}

/** Compiles a configured pattern, failing with a message that quotes it (it is configuration, not a secret). */
export function compilePattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new NoReleaseTagError(`tagPattern /${source}/ is not a valid regular expression: ${(err as Error).message}`);
  }
}

function releaseTag(tags: string[]): string | undefined {
  const releases = tags.filter((t) => t.startsWith(RELEASE_PREFIX)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  if (releases[0] !== undefined) return releases[0];
  if (!tags.includes(LATEST)) return undefined;
  return tags.find((t) => t !== LATEST);
}

function matchingTag(tags: string[], pattern: RegExp): string | undefined {
  return tags.find((t) => t !== LATEST && pattern.test(t));
}

function tagsOf(version: PackageVersion): string[] {
  return (version.metadata?.container?.tags ?? []).filter((t) => typeof t === 'string' && t !== '');
}

function time(version: PackageVersion): number {
  const t = Date.parse(version.created_at);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
