// Node-only adapters: the parts of cairn that touch the disk, processes or sockets (the
// checkout reader, file loading, the git runner, the local git provider, the local plan
// and apply use cases). The core under lib/ never imports from here.
export { type LocalGitProvider, localGitProvider } from './git-provider.ts';
