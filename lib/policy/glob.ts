// Path globs for mapping repository files to clusters: `*` within a path
// segment, `**` across segments, `?` one character. Paths use forward slashes.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more whole segments; a trailing `**` matches the rest.
        if (glob[i + 2] === '/') {
          src += '(?:.*/)?';
          i += 2;
        } else {
          src += '.*';
          i += 1;
        }
      } else src += '[^/]*';
    } else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`);
  cache.set(glob, re);
  return re;
}

export function matchesGlob(path: string, glob: string): boolean {
  return globToRegExp(glob).test(path);
}

/** Whether `path` matches any of `globs`: one expression per list, made once (a scan tests every file). */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  let re = anyCache.get(globs);
  if (!re) {
    re = globs.length ? new RegExp(globs.map((g) => `(?:${globToRegExp(g).source})`).join('|')) : /(?!)/;
    anyCache.set(globs, re);
  }
  return re.test(path);
}

const anyCache = new WeakMap<readonly string[], RegExp>();
