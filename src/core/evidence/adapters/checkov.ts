/**
 * `format: checkov`: Checkov `-o json` output. Three shapes, all written by
 * Checkov itself:
 *
 * - one report object `{check_type, results: {passed_checks, failed_checks,
 *   skipped_checks, parsing_errors}, summary, url?}` (one framework scanned);
 * - a list of report objects, one per framework (terraform, kubernetes,
 *   dockerfile, secrets, sca_package...);
 * - the bare summary `{passed: 0, failed: 0, skipped: 0, parsing_errors: 0,
 *   resource_count: 0, checkov_version}` when nothing was scanned.
 *
 * With `--quiet` Checkov leaves `passed_checks` (and usually `skipped_checks`)
 * out; the summary still counts them. Only `failed_checks` is required.
 *
 * | list             | result                                                      |
 * |------------------|-------------------------------------------------------------|
 * | `passed_checks`  | pass                                                        |
 * | `failed_checks`  | fail (pass when its severity is below `severityThreshold`)  |
 * | `skipped_checks` | excepted-in-tool (a `#checkov:skip=` comment or a skip list: the tool's own suppression) |
 *
 * A record's `check_result.result` that disagrees with its list is a warning;
 * a record listed as passed that says it failed counts as a failure.
 * `benchmarks` (filled when Checkov runs with a platform key), e.g.
 * `{"CIS GCP V1.1": [{"name": "5.2", ...}]}`, become toolRefs
 * `{framework: "CIS GCP V1.1", control: "5.2"}`.
 *
 * Size: the document is read whole (readJsonDocument). Checkov repeats each
 * resource's code block in every record, so a large repository gives tens of
 * megabytes at most; reports far bigger than that should be written per
 * framework (`--framework`) or with `--compact`.
 */
import { z } from 'astro/zod';
import type { EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { readJsonDocument } from './json.ts';
import { belowThreshold, cappedReporter, fieldPath, guessFormat, jsonType } from './sarif.ts';

const text = z.string().nullish();
const count = z.number().int().min(0).nullish();

const checkSchema = z.object({
  check_id: z.string().trim().min(1, 'a check needs a `check_id`'),
  check_name: text,
  check_result: z.object({ result: text, suppress_comment: text }).nullish(),
  resource: text,
  file_path: text,
  repo_file_path: text,
  file_line_range: z.array(z.number()).nullish(),
  severity: text,
  guideline: text,
  benchmarks: z.unknown().optional(),
});
type Check = z.output<typeof checkSchema>;

const summarySchema = z.object({
  passed: count,
  failed: count,
  skipped: count,
  parsing_errors: count,
  resource_count: count,
  checkov_version: text,
});

const reportSchema = z.object({
  check_type: z.string().min(1),
  results: z.object({
    passed_checks: z.array(z.unknown()).nullish(),
    failed_checks: z.array(z.unknown(), { error: (iss) => (iss.input === undefined ? '`failed_checks` is missing' : 'expected a list') }),
    skipped_checks: z.array(z.unknown()).nullish(),
    parsing_errors: z.array(z.unknown()).nullish(),
  }),
  summary: summarySchema.nullish(),
});

const LISTS = [
  { key: 'passed_checks', summary: 'passed', result: 'pass', word: 'PASSED' },
  { key: 'failed_checks', summary: 'failed', result: 'fail', word: 'FAILED' },
  { key: 'skipped_checks', summary: 'skipped', result: 'excepted-in-tool', word: 'SKIPPED' },
] as const satisfies readonly { key: string; summary: string; result: NormalisedResult; word: string }[];

function isSummaryOnly(o: Record<string, unknown>): boolean {
  return !('results' in o) && !('check_type' in o) && ('checkov_version' in o || ('passed' in o && 'failed' in o));
}

/** toolRefs from Checkov `benchmarks`: `{ "<framework>": [{ name: "<control>" }, ...] }`. */
function benchmarkRefs(benchmarks: unknown): { framework: string; control: string }[] {
  const refs: { framework: string; control: string }[] = [];
  if (benchmarks === null || typeof benchmarks !== 'object' || Array.isArray(benchmarks)) return refs;
  for (const [framework, items] of Object.entries(benchmarks as Record<string, unknown>)) {
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const control = typeof item === 'string' ? item : item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : undefined;
      if (control?.trim() && framework.trim()) refs.push({ framework: framework.trim(), control: control.trim() });
    }
  }
  return refs;
}

