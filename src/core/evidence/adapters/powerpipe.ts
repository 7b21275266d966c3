/**
 * `format: powerpipe`: Powerpipe (and Steampipe `check`) benchmark exports,
 * `--export csv` or `--export json`; the file's content decides which.
 *
 * - CSV: `group_id,title,description,control_id,control_title,control_description,
 *   reason,resource,status,severity`, then one column per dimension (`account_id`,
 *   `region`...) and one per control tag (`soc_2`, `service`...).
 * - JSON: a result group `{group_id, title, tags, summary, groups: [...], controls: [...]}`
 *   whose groups nest to any depth; each control has `results: [{reason, resource,
 *   status, dimensions: [{key, value}]}]`.
 *
 * Statuses: ok -> pass, alarm -> fail, error -> error, info and skip -> not evaluated.
 * A control that failed to run has `run_error` and no results: one error record.
 *
 * Framework references (toolRefs): Powerpipe mods flag each control with the
 * frameworks it serves (`soc_2 = "true"`) and group it under per-requirement
 * benchmarks named `<framework>_<requirement>` (`aws_compliance.benchmark.soc_2_cc_6_1`).
 * A reference is made from a flagged framework and the nearest enclosing benchmark
 * whose name starts with it (`{soc_2, cc_6_1}`), and from the control's own
 * `<framework>_item_id` tags.
 * A bare flag names no requirement and makes no reference.
 */
import { readJsonDocument } from './json.ts';
import { streamCsv } from './csv.ts';
import { isObject, recordWarnings, rejectGenericOptions, sniffJson, text } from './asff.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { MAX_JSON_DEPTH } from '../json-stream.ts';

const STATUS_RESULT: Record<string, NormalisedResult> = {
  ok: 'pass',
  alarm: 'fail',
  error: 'error',
  info: 'not-evaluated',
  skip: 'not-evaluated',
};

const BASE_COLUMNS = ['group_id', 'title', 'description', 'control_id', 'control_title', 'control_description', 'reason', 'resource', 'status', 'severity'] as const;
const REQUIRED_COLUMNS = ['control_id', 'status'] as const;

/** Extra CSV columns that are control tags, not dimensions (besides framework flags, whose value is `true`). */
const TAG_COLUMNS = new Set(['category', 'plugin', 'service', 'type', 'benchmark']);
const TAG_SUFFIX = /_(item_id|section_id|version|type|level|category|section)$/;

const EXPORT_HINT = 'Export with `powerpipe benchmark run <benchmark> --export csv` or `--export json` (Steampipe: `steampipe check ... --export`).';

/**
 * Framework references for one control (see the file comment): `tags` are the control's
 * tags with those of its groups, `ownTags` the control's own (item ids), `groupIds` the
 * enclosing groups, nearest first.
 */
function toolRefsFor(tags: Record<string, string>, groupIds: readonly string[], ownTags: Record<string, string> = tags): { framework: string; control: string }[] | undefined {
  const flags = Object.keys(tags).filter((k) => tags[k]!.toLowerCase() === 'true').sort((a, b) => b.length - a.length);
  if (!flags.length) return undefined;
  const refs: { framework: string; control: string }[] = [];
  const seen = new Set<string>();
  const add = (framework: string, control: string) => {
    const key = `${framework}\u0000${control}`;
    if (!control || seen.has(key)) return;
    seen.add(key);
    refs.push({ framework, control });
  };
  // The nearest matching group per framework is the most specific requirement (soc_2_cc_6_1, not soc_2_cc_6).
  const matched = new Set<string>();
  for (const gid of groupIds) {
    const short = gid.slice(gid.lastIndexOf('.') + 1);
    const flag = flags.find((f) => short.startsWith(`${f}_`));
    if (!flag || matched.has(flag)) continue;
    matched.add(flag);
    add(flag, short.slice(flag.length + 1));
  }
  for (const [k, v] of Object.entries(ownTags)) {
    if (!k.endsWith('_item_id')) continue;
    const framework = k.slice(0, -'_item_id'.length);
    if (flags.includes(framework)) add(framework, v.trim());
  }
  return refs.length ? refs : undefined;
}

function withDimensions(reason: string | undefined, dims: readonly [string, string][]): string | undefined {
  const d = dims.filter(([, v]) => v !== '');
  if (!d.length) return reason;
  const suffix = `[${d.map(([k, v]) => `${k}=${v}`).join(', ')}]`;
  return reason ? `${reason} ${suffix}` : suffix;
}

function classify(status: string | undefined, warn: (detail: string) => void): NormalisedResult {
  const s = status?.trim().toLowerCase() ?? '';
  const r = STATUS_RESULT[s];
  if (r) return r;
  warn(s ? `Unknown status \`${status}\`; the result is counted as not evaluated.` : 'This result has no status; it is counted as not evaluated.');
  return 'not-evaluated';
}

