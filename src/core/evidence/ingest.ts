/**
 * Ingestion: streams every file of a source through its adapter, hashes the
 * bytes on the way, maps records to controls, matches exceptions and keeps
 * only compact summaries (counts per check and per control, a capped sample
 * of failing resources). Every row is accounted for:
 * total = mapped + unmapped + notEvaluated (+ skipped by a filter).
 *
 * Work happens per file (ingestFile: serialisable result, so files can be
 * read in worker threads and cached by content hash), then per source
 * (mergeSource). The merge is order-independent except where it must not be
 * (samples, findings pages), and there it follows the sorted file order.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { ExceptionFrontmatter } from '../schemas/exception.ts';
import type { SourceConfig } from '../schemas/source.ts';
import { compareIds, compareStrings } from '../util/suggest.ts';
import { addDuration, parseInstant, type Duration } from '../util/time.ts';
import { controlKey, type ControlIndex } from '../catalog/index.ts';
import { adapterRegistry } from './registry.ts';
import { mayHoldSecret, maskSecrets } from './secrets.ts';
import { detach, pushAll } from '../util/memory.ts';
import { DistinctCounter, type DistinctState } from './distinct.ts';
import { translateToolRef } from '../../mappings/tool-refs.ts';
import type { AdapterContext, EvidenceRecord, FileMeta } from './types.ts';
import { ACK_PREFIX } from './adapters/acknowledgements.ts';

/** Exception-key prefix for tool suppressions that the source approves (honorToolSuppressions). */
export const TOOL_SUPPRESSION_PREFIX = 'tool-suppression:';

/** How many failing resources each check keeps as a sample. */
export const FAILING_SAMPLE_SIZE = 10;

export interface EvidenceFileHandle {
  /** Workspace-relative path. */
  path: string;
  open(): AsyncIterable<Uint8Array>;
}

export type AttachmentLookup = (relative: string) => Promise<{ ok: true; file: EvidenceFileHandle } | { ok: false; reason: 'missing' | 'outside' }>;

export interface SourceInput {
  id: string;
  /** Workspace-relative folder, e.g. `evidence/okta-mfa`. */
  dir: string;
  /** Workspace-relative path of source.yaml. */
  configFile: string;
  config: SourceConfig;
  files: EvidenceFileHandle[];
  resolveAttachment: AttachmentLookup;
  /** Freshness when neither the source nor a record says otherwise. */
  defaultMaxAge: { text: string; value: Duration };
}

export interface FailingSample {
  resource: string;
  result: 'fail' | 'error' | 'excepted-in-tool';
  message?: string;
  file: string;
  line?: number;
}

export interface CheckSummary {
  check: string;
  title?: string;
  severity?: string;
  pass: number;
  fail: number;
  error: number;
  notEvaluated: number;
  exceptedInTool: number;
  /** In-scope control keys (`framework::id`) this check is evidence for. */
  controls: string[];
  failing: FailingSample[];
  /**
   * Set for checks listed in `expectedChecks` that had no result: `pass-by-absence`
   * (one inferred pass, `absenceMeansPass: true`) or `no-result` (counts nothing). Not rows.
   */
  inferred?: 'pass-by-absence' | 'no-result';
  /** format: acknowledgements: roster members without an acknowledgement of the current version (included in `fail`; not rows). */
  missingFromRoster?: number;
}

export interface ControlEvidence {
  pass: number;
  /** Fails, errors and tool-muted results (fail closed). */
  fail: number;
  notEvaluated: number;
  /** Fail counts by the sorted, comma-joined ids of the exceptions whose scope matches them ('' = none). */
  failByExceptions: Record<string, number>;
  checks: string[];
  /** Earliest instant at which some contributing evidence goes stale (ISO). */
  freshUntil: string;
  /** Oldest collection time among contributing evidence (ISO). */
  collectedAt: string;
}

export interface AttachmentSummary {
  path: string;
  sha256: string;
  bytes: number;
}

export interface FileSummary {
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
  collectedAt?: string;
  collectedAtFrom?: string;
  freshUntil?: string;
  toolVersion?: string;
  attachments: AttachmentSummary[];
  /** True when the file could not be read completely: its rows never count as evidence. */
  failed: boolean;
  /** Values that looked like credentials (masked in the site; the raw file is then not published). */
  secrets?: number;
}

export interface RowAccounting {
  total: number;
  mapped: number;
  unmapped: number;
  notEvaluated: number;
  skipped: number;
}

export interface SourceSummary {
  id: string;
  dir: string;
  format: string;
  tool: string;
  title: string;
  description?: string;
  visibility: 'public' | 'internal';
  maxAge: string;
  collectedAt?: string;
  freshUntil?: string;
  files: FileSummary[];
  rows: RowAccounting;
  /** Distinct resources: exact up to distinct.ts's EXACT_LIMIT, then an estimate (resourcesApproximate). */
  resources: number;
  resourcesApproximate: boolean;
  checks: CheckSummary[];
  controls: Record<string, ControlEvidence>;
  /** The source had errors: the build stops, and nothing from it counts as passing. */
  failed: boolean;
  /** Reproducible random sample of rows for auditors. */
  sample?: PopulationSample;
  /** Number of pages of findings written to the row sinks. */
  findingPages?: number;
  /** The pages, in order (build internals: never published). */
  findingPageList?: FindingsPageRef[];
  /** Distinct resource names (sources used as a roster). */
  resourceNames?: string[];
  /** format: acknowledgements: every acknowledgement row read. */
  acknowledgements?: AcknowledgementRow[];
  /** format: acknowledgements: coverage per policy against the roster (set after all sources are read). */
  acknowledgementCoverage?: AcknowledgementCoverage[];
}

