/**
 * `format: kubescape`: Kubescape JSON (`kubescape scan ... --format json`, format v2,
 * the default since Kubescape v2).
 *
 * One record per resource and control: `results[]` holds, per resource
 * (`resourceID`), the `controls[]` evaluated on it, each with `controlID`,
 * `name` and `status` (`{status, subStatus, info}`):
 * - `failed` -> fail; `passed` -> pass;
 * - `passed` with sub-status `w/exceptions` (also written `ignored`/`excluded`), or the
 *   old statuses `excluded`/`ignored` -> excepted-in-tool (the tool's own exceptions);
 * - `skipped` (`manual review`, `requires review`, `configuration`, `integration`...),
 *   `irrelevant` -> not evaluated; `error` -> error;
 * - anything else -> not evaluated, with a warning.
 * Controls that apply to no resource appear only in the summary and yield no record.
 *
 * `summaryDetails.frameworks[].controls` says which frameworks (NSA, MITRE, CIS...)
 * each control belongs to: records carry toolRefs `[{framework: <name>, control: <controlID>}]`.
 * Collection time: `generationTime` (Go's zero time 0001-01-01T00:00:00Z means absent);
 * version: `clientInfo.version` or `metadata.scanMetadata.kubescapeVersion`.
 *
 * Kubescape outputs reach hundreds of MB (`resources[]` holds every scanned object):
 * the file is streamed, `resources` is skipped and `results` is read one resource at a time.
 */
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { applyExportTime, describeJson, shown, listField, problemReporter, record, reportWalkError, text, walkJson, type MemberMode, type ProblemReporter } from './trivy.ts';

const HINT = 'Export with `kubescape scan ... --format json` (format v2), or check `format:` in source.yaml.';

const TOP_LEVEL: Record<string, MemberMode> = {
  results: 'items',
  summaryDetails: 'value',
  generationTime: 'value',
  clientInfo: 'value',
  metadata: 'value',
  formatVersion: 'value',
};

const EXCEPTED = new Set(['w/exceptions', 'exception', 'exceptions', 'ignored', 'excluded']);
const NOT_EVALUATED = new Set(['irrelevant', 'manual review', 'requires review', 'configuration', 'integration', 'not evaluated', 'notevaluated']);

/** Normalised result for a status and sub-status; undefined when the words are unknown. */
export function kubescapeResult(status: string | undefined, subStatus: string | undefined): NormalisedResult | undefined {
  const s = status?.toLowerCase();
  const sub = subStatus?.toLowerCase().replace(/[_-]+/g, ' ').trim() ?? '';
  switch (s) {
    case 'failed':
      return 'fail';
    case 'passed':
      if (sub === '') return 'pass';
      if (EXCEPTED.has(sub)) return 'excepted-in-tool';
      if (NOT_EVALUATED.has(sub)) return 'not-evaluated';
      return undefined;
    case 'skipped':
    case 'irrelevant':
      return 'not-evaluated';
    case 'excluded':
    case 'ignored':
      return 'excepted-in-tool';
    case 'error':
      return 'error';
    default:
      return undefined;
  }
}

class KubescapeReader {
  private readonly ctx: AdapterContext;
  private readonly problems: ProblemReporter;
  private emitted = 0;
  private readonly seen = new Set<string>();
  /** controlID -> framework names, from summaryDetails. */
  private frameworksOf: Map<string, string[]> | undefined;
  /** With useToolMappings, records wait here until summaryDetails is read (when it comes after results). */
  private pending: EvidenceRecord[] = [];
  private formatVersion: { value: unknown; line: number; field: string } | undefined;
  /** The single framework of a report whose frameworks list no controls. */
  private onlyFramework: string | undefined;

  constructor(ctx: AdapterContext) {
    this.ctx = ctx;
    this.problems = problemReporter(ctx);
  }