async function readCsv(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext): Promise<void> {
  const warnings = recordWarnings(ctx);
  let col: Record<string, number> = {};
  let extra: { name: string; index: number }[] = [];
  let width = 0;
  let broken = 0;
  await streamCsv(chunks, ctx, {
    header(cells, line) {
      const names = cells.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
      col = {};
      names.forEach((n, i) => {
        if (!(n in col)) col[n] = i;
      });
      const missing = REQUIRED_COLUMNS.filter((c) => !(c in col));
      if (missing.length) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line, column: 1 }, {
          args: {
            detail: `this is not a Powerpipe benchmark CSV: the header has no ${missing.map((m) => `\`${m}\``).join(' or ')} column (columns: ${names.slice(0, 15).join(', ')}${names.length > 15 ? ', ...' : ''})`,
            hint: EXPORT_HINT,
          },
        });
        return false;
      }
      width = cells.length;
      const base = new Set<string>(BASE_COLUMNS);
      extra = names.map((name, index) => ({ name, index })).filter((c) => !base.has(c.name));
      return true;
    },
    row(cells, line) {
      const get = (name: string): string | undefined => {
        const i = col[name];
        return i === undefined ? undefined : cells[i];
      };
      if (cells.length !== width) {
        // Powerpipe writes every row with the header's width: a short or long row is damage.
        broken++;
        if (broken <= 5) {
          ctx.diagnostics.report('evidence-parse', { file: ctx.file, line }, {
            args: { detail: `this row has ${cells.length} cells; the header has ${width}`, hint: 'The file looks truncated or edited: re-run the export. A cell with a comma or a line break inside must be quoted.' },
          });
        }
        ctx.emit({ check: get('control_id')?.trim() ?? '', result: 'not-evaluated', line });
        return;
      }
      const check = get('control_id')?.trim() ?? '';
      const status = get('status');
      let result = classify(status, (detail) => warnings.warn(`line ${line}`, detail, 'Powerpipe statuses are ok, alarm, error, info and skip.'));
      if (!check) {
        warnings.warn(`line ${line}`, 'This row has no control_id; it is counted as not evaluated.');
        result = 'not-evaluated';
      }
      const record: EvidenceRecord = { check, result, line };
      if (status?.trim()) record.rawResult = status.trim();
      const resource = get('resource')?.trim();
      if (resource) record.resource = resource;
      const severity = get('severity')?.trim();
      if (severity) record.severity = severity;
      const title = get('control_title')?.trim();
      if (title) record.title = title;
      const dims: [string, string][] = [];
      const tags: Record<string, string> = {};
      for (const { name, index } of extra) {
        const v = cells[index]?.trim() ?? '';
        if (v === '') continue;
        if (v.toLowerCase() === 'true' || v.toLowerCase() === 'false' || TAG_COLUMNS.has(name) || TAG_SUFFIX.test(name)) tags[name] = v;
        else dims.push([name, v]);
      }
      const message = withDimensions(get('reason')?.trim() || undefined, dims);
      if (message) record.message = message;
      const groupId = get('group_id')?.trim();
      const refs = toolRefsFor(tags, groupId ? [groupId] : []);
      if (refs) record.toolRefs = refs;
      ctx.emit(record);
    },
  }, ctx.source.delimiter ? { delimiter: ctx.source.delimiter } : {});
  if (broken > 5) {
    ctx.diagnostics.report('evidence-parse', { file: ctx.file }, { args: { detail: `${broken - 5} more rows with the wrong number of cells`, hint: 'Re-run the export.' } });
  }
  warnings.flush();
}

const stringTags = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'boolean' || typeof x === 'number') out[k] = String(x);
  }
  return out;
};

async function readJson(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext): Promise<void> {
  const doc = await readJsonDocument(chunks, ctx);
  if (!doc.ok) return;
  const root = doc.value;
  if (!isObject(root) || !('controls' in root || 'groups' in root)) {
    const keys = isObject(root) ? Object.keys(root).slice(0, 15) : [];
    const snapshot = isObject(root) && 'panels' in root;
    ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: '$' }, {
      args: {
        detail: isObject(root)
          ? `this is not a Powerpipe benchmark export: the document has no \`groups\` or \`controls\` (top-level keys: ${keys.map((k) => `\`${k}\``).join(', ') || 'none'})`
          : `this is not a Powerpipe benchmark export: the document is a ${Array.isArray(root) ? 'list' : typeof root}, not a result group`,
        hint: snapshot ? 'This looks like a Powerpipe snapshot (.pps); export the benchmark with `--export json` or `--export csv` instead.' : EXPORT_HINT,
      },
    });
    return;
  }
  const warnings = recordWarnings(ctx);
  const walk = (group: Record<string, unknown>, field: string, groupIds: string[], groupTags: Record<string, string>, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, field }, { args: { detail: `groups nest more than ${MAX_JSON_DEPTH} levels deep`, hint: 'Powerpipe benchmarks are never this deep: check the file.' } });
      return;
    }
    const gid = text(group.group_id);
    const ids = gid ? [...groupIds, gid] : groupIds;
    const tags = { ...groupTags, ...stringTags(group.tags) };
    for (const key of ['controls', 'groups'] as const) {
      const v = group[key];
      if (v !== undefined && v !== null && !Array.isArray(v)) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: `${field}${field ? '.' : ''}${key}` }, { args: { detail: `\`${key}\` is a ${typeof v}, not a list`, hint: EXPORT_HINT } });
      }
    }
    const controls = Array.isArray(group.controls) ? group.controls : [];
    controls.forEach((c, j) => {
      const cField = `${field}${field ? '.' : ''}controls[${j}]`;
      if (!isObject(c)) {
        warnings.warn(cField, `Control ${j + 1} is not an object; it is skipped.`);
        return;
      }
      const check = text(c.control_id) ?? '';
      if (!check) warnings.warn(`${cField}.control_id`, 'This control has no control_id; its results are counted as not evaluated.');
      const ownTags = stringTags(c.tags);
      const refs = toolRefsFor({ ...tags, ...ownTags }, [...ids].reverse(), ownTags);
      const title = text(c.title);
      const severity = text(c.severity);
      const base = (): EvidenceRecord => {
        const r: EvidenceRecord = { check, result: 'not-evaluated' };
        if (title) r.title = title;
        if (severity) r.severity = severity;
        if (refs) r.toolRefs = refs;
        return r;
      };
      const results = c.results;
      if (results !== null && results !== undefined && !Array.isArray(results)) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: `${cField}.results` }, { args: { detail: `\`results\` is a ${typeof results}, not a list`, hint: EXPORT_HINT } });
        return;
      }
      const runError = text(c.run_error);
      if (!Array.isArray(results) || results.length === 0) {
        if (runError) {
          // The control could not run: Powerpipe's CSV writes one error row for it; so do we.
          const r = base();
          r.result = check ? 'error' : 'not-evaluated';
          r.rawResult = 'error';
          r.message = runError;
          ctx.emit(r);
        }
        return;
      }
      const counts: Record<string, number> = {};
      results.forEach((row, k) => {
        const rField = `${cField}.results[${k}]`;
        const r = base();
        if (!isObject(row)) {
          warnings.warn(rField, `Result ${k + 1} is not an object; it is counted as not evaluated.`);
          ctx.emit(r);
          return;
        }
        const status = text(row.status);
        if (status) counts[status.toLowerCase()] = (counts[status.toLowerCase()] ?? 0) + 1;
        r.result = classify(status, (detail) => warnings.warn(`${rField}.status`, detail, 'Powerpipe statuses are ok, alarm, error, info and skip.'));
        if (!check) r.result = 'not-evaluated';
        if (status) r.rawResult = status;
        const resource = text(row.resource);
        if (resource) r.resource = resource;
        const dims: [string, string][] = Array.isArray(row.dimensions)
          ? row.dimensions.filter(isObject).map((d) => [text(d.key) ?? '', text(d.value) ?? ''] as [string, string]).filter(([k]) => k !== '')
          : [];
        const message = withDimensions(text(row.reason), dims);
        if (message) r.message = message;
        ctx.emit(r);
      });
      // The control's own summary counts its results: a mismatch means the file was edited or cut.
      if (isObject(c.summary)) {
        const mismatched = Object.keys(STATUS_RESULT).filter((s) => typeof (c.summary as Record<string, unknown>)[s] === 'number' && (c.summary as Record<string, number>)[s] !== (counts[s] ?? 0));
        if (mismatched.length) {
          warnings.warn(`${cField}.summary`, `The control's summary does not match its results (${mismatched.map((s) => `${s}: summary ${(c.summary as Record<string, number>)[s]}, results ${counts[s] ?? 0}`).join('; ')}).`, 'The file may have been edited; re-run the export.');
        }
      }
    });
    const groups = Array.isArray(group.groups) ? group.groups : [];
    groups.forEach((g, j) => {
      const gField = `${field}${field ? '.' : ''}groups[${j}]`;
      if (!isObject(g)) {
        warnings.warn(gField, `Group ${j + 1} is not an object; it is skipped.`);
        return;
      }
      walk(g, gField, ids, tags, depth + 1);
    });
  };
  walk(root, '', [], {}, 0);
  warnings.flush();
}

export const powerpipeAdapter: EvidenceAdapter = {
  format: 'powerpipe',
  description: 'Powerpipe / Steampipe benchmark exports (--export csv or json): control results ok, alarm, error, info, skip.',
  defaultFiles: ['**/*.csv', '**/*.json'],
  validateConfig: rejectGenericOptions('powerpipe', { csv: true }),
  async read(chunks, ctx) {
    const sniff = await sniffJson(chunks);
    if (sniff.first === '') {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, { args: { detail: 'the file is empty', hint: 'Re-export the file; an empty export is never read as zero findings.' } });
      return;
    }
    if (sniff.first === '{' || sniff.first === '[') await readJson(sniff.replay, ctx);
    else await readCsv(sniff.replay, ctx);
  },
};