export interface AcknowledgementCoverage {
  policy: string;
  version: string;
  roster?: string;
  rosterSize: number;
  /** People who acknowledged the current version. */
  acknowledged: string[];
  /** Roster members who did not (counted as failures of `acknowledgement:<policy>`). */
  missing: string[];
}

/** One row as the site lists it (paginated findings pages and samples). */
export interface FindingRow {
  check: string;
  result: EvidenceRecord['result'];
  rawResult?: string;
  resource?: string;
  severity?: string;
  message?: string;
  file: string;
  line?: number;
  /** In-scope controls the row is evidence for. */
  controls: string[];
}

/** One page of one file's rows, as a row sink wrote it. */
export interface FindingsPageFile {
  /** Where the sink put the page (build internals). */
  path: string;
  /** 1-based number, within its evidence file, of the page's first row. */
  first: number;
  rows: number;
}

/** A page of a source's findings: which evidence file its rows come from. */
export interface FindingsPageRef extends FindingsPageFile {
  file: string;
}

/** Receives every row of a file in reading order (the fs edge writes them as paginated files). */
export interface RowSink {
  write(rec: EvidenceRecord): void;
  close(): Promise<{ pages: FindingsPageFile[] }>;
}

export interface IngestContext {
  controls: ControlIndex;
  exceptions: readonly ExceptionFrontmatter[];
  diagnostics: DiagnosticBag;
  /** Rows of each file go to a sink when given (one per file). */
  rowSink?: (sourceId: string, file: string) => RowSink;
  /** Population sample per source: size (0 = none) and a seed; default seed: `sample:<source id>`. */
  sampling?: { size: number; seed?: string };
}

export interface PopulationSample {
  seed: string;
  size: number;
  population: number;
  rows: (FindingRow & { index: number })[];
}

interface ExceptionMatcher {
  id: string;
  check?: (c: string) => boolean;
  resource?: (r: string) => boolean;
}

function buildExceptionIndex(exceptions: readonly ExceptionFrontmatter[]): Map<string, ExceptionMatcher[]> {
  const byControl = new Map<string, ExceptionMatcher[]>();
  for (const e of exceptions) {
    const m: ExceptionMatcher = { id: e.id };
    if (e.checks?.length) m.check = picomatch(e.checks, { dot: true });
    if (e.resources?.length) m.resource = picomatch(e.resources, { dot: true, bash: true });
    for (const [fw, ids] of Object.entries(e.controls)) {
      for (const id of ids) {
        const key = controlKey(fw, id);
        const list = byControl.get(key) ?? [];
        list.push(m);
        byControl.set(key, list);
      }
    }
  }
  return byControl;
}

/** A matcher for a check or resource pattern: exact, glob, or `/regex/flags`. */
export function patternMatcher(pattern: string): (value: string) => boolean {
  const re = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (re) {
    const rx = new RegExp(re[1]!, re[2]!.replace(/[gy]/g, ''));
    return (v) => rx.test(v);
  }
  if (picomatch.scan(pattern).isGlob) return picomatch(pattern, { dot: true, bash: true });
  return (v) => v === pattern;
}

/**
 * Compiles source.yaml `map:` rules (and, with useToolMappings, the tool's own
 * references) into a record -> in-scope control keys lookup. Rules that look
 * only at the check id are cached per check id.
 */
function buildMapper(config: SourceConfig, controls: ControlIndex) {
  const toKeys = (map: Record<string, string[]>): string[] => {
    const keys: string[] = [];
    for (const [fw, ids] of Object.entries(map)) {
      for (const id of ids) {
        const c = controls.resolve(fw, id);
        if (c && controls.inScope(c.key)) keys.push(c.key);
      }
    }
    return keys;
  };
  const rules = config.map.map((r) => {
    const severities = r.severity?.map((x) => x.toLowerCase());
    return {
      rule: r,
      test: patternMatcher(r.check),
      resource: r.resource ? patternMatcher(r.resource) : undefined,
      severity: severities ? (s: string | undefined) => !!s && severities.includes(s.toLowerCase()) : undefined,
      keys: toKeys(r.controls),
      used: false,
    };
  });
  const checkOnly = rules.every((r) => !r.resource && !r.severity);
  const cache = new Map<string, string[]>();
  const toolCache = new Map<string, string[]>();
  // Adapters hand out one array per distinct compliance cell (prowler-csv memoises them), so the keys of a
  // (check, references) pair are computed once, not per row: a new array per row also cost a merge per row.
  const refsCache = new WeakMap<NonNullable<EvidenceRecord['toolRefs']>, Map<string, string[]>>();
  const fromRules = (rec: EvidenceRecord): string[] => {
    const set = new Set<string>();
    for (const r of rules) {
      if (!r.test(rec.check)) continue;
      if (r.resource && !(rec.resource && r.resource(rec.resource))) continue;
      if (r.severity && !r.severity(rec.severity)) continue;
      r.used = true;
      for (const k of r.keys) set.add(k);
    }
    return [...set];
  };
  const fromTool = (refs: NonNullable<EvidenceRecord['toolRefs']>): string[] => {
    const out: string[] = [];
    for (const ref of refs) {
      const id = `${ref.framework}\u0000${ref.control}`;
      let keys = toolCache.get(id);
      if (!keys) {
        const t = translateToolRef(ref);
        keys = t ? toKeys({ [t.framework]: [t.control] }) : [];
        toolCache.set(id, keys);
      }
      pushAll(out, keys);
    }
    return out;
  };
  return {
    rules,
    /** Whether a record's controls follow from its check id (and tool references) alone. */
    checkOnly,
    forRecord(rec: EvidenceRecord): string[] {
      if (rec.controls) return [...new Set(toKeys(rec.controls))].sort(compareStrings);
      if (!rec.check) return [];
      let keys: string[];
      if (checkOnly) {
        const cached = cache.get(rec.check);
        if (cached) keys = cached;
        else {
          keys = fromRules(rec).sort(compareStrings);
          cache.set(detach(rec.check), keys);
        }
      } else keys = fromRules(rec).sort(compareStrings);
      if (config.useToolMappings && rec.toolRefs?.length) {
        let byCheck = refsCache.get(rec.toolRefs);
        const memo = checkOnly ? byCheck?.get(rec.check) : undefined;
        if (memo) return memo;
        const extra = fromTool(rec.toolRefs);
        if (extra.length) keys = [...new Set([...keys, ...extra])].sort(compareStrings);
        if (checkOnly) {
          if (!byCheck) refsCache.set(rec.toolRefs, (byCheck = new Map()));
          byCheck.set(detach(rec.check), keys);
        }
      }
      return keys;
    },
  };
}

