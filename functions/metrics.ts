// Prometheus counters and gauges for GET /metrics, kept in the process (on Workers: the
// isolate), so they read as "since this instance started", as Prometheus expects of a
// counter that may reset. Label values are escaped; nothing secret is ever a label.

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

const FAMILIES = {
  cairn_webhooks_total: { help: 'Webhook deliveries by source, event and outcome.', type: 'counter' },
  cairn_pull_requests_opened_total: { help: 'Step pull requests opened.', type: 'counter' },
  cairn_gate_verdicts_total: { help: 'Gate verdicts published, by verdict.', type: 'counter' },
  cairn_feed_polls_total: { help: 'Feed sources polled, by status (unchanged = 304).', type: 'counter' },
  cairn_feed_not_modified_total: { help: 'Feed requests answered 304 Not Modified.', type: 'counter' },
  cairn_cron_runs_total: {
    help: 'Cron runs, by outcome (done, skipped: lock held, failed).',
    type: 'counter',
  },
  cairn_work_queued_total: {
    help: 'Webhook work queued, by kind (feeds, repository) and whether it joined a waiting job.',
    type: 'counter',
  },
  cairn_work_runs_total: { help: 'Queued jobs run, by kind and outcome (done, failed).', type: 'counter' },
  cairn_work_waiting: { help: 'Queued jobs waiting or running now.', type: 'gauge' },
  cairn_github_rate_limit_remaining: {
    help: 'x-ratelimit-remaining of the last GitHub API answer, by resource.',
    type: 'gauge',
  },
} as const satisfies Record<string, { help: string; type: 'counter' | 'gauge' }>;

export type MetricName = keyof typeof FAMILIES;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escape(labels[k]!)}"`)
    .join(',');
}

export class Metrics {
  readonly #families = new Map<MetricName, Family>();

  constructor() {
    for (const [name, f] of Object.entries(FAMILIES))
      this.#families.set(name as MetricName, { help: f.help, type: f.type, values: new Map() });
  }

  inc(name: MetricName, labels: Labels = {}, by = 1): void {
    const f = this.#families.get(name)!;
    const key = keyOf(labels);
    const cur = f.values.get(key);
    if (cur) cur.value += by;
    else f.values.set(key, { labels, value: by });
  }

  set(name: MetricName, labels: Labels, value: number): void {
    this.#families.get(name)!.values.set(keyOf(labels), { labels, value });
  }

  /** The value of one series, or 0 (tests and the benchmark read it). */
  get(name: MetricName, labels: Labels = {}): number {
    return this.#families.get(name)!.values.get(keyOf(labels))?.value ?? 0;
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.#families) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.values.values()) {
        const l = keyOf(labels);
        lines.push(`${name}${l ? `{${l}}` : ''} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
