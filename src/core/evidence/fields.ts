/** Shared field handling for the generic adapters: header matching, JSON paths, result words. */
import { pushAll } from '../util/memory.ts';
import type { NormalisedResult } from './types.ts';
import type { ResultSpec, WhereCondition } from '../schemas/source.ts';

/**
 * Normalises a column header so that exports survive BOMs, Excel re-saves and
 * suffixes: `\uFEFF2sv Enrolled [READ ONLY] ` -> `2sv enrolled`.
 */
export function normaliseHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .replace(/\s*[[(][^\])]*[\])]\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

export interface HeaderIndex {
  /** Index of a configured column, or undefined (absent, or ambiguous: see `ambiguous`). */
  find(column: string): number | undefined;
  /** True when the column name matches several header cells. */
  ambiguous(column: string): boolean;
  /** Header cells as written (without BOM and surrounding spaces), for messages. */
  names: string[];
}

/** Case, BOM and spacing only: `Custom field (A)` and `Custom field (B)` stay apart. */
function basicHeader(h: string): string {
  return h.replace(/^\uFEFF/, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Looks columns up by their exact name first (ignoring case, BOM and spacing), then without
 * a trailing `[Required]`/`(UTC)`-style suffix when that is unique.
 */
export function indexHeader(header: readonly string[]): HeaderIndex {
  const exact = new Map<string, number[]>();
  const loose = new Map<string, number[]>();
  header.forEach((h, i) => {
    const e = basicHeader(h);
    exact.set(e, [...(exact.get(e) ?? []), i]);
    const l = normaliseHeader(h);
    loose.set(l, [...(loose.get(l) ?? []), i]);
  });
  const candidates = (column: string): number[] => {
    const e = exact.get(basicHeader(column));
    if (e) return e;
    return loose.get(normaliseHeader(column)) ?? [];
  };
  return {
    find: (column) => {
      const c = candidates(column);
      return c.length === 1 ? c[0] : undefined;
    },
    ambiguous: (column) => candidates(column).length > 1,
    names: header.map((h) => h.replace(/^\uFEFF/, '').trim()),
  };
}

/** Compiled result classifier: values compared trimmed and case-insensitively. */
export function resultClassifier(spec: ResultSpec): (raw: string | undefined) => NormalisedResult {
  if (spec.equals?.length) {
    const ok = new Set(spec.equals.map(norm));
    return (raw) => {
      const v = raw === undefined ? '' : norm(raw);
      if (v === '') return 'not-evaluated';
      return ok.has(v) ? 'pass' : 'fail';
    };
  }
  const pass = new Set(spec.pass.map(norm));
  const fail = new Set(spec.fail.map(norm));
  const error = new Set(spec.error.map(norm));
  // Exports repeat a handful of words: the last one answers without normalising it again.
  let lastRaw: string | undefined;
  let last: NormalisedResult = 'not-evaluated';
  return (raw) => {
    if (raw === undefined) return 'not-evaluated';
    if (raw === lastRaw) return last;
    lastRaw = raw;
    last = classifyWord(raw);
    return last;
  };
  function classifyWord(raw: string): NormalisedResult {
    const v = norm(raw);
    if (v === '') return 'not-evaluated';
    if (fail.has(v)) return 'fail';
    if (error.has(v)) return 'error';
    if (pass.has(v)) return 'pass';
    return 'not-evaluated';
  }
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/** A compiled JSON path: `$.findings[*]`, `resource.arn`, `items[0].id`, `$.generatedAt`. */
export interface JsonPath {
  fromRoot: boolean;
  segments: (string | number | '*')[];
  text: string;
}

export function compileJsonPath(text: string): JsonPath | undefined {
  let t = text.trim();
  let fromRoot = false;
  if (t === '$') return { fromRoot: true, segments: [], text };
  if (t.startsWith('$')) {
    fromRoot = true;
    t = t.slice(1);
    if (t.startsWith('.')) t = t.slice(1);
  }
  const segments: (string | number | '*')[] = [];
  const re = /([^.[\]]+)|\[(\*|\d+|"[^"]*"|'[^']*')\]|(\.)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  re.lastIndex = 0;
  while (pos < t.length && (m = re.exec(t))) {
    pos = re.lastIndex;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) {
      const inner = m[2];
      if (inner === '*') segments.push('*');
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else segments.push(inner.slice(1, -1));
    }
  }
  if (pos !== t.length) return undefined;
  // Empty segments (`$..x`, `a..b`, a trailing dot) are not supported: refuse rather than guess.
  if (/\.\.|^\.|\.$/.test(t)) return undefined;
  return { fromRoot, segments, text };
}

/** Every value at a path (a `*` fans out). */
export function selectAll(value: unknown, path: JsonPath): unknown[] {
  let current: unknown[] = [value];
  for (const seg of path.segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg === '*') {
        if (Array.isArray(v)) pushAll(next, v);
        else if (v && typeof v === 'object') pushAll(next, Object.values(v));
      } else if (typeof seg === 'number') {
        if (Array.isArray(v) && seg < v.length) next.push(v[seg]);
      } else if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg)) {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    current = next;
  }
  return current;
}

/** The first value at a path, as text (scalars only); undefined when absent or not a scalar. */
export function selectText(record: unknown, root: unknown, path: JsonPath): string | undefined {
  const v = selectAll(path.fromRoot ? root : record, path)[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Compiles `where:` conditions over a value getter (column or path). */
export function compileWhere(
  conditions: readonly WhereCondition[],
  getter: (c: WhereCondition) => ((row: never) => string | undefined) | undefined,
): ((row: never) => boolean) | undefined {
  if (!conditions.length) return undefined;
  const tests = conditions.map((c) => {
    const get = getter(c);
    const eq = c.equals ? new Set(c.equals.map(norm)) : undefined;
    const ne = c.notEquals ? new Set(c.notEquals.map(norm)) : undefined;
    const re = c.matches ? new RegExp(c.matches) : undefined;
    return (row: never) => {
      const v = get?.(row) ?? '';
      const n = norm(v);
      if (eq && !eq.has(n)) return false;
      if (ne && ne.has(n)) return false;
      if (re && !re.test(v)) return false;
      return true;
    };
  });
  return (row) => tests.every((t) => t(row));
}

export function validRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
