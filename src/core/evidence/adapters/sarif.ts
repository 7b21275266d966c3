/**
 * `format: sarif`: SARIF 2.1.0 logs from any scanner (CodeQL, Semgrep, Checkov,
 * Trivy, tfsec, gitleaks...). One record per `runs[].results[]` entry; the check
 * is the result's rule id.
 *
 * Size: the log is read whole (readJsonDocument). A result needs its run's rule
 * descriptors, which may come before or after the results (and in
 * `tool.extensions`), so a single streaming pass cannot resolve them. SARIF
 * logs of tens of megabytes (a large CodeQL database) parse in well under a
 * second; logs of several hundred megabytes should be split per run.
 *
 * Result table (SARIF 2.1.0 §3.27.9 `kind`, §3.27.10 `level`, §3.27.23 and
 * §3.35 `suppressions`, §3.27.24 `baselineState`):
 *
 * | kind (absent = `fail`)   | level                          | result                                   |
 * |--------------------------|--------------------------------|------------------------------------------|
 * | `fail`                   | `error` / `warning` / `note`   | fail; severity = CVSS band, else level   |
 * | `fail`                   | `none`                         | fail (fail closed: Trivy writes `none` for UNKNOWN severity) |
 * | `fail`                   | absent                         | rule override / `defaultConfiguration.level` / `warning` (§3.27.10): fail |
 * | `fail`                   | any other value                | fail, with a warning                     |
 * | `pass`                   | ignored (`none` by the spec)   | pass                                     |
 * | `notApplicable`          | ignored                        | not-evaluated (the rule does not apply)  |
 * | `informational`          | ignored                        | not-evaluated (not a problem, not a pass)|
 * | `open`                   | ignored                        | error (the tool could not decide: fail closed) |
 * | `review`                 | ignored                        | error (a person must decide: fail closed until then) |
 * | any other value          | ignored                        | error, with a warning                    |
 *
 * Then, for results that are fail or error:
 * - `suppressions` non-empty and every entry `accepted` or without `status`
 *   (none `underReview` or `rejected`, §3.27.23) -> excepted-in-tool;
 * - `baselineState: absent` (the finding was in the baseline and is gone now)
 *   -> not-evaluated: it is neither a current failure nor a proof of a pass.
 * - `severityThreshold` (source.yaml): a fail whose CVSS band
 *   (`properties.security-severity`) is below the threshold -> pass. Results
 *   without a CVSS score stay fail (the level is a tool's choice, not a severity
 *   scale), and a warning says how many.
 *
 * Severity: `properties["security-severity"]` of the result, else of its rule
 * (GitHub's convention: a CVSS score) -> critical (>= 9.0), high (>= 7.0),
 * medium (>= 4.0), low; without it, the effective level (`error`, `warning`,
 * `note`).
 *
 * Most SARIF lists only failures: an expected rule with no result is handled by
 * ingestion (`expectedChecks`, `absenceMeansPass`), never here. A run whose tool
 * says it did not finish (`executionSuccessful: false`) or that has no
 * `results` list is an error, so absence can never be read as a pass.
 */
import { z } from 'astro/zod';
import { parseInstant } from '../../util/time.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { readJsonDocument } from './json.ts';

// ---------------------------------------------------------------------------
// Shared helpers for tool formats (also used by checkov.ts)

/** Severity scale used by `severityThreshold`, lowest first. */
const SEVERITY_RANK: Record<string, number> = { info: 0, informational: 0, none: 0, low: 1, medium: 2, moderate: 2, high: 3, critical: 4 };

/** Rank of a severity word, or undefined when it is not on the scale. */
export function severityRank(severity: string | undefined): number | undefined {
  return severity === undefined ? undefined : SEVERITY_RANK[severity.trim().toLowerCase()];
}

/** True when `severity` is known and strictly below `threshold`. Unknown severities are never below (fail closed). */
export function belowThreshold(severity: string | undefined, threshold: string | undefined): boolean {
  if (!threshold) return false;
  const s = severityRank(severity);
  const t = severityRank(threshold);
  return s !== undefined && t !== undefined && s < t;
}

