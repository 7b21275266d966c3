/**
 * Shared pieces of the Prowler adapters (`prowler-csv` in prowler-csv.ts,
 * `prowler-ocsf` and `prowler-json` in prowler-ocsf.ts): Prowler's result
 * words, its `COMPLIANCE` cells, time stamps, capped row diagnostics and a
 * strict byte watcher for streamed JSON. Adapters know formats, not controls:
 * framework references are passed on exactly as Prowler writes them
 * (src/mappings/tool-refs.ts translates them later).
 */
import type { DiagnosticBag, Location } from '../../diagnostics/diagnostic.ts';
import type { SourceConfig } from '../../schemas/source.ts';
import { DecodeError } from '../decode.ts';
import { JsonStreamError, reportJsonStreamError } from '../json-stream.ts';
import type { AdapterContext, NormalisedResult } from '../types.ts';

/** At most this many row-level diagnostics per file and kind; the rest are counted in one line. */
export const MAX_ROW_DIAGNOSTICS = 20;

export type ToolRefs = { framework: string; control: string }[];

/**
 * Prowler's STATUS to our result. PASS, FAIL and MANUAL are Prowler 4/5; Prowler 3
 * also wrote INFO and, for findings its allowlist matched, WARNING (whatever the
 * check said: counted as muted, which is failing unless the source honours tool
 * suppressions). A muted FAIL is `excepted-in-tool`; a muted PASS stays a pass.
 * `MUTED (FAIL)`, as Prowler's dashboard shows it, is read the same way.
 */
export function prowlerResult(status: string | undefined, muted: boolean): { result: NormalisedResult; known: boolean } {
  const word = (status ?? '').trim().toUpperCase();
  // Prowler's dashboard and console write a muted result as `MUTED (FAIL)`.
  const mutedWord = /^MUTED \((\w+)\)$/.exec(word);
  if (mutedWord) return prowlerResult(mutedWord[1], true);
  switch (word) {
    case 'PASS':
      return { result: 'pass', known: true };
    case 'FAIL':
      return { result: muted ? 'excepted-in-tool' : 'fail', known: true };
    case 'MANUAL':
    case 'INFO':
      return { result: 'not-evaluated', known: true };
    case 'WARNING':
      return { result: 'excepted-in-tool', known: true };
    default:
      return { result: 'not-evaluated', known: false };
  }
}

/** Prowler's MUTED value (`True`/`False` in CSV, a boolean in JSON); undefined when it is neither. */
export function parseMuted(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  const v = String(value).trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  return undefined;
}

/**
 * A CSV `COMPLIANCE` cell, `CIS-2.0: 1.20 | SOC2: cc_6_1, cc_7_2`, as references.
 * Prowler joins a framework's ids with `, `, so an id that itself contains a
 * comma (AWS-Account-Security-Onboarding's "Billing, emergency, security
 * contacts") comes out split; the OCSF output keeps such ids whole.
 */
export function parseComplianceCell(cell: string | undefined): ToolRefs {
  const refs: ToolRefs = [];
  if (!cell) return refs;
  for (const part of cell.split('|')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const framework = part.slice(0, colon).trim();
    if (!framework) continue;
    for (const id of part.slice(colon + 1).split(',')) {
      const control = id.trim();
      if (control) refs.push({ framework, control });
    }
  }
  return refs;
}

/** A JSON `Compliance` / `unmapped.compliance` object, `{ "SOC2": ["cc_6_1"] }`, as references; undefined when it is not such an object. */
export function complianceObjectRefs(value: unknown): ToolRefs | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const refs: ToolRefs = [];
  for (const [framework, ids] of Object.entries(value as Record<string, unknown>)) {
    const list = Array.isArray(ids) ? ids : [ids];
    for (const id of list) {
      if (typeof id === 'string' && id.trim()) refs.push({ framework, control: id.trim() });
      else if (typeof id === 'number') refs.push({ framework, control: String(id) });
    }
  }
  return refs;
}

/**
 * A Prowler time stamp as text ingestion can read: Unix seconds (`--unix-timestamp`,
 * OCSF `time`) become ISO 8601; other text is passed on (ingestion reports it if invalid).
 * Prowler's `TIMESTAMP`/`time_dt` text has no offset: it is the scanning machine's
 * local time and is read as UTC. OCSF `time` is exact, so prowler-ocsf prefers it.
 */
export function prowlerInstant(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? epochToIso(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (!t) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(t)) return epochToIso(Number(t));
  return t;
}

