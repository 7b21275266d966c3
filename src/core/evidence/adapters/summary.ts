/**
 * `format: summary`: pre-aggregated results, one row per (check, result) as a
 * warehouse query produces them from findings of any size (docs/scaling.md
 * has the SQL for DuckDB, Athena/Trino, BigQuery and Spark). Each row says
 * how many results it stands for (`count`) and may name a few of the
 * resources (`sample_resources`), so billions of findings arrive as a few
 * thousand rows.
 *
 * Files: CSV (header row; `,` or `delimiter:`), a JSON list of objects, or
 * JSON lines (one object per line, as BigQuery, Athena UNLOAD and Spark write).
 *
 * Columns / keys (case, spaces, `-` and `_` ignored):
 * - `check` (or `check_id`): the check id. Required.
 * - `result` (or `status`): pass, fail, error, not-evaluated, excepted-in-tool;
 *   also PASSED/FAILED, MANUAL/NOT_AVAILABLE/INFO (not evaluated) and
 *   SUPPRESSED (a failing result the tool muted). Other words: not evaluated,
 *   with a warning. Required.
 * - `count`: how many results the row stands for, a whole number >= 1. Required.
 * - `sample_resources` (or `samples`, `resources`): up to a few resource ids,
 *   `|`-separated (a JSON list in JSON files, or its text in a CSV cell). Optional.
 * - `collected_at` (or `last_seen`, `max_time`, `time`): ISO 8601 or Unix seconds. Optional
 *   when source.yaml has `collectedAt`.
 * - `severity`, `title`, `message`: optional.
 *
 * Records: one per sample resource (standing for one result each) and, when
 * `count` is larger than the number of samples, one more without a resource
 * standing for the rest. Each record carries `count` (EvidenceRecord.count),
 * the number of results it stands for, and ingestion counts it that many times
 * in every tally, row accounting included.
 *
 * Fail closed: a row whose count is not a whole number >= 1, or that lists
 * more samples than its count, is an error (the file's totals cannot be
 * trusted); a file that is cut short is an error, never fewer findings.
 */
import { decodeUtf8, DecodeError } from '../decode.ts';
import { streamJsonArray } from '../json-stream.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { streamCsv } from './csv.ts';
import { newByteWatch, reportJsonFailure, rowDiagnostics, watchBytes } from './prowler.ts';

/** A record with the number of results it stands for (`count`). */
export type WeightedRecord = EvidenceRecord;

type Field = 'check' | 'result' | 'count' | 'samples' | 'collectedAt' | 'severity' | 'title' | 'message';

/** Accepted names per field, normalised (lower case, no spaces, `-` or `_`). */
const NAMES: Record<Field, string[]> = {
  check: ['check', 'checkid'],
  result: ['result', 'status'],
  count: ['count'],
  samples: ['sampleresources', 'samples', 'resources', 'sampleresource'],
  collectedAt: ['collectedat', 'lastseen', 'maxtime', 'time'],
  severity: ['severity'],
  title: ['title'],
  message: ['message'],
};
const REQUIRED: Field[] = ['check', 'result', 'count'];

const normName = (s: string) => s.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_-]+/g, '');

const RESULTS: Record<string, NormalisedResult> = {
  pass: 'pass',
  passed: 'pass',
  fail: 'fail',
  failed: 'fail',
  error: 'error',
  notevaluated: 'not-evaluated',
  manual: 'not-evaluated',
  notavailable: 'not-evaluated',
  info: 'not-evaluated',
  exceptedintool: 'excepted-in-tool',
  suppressed: 'excepted-in-tool',
};

/** Sample resources kept per row (more are read but not emitted, with a warning). */
export const MAX_SAMPLES = 100;

const EXPECTED_JSON = 'a JSON list (or JSON lines) of summary rows: objects with check, result, count and optionally sample_resources and collected_at';
const EXPORT_HINT = 'Export the result of the summary query (docs/scaling.md) as CSV, a JSON list or JSON lines.';

