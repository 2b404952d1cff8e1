// The one place environment variables are read and validated. Each variable
// has a schema; a missing or bad one is reported by name. Variables marked
// secret are handed to the logger so their values are never written out.
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { readStoreSpec } from './store/spec.ts';

const logLevel = z.enum(['debug', 'info', 'warn', 'error']);

export const envSchema = z.object({
  CAIRN_LOG_LEVEL: logLevel.default('info'),
  /** `json` or `pretty`; unset means pretty on a terminal, json elsewhere. */
  CAIRN_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Where the policy files live when a command is not given `--policies`. */
  CAIRN_POLICIES: z.string().min(1).optional(),
  /** Which store (lib/store/spec.ts): `memory:`, `sqlite:PATH` or `redis://HOST:PORT`; unset: SQLite. */
  CAIRN_STORE: z
    .string()
    .superRefine((v, ctx) => {
      const read = readStoreSpec(v);
      if (!read.ok) ctx.addIssue({ code: 'custom', message: read.problem });
    })
    .optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** GitHub App private key (PEM) for `cairn reconcile`, with CAIRN_GITHUB_APP_ID and _INSTALLATION_ID. */
  CAIRN_GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SLACK_WEBHOOK_URL: z.url().optional(),
  /** Slack app signing secret: verifies the Approve/Hold clicks sent to POST /webhooks/slack. */
  CAIRN_SLACK_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Slack user ids (comma-separated) whose Approve/Hold clicks count; unset: nobody's. */
  CAIRN_SLACK_APPROVERS: z
    .string()
    .regex(/^\s*([A-Z0-9]{2,32}(\s*,\s*[A-Z0-9]{2,32})*)?\s*$/, 'must be Slack user ids, comma-separated')
    .optional(),
  /** Shared secret the cluster agent signs its snapshots with (HMAC-SHA256). */
  CAIRN_AGENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** REST root of GitHub Enterprise Server (GitHub Actions sets it); unset: api.github.com. */
  GITHUB_API_URL: z.url().optional(),
  CAIRN_GITHUB_APP_ID: z.string().regex(/^\d+$/, 'must be a number').optional(),
  CAIRN_GITHUB_APP_INSTALLATION_ID: z.string().regex(/^\d+$/, 'must be a number').optional(),
  /** The webhook secret being rotated out: deliveries signed with either are accepted (functions/). */
  CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The repositories the service reconciles, `OWNER/REPO[,OWNER/REPO...]` (functions/). */
  CAIRN_REPOSITORIES: z
    .string()
    .regex(
      /^\s*[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}(\s*,\s*[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100})*\s*$/,
      'must be OWNER/REPO, comma-separated',
    )
    .optional(),
  /** Flux notification-controller `generic-hmac` provider key (X-Signature). */
  CAIRN_FLUX_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Token Argo CD notifications send in the X-Cairn-Token header. */
  CAIRN_ARGOCD_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Token registry webhooks (Docker Hub, Harbor, Quay) send: X-Cairn-Token header or `?token=`. */
  CAIRN_REGISTRY_WEBHOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Bearer token for GET /status/... and /metrics. */
  CAIRN_STATUS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Token for the fleet dashboard (GET /); unset: the dashboard is off (401 to everyone). */
  CAIRN_DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The policy allows cairn to enable auto-merge on step PRs (only inside a window). */
  CAIRN_AUTO_MERGE: z.enum(['true', 'false']).default('false'),
  /** node-cron schedule of the cron function under `cairn serve` (Workers: wrangler.toml). */
  CAIRN_CRON: z.string().min(9).default('*/5 * * * *'),
  /** `cairn serve` port when --port is not given. */
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be a port number')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Names of variables whose values are secrets. */
/** Variables whose values never reach a log; CAIRN_STORE can hold a Redis password. */
export const SECRET_VARIABLES = [
  'GITHUB_TOKEN',
  'CAIRN_GITHUB_APP_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
  'SLACK_WEBHOOK_URL',
  'CAIRN_SLACK_SIGNING_SECRET',
  'CAIRN_STORE',
  'CAIRN_AGENT_SECRET',
  'CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS',
  'CAIRN_FLUX_WEBHOOK_SECRET',
  'CAIRN_ARGOCD_WEBHOOK_TOKEN',
  'CAIRN_REGISTRY_WEBHOOK_TOKEN',
  'CAIRN_STATUS_TOKEN',
  'CAIRN_DASHBOARD_TOKEN',
] as const;

/**
 * Validates the environment. Empty strings count as unset, as shells and
 * container runtimes often export empty variables.
 */
export function loadConfig(source: Record<string, string | undefined>): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = source[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ValidationError(
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? '');
        const allowed = 'values' in i && Array.isArray(i.values) ? i.values.map(String) : undefined;
        return {
          file: 'environment',
          field: name,
          message: i.message,
          ...(allowed ? { allowed } : {}),
        };
      }),
    );
  }
  return result.data;
}

export function secretValues(env: Env): string[] {
  return SECRET_VARIABLES.map((k) => env[k]).filter((v): v is string => typeof v === 'string');
}
