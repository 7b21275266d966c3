/**
 * `format: asff`: AWS Security Hub findings in the AWS Security Finding Format.
 * Reads every wrapper the tools write: `{"Findings": [...]}` (BatchImportFindings
 * input, Trivy, `aws securityhub get-findings` with its `NextToken`), lowercase
 * `{"findings": [...]}`, and a bare list (Prowler, Powerpipe). Streams the
 * findings list: Security Hub exports can be hundreds of megabytes.
 *
 * Also home of the small streaming helpers the other AWS JSON adapters share
 * (sniffJson, strictUtf8, awsInstant).
 */
import { normaliseToolFramework } from '../../../mappings/tool-refs.ts';
import { parseInstant } from '../../util/time.ts';
import { decodeUtf8, DecodeError } from '../decode.ts';
import { reportJsonStreamError, streamJsonArray } from '../json-stream.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import type { SourceConfig } from '../../schemas/source.ts';
import { MAX_ROW_WARNINGS } from './csv.ts';

// ---------------------------------------------------------------------------
// Shared helpers (also used by aws-config.ts and powerpipe.ts)
// ---------------------------------------------------------------------------

/** How far into a document sniffJson looks for the top-level list before giving up. */
export const SNIFF_LIMIT_BYTES = 16 * 1024 * 1024;

export interface JsonSniff {
  /** First significant character (`{`, `[`, anything else), or '' when the input is empty or only whitespace. */
  first: string;
  /** For an object: the first top-level key found among the wanted keys. */
  key?: string;
  /** Top-level keys seen before the scan stopped (at most 20, for messages). */
  keys: string[];
  /**
   * Why the scan stopped: `found` (a wanted key), `first` (only the first character was asked for,
   * or the document is not an object), `object-end` (the object closed without a wanted key),
   * `input-end` (the bytes ran out first: truncated), `limit` (SNIFF_LIMIT_BYTES), `syntax`.
   */
  end: 'found' | 'first' | 'object-end' | 'input-end' | 'limit' | 'syntax';
  /** Byte offset where the scan stopped. */
  offset: number;
  /** Every byte of the input again, from the start (the scanned bytes are replayed, the rest streamed). */
  replay: AsyncIterable<Uint8Array>;
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Looks at the start of a JSON document without parsing it: its first character
 * and, for an object, which of `wantedKeys` comes first at the top level. Only
 * structure is tracked (strings, nesting); values of other keys are skipped.
 * Without `wantedKeys` it stops at the first significant character.
 */
export async function sniffJson(chunks: AsyncIterable<Uint8Array>, wantedKeys?: readonly string[], limit = SNIFF_LIMIT_BYTES): Promise<JsonSniff> {
  const it = chunks[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let exhausted = false;
  const result: Omit<JsonSniff, 'replay'> = { first: '', keys: [], end: 'input-end', offset: 0 };
  let pos = 0;
  let started = false;
  let depth = 0;
  let inString = false;
  let escape = false;
  let expectKey = false;
  let capturing = false;
  let keyBytes: number[] = [];
  let stop = false;
  const finishKey = (): void => {
    let key: string;
    try {
      key = JSON.parse(`"${new TextDecoder().decode(new Uint8Array(keyBytes))}"`) as string;
    } catch {
      key = new TextDecoder().decode(new Uint8Array(keyBytes));
    }
    if (result.keys.length < 20) result.keys.push(key);
    if (wantedKeys?.includes(key)) {
      result.key = key;
      result.end = 'found';
      stop = true;
    }
  };
  outer: while (!stop) {
    const next = await it.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    const chunk = next.value;
    buffered.push(chunk);
    for (let i = 0; i < chunk.length; i++, pos++) {
      const b = chunk[i]!;
      if (!started) {
        if (pos < 3 && b === BOM[pos]) continue;
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
        started = true;
        result.first = String.fromCharCode(b);
        if (b !== 0x7b || !wantedKeys) {
          result.end = 'first';
          stop = true;
          break outer;
        }
        depth = 1;
        expectKey = true;
        continue;
      }
      if (inString) {
        if (escape) escape = false;
        else if (b === 0x5c) escape = true;
        else if (b === 0x22) {
          inString = false;
          if (capturing) {
            capturing = false;
            expectKey = false;
            finishKey();
            if (stop) break outer;
          }
          continue;
        }
        if (capturing && keyBytes.length < 1000) keyBytes.push(b);
        continue;
      }
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
      if (b === 0x22) {
        inString = true;
        if (depth === 1 && expectKey) {
          capturing = true;
          keyBytes = [];
        }
      } else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        depth--;
        if (depth === 0) {
          result.end = 'object-end';
          stop = true;
          break outer;
        }
      } else if (b === 0x2c) {
        if (depth === 1) expectKey = true;
      } else if (depth === 1 && expectKey) {
        result.end = 'syntax';
        stop = true;
        break outer;
      }
    }
    if (pos >= limit) {
      result.end = 'limit';
      break;
    }
  }
  result.offset = pos;
  async function* replay(): AsyncGenerator<Uint8Array> {
    while (buffered.length) yield buffered.shift()!;
    if (exhausted) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { ...result, replay: replay() };
}

/**
 * Reports why a sniffed document has none of the expected lists. `what` names
 * the list (e.g. "a `Findings` list"), `hint` says which export to use.
 */
export function reportSniffFailure(sniff: JsonSniff, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>, what: string, hint: string): void {
  const at = { file: ctx.file };
  let detail: string;
  let h = hint;
  switch (sniff.end) {
    case 'input-end':
      if (sniff.first === '') {
        ctx.diagnostics.report('evidence-parse', { ...at, line: 1, column: 1 }, { args: { detail: 'the file is empty', hint: 'Re-export the file; an empty export is never read as zero findings.' } });
        return;
      }
      detail = `the document ends at byte ${sniff.offset} before ${what} was found: the file looks truncated`;
      h = 'Re-run the export; a partial file is never read as zero findings.';
      break;
    case 'object-end':
      detail = `the document has no ${what} (top-level keys: ${sniff.keys.length ? sniff.keys.map((k) => `\`${k}\``).join(', ') : 'none'})`;
      break;
    case 'limit':
      detail = `no ${what} in the first ${Math.round(SNIFF_LIMIT_BYTES / 1024 / 1024)} MB of the document (top-level keys: ${sniff.keys.map((k) => `\`${k}\``).join(', ') || 'none'})`;
      break;
    case 'syntax':
      detail = `invalid JSON near byte ${sniff.offset}: expected a property name in quotes`;
      break;
    default:
      if (sniff.first === '\u00ff' || sniff.first === '\u00fe') {
        ctx.diagnostics.report('encoding-invalid', at, { args: { detail: 'the file is UTF-16 encoded' } });
        return;
      }
      detail = sniff.first === '{' || sniff.first === '['
        ? `the document is not ${what}`
        : `the file is not JSON (it starts with \`${sniff.first}\`)`;
  }
  ctx.diagnostics.report('evidence-parse', { ...at, field: sniff.end === 'object-end' || sniff.end === 'limit' ? '$' : `byte ${sniff.offset}` }, { args: { detail, hint: h } });
}