const minIso = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);

/** Bump when the shape or meaning of FileIngest changes: cached results of older versions are ignored. */
export const INGEST_VERSION = 3;

/** Everything a file's ingestion depends on besides its bytes (part of the cache key). */
export interface FileSettings {
  sourceId: string;
  dir: string;
  configFile: string;
  config: SourceConfig;
  defaultMaxAge: { text: string; value: Duration };
  sampleSize: number;
  sampleSeed: string;
  /** format: acknowledgements — current version of each policy (an acknowledgement of another version fails). */
  policyVersions?: Record<string, string>;
  /** Keep the distinct resource names (for a source used as a roster). */
  keepResources?: boolean;
}

/** One acknowledgement row (format: acknowledgements). */
export interface AcknowledgementRow {
  person: string;
  policy: string;
  version: string;
}

/** At most this many names are kept for rosters and acknowledgements. */
export const NAMES_CAP = 200_000;

export interface SampleCandidate {
  priority: number;
  /** 0-based row index within the file. */
  index: number;
  row: FindingRow;
}

/** The serialisable result of one file (worker threads send it, the cache stores it). */
export interface FileIngest {
  version: typeof INGEST_VERSION;
  file: FileSummary;
  rows: RowAccounting;
  /** The distinct resources (exact set of 53-bit hashes, or a sketch), mergeable across files. */
  resources: DistinctState;
  checks: CheckSummary[];
  controls: Record<string, ControlEvidence>;
  /** Which `map:` rules matched something, by index. */
  rulesUsed: boolean[];
  /** Bottom-k sample candidates (smallest priorities). */
  sample: SampleCandidate[];
  /** Findings pages written for this file. */
  pages: FindingsPageFile[];
  diagnostics: Diagnostic[];
  /** Distinct resource names, when settings.keepResources. */
  resourceNames?: string[];
  /** format: acknowledgements. */
  acknowledgements?: AcknowledgementRow[];
}

export interface FileContext {
  controls: ControlIndex;
  exceptions: readonly ExceptionFrontmatter[];
  resolveAttachment: AttachmentLookup;
  rowSink?: RowSink;
}

/** How many results a record stands for: a whole number >= 1, else an adapter bug (never silently 1). */
function weightOf(rec: EvidenceRecord): number {
  if (rec.count === undefined) return 1;
  if (!Number.isSafeInteger(rec.count) || rec.count < 1) throw new Error(`Adapter bug: record count ${String(rec.count)} for check ${rec.check} is not a whole number >= 1`);
  return rec.count;
}

/** cyrb53: a fast 53-bit string hash (resource distinct counts, sample priorities). */
export function hash53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Record fields that are searched for credentials (and masked) before anything keeps them. */
const MASKED_FIELDS = ['resource', 'message', 'title'] as const;

