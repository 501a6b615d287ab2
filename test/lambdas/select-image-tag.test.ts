import { NoReleaseTagError } from '../../lambdas/deploy-api/errors';
import { type PackageVersion, selectImageTag } from '../../lambdas/deploy-api/tags';

let nextId = 1;
/** A package version as the API returns it; `day` orders them (created 2025-05-<day>). */
function v(day: number, tags: string[] | null, id = nextId++): PackageVersion {
  return {
    id,
    name: `sha256:${String(id).padStart(64, '0')}`,
    created_at: `2025-05-${String(day).padStart(2, '0')}T12:00:00Z`,
    metadata: tags === null ? undefined : { container: { tags } },
  };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('selectImageTag (default rule)', () => {
  it.each<[string, PackageVersion[], string]>([
    ['SHA + latest: the SHA next to latest', [v(3, ['a1b2c3d', 'latest']), v(2, ['9f8e7d6'])], 'a1b2c3d'],
    [
      'rel- + latest on one version: the rel- tag',
      [v(3, ['latest', 'a1b2c3d', 'rel-2025.05.03.0'])],
      'rel-2025.05.03.0',
    ],
    [
      'rel- only, no latest anywhere',
      [v(4, ['5e6f7a8']), v(2, ['rel-2025.05.02.0']), v(1, ['rel-2025.05.01.0'])],
      'rel-2025.05.02.0',
    ],
    [
      'several SHAs + latest: the one next to latest, not the newer lone SHA',
      [v(1, ['1111111']), v(2, ['2222222', 'latest']), v(3, ['3333333']), v(4, ['4444444'])],
      '2222222',
    ],
    [
      'latest newer than the last release: the SHA next to latest',
      [v(2, ['rel-2025.05.02.0']), v(5, ['bbbbbbb', 'latest'])],
      'bbbbbbb',
    ],
    ['a release newer than latest wins', [v(2, ['aaaaaaa', 'latest']), v(6, ['rel-2025.05.06.0'])], 'rel-2025.05.06.0'],
    [
      'two rel- tags on one version: the greatest',
      [v(3, ['rel-2025.05.03.0', 'rel-2025.05.03.1', 'latest'])],
      'rel-2025.05.03.1',
    ],
    [
      'untagged versions mixed in are skipped',
      [v(9, []), v(8, null), v(7, ['ccccccc', 'latest']), v(6, []), { ...v(10, []), metadata: { container: null } }],
      'ccccccc',
    ],
  ])('%s', (_name, versions, expected) => {
    expect(selectImageTag(versions).tag).toBe(expected);
  });

  it('never trusts the API order: every shuffle gives the same tag', () => {
    const versions = [
      v(1, ['rel-2025.05.01.0']),
      v(2, ['2222222']),
      v(3, ['3333333', 'latest']),
      v(4, []),
      v(5, ['5555555']),
    ];
    for (const order of permutations(versions)) expect(selectImageTag(order).tag).toBe('3333333');
  });

  it('reports the version it picked', () => {
    const winner = v(3, ['a1b2c3d', 'latest'], 77);
    expect(selectImageTag([v(1, ['rel-x']), winner])).toEqual({
      tag: 'a1b2c3d',
      versionId: 77,
      digest: winner.name,
      createdAt: winner.created_at,
    });
  });

  it.each<[string, PackageVersion[]]>([
    ['a lone SHA without latest', [v(1, ['a1b2c3d'])]],
    ['latest alone on its version, SHAs elsewhere', [v(2, ['latest']), v(1, ['a1b2c3d'])]],
    ['only untagged versions', [v(1, []), v(2, null)]],
    ['no versions at all', []],
  ])('%s → NoReleaseTag explaining what it looked for', (_name, versions) => {
    let caught: unknown;
    try {
      selectImageTag(versions);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NoReleaseTagError);
    expect((caught as Error).name).toBe('NoReleaseTag');
    expect((caught as Error).message).toMatch(/"rel-…" tag, or a tag next to "latest"/);
    expect((caught as Error).message).toContain(`looked at ${versions.length} versions`);
  });
});

describe('selectImageTag (custom tagPattern)', () => {
  const versions = [
    v(1, ['v1.2.0']),
    v(4, ['v1.3.0-rc1', 'dddddd']),
    v(3, ['v1.2.1', 'latest', 'ffffff']),
    v(5, ['rel-2025.05.05.0']),
  ];

  it('replaces the default rule: the newest version with a matching tag', () => {
    expect(selectImageTag(versions, '^v\\d+\\.\\d+\\.\\d+$').tag).toBe('v1.2.1');
    expect(selectImageTag(versions, '^v').tag).toBe('v1.3.0-rc1');
  });

  it('never returns latest itself, even if the pattern matches it', () => {
    expect(selectImageTag([v(2, ['latest']), v(1, ['lts-1'])], '^l').tag).toBe('lts-1');
  });

  it('throws NoReleaseTag quoting the pattern when nothing matches', () => {
    expect(() => selectImageTag(versions, '^prod-')).toThrow(
      expect.objectContaining({ name: 'NoReleaseTag', message: expect.stringContaining('/^prod-/') }),
    );
  });

  it('throws NoReleaseTag for an invalid pattern', () => {
    expect(() => selectImageTag(versions, '(')).toThrow(expect.objectContaining({ name: 'NoReleaseTag' }));
  });
});
