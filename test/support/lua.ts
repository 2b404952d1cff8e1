// Runs an Argo CD health.lua with the real Lua 5.1 interpreter (the dialect
// Argo CD embeds), with `obj` set to a Kubernetes object, as Argo CD does.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

function luaState(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('lua5.1', ['-v'], { encoding: 'utf8' });
  return r.error ? { ok: false, why: 'lua5.1 is not installed (Debian package lua5.1)' } : { ok: true };
}
export const lua = luaState();

export function describeWithLua(name: string, fn: () => void): void {
  if (lua.ok) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`SKIP "${name}": ${lua.why}\n`);
  describe.skip(name, () => {
    it.skip(`needs ${lua.why}`, () => {});
  });
}

/** A Lua string literal for any text: bytes outside printable ASCII as decimal escapes. */
function luaString(s: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b}`;
  }
  return `${out}"`;
}

/** A JSON value as a Lua table constructor, the way Argo CD hands objects to Lua (null is nil). */
export function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'nil';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  if (v instanceof Date) return luaString(v.toISOString());
  const entries = Object.entries(v as Record<string, unknown>).filter(
    ([, x]) => x !== null && x !== undefined,
  );
  return `{${entries.map(([k, x]) => `[${luaString(k)}] = ${toLua(x)}`).join(', ')}}`;
}

export interface HealthStatus {
  status: string;
  message: string;
}

/** Each object's health by `script`, in one lua5.1 process. A Lua error fails loudly. */
export function runHealthScript(script: string, objects: readonly unknown[]): HealthStatus[] {
  const chunks = objects.map(
    (o) =>
      `do\n  obj = ${toLua(o)}\n  local hs = (function()\n${script}\nend)()\n` +
      `  io.write(tostring(hs.status), "\\0", tostring(hs.message or ""), "\\0")\nend`,
  );
  const r = spawnSync('lua5.1', ['-'], { input: chunks.join('\n'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lua5.1: ${r.stderr}`);
  const parts = r.stdout.split('\0');
  return objects.map((_, i) => ({ status: parts[2 * i]!, message: parts[2 * i + 1]! }));
}
