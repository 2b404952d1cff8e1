import { describe, expect, it } from 'vitest';
import { loadShippedCatalog } from '../../lib/node/files.ts';
import { formatIssue, ValidationError } from '../../lib/errors.ts';
import { parseFeed } from '../../lib/feed.ts';

const catalog = loadShippedCatalog();

function issues(text: string): string[] {
  try {
    parseFeed(text, 'feed.yaml', catalog);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map(formatIssue);
    throw e;
  }
  return [];
}

describe('feed snapshots', () => {
  it('reads releases with day or month dates', () => {
    const feed = parseFeed(
      'redis:\n  - { version: "7.4.1", published: 2024-10-02 }\n  - { version: "8.0.2", published: 2025-05 }\n',
      'feed.yaml',
      catalog,
    );
    expect(feed).toEqual({
      redis: [
        { version: '7.4.1', published: '2024-10-02' },
        { version: '8.0.2', published: '2025-05' },
      ],
    });
  });

  it('refuses an unquoted version that YAML reads as a number, naming the line', () => {
    expect(issues('redis:\n  - { version: 7.10 }\n')).toEqual([
      'feed.yaml:2:16 redis[0].version: must be a quoted string (7.10 unquoted is read as the number 7.1)',
    ]);
  });

  it('refuses unknown components and duplicate versions', () => {
    const out = issues(
      'rediss:\n  - { version: "1" }\nredis:\n  - { version: "7.4.1" }\n  - { version: "7.4.1" }\n',
    );
    expect(out[0]).toMatch(
      /^feed\.yaml:1 rediss: unknown component "rediss" \(allowed: .*redis, redis-enterprise/,
    );
    expect(out[1]).toBe('feed.yaml:5 redis[1].version: version 7.4.1 is listed twice');
  });

  it('refuses an impossible date', () => {
    expect(issues('redis:\n  - { version: "7.4.1", published: 2024-02-30T00:00:00Z }\n')[0]).toMatch(
      /published: is not a real date/,
    );
  });
});
