// `CAIRN_STORE`: which store a Node process uses. Pure parsing, shared by the
// environment schema (lib/config.ts) and the Node factory (lib/node/store-open.ts).
//   memory:              in-process, lost on exit (tests, one-off runs)
//   sqlite:PATH          embedded SQLite file (the default: sqlite:.cairn-state/cairn.db)
//   redis://HOST:PORT    a Redis server shared by several replicas (rediss:// for TLS;
//                        user, password and /DB as in any Redis URL)

export type StoreSpec =
  { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

export const DEFAULT_SQLITE_PATH = '.cairn-state/cairn.db';
export const STORE_FORMS = ['memory:', 'sqlite:PATH', 'redis://HOST:PORT'] as const;

/** The value with any password replaced by `***`, fit for messages and logs. */
export function maskStoreSpec(text: string): string {
  return text.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** The store `text` names, or the problem with it. Unset means the SQLite default. */
export function readStoreSpec(
  text: string | undefined,
): { ok: true; spec: StoreSpec } | { ok: false; problem: string } {
  if (text === undefined || text === '') {
    return { ok: true, spec: { kind: 'sqlite', path: DEFAULT_SQLITE_PATH } };
  }
  const bad = (why: string) =>
    ({ ok: false, problem: `${JSON.stringify(maskStoreSpec(text))}: ${why}` }) as const;
  if (text === 'memory:') return { ok: true, spec: { kind: 'memory' } };
  if (text.startsWith('memory:')) return bad('memory: takes nothing after the colon');
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (path.trim() === '') return bad('sqlite: needs a file path, e.g. sqlite:' + DEFAULT_SQLITE_PATH);
    return { ok: true, spec: { kind: 'sqlite', path } };
  }
  if (/^rediss?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return bad('not a valid Redis URL (redis://HOST:PORT, port 1-65535)');
    }
    if (url.hostname === '') return bad('the Redis URL has no host');
    if (url.pathname !== '' && !/^\/\d*$/.test(url.pathname)) {
      return bad('after HOST:PORT only a database number may follow (redis://HOST:PORT/0)');
    }
    return { ok: true, spec: { kind: 'redis', url: text } };
  }
  return bad(`unknown store; use one of ${STORE_FORMS.join(', ')}`);
}