/** CVSS score -> band, as GitHub code scanning reads `security-severity`. */
export function cvssBand(score: number): 'critical' | 'high' | 'medium' | 'low' {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** Reports at most `cap` diagnostics of one kind per file, then one line with how many more. */
export function cappedReporter(ctx: Pick<AdapterContext, 'file' | 'diagnostics'>, severity: 'error' | 'warning', cap = 20) {
  let count = 0;
  return {
    report(field: string, detail: string, hint?: string) {
      count++;
      if (count > cap) return;
      const rule = severity === 'error' ? 'evidence-parse' : 'evidence-record-invalid';
      ctx.diagnostics.report(rule, { file: ctx.file, field }, { severity, args: { detail, ...(hint ? { hint } : {}) } });
    },
    /** Call once at the end. */
    flush() {
      if (count <= cap) return;
      const rule = severity === 'error' ? 'evidence-parse' : 'evidence-record-invalid';
      ctx.diagnostics.report(rule, { file: ctx.file }, { severity, message: `${count - cap} more problems of this kind in this file (only the first ${cap} are listed).` });
    },
    get count() {
      return count;
    },
  };
}

/** `a.b[0].c` from a zod issue path under a prefix. */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** Short description of a JSON value's type, for messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * Names well-known exports by their top-level keys, so that a file given to the
 * wrong adapter gets a hint naming the right format.
 */
export function guessFormat(root: unknown): string | undefined {
  const first = Array.isArray(root) ? root[0] : root;
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return undefined;
  const o = first as Record<string, unknown>;
  if (typeof o.version === 'string' && Array.isArray(o.runs)) return 'a SARIF log (format: sarif)';
  if ('SchemaVersion' in o && ('Results' in o || 'ArtifactName' in o)) return 'a Trivy JSON report, not SARIF (use format: trivy, or run Trivy with --format sarif)';
  if ('check_type' in o && o.results !== null && typeof o.results === 'object') return 'a Checkov JSON report (format: checkov)';
  if ('checkov_version' in o) return 'a Checkov JSON summary (format: checkov)';
  if (Array.isArray(o.Findings) || Array.isArray(o.findings)) return 'an AWS Security Hub (ASFF) findings export';
  if ('Controls' in o && 'Totals' in o) return 'a kube-bench JSON report';
  return undefined;
}

// ---------------------------------------------------------------------------
// SARIF shapes (only what we read; everything else is ignored)

const text = z.string().nullish();
const index = z.number().int().min(-1).nullish();
const props = z.record(z.string(), z.unknown()).nullish();
const multiformatMessage = z.object({ text, markdown: text }).nullish();

const toolComponentReference = z.object({ name: text, index, guid: text }).nullish();
const descriptorReference = z.object({ id: text, index, guid: text, toolComponent: toolComponentReference }).nullish();

const reportingDescriptorSchema = z.object({
  id: z.string(),
  name: text,
  shortDescription: multiformatMessage,
  fullDescription: multiformatMessage,
  defaultConfiguration: z.object({ level: text }).nullish(),
  messageStrings: z.record(z.string(), z.object({ text, markdown: text })).nullish(),
  relationships: z.array(z.object({ target: descriptorReference })).nullish(),
  properties: props,
});
type Descriptor = z.output<typeof reportingDescriptorSchema>;

const toolComponentSchema = z.object({
  name: text,
  guid: text,
  version: text,
  semanticVersion: text,
  rules: z.array(z.unknown()).nullish(),
  globalMessageStrings: z.record(z.string(), z.object({ text, markdown: text })).nullish(),
});

const runSchema = z.object({
  tool: z.object({ driver: toolComponentSchema, extensions: z.array(toolComponentSchema).nullish() }),
  results: z.array(z.unknown()).nullish(),
  invocations: z
    .array(
      z.object({
        startTimeUtc: text,
        endTimeUtc: text,
        executionSuccessful: z.boolean().nullish(),
        ruleConfigurationOverrides: z.array(z.object({ descriptor: descriptorReference, configuration: z.object({ level: text }).nullish() })).nullish(),
        toolExecutionNotifications: z.array(z.object({ level: text, message: z.object({ text }).nullish() })).nullish(),
      }),
    )
    .nullish(),
  artifacts: z.array(z.object({ location: z.object({ uri: text }).nullish() }).nullish()).nullish(),
  logicalLocations: z.array(z.object({ name: text, fullyQualifiedName: text }).nullish()).nullish(),
  taxonomies: z.array(z.object({ name: text, guid: text }).nullish()).nullish(),
});
type Run = z.output<typeof runSchema>;
type ToolComponent = z.output<typeof toolComponentSchema>;

const locationSchema = z.object({
  physicalLocation: z
    .object({
      artifactLocation: z.object({ uri: text, index }).nullish(),
      region: z.object({ startLine: z.number().int().nullish() }).nullish(),
    })
    .nullish(),
  logicalLocations: z.array(z.object({ name: text, fullyQualifiedName: text, index }).nullish()).nullish(),
});

const resultSchema = z.object({
  ruleId: text,
  ruleIndex: index,
  rule: descriptorReference,
  kind: text,
  level: text,
  message: z.object({ text, markdown: text, id: text, arguments: z.array(z.unknown()).nullish() }).nullish(),
  locations: z.array(z.unknown()).nullish(),
  analysisTarget: z.object({ uri: text }).nullish(),
  suppressions: z.array(z.object({ kind: text, status: text, justification: text })).nullish(),
  baselineState: text,
  properties: props,
});
type Result = z.output<typeof resultSchema>;

const KINDS: Record<string, NormalisedResult> = {
  fail: 'fail',
  pass: 'pass',
  notApplicable: 'not-evaluated',
  informational: 'not-evaluated',
  open: 'error',
  review: 'error',
};
const LEVELS = new Set(['error', 'warning', 'note', 'none']);

/** Rule descriptors of one tool component, with lazy lookup by id. */
class Component {
  readonly source: ToolComponent;
  readonly rules: (Descriptor | undefined)[];
  readonly messages: NonNullable<ToolComponent['globalMessageStrings']>;
  private byId: Map<string, Descriptor> | undefined;
  constructor(source: ToolComponent, field: string, bad: ReturnType<typeof cappedReporter>) {
    this.source = source;
    this.messages = source.globalMessageStrings ?? {};
    this.rules = (source.rules ?? []).map((r, i) => {
      const parsed = reportingDescriptorSchema.safeParse(r);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0]!;
      bad.report(fieldPath(`${field}.rules[${i}]`, issue.path), `rule ${i} of ${source.name ?? 'the tool'} is not a valid SARIF rule (${issue.message}); its results keep their rule id but lose title and severity`);
      return undefined;
    });
  }
  find(id: string | undefined, idx: number | undefined): Descriptor | undefined {
    if (idx !== undefined && idx >= 0) {
      const d = this.rules[idx];
      if (d && (id === undefined || d.id === id || id.startsWith(`${d.id}/`))) return d;
    }
    if (id === undefined) return undefined;
    this.byId ??= new Map(this.rules.filter((d): d is Descriptor => !!d).map((d) => [d.id, d]));
    // Hierarchical ids (`CA2000/1`) fall back to their base rule (§3.27.5).
    return this.byId.get(id) ?? this.byId.get(id.split('/')[0]!);
  }
}

