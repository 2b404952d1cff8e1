import { describe, expect, it } from 'vitest';
import { citation, kubedbEntry, loadCatalog, rdbFor, ruleById } from '../../../lib/catalog/index.ts';
import { defaultCatalogDir, loadCatalogDir, readCatalogDir } from '../../../lib/node/catalog-dir.ts';
import { InternalError, ValidationError } from '../../../lib/errors.ts';

const minimal = `sources:
  doc:
    repo: redis/docs
    path: content/embeds/rs-upgrade-paths.md
    commit: 63f31f69985905d997fa5b0c02e1559b5d04c8b2
components:
  - id: widget
    name: Widget
    role: data-plane
    scheme: semver
    source: doc
    releases:
      - { version: 1.0.0, published: 2024-01-09, source: doc }
      - { version: 1.1.0, source: doc }
`;

function issuesOf(files: { path: string; text: string }[], opts?: Parameters<typeof loadCatalog>[1]) {
  try {
    loadCatalog(files, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('the committed catalog', () => {
  const catalog = loadCatalogDir(defaultCatalogDir);

  it('loads with no issues and has every rule the planner cites', () => {
    for (const id of [
      'operator-before-data-plane',
      'crds-before-operator',
      'kubernetes-supported-throughout',
      're-operator-cluster-database-order',
      're-direct-upgrade-paths',
      'kubedb-update-constraints',
      'patch-minor-direct',
      'major-via-earliest-minor',
      'backup-before-major',
      'rdb-one-way',
      'supervised-primary-update',
      'lower-environment-first',
      'release-age',
      'pin',
      'deny',
      'allowed-range',
      'update-type',
    ])
      expect(ruleById(catalog, id).text).toMatch(/\.$/);
  });

  it('cites a seed or an upstream file for every rule', () => {
    for (const rule of catalog.rules.values())
      expect(citation(catalog, rule.source)).toMatch(
        /^(seeds\/\d{3}_\w+\.txt|DESIGN\.md) \(.+\)$|^[\w.-]+\/[\w.-]+:\S+/,
      );
  });

  it('reads the directory in sorted order', () => {
    const names = readCatalogDir(defaultCatalogDir).map((f) => f.path.slice(f.path.lastIndexOf('/') + 1));
    expect(names).toEqual([...names].sort());
    expect(names).toContain('rules.yaml');
  });

  it('follows a packaged server to its RDB versions, and says unknown when unknown', () => {
    expect(rdbFor(catalog, 'bitnami-redis', '7.2')).toEqual(rdbFor(catalog, 'redis', '7.2'));
    expect(rdbFor(catalog, 'redis', '8.8')).toBeUndefined();
    // KubeDB RedisVersion names carry the Redis server version (catalog `server: redis`).
    expect(rdbFor(catalog, 'kubedb-redis', '7.2')).toEqual(rdbFor(catalog, 'redis', '7.2'));
    expect(rdbFor(catalog, 'alauda-redis-operator', '7.2')).toBeUndefined();
  });

  it('renders citations with a short commit', () => {
    const entry = kubedbEntry(catalog, '7.4.6');
    expect(entry && citation(catalog, entry.source)).toBe(
      'kubedb/installer:catalog/kubedb/raw/redis/redis-7.4.6-official.yaml@0c6e245',
    );
  });

  it('treats unknown ids as a bug', () => {
    expect(() => ruleById(catalog, 'no-such-rule')).toThrow(InternalError);
    expect(() => citation(catalog, 'no-such-source')).toThrow(InternalError);
    expect(() => rdbFor(catalog, 'no-such-component', '7.2')).toThrow(InternalError);
  });
});

describe('loadCatalog errors', () => {
  it('accepts a minimal file', () => {
    const c = loadCatalog([{ path: 'a.yaml', text: minimal }]);
    expect(c.components.get('widget')?.releases).toHaveLength(2);
  });

  it('names file, line and field of an unknown source ref', () => {
    const text = minimal.replace('- { version: 1.1.0, source: doc }', '- { version: 1.1.0, source: nope }');
    expect(issuesOf([{ path: 'a.yaml', text }])).toEqual([
      {
        file: 'a.yaml',
        line: 14,
        field: 'components[0].releases[1].source',
        message: "unknown source nope: not a key of this file's sources",
      },
    ]);
  });

  it('does not let one file use another file’s source keys', () => {
    const other = `sources: {}
rules:
  - { id: r1, text: A rule., source: doc }
`;
    const issues = issuesOf([
      { path: 'a.yaml', text: minimal },
      { path: 'b.yaml', text: other },
    ]);
    expect(issues).toMatchObject([{ file: 'b.yaml', line: 3, field: 'rules[0].source' }]);
  });

  it('names file, line and field of an unknown component reference', () => {
    const text = `${minimal}    managedBy: [ghost-operator]\n`;
    expect(issuesOf([{ path: 'a.yaml', text }])).toMatchObject([
      {
        file: 'a.yaml',
        line: 15,
        field: 'components[0].managedBy[0]',
        message: 'unknown component ghost-operator',
      },
    ]);
  });

  it('names both files of a duplicate component', () => {
    const issues = issuesOf([
      { path: 'a.yaml', text: minimal },
      { path: 'b.yaml', text: minimal },
    ]);
    expect(issues).toEqual([
      {
        file: 'b.yaml',
        line: 7,
        field: 'components[0].id',
        message: 'component widget is also defined in a.yaml',
      },
    ]);
  });

  it('names file, line and field of a bad date', () => {
    for (const bad of ['2024/01/09', '2024-02-30', '2024-13']) {
      const text = minimal.replace('published: 2024-01-09', `published: ${bad}`);
      const issues = issuesOf([{ path: 'a.yaml', text }]);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({
        file: 'a.yaml',
        line: 13,
        field: 'components[0].releases[0].published',
      });
    }
  });

  it('reports a duplicate release and collects issues from every file before throwing', () => {
    const dup = minimal.replace('version: 1.1.0', 'version: 1.0.0');
    const badRef = minimal
      .replace('id: widget', 'id: gadget')
      .replace('source: doc\n    releases', 'source: gone\n    releases');
    const issues = issuesOf([
      { path: 'a.yaml', text: dup },
      { path: 'b.yaml', text: badRef },
    ]);
    expect(issues.map((i) => `${i.file}:${i.line} ${i.field}`)).toEqual([
      'a.yaml:14 components[0].releases[1].version',
      'b.yaml:11 components[0].source',
    ]);
  });

  it('checks each release against its scheme when asked', () => {
    const issues = issuesOf([{ path: 'a.yaml', text: minimal }], {
      checkVersion: (c, v) => (c.scheme === 'semver' && v === '1.1.0' ? 'pretend-invalid' : undefined),
    });
    expect(issues).toEqual([
      {
        file: 'a.yaml',
        line: 14,
        field: 'components[0].releases[1].version',
        message: '1.1.0 is not a valid semver version: pretend-invalid',
      },
    ]);
  });

  it('requires compatibility facts to name real releases', () => {
    const text = `${minimal}platformSupport:
  - component: widget
    version: 9.9.9
    kubernetes: null
    source: doc
`;
    expect(issuesOf([{ path: 'a.yaml', text }])).toMatchObject([
      {
        file: 'a.yaml',
        line: 17,
        field: 'platformSupport[0].version',
        message: '9.9.9 is not a release of component widget',
      },
    ]);
  });
});