function epochToIso(n: number): string | undefined {
  const ms = n > 1e11 ? n : n * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Row-level diagnostics with a cap per kind, so a broken 500 MB export cannot flood the report. */
export function rowDiagnostics(ctx: Pick<AdapterContext, 'file' | 'diagnostics'>) {
  const counts = { warning: 0, error: 0 };
  const report = (severity: 'warning' | 'error', at: Omit<Location, 'file'>, detail: string, hint?: string) => {
    counts[severity]++;
    if (counts[severity] > MAX_ROW_DIAGNOSTICS) return;
    if (severity === 'warning') ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, ...at }, { args: { detail, hint } });
    else ctx.diagnostics.report('evidence-parse', { file: ctx.file, ...at }, { args: { detail, hint } });
  };
  return {
    warn: (at: Omit<Location, 'file'>, detail: string, hint?: string) => report('warning', at, detail, hint),
    error: (at: Omit<Location, 'file'>, detail: string, hint: string) => report('error', at, detail, hint),
    finish() {
      const more = (n: number) => `${n - MAX_ROW_DIAGNOSTICS} more records with this kind of problem in this file (only the first ${MAX_ROW_DIAGNOSTICS} are listed)`;
      if (counts.warning > MAX_ROW_DIAGNOSTICS) ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file }, { args: { detail: `${more(counts.warning)}.` } });
      if (counts.error > MAX_ROW_DIAGNOSTICS) ctx.diagnostics.report('evidence-parse', { file: ctx.file }, { args: { detail: more(counts.error) } });
    },
  };
}

/** Prowler adapters read Prowler's own fields: `fields`, `records` (and `delimiter` for JSON) do not apply. */
export function validateProwlerConfig(source: SourceConfig, report: (field: string, message: string, hint: string) => void, opts: { csv: boolean }): void {
  for (const key of Object.keys(source.fields)) {
    report(`fields.${key}`, `\`${source.format}\` reads Prowler's own columns; \`fields\` does not apply.`, 'Remove `fields` from source.yaml; use `map:` rules (or `useToolMappings: true`) to tie checks to controls.');
  }
  if (source.records) report('records', `\`${source.format}\` knows where Prowler puts its findings; \`records\` does not apply.`, 'Remove `records` from source.yaml.');
  if (!opts.csv && source.delimiter) report('delimiter', `\`${source.format}\` reads JSON; \`delimiter\` does not apply.`, 'Remove `delimiter` from source.yaml.');
}

export interface ByteWatch {
  bytes: number;
  /** A character other than JSON white space was seen. */
  content: boolean;
  /** The first few KB as text, to name a wrong document in errors. */
  head: string;
  /** Lines and the length of the last line so far (for the position of a truncated end). */
  lines: number;
  lastLineLength: number;
  decodeError?: DecodeError;
}

const HEAD_CHARS = 4096;

export function newByteWatch(): ByteWatch {
  return { bytes: 0, content: false, head: '', lines: 1, lastLineLength: 0 };
}

/**
 * Passes bytes through unchanged while checking they are strict UTF-8 (the
 * JSON parser would silently replace bad bytes) and noting position and head.
 * Throws a DecodeError (also kept in `w.decodeError`) on bad bytes.
 */
export async function* watchBytes(chunks: AsyncIterable<Uint8Array>, w: ByteWatch): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let first = true;
  const take = (text: string) => {
    if (w.head.length < HEAD_CHARS) w.head += text.slice(0, HEAD_CHARS - w.head.length);
    if (!w.content && /[^\s\uFEFF]/.test(text)) w.content = true;
    let i = text.indexOf('\n');
    if (i === -1) {
      w.lastLineLength += text.length;
      return;
    }
    let last = i;
    while (i !== -1) {
      w.lines++;
      last = i;
      i = text.indexOf('\n', i + 1);
    }
    w.lastLineLength = text.length - last - 1;
  };
  for await (const chunk of chunks) {
    if (first && chunk.length >= 2) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        w.decodeError = new DecodeError('utf16', 0);
        throw w.decodeError;
      }
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      w.decodeError = new DecodeError('invalid-utf8', w.bytes);
      throw w.decodeError;
    }
    w.bytes += chunk.length;
    take(text);
    yield chunk;
  }
  try {
    take(decoder.decode());
  } catch {
    w.decodeError = new DecodeError('invalid-utf8', w.bytes);
    throw w.decodeError;
  }
}