/**
 * Strict UTF-8 in front of the JSON stream parser (which would replace bad bytes
 * silently): decodes, drops a BOM, re-encodes. A DecodeError is kept in `state`.
 */
export async function* strictUtf8(chunks: AsyncIterable<Uint8Array>, state: { error?: DecodeError }): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  try {
    for await (const text of decodeUtf8(chunks)) yield encoder.encode(text);
  } catch (e) {
    if (e instanceof DecodeError) state.error = e;
    throw e;
  }
}

/**
 * Streams the elements of the list at `path`, handing each to `onItem`, and
 * reports parse and encoding problems. Returns false when the document was
 * not read completely.
 */
export async function streamListItems(
  chunks: AsyncIterable<Uint8Array>,
  path: readonly string[],
  ctx: Pick<AdapterContext, 'file' | 'diagnostics'>,
  onItem: (item: unknown, index: number) => void,
): Promise<boolean> {
  const decode: { error?: DecodeError } = {};
  let index = 0;
  try {
    for await (const item of streamJsonArray(strictUtf8(chunks, decode), path)) onItem(item, index++);
    return true;
  } catch (e) {
    if (decode.error) {
      ctx.diagnostics.report('encoding-invalid', { file: ctx.file }, { args: { detail: decode.error.message } });
      return false;
    }
    if (reportJsonStreamError(e, ctx)) return false;
    throw e;
  }
}

