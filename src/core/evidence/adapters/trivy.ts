/**
 * `format: trivy`: Trivy JSON reports (`--format json`).
 *
 * Shapes, detected per document and per element (key order is not relied on):
 * - scan reports (SchemaVersion 2: `trivy image|fs|repo|config|sbom`): `Results[]`,
 *   each with `Target`, `Class`, `Type` and `Vulnerabilities[]`, `Misconfigurations[]`,
 *   `Secrets[]`, `Licenses[]`, `ExperimentalModifiedFindings[]` (`--show-suppressed`);
 * - `trivy k8s` reports: `ClusterName` and `Resources[]` (`--report all`), `Findings[]`
 *   (`--report summary`) or, before v0.40, `Vulnerabilities[]` / `Misconfigurations[]`,
 *   each element a Kubernetes resource (`Namespace`, `Kind`, `Name`, `Results[]`, `Error`);
 * - `--compliance` reports: `ID`, `Title` and `Results[]` of controls (`--report all`)
 *   or `SummaryControls[]` (`--report summary`).
 *
 * Normalisation:
 * - vulnerability: check = `VulnerabilityID`, resource = `<Target>:<PkgName>@<InstalledVersion>`.
 *   Trivy's fix state is not a result: a vulnerability at or above source.yaml
 *   `severityThreshold` FAILS its check; below it, it is `not-evaluated` (informational).
 *   The default threshold is `high` (DEFAULT_SEVERITY_THRESHOLD). `UNKNOWN` or missing
 *   severity fails (fail closed: it cannot be shown to be below the threshold).
 * - misconfiguration: check = `AVDID` when present, else `ID`, as the file writes them
 *   (old `AVD-DS-0002`, new `DS-0002`); PASS/FAIL/EXCEPTION -> pass/fail/excepted-in-tool;
 *   resource = `CauseMetadata.Resource`, else `Target`. A target with only a
 *   `MisconfSummary` (counts, no list) emits nothing: Trivy names no check there.
 * - secret: a FAIL of check `secret:<RuleID>`, resource `<Target>:<StartLine>` (the
 *   matched text is never copied).
 * - license: check `license:<Name>`, the same severity threshold as vulnerabilities.
 * - suppressed findings (`ExperimentalModifiedFindings`): what would fail is `excepted-in-tool`.
 * - k8s: the resource is prefixed with `<Namespace>/<Kind>/<Name>` and a space; a resource
 *   whose scan failed (`Error`) is an `error` result of check `scan-error`.
 * - compliance: one record per control result, check = control ID, toolRefs
 *   `[{ framework: <report ID>, control: <control ID> }]`; a control without results is
 *   not evaluated; a summary control counts `TotalFail` (0 = pass, absent = manual).
 *
 * Zero findings is a valid scan (a clean image); a document that is not Trivy's is an error.
 * Trivy k8s reports reach hundreds of MB, so the file is streamed: only one element of the
 * large lists is in memory at a time (walkJson below).
 *
 * This file also holds the streaming JSON walker shared by the kubescape and kube-bench adapters.
 */
import { Assembler } from 'stream-json/assembler.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import type { Location } from '../../diagnostics/diagnostic.ts';
import { parseInstant } from '../../util/time.ts';
import { DecodeError, decodeUtf8 } from '../decode.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';

// ---------------------------------------------------------------------------
// Streaming JSON walker (shared with kubescape.ts and kube-bench.ts)
// ---------------------------------------------------------------------------

/** What to do with a member of the root object (or with a root array, key ''). */
export type MemberMode = 'value' | 'items' | 'skip';

export type JsonWalkEvent =
  | { kind: 'root'; type: 'object' | 'array' | 'scalar'; value?: unknown; line: number; document: number }
  /** A member read whole (`value`), a skipped one (`skipped`), or an `items` member that is not a list. */
  | { kind: 'member'; key: string; value: unknown; skipped?: boolean; line: number }
  /** One element of an `items` member (key '' for a root array). */
  | { kind: 'item'; key: string; index: number; value: unknown; line: number }
  | { kind: 'items-end'; key: string; count: number }
  | { kind: 'end'; document: number };

/** Invalid or incomplete JSON, located by line (and column inside very long lines). */
export class JsonSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly truncated: boolean;
  constructor(message: string, line: number, column: number, truncated: boolean) {
    super(message);
    this.line = line;
    this.column = column;
    this.truncated = truncated;
  }
}

const NONE = Symbol.for('object-stream.none');
/** Longest piece fed to the tokenizer: pieces end at line ends, so errors carry a line. */
const PIECE = 1024;

type Cont = 'object' | 'items' | 'end';

