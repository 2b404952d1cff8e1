// KubeDB changes a database version through an ops request, so cairn adds a
// `RedisOpsRequest` (or `RedisSentinelOpsRequest`) file next to the database
// manifest instead of editing `spec.version`. The file follows the shape of
// kubedb/docs examples/redis/update-version/*.yaml and the style of the
// database's own file (indentation, quoting of the version, leading `---`,
// CRLF, final newline). How the request is reconciled in Git afterwards is in
// docs/kubedb-ops-requests.md.
import { isMap, isScalar } from 'yaml';
import { parseYamlDocument } from '../yaml-parse.ts';
import { PreconditionError, UnsafeFileError } from '../errors.ts';
import type { Target } from '../model.ts';
import { locateTarget } from './edit.ts';
import { child, seqItems, stringOf } from './nodes.ts';
import { basename, dirname } from './paths.ts';
import { checkNewVersion, spliceToken } from './splice.ts';

export interface NewFile {
  /** Repository-relative path. An existing path (the directory's kustomization.yaml) is replaced. */
  path: string;
  text: string;
}

export interface OpsRequestOptions {
  /** The kustomization.yaml of the database's directory, when there is one: the request is added to its resources. */
  kustomization?: NewFile;
}

const OPS_KIND: Record<string, string> = {
  Redis: 'RedisOpsRequest',
  RedisSentinel: 'RedisSentinelOpsRequest',
};

/** Name of the ops request for a version change (DNS-1123, at most 63 characters). */
export function opsRequestName(database: string, version: string): string {
  const v = version.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `${database}-update-${v}`.slice(0, 63).replace(/-+$/, '');
}

interface Style {
  indent: string;
  eol: string;
  leadingSeparator: boolean;
  finalNewline: boolean;
  quote: '' | "'" | '"';
}

function styleOf(text: string, target: Target): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n( +)\S/.exec(text);
  const quote = target.span?.style === 'single' ? "'" : target.span?.style === 'double' ? '"' : '';
  return {
    indent: m?.[1] ?? '  ',
    eol,
    leadingSeparator: /^(\s*#[^\n]*\n)*\s*---/.test(text),
    finalNewline: /\n$/.test(text),
    quote,
  };
}

/**
 * The file(s) that move a KubeDB database to `newVersion`: a new ops request
 * beside the manifest and, when given, its kustomization.yaml with the new
 * file appended to `resources`.
 */
export function createOpsRequestFiles(
  text: string,
  target: Target,
  newVersion: string,
  opts: OpsRequestOptions = {},
): NewFile[] {
  if (target.change !== 'ops-request' || !target.resource) {
    throw new PreconditionError(`${target.id}: not a KubeDB database version (change is ${target.change})`);
  }
  const found = locateTarget(text, { ...target, change: 'in-place' });
  checkNewVersion(found.token!, newVersion, `${target.file}:${target.line} ${target.field}`);
  const db = target.resource;
  const kind = OPS_KIND[db.kind];
  if (!kind) throw new PreconditionError(`${target.id}: no ops request kind for ${db.kind}`);
  const s = styleOf(text, target);
  const name = opsRequestName(db.name, newVersion);
  const i1 = s.indent;
  const i2 = s.indent.repeat(2);
  const lines = [
    ...(s.leadingSeparator ? ['---'] : []),
    'apiVersion: ops.kubedb.com/v1alpha1',
    `kind: ${kind}`,
    'metadata:',
    `${i1}name: ${name}`,
    ...(db.namespace ? [`${i1}namespace: ${db.namespace}`] : []),
    'spec:',
    `${i1}type: UpdateVersion`,
    `${i1}databaseRef:`,
    `${i2}name: ${db.name}`,
    `${i1}updateVersion:`,
    `${i2}targetVersion: ${s.quote}${newVersion}${s.quote}`,
  ];
  const file = `${name}.yaml`;
  const dir = dirname(target.file);
  const path = dir ? `${dir}/${file}` : file;
  const out: NewFile[] = [{ path, text: lines.join(s.eol) + (s.finalNewline ? s.eol : '') }];
  if (opts.kustomization) {
    out.push({ path: opts.kustomization.path, text: addKustomizeResource(opts.kustomization, file) });
  }
  return out;
}

/**
 * Appends `entry` to a kustomization's `resources` block sequence, copying
 * the indentation and dash style of its last item. Nothing else moves.
 */
export function addKustomizeResource(kustomization: NewFile, entry: string): string {
  const { text, path } = kustomization;
  const doc = parseYamlDocument(text);
  if (doc.errors.length)
    throw new UnsafeFileError({ file: path }, `malformed YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const resources = child(doc.contents, 'resources');
  const items = seqItems(resources);
  if (items.some((i) => stringOf(i) === entry || stringOf(i) === `./${entry}`)) return text;
  const last = items[items.length - 1];
  if (
    !isMap(doc.contents) ||
    !last ||
    !isScalar(last) ||
    !last.range ||
    (resources as { flow?: boolean }).flow
  ) {
    throw new UnsafeFileError(
      { file: path, field: 'resources' },
      `cannot append ${basename(entry)} to resources: no block list of resources to extend; add it by hand`,
    );
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', last.range[0] - 1) + 1;
  const prefix = text.slice(lineStart, last.range[0]);
  if (!/^\s*-\s+$/.test(prefix)) {
    throw new UnsafeFileError(
      { file: path, field: 'resources' },
      'unusual resources list layout; add it by hand',
    );
  }
  const quote = last.type === 'QUOTE_DOUBLE' ? '"' : last.type === 'QUOTE_SINGLE' ? "'" : '';
  let lineEnd = text.indexOf('\n', last.range[1]);
  if (lineEnd < 0) return `${text}${eol}${prefix}${quote}${entry}${quote}`;
  if (text[lineEnd - 1] === '\r') lineEnd -= 1;
  const insert = `${eol}${prefix}${quote}${entry}${quote}`;
  return spliceToken(text, { start: lineEnd, end: lineEnd, text: '', style: 'plain', whole: false }, insert);
}

/**
 * After the ops request succeeded: the database manifest's `spec.version`
 * rewritten to the version KubeDB reached (the request file is then deleted).
 */
export function recordOpsRequestResult(text: string, target: Target, newVersion: string): string {
  const found = locateTarget(text, { ...target, change: 'in-place' });
  checkNewVersion(found.token!, newVersion, `${target.file}:${target.line} ${target.field}`);
  return spliceToken(text, found.token!, newVersion);
}