/**
 * An AWS timestamp as an ISO instant. AWS writes three styles: ISO 8601 strings
 * (CLI v2, `2026-11-20T02:00:00.123000+00:00`), epoch seconds as numbers
 * (the API and CLI v1, `1700000000.123`) and epoch milliseconds (SDK dumps,
 * `1700000000123`). Numbers of 1e11 and above are read as milliseconds (1e11
 * seconds is the year 5138). Instants before 2000 or after 2200 are refused:
 * they come from a wrong unit or an unset field.
 */
export function awsInstant(value: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Math.abs(value) >= 1e11 ? value : value * 1000;
  else if (typeof value === 'string') {
    const t = value.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return awsInstant(Number(t));
    ms = parseInstant(t)?.getTime();
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const d = new Date(Math.round(ms));
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 2000 || year > 2200) return undefined;
  return d.toISOString();
}

/** A counter for per-record warnings: the first MAX_ROW_WARNINGS are reported, the rest summed up by `flush`. */
export function recordWarnings(ctx: Pick<AdapterContext, 'file' | 'diagnostics'>) {
  let count = 0;
  return {
    warn(field: string, detail: string, hint?: string): void {
      count++;
      if (count <= MAX_ROW_WARNINGS) ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, field }, { args: { detail, hint } });
    },
    flush(): void {
      if (count > MAX_ROW_WARNINGS) {
        ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file }, {
          args: { detail: `${count - MAX_ROW_WARNINGS} more records with problems in this file (only the first ${MAX_ROW_WARNINGS} are listed).` },
        });
      }
    },
  };
}

/**
 * validateConfig for the tool formats, which know their own fields: `fields:` and
 * `records:` (and, for JSON formats, `delimiter:`) would be silently ignored, so they are errors.
 */
export function rejectGenericOptions(format: string, options: { csv: boolean }) {
  return (source: SourceConfig, report: (field: string, message: string, hint: string) => void): void => {
    for (const k of Object.keys(source.fields)) {
      if ((source.fields as Record<string, unknown>)[k] !== undefined) {
        report(`fields.${k}`, `The \`${format}\` format reads the tool's own fields; \`fields\` is not used.`, 'Remove `fields:`; for the collection time set `collectedAt:` when the export has none.');
      }
    }
    if (source.records !== undefined) report('records', `The \`${format}\` format finds its records itself; \`records\` is not used.`, 'Remove `records:`.');
    if (!options.csv && source.delimiter !== undefined) report('delimiter', `The \`${format}\` format reads JSON; \`delimiter\` is not used.`, 'Remove `delimiter:`.');
  };
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

// ---------------------------------------------------------------------------
// ASFF
// ---------------------------------------------------------------------------

/** Severity labels in rank order; `severityThreshold` (default `low`) picks the first that fails. */
const SEVERITY_RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/** ASFF `Severity.Normalized` (0-100) to a label, for findings that only carry the number. */
function labelFromNormalized(n: unknown): string | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) return undefined;
  if (n === 0) return 'INFORMATIONAL';
  if (n < 40) return 'LOW';
  if (n < 70) return 'MEDIUM';
  if (n < 90) return 'HIGH';
  return 'CRITICAL';
}

const COMPLIANCE_RESULT: Record<string, NormalisedResult> = {
  PASSED: 'pass',
  FAILED: 'fail',
  // WARNING: Security Hub could not decide (or Prowler muted the check); NOT_AVAILABLE: the check did not run.
  WARNING: 'not-evaluated',
  NOT_AVAILABLE: 'not-evaluated',
};

/**
 * `Compliance.RelatedRequirements` entries as framework references. Security Hub
 * writes `NIST.800-53.r5 AC-2(1)` (framework, space, control) and
 * `PCI DSS v3.2.1/8.3` or `CIS AWS Foundations Benchmark v1.2.0/1.10` (framework,
 * slash, control), sometimes `PCI DSS 8.3.1` (the last word is the control);
 * Prowler writes `SOC2 cc_6_1 cc_6_2` (framework, then every control) and cuts
 * each entry at 63 characters, so the last control of an entry of exactly 63
 * characters may be cut short and is dropped.
 */