class JsonWalker {
  events: JsonWalkEvent[] = [];
  line = 1;
  documents = 0;
  private readonly select: (key: string) => MemberMode;
  private state: 'root' | 'object' | 'member' | 'items' = 'root';
  private key = '';
  private itemsKey = '';
  private index = 0;
  private readonly asm = new Assembler();
  private capturing: { as: 'member' | 'item'; line: number; cont: Cont } | undefined;
  private skipDepth = 0;
  private skipCont: Cont = 'object';

  constructor(select: (key: string) => MemberMode) {
    this.select = select;
  }

  /** Where the walker is, for messages about truncated files. */
  where(): string {
    if (this.state === 'root') return this.documents === 0 ? 'before any value' : 'after the end of the document';
    if (this.state === 'items' || this.capturing?.as === 'item') return `inside \`${this.itemsKey}[${this.index}]\``;
    if (this.state === 'member' || this.capturing || this.skipDepth) return `inside \`${this.key}\``;
    return 'inside the top-level object';
  }

  token(t: Token): void {
    if (this.capturing) {
      this.asm.consume(t);
      if (this.asm.done) {
        const c = this.capturing;
        this.capturing = undefined;
        const value = this.asm.current;
        this.asm.current = null;
        if (c.as === 'item') this.events.push({ kind: 'item', key: this.itemsKey, index: this.index++, value, line: c.line });
        else this.events.push({ kind: 'member', key: this.key, value, line: c.line });
        this.continueWith(c.cont);
      }
      return;
    }
    if (this.skipDepth > 0) {
      if (t.name === 'startObject' || t.name === 'startArray') this.skipDepth++;
      else if (t.name === 'endObject' || t.name === 'endArray') {
        this.skipDepth--;
        if (this.skipDepth === 0) this.continueWith(this.skipCont);
      }
      return;
    }
    switch (this.state) {
      case 'root': {
        const document = ++this.documents;
        if (t.name === 'startObject') {
          this.events.push({ kind: 'root', type: 'object', line: this.line, document });
          this.state = 'object';
        } else if (t.name === 'startArray') {
          this.events.push({ kind: 'root', type: 'array', line: this.line, document });
          this.key = '';
          this.value(t, this.select(''), 'end');
        } else {
          this.events.push({ kind: 'root', type: 'scalar', value: scalar(t), line: this.line, document });
          this.events.push({ kind: 'end', document });
        }
        return;
      }
      case 'object':
        if (t.name === 'keyValue') {
          this.key = t.value;
          this.state = 'member';
        } else if (t.name === 'endObject') {
          this.continueWith('end');
        }
        return;
      case 'member':
        this.value(t, this.select(this.key), 'object');
        return;
      case 'items':
        if (t.name === 'endArray') {
          this.events.push({ kind: 'items-end', key: this.itemsKey, count: this.index });
          this.continueWith(this.itemsKey === '' ? 'end' : 'object');
        } else if (t.name === 'startObject' || t.name === 'startArray') {
          this.asm.consume(t);
          this.capturing = { as: 'item', line: this.line, cont: 'items' };
        } else {
          this.events.push({ kind: 'item', key: this.itemsKey, index: this.index++, value: scalar(t), line: this.line });
        }
        return;
    }
  }

  private value(t: Token, mode: MemberMode, cont: Cont): void {
    const container = t.name === 'startObject' || t.name === 'startArray';
    if (mode === 'items' && t.name === 'startArray') {
      this.itemsKey = this.key;
      this.index = 0;
      this.state = 'items';
      return;
    }
    if (!container) {
      this.events.push(mode === 'skip' ? { kind: 'member', key: this.key, value: undefined, skipped: true, line: this.line } : { kind: 'member', key: this.key, value: scalar(t), line: this.line });
      this.continueWith(cont);
      return;
    }
    if (mode === 'skip') {
      this.events.push({ kind: 'member', key: this.key, value: undefined, skipped: true, line: this.line });
      this.skipDepth = 1;
      this.skipCont = cont;
      return;
    }
    this.asm.consume(t);
    this.capturing = { as: 'member', line: this.line, cont };
  }

  private continueWith(cont: Cont): void {
    if (cont === 'end') {
      this.events.push({ kind: 'end', document: this.documents });
      this.state = 'root';
    } else this.state = cont;
  }
}

function scalar(t: Token): unknown {
  switch (t.name) {
    case 'stringValue': return t.value;
    case 'numberValue': return Number(t.value);
    case 'trueValue': return true;
    case 'falseValue': return false;
    default: return null;
  }
}