function findComponent(run: Run, components: { driver: Component; extensions: Component[] }, ref: NonNullable<z.output<typeof toolComponentReference>>): Component | undefined {
  if (typeof ref.index === 'number' && ref.index >= 0) return components.extensions[ref.index];
  const all = [components.driver, ...components.extensions];
  if (ref.guid) return all.find((c) => c.source.guid?.toLowerCase() === ref.guid!.toLowerCase());
  if (ref.name) return all.find((c) => c.source.name === ref.name) ?? (run.tool.driver.name === ref.name ? components.driver : undefined);
  return undefined;
}

/** `{0}`-style placeholders of a message string (§3.11.5). */
function formatMessage(template: string, args: readonly unknown[] | null | undefined): string {
  return template.replace(/\{(\d+)\}/g, (m, n: string) => {
    const v = args?.[Number(n)];
    return v === undefined || v === null ? m : String(v);
  });
}

function securitySeverity(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 && n <= 10 ? n : 'invalid';
}

function runTime(run: Run, r: number, warn: ReturnType<typeof cappedReporter>): { iso: string; from: string } | undefined {
  let best: { iso: string; from: string } | undefined;
  for (const [i, inv] of (run.invocations ?? []).entries()) {
    const key = inv.endTimeUtc ? 'endTimeUtc' : inv.startTimeUtc ? 'startTimeUtc' : undefined;
    if (!key) continue;
    const raw = inv[key]!;
    const at = parseInstant(raw);
    if (!at) {
      warn.report(`runs[${r}].invocations[${i}].${key}`, `\`${raw}\` is not an ISO 8601 time; it is ignored`, 'SARIF times look like 2026-11-20T08:00:00Z.');
      continue;
    }
    const iso = at.toISOString();
    // Several invocations: the oldest counts (evidence is as fresh as its oldest part).
    if (!best || iso < best.iso) best = { iso, from: `SARIF runs[].invocations[].${key}` };
  }
  return best;
}

