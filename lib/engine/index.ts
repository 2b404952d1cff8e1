// The PR engine: walks the plan on a Git host, one atomic, idempotent pull request per
// ready step, with the path's state rebuilt from the host alone (see docs/github.md).
export * from './blob-cache.ts';
export * from './body.ts';
export * from './dashboard.ts';
export * from './reconcile.ts';
export * from './plan-tree.ts';
export * from './revert.ts';
export * from './scan-cache.ts';