/**
 * Streams a JSON document (or, with `multiDocument`, several documents one after
 * another) and yields the members of its root object: small ones whole, large
 * lists (`items`) element by element, the rest skipped. Strict UTF-8. Throws
 * JsonSyntaxError (with a line) for invalid, truncated or empty input.
 */
export async function* walkJson(
  chunks: AsyncIterable<Uint8Array>,
  select: (key: string) => MemberMode,
  options: { multiDocument?: boolean } = {},
): AsyncGenerator<JsonWalkEvent> {
  const tokenize = jsonParser({ packValues: true, streamValues: false, jsonStreaming: options.multiDocument ?? false }) as unknown as (input: string | symbol) => unknown;
  const walker = new JsonWalker(select);
  let line = 1;
  let column = 1;
  let content = false;
  // End of the last non-blank text: where a truncated document is reported.
  let lastLine = 1;
  let lastColumn = 1;
  const run = (input: string | symbol, atEnd: boolean) => {
    let out: unknown;
    try {
      out = tokenize(input);
    } catch (e) {
      const raw = ((e as Error).message || String(e)).replace(/^Parser cannot parse input: /, '').replace(/^Parser has expected /, 'expected ');
      if (atEnd) throw new JsonSyntaxError(`the document ends ${walker.where()} (${raw}): the file looks truncated`, lastLine, lastColumn, true);
      const after = !options.multiDocument && walker.where() === 'after the end of the document';
      throw new JsonSyntaxError(after ? 'unexpected text after the end of the JSON document' : `invalid JSON ${walker.where()}: ${raw}`, line, column, false);
    }
    if (out === NONE) return;
    walker.line = line;
    for (const t of (out as { values: Token[] }).values) walker.token(t);
  };
  for await (const text of decodeUtf8(chunks)) {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      let end = nl === -1 ? text.length : nl + 1;
      if (end - start > PIECE) end = start + PIECE;
      const piece = start === 0 && end === text.length ? text : text.slice(start, end);
      const used = piece.trimEnd().length;
      if (used > 0) {
        content = true;
        lastLine = line;
        lastColumn = column + used;
      }
      run(piece, false);
      if (piece.charCodeAt(piece.length - 1) === 10) {
        line++;
        column = 1;
      } else column += piece.length;
      start = end;
      if (walker.events.length) {
        const events = walker.events;
        walker.events = [];
        yield* events;
      }
    }
  }
  if (!content) throw new JsonSyntaxError('the file is empty', 1, 1, false);
  run(NONE, true);
  yield* walker.events;
  walker.events = [];
}

/** Reports a walkJson failure (bad JSON, bad encoding) as a located diagnostic; false for anything else. */
export function reportWalkError(e: unknown, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>): boolean {
  if (e instanceof DecodeError) {
    ctx.diagnostics.report('encoding-invalid', { file: ctx.file, line: e.line }, { args: { detail: e.message } });
    return true;
  }
  if (!(e instanceof JsonSyntaxError)) return false;
  const at: Location = { file: ctx.file, line: e.line };
  if (e.column > 1) at.column = e.column;
  ctx.diagnostics.report('evidence-parse', at, {
    args: {
      detail: e.message,
      hint: e.truncated
        ? 'Re-run the export and copy the whole file; a partial file is never read as zero findings.'
        : e.message === 'the file is empty'
          ? 'Export the tool report into this file again; an empty file is never read as zero findings.'
          : 'Check the JSON near this line, or re-export the file from the tool.',
    },
  });
  return true;
}

/** Collects located problems, at most `max` of one kind per file, then one summary line. */
export function problemReporter(ctx: Pick<AdapterContext, 'file' | 'diagnostics'>, max = 5) {
  const counts = new Map<string, { n: number; rule: 'evidence-parse' | 'evidence-record-invalid' }>();
  const add = (rule: 'evidence-parse' | 'evidence-record-invalid', kind: string, at: Omit<Location, 'file'>, detail: string, hint?: string) => {
    const c = counts.get(kind) ?? { n: 0, rule };
    c.n++;
    counts.set(kind, c);
    if (c.n <= max) ctx.diagnostics.report(rule, { file: ctx.file, ...at }, { args: hint ? { detail, hint } : { detail } });
  };
  return {
    /** A structural problem: the file fails. */
    error: (kind: string, at: Omit<Location, 'file'>, detail: string, hint?: string) => add('evidence-parse', kind, at, detail, hint),
    /** A record-level problem: reported, the row is kept as not evaluated. */
    warn: (kind: string, at: Omit<Location, 'file'>, detail: string, hint?: string) => add('evidence-record-invalid', kind, at, detail, hint),
    /** Reports how many problems of each kind were left out. */
    flush(): void {
      for (const [kind, c] of counts) {
        if (c.n <= max) continue;
        const more = c.n - max;
        const detail = `${more} more problem${more === 1 ? '' : 's'} like this in the file: ${kind}`;
        ctx.diagnostics.report(c.rule, { file: ctx.file }, { args: { detail, hint: 'Only the first ones are listed with their place.' } });
      }
    },
  };
}
export type ProblemReporter = ReturnType<typeof problemReporter>;