export function splitRelatedRequirement(entry: string): { framework: string; control: string }[] {
  const t = entry.trim();
  const slash = t.lastIndexOf('/');
  if (slash > 0 && slash < t.length - 1) {
    const framework = t.slice(0, slash).trim();
    const control = t.slice(slash + 1).trim();
    return framework && control && !/\s/.test(control) ? [{ framework, control }] : [];
  }
  const parts = t.split(/\s+/);
  if (parts.length < 2) return [];
  const [framework, ...controls] = parts as [string, ...string[]];
  // Prowler style when the first word is a known framework or every other word looks like an id;
  // otherwise a framework name with spaces and one control (`PCI DSS 8.3.1`).
  if (!normaliseToolFramework(framework) && !controls.every((c) => /\d/.test(c))) {
    return [{ framework: parts.slice(0, -1).join(' '), control: parts.at(-1)! }];
  }
  if (t.length === 63 && controls.length > 1) controls.pop();
  else if (t.length === 63) return [];
  return controls.map((control) => ({ framework, control }));
}

export const asffAdapter: EvidenceAdapter = {
  format: 'asff',
  description: 'AWS Security Hub findings (ASFF): {"Findings": [...]}, {"findings": [...]} or a bare list (Security Hub, Prowler, Trivy, Powerpipe).',
  defaultFiles: ['**/*.json', '**/*.asff'],
  validateConfig: rejectGenericOptions('asff', { csv: false }),
  async read(chunks, ctx) {
    const sniff = await sniffJson(chunks, ['Findings', 'findings']);
    let path: string[];
    if (sniff.first === '[') path = [];
    else if (sniff.key) path = [sniff.key];
    else {
      reportSniffFailure(sniff, ctx, 'a `Findings` list', 'An ASFF export is {"Findings": [...]} (aws securityhub get-findings, Trivy), {"findings": [...]} or a bare list of findings (Prowler); check that this file is ASFF.');
      return;
    }
    const listName = path.length ? path[0]! : '';
    const warnings = recordWarnings(ctx);
    const threshold = SEVERITY_RANK[(ctx.source.severityThreshold ?? 'low').toUpperCase()]!;
    let findings = 0;
    let asffLike = 0;
    let lastTimeRaw: string | undefined;
    let lastTimeIso: string | undefined;
    let badTimes = 0;
    let timed = 0;
    const read = await streamListItems(sniff.replay, path, ctx, (item, index) => {
      findings++;
      const field = `${listName}[${index}]`;
      if (!isObject(item)) {
        warnings.warn(field, `Finding ${index + 1} is not an object; it is counted as not evaluated.`);
        ctx.emit({ check: '', result: 'not-evaluated' });
        return;
      }
      const compliance = isObject(item.Compliance) ? item.Compliance : undefined;
      const severityObj = isObject(item.Severity) ? item.Severity : undefined;
      if (!(typeof item.SchemaVersion === 'string' || typeof item.ProductArn === 'string' || typeof item.GeneratorId === 'string') || !(compliance || severityObj)) {
        warnings.warn(field, `Finding ${index + 1} is not an ASFF finding (it needs SchemaVersion, ProductArn or GeneratorId, and Compliance or Severity); it is counted as not evaluated.`);
        ctx.emit({ check: '', result: 'not-evaluated' });
        return;
      }
      asffLike++;
      // Archived records are history, not current state (the provider closed them or the
      // resource is gone): they are counted as skipped rows, never as results.
      if (text(item.RecordState)?.toUpperCase() === 'ARCHIVED') {
        ctx.skip();
        return;
      }
      const productFields = isObject(item.ProductFields) ? item.ProductFields : {};
      if (!ctx.meta.toolVersion) {
        const version = text(productFields.ProviderVersion);
        if (version) ctx.meta.toolVersion = version;
      }
      const check = text(compliance?.SecurityControlId) ?? text(productFields.ControlId) ?? text(item.GeneratorId) ?? '';
      if (!check) warnings.warn(field, `Finding ${index + 1} has no Compliance.SecurityControlId, ProductFields.ControlId or GeneratorId; it is counted as not evaluated.`);
      const severity = text(severityObj?.Label)?.toUpperCase() ?? labelFromNormalized(severityObj?.Normalized) ?? text(severityObj?.Original)?.toUpperCase();
      const status = text(compliance?.Status)?.toUpperCase();
      let result: NormalisedResult;
      let rawResult: string | undefined;
      if (status) {
        rawResult = status;
        const r = COMPLIANCE_RESULT[status];
        if (r) result = r;
        else {
          result = 'not-evaluated';
          warnings.warn(`${field}.Compliance.Status`, `Unknown compliance status \`${status}\`; the finding is counted as not evaluated.`, 'ASFF statuses are PASSED, FAILED, WARNING and NOT_AVAILABLE.');
        }
      } else {
        // No compliance status: a product finding (a vulnerability, a threat). Its existence is the
        // failure unless it is below the severity threshold (source.yaml severityThreshold, default
        // `low`: every finding fails its check except INFORMATIONAL ones). An unknown or missing
        // severity fails (fail closed).
        rawResult = severity ?? 'NO_SEVERITY';
        const rank = severity !== undefined ? SEVERITY_RANK[severity] : undefined;
        if (rank === undefined) {
          result = 'fail';
          warnings.warn(`${field}.Severity`, `Finding ${index + 1} has no compliance status and ${severity ? `an unknown severity \`${severity}\`` : 'no severity'}; it is counted as a failure.`, 'ASFF severity labels are INFORMATIONAL, LOW, MEDIUM, HIGH and CRITICAL.');
        } else result = rank >= threshold ? 'fail' : 'pass';
      }
      // A finding muted in Security Hub (Workflow.Status SUPPRESSED, or the older WorkflowState
      // DEFERRED) stays a failure that the tool hides: excepted-in-tool, which counts as failing
      // unless the source sets honorToolSuppressions. Suppressing a passing finding changes nothing.
      const workflow = isObject(item.Workflow) ? text(item.Workflow.Status)?.toUpperCase() : undefined;
      const suppressed = workflow ? workflow === 'SUPPRESSED' : ['SUPPRESSED', 'DEFERRED'].includes(text(item.WorkflowState)?.toUpperCase() ?? '');
      if (suppressed && (result === 'fail' || result === 'error')) {
        result = 'excepted-in-tool';
        rawResult = `${rawResult} (SUPPRESSED)`;
      }
      const record: EvidenceRecord = { check, result: check ? result : 'not-evaluated', rawResult };
      const resources = Array.isArray(item.Resources) ? item.Resources : [];
      const resource = isObject(resources[0]) ? text(resources[0].Id) : undefined;
      if (resource) record.resource = resource;
      if (severity) record.severity = severity;
      const title = text(item.Title);
      if (title) record.title = title;
      const reasons = Array.isArray(compliance?.StatusReasons) ? compliance.StatusReasons : [];
      const message = (isObject(reasons[0]) ? text(reasons[0].Description) : undefined) ?? text(item.Description);
      if (message) record.message = message;
      const updated = item.UpdatedAt ?? item.LastObservedAt;
      if (updated !== undefined) {
        const raw = typeof updated === 'string' ? updated : JSON.stringify(updated);
        if (raw !== lastTimeRaw) {
          lastTimeRaw = raw;
          lastTimeIso = awsInstant(updated);
        }
        if (lastTimeIso) {
          record.collectedAt = lastTimeIso;
          timed++;
        } else {
          badTimes++;
          if (badTimes <= 5) ctx.diagnostics.report('collected-at-invalid', { file: ctx.file, field: `${field}.UpdatedAt` }, { args: { value: raw } });
        }
      }
      const refs = Array.isArray(compliance?.RelatedRequirements) ? compliance.RelatedRequirements : [];
      if (refs.length) {
        const toolRefs = refs.flatMap((r) => (typeof r === 'string' ? splitRelatedRequirement(r) : []));
        if (toolRefs.length) record.toolRefs = toolRefs;
      }
      ctx.emit(record);
    });
    warnings.flush();
    if (badTimes > 5) {
      ctx.diagnostics.report('collected-at-invalid', { file: ctx.file, field: `${listName}[*].UpdatedAt` }, { message: `${badTimes - 5} more findings with an invalid UpdatedAt.` });
    }
    if (read && findings > 0 && asffLike === 0) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: `${listName}[0]` }, {
        args: { detail: `none of the ${findings} records is an ASFF finding`, hint: 'Check that this file is a Security Hub (ASFF) export and that source.yaml names the right format.' },
      });
    }
    if (timed) ctx.meta.collectedAtFrom = 'UpdatedAt of each finding';
  },
};
