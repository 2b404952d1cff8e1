// The command table: every `cairn` subcommand is registered here, once.
import type { Command } from '../args.ts';
import { agentCommand } from './agent.ts';
import { applyCommand } from './apply.ts';
import { explainCommand } from './explain.ts';
import { feedsCommand } from './feeds.ts';
import { planCommand } from './plan.ts';
import { reconcileCommand } from './reconcile.ts';
import { serveCommand } from './serve.ts';
import { validateCommand } from './validate.ts';

export const COMMANDS: readonly Command[] = [
  planCommand,
  applyCommand,
  explainCommand,
  validateCommand,
  feedsCommand,
  agentCommand,
  reconcileCommand,
  serveCommand,
];