/** Small value helpers for untrusted JSON. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
export function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
/** A value for a message: text in backticks, anything else described. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? `\`${v.slice(0, 60)}\`` : describeJson(v);
}
export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'boolean') return `\`${v}\``;
  return `${typeof v === 'number' ? 'the number' : 'the text'} \`${String(v).slice(0, 40)}\``;
}

/** The list under `key` (`null`/absent = empty, as Go writes empty lists); anything else is a structural error. */
export function listField(obj: Record<string, unknown>, key: string, field: string, line: number, problems: ProblemReporter): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  problems.error(`\`${key}\` is not a list`, { line, field: `${field}.${key}` }, `\`${field}.${key}\` should be a list but is ${describeJson(v)}`, 'The file does not have the shape this format expects: re-export it from the tool, or check `format:` in source.yaml.');
  return [];
}

/**
 * Go writes an unset time as 0001-01-01T00:00:00Z: that is "absent", not a date.
 * Returns the ISO text when `v` is a real instant.
 */
/**
 * Takes the file's collection time from an export field (Trivy `CreatedAt`, Kubescape
 * `generationTime`); warns when it is not a date, or comes after records already emitted.
 */
export function applyExportTime(ctx: AdapterContext, problems: ProblemReporter, field: string, value: unknown, line: number, emitted: number, tool: string): void {
  const t = exportTime(value);
  if (t.ok) {
    ctx.meta.collectedAt = t.value;
    ctx.meta.collectedAtFrom = `field ${field}`;
    if (emitted > 0) {
      problems.warn(`late ${field}`, { line, field }, `\`${field}\` comes after the results in this file, so it was not applied to them`, `Set \`collectedAt:\` in source.yaml, or keep the file as ${tool} writes it.`);
    }
  } else if (t.reason === 'invalid') {
    problems.warn(`invalid ${field}`, { line, field }, `\`${field}\` (${describeJson(value)}) is not a date and time, so the collection time of this file is unknown`, 'Set `collectedAt:` in source.yaml.');
  }
}

export function exportTime(v: unknown): { ok: true; value: string } | { ok: false; reason: 'absent' | 'invalid' } {
  const s = text(v);
  if (!s || /^0001-01-01T00:00:00(\.0+)?(Z|[+-]00:?00)?$/.test(s)) return { ok: false, reason: 'absent' };
  return parseInstant(s) ? { ok: true, value: s } : { ok: false, reason: 'invalid' };
}

// ---------------------------------------------------------------------------
// Trivy
// ---------------------------------------------------------------------------

/** severityThreshold when source.yaml sets none: HIGH and CRITICAL fail, lower severities are informational. */
export const DEFAULT_SEVERITY_THRESHOLD = 'high' as const;

const SEVERITY_RANK: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

const MISCONF_STATUS: Record<string, NormalisedResult> = { PASS: 'pass', FAIL: 'fail', EXCEPTION: 'excepted-in-tool' };

const TOP_LEVEL: Record<string, MemberMode> = {
  Results: 'items',
  Resources: 'items',
  Findings: 'items',
  Vulnerabilities: 'items',
  Misconfigurations: 'items',
  SummaryControls: 'items',
  SchemaVersion: 'value',
  CreatedAt: 'value',
  Trivy: 'value',
  ArtifactName: 'value',
  ArtifactType: 'value',
  ClusterName: 'value',
  ID: 'value',
  Title: 'value',
};

const NOT_TRIVY_HINT = 'Export with `trivy image|fs|config|k8s ... --format json` (compliance: add `--compliance <spec> --report all`), or check `format:` in source.yaml.';

interface Where {
  field: string;
  line: number;
}

class TrivyReader {
  private readonly ctx: AdapterContext;
  private readonly problems: ProblemReporter;
  private readonly threshold: number;
  private emitted = 0;
  readonly top = new Map<string, unknown>();
  readonly seen = new Set<string>();
  controlsWithoutReportId = 0;

  constructor(ctx: AdapterContext) {
    this.ctx = ctx;
    this.problems = problemReporter(ctx);
    this.threshold = SEVERITY_RANK[(ctx.source.severityThreshold ?? DEFAULT_SEVERITY_THRESHOLD).toUpperCase()]!;
  }

