/**
 * YAML with positions: parse a YAML text, keep the document so that any field
 * path can be traced back to a line and column, and validate the plain value
 * with a zod schema, turning every issue into a located diagnostic.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'astro/zod';
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { closest } from '../util/suggest.ts';

export interface YamlSource {
  /** Workspace-relative path, for messages. */
  file: string;
  text: string;
  /** 1-based line of the text's first line in the file (frontmatter starts at line 2). */
  lineOffset?: number;
}

export interface ParsedYaml {
  value: unknown;
  /** Maps a field path to a 1-based line and column in the file. */
  locate: (path: readonly PropertyKey[], options?: { key?: boolean }) => { line: number; column: number };
  ok: boolean;
}

/** Limits that keep hostile YAML (alias bombs, huge documents) from exhausting memory. */
const MAX_ALIAS_COUNT = 100;

export function parseYaml(src: YamlSource, diagnostics: DiagnosticBag): ParsedYaml {
  const lineCounter = new LineCounter();
  const offset = (src.lineOffset ?? 1) - 1;
  const doc = parseDocument(src.text, {
    lineCounter,
    schema: 'core',
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  });
  const pos = (offsetInText: number) => {
    const p = lineCounter.linePos(offsetInText);
    return { line: p.line + offset, column: p.col };
  };
  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}) =>
    pos(findOffset(doc, path, options.key ?? false));

  let ok = true;
  for (const err of doc.errors) {
    ok = false;
    const at = pos(err.pos[0]);
    diagnostics.report('yaml-syntax', { file: src.file, ...at }, { args: { detail: firstLine(err.message) } });
  }
  if (!ok) return { value: undefined, locate, ok };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // toJS throws for alias bombs ("Excessive alias count") and similar: a user mistake, not a bug.
    diagnostics.report('yaml-syntax', { file: src.file, line: 1 + offset, column: 1 }, { args: { detail: firstLine((e as Error).message) } });
    return { value: undefined, locate, ok: false };
  }
  for (const warn of doc.warnings) {
    const at = pos(warn.pos[0]);
    diagnostics.report('yaml-syntax', { file: src.file, ...at }, { severity: 'warning', args: { detail: firstLine(warn.message) } });
  }
  return { value, locate, ok };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}

/** Offset of the node at `path` (or of the deepest existing parent). */
function findOffset(doc: Document, path: readonly PropertyKey[], key: boolean): number {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && key) {
        best = rangeStart(pair.key) ?? best;
        break;
      }
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = item;
      best = rangeStart(node) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export interface ValidateOptions {
  /** Hints keyed by the last path segment, e.g. `{ version: 'Quote it: version: "2.1"' }`. */
  hints?: Record<string, string>;
}

/**
 * Validates a parsed YAML value with a zod schema; every issue becomes a
 * diagnostic at the field's line and column. Unknown keys get a "did you mean".
 */
export function validateWith<S extends z.ZodType>(
  schema: S,
  parsed: ParsedYaml,
  file: string,
  diagnostics: DiagnosticBag,
  options: ValidateOptions = {},
): z.output<S> | undefined {
  const result = schema.safeParse(parsed.value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, path);
      for (const k of issue.keys) {
        const at = parsed.locate([...path, k], { key: true });
        const suggestion = allowed.length ? closest(k, allowed) : undefined;
        diagnostics.report('unknown-key', { file, ...at, field: fieldName([...path, k]) }, {
          args: { key: k, suggestion, allowed: allowed.join(', ') },
        });
      }
      continue;
    }
    const at = parsed.locate(path);
    const field = fieldName(path);
    const lastKey = [...path].reverse().find((p) => typeof p === 'string');
    const missing = issue.code === 'invalid_type' && valueAt(parsed.value, path) === undefined;
    const hint =
      (issue as { params?: { hint?: string } }).params?.hint ??
      (lastKey ? options.hints?.[lastKey] : undefined) ??
      (missing && typeof lastKey === 'string'
        ? path.length > 1
          ? `Add \`${lastKey}:\` under \`${fieldName(path.slice(0, -1))}\`.`
          : `Add \`${lastKey}:\` to this file.`
        : undefined) ??
      genericHint(issue, field);
    const detail = describeIssue(issue, field, valueAt(parsed.value, path));
    diagnostics.report('schema-invalid', { file, ...at, field: field || undefined }, { args: { detail, hint } });
  }
  return undefined;
}

export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** A hint for issues whose schema gives none: what to write, and where the field is documented. */
function genericHint(issue: z.core.$ZodIssue, field: string): string {
  const doc = 'See docs/workspace-format.md for this field.';
  if (issue.code === 'invalid_type') {
    const example: Record<string, string> = { string: 'text (quote it if it looks like a number or date)', number: 'a number', boolean: 'true or false', array: 'a list, e.g. [a, b]', object: 'a mapping of `key: value` lines' };
    return `Write \`${field || 'it'}\` as ${example[issue.expected] ?? issue.expected}. ${doc}`;
  }
  if (issue.code === 'invalid_value') {
    const values = (issue as { values?: unknown[] }).values ?? [];
    return `Use one of: ${values.map(String).join(', ')}.`;
  }
  if (issue.code === 'too_small') return `Give \`${field || 'it'}\` a value (it may not be empty). ${doc}`;
  if (issue.code === 'too_big') return `Shorten \`${field || 'it'}\`. ${doc}`;
  return doc;
}

/** The value at a path of the parsed document (zod 4 issues do not carry the input). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg as string];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, field: string, value: unknown): string {
  const name = field ? `\`${field}\`` : 'The document';
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input ?? value;
    if (input === undefined) return `${name} is required.`;
    if (issue.message && !/^Invalid input/.test(issue.message)) return `${name} ${issue.message}, not ${describeValue(input)}.`;
    return `${name} must be ${article(issue.expected)}, not ${describeValue(input)}.`;
  }
  if (issue.code === 'invalid_value') {
    const values = (issue as { values?: unknown[] }).values ?? [];
    return `${name} must be one of ${values.map((v) => `\`${String(v)}\``).join(', ')}.`;
  }
  return `${name}: ${issue.message}`;
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping (key: value)';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

/** The keys a strict object schema allows at `path` (walks wrappers, records, arrays). */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = (n: unknown): unknown => {
    for (let guard = 0; guard < 20; guard++) {
      const def = (n as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return n;
      const type = def.type;
      if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault' || type === 'readonly' || type === 'catch') n = def.innerType;
      else if (type === 'pipe') n = def.in;
      else if (type === 'lazy') n = (def.getter as () => unknown)();
      else return n;
    }
    return n;
  };
  node = unwrap(node);
  for (const seg of path) {
    const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') node = (def.shape as Record<string, unknown>)[String(seg)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else if (def.type === 'union') {
      node = (def.options as unknown[]).find((o) => (unwrap(o) as { _zod?: { def?: { type?: string } } })?._zod?.def?.type === 'object');
      if (!node) return [];
      node = (unwrap(node) as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape[String(seg)];
    } else return [];
    node = unwrap(node);
  }
  const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  if (def?.type === 'object') return Object.keys(def.shape as object).sort();
  if (def?.type === 'union') {
    const obj = (def.options as unknown[]).map(unwrap).find((o) => (o as { _zod?: { def?: { type?: string } } })?._zod?.def?.type === 'object');
    const shape = (obj as { _zod?: { def?: { shape?: object } } })?._zod?.def?.shape;
    return shape ? Object.keys(shape).sort() : [];
  }
  return [];
}
