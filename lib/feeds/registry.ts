// The one table of source readers, by source type. Adding a source type is a
// schema in `spec.ts`, a reader in `sources/`, and a row here; the contract
// test in test/lib/feeds/registry.test.ts runs over every row.
import type { SourceType } from './spec.ts';
import { githubReleases, githubTags } from './sources/github.ts';
import { helm } from './sources/helm.ts';
import { kubedb } from './sources/kubedb.ts';
import { oci } from './sources/oci.ts';
import { redisEnterprise } from './sources/redis-enterprise.ts';
import type { SourceReader } from './types.ts';

export const SOURCE_READERS: { readonly [T in SourceType]: SourceReader<T> } = {
  'github-releases': githubReleases,
  'github-tags': githubTags,
  oci,
  helm,
  'kubedb-catalog': kubedb,
  'redis-enterprise': redisEnterprise,
};

export function readerFor<T extends SourceType>(type: T): SourceReader<T> {
  return SOURCE_READERS[type];
}
