// Git providers: one interface (provider.ts) for reading a repository at a commit, making
// one atomic commit of several files and moving a branch with a compare-and-set, plus the
// pull-request host operations. Implementations: GitHub (github.ts, runtime-neutral) and
// local git (lib/node/git-provider.ts). commit-step.ts is the one use case both run.
export * from './commit-step.ts';
export * from './github.ts';
export * from './notifier.ts';
export * from './pacer.ts';
export * from './provider.ts';
export * from './reader.ts';
export * from './refs.ts';