type Issues = ReturnType<typeof rowDiagnostics>;
type At = { line?: number; field?: string };

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** Unix seconds or milliseconds to ISO 8601; other text as written (ingestion checks it). */
function instant(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? new Date(v > 1e11 ? v : v * 1000).toISOString() : undefined;
  const t = text(v);
  if (!t) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return new Date(n > 1e11 ? n : n * 1000).toISOString();
  }
  return t;
}

/** `a|b|c`, or the text of a JSON list of strings. */
function splitSamples(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const t = text(x);
      if (t === undefined && x !== null && x !== '') return undefined;
      if (t) out.push(t);
    }
    return out;
  }
  const t = text(v);
  if (!t) return [];
  if (t.startsWith('[') && t.endsWith(']')) {
    // A JSON list in a cell; a database's own printing of a list (`[a, b]`) cannot be split safely.
    try {
      const parsed: unknown = JSON.parse(t);
      return Array.isArray(parsed) ? splitSamples(parsed) : undefined;
    } catch {
      return undefined;
    }
  }
  return t.split('|').map((s) => s.trim()).filter(Boolean);
}

/** Turns one summary row (already split into fields) into records; problems go to `issues`. */
function emitRow(get: (f: Field) => unknown, at: At, ctx: AdapterContext, issues: Issues): void {
  const check = text(get('check')) ?? '';
  const rawResult = text(get('result'));
  const countRaw = get('count');
  const countText = typeof countRaw === 'number' ? String(countRaw) : text(countRaw);
  const count = countText !== undefined && /^\d+$/.test(countText) ? Number(countText) : NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    issues.error(
      { ...at, field: at.field ? `${at.field}.count` : 'count' },
      `count is ${countText === undefined ? 'missing' : `\`${countText}\``}, not a whole number of at least 1: the row's results cannot be counted`,
      'Write the number of results the row stands for, digits only (no separators or decimals); leave out groups with no results.',
    );
    ctx.emit({ check: '', result: 'not-evaluated', ...(at.line ? { line: at.line } : {}) });
    return;
  }
  const samples = splitSamples(get('samples'));
  if (samples === undefined) {
    issues.error(
      { ...at, field: at.field ? `${at.field}.sample_resources` : 'sample_resources' },
      'sample_resources is not a list of resource ids (a list printed by the database, such as `[a, b]`, cannot be split safely)',
      'Join the ids with `|` in the query (array_join, array_to_string, string_agg or concat_ws), or write a JSON list of strings.',
    );
    ctx.emit({ check: '', result: 'not-evaluated', ...(at.line ? { line: at.line } : {}) });
    return;
  }
  if (samples.length > count) {
    issues.error(
      { ...at, field: at.field ? `${at.field}.sample_resources` : 'sample_resources' },
      `the row lists ${samples.length} sample resources but count is ${count}: a row cannot name more resources than it counts`,
      'Check the query: count and the sample list must come from the same group (e.g. count(*) and array_agg(...) over the same GROUP BY).',
    );
    ctx.emit({ check: '', result: 'not-evaluated', ...(at.line ? { line: at.line } : {}) });
    return;
  }
  let result: NormalisedResult = 'not-evaluated';
  if (rawResult !== undefined && Object.hasOwn(RESULTS, normName(rawResult))) result = RESULTS[normName(rawResult)]!;
  else issues.warn({ ...at, field: at.field ? `${at.field}.result` : 'result' }, `result \`${rawResult ?? ''}\` is not pass, fail, error, not-evaluated or excepted-in-tool; the row's ${count} results are counted as not evaluated.`, 'Map the tool\'s status to these words in the query (see docs/scaling.md).');
  if (!check) issues.warn({ ...at, field: at.field ? `${at.field}.check` : 'check' }, `This row has no check id; its ${count} results are counted as not evaluated.`);
  if (samples.length > MAX_SAMPLES) {
    issues.warn({ ...at, field: at.field ? `${at.field}.sample_resources` : 'sample_resources' }, `The row lists ${samples.length} sample resources; the first ${MAX_SAMPLES} are kept and the others are counted without a name.`);
    samples.length = MAX_SAMPLES;
  }
  const base: WeightedRecord = { check, result: check ? result : 'not-evaluated' };
  if (rawResult !== undefined) base.rawResult = rawResult;
  if (at.line) base.line = at.line;
  const severity = text(get('severity'));
  if (severity) base.severity = severity;
  const title = text(get('title'));
  if (title) base.title = title;
  const message = text(get('message'));
  if (message) base.message = message;
  const collected = instant(get('collectedAt'));
  if (collected) base.collectedAt = collected;
  for (const resource of samples) ctx.emit({ ...base, resource, count: 1 });
  const rest = count - samples.length;
  if (rest > 0) {
    const rec: WeightedRecord = { ...base, count: rest };
    if (samples.length) rec.message = `${message ? `${message}; ` : ''}${rest} more result${rest === 1 ? '' : 's'} not listed by name`;
    ctx.emit(rec);
  }
}

