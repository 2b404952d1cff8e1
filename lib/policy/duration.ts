// Durations in policies: `90m`, `24h`, `7d`, `2w`, or combined `1d12h`.

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
export const DURATION_PATTERN = /^(\d+[smhdw])+$/;

/** Milliseconds in a duration string; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
