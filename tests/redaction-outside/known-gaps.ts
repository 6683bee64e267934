/**
 * What the engine does not yet get right in the outside corpus (issue #12 stays open until this is empty):
 * per file, the secrets still left (their first 4 characters only) and the must-survive tokens it takes.
 * tests/redaction-outside/corpus.test.ts fails on any miss not listed here, and also when a listed one is
 * fixed, so the list cannot go stale: delete the entry then. The corpus and expect.json are the referee and
 * are never edited to make a test pass.
 */
export const KNOWN_GAPS: Readonly<Record<string, { readonly misses: readonly string[]; readonly lost: readonly string[] }>> = {
  'shell/bash_history': { misses: ['Sup3'], lost: [] },
  'ini/redis.conf': { misses: ['Bq7p'], lost: [] },
  'k8s/secret.yaml': { misses: ['eyJh'], lost: [] },
  'k8s/deployment.yaml': { misses: ['NR0z'], lost: [] },
  'nginx/shop.conf': { misses: ['5a59'], lost: [] },
  'aws/cli-session.txt': { misses: ['UqLo'], lost: [] },
  'ps/ps-auxww.txt': { misses: ['m1FX'], lost: [] },
};
