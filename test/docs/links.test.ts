// Relative links between the docs (and from the README) point at files and
// headings that exist, using GitHub's heading anchors.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';

const files = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower-case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(text: string): Set<string> {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('links in README.md and docs/', () => {
  it.each(files)('%s links only to files and headings that exist', (file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/.test(href)) continue;
      const [path, hash] = href.split('#') as [string, string | undefined];
      const target = path ? join(dirname(join(repoRoot, file)), path) : join(repoRoot, file);
      if (!existsSync(target)) {
        broken.push(`${href}: no file ${relative(repoRoot, target)}`);
        continue;
      }
      if (hash && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(hash))
        broken.push(`${href}: no heading #${hash}`);
    }
    expect(broken).toEqual([]);
  });
});