/** What a document that is not the expected Prowler JSON looks like, from its first few KB. */
export function describeForeignJson(head: string): string {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  const kind = t.startsWith('{') ? 'a JSON object' : t.startsWith('"') ? 'a JSON string' : /^[-\d]/.test(t) ? 'a JSON number' : /^(true|false|null)\b/.test(t) ? `JSON \`${/^\w+/.exec(t)![0]}\`` : 'not a JSON list';
  let looks = '';
  if (/"SchemaVersion"\s*:\s*2\b/.test(t) && /"ArtifactName"|"Results"|"Trivy"/.test(t)) looks = 'a Trivy JSON report';
  else if (/"SchemaVersion"\s*:\s*"2018-10-08"/.test(t) || /^\{\s*"[Ff]indings"\s*:/.test(t)) looks = 'AWS Security Finding Format (ASFF) findings';
  else if (/"\$schema"\s*:\s*"[^"]*sarif/i.test(t) || (/"runs"\s*:/.test(t) && /"version"\s*:\s*"2\.1\.0"/.test(t))) looks = 'a SARIF log';
  else if (/"summaryDetails"\s*:/.test(t) || (/"frameworks"\s*:/.test(t) && /"clusterName"\s*:/.test(t))) looks = 'a Kubescape report';
  else if (/"check_type"\s*:/.test(t) && /"results"\s*:/.test(t)) looks = 'a Checkov report';
  else if (/"Controls"\s*:\s*\[/.test(t) && /"node_type"\s*:/.test(t)) looks = 'a kube-bench report';
  return looks ? `${kind}; it looks like ${looks}` : kind;
}

/**
 * What a first record that is not the expected shape looks like, for the error
 * message: another Prowler JSON flavour or a foreign record.
 */
export function describeForeignRecord(rec: unknown): { what: string; format?: string } {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return { what: `a list whose first element is ${rec === null ? 'null' : Array.isArray(rec) ? 'a list' : `a ${typeof rec}`}` };
  const r = rec as Record<string, unknown>;
  const meta = r.metadata as Record<string, unknown> | undefined;
  if (r.class_uid === 2004 || (meta && typeof meta === 'object' && 'event_code' in meta && 'status_code' in r)) return { what: 'Prowler JSON-OCSF (Detection Findings)', format: 'prowler-ocsf' };
  if ('class_uid' in r) return { what: `OCSF events of class_uid ${JSON.stringify(r.class_uid)}, not Detection Findings (2004)` };
  if ('CheckID' in r && 'Status' in r) return { what: 'Prowler 3 native JSON', format: 'prowler-json' };
  if ('SchemaVersion' in r && 'ProductArn' in r) return { what: 'AWS Security Finding Format (ASFF) findings, e.g. Prowler `--output-formats json-asff`' };
  if ('Control' in r && 'Status' in r) return { what: 'Prowler 2 JSON, which is not supported' };
  const keys = Object.keys(r).slice(0, 6).map((k) => `\`${k}\``).join(', ');
  return { what: `a list of objects with keys ${keys || '(none)'}` };
}

/**
 * Reports why a streamed Prowler JSON file could not be read: bad encoding, an
 * empty file, a document that is not a list, a truncated file, or a syntax error.
 * Returns false when `e` is not a reading problem (a bug: the caller rethrows).
 */
export function reportJsonFailure(e: unknown, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>, w: ByteWatch, expected: string, exportHint: string): boolean {
  if (w.decodeError) {
    ctx.diagnostics.report('encoding-invalid', { file: ctx.file }, { args: { detail: w.decodeError.message } });
    return true;
  }
  if (!(e instanceof JsonStreamError)) return false;
  const diagnostics: DiagnosticBag = ctx.diagnostics;
  if (!w.content) {
    diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
      args: { detail: 'the file is empty', hint: `Re-run the export; an empty file is never read as zero findings. ${exportHint}` },
    });
    return true;
  }
  if (/expected a list/.test(e.message)) {
    diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
      args: { detail: `expected ${expected}, but the document is ${describeForeignJson(w.head)}`, hint: `Check that this source's \`format:\` matches the file. ${exportHint}` },
    });
    return true;
  }
  if (/truncated/.test(e.message)) {
    diagnostics.report('evidence-parse', { file: ctx.file, line: w.lines, column: w.lastLineLength + 1, field: `byte ${w.bytes}` }, {
      args: {
        detail: `${e.message.replace(/: the file looks truncated$/, '')} at byte ${w.bytes} (line ${w.lines}): the file looks truncated`,
        hint: 'The file looks truncated (an interrupted scan or copy): re-run the export; a partial file is never read as zero findings.',
      },
    });
    return true;
  }
  return reportJsonStreamError(e, ctx);
}