function toRecord(c: Check, list: (typeof LISTS)[number], field: string, threshold: string | undefined, warn: ReturnType<typeof cappedReporter>): { record: EvidenceRecord; unscoredFail: boolean } {
  let result: NormalisedResult = list.result;
  const raw = c.check_result?.result?.trim();
  if (raw && raw.toUpperCase() !== list.word) {
    warn.report(`${field}.check_result.result`, `the check is in \`${list.key}\` but its result says \`${raw}\`${list.result === 'pass' ? '; it counts as a failure (fail closed)' : ''}`);
    if (list.result === 'pass') result = 'fail';
  }
  const record: EvidenceRecord = { check: c.check_id, result, rawResult: raw || list.word };
  const resource = c.resource?.trim() || c.file_path?.trim();
  if (resource) record.resource = resource;
  if (c.severity?.trim()) record.severity = c.severity.trim().toLowerCase();
  if (c.check_name?.trim()) record.title = c.check_name.trim();

  let unscoredFail = false;
  const notes: string[] = [];
  if (result === 'fail' && threshold) {
    if (!record.severity) unscoredFail = true;
    else if (belowThreshold(record.severity, threshold)) {
      record.result = 'pass';
      notes.push(`Below severityThreshold ${threshold}.`);
    }
  }
  const path = c.file_path?.trim() || c.repo_file_path?.trim();
  if (path) {
    const [from, to] = c.file_line_range ?? [];
    notes.push(from !== undefined ? `${path}:${from}${to !== undefined && to !== from ? `-${to}` : ''}` : path);
  }
  if (list.result === 'excepted-in-tool') notes.push(`Skipped in Checkov${c.check_result?.suppress_comment?.trim() ? `: ${c.check_result.suppress_comment.trim()}` : ''}.`);
  if (c.guideline?.trim()) notes.push(`Guideline: ${c.guideline.trim()}`);
  if (notes.length) record.message = notes.join(' ');
  const refs = benchmarkRefs(c.benchmarks);
  if (refs.length) record.toolRefs = refs;
  return { record, unscoredFail };
}

