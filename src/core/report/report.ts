/**
 * report.json: the public, versioned contract (docs/report-format.md).
 * Built from the status result and the evidence summaries; deterministic:
 * same inputs and same `now` give the same bytes.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { FailingSample, RowAccounting, SourceSummary } from '../evidence/ingest.ts';
import type { ControlStatus, ExceptionResult, PolicyResult, Reason, StatusResult, UnmappedCheck } from '../status/compute-status.ts';
import { compareStrings } from '../util/suggest.ts';
import type { Workspace } from '../workspace.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportControl {
  id: string;
  title: string;
  family?: string;
  status: ControlStatus;
  reasons: Reason[];
  policies: string[];
  evidence: {
    pass: number;
    fail: number;
    excepted: number;
    notEvaluated: number;
    sources: string[];
    staleSources: string[];
    collectedAt?: string;
  };
  exceptions: string[];
  expiredExceptions: string[];
  notApplicableReason?: string;
  policyOnly: boolean;
  priority: string;
  /** Policies and evidence counted here through crosswalks. */
  via: { from: string; relationship: string; crosswalk: string; informative: boolean; policies: string[]; evidence: boolean }[];
}

export interface ReportFramework {
  id: string;
  name: string;
  version: string;
  summary: { counts: Record<ControlStatus, number>; applicable: number; total: number; score: number };
  controls: ReportControl[];
}

export interface ReportSourceFile {
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
  collectedAt?: string;
  collectedAtFrom?: string;
  toolVersion?: string;
  attachments: { path: string; sha256: string; bytes: number }[];
  /** Values that looked like credentials and were masked; such files are not published for download. */
  secretsMasked: number;
}

export interface ReportSource {
  id: string;
  title: string;
  format: string;
  tool: string;
  collectedAt?: string;
  freshUntil?: string;
  maxAge: string;
  stale: boolean;
  files: ReportSourceFile[];
  rows: RowAccounting;
  resources: number;
  /** `resources` is an estimate (more than 10,000 distinct values). */
  resourcesApproximate?: true;
  checks: {
    check: string;
    title?: string;
    severity?: string;
    pass: number;
    fail: number;
    error: number;
    notEvaluated: number;
    exceptedInTool: number;
    controls: string[];
    failingSample: FailingSample[];
    missingFromRoster?: number;
  }[];
  /** format: acknowledgements: per policy, how many of the roster acknowledged the current version. */
  acknowledgements?: { policy: string; version: string; roster?: string; rosterSize: number; acknowledged: number; missing: number }[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  organization: string;
  /** SHA-256 over the sorted (path, sha256) pairs of every input file: ties a report to exact inputs. */
  inputsDigest: string;
  frameworks: ReportFramework[];
  policies: (PolicyResult & { file: string })[];
  exceptions: (ExceptionResult & { file: string; approvedBy: string; reason: string })[];
  sources: ReportSource[];
  unmappedChecks: UnmappedCheck[];
  /** Files in evidence/ that no source reads. */
  unclaimedFiles: string[];
  diagnostics: { errors: number; warnings: number; items: Diagnostic[] };
}

export interface ReportInput {
  workspace: Workspace;
  sources: readonly SourceSummary[];
  status: StatusResult;
  now: Date;
  diagnostics: readonly Diagnostic[];
  /** sha256 per input content file (portal, policies, exceptions, frameworks, source.yaml). */
  contentHashes: readonly { path: string; sha256: string }[];
  unclaimed: readonly string[];
}

export function buildReport(input: ReportInput): Report {
  const { workspace, status, now } = input;
  const policyFiles = new Map(workspace.policies.map((p) => [p.data.id, p.file]));
  const exceptionDocs = new Map(workspace.exceptions.map((e) => [e.data.id, e]));
  const hashes = [
    ...input.contentHashes,
    ...input.sources.flatMap((s) => s.files.flatMap((f) => [{ path: f.path, sha256: f.sha256 }, ...f.attachments])),
  ].sort((a, b) => compareStrings(a.path, b.path));
  const digest = createHash('sha256');
  for (const h of hashes) digest.update(`${h.path}\0${h.sha256}\n`);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    organization: workspace.portal.organization,
    inputsDigest: digest.digest('hex'),
    frameworks: status.frameworks.map((fw) => ({
      id: fw.id,
      name: fw.name,
      version: fw.version,
      summary: { counts: fw.counts, applicable: fw.applicable, total: fw.controls.length, score: fw.score },
      controls: fw.controls.map((c) => {
        const out: ReportControl = {
          id: c.id,
          title: c.title,
          status: c.status,
          reasons: c.reasons,
          policies: c.policies,
          evidence: c.evidence,
          exceptions: c.exceptions,
          expiredExceptions: c.expiredExceptions,
          policyOnly: c.policyOnly,
          priority: c.priority,
          via: c.via,
        };
        if (c.family) out.family = c.family;
        if (c.notApplicableReason !== undefined) out.notApplicableReason = c.notApplicableReason;
        return out;
      }),
    })),
    policies: status.policies.map((p) => ({ ...p, file: policyFiles.get(p.id) ?? '' })),
    exceptions: status.exceptions.map((e) => {
      const doc = exceptionDocs.get(e.id)!;
      return { ...e, file: doc.file, approvedBy: doc.data.approvedBy, reason: doc.data.reason };
    }),
    sources: input.sources.map((s) => {
      const src: ReportSource = {
        id: s.id,
        title: s.title,
        format: s.format,
        tool: s.tool,
        maxAge: s.maxAge,
        stale: s.freshUntil !== undefined && now >= new Date(s.freshUntil),
        files: s.files.map((f) => {
          const rf: ReportSourceFile = { path: f.path, sha256: f.sha256, bytes: f.bytes, rows: f.rows, attachments: f.attachments, secretsMasked: f.secrets ?? 0 };
          if (f.collectedAt) rf.collectedAt = f.collectedAt;
          if (f.collectedAtFrom) rf.collectedAtFrom = f.collectedAtFrom;
          if (f.toolVersion) rf.toolVersion = f.toolVersion;
          return rf;
        }),
        rows: s.rows,
        resources: s.resources,
        ...(s.resourcesApproximate ? { resourcesApproximate: true } : {}),
        checks: s.checks.map((c) => {
          const out: ReportSource['checks'][number] = {
            check: c.check,
            pass: c.pass,
            fail: c.fail,
            error: c.error,
            notEvaluated: c.notEvaluated,
            exceptedInTool: c.exceptedInTool,
            controls: c.controls,
            failingSample: c.failing,
          };
          if (c.title) out.title = c.title;
          if (c.severity) out.severity = c.severity;
          if (c.missingFromRoster) out.missingFromRoster = c.missingFromRoster;
          return out;
        }),
      };
      if (s.acknowledgementCoverage) {
        src.acknowledgements = s.acknowledgementCoverage.map((a) => ({
          policy: a.policy,
          version: a.version,
          ...(a.roster ? { roster: a.roster } : {}),
          rosterSize: a.rosterSize,
          acknowledged: a.acknowledged.length,
          missing: a.missing.length,
        }));
      }
      if (s.collectedAt) src.collectedAt = s.collectedAt;
      if (s.freshUntil) src.freshUntil = s.freshUntil;
      return src;
    }),
    unmappedChecks: status.unmappedChecks,
    unclaimedFiles: [...input.unclaimed],
    diagnostics: {
      errors: input.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: input.diagnostics.filter((d) => d.severity === 'warning').length,
      items: [...input.diagnostics],
    },
  };
}
