// Notifications: what cairn tells people, on Slack (Block Kit, by incoming
// webhook or chat.postMessage, paced and retried) and on GitHub (gate status,
// check run, PR comments). Pure builders plus a sender whose fetch, clock and
// sleep are passed in. A failed notification returns a result; it never throws
// into the upgrade that caused it.
export * from './events.ts';
export * from './github.ts';
export * from './slack/blocks.ts';
export * from './slack/sender.ts';
export * from './slack/verify.ts';