  private emit(rec: EvidenceRecord): void {
    this.emitted++;
    this.ctx.emit(rec);
  }

  async read(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const ev of walkJson(chunks, (k) => (Object.hasOwn(TOP_LEVEL, k) ? TOP_LEVEL[k]! : 'skip'))) {
        if (ev.kind === 'root') {
          if (ev.type !== 'object') {
            const detail = ev.type === 'array' ? 'the document is a list, not a Trivy report object' : `the document is ${describeJson(ev.value)}, not a Trivy report object`;
            const hint = ev.type === 'array' ? `Trivy before v0.20 wrote a bare list (schema 1); re-run a current Trivy. ${NOT_TRIVY_HINT}` : NOT_TRIVY_HINT;
            this.ctx.diagnostics.report('evidence-parse', { file: this.ctx.file, line: ev.line, field: '(root)' }, { args: { detail, hint } });
            return;
          }
        } else if (ev.kind === 'member') {
          this.seen.add(ev.key);
          if (!ev.skipped) this.member(ev.key, ev.value, ev.line);
        } else if (ev.kind === 'item') {
          this.seen.add(ev.key);
          this.item(ev.key, ev.index, ev.value, ev.line);
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

  private member(key: string, value: unknown, line: number): void {
    this.top.set(key, value);
    switch (key) {
      case 'CreatedAt':
        applyExportTime(this.ctx, this.problems, 'CreatedAt', value, line, this.emitted, 'Trivy');
        return;
      case 'Trivy': {
        const v = text(record(value)?.Version);
        if (v) this.ctx.meta.toolVersion = v;
        return;
      }
      case 'Results':
      case 'Resources':
      case 'Findings':
      case 'Vulnerabilities':
      case 'Misconfigurations':
      case 'SummaryControls':
        if (value !== null) {
          this.problems.error('top-level list', { line, field: key }, `\`${key}\` should be a list but is ${describeJson(value)}`, NOT_TRIVY_HINT);
        }
        return;
    }
  }

  private item(key: string, index: number, value: unknown, line: number): void {
    const field = `${key}[${index}]`;
    const obj = record(value);
    if (!obj) {
      this.problems.error('element not an object', { line, field }, `\`${field}\` should be an object but is ${describeJson(value)}`, NOT_TRIVY_HINT);
      return;
    }
    const at = { field, line };
    if (key === 'Results') {
      if ('Target' in obj) this.result(obj, at, undefined);
      else if (text(obj.ID) !== undefined) this.control(obj, at);
      else this.problems.error('unknown result', { line, field }, `\`${field}\` is neither a scan result (no \`Target\`) nor a compliance control (no \`ID\`)`, NOT_TRIVY_HINT);
    } else if (key === 'SummaryControls') {
      this.summaryControl(obj, at);
    } else {
      this.k8sResource(obj, at);
    }
  }

  /** One scan result (a target). `base` prefixes resources in k8s reports. */
  private result(r: Record<string, unknown>, at: Where, base: string | undefined): void {
    const target = text(r.Target) ?? '';
    const p = this.problems;
    const each = (key: string, fn: (f: Record<string, unknown>, w: Where) => EvidenceRecord | undefined) => {
      listField(r, key, at.field, at.line, p).forEach((v, i) => {
        const w = { field: `${at.field}.${key}[${i}]`, line: at.line };
        const f = record(v);
        if (!f) {
          p.error('finding not an object', w, `\`${w.field}\` should be an object but is ${describeJson(v)}`, NOT_TRIVY_HINT);
          return;
        }
        const rec = fn(f, w);
        if (rec) this.emit(rec);
      });
    };
    each('Vulnerabilities', (f, w) => this.vulnerability(f, target, base, w));
    each('Misconfigurations', (f, w) => this.misconfiguration(f, target, base, w));
    each('Secrets', (f, w) => this.secret(f, target, base, w));
    each('Licenses', (f, w) => this.license(f, target, base, w));
    const suppressed = (f: Record<string, unknown>, w: Where) => this.modified(f, target, base, w);
    each('ExperimentalModifiedFindings', suppressed);
    each('ModifiedFindings', suppressed);
  }

  private bySeverity(severity: string | undefined): NormalisedResult {
    const key = severity?.toUpperCase();
    const rank = key && Object.hasOwn(SEVERITY_RANK, key) ? SEVERITY_RANK[key] : undefined;
    if (rank === undefined) return 'fail';
    return rank >= this.threshold ? 'fail' : 'not-evaluated';
  }

  private vulnerability(v: Record<string, unknown>, target: string, base: string | undefined, w: Where): EvidenceRecord {
    const pkg = text(v.PkgName);
    const version = text(v.InstalledVersion);
    const local = pkg ? `${target}:${pkg}${version ? `@${version}` : ''}` : target;
    const resource = prefixed(base, local);
    const id = text(v.VulnerabilityID);
    if (!id) {
      this.problems.warn('vulnerability without id', w, `\`${w.field}\` has no \`VulnerabilityID\`; it is counted as not evaluated`);
      return withResource({ check: '', result: 'not-evaluated' }, resource);
    }
    const severity = text(v.Severity)?.toUpperCase();
    const fixed = text(v.FixedVersion);
    const rec: EvidenceRecord = {
      check: id,
      result: this.bySeverity(severity),
      rawResult: severity ?? 'UNKNOWN',
      severity: severity ?? 'UNKNOWN',
      title: text(v.Title) ?? id,
      message: `${pkg ?? '(package unknown)'}${version ? ` ${version}` : ''}: ${fixed ? `fixed in ${fixed}` : 'no fixed version'}${text(v.Status) ? ` (${text(v.Status)})` : ''}`,
    };
    return withResource(rec, resource);
  }

  private misconfiguration(m: Record<string, unknown>, target: string, base: string | undefined, w: Where): EvidenceRecord {
    const cause = text(record(m.CauseMetadata)?.Resource);
    const resource = base ?? cause ?? target;
    const check = text(m.AVDID) ?? text(m.ID);
    if (!check) {
      this.problems.warn('misconfiguration without id', w, `\`${w.field}\` has neither \`AVDID\` nor \`ID\`; it is counted as not evaluated`);
      return withResource({ check: '', result: 'not-evaluated' }, resource);
    }
    const status = text(m.Status)?.toUpperCase();
    let result = status && Object.hasOwn(MISCONF_STATUS, status) ? MISCONF_STATUS[status] : undefined;
    if (!result) {
      this.problems.warn('unknown misconfiguration status', { ...w, field: `${w.field}.Status` }, `Status ${shown(m.Status ?? null)} is not PASS, FAIL or EXCEPTION; the result is counted as not evaluated`);
      result = 'not-evaluated';
    }
    const rec: EvidenceRecord = { check, result, rawResult: status ?? '(none)' };
    const severity = text(m.Severity);
    if (severity) rec.severity = severity.toUpperCase();
    const title = text(m.Title);
    if (title) rec.title = title;
    const message = text(m.Message) ?? text(m.Description);
    if (message) rec.message = message;
    return withResource(rec, resource);
  }

  private secret(s: Record<string, unknown>, target: string, base: string | undefined, w: Where): EvidenceRecord {
    const startLine = text(s.StartLine);
    const resource = prefixed(base, startLine ? `${target}:${startLine}` : target);
    const rule = text(s.RuleID);
    if (!rule) {
      this.problems.warn('secret without rule id', w, `\`${w.field}\` has no \`RuleID\`; it is counted as not evaluated`);
      return withResource({ check: '', result: 'not-evaluated' }, resource);
    }
    const rec: EvidenceRecord = { check: `secret:${rule}`, result: 'fail', rawResult: 'secret found' };
    const severity = text(s.Severity);
    if (severity) rec.severity = severity.toUpperCase();
    const title = text(s.Title);
    if (title) rec.title = title;
    // Never the matched text or code: even masked, it is the secret's surroundings.
    const category = text(s.Category);
    rec.message = `${category ? `${category} secret` : 'Secret'} found${startLine ? ` at line ${startLine}` : ''}`;
    return withResource(rec, resource);
  }

  private license(l: Record<string, unknown>, target: string, base: string | undefined, w: Where): EvidenceRecord {
    const where = text(l.PkgName) ?? text(l.FilePath);
    const resource = prefixed(base, where ? `${target}:${where}` : target);
    const name = text(l.Name);
    if (!name) {
      this.problems.warn('license without name', w, `\`${w.field}\` has no \`Name\`; it is counted as not evaluated`);
      return withResource({ check: '', result: 'not-evaluated' }, resource);
    }
    const severity = text(l.Severity)?.toUpperCase();
    const category = text(l.Category);
    const rec: EvidenceRecord = {
      check: `license:${name}`,
      result: this.bySeverity(severity),
      rawResult: severity ?? 'UNKNOWN',
      severity: severity ?? 'UNKNOWN',
      title: `License ${name}${category ? ` (${category})` : ''}`,
    };
    return withResource(rec, resource);
  }

  /** A finding Trivy suppressed (.trivyignore, VEX): what would fail is excepted in the tool. */
  private modified(mf: Record<string, unknown>, target: string, base: string | undefined, w: Where): EvidenceRecord | undefined {
    const type = text(mf.Type)?.toLowerCase();
    const finding = record(mf.Finding);
    const fw = { ...w, field: `${w.field}.Finding` };
    if (!finding) {
      this.problems.warn('suppressed finding without Finding', w, `\`${w.field}\` has no \`Finding\` object; it is counted as not evaluated`);
      return { check: '', result: 'not-evaluated' };
    }
    let rec: EvidenceRecord;
    if (type === 'vulnerability') rec = this.vulnerability(finding, target, base, fw);
    else if (type === 'misconfiguration') rec = this.misconfiguration(finding, target, base, fw);
    else if (type === 'secret') rec = this.secret(finding, target, base, fw);
    else if (type === 'license') rec = this.license(finding, target, base, fw);
    else {
      this.problems.warn('unknown suppressed finding type', { ...w, field: `${w.field}.Type` }, `Suppressed finding type ${shown(mf.Type ?? null)} is unknown; it is counted as not evaluated`);
      return { check: '', result: 'not-evaluated' };
    }
    const status = text(mf.Status) ?? 'suppressed';
    if (rec.result === 'fail' || rec.result === 'error') {
      rec.result = 'excepted-in-tool';
      rec.rawResult = status;
    }
    const why = [text(mf.Source), text(mf.Statement)].filter(Boolean).join(': ');
    rec.message = `${status}${why ? ` (${why})` : ''}${rec.message ? `; ${rec.message}` : ''}`;
    return rec;
  }

  private k8sResource(res: Record<string, unknown>, at: Where): void {
    const kind = text(res.Kind);
    const name = text(res.Name);
    if (!kind && !name) {
      this.problems.error('k8s resource without Kind/Name', at, `\`${at.field}\` has neither \`Kind\` nor \`Name\`: it is not a Trivy Kubernetes resource`, NOT_TRIVY_HINT);
      return;
    }
    const base = [text(res.Namespace), kind, name].filter(Boolean).join('/');
    const error = text(res.Error);
    if (error) {
      this.problems.warn('k8s scan error', { ...at, field: `${at.field}.Error` }, `Trivy could not scan ${base}: ${error.slice(0, 300)}; counted as an error result`);
      this.emit({ check: 'scan-error', result: 'error', rawResult: 'Error', resource: base, message: error });
    }
    listField(res, 'Results', at.field, at.line, this.problems).forEach((v, i) => {
      const w = { field: `${at.field}.Results[${i}]`, line: at.line };
      const r = record(v);
      if (!r) this.problems.error('result not an object', w, `\`${w.field}\` should be an object but is ${describeJson(v)}`, NOT_TRIVY_HINT);
      else this.result(r, w, base);
    });
  }

  private toolRefs(control: string): EvidenceRecord['toolRefs'] {
    const report = text(this.top.get('ID'));
    if (!report) {
      this.controlsWithoutReportId++;
      return undefined;
    }
    return [{ framework: report, control }];
  }

  /** A control of a `--compliance ... --report all` report. */
  private control(c: Record<string, unknown>, at: Where): void {
    const id = text(c.ID)!;
    const refs = this.toolRefs(id);
    const title = text(c.Name);
    const severity = text(c.Severity)?.toUpperCase();
    const decorate = (rec: EvidenceRecord, detail: string | undefined): EvidenceRecord => {
      const out: EvidenceRecord = { ...rec, check: id };
      if (title) out.title = title;
      if (severity) out.severity = severity;
      if (refs) out.toolRefs = refs;
      if (detail) out.message = detail;
      return out;
    };
    const results = listField(c, 'Results', at.field, at.line, this.problems);
    if (results.length === 0) {
      const rec: EvidenceRecord = { check: id, result: 'not-evaluated', rawResult: text(c.DefaultStatus) ?? 'no results' };
      this.emit(decorate(rec, 'No scan result for this control: a manual control, or none of its checks applied to anything scanned.'));
      return;
    }
    results.forEach((v, i) => {
      const w = { field: `${at.field}.Results[${i}]`, line: at.line };
      const r = record(v);
      if (!r) {
        this.problems.error('result not an object', w, `\`${w.field}\` should be an object but is ${describeJson(v)}`, NOT_TRIVY_HINT);
        return;
      }
      const target = text(r.Target) ?? '';
      const findings = (key: string, fn: (f: Record<string, unknown>, fw: Where) => EvidenceRecord) =>
        listField(r, key, w.field, w.line, this.problems).forEach((fv, j) => {
          const fw = { field: `${w.field}.${key}[${j}]`, line: w.line };
          const f = record(fv);
          if (!f) this.problems.error('finding not an object', fw, `\`${fw.field}\` should be an object but is ${describeJson(fv)}`, NOT_TRIVY_HINT);
          else this.emit(fn(f, fw));
        });
      findings('Misconfigurations', (f, fw) => {
        const rec = this.misconfiguration(f, target, undefined, fw);
        const check = text(f.AVDID) ?? text(f.ID);
        return rec.check ? decorate(rec, [check, text(f.Message) ?? text(f.Title)].filter(Boolean).join(': ')) : rec;
      });
      // A vulnerability or secret listed under a control is that control's check finding it: a failure.
      findings('Vulnerabilities', (f, fw) => {
        const rec = this.vulnerability(f, target, undefined, fw);
        if (!rec.check) return rec;
        return decorate({ ...rec, result: 'fail', rawResult: 'found' }, `${rec.check} in ${rec.message ?? target}`);
      });
      findings('Secrets', (f, fw) => {
        const rec = this.secret(f, target, undefined, fw);
        return rec.check ? decorate(rec, `${rec.check}: ${rec.message}`) : rec;
      });
    });
  }

  /** A control of a `--compliance ... --report summary` report. */
  private summaryControl(c: Record<string, unknown>, at: Where): void {
    const id = text(c.ID);
    if (!id) {
      this.problems.warn('summary control without id', at, `\`${at.field}\` has no \`ID\`; it is counted as not evaluated`);
      this.emit({ check: '', result: 'not-evaluated' });
      return;
    }
    const rec: EvidenceRecord = { check: id, result: 'not-evaluated' };
    const total = c.TotalFail;
    const status = text(c.Status)?.toUpperCase();
    if (typeof total === 'number') {
      rec.result = total === 0 ? 'pass' : 'fail';
      rec.rawResult = `TotalFail ${total}`;
      if (total > 0) rec.message = `${total} failing result${total === 1 ? '' : 's'}`;
    } else if (status === 'PASS' || status === 'FAIL') {
      rec.result = status === 'PASS' ? 'pass' : 'fail';
      rec.rawResult = status;
    } else {
      rec.rawResult = status ?? 'manual';
      rec.message = 'Manual control: Trivy does not evaluate it.';
    }
    const title = text(c.Name);
    if (title) rec.title = title;
    const severity = text(c.Severity);
    if (severity) rec.severity = severity.toUpperCase();
    const refs = this.toolRefs(id);
    if (refs) rec.toolRefs = refs;
    this.emit(rec);
  }

  /** Document-level checks, once everything was read. */
  private finish(): void {
    const has = (k: string) => this.seen.has(k);
    const scan = has('SchemaVersion') || (has('ArtifactName') && has('ArtifactType'));
    const k8s = has('ClusterName');
    const compliance = has('SummaryControls') || (has('ID') && has('Title') && !scan);
    if (!scan && !k8s && !compliance) {
      this.ctx.diagnostics.report('evidence-parse', { file: this.ctx.file, line: 1, field: '(root)' }, {
        args: {
          detail: 'this is not a Trivy JSON report: it has no `SchemaVersion`, no `ClusterName` and no compliance `ID` and `Title`',
          hint: NOT_TRIVY_HINT,
        },
      });
      return;
    }
    const version = this.top.get('SchemaVersion');
    if (has('SchemaVersion')) {
      if (typeof version !== 'number') {
        this.problems.error('SchemaVersion', { line: 1, field: 'SchemaVersion' }, `\`SchemaVersion\` should be a number but is ${describeJson(version)}`, NOT_TRIVY_HINT);
      } else if (version > 2) {
        this.problems.warn('SchemaVersion', { line: 1, field: 'SchemaVersion' }, `SchemaVersion ${version} is newer than the version this adapter knows (2); the file was read as version 2`, 'Check the results against the file, and report the new version to the portal maintainers.');
      }
    }
    if (this.controlsWithoutReportId > 0 && text(this.top.get('ID'))) {
      this.problems.warn('late report ID', { line: 1, field: 'ID' }, `The report \`ID\` comes after its controls, so ${this.controlsWithoutReportId} control result(s) carry no framework reference`, 'Keep the file as Trivy writes it.');
    }
  }
}

function prefixed(base: string | undefined, local: string): string {
  return base ? (local ? `${base} ${local}` : base) : local;
}

function withResource(rec: EvidenceRecord, resource: string): EvidenceRecord {
  if (resource) rec.resource = resource;
  return rec;
}

export const trivyAdapter: EvidenceAdapter = {
  format: 'trivy',
  description: 'Trivy JSON (`--format json`): image/fs/config scans, `trivy k8s` and `--compliance` reports.',
  defaultFiles: ['**/*.json'],
  async read(chunks, ctx) {
    await new TrivyReader(ctx).read(chunks);
  },
};