/** A 53-bit hash of a row index under a seed (sample priorities), without making a string of it. */
export function mix53(n: number, seed: number): number {
  const lo = (n >>> 0) ^ (seed >>> 0);
  const hi = Math.floor(n / 4294967296) ^ Math.floor(seed / 4294967296);
  let h1 = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ hi;
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  let h2 = Math.imul(hi ^ 0x7f4a7c15 ^ h1, 0x27d4eb2f) ^ lo;
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x165667b1);
  h2 ^= h2 >>> 16;
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Reads one evidence file through its adapter into a FileIngest. Problems become diagnostics. */
export async function ingestFile(file: EvidenceFileHandle, settings: FileSettings, ctx: FileContext): Promise<FileIngest> {
  const { config } = settings;
  const diagnostics = new DiagnosticBag();
  const adapter = adapterRegistry.get(config.format)!;
  const mapper = buildMapper(config, ctx.controls);
  const exceptionIndex = buildExceptionIndex(ctx.exceptions);
  const maxAge = config.maxAge ?? settings.defaultMaxAge;
  const rowsAcc: RowAccounting = { total: 0, mapped: 0, unmapped: 0, notEvaluated: 0, skipped: 0 };
  const checks = new Map<string, CheckSummary>();
  const controlEvidence = new Map<string, ControlEvidence & { checkSet: Set<string> }>();
  const resources = new DistinctCounter();
  const sourceCollectedAt = config.collectedAt ? parseInstant(config.collectedAt)?.toISOString() : undefined;
  const instantCache = new Map<string, string | undefined>();
  let lastInstant = '';
  let lastIso: string | undefined;
  const toIso = (s: string): string | undefined => {
    // Rows of an export mostly share one time stamp: the last one answers without a lookup.
    if (s === lastInstant) return lastIso;
    lastInstant = s;
    lastIso = toIsoCached(s);
    return lastIso;
  };
  const toIsoCached = (s: string): string | undefined => {
    let v = instantCache.get(s);
    if (v === undefined && !instantCache.has(s)) {
      v = parseInstant(s)?.toISOString();
      if (instantCache.size > 10_000) instantCache.clear();
      instantCache.set(detach(s), v);
    }
    return v;
  };
  const freshCache = new Map<string, string>();
  let lastCollectedIso = '';
  let lastFresh = '';
  const freshFrom = (collectedIso: string): string => {
    if (collectedIso === lastCollectedIso) return lastFresh;
    let v = freshCache.get(collectedIso);
    if (!v) {
      v = addDuration(new Date(collectedIso), maxAge.value).toISOString();
      if (freshCache.size > 10_000) freshCache.clear();
      freshCache.set(collectedIso, v);
    }
    lastCollectedIso = collectedIso;
    lastFresh = v;
    return v;
  };
  // Bottom-k sampling: keep the k rows with the smallest seeded priority; exact and mergeable across files.
  const sample: SampleCandidate[] = [];
  const sampleSeed = hash53(`${settings.sampleSeed}\u0000${file.path}`);
  let sampleMax = -1;
  const offerSample = (index: number, rec: EvidenceRecord, keys: string[]) => {
    if (settings.sampleSize <= 0) return;
    const priority = mix53(index, sampleSeed);
    if (sample.length < settings.sampleSize) {
      sample.push({ priority, index, row: toRow(rec, keys) });
      if (sample.length === settings.sampleSize) {
        sample.sort((a, b) => a.priority - b.priority || a.index - b.index);
        sampleMax = sample[sample.length - 1]!.priority;
      }
      return;
    }
    if (priority >= sampleMax) return;
    sample[sample.length - 1] = { priority, index, row: toRow(rec, keys) };
    sample.sort((a, b) => a.priority - b.priority || a.index - b.index);
    sampleMax = sample[sample.length - 1]!.priority;
  };

  let hash = createHash('sha256');
  let bytes = 0;
  const meta: FileMeta = {};
  let rows = 0;
  let invalidTimes = 0;
  let missingTimes = 0;
  const missingRows: ({ line: number } | { field: string })[] = [];
  let fileCollected: string | undefined;
  let fileFresh: string | undefined;
  let secretsFound = 0;

  const toRow = (rec: EvidenceRecord, keys: string[]): FindingRow => {
    const row: FindingRow = { check: detach(rec.check), result: rec.result, file: file.path, controls: keys };
    if (rec.rawResult !== undefined) row.rawResult = detach(rec.rawResult);
    if (rec.resource) row.resource = detach(rec.resource);
    if (rec.severity) row.severity = detach(rec.severity);
    if (rec.message) row.message = detach(rec.message);
    if (rec.line) row.line = rec.line;
    return row;
  };

  /** The tallies of one control in this file, created empty (times are applied by `account`). */
  const getControl = (k: string) => {
    let ce = controlEvidence.get(k);
    if (!ce) {
      ce = { pass: 0, fail: 0, notEvaluated: 0, failByExceptions: {}, checks: [], freshUntil: '', collectedAt: '', checkSet: new Set() };
      controlEvidence.set(k, ce);
    }
    return ce;
  };

  let lastCheck: CheckSummary | undefined;
  /**
   * The tallies one row adds to: its check and the controls its keys name. Passing and not-evaluated rows
   * only count up `pass` and `notEvaluated` here; they reach the controls when the file ends (flushTarget).
   * `fresh` and `collected` are the times last applied to the controls: rows of one export mostly share them.
   */
  type Target = {
    cs: CheckSummary;
    keys: string[];
    ces: (ControlEvidence & { checkSet: Set<string> })[];
    checkAdded: boolean;
    pass: number;
    notEvaluated: number;
    fresh: string | undefined | null;
    collected: string | undefined | null;
  };
  const newTarget = (cs: CheckSummary, keys: string[]): Target =>
    ({ cs, keys, ces: keys.map((k) => getControl(k)), checkAdded: false, pass: 0, notEvaluated: 0, fresh: null, collected: null });
  const flushTarget = (t: Target) => {
    if (t.pass === 0 && t.notEvaluated === 0) return;
    for (const ce of t.ces) {
      ce.pass += t.pass;
      ce.notEvaluated += t.notEvaluated;
    }
    t.pass = 0;
    t.notEvaluated = 0;
  };
  // Rows whose controls follow from their check id alone: one lookup per row finds the check and its controls.
  // (Not rows with tool references that count: most adapters hand out a new array per row, and a lane per
  // array would grow with the rows.)
  const lanes = new Map<string, Target>();
  // Other rows: the check's current target, replaced (and flushed) when a row's keys differ.
  const targets = new Map<CheckSummary, Target>();
  let lastTarget: Target | undefined;

  /** The check summary of a row, created on its first row. */
  const checkFor = (rec: EvidenceRecord, keys: string[]): CheckSummary => {
    const checkId = rec.check || '(no check id)';
    // Rows of one check mostly come together: the last one answers without hashing the id again.
    let cs = lastCheck !== undefined && lastCheck.check === checkId ? lastCheck : checks.get(checkId);
    if (!cs) {
      cs = { check: detach(checkId), pass: 0, fail: 0, error: 0, notEvaluated: 0, exceptedInTool: 0, controls: keys, failing: [] };
      checks.set(cs.check, cs);
    }
    lastCheck = cs;
    // (A new summary starts with these very keys.)
    if (keys !== cs.controls && keys.length && (rec.controls || rec.toolRefs) && !keys.every((k) => cs!.controls.includes(k))) {
      // Keys differ per row only when the row names its own controls or tool references.
      cs.controls = [...new Set([...cs.controls, ...keys])].sort(compareStrings);
    }
    return cs;
  };

  const targetFor = (rec: EvidenceRecord): Target => {
    if (mapper.checkOnly && !rec.controls && !(config.useToolMappings && rec.toolRefs?.length)) {
      let t = lanes.get(rec.check);
      if (!t) {
        const keys = mapper.forRecord(rec);
        t = newTarget(checkFor(rec, keys), keys);
        lanes.set(detach(rec.check), t);
      }
      return t;
    }
    const keys = mapper.forRecord(rec);
    const cs = checkFor(rec, keys);
    let t = lastTarget;
    if (t === undefined || t.cs !== cs || t.keys !== keys) {
      t = targets.get(cs);
      if (t === undefined || t.keys !== keys) {
        if (t) flushTarget(t);
        t = newTarget(cs, keys);
        targets.set(cs, t);
      }
      lastTarget = t;
    }
    return t;
  };

  let lastResource = '';
  const account = (rec: EvidenceRecord, t: Target, collected: string | undefined, fresh: string | undefined) => {
    const { cs, keys } = t;
    // A summary record stands for `count` results: every tally below counts it that many times.
    const w = weightOf(rec);
    const index = rowsAcc.total;
    rowsAcc.total += w;
    if (ctx.rowSink) ctx.rowSink.write(rec);
    offerSample(index, rec, keys);
    const evaluated = rec.result !== 'not-evaluated' && rec.check !== '';
    if (!evaluated) rowsAcc.notEvaluated += w;
    else if (keys.length) rowsAcc.mapped += w;
    else rowsAcc.unmapped += w;
    if (rec.resource && rec.resource !== lastResource) {
      // (A resource's rows mostly come together: adding it again would change nothing.)
      lastResource = rec.resource;
      resources.add(hash53(lastResource));
    }
    if (rec.title && !cs.title) cs.title = detach(rec.title);
    if (rec.severity && !cs.severity) cs.severity = detach(rec.severity);
    // A row without a check id is not evaluated anywhere, in the check tallies too.
    const result = rec.check ? rec.result : 'not-evaluated';
    const failing = result === 'fail' || result === 'error' || result === 'excepted-in-tool';
    switch (result) {
      case 'pass': cs.pass += w; break;
      case 'fail': cs.fail += w; break;
      case 'error': cs.error += w; break;
      case 'excepted-in-tool': cs.exceptedInTool += w; break;
      default: cs.notEvaluated += w;
    }
    if (failing && cs.failing.length < FAILING_SAMPLE_SIZE) {
      const s: FailingSample = { resource: detach(rec.resource ?? '(unnamed resource)'), result: rec.result as FailingSample['result'], file: file.path };
      if (rec.message) s.message = detach(rec.message);
      if (rec.line) s.line = rec.line;
      cs.failing.push(s);
    }
    if (!evaluated) {
      // Not-evaluated rows say nothing about freshness: they never make a control stale or fresh.
      t.notEvaluated += w;
      return;
    }
    if (!t.checkAdded) {
      for (const ce of t.ces) ce.checkSet.add(cs.check);
      t.checkAdded = true;
    }
    if (fresh !== t.fresh || collected !== t.collected) {
      // The oldest collection time and the earliest end of freshness win; the same times again change nothing.
      for (const ce of t.ces) {
        if (fresh && (ce.freshUntil === '' || fresh < ce.freshUntil)) ce.freshUntil = fresh;
        if (collected && (ce.collectedAt === '' || collected < ce.collectedAt)) ce.collectedAt = collected;
      }
      t.fresh = fresh;
      t.collected = collected;
    }
    if (!failing) {
      t.pass += w;
      return;
    }
    for (let i = 0; i < t.ces.length; i++) {
      const ce = t.ces[i]!;
      const k = keys[i]!;
      ce.fail += w;
      if (rec.result === 'excepted-in-tool' && config.honorToolSuppressions) {
        // The workspace approves the tool's own mutes: a pseudo-exception that never expires.
        const exKey = `${TOOL_SUPPRESSION_PREFIX}${settings.sourceId}`;
        ce.failByExceptions[exKey] = (ce.failByExceptions[exKey] ?? 0) + w;
        continue;
      }
      const matchers = exceptionIndex.get(k);
      let exKey = '';
      if (matchers) {
        const ids: string[] = [];
        for (const m of matchers) {
          if (m.check && !m.check(cs.check)) continue;
          if (m.resource && !(rec.resource && m.resource(rec.resource))) continue;
          ids.push(m.id);
        }
        exKey = ids.sort(compareStrings).join(',');
      }
      ce.failByExceptions[exKey] = (ce.failByExceptions[exKey] ?? 0) + w;
    }
  };

  // The last clean value of each masked field: a check's title repeats on every row, and the rows of one
  // resource or message mostly come together, so most values are tested once (one regex test, no allocation).
  let cleanResource = '';
  let cleanMessage = '';
  let cleanTitle = '';
  const mask = (rec: EvidenceRecord, field: (typeof MASKED_FIELDS)[number]) => {
    const m = maskSecrets(rec[field]!);
    if (!m.found.length) return;
    rec[field] = m.text;
    secretsFound++;
    if (secretsFound <= 5) {
      diagnostics.report('secret-in-evidence', { file: file.path, ...(rec.line ? { line: rec.line } : { field: `row ${rows}` }) }, { args: { kinds: m.found.join(', '), field } });
    }
  };
  let lastCollected: string | undefined;
  let lastFreshOut: string | undefined;
  const emit = (rec: EvidenceRecord) => {
    rows += weightOf(rec);
    const { resource, message, title } = rec;
    if (resource && resource !== cleanResource) {
      if (mayHoldSecret(resource)) mask(rec, 'resource');
      else cleanResource = resource;
    }
    if (message && message !== cleanMessage) {
      if (mayHoldSecret(message)) mask(rec, 'message');
      else cleanMessage = message;
    }
    if (title && title !== cleanTitle) {
      if (mayHoldSecret(title)) mask(rec, 'title');
      else cleanTitle = title;
    }
    let collected = sourceCollectedAt;
    if (rec.collectedAt) {
      const iso = toIso(rec.collectedAt);
      if (iso) collected = iso;
      else {
        invalidTimes++;
        if (invalidTimes <= 5) {
          diagnostics.report('collected-at-invalid', { file: file.path, ...(rec.line ? { line: rec.line } : {}), field: 'fields.collectedAt' }, { args: { value: rec.collectedAt } });
        }
      }
    }
    if (!collected && meta.collectedAt) collected = toIso(meta.collectedAt);
    if (!collected && !rec.freshUntil && rec.result !== 'not-evaluated') {
      // Evidence of unknown age never counts as fresh (fail closed): the file is an error.
      missingTimes++;
      if (missingRows.length < 5) missingRows.push(rec.line ? { line: rec.line } : { field: `row ${rows}` });
    }
    const fresh = rec.freshUntil ?? (collected ? freshFrom(collected) : undefined);
    // (The same times as the previous row's change nothing.)
    if (collected && collected !== lastCollected) fileCollected = minIso(fileCollected, (lastCollected = collected));
    if (fresh && fresh !== lastFreshOut) fileFresh = minIso(fileFresh, (lastFreshOut = fresh));
    if (rec.controls) reportUnknownControls(rec.controls, rec.line);
    if (settings.policyVersions && rec.check.startsWith(ACK_PREFIX)) judgeAcknowledgement(rec);
    if (settings.keepResources && rec.resource && resourceNames.size < NAMES_CAP) resourceNames.add(detach(rec.resource));
    account(rec, targetFor(rec), collected, fresh);
  };

  const resourceNames = new Set<string>();
  const acknowledgements: AcknowledgementRow[] = [];
  let unknownPolicies = 0;
  const judgeAcknowledgement = (rec: EvidenceRecord) => {
    const policy = rec.check.slice(ACK_PREFIX.length);
    const current = settings.policyVersions![policy];
    if (current === undefined) {
      rec.result = 'not-evaluated';
      unknownPolicies++;
      if (unknownPolicies <= 5) {
        diagnostics.report('evidence-record-invalid', { file: file.path, ...(rec.line ? { line: rec.line } : {}) }, {
          args: { detail: `No policy with the id \`${policy}\`; this acknowledgement is not evaluated.`, hint: 'Use the `id:` of a policy in content/policies/.' },
        });
      }
      return;
    }
    if (rec.result !== 'pass') return;
    if (acknowledgements.length < NAMES_CAP) acknowledgements.push({ person: detach(rec.resource ?? ''), policy: detach(policy), version: detach(rec.rawResult ?? '') });
    if ((rec.rawResult ?? '').trim() !== current) {
      rec.result = 'fail';
      rec.message = `${rec.message ?? ''}; the current version is ${current}`;
    }
  };
  const reportedUnknown = new Set<string>();
  const reportUnknownControls = (map: Record<string, string[]>, line: number | undefined) => {
    for (const [fw, ids] of Object.entries(map)) {
      if (!ctx.controls.hasFramework(fw)) {
        if (reportedUnknown.has(fw)) continue;
        reportedUnknown.add(fw);
        diagnostics.report('unknown-framework', { file: file.path, ...(line ? { line } : {}), field: `controls.${fw}` }, {
          args: { id: fw, suggestion: ctx.controls.suggestFramework(fw), known: ctx.controls.frameworkIds().join(', ') },
        });
        continue;
      }
      for (const id of ids) {
        if (ctx.controls.resolve(fw, id) || reportedUnknown.has(`${fw}::${id}`)) continue;
        reportedUnknown.add(`${fw}::${id}`);
        diagnostics.report('unknown-control', { file: file.path, ...(line ? { line } : {}), field: `controls.${fw}` }, {
          args: { id, framework: fw, suggestion: ctx.controls.suggestControl(fw, id) },
        });
      }
    }
  };

  const adapterCtx: AdapterContext = {
    file: file.path,
    sourceDir: settings.dir,
    source: config,
    diagnostics,
    emit,
    skip: () => {
      rowsAcc.skipped++;
      rowsAcc.total++;
    },
    meta,
    resolveAttachment: async (rel) => {
      const r = await ctx.resolveAttachment(rel);
      return r.ok ? { ok: true, path: r.file.path } : r;
    },
  };
  let fullyRead = false;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of file.open()) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
    fullyRead = true;
  }
  const source = hashed();
  try {
    try {
      await adapter.read(source, adapterCtx);
    } finally {
      // An adapter that stopped early (a bad header, a parse error) leaves the file open: close it.
      if (!fullyRead) await source.return(undefined);
    }
    const unreadable = diagnostics.items.some((d) => d.rule === 'io-error' && d.file === file.path);
    if (!fullyRead && !unreadable) {
      // The adapter stopped early (a bad header, a parse error): hash the whole file anyway.
      hash = createHash('sha256');
      bytes = 0;
      for await (const chunk of file.open()) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e; // a bug, not bad input: keep the stack
    diagnostics.report('io-error', { file: file.path }, { args: { detail: `${err.code}: ${err.message}` } });
  }
  if (secretsFound > 5) diagnostics.report('secret-in-evidence', { file: file.path }, { message: `${secretsFound - 5} more values that look like credentials were masked in this file.` });
  if (invalidTimes > 5) diagnostics.report('collected-at-invalid', { file: file.path, field: 'fields.collectedAt' }, { message: `${invalidTimes - 5} more rows with an invalid collection time.` });
  if (missingTimes > 0 && !fileCollected) {
    // No row had a time: the fix is in source.yaml.
    diagnostics.report('collected-at-missing', { file: settings.configFile, field: 'collectedAt' });
  } else if (missingTimes > 0) {
    for (const at of missingRows) diagnostics.report('collected-at-missing', { file: file.path, ...at });
    if (missingTimes > missingRows.length) diagnostics.report('collected-at-missing', { file: file.path }, { message: `${missingTimes - missingRows.length} more rows without a collection time.` });
  }

  const fs: FileSummary = { path: file.path, sha256: hash.digest('hex'), bytes, rows, attachments: [], failed: diagnostics.hasErrors, secrets: secretsFound };
  if (!fs.failed && rows === 0 && !fileCollected) {
    // A clean export with no rows (a scan that found nothing) still has a collection time.
    const at = (meta.collectedAt && toIso(meta.collectedAt)) || sourceCollectedAt;
    if (at) {
      fileCollected = at;
      fileFresh = freshFrom(at);
    }
  }
  if (meta.toolVersion) fs.toolVersion = meta.toolVersion;
  if (fileCollected) fs.collectedAt = fileCollected;
  if (fileFresh) fs.freshUntil = fileFresh;
  fs.collectedAtFrom = meta.collectedAtFrom ?? (config.fields.collectedAt ? 'fields.collectedAt' : config.collectedAt ? 'source.yaml collectedAt' : 'unknown');
  for (const rel of meta.attachments ?? []) fs.attachments.push(await hashAttachment(rel, settings.dir, ctx.resolveAttachment, diagnostics));
  fs.failed = diagnostics.hasErrors;

  for (const t of lanes.values()) flushTarget(t);
  for (const t of targets.values()) flushTarget(t);
  const controls: Record<string, ControlEvidence> = {};
  for (const [k, ce] of [...controlEvidence.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    const { checkSet, ...rest } = ce;
    controls[k] = { ...rest, checks: [...checkSet].sort(compareIds) };
  }
  const pages = ctx.rowSink ? (await ctx.rowSink.close()).pages : [];
  return {
    version: INGEST_VERSION,
    file: fs,
    rows: rowsAcc,
    resources: resources.toJSON(),
    checks: [...checks.values()].sort((a, b) => compareIds(a.check, b.check)),
    controls,
    rulesUsed: mapper.rules.map((r) => r.used),
    sample: [...sample].sort((a, b) => a.priority - b.priority || a.index - b.index),
    pages,
    diagnostics: diagnostics.items,
    ...(settings.keepResources ? { resourceNames: [...resourceNames].sort(compareStrings) } : {}),
    ...(settings.policyVersions ? { acknowledgements } : {}),
  };
}

/** The source-level settings for its files. */
export function fileSettings(input: Omit<SourceInput, 'files' | 'resolveAttachment'>, sampling?: { size: number; seed?: string }): FileSettings {
  return {
    sourceId: input.id,
    dir: input.dir,
    configFile: input.configFile,
    config: input.config,
    defaultMaxAge: input.defaultMaxAge,
    sampleSize: sampling?.size ?? 0,
    sampleSeed: sampling?.seed ?? `sample:${input.id}`,
  };
}

/** Merges the files of one source (in sorted file order) into its summary. Pure. */
export function mergeSource(settings: FileSettings, files: readonly FileIngest[], controls: ControlIndex, diagnostics: DiagnosticBag): SourceSummary {
  const { config } = settings;
  const maxAge = config.maxAge ?? settings.defaultMaxAge;
  const summary: SourceSummary = {
    id: settings.sourceId,
    dir: settings.dir,
    format: config.format,
    tool: config.tool,
    title: config.title ?? config.tool,
    visibility: config.visibility,
    maxAge: maxAge.text,
    files: [],
    rows: { total: 0, mapped: 0, unmapped: 0, notEvaluated: 0, skipped: 0 },
    resources: 0,
    resourcesApproximate: false,
    checks: [],
    controls: {},
    failed: false,
  };
  if (config.description) summary.description = config.description;
  const errorsBefore = diagnostics.errors.length;
  const checks = new Map<string, CheckSummary>();
  const ctl = new Map<string, ControlEvidence & { checkSet: Set<string> }>();
  const resources = new DistinctCounter();
  const rulesUsed = config.map.map(() => false);
  const candidates: (SampleCandidate & { offset: number })[] = [];
  const pageList: FindingsPageRef[] = [];
  let offset = 0;
  for (const f of files) {
    diagnostics.merge(f.diagnostics);
    summary.files.push(f.file);
    for (const k of Object.keys(summary.rows) as (keyof RowAccounting)[]) summary.rows[k] += f.rows[k];
    resources.merge(f.resources);
    f.rulesUsed.forEach((u, i) => {
      if (u) rulesUsed[i] = true;
    });
    for (const c of f.checks) {
      const cur = checks.get(c.check);
      if (!cur) {
        checks.set(c.check, { ...c, controls: [...c.controls], failing: [...c.failing] });
        continue;
      }
      cur.pass += c.pass;
      cur.fail += c.fail;
      cur.error += c.error;
      cur.notEvaluated += c.notEvaluated;
      cur.exceptedInTool += c.exceptedInTool;
      if (!cur.title && c.title) cur.title = c.title;
      if (!cur.severity && c.severity) cur.severity = c.severity;
      cur.controls = [...new Set([...cur.controls, ...c.controls])].sort(compareStrings);
      for (const s of c.failing) if (cur.failing.length < FAILING_SAMPLE_SIZE) cur.failing.push(s);
    }
    for (const [k, ce] of Object.entries(f.controls)) {
      const cur = ctl.get(k);
      if (!cur) {
        ctl.set(k, { ...ce, failByExceptions: { ...ce.failByExceptions }, checkSet: new Set(ce.checks) });
        continue;
      }
      cur.pass += ce.pass;
      cur.fail += ce.fail;
      cur.notEvaluated += ce.notEvaluated;
      for (const [ex, n] of Object.entries(ce.failByExceptions)) cur.failByExceptions[ex] = (cur.failByExceptions[ex] ?? 0) + n;
      for (const c of ce.checks) cur.checkSet.add(c);
      if (ce.freshUntil && (cur.freshUntil === '' || ce.freshUntil < cur.freshUntil)) cur.freshUntil = ce.freshUntil;
      if (ce.collectedAt && (cur.collectedAt === '' || ce.collectedAt < cur.collectedAt)) cur.collectedAt = ce.collectedAt;
    }
    for (const c of f.sample) candidates.push({ ...c, offset });
    if (f.resourceNames) pushAll((summary.resourceNames ??= []), f.resourceNames);
    if (f.acknowledgements) pushAll((summary.acknowledgements ??= []), f.acknowledgements);
    offset += f.rows.total;
    for (const p of f.pages) pageList.push({ ...p, file: f.file.path });
    if (f.file.collectedAt && !f.file.failed) summary.collectedAt = minIso(summary.collectedAt, f.file.collectedAt);
    if (f.file.freshUntil && !f.file.failed) summary.freshUntil = minIso(summary.freshUntil, f.file.freshUntil);
  }

  // Failure-only formats (SARIF): an expected check with no result passes only when the source says so.
  const mapper = buildMapper(config, controls);
  for (const expected of config.expectedChecks ?? []) {
    if (checks.has(expected)) continue;
    const keys = mapper.forRecord({ check: expected, result: 'pass' });
    const cs: CheckSummary = { check: expected, pass: 0, fail: 0, error: 0, notEvaluated: 0, exceptedInTool: 0, controls: keys, failing: [], inferred: config.absenceMeansPass ? 'pass-by-absence' : 'no-result' };
    checks.set(expected, cs);
    if (!config.absenceMeansPass || !summary.collectedAt || !summary.freshUntil) continue;
    cs.pass = 1;
    for (const k of keys) {
      let ce = ctl.get(k);
      if (!ce) {
        ce = { pass: 0, fail: 0, notEvaluated: 0, failByExceptions: {}, checks: [], freshUntil: summary.freshUntil, collectedAt: summary.collectedAt, checkSet: new Set() };
        ctl.set(k, ce);
      }
      ce.pass++;
      ce.checkSet.add(expected);
    }
  }
  mapper.rules.forEach((r, i) => {
    if (r.used) rulesUsed[i] = true; // used by expectedChecks
  });
  if (files.length && !files.some((f) => f.file.failed)) {
    rulesUsed.forEach((used, i) => {
      if (!used) diagnostics.report('map-rule-unused', { file: settings.configFile, field: `map[${i}]` }, { args: { check: config.map[i]!.check } });
    });
  }
  const distinct = resources.count();
  summary.resources = distinct.value;
  summary.resourcesApproximate = distinct.approximate;
  if (summary.resourceNames) summary.resourceNames = [...new Set(summary.resourceNames)].sort(compareStrings);
  if (pageList.length) {
    summary.findingPages = pageList.length;
    summary.findingPageList = pageList;
  }
  if (settings.sampleSize > 0) {
    const picked = candidates.sort((a, b) => a.priority - b.priority || a.offset + a.index - (b.offset + b.index)).slice(0, settings.sampleSize);
    summary.sample = {
      seed: settings.sampleSeed,
      size: settings.sampleSize,
      population: summary.rows.total,
      rows: picked.map((c) => ({ ...c.row, index: c.offset + c.index + 1 })).sort((a, b) => a.index - b.index),
    };
  }
  summary.checks = [...checks.values()].sort((a, b) => compareIds(a.check, b.check));
  for (const [k, ce] of [...ctl.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    const { checkSet, ...rest } = ce;
    summary.controls[k] = { ...rest, checks: [...checkSet].sort(compareIds) };
  }
  summary.failed = diagnostics.errors.length > errorsBefore || files.some((f) => f.file.failed);
  return summary;
}

/** The in-scope control keys a check id maps to through a source's `map:` rules. */
export function controlsForCheck(config: SourceConfig, controls: ControlIndex, check: string): string[] {
  return buildMapper(config, controls).forRecord({ check, result: 'pass' });
}

/** Ingests one source, its files one after the other (the pipeline may instead use worker threads and a cache). */
export async function ingestSource(input: SourceInput, ctx: IngestContext): Promise<SourceSummary> {
  const settings = fileSettings(input, ctx.sampling);
  const results: FileIngest[] = [];
  for (const file of input.files) {
    const sink = ctx.rowSink?.(input.id, file.path);
    results.push(
      await ingestFile(file, settings, {
        controls: ctx.controls,
        exceptions: ctx.exceptions,
        resolveAttachment: input.resolveAttachment,
        ...(sink ? { rowSink: sink } : {}),
      }),
    );
  }
  return mergeSource(settings, results, ctx.controls, ctx.diagnostics);
}

async function hashAttachment(rel: string, dir: string, resolve: AttachmentLookup, diagnostics: DiagnosticBag): Promise<AttachmentSummary> {
  const r = await resolve(rel.startsWith(`${dir}/`) ? rel.slice(dir.length + 1) : rel);
  if (!r.ok) return { path: rel, sha256: '', bytes: 0 };
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of r.file.open()) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    diagnostics.report('io-error', { file: r.file.path }, { args: { detail: `${err.code}: ${err.message}` } });
  }
  return { path: r.file.path, sha256: hash.digest('hex'), bytes };
}
