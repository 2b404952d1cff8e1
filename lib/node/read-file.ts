// The one way cairn reads a file from disk (Node only): repository files,
// policy files, feed snapshots and cluster state all come through here.
// - A symbolic link is followed only when, with `root`, its real path stays
//   inside that root (the repository, or the policy directory).
// - Only a regular file is read: a device (/dev/zero), FIFO or socket is
//   refused from its fstat, before a byte is read; the open is non-blocking so
//   a FIFO cannot hang the run.
// - At most `maxBytes` are read, whatever the size the file claims (a file
//   that grows while read is refused too), so memory stays bounded.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

export interface ReadLimits {
  maxBytes: number;
  /** When given, the file's real path (links resolved) must lie inside this directory. */
  root?: string;
}

export type GuardedRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file (or a symbolic link to nothing)';
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (e as Error).message;
}

/** True when `real` is `base` itself or inside it. */
export function isInside(base: string, real: string): boolean {
  const rel = relative(base, real);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Real paths of roots (a scan reads thousands of files under one); a root is resolved once. */
const roots = new Map<string, string>();
function realRoot(root: string): string {
  let real = roots.get(root);
  if (real === undefined) roots.set(root, (real = realpathSync.native(root)));
  return real;
}

/** Reads `path` under the limits; never throws. */
export function readFileGuarded(path: string, limits: ReadLimits): GuardedRead {
  let real: string;
  try {
    // The native realpath(3): one system call, not one lstat per path component.
    real = realpathSync.native(path);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  if (limits.root !== undefined) {
    let base: string;
    try {
      base = realRoot(limits.root);
    } catch (e) {
      return { ok: false, reason: `cannot resolve ${limits.root}: ${errnoReason(e)}` };
    }
    if (!isInside(base, real))
      return { ok: false, reason: 'symbolic link leads outside the repository: not read' };
  }
  let fd: number;
  try {
    // O_NOFOLLOW: the real path was checked; a link swapped in since is refused, not followed.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isDirectory()
        ? 'a directory'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : st.isFIFO()
            ? 'a FIFO'
            : 'not a regular file';
      return { ok: false, reason: `${what}, not a regular file: not read` };
    }
    if (st.size > limits.maxBytes)
      return {
        ok: false,
        reason: `file is ${st.size} bytes, over the ${limits.maxBytes}-byte limit: not read`,
      };
    // Read to the end (a file may grow after fstat), never past one byte over the limit.
    let buf = Buffer.allocUnsafe(Math.min(st.size, limits.maxBytes) + 1);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (got > limits.maxBytes)
          return {
            ok: false,
            reason: `file grew over the ${limits.maxBytes}-byte limit while read: not read`,
          };
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limits.maxBytes + 1));
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    return { ok: true, bytes: new Uint8Array(buf.buffer, buf.byteOffset, got) };
  } catch (e) {
    return { ok: false, reason: errnoReason(e) };
  } finally {
    closeSync(fd);
  }
}
