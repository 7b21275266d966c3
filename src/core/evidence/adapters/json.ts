/**
 * `format: json`: any JSON export; `records:` says where the records are and
 * `fields.*.path` where each value is (relative to the record, or `$.` from the root).
 */
import { readAllText, DecodeError } from '../decode.ts';
import { firstDuplicateKey, jsonSyntaxErrorLocation, lineColumnAt } from '../../parse/json-locate.ts';
import { compileJsonPath, compileWhere, resultClassifier, selectAll, selectText, validRegex, type JsonPath } from '../fields.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord } from '../types.ts';
import type { FieldSpec } from '../../schemas/source.ts';

/** Reads a whole JSON document, reporting syntax errors with line and column. */
export async function readJsonDocument(chunks: AsyncIterable<Uint8Array>, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>): Promise<{ ok: true; value: unknown } | { ok: false }> {
  let text: string;
  try {
    text = await readAllText(chunks);
  } catch (e) {
    if (e instanceof DecodeError) {
      ctx.diagnostics.report('encoding-invalid', { file: ctx.file, line: e.line }, { args: { detail: e.message } });
      return { ok: false };
    }
    throw e;
  }
  if (text.trim() === '') {
    ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, { args: { detail: 'the file is empty' } });
    return { ok: false };
  }
  try {
    const value: unknown = JSON.parse(text);
    const dup = firstDuplicateKey(text);
    if (dup) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, ...lineColumnAt(text, dup.offset) }, {
        args: {
          detail: `the key \`${dup.key}\` appears twice in one object`,
          hint: 'A duplicated key makes the value ambiguous (a reader keeps only one of them): fix or re-export the file.',
        },
      });
      return { ok: false };
    }
    return { ok: true, value };
  } catch (e) {
    const message = (e as Error).message;
    const at = jsonSyntaxErrorLocation(message, text);
    const offset = /position (\d+)/.exec(message);
    const truncated = /end of JSON input|Unterminated string/i.test(message) || (offset !== null && Number(offset[1]) >= text.trimEnd().length - 1);
    ctx.diagnostics.report('evidence-parse', { file: ctx.file, ...at }, {
      args: {
        detail: `invalid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')}`,
        hint: truncated ? 'The file looks truncated: re-run the export; a partial file is never read as zero findings.' : 'Check the JSON near this position, or re-export the file from the tool.',
      },
    });
    return { ok: false };
  }
}

type Getter = (record: unknown, root: unknown) => string | undefined;

function compile(spec: FieldSpec | undefined): Getter | undefined {
  if (!spec) return undefined;
  if (spec.value !== undefined) {
    const v = spec.value;
    return () => v;
  }
  if (spec.path !== undefined) {
    const p = compileJsonPath(spec.path);
    if (!p) return undefined;
    return (record, root) => selectText(record, root, p);
  }
  return undefined;
}

export const jsonAdapter: EvidenceAdapter = {
  format: 'json',
  description: 'Any JSON export: `records` selects the records, `fields.*.path` the values.',
  defaultFiles: ['**/*.json'],
  validateConfig(source, report) {
    const f = source.fields;
    if (!f.check) report('fields.check', 'A json source needs `fields.check`.', 'e.g. check: { path: check_id } or check: { value: my-check }');
    if (!f.result) report('fields.result', 'A json source needs `fields.result`.', 'e.g. result: { path: status, pass: ["PASS"], fail: ["FAIL"] }');
    if (source.records && !compileJsonPath(source.records)) report('records', `\`${source.records}\` is not a supported JSON path.`, 'Use a path like $.findings[*] or $.users[*].');
    for (const [k, spec] of Object.entries(f)) {
      if (!spec) continue;
      if ('column' in spec && spec.column !== undefined) report(`fields.${k}`, 'A json source reads paths, not columns.', `Use { path: <path> } for \`${k}\`.`);
      if ('path' in spec && spec.path !== undefined && !compileJsonPath(spec.path)) report(`fields.${k}`, `\`${spec.path}\` is not a supported JSON path.`, 'Use a path like status, resource.arn or $.generatedAt.');
    }
    source.where.forEach((w, i) => {
      if (w.column !== undefined) report(`where.${i}`, 'A json source filters on paths, not columns.', 'Use { path: <path>, equals: [...] }.');
      if (w.path !== undefined && !compileJsonPath(w.path)) report(`where.${i}.path`, `\`${w.path}\` is not a supported JSON path.`, 'Use a path like status or user.state.');
      if (w.matches !== undefined && !validRegex(w.matches)) report(`where.${i}.matches`, `\`${w.matches}\` is not a valid regular expression.`, 'Escape special characters with a backslash.');
    });
  },
  async read(chunks, ctx) {
    const doc = await readJsonDocument(chunks, ctx);
    if (!doc.ok) return;
    const root = doc.value;
    let recordsPath: JsonPath;
    if (ctx.source.records) {
      const p = compileJsonPath(ctx.source.records);
      if (!p) return; // reported by validateConfig
      recordsPath = p;
    } else if (Array.isArray(root)) {
      recordsPath = { fromRoot: true, segments: ['*'], text: '$[*]' };
    } else {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
        args: { detail: 'the document is not a list of records', hint: 'Set `records:` in source.yaml to where the records are, e.g. records: "$.findings[*]".' },
      });
      return;
    }
    const records = selectAll(root, recordsPath);
    if (records.length === 0 && !hasPath(root, recordsPath)) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
        args: { detail: `\`records: ${recordsPath.text}\` finds nothing in this document`, hint: 'Check the path against the file; an export without the expected list is never read as zero findings.' },
      });
      return;
    }
    const f = ctx.source.fields;
    const getCheck = compile(f.check);
    const getResult = compile(f.result);
    const classify = f.result ? resultClassifier(f.result) : () => 'not-evaluated' as const;
    const getters = {
      resource: compile(f.resource),
      severity: compile(f.severity),
      title: compile(f.title),
      message: compile(f.message),
      collectedAt: compile(f.collectedAt),
    };
    const keep = compileWhere(ctx.source.where, (w) => {
      const p = w.path !== undefined ? compileJsonPath(w.path) : undefined;
      return p ? (((rec: unknown) => selectText(rec, root, p)) as (row: never) => string | undefined) : undefined;
    }) as ((rec: unknown) => boolean) | undefined;
    let index = 0;
    for (const rec of records) {
      index++;
      if (keep && rec !== null && typeof rec === 'object' && !keep(rec)) {
        ctx.skip();
        continue;
      }
      if (rec === null || typeof rec !== 'object') {
        ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field: `${recordsPath.text} #${index}` }, { args: { detail: `Record ${index} is not an object; it is counted as not evaluated.` } });
        ctx.emit({ check: '', result: 'not-evaluated' });
        continue;
      }
      const raw = getResult?.(rec, root);
      const record: EvidenceRecord = { check: getCheck?.(rec, root)?.trim() ?? '', result: classify(raw) };
      if (raw !== undefined) record.rawResult = raw;
      for (const [k, g] of Object.entries(getters)) {
        const v = g?.(rec, root);
        if (v) (record as unknown as Record<string, string>)[k] = v;
      }
      ctx.emit(record);
    }
  },
};

/** True when the path's container exists (an empty list is then a real "zero records"). */
function hasPath(root: unknown, path: JsonPath): boolean {
  const segs = path.segments.at(-1) === '*' ? path.segments.slice(0, -1) : path.segments;
  return selectAll(path.fromRoot ? root : root, { ...path, segments: segs }).some((v) => Array.isArray(v) || (v !== null && typeof v === 'object'));
}
