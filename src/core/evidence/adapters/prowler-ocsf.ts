/**
 * Prowler's JSON outputs, streamed element by element (they reach hundreds of MB):
 *
 * - `format: prowler-ocsf`: Prowler 4/5 JSON-OCSF (`*.ocsf.json`), a top-level
 *   list of OCSF Detection Findings (class_uid 2004). status_code
 *   PASS/FAIL/MANUAL; `status: Suppressed` (or `unmapped.muted`) marks a muted
 *   finding; metadata.event_code is the check; unmapped.compliance holds the
 *   framework references; metadata.product.version the Prowler version.
 * - `format: prowler-json`: Prowler 3 native JSON, a list of objects with
 *   CheckID, Status (PASS/FAIL/INFO, WARNING when allowlisted), ResourceArn,
 *   AssessmentStartTime and Compliance.
 *
 * The first element decides whether the file is the expected kind; a file that
 * is another kind, cut short or not a list is an error, never zero findings.
 */
import { streamJsonArray } from '../json-stream.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord } from '../types.ts';
import {
  complianceObjectRefs,
  describeForeignRecord,
  newByteWatch,
  parseMuted,
  prowlerInstant,
  prowlerResult,
  reportJsonFailure,
  rowDiagnostics,
  validateProwlerConfig,
  watchBytes,
} from './prowler.ts';

type Obj = Record<string, unknown>;
type Issues = ReturnType<typeof rowDiagnostics>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
};

interface JsonFlavour {
  format: string;
  /** What the file should be, for errors. */
  expected: string;
  /** How to produce the right file, for hints. */
  exportHint: string;
  /** Does the first element look like this flavour? */
  matches(rec: Obj): boolean;
  /** The record for one element (`at` locates it for diagnostics). */
  toRecord(rec: Obj, at: string, issues: Issues, ctx: AdapterContext): EvidenceRecord;
}

async function readProwlerJson(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext, flavour: JsonFlavour): Promise<void> {
  const watch = newByteWatch();
  const issues = rowDiagnostics(ctx);
  let index = -1;
  let rejected = false;
  try {
    for await (const item of streamJsonArray(watchBytes(chunks, watch), [])) {
      index++;
      if (rejected) continue; // keep reading: a broken file is still reported as broken
      const at = `$[${index}]`;
      if (index === 0 && !(isObj(item) && flavour.matches(item))) {
        const foreign = describeForeignRecord(item);
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1, field: at }, {
          args: {
            detail: `expected ${flavour.expected}, but the first element is ${foreign.what}`,
            hint: foreign.format && foreign.format !== flavour.format
              ? `Use \`format: ${foreign.format}\` for this file.`
              : `Check that this source's \`format:\` matches the file. ${flavour.exportHint}`,
          },
        });
        rejected = true;
        continue;
      }
      if (!isObj(item)) {
        issues.warn({ field: at }, `Element ${index} is ${item === null ? 'null' : Array.isArray(item) ? 'a list' : `a ${typeof item}`}, not a finding; it is counted as not evaluated.`);
        ctx.emit({ check: '', result: 'not-evaluated' });
        continue;
      }
      ctx.emit(flavour.toRecord(item, at, issues, ctx));
    }
  } catch (e) {
    if (!reportJsonFailure(e, ctx, watch, flavour.expected, flavour.exportHint)) throw e;
    issues.finish();
    return;
  }
  if (index === -1) {
    ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, line: 1, column: 1 }, {
      args: { detail: 'The export is an empty list: it has no findings.', hint: 'Prowler writes a file only when it has findings: check that the scan completed.' },
    });
  }
  issues.finish();
}

function setVersion(ctx: AdapterContext, v: string | undefined): void {
  if (v && !ctx.meta.toolVersion) ctx.meta.toolVersion = v;
}

function checkStatus(issues: Issues, at: string, field: string, status: string | undefined, known: boolean, check: string, checkField: string): void {
  if (!known) issues.warn({ field: `${at}.${field}` }, `${field} \`${status ?? '(missing)'}\` is not PASS, FAIL or MANUAL; the finding is counted as not evaluated.`);
  if (!check) issues.warn({ field: `${at}.${checkField}` }, `This finding has no check id (${checkField}); it is counted as not evaluated.`);
}

