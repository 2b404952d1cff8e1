// Locates a version token inside a YAML scalar as an exact span of the file
// text, so that an edit replaces those characters and nothing else. A token
// that cannot be located exactly (block scalars, escape sequences, templates,
// variables, digest pins) is refused with a reason instead of guessed.
import { isScalar, type Node, Scalar } from 'yaml';

export type TokenStyle = 'plain' | 'single' | 'double';

/** A version token: `text` sits at `[start, end)` of the file text. */
export interface Token {
  start: number;
  end: number;
  text: string;
  style: TokenStyle;
  /** True when the token is the whole scalar (not the tag of `repo:tag`, not part of a URL). */
  whole: boolean;
}

export type TokenResult = { ok: true; token: Token } | { ok: false; reason: string; offset?: number };

/** Picks the version part of a scalar's string; returns [start, end) inside it, or a reason. */
export type Picker = (value: string) => [number, number] | string;

const TEMPLATE = /\{\{|\}\}|\$\{|\$\(/;

export const pickWhole: Picker = (value) => [0, value.length];

/** Parsed container image reference `[host/]path[:tag][@digest]`. */
export interface ImageRef {
  /** Registry host when the reference names one (`mirror.example.com`, `localhost:5000`). */
  host?: string;
  /** Repository path without host, e.g. `bitnami/redis`, `redis`. */
  path: string;
  tag?: string;
  /** Offset of the tag inside the reference text. */
  tagStart?: number;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  let tag: string | undefined;
  let tagStart: number | undefined;
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    tagStart = colon + 1;
    rest = rest.slice(0, colon);
  }
  const out: ImageRef = { path: rest };
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      out.host = first;
      out.path = rest.slice(slash + 1);
    }
  }
  if (tag !== undefined) out.tag = tag;
  if (tagStart !== undefined) out.tagStart = tagStart;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** Repository path of an image without registry host and tag, lower-cased (`mirror.example.com/A/b:1` -> `a/b`). */
export function imageRepository(ref: string): string {
  return parseImageRef(ref).path.toLowerCase();
}

/** The tag of `repo:tag`. Refuses digest pins and missing tags. */
export const pickImageTag: Picker = (value) => {
  const ref = parseImageRef(value);
  if (ref.digest !== undefined && ref.tag !== undefined) {
    return `image "${value}" is pinned by digest @${ref.digest.slice(0, 19)}…: the digest pins the old image, so changing only the tag would change nothing (or mislead a reviewer); remove the digest or update it together with the tag`;
  }
  if (ref.digest !== undefined) return `image "${value}" is pinned by digest only: no tag to update`;
  if (ref.tag === undefined || ref.tagStart === undefined) {
    return `image "${value}" has no tag (implicitly "latest"): no version to read`;
  }
  if (!ref.tag) return `image "${value}" has an empty tag`;
  return [ref.tagStart, ref.tagStart + ref.tag.length];
};

/** The version in an OLM CSV name `package.v1.2.3` (also accepts `package.1.2.3`). */
export function pickCsvVersion(pkg: string): Picker {
  return (value) => {
    for (const prefix of [`${pkg}.v`, `${pkg}.`]) {
      if (value.startsWith(prefix) && value.length > prefix.length) return [prefix.length, value.length];
    }
    return `CSV name "${value}" does not start with "${pkg}.v"`;
  };
}

/** The `ref=` query value of a Kustomize remote resource URL. */
export const pickUrlRef: Picker = (value) => {
  const m = /[?&]ref=([^&#]+)/.exec(value);
  if (!m || m.index === undefined) return `URL "${value}" has no ?ref=`;
  const start = m.index + m[0].length - (m[1] ?? '').length;
  return [start, start + (m[1] ?? '').length];
};

/**
 * Exact span of the version inside a scalar node. `text` is the whole file;
 * node ranges are offsets into it. `shift` maps offsets of a YAML string
 * embedded in another file (Argo `helm.values`) back to the outer file.
 */
export function scalarToken(
  text: string,
  node: Node | null | undefined,
  pick: Picker = pickWhole,
): TokenResult {
  if (!node || !isScalar(node)) return { ok: false, reason: 'not a scalar value' };
  const range = node.range;
  if (!range) return { ok: false, reason: 'value has no source position' };
  const offset = range[0];
  if (node.value === null || node.value === undefined) return { ok: false, reason: 'value is empty', offset };
  const src = text.slice(range[0], range[1]);
  let innerStart: number;
  let inner: string;
  let style: TokenStyle;
  switch (node.type) {
    case Scalar.PLAIN:
      style = 'plain';
      innerStart = range[0];
      inner = src;
      break;
    case Scalar.QUOTE_SINGLE:
      style = 'single';
      innerStart = range[0] + 1;
      inner = src.slice(1, -1);
      if (inner.includes("''"))
        return { ok: false, reason: 'single-quoted value with escaped quotes', offset };
      break;
    case Scalar.QUOTE_DOUBLE:
      style = 'double';
      innerStart = range[0] + 1;
      inner = src.slice(1, -1);
      if (inner.includes('\\'))
        return { ok: false, reason: 'double-quoted value with escape sequences', offset };
      break;
    default:
      return { ok: false, reason: 'version in a block scalar (| or >): cannot edit it exactly', offset };
  }
  if (inner.includes('\n') || inner.includes('\r')) {
    return { ok: false, reason: 'value spans several lines', offset };
  }
  if (TEMPLATE.test(inner)) {
    return { ok: false, reason: `value "${inner}" is a template or variable, not a literal version`, offset };
  }
  if (!inner) return { ok: false, reason: 'value is empty', offset };
  const picked = pick(inner);
  if (typeof picked === 'string') return { ok: false, reason: picked, offset };
  const [a, b] = picked;
  return {
    ok: true,
    token: {
      start: innerStart + a,
      end: innerStart + b,
      text: inner.slice(a, b),
      style,
      whole: a === 0 && b === inner.length,
    },
  };
}

/** String value of a scalar node (numbers keep their source text: `tag: 6.0` reads "6.0"). */
export function scalarText(text: string, node: Node | null | undefined): string | undefined {
  if (!node || !isScalar(node)) return undefined;
  if (typeof node.value === 'string') return node.value;
  if (node.value === null || node.value === undefined) return undefined;
  if (node.range && node.type === Scalar.PLAIN) return text.slice(node.range[0], node.range[1]);
  return String(node.value);
}

/** True when a version text is a range (`>=1.0.0`, `1.x`, `~7.2`) rather than one version. */
export function isVersionRange(v: string): boolean {
  return /[<>=~^*|\s]/.test(v) || /(^|\.)[xX](\.|$)/.test(v);
}
