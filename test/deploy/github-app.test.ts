// deploy/github-app.json, the GitHub App manifest: exactly the repository
// permissions and webhook events docs/github.md says the engine needs, and no more.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'deploy/github-app.json'), 'utf8')) as {
  name: string;
  url: string;
  hook_attributes: { url: string; active: boolean };
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
  [key: string]: unknown;
};
const doc = readFileSync(join(repoRoot, 'docs/github.md'), 'utf8');

/** The permission table under "A fine-grained personal access token…", as manifest keys and levels. */
function documentedPermissions(): Record<string, string> {
  const section = doc.slice(
    doc.indexOf('### A fine-grained personal access token'),
    doc.indexOf('### A GitHub App'),
  );
  // GitHub's names for the App permissions the table lists by their UI names.
  const keys: Record<string, string> = {
    Contents: 'contents',
    'Pull requests': 'pull_requests',
    Issues: 'issues',
    'Commit statuses': 'statuses',
    Metadata: 'metadata',
  };
  const out: Record<string, string> = {};
  for (const m of section.matchAll(/^\| ([A-Z][^|]*?) \| (read and write|read) \|/gm)) {
    const key = keys[m[1]!];
    expect(key, `docs/github.md lists ${m[1]}: map it to its App permission name`).toBeDefined();
    out[key!] = m[2] === 'read' ? 'read' : 'write';
  }
  return out;
}

/** The events in "The cairn service subscribes to `push` (…), `pull_request` (…), … and `issue_comment` (…)". */
function documentedEvents(): string[] {
  const sentence = /The cairn service subscribes to\s+([\s\S]*?)\.\n/.exec(doc)?.[1];
  expect(sentence, 'docs/github.md names the events the service subscribes to').toBeDefined();
  return [...sentence!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
}

describe('the GitHub App manifest', () => {
  it('asks for exactly the permissions docs/github.md lists', () => {
    const documented = documentedPermissions();
    expect(Object.keys(documented).length).toBeGreaterThanOrEqual(4);
    expect(manifest.default_permissions).toEqual(documented);
  });

  it('subscribes to exactly the events docs/github.md lists, each allowed by a permission it has', () => {
    expect([...manifest.default_events].sort()).toEqual(documentedEvents().sort());
    // GitHub delivers an event to an App only with the permission behind it.
    const needs: Record<string, string> = {
      push: 'contents',
      pull_request: 'pull_requests',
      status: 'statuses',
      issue_comment: 'issues',
    };
    for (const e of manifest.default_events) expect(manifest.default_permissions[needs[e]!], e).toBeDefined();
  });

  it('sends its webhooks to /webhooks/github, is private, and uses only manifest parameters GitHub knows', () => {
    expect(new URL(manifest.hook_attributes.url).pathname).toBe('/webhooks/github');
    expect(manifest.hook_attributes.active).toBe(true);
    expect(manifest.public).toBe(false);
    const known = [
      'name',
      'url',
      'hook_attributes',
      'redirect_url',
      'callback_urls',
      'setup_url',
      'description',
      'public',
      'default_events',
      'default_permissions',
      'request_oauth_on_install',
      'setup_on_update',
    ];
    for (const k of Object.keys(manifest)) expect(known, k).toContain(k);
  });
});
