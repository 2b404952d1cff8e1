// Targets: find, read and edit every place in a GitOps repository that pins a
// Redis operator or Redis version, without moving any other byte.
//   scanRepository(repo, opts) -> Inventory        (./scan.ts; the last scan reused: ./scan-memo.ts)
//   editTarget(text, target, version) -> text      (./edit.ts)
//   createOpsRequestFiles(text, target, version)   (./ops-request.ts, KubeDB)
// Each target kind is one module in ./kinds, registered in ./registry.ts;
// image and chart names map to components in ./identify.ts.
export { type EditOptions, editTarget, locateTarget } from './edit.ts';
export { chartImage, type Identity, identifyChart, identifyImage } from './identify.ts';
export type { Found, KindExample, TargetKind } from './kind.ts';
export {
  addKustomizeResource,
  createOpsRequestFiles,
  type NewFile,
  type OpsRequestOptions,
  opsRequestName,
  recordOpsRequestResult,
  removeKustomizeResource,
} from './ops-request.ts';
export { TARGET_KINDS, targetKind } from './registry.ts';
export { memoryRepo, type RepoEntry, type RepoReader } from './repo.ts';
export { type ScanOptions, scanRepository } from './scan.ts';
export { createScanMemo, type ScanMemo, type ScanReuse } from './scan-memo.ts';
