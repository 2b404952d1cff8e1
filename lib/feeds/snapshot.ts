// A poll written as a feed snapshot: exactly the format `cairn plan --feed`
// reads (lib/feed.ts), so offline and live planning share one format. What
// went wrong is written as comments, never as data.
import { Document, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { PollResult } from './poll.ts';

export function renderSnapshot(result: PollResult, at: Date): string {
  const body: Record<string, { version: string; published?: string }[]> = {};
  for (const [component, releases] of Object.entries(result.feed)) body[component] = releases;
  const doc = new Document(body);
  const lines = [
    ` cairn feeds snapshot, read ${at.toISOString()}`,
    ' Format: docs/formats.md (read by `cairn plan --feed FILE`).',
  ];
  const byComponent = new Map<string, typeof result.reports>();
  for (const r of result.reports) byComponent.set(r.component, [...(byComponent.get(r.component) ?? []), r]);
  for (const [component, reports] of byComponent) {
    if (!result.feed[component])
      lines.push(` ${component}: no source could be read; the catalog's list applies`);
    for (const r of reports) {
      const what = r.error ? `failed${r.stale ? ' (earlier read used)' : ''}: ${r.error}` : r.status;
      lines.push(` ${component} <- ${r.key}: ${what}; ${r.releases} releases, ${r.dated} dated`);
      if (r.releases > 0 && r.dated === 0)
        lines.push(`   no publish dates: the release age of ${component} is unknown`);
      for (const w of r.warnings.slice(0, 10)) lines.push(`   warning: ${w}`);
      if (r.rejectedCount)
        lines.push(
          `   rejected ${r.rejectedCount}: ${r.rejected
            .slice(0, 5)
            .map((x) => `${x.tag} (${x.reason})`)
            .join(', ')}`,
        );
    }
  }
  doc.commentBefore = lines.map((l) => l.replace(/[\r\n]+/g, ' ')).join('\n');
  if (isMap(doc.contents)) {
    for (const pair of (doc.contents as YAMLMap).items) {
      if (!isSeq(pair.value)) continue;
      for (const item of pair.value.items) {
        if (!isMap(item)) continue;
        item.flow = true;
        const v = item.get('version', true);
        // Quoted: an unquoted 7.10 would read back as the number 7.1.
        if (isScalar(v)) v.type = 'QUOTE_DOUBLE';
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
