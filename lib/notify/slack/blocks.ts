// Block Kit messages for each event, split to fit Slack's limits. Pure: an
// event in, messages out; the sender posts them in order.
import { describeStep, EVIDENCE_MARK, type Evidence, headline, type NotifyEvent } from '../events.ts';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
}
export type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: MrkdwnText }
  | { type: 'context'; elements: MrkdwnText[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id: string; elements: Button[] };

export interface SlackMessage {
  /** Fallback text: notifications and clients without blocks show it. */
  text: string;
  blocks: Block[];
}

/** Slack's documented limits for a message and its blocks. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  messageText: 40_000,
  buttonValue: 2000,
} as const;

/** Action ids of the approval buttons; the interaction handler routes on them. */
export const APPROVE_ACTION = 'cairn_approve';
export const HOLD_ACTION = 'cairn_hold';

export interface BuildOptions {
  /** The Slack app is configured for interactivity: needs-approval gets Approve/Hold buttons. */
  interactive?: boolean;
}

/** Escapes the three characters Slack treats as control characters in text. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const link = (url: string, label: string) =>
  `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeText(label)}>`;
const code = (s: string) => `\`${escapeText(s).replace(/`/g, "'")}\``;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Splits text at line ends (or hard, for one over-long line) into pieces of at most `max` characters. */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const pieces: string[] = [];
    for (let i = 0; i < line.length || i === 0; i += max) pieces.push(line.slice(i, i + max));
    for (const p of pieces) {
      if (current === '') current = p;
      else if (current.length + 1 + p.length <= max) current += `\n${p}`;
      else {
        out.push(current);
        current = p;
      }
    }
  }
  if (current !== '' || out.length === 0) out.push(current);
  return out;
}

function sections(mrkdwn: string): Block[] {
  return splitText(mrkdwn, SLACK_LIMITS.sectionText).map((text) => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
  }));
}

function evidenceLines(evidence: readonly Evidence[]): string {
  return evidence
    .map((e) => `${EVIDENCE_MARK[e.status]} *${escapeText(e.check)}*: ${escapeText(e.detail)}`)
    .join('\n');
}

function stepFacts(e: Extract<NotifyEvent, { step: unknown }>): string {
  const s = e.step;
  const facts = [`*${escapeText(describeStep(s))}*`];
  if (s.file) facts.push(`File: ${code(s.file)}`);
  if ('pr' in e && e.pr) facts.push(`Pull request: ${link(e.pr.url, `#${e.pr.number}`)}`);
  facts.push(`Step: ${code(s.id)}`);
  return facts.join('\n');
}

function body(e: NotifyEvent, opts: BuildOptions): Block[] {
  switch (e.kind) {
    case 'step-opened':
      return [
        ...sections(stepFacts(e)),
        ...(e.windowText ? [context(`Merging waits for the window: ${e.windowText}`)] : []),
      ];
    case 'merged':
      return [
        ...sections(stepFacts(e)),
        context(`Merge commit ${code(e.mergeCommit.slice(0, 12))}; the gate now watches the rollout.`),
      ];
    case 'gate-passed':
      return [
        ...sections(stepFacts(e)),
        ...(e.evidence.length ? sections(evidenceLines(e.evidence)) : []),
        ...(e.next ? [context(`Next: ${escapeText(e.next)}`)] : []),
      ];
    case 'gate-failed':
      return [
        ...sections(`${stepFacts(e)}\n*Why:* ${escapeText(e.reason)}`),
        { type: 'divider' },
        ...sections(e.evidence.length ? evidenceLines(e.evidence) : '_No evidence was collected._'),
        context('The next step stays gated until this one is healthy.'),
      ];
    case 'needs-approval': {
      const blocks = sections(`${stepFacts(e)}\n*Why:* ${escapeText(e.reason)}`);
      if (opts.interactive) {
        const value = truncate(e.step.id, SLACK_LIMITS.buttonValue);
        blocks.push({
          type: 'actions',
          block_id: 'cairn_approval',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Approve' },
              action_id: APPROVE_ACTION,
              value,
              style: 'primary',
            },
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Hold' },
              action_id: HOLD_ACTION,
              value,
              style: 'danger',
            },
          ],
        });
      } else {
        blocks.push(
          context(`Approve with a \`/cairn approve ${escapeText(e.step.to)}\` comment on the pull request.`),
        );
      }
      return blocks;
    }
    case 'path-complete':
      return sections(
        `*${escapeText(e.component)}* in ${code(e.target)}${e.cluster ? ` on ${escapeText(e.cluster)}` : ''} reached ${code(e.to)} from ${code(e.from)} in ${e.steps} step${e.steps === 1 ? '' : 's'}.`,
      );
  }
}

function context(mrkdwn: string): Block {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionText) }],
  };
}

/** The Slack messages for one event: usually one; more when the blocks exceed Slack's limits. */
export function buildSlackMessages(e: NotifyEvent, opts: BuildOptions = {}): SlackMessage[] {
  const title = headline(e);
  const header: Block = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText), emoji: true },
  };
  return splitMessage({ text: title, blocks: [header, ...body(e, opts)] });
}

/**
 * Splits a message whose blocks exceed Slack's limit into several, in order,
 * each saying which part it is; trims the fallback text to Slack's maximum.
 */
export function splitMessage(message: SlackMessage): SlackMessage[] {
  const per = SLACK_LIMITS.blocksPerMessage;
  if (message.blocks.length <= per)
    return [{ ...message, text: truncate(message.text, SLACK_LIMITS.messageText) }];
  // Each continuation carries a context block naming its part, so it holds one block fewer.
  const first = message.blocks.slice(0, per);
  const rest = message.blocks.slice(per);
  const chunks = [first];
  for (let i = 0; i < rest.length; i += per - 1) chunks.push(rest.slice(i, i + per - 1));
  return chunks.map((blocks, i) => {
    const part = `(part ${i + 1} of ${chunks.length})`;
    const text = truncate(`${message.text} ${part}`, SLACK_LIMITS.messageText);
    return {
      text,
      blocks: i === 0 ? blocks : [context(`_${escapeText(truncate(message.text, 200))} ${part}_`), ...blocks],
    };
  });
}

/**
 * What replaces an approval message once someone clicked (posted to the
 * interaction's response_url): the buttons go, who decided stays.
 */
export function approvalReply(
  action: 'approve' | 'hold',
  stepId: string,
  userId: string,
): SlackMessage & { replace_original: true } {
  const verb = action === 'approve' ? 'Approved' : 'Held';
  const text = `${verb} by <@${userId.replace(/[^A-Za-z0-9]/g, '')}>: step ${code(stepId)}`;
  return { replace_original: true, text, blocks: sections(text) };
}
