import { hostname } from 'node:os';
import { loadConfig } from '../../lib/config.ts';
import { UsageError } from '../../lib/errors.ts';
import type { Command } from '../args.ts';
import { requireStr, str } from '../args.ts';

export const agentCommand: Command = {
  name: 'agent',
  summary: 'Watch the cluster and push signed status snapshots to the status function',
  usage:
    'agent --cluster NAME --push URL [--kubeconfig FILE|default] [--agent-id ID] [--heartbeat SECONDS] [--approve-namespaces NS,...]',
  description:
    'Runs until stopped (SIGINT / SIGTERM). Read-only: lists and watches the resources the gate reads.\n' +
    'Signs every message with $CAIRN_AGENT_SECRET (HMAC-SHA256 over timestamp and body; see docs/gate.md).\n' +
    'Its one write: the approval annotation on a RedisCluster, once per approval the status function\n' +
    'delivers in its signed answer.',
  options: {
    cluster: { type: 'string', value: 'NAME', description: 'The cluster name the snapshots are for' },
    push: { type: 'string', value: 'URL', description: "The status function's snapshot endpoint" },
    kubeconfig: {
      type: 'string',
      value: 'FILE',
      description:
        'Kubeconfig file; "default" (the default): KUBECONFIG, ~/.kube/config or the in-cluster service account',
    },
    'agent-id': { type: 'string', value: 'ID', description: 'This agent instance (default: the host name)' },
    heartbeat: { type: 'string', value: 'SECONDS', description: 'Heartbeat interval (default 30)' },
    'approve-namespaces': {
      type: 'string',
      value: 'NS,...',
      description: 'Only approve RedisClusters in these namespaces (default: every namespace)',
    },
  },
  async run(values, _pos, ctx) {
    const cluster = requireStr(values, 'cluster', 'agent');
    const push = requireStr(values, 'push', 'agent');
    if (!/^https?:\/\//.test(push)) throw new UsageError(`--push must be an http(s) URL, got "${push}"`);
    const secret = loadConfig(ctx.env).CAIRN_AGENT_SECRET;
    if (!secret)
      throw new UsageError('CAIRN_AGENT_SECRET is not set: the agent signs every snapshot with it');
    const heartbeat = str(values, 'heartbeat') ?? '30';
    if (!/^\d+$/.test(heartbeat) || Number(heartbeat) < 1)
      throw new UsageError(`--heartbeat takes whole seconds, got "${heartbeat}"`);
    const approveNamespaces = str(values, 'approve-namespaces')
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const file = str(values, 'kubeconfig') ?? 'default';
    // Loaded here, not at start: the Kubernetes client costs every other command ~0.4 s otherwise.
    const { ClusterAgent, httpPush } = await import('../../lib/node/agent.ts');
    const { kubeTransport, loadKubeConfig } = await import('../../lib/node/kube-client.ts');
    let kc;
    try {
      kc = loadKubeConfig(file === 'default' ? {} : { kubeconfigPath: file });
    } catch (e) {
      throw new UsageError(`--kubeconfig ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // SIGTERM aborts every watch and request in flight, so the agent exits at once
    // instead of when the API server next ends a watch (up to 25 s).
    const shutdown = new AbortController();
    const agent = new ClusterAgent({
      transport: kubeTransport(kc, { signal: shutdown.signal }),
      cluster,
      agentId: str(values, 'agent-id') ?? hostname(),
      secret,
      push: httpPush(push, shutdown.signal),
      clock: () => new Date(),
      // Unref'd: after stop, a pending retry or heartbeat does not hold the process.
      sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
      heartbeatMs: Number(heartbeat) * 1000,
      log: ctx.log,
      ...(approveNamespaces ? { approveNamespaces } : {}),
    });
    ctx.log.info('agent: started', { cluster, push });
    agent.start();
    const keepAlive = setInterval(() => {}, 1 << 30);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    clearInterval(keepAlive);
    agent.stop();
    shutdown.abort();
    ctx.log.info('agent: stopped', { cluster, signal, sent: agent.sent.length });
    return 0;
  },
};