async function readCsv(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext, issues: Issues): Promise<number> {
  let index: Partial<Record<Field, number>> = {};
  let width = 0;
  let rows = 0;
  await streamCsv(chunks, ctx, {
    header(cells, line) {
      width = cells.length;
      index = {};
      const names = cells.map(normName);
      for (const [field, aliases] of Object.entries(NAMES) as [Field, string[]][]) {
        const i = names.findIndex((n) => aliases.includes(n));
        if (i !== -1) index[field] = i;
      }
      let ok = true;
      for (const field of REQUIRED) {
        if (index[field] !== undefined) continue;
        ok = false;
        ctx.diagnostics.report('evidence-column-missing', { file: ctx.file, line, column: 1 }, {
          args: { column: NAMES[field][0] === 'sampleresources' ? 'sample_resources' : field, field, columns: cells.map((c) => c.replace(/^\uFEFF/, '').trim()).join(', ') },
          hint: `A summary file needs the columns check, result and count (and may have sample_resources, collected_at, severity, title, message); found: ${cells.map((c) => c.trim()).join(', ')}.`,
        });
      }
      return ok;
    },
    row(cells, line) {
      rows++;
      if (cells.length !== width) {
        issues.error({ line }, `this row has ${cells.length} cells; the header has ${width}`, 'A cell with the delimiter or a line break inside must be quoted; if this is the last row, the file looks truncated: re-run the export.');
        ctx.emit({ check: '', result: 'not-evaluated', line });
        return;
      }
      emitRow((f) => (index[f] === undefined ? undefined : cells[index[f]!]), { line }, ctx, issues);
    },
  }, { delimiter: ctx.source.delimiter ?? ',' });
  return rows;
}

/** Byte chunks with the first non-blank character peeked at, without losing anything. */
async function peek(chunks: AsyncIterable<Uint8Array>): Promise<{ first: string | undefined; all: AsyncIterable<Uint8Array> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let first: string | undefined;
  let done = false;
  while (first === undefined) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    seen.push(n.value);
    for (const b of n.value) {
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue; // blanks and a UTF-8 BOM
      first = String.fromCharCode(b);
      break;
    }
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* seen;
    if (done) return;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  return { first, all: all() };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function objectGetter(o: Record<string, unknown>): (f: Field) => unknown {
  const byName = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) {
    const n = normName(k);
    if (!byName.has(n)) byName.set(n, v);
  }
  return (f) => {
    for (const n of NAMES[f]) if (byName.has(n)) return byName.get(n);
    return undefined;
  };
}

function jsonElement(item: unknown, at: At, ctx: AdapterContext, issues: Issues): void {
  if (!isObj(item)) {
    issues.error(at, `${at.field ?? 'this element'} is ${item === null ? 'null' : Array.isArray(item) ? 'a list' : `a ${typeof item}`}, not a summary row (an object with check, result and count)`, EXPORT_HINT);
    ctx.emit({ check: '', result: 'not-evaluated', ...(at.line ? { line: at.line } : {}) });
    return;
  }
  const get = objectGetter(item);
  const missing = REQUIRED.filter((f) => get(f) === undefined);
  if (missing.length) {
    issues.error(at, `this row has no ${missing.join(', ')}`, 'Every summary row needs check, result and count.');
    ctx.emit({ check: '', result: 'not-evaluated', ...(at.line ? { line: at.line } : {}) });
    return;
  }
  emitRow(get, at, ctx, issues);
}