export const sarifAdapter: EvidenceAdapter = {
  format: 'sarif',
  description: 'SARIF 2.1.0 logs from any scanner (CodeQL, Semgrep, Checkov, Trivy, tfsec, gitleaks): one record per result, the check is the rule id.',
  defaultFiles: ['**/*.sarif', '**/*.sarif.json'],
  validateConfig(source, report) {
    if (source.records) report('records', 'A sarif source reads every `runs[].results[]` entry; `records` is not used.', 'Remove `records:`.');
    if (source.delimiter) report('delimiter', 'A sarif source is JSON; `delimiter` is not used.', 'Remove `delimiter:`.');
    for (const k of Object.keys(source.fields)) report(`fields.${k}`, `A sarif source reads its fields from the SARIF log; \`fields.${k}\` is not used.`, 'Remove `fields:`; set `collectedAt:` in source.yaml when the log has no invocation times.');
  },
  async read(chunks, ctx) {
    const doc = await readJsonDocument(chunks, ctx);
    if (!doc.ok) return;
    const root = doc.value;
    const shapeError = (field: string, detail: string, hint: string) => ctx.diagnostics.report('evidence-parse', { file: ctx.file, ...(field ? { field } : { line: 1, column: 1 }) }, { args: { detail, hint } });

    if (root === null || typeof root !== 'object' || Array.isArray(root)) {
      const guess = guessFormat(root);
      shapeError('', `this is not a SARIF log: the document is ${jsonType(root)}${guess ? `; it looks like ${guess}` : ''}`, 'A SARIF 2.1.0 log is an object with `version: "2.1.0"` and a `runs` list. Check `format:` in source.yaml.');
      return;
    }
    const log = root as Record<string, unknown>;
    if (!('runs' in log) || !('version' in log)) {
      const guess = guessFormat(root);
      shapeError(
        '',
        `this is not a SARIF log: no \`${'version' in log ? 'runs' : 'version'}\` at the top${guess ? `; it looks like ${guess}` : ''}`,
        guess ? 'Set the matching `format:` in source.yaml, or export SARIF from the tool.' : 'A SARIF 2.1.0 log is an object with `version: "2.1.0"` and a `runs` list; re-export it from the tool.',
      );
      return;
    }
    if (log.version !== '2.1.0') {
      shapeError('version', `SARIF version ${JSON.stringify(log.version)} is not supported (only 2.1.0 is)`, 'Export SARIF 2.1.0 (every current scanner writes it), or convert the log with the SARIF Multitool.');
      return;
    }
    if (!Array.isArray(log.runs)) {
      shapeError('runs', `\`runs\` is ${jsonType(log.runs)}, not a list`, 'Re-export the SARIF log from the tool.');
      return;
    }
    if (log.runs.length === 0) {
      shapeError('runs', 'the SARIF log has no runs: no tool ran, so it says nothing about any check', 'Re-run the scan; a log without runs is never read as zero findings.');
      return;
    }

    const errors = cappedReporter(ctx, 'error');
    const warnings = cappedReporter(ctx, 'warning', 5);
    const rules = cappedReporter(ctx, 'warning', 5);
    const threshold = ctx.source.severityThreshold;
    let unscored = 0;
    const versions = new Set<string>();
    const pending: { run: Run; r: number; time: { iso: string; from: string } | undefined; components: { driver: Component; extensions: Component[] } }[] = [];

    // Pass 1: validate every run before emitting anything.
    for (const [r, rawRun] of log.runs.entries()) {
      const parsed = runSchema.safeParse(rawRun);
      if (!parsed.success) {
        for (const issue of parsed.error.issues.slice(0, 3)) errors.report(fieldPath(`runs[${r}]`, issue.path), `run ${r} is not a valid SARIF run: ${issue.message}`, 'Re-export the SARIF log from the tool; a damaged run is never read as zero findings.');
        continue;
      }
      const run = parsed.data;
      const driver = run.tool.driver;
      const label = driver.name ?? `run ${r}`;
      if (!Array.isArray(run.results)) {
        errors.report(`runs[${r}].results`, `${label} (run ${r}) has no \`results\` list: the tool did not report results for this run`, 'SARIF writes `results: []` for a clean scan; a missing list means the scan did not complete. Re-run it.');
        continue;
      }
      for (const [i, inv] of (run.invocations ?? []).entries()) {
        if (inv.executionSuccessful === false) {
          const notes = (inv.toolExecutionNotifications ?? []).filter((n) => n.level === 'error' && n.message?.text).map((n) => n.message!.text!.trim());
          errors.report(
            `runs[${r}].invocations[${i}].executionSuccessful`,
            `${label} reports that its run did not complete${notes.length ? ` (${notes.slice(0, 2).join('; ').slice(0, 300)})` : ''}`,
            'Fix the scan and re-run it; results of a failed run are incomplete and never read as evidence.',
          );
        }
      }
      const version = driver.semanticVersion ?? driver.version;
      if (version) versions.add(driver.name ? `${driver.name} ${version}` : version);
      const components = {
        driver: new Component(driver, `runs[${r}].tool.driver`, rules),
        extensions: (run.tool.extensions ?? []).map((e, i) => new Component(e, `runs[${r}].tool.extensions[${i}]`, rules)),
      };
      pending.push({ run, r, time: runTime(run, r, warnings), components });
    }

    for (const { run, r, time, components } of pending) {
      const overrides = new Map<string, string>();
      for (const inv of run.invocations ?? []) {
        for (const o of inv.ruleConfigurationOverrides ?? []) {
          const level = o.configuration?.level;
          const d = o.descriptor;
          if (!level || !d || d.toolComponent) continue;
          const target = components.driver.find(d.id ?? undefined, d.index ?? undefined);
          if (target) overrides.set(target.id, level);
        }
      }
      for (const [j, rawResult] of run.results!.entries()) {
        const field = `runs[${r}].results[${j}]`;
        const parsed = resultSchema.safeParse(rawResult);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          errors.report(fieldPath(field, issue.path), `result ${j} of run ${r} is not a valid SARIF result: ${issue.message}`, 'Re-export the SARIF log from the tool.');
          const ruleId = rawResult !== null && typeof rawResult === 'object' && typeof (rawResult as { ruleId?: unknown }).ruleId === 'string' ? (rawResult as { ruleId: string }).ruleId : '';
          ctx.emit({ check: ruleId, result: 'error', rawResult: 'invalid' });
          continue;
        }
        const res = parsed.data;
        const { record, unscoredFail } = toRecord(res, run, components, overrides, threshold, field, warnings);
        if (unscoredFail) unscored++;
        if (time) record.collectedAt = time.iso;
        ctx.emit(record);
      }
    }
    if (unscored > 0) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field: 'severityThreshold' }, {
        args: {
          detail: `${unscored} failing result${unscored === 1 ? ' has' : 's have'} no CVSS score (properties.security-severity), so severityThreshold cannot apply: they stay failing`,
          hint: 'Only results with a security-severity score are compared with severityThreshold; use a `map:` rule with `severity:` to route the others.',
        },
      });
    }
    errors.flush();
    warnings.flush();
    rules.flush();

    if (versions.size) ctx.meta.toolVersion = [...versions].sort().join(', ');
    const times = pending.map((p) => p.time);
    const timed = times.filter((t): t is { iso: string; from: string } => !!t);
    if (timed.length && timed.length === times.length) {
      ctx.meta.collectedAt = timed.reduce((a, b) => (b.iso < a ? b.iso : a), timed[0]!.iso);
      ctx.meta.collectedAtFrom = [...new Set(timed.map((t) => t.from))].join(', ');
    } else if (timed.length) {
      ctx.meta.collectedAtFrom = `${[...new Set(timed.map((t) => t.from))].join(', ')} (runs without times: source.yaml collectedAt)`;
    }
  },
};

