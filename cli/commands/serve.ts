import { UsageError } from '../../lib/errors.ts';
import type { Command } from '../args.ts';
import { str } from '../args.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the cairn service: webhooks, status API and cron in one Node process',
  usage: 'serve [--port N] [--host ADDRESS] [--no-cron]',
  description:
    'Needs GITHUB_WEBHOOK_SECRET (it refuses to start without one), GitHub credentials and\n' +
    'CAIRN_REPOSITORIES. The store is CAIRN_STORE (SQLite in .cairn-state/ by default). Stops\n' +
    'gracefully on SIGTERM or SIGINT. See docs/functions.md.',
  options: {
    port: {
      type: 'string',
      value: 'N',
      description: 'Port to listen on (default: $PORT, else 8080; 0: any free port)',
    },
    host: { type: 'string', value: 'ADDRESS', description: 'Address to listen on (default 0.0.0.0)' },
    'no-cron': {
      type: 'boolean',
      description: 'Do not schedule the cron function (another replica runs it)',
    },
  },
  async run(values, _pos, ctx) {
    const text = str(values, 'port') ?? ctx.env.PORT ?? '8080';
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
      throw new UsageError(`--port takes a port number, got "${text}"`);
    const { startNodeServer } = await import('../../functions/node.ts');
    // A bad environment or a missing secret is a named error: cairn does not start.
    const server = await startNodeServer({
      port: Number(text),
      ...(str(values, 'host') ? { host: str(values, 'host')! } : {}),
      env: ctx.env,
      cwd: ctx.cwd,
      log: ctx.log,
      cron: values['no-cron'] !== true,
    });
    ctx.stdout(`cairn serve: listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    ctx.stdout('cairn serve: stopping\n');
    await server.close();
    ctx.stdout('cairn serve: stopped\n');
    return 0;
  },
};
