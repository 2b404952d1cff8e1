import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, secretValues } from '../../lib/config.ts';
import { formatIssue, RemoteError, ValidationError } from '../../lib/errors.ts';
import { parseYaml, parseYamlDocuments } from '../../lib/input.ts';
import { createLogger, REDACTED } from '../../lib/log.ts';

describe('logger', () => {
  it('writes JSON lines and redacts secret keys and registered secret values', () => {
    const lines: string[] = [];
    const log = createLogger({
      write: (l) => lines.push(l),
      secrets: ['ghp_abcdef123456'],
      now: () => new Date(0),
    });
    log.info('pushing with ghp_abcdef123456', { token: 'x', nested: { password: 'p', ok: 'visible' } });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      msg: `pushing with ${REDACTED}`,
      token: REDACTED,
      nested: { password: REDACTED, ok: 'visible' },
    });
  });

  it('drops lines below the configured level and keeps bound fields on children', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      format: 'pretty',
      write: (l) => lines.push(l),
      now: () => new Date(0),
    }).child({
      step: 's1',
    });
    log.info('hidden');
    log.warn('shown');
    expect(lines).toEqual(['warn  shown step=s1']);
  });
});

describe('config', () => {
  it('names the bad variable and lists allowed values', () => {
    const err = (() => {
      try {
        loadConfig({ CAIRN_LOG_LEVEL: 'loud' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err!.issues[0]).toMatchObject({ file: 'environment', field: 'CAIRN_LOG_LEVEL' });
    expect(err!.issues[0]!.allowed).toEqual(['debug', 'info', 'warn', 'error']);
  });

  it('treats empty variables as unset and reports secrets for redaction', () => {
    const env = loadConfig({ CAIRN_LOG_LEVEL: '', GITHUB_TOKEN: 'tok-123456' });
    expect(env.CAIRN_LOG_LEVEL).toBe('info');
    expect(secretValues(env)).toEqual(['tok-123456']);
  });
});

describe('errors', () => {
  it('say whether a retry can help', () => {
    expect(new RemoteError('github', '502', { retryable: true, status: 502 }).retryable).toBe(true);
    expect(new ValidationError([{ file: 'a.yaml', message: 'bad' }]).retryable).toBe(false);
    expect(new ValidationError([{ file: 'a.yaml', message: 'bad' }]).exitCode).toBe(2);
  });
});

describe('parseYaml', () => {
  const schema = z.strictObject({
    soak: z.string(),
    envs: z.array(z.strictObject({ name: z.enum(['dev', 'prod']) })),
  });

  it('names file, line and field of a schema violation, with allowed values', () => {
    const text = 'soak: 1h\nenvs:\n  - name: dev\n  - name: qa\n';
    const err = (() => {
      try {
        parseYaml(text, 'policies/p.yaml', schema);
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(err.issues).toHaveLength(1);
    expect(formatIssue(err.issues[0]!)).toBe(
      'policies/p.yaml:4:11 envs[1].name: Invalid option: expected one of "dev"|"prod" (allowed: dev, prod)',
    );
  });

  it('points at an unknown key', () => {
    const text = 'soak: 1h\nenvs: []\nsoakk: 2h\n';
    const err = (() => {
      try {
        parseYaml(text, 'p.yaml', schema);
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(err.issues[0]).toMatchObject({ line: 3, field: 'soakk', message: 'unknown field soakk' });
  });

  it('refuses duplicate keys and alias bombs', () => {
    expect(() => parseYaml('soak: 1h\nsoak: 2h\nenvs: []\n', 'd.yaml', schema)).toThrow(/d\.yaml:2.*unique/i);
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    expect(() => parseYaml(bomb.join('\n'), 'bomb.yaml', z.any())).toThrow(/bomb\.yaml.*alias/i);
  });

  it('reads every document of a multi-document file with its starting line', () => {
    const docs = parseYamlDocuments('a: 1\n---\n# c\nb: 2\n', 'm.yaml');
    expect(docs.map((d) => [d.index, d.line, d.value])).toEqual([
      [0, 1, { a: 1 }],
      [1, 4, { b: 2 }],
    ]);
  });
});

describe('stderr text', () => {
  it('pretty text is redacted; JSON turns each line into a log line and drops progress redraws', async () => {
    const { textSink, timed } = await import('../../lib/log.ts');
    const out: string[] = [];
    const log = createLogger({
      format: 'json',
      write: (l) => out.push(l),
      now: () => new Date(0),
      level: 'debug',
    });
    textSink(log, 'pretty', (t) => out.push(t), ['s3cr3t-value'])('token s3cr3t-value here\n');
    textSink(
      log,
      'json',
      (t) => out.push(t),
      [],
      'error',
    )('first\nsecond ghp_abcdefghijklmnopqrstuvwxyz0123\n');
    textSink(log, 'json', (t) => out.push(t), [])('\rscanning 100/200 files');
    await timed(
      log,
      'scan',
      (() => {
        let t = 0;
        return () => (t += 5);
      })(),
      () => 1,
    );
    expect(out[0]).toBe(`token ${REDACTED} here\n`);
    expect(out.slice(1).map((l) => JSON.parse(l))).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'error', msg: 'first' },
      { time: '1970-01-01T00:00:00.000Z', level: 'error', msg: `second ${REDACTED}` },
      { time: '1970-01-01T00:00:00.000Z', level: 'debug', msg: 'phase', phase: 'scan', ms: 5 },
    ]);
  });
});
