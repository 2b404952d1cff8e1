// A BlobCache over the store: what the scanner read, by blob SHA, kept between runs so
// a reconcile after a push reads only the blobs that changed. Blobs never change, so
// entries never go stale.
import type { BlobCache } from '../git/reader.ts';
import type { Store } from '../store/index.ts';

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function storeBlobCache(store: Store, prefix = 'blob:'): BlobCache {
  return {
    async get(sha) {
      const v = await store.get(prefix + sha);
      return v === undefined ? undefined : fromBase64(v);
    },
    put: (sha, bytes) => store.put(prefix + sha, toBase64(bytes)),
  };
}