/** Prowler 4/5 JSON-OCSF. */
const ocsf: JsonFlavour = {
  format: 'prowler-ocsf',
  expected: 'a JSON list of OCSF Detection Findings (class_uid 2004) as written by Prowler `--output-formats json-ocsf`',
  exportHint: 'Prowler writes this file as `output/<name>.ocsf.json` (`prowler <provider> -M json-ocsf`).',
  matches: (r) => r.class_uid === 2004 || (isObj(r.metadata) && 'event_code' in r.metadata && 'status_code' in r),
  toRecord(r, at, issues, ctx) {
    const meta = isObj(r.metadata) ? r.metadata : {};
    const info = isObj(r.finding_info) ? r.finding_info : {};
    const unmapped = isObj(r.unmapped) ? r.unmapped : {};
    if (r.class_uid !== undefined && r.class_uid !== 2004) {
      issues.warn({ field: `${at}.class_uid` }, `This element has class_uid ${JSON.stringify(r.class_uid)}, not a Detection Finding (2004); it is read as one anyway.`);
    }
    const check = text(meta.event_code) ?? '';
    const status = text(r.status_code);
    const mutedFlag = parseMuted(unmapped.muted);
    const muted = text(r.status)?.toLowerCase() === 'suppressed' || r.status_id === 3 || mutedFlag === true;
    const { result, known } = prowlerResult(status, muted);
    checkStatus(issues, at, 'status_code', status, known, check, 'metadata.event_code');
    const rec: EvidenceRecord = { check, result };
    if (status) rec.rawResult = status;
    const severity = text(r.severity);
    if (severity) rec.severity = severity;
    const title = text(info.title);
    if (title) rec.title = title;
    const message = text(r.status_detail) ?? text(r.message);
    if (message) rec.message = message;
    const resources = Array.isArray(r.resources) ? r.resources : [];
    const first = isObj(resources[0]) ? resources[0] : {};
    const resource = text(first.uid) ?? text(first.name);
    if (resource) rec.resource = resource;
    // `time` is Unix seconds (exact); `time_dt` is the scanning machine's local time without an offset.
    for (const [field, value] of [['time', r.time], ['time_dt', r.time_dt], ['finding_info.created_time', info.created_time], ['finding_info.created_time_dt', info.created_time_dt], ['event_time', r.event_time]] as const) {
      const collected = prowlerInstant(value);
      if (collected) {
        rec.collectedAt = collected;
        ctx.meta.collectedAtFrom ??= `field ${field}`;
        break;
      }
    }
    const refs = complianceObjectRefs(unmapped.compliance);
    if (refs === undefined) issues.warn({ field: `${at}.unmapped.compliance` }, 'unmapped.compliance is not an object of framework -> ids; its references are left out.');
    else if (refs.length) rec.toolRefs = refs;
    setVersion(ctx, isObj(meta.product) ? text(meta.product.version) : undefined);
    return rec;
  },
};

/** Prowler 3 native JSON. */
const v3: JsonFlavour = {
  format: 'prowler-json',
  expected: 'a JSON list of Prowler 3 findings (objects with CheckID, Status, ResourceArn...) as written by Prowler 3 `-M json`',
  exportHint: 'Prowler 3 writes this file as `output/<name>.json`; Prowler 4 and later write JSON-OCSF instead (`format: prowler-ocsf`).',
  matches: (r) => 'CheckID' in r && 'Status' in r,
  toRecord(r, at, issues, ctx) {
    const check = text(r.CheckID) ?? '';
    const status = text(r.Status);
    const { result, known } = prowlerResult(status, false);
    checkStatus(issues, at, 'Status', status, known, check, 'CheckID');
    const rec: EvidenceRecord = { check, result };
    if (status) rec.rawResult = status;
    const severity = text(r.Severity);
    if (severity) rec.severity = severity;
    const title = text(r.CheckTitle);
    if (title) rec.title = title;
    const message = text(r.StatusExtended);
    if (message) rec.message = message;
    const resource = text(r.ResourceArn) ?? text(r.ResourceId) ?? text(r.ResourceName);
    if (resource) rec.resource = resource;
    const collected = prowlerInstant(r.AssessmentStartTime);
    if (collected) {
      rec.collectedAt = collected;
      ctx.meta.collectedAtFrom ??= 'field AssessmentStartTime';
    }
    const refs = complianceObjectRefs(r.Compliance);
    if (refs === undefined) issues.warn({ field: `${at}.Compliance` }, 'Compliance is not an object of framework -> ids; its references are left out.');
    else if (refs.length) rec.toolRefs = refs;
    return rec;
  },
};

export const prowlerOcsfAdapter: EvidenceAdapter = {
  format: 'prowler-ocsf',
  description: 'Prowler 4/5 JSON-OCSF (`*.ocsf.json`): a list of OCSF Detection Findings.',
  defaultFiles: ['**/*.ocsf.json'],
  validateConfig(source, report) {
    validateProwlerConfig(source, report, { csv: false });
  },
  read: (chunks, ctx) => readProwlerJson(chunks, ctx, ocsf),
};

export const prowlerJsonAdapter: EvidenceAdapter = {
  format: 'prowler-json',
  description: 'Prowler 3 native JSON: a list of findings with CheckID, Status, ResourceArn and Compliance.',
  defaultFiles: ['**/*.json'],
  validateConfig(source, report) {
    validateProwlerConfig(source, report, { csv: false });
  },
  read: (chunks, ctx) => readProwlerJson(chunks, ctx, v3),
};