function toRecord(
  res: Result,
  run: Run,
  components: { driver: Component; extensions: Component[] },
  overrides: Map<string, string>,
  threshold: string | undefined,
  field: string,
  warn: ReturnType<typeof cappedReporter>,
): { record: EvidenceRecord; unscoredFail: boolean } {
  // The rule: ruleId / ruleIndex / rule.{id,index,toolComponent} (§3.27.5-§3.27.7, §3.52).
  const ref = res.rule ?? undefined;
  let component: Component | undefined = components.driver;
  if (ref?.toolComponent) {
    component = findComponent(run, components, ref.toolComponent);
    if (!component) warn.report(`${field}.rule.toolComponent`, 'the rule names a tool component that is not in `tool.extensions`; title and severity are unknown');
  }
  const id = res.ruleId ?? ref?.id ?? undefined;
  const idx = res.ruleIndex ?? ref?.index ?? undefined;
  let rule = component?.find(id, idx);
  if (!rule && !ref?.toolComponent && id !== undefined) {
    // Rules of an extension referenced by id only (some writers omit toolComponent).
    for (const c of components.extensions) {
      rule = c.find(id, undefined);
      if (rule) {
        component = c;
        break;
      }
    }
  }
  const check = (id ?? rule?.id ?? '').trim();
  if (!check) warn.report(field, 'the result names no rule (`ruleId`, `rule.id` or a rule index); it is counted as not evaluated', 'SARIF results need `ruleId` to be evidence for a check.');
  else if (idx !== undefined && idx >= 0 && !rule) warn.report(`${field}.ruleIndex`, `rule index ${idx} is not in the tool's rules; title and severity are unknown`);

  // Kind and level.
  const kind = res.kind ?? 'fail';
  let result = KINDS[kind];
  if (!result) {
    warn.report(`${field}.kind`, `unknown SARIF kind \`${kind}\`; counted as an error (fail closed)`, 'SARIF 2.1.0 kinds: pass, fail, open, review, informational, notApplicable.');
    result = 'error';
  }
  let level: string;
  if (kind !== 'fail') level = 'none';
  else level = res.level ?? (rule ? overrides.get(rule.id) ?? rule.defaultConfiguration?.level : undefined) ?? 'warning';
  if (kind === 'fail' && !LEVELS.has(level)) warn.report(`${field}.level`, `unknown SARIF level \`${level}\`; the result still counts as a failure`, 'SARIF 2.1.0 levels: error, warning, note, none.');

  const record: EvidenceRecord = { check, result, rawResult: kind === 'fail' ? level : kind };

  // Severity.
  let cvss: number | undefined;
  const scoreRaw = res.properties?.['security-severity'] ?? rule?.properties?.['security-severity'];
  const score = securitySeverity(scoreRaw);
  if (score === 'invalid') warn.report(res.properties?.['security-severity'] !== undefined ? `${field}.properties.security-severity` : `rule ${rule?.id}.properties.security-severity`, `security-severity \`${String(scoreRaw)}\` is not a CVSS score between 0 and 10; it is ignored`);
  else if (score !== undefined) cvss = score;
  if (cvss !== undefined) record.severity = cvssBand(cvss);
  else if (level !== 'none' && LEVELS.has(level)) record.severity = level;

  // severityThreshold: only a CVSS score is a severity scale; the level is not.
  let unscoredFail = false;
  let belowNote = '';
  if (result === 'fail' && threshold) {
    if (cvss === undefined) unscoredFail = true;
    else if (belowThreshold(record.severity, threshold)) {
      record.result = 'pass';
      belowNote = `Below severityThreshold ${threshold} (CVSS ${cvss}). `;
    }
  }

  // Suppressions and baseline.
  const failing = record.result === 'fail' || record.result === 'error';
  const sups = res.suppressions ?? [];
  const suppressed = sups.length > 0 && sups.every((s) => s.status === undefined || s.status === null || s.status === 'accepted');
  if (failing && suppressed) {
    record.result = 'excepted-in-tool';
    record.rawResult = `${record.rawResult} (suppressed)`;
  }
  if (failing && res.baselineState === 'absent') {
    record.result = 'not-evaluated';
    record.rawResult = `${record.rawResult} (baseline: absent)`;
  }

  // Display fields.
  // Semgrep writes "Semgrep Finding: <rule id>" as every short description: its full description says more.
  const short = rule?.shortDescription?.text;
  const title = (short && !/^Semgrep Finding:/i.test(short) ? short : undefined) ?? rule?.fullDescription?.text ?? short ?? rule?.name ?? undefined;
  if (title?.trim()) record.title = title.trim();
  let message = res.message?.text ?? res.message?.markdown ?? undefined;
  if (message === undefined && res.message?.id) {
    const tmpl = rule?.messageStrings?.[res.message.id] ?? component?.messages[res.message.id];
    const t = tmpl?.text ?? tmpl?.markdown;
    if (t) message = formatMessage(t, res.message.arguments);
  } else if (message !== undefined && res.message?.arguments?.length) {
    message = formatMessage(message, res.message.arguments);
  }
  if (record.result === 'excepted-in-tool') {
    const why = sups.map((s) => s.justification?.trim()).filter(Boolean);
    message = `Suppressed in the tool (${sups.map((s) => s.kind ?? 'unknown').join(', ')})${why.length ? `: ${why.join('; ')}` : ''}. ${message ?? ''}`;
  }
  message = `${belowNote}${message ?? ''}`;
  if (message.trim()) record.message = message.trim();
  const resource = resourceOf(res, run);
  if (resource) record.resource = resource;

  // The tool's own framework references: rule relationships to taxonomies (CWE, OWASP, NIST...).
  const refs: { framework: string; control: string }[] = [];
  for (const rel of rule?.relationships ?? []) {
    const t = rel.target;
    if (!t?.id || !t.toolComponent) continue;
    const tc = t.toolComponent;
    const framework = tc.name ?? (typeof tc.index === 'number' && tc.index >= 0 ? run.taxonomies?.[tc.index]?.name : undefined) ?? (tc.guid ? run.taxonomies?.find((x) => x?.guid === tc.guid)?.name : undefined);
    if (framework) refs.push({ framework, control: t.id });
  }
  if (refs.length) record.toolRefs = refs;
  return { record, unscoredFail };
}

function resourceOf(res: Result, run: Run): string | undefined {
  const first = res.locations?.[0];
  const loc = first === undefined ? undefined : locationSchema.safeParse(first);
  if (loc?.success) {
    const phys = loc.data.physicalLocation;
    const art = phys?.artifactLocation;
    const uri = art?.uri ?? (typeof art?.index === 'number' && art.index >= 0 ? run.artifacts?.[art.index]?.location?.uri : undefined);
    if (uri) {
      const line = phys?.region?.startLine;
      return typeof line === 'number' && line > 0 ? `${uri}:${line}` : uri;
    }
    const logical = loc.data.logicalLocations?.[0];
    if (logical) {
      const byIndex = typeof logical.index === 'number' && logical.index >= 0 ? run.logicalLocations?.[logical.index] : undefined;
      const name = logical.fullyQualifiedName ?? logical.name ?? byIndex?.fullyQualifiedName ?? byIndex?.name;
      if (name) return name;
    }
  }
  return res.analysisTarget?.uri ?? undefined;
}
