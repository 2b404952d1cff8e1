// Node-only adapters: the parts of cairn that touch the disk, processes or sockets
// (the local git provider, ...). The core under lib/ never imports from here.
export { type LocalGitProvider, localGitProvider } from './git-provider.ts';