  async read(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const ev of walkJson(chunks, (k) => (Object.hasOwn(TOP_LEVEL, k) ? TOP_LEVEL[k]! : 'skip'))) {
        if (ev.kind === 'root') {
          if (ev.type !== 'object') {
            const detail = ev.type === 'array' ? 'the document is a list, not a Kubescape report object (Kubescape v1 JSON is not supported)' : `the document is ${describeJson(ev.value)}, not a Kubescape report`;
            this.ctx.diagnostics.report('evidence-parse', { file: this.ctx.file, line: ev.line, field: '(root)' }, { args: { detail, hint: `Re-run with \`--format json --format-version v2\`. ${HINT}` } });
            return;
          }
        } else if (ev.kind === 'member') {
          this.seen.add(ev.key);
          if (!ev.skipped) this.member(ev.key, ev.value, ev.line);
        } else if (ev.kind === 'item') {
          this.seen.add(ev.key);
          this.resource(ev.value, `results[${ev.index}]`, ev.line);
        } else if (ev.kind === 'items-end') {
          this.seen.add(ev.key);
        }
      }
      this.finish();
    } catch (e) {
      if (!reportWalkError(e, this.ctx)) throw e;
    } finally {
      this.problems.flush();
    }
  }

  private emit(rec: EvidenceRecord): void {
    if (this.frameworksOf === undefined && this.ctx.source.useToolMappings) {
      this.pending.push(rec);
      return;
    }
    this.send(rec);
  }

  private send(rec: EvidenceRecord): void {
    const frameworks = rec.check ? (this.frameworksOf?.get(rec.check) ?? (this.onlyFramework ? [this.onlyFramework] : undefined)) : undefined;
    if (frameworks?.length) rec.toolRefs = frameworks.map((framework) => ({ framework, control: rec.check }));
    this.emitted++;
    this.ctx.emit(rec);
  }

  private member(key: string, value: unknown, line: number): void {
    switch (key) {
      case 'generationTime':
        applyExportTime(this.ctx, this.problems, 'generationTime', value, line, this.emitted, 'Kubescape');
        return;
      case 'clientInfo': {
        const v = text(record(value)?.version);
        if (v) this.ctx.meta.toolVersion = v;
        return;
      }
      case 'metadata': {
        const scan = record(record(value)?.scanMetadata);
        const v = text(scan?.kubescapeVersion);
        if (v && !this.ctx.meta.toolVersion) this.ctx.meta.toolVersion = v;
        if (scan && 'formatVersion' in scan && !this.formatVersion) this.formatVersion = { value: scan.formatVersion, line, field: 'metadata.scanMetadata.formatVersion' };
        return;
      }
      case 'formatVersion':
        this.formatVersion = { value, line, field: 'formatVersion' };
        return;
      case 'summaryDetails':
        this.summary(value, line);
        return;
      case 'results':
        if (value !== null) this.problems.error('results not a list', { line, field: 'results' }, `\`results\` should be a list but is ${describeJson(value)}`, HINT);
        return;
    }
  }

  private summary(value: unknown, line: number): void {
    const map = new Map<string, string[]>();
    const frameworks = listField(record(value) ?? {}, 'frameworks', 'summaryDetails', line, this.problems);
    const names: string[] = [];
    let withControls = 0;
    for (const f of frameworks) {
      const fw = record(f);
      const name = text(fw?.name);
      if (!fw || !name) continue;
      names.push(name);
      const controls = record(fw.controls);
      if (!controls) continue;
      withControls++;
      for (const id of Object.keys(controls)) {
        const list = map.get(id) ?? [];
        if (!list.includes(name)) list.push(name);
        map.set(id, list);
      }
    }
    // Reports that list no controls per framework: with a single framework, every control is in it.
    if (withControls === 0 && names.length === 1) this.onlyFramework = names[0];
    this.frameworksOf = map;
    const waiting = this.pending;
    this.pending = [];
    for (const rec of waiting) this.send(rec);
  }

  private resource(value: unknown, field: string, line: number): void {
    const res = record(value);
    if (!res) {
      this.problems.error('result not an object', { line, field }, `\`${field}\` should be an object but is ${describeJson(value)}`, HINT);
      return;
    }
    if (!('controls' in res) && !('resourceID' in res)) {
      this.problems.error('not a resource result', { line, field }, `\`${field}\` has neither \`resourceID\` nor \`controls\`: it is not a Kubescape resource result`, HINT);
      return;
    }
    const resource = text(res.resourceID);
    if (!resource) this.problems.warn('result without resourceID', { line, field }, `\`${field}\` has no \`resourceID\`; its results have no resource`);
    listField(res, 'controls', field, line, this.problems).forEach((c, i) => {
      const cField = `${field}.controls[${i}]`;
      const control = record(c);
      if (!control) {
        this.problems.error('control not an object', { line, field: cField }, `\`${cField}\` should be an object but is ${describeJson(c)}`, HINT);
        return;
      }
      const id = text(control.controlID);
      const statusObj = record(control.status);
      const status = statusObj ? text(statusObj.status) : text(control.status);
      const subStatus = statusObj ? text(statusObj.subStatus) : undefined;
      const rec: EvidenceRecord = { check: id ?? '', result: 'not-evaluated' };
      if (!id) {
        this.problems.warn('control without controlID', { line, field: cField }, `\`${cField}\` has no \`controlID\`; it is counted as not evaluated`);
      } else {
        const result = kubescapeResult(status, subStatus);
        if (result) rec.result = result;
        else {
          this.problems.warn('unknown status', { line, field: `${cField}.status` }, `Status ${shown(status ?? null)}${subStatus ? ` (sub-status \`${subStatus}\`)` : ''} of control ${id} is unknown; it is counted as not evaluated`);
        }
      }
      if (status) rec.rawResult = subStatus ? `${status} (${subStatus})` : status;
      if (resource) rec.resource = resource;
      const title = text(control.name);
      if (title) rec.title = title;
      const info = statusObj ? text(statusObj.info) : undefined;
      const failedRules = rec.result === 'fail'
        ? (Array.isArray(control.rules) ? control.rules : []).map(record).filter((r) => r && text(r.status)?.toLowerCase() === 'failed').map((r) => text(r!.name)).filter((n): n is string => !!n)
        : [];
      const message = info ?? (failedRules.length ? `Failed rule${failedRules.length === 1 ? '' : 's'}: ${failedRules.join(', ')}` : undefined);
      if (message) rec.message = message;
      this.emit(rec);
    });
  }

  private finish(): void {
    if (!this.seen.has('summaryDetails') && !this.seen.has('results')) {
      this.ctx.diagnostics.report('evidence-parse', { file: this.ctx.file, line: 1, field: '(root)' }, {
        args: { detail: 'this is not a Kubescape JSON report: it has neither `summaryDetails` nor `results`', hint: HINT },
      });
      return;
    }
    if (this.formatVersion) {
      const v = text(this.formatVersion.value);
      if (v !== undefined && v.toLowerCase() !== 'v2') {
        this.problems.error('formatVersion', { line: this.formatVersion.line, field: this.formatVersion.field }, `format version \`${v}\` is not supported (only v2)`, `Re-run with \`--format json --format-version v2\`. ${HINT}`);
      }
    }
    const waiting = this.pending;
    this.pending = [];
    if (!this.frameworksOf) this.frameworksOf = new Map();
    for (const rec of waiting) this.send(rec);
  }
}

export const kubescapeAdapter: EvidenceAdapter = {
  format: 'kubescape',
  description: 'Kubescape JSON (`--format json`, format v2): control results per Kubernetes resource.',
  defaultFiles: ['**/*.json'],
  async read(chunks, ctx) {
    await new KubescapeReader(ctx).read(chunks);
  },
};
