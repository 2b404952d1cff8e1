import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.ts';
import { ValidationError } from '../../../lib/errors.ts';
import { DEFAULT_SQLITE_PATH, readStoreSpec } from '../../../lib/store/spec.ts';

describe('CAIRN_STORE', () => {
  it.each([
    [undefined, { kind: 'sqlite', path: DEFAULT_SQLITE_PATH }],
    ['memory:', { kind: 'memory' }],
    ['sqlite:/var/lib/cairn/state.db', { kind: 'sqlite', path: '/var/lib/cairn/state.db' }],
    ['sqlite:state/cairn.db', { kind: 'sqlite', path: 'state/cairn.db' }],
    ['redis://redis.cairn.svc:6379', { kind: 'redis', url: 'redis://redis.cairn.svc:6379' }],
    ['rediss://:pw@10.0.0.5:6380/2', { kind: 'redis', url: 'rediss://:pw@10.0.0.5:6380/2' }],
  ])('%s selects %o', (text, spec) => {
    expect(readStoreSpec(text)).toEqual({ ok: true, spec });
  });

  it.each([
    ['postgres://db:5432', /unknown store; use one of memory:, sqlite:PATH, redis:\/\/HOST:PORT/],
    ['sqlite', /unknown store/],
    ['sqlite:', /sqlite: needs a file path/],
    ['memory:now', /memory: takes nothing after the colon/],
    ['redis://', /no host/],
    ['redis://host:99999', /not a valid Redis URL/],
    ['redis://host:6379/cache', /only a database number/],
  ])('refuses %s', (text, problem) => {
    const read = readStoreSpec(text);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problem).toMatch(problem);
  });

  it('is checked with the rest of the environment, naming the variable and hiding a password', () => {
    let error: unknown;
    try {
      loadConfig({ CAIRN_STORE: 'redis://:hunter2@cache:99999' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, message } = error as ValidationError;
    expect(issues).toEqual([expect.objectContaining({ file: 'environment', field: 'CAIRN_STORE' })]);
    expect(message).toMatch(/CAIRN_STORE: "redis:\/\/:\*\*\*@cache:99999": not a valid Redis URL/);
    expect(message).not.toContain('hunter2');
    expect(loadConfig({ CAIRN_STORE: 'memory:' }).CAIRN_STORE).toBe('memory:');
  });
});
