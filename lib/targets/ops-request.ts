// KubeDB changes a database version through an ops request, so cairn adds a
// `RedisOpsRequest` (or `RedisSentinelOpsRequest`) file next to the database
// manifest instead of editing `spec.version`. The file follows the shape of
// kubedb/docs examples/redis/update-version/*.yaml and the style of the
// database's own file (indentation, quoting of the version, leading `---`,
// CRLF, final newline). How the request is reconciled in Git afterwards is in
// docs/kubedb-ops-requests.md.
import { Document, isMap, isScalar, Scalar } from 'yaml';
import { parseYamlDocument } from '../yaml-parse.ts';
import { PreconditionError, UnsafeFileError, ValidationError } from '../errors.ts';
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

/** RFC 1123 label: a namespace (and every name cairn derives a label from). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: `metadata.name` of most Kubernetes objects. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `value` is not a Kubernetes name of this kind, or undefined when it is one. */
export function kubernetesNameProblem(value: string, kind: 'label' | 'subdomain'): string | undefined {
  const ok = kind === 'label' ? DNS_LABEL.test(value) : DNS_SUBDOMAIN.test(value);
  if (ok) return undefined;
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return kind === 'label'
    ? `${shown} is not a Kubernetes namespace (RFC 1123 label: lowercase letters, digits and "-", at most 63)`
    : `${shown} is not a Kubernetes name (RFC 1123 subdomain: lowercase letters, digits, "-" and ".", at most 253)`;
}

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
  // Names from the manifest go into a path and a generated manifest: only Kubernetes names may.
  const bad: { field: string; message: string }[] = [];
  const nameProblem = kubernetesNameProblem(db.name, 'subdomain');
  if (nameProblem) bad.push({ field: 'metadata.name', message: nameProblem });
  const nsProblem = db.namespace === undefined ? undefined : kubernetesNameProblem(db.namespace, 'label');
  if (nsProblem) bad.push({ field: 'metadata.namespace', message: nsProblem });
  if (bad.length)
    throw new ValidationError(
      bad.map((b) => ({
        file: target.file,
        line: target.line,
        field: b.field,
        message: `${b.message}: no ops request written`,
      })),
    );
  const s = styleOf(text, target);
  const name = opsRequestName(db.name, newVersion);
  const out: NewFile[] = [];
  const file = `${name}.yaml`;
  const dir = dirname(target.file);
  const path = dir ? `${dir}/${file}` : file;
  out.push({ path, text: opsRequestText(kind, name, db, newVersion, s) });
  if (opts.kustomization) {
    out.push({ path: opts.kustomization.path, text: addKustomizeResource(opts.kustomization, file) });
  }
  return out;
}

/**
 * The ops request built as data with the yaml Document API (never by pasting
 * strings), in the database file's style: indentation, quoting of the version,
 * leading `---`, line ends, final newline.
 */
function opsRequestText(
  kind: string,
  name: string,
  db: { name: string; namespace?: string },
  newVersion: string,
  s: Style,
): string {
  const version = new Scalar(newVersion);
  version.type = s.quote === "'" ? 'QUOTE_SINGLE' : s.quote === '"' ? 'QUOTE_DOUBLE' : 'PLAIN';
  const doc = new Document({
    apiVersion: 'ops.kubedb.com/v1alpha1',
    kind,
    metadata: { name, ...(db.namespace ? { namespace: db.namespace } : {}) },
    spec: {
      type: 'UpdateVersion',
      databaseRef: { name: db.name },
      updateVersion: { targetVersion: version },
    },
  });
  if (s.leadingSeparator) doc.directives!.docStart = true;
  let out = doc.toString({ indent: s.indent.length, lineWidth: 0 });
  if (!s.finalNewline) out = out.replace(/\n$/, '');
  return s.eol === '\n' ? out : out.replace(/\n/g, s.eol);
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
 * The inverse of addKustomizeResource: `entry` (or `./entry`) taken out of a kustomization's
 * `resources` block sequence, its whole line removed and nothing else moved. A kustomization
 * that does not list it comes back unchanged; a flow-style list is refused (edit it by hand).
 */
export function removeKustomizeResource(kustomization: NewFile, entry: string): string {
  const { text, path } = kustomization;
  const doc = parseYamlDocument(text);
  if (doc.errors.length)
    throw new UnsafeFileError({ file: path }, `malformed YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const resources = child(doc.contents, 'resources');
  const item = seqItems(resources).find((i) => stringOf(i) === entry || stringOf(i) === `./${entry}`);
  if (!item) return text;
  if ((resources as { flow?: boolean }).flow || !isScalar(item) || !item.range)
    throw new UnsafeFileError(
      { file: path, field: 'resources' },
      `cannot remove ${basename(entry)} from resources: not a block list; remove it by hand`,
    );
  const lineStart = text.lastIndexOf('\n', item.range[0] - 1) + 1;
  if (!/^\s*-\s+$/.test(text.slice(lineStart, item.range[0])))
    throw new UnsafeFileError(
      { file: path, field: 'resources' },
      'unusual resources list layout; remove it by hand',
    );
  const lineEnd = text.indexOf('\n', item.range[1]);
  if (lineEnd >= 0) return text.slice(0, lineStart) + text.slice(lineEnd + 1);
  // The last line, with no newline after it: the line break before it goes instead.
  const before = text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1;
  return text.slice(0, Math.max(0, before));
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