async function readJsonArray(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext, issues: Issues): Promise<number | undefined> {
  const watch = newByteWatch();
  let rows = 0;
  try {
    for await (const item of streamJsonArray(watchBytes(chunks, watch), [])) {
      jsonElement(item, { field: `$[${rows}]` }, ctx, issues);
      rows++;
    }
  } catch (e) {
    if (!reportJsonFailure(e, ctx, watch, EXPECTED_JSON, EXPORT_HINT)) throw e;
    return undefined;
  }
  return rows;
}

async function readJsonLines(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext, issues: Issues): Promise<number | undefined> {
  let rows = 0;
  let line = 0;
  let rest = '';
  const notLines = 'A JSON file is either a list of rows (`[{...}, {...}]`) or JSON lines (one complete object per line); if this is the last line, the file looks truncated: re-run the export.';
  const handle = (raw: string, lineNo: number): boolean => {
    const t = raw.trim();
    if (!t) return true;
    let item: unknown;
    try {
      item = JSON.parse(t);
    } catch (e) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: lineNo, column: 1 }, {
        args: { detail: `line ${lineNo} is not a complete JSON object (${(e as Error).message})`, hint: notLines },
      });
      return false;
    }
    jsonElement(item, { line: lineNo }, ctx, issues);
    rows++;
    return true;
  };
  try {
    for await (const piece of decodeUtf8(chunks)) {
      rest += piece;
      let start = 0;
      for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n', start)) {
        line++;
        if (!handle(rest.slice(start, nl), line)) return undefined;
        start = nl + 1;
      }
      rest = rest.slice(start);
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    ctx.diagnostics.report('encoding-invalid', { file: ctx.file }, { args: { detail: e.message } });
    return undefined;
  }
  if (rest.trim()) {
    line++;
    if (!handle(rest, line)) return undefined;
  }
  return rows;
}

export const summaryAdapter: EvidenceAdapter = {
  format: 'summary',
  description: 'Pre-aggregated results from a warehouse query: rows of check, result, count, sample resources and collection time (CSV, JSON list or JSON lines).',
  defaultFiles: ['**/*.csv', '**/*.json', '**/*.jsonl', '**/*.ndjson'],
  validateConfig(source, report) {
    for (const key of Object.keys(source.fields)) {
      report(`fields.${key}`, '`summary` reads fixed columns (check, result, count, sample_resources, collected_at); `fields` does not apply.', 'Name the columns in the query instead (see docs/scaling.md), and remove `fields` from source.yaml.');
    }
    if (source.where.length) report('where', '`summary` rows stand for many results each: a `where:` filter cannot skip part of a row.', 'Filter in the query (a WHERE clause before GROUP BY), and remove `where` from source.yaml.');
    if (source.records) report('records', '`summary` reads a whole list or JSON lines; `records` does not apply.', 'Remove `records` from source.yaml.');
  },
  async read(chunks, ctx) {
    const issues = rowDiagnostics(ctx);
    const errorsBefore = ctx.diagnostics.errors.length;
    let rows: number | undefined;
    if (/\.csv$/i.test(ctx.file)) rows = await readCsv(chunks, ctx, issues);
    else {
      const { first, all } = await peek(chunks);
      if (first === undefined) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, { args: { detail: 'the file is empty', hint: `An empty export is never read as zero findings. ${EXPORT_HINT}` } });
        issues.finish();
        return;
      }
      rows = first === '{' ? await readJsonLines(all, ctx, issues) : await readJsonArray(all, ctx, issues);
    }
    if (rows === 0 && ctx.diagnostics.errors.length === errorsBefore) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, line: 1 }, {
        args: { detail: 'The summary has no rows: it stands for no results at all.', hint: 'A summary query over real findings returns at least one group; check the query and its time window.' },
      });
    }
    issues.finish();
  },
};