export const checkovAdapter: EvidenceAdapter = {
  format: 'checkov',
  description: 'Checkov JSON (`-o json`): one report or a list per framework; passed, failed and skipped checks (skips count as tool suppressions).',
  defaultFiles: ['**/*.json'],
  validateConfig(source, report) {
    if (source.records) report('records', 'A checkov source reads Checkov\'s own lists; `records` is not used.', 'Remove `records:`.');
    if (source.delimiter) report('delimiter', 'A checkov source is JSON; `delimiter` is not used.', 'Remove `delimiter:`.');
    for (const k of Object.keys(source.fields)) report(`fields.${k}`, `A checkov source reads its fields from the Checkov report; \`fields.${k}\` is not used.`, 'Remove `fields:`; set `collectedAt:` in source.yaml (Checkov reports carry no time).');
  },
  async read(chunks, ctx) {
    const doc = await readJsonDocument(chunks, ctx);
    if (!doc.ok) return;
    const root = doc.value;
    const errors = cappedReporter(ctx, 'error');
    const warnings = cappedReporter(ctx, 'warning', 5);
    const wrongShape = (detail: string, field?: string) => {
      const guess = guessFormat(root);
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, ...(field ? { field } : { line: 1, column: 1 }) }, {
        args: {
          detail: `${detail}${guess && !guess.includes('format: checkov') ? `; it looks like ${guess}` : ''}`,
          hint: guess && !guess.includes('format: checkov') ? 'Set the matching `format:` in source.yaml, or export JSON from Checkov (`checkov -o json`).' : 'Export the report with `checkov -o json`; a partial or edited report is never read as zero findings.',
        },
      });
    };

    let reports: { value: unknown; prefix: string }[];
    if (Array.isArray(root)) {
      if (root.length === 0) {
        wrongShape('the document is an empty list: Checkov writes one report per framework, or a summary when nothing was scanned');
        return;
      }
      reports = root.map((value, i) => ({ value, prefix: `[${i}]` }));
    } else if (root !== null && typeof root === 'object') {
      reports = [{ value: root, prefix: '' }];
    } else {
      wrongShape(`this is not a Checkov report: the document is ${jsonType(root)}`);
      return;
    }

    const threshold = ctx.source.severityThreshold;
    const versions = new Set<string>();
    let emitted = 0;
    let unscored = 0;
    let quietPassed = 0;
    const unparsed: string[] = [];
    const valid: { report: z.output<typeof reportSchema>; prefix: string }[] = [];

    // Validate every report before emitting anything.
    for (const { value, prefix } of reports) {
      const at = (f: string) => fieldPath(prefix, f ? f.split('.') : []);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        if (prefix === '') wrongShape(`this is not a Checkov report: the document is ${jsonType(value)}`);
        else errors.report(prefix, `item ${prefix} is ${jsonType(value)}, not a Checkov report`, 'Each item of a Checkov JSON list is one framework\'s report.');
        continue;
      }
      const o = value as Record<string, unknown>;
      if (isSummaryOnly(o)) {
        const s = summarySchema.safeParse(o);
        if (!s.success) {
          const issue = s.error.issues[0]!;
          errors.report(fieldPath(prefix, issue.path), `the Checkov summary is not valid: ${issue.message}`, 'Re-export the report with `checkov -o json`.');
          continue;
        }
        if (s.data.checkov_version) versions.add(s.data.checkov_version);
        const listed = (s.data.passed ?? 0) + (s.data.failed ?? 0) + (s.data.skipped ?? 0);
        if (listed > 0) errors.report(at('failed'), `the summary counts ${listed} checks, but the file lists none (no \`results\`)`, 'Export the full report with `checkov -o json`; a summary alone is never read as zero findings.');
        continue;
      }
      if (!('check_type' in o) && !('results' in o)) {
        if (prefix === '') wrongShape('this is not a Checkov report: no `check_type` and `results` at the top');
        else errors.report(prefix, `item ${prefix} is not a Checkov report: no \`check_type\` and \`results\``, 'Each item of a Checkov JSON list is one framework\'s report.');
        continue;
      }
      const parsed = reportSchema.safeParse(o);
      if (!parsed.success) {
        for (const issue of parsed.error.issues.slice(0, 3)) errors.report(fieldPath(prefix, issue.path), `not a valid Checkov report: ${issue.message}`, 'Re-export the report with `checkov -o json`; a partial or edited report is never read as zero findings.');
        continue;
      }
      valid.push({ report: parsed.data, prefix });
    }

    for (const { report, prefix } of valid) {
      const { results, summary } = report;
      if (summary?.checkov_version) versions.add(summary.checkov_version);
      for (const list of LISTS) {
        const items = results[list.key];
        const expected = summary?.[list.summary];
        if (!items) {
          if (list.key === 'passed_checks' && expected) quietPassed += expected;
          else if (list.key === 'skipped_checks' && expected) {
            errors.report(fieldPath(prefix, ['results', 'skipped_checks']), `the summary counts ${expected} skipped checks, but \`skipped_checks\` is missing`, 'Export the full report (without --quiet, or with --quiet and full details) so that tool suppressions are visible.');
          }
          continue;
        }
        if (typeof expected === 'number' && expected !== items.length) {
          ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: fieldPath(prefix, ['summary', list.summary]) }, {
            severity: 'warning',
            args: {
              detail: `the ${report.check_type} summary says ${expected} ${list.summary}, but \`${list.key}\` lists ${items.length}`,
              hint: 'The file may have been edited or cut; re-export it with `checkov -o json`. Every listed check is counted.',
            },
          });
        }
        for (const [i, item] of items.entries()) {
          const field = fieldPath(prefix, ['results', list.key, i]);
          const c = checkSchema.safeParse(item);
          if (!c.success) {
            const issue = c.error.issues[0]!;
            errors.report(fieldPath(field, issue.path), `not a valid Checkov check: ${issue.message}`, 'Re-export the report with `checkov -o json`.');
            const id = item !== null && typeof item === 'object' && typeof (item as { check_id?: unknown }).check_id === 'string' ? (item as { check_id: string }).check_id : '';
            ctx.emit({ check: id, result: 'error', rawResult: 'invalid' });
            emitted++;
            continue;
          }
          const { record, unscoredFail } = toRecord(c.data, list, field, threshold, warnings);
          if (unscoredFail) unscored++;
          ctx.emit(record);
          emitted++;
        }
      }
      for (const e of results.parsing_errors ?? []) unparsed.push(typeof e === 'string' ? e : JSON.stringify(e));
      if (!results.parsing_errors && summary?.parsing_errors) unparsed.push(`${summary.parsing_errors} file(s) in ${report.check_type}`);
    }

    if (quietPassed > 0) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field: 'results.passed_checks' }, {
        args: {
          detail: `the report leaves out its ${quietPassed} passed checks (Checkov --quiet): only failures are counted from this file`,
          hint: 'Run Checkov without --quiet so that passing checks count as evidence.',
        },
      });
    }
    if (unparsed.length) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field: 'results.parsing_errors' }, {
        args: {
          detail: `Checkov could not parse ${unparsed.length} file${unparsed.length === 1 ? '' : 's'} (${unparsed.slice(0, 3).join(', ')}${unparsed.length > 3 ? ', ...' : ''}): their resources were not checked`,
          hint: 'Fix the files Checkov cannot parse; until then they are not covered by this evidence.',
        },
      });
    }
    if (unscored > 0) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field: 'severityThreshold' }, {
        args: {
          detail: `${unscored} failed check${unscored === 1 ? ' has' : 's have'} no severity, so severityThreshold cannot apply: they stay failing`,
          hint: 'Checkov fills `severity` only when it runs with a platform API key.',
        },
      });
    }
    if (emitted === 0 && !ctx.diagnostics.items.some((d) => d.file === ctx.file && d.severity === 'error')) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, line: 1, column: 1 }, {
        args: { detail: 'Checkov ran no checks in this report (nothing was scanned): the file is no evidence for any check', hint: 'Check the directory or framework given to Checkov.' },
      });
    }
    errors.flush();
    warnings.flush();
    if (versions.size) ctx.meta.toolVersion = [...versions].sort().join(', ');
  },
};
