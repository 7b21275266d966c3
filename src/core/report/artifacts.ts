/**
 * Machine-readable files written beside the site (all pure: content from the
 * pipeline result). build.ts writes every artifact a writer returns; to add an
 * output, add a writer to `artifactWriters`.
 */
import Papa from 'papaparse';
import type { SourceSummary } from '../evidence/ingest.ts';
import type { ViewModel } from '../view/view-model.ts';
import { oscalAssessmentResults } from '../oscal/assessment-results.ts';
import type { Workspace } from '../workspace.ts';
import { toJUnit } from './junit.ts';
import type { Report } from './report.ts';

export interface Artifact {
  /** Path inside the output folder, forward slashes. */
  path: string;
  content: string;
}

export interface ArtifactInput {
  report: Report;
  model: ViewModel;
  workspace: Workspace;
  sources: readonly SourceSummary[];
}

export type ArtifactWriter = (input: ArtifactInput) => Artifact[];

/**
 * CSV safe against formula injection: a cell starting with `=`, `+`, `-`, `@`,
 * tab or carriage return is prefixed with `'` so spreadsheets show it as text.
 */
export function toSafeCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | undefined)[])[]): string {
  return `${Papa.unparse(
    { fields: [...header], data: rows.map((r) => r.map((c) => (c === undefined ? '' : String(c)))) },
    { escapeFormulae: /^[=+\-@\t\r]/, newline: '\n', quotes: false },
  )}\n`;
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Download path of a raw evidence file inside the site. */
export function evidenceDownloadPath(file: string): string {
  return `downloads/${file}`;
}

export const evidenceManifest: ArtifactWriter = ({ report }) => [
  {
    path: 'evidence-manifest.json',
    content: json({
      schemaVersion: 1,
      generatedAt: report.generatedAt,
      organization: report.organization,
      inputsDigest: report.inputsDigest,
      files: report.sources.flatMap((s) =>
        s.files.flatMap((f) => [
          { source: s.id, path: f.path, sha256: f.sha256, bytes: f.bytes, rows: f.rows, collectedAt: f.collectedAt ?? null, download: f.secretsMasked ? null : evidenceDownloadPath(f.path), ...(f.secretsMasked ? { withheld: 'contains values that look like credentials' } : {}) },
          ...f.attachments.map((a) => ({ source: s.id, path: a.path, sha256: a.sha256, bytes: a.bytes, rows: null, collectedAt: f.collectedAt ?? null, attachmentOf: f.path, download: evidenceDownloadPath(a.path) })),
        ]),
      ),
    }),
  },
];

const CONTROL_COLUMNS = ['framework', 'control', 'title', 'family', 'status', 'reasons', 'priority', 'policies', 'sources', 'pass', 'fail', 'excepted', 'notEvaluated', 'exceptions', 'notApplicableReason'];

/** frameworks/<id>/controls.csv and controls.json: the control matrix, framework structure kept. */
export const controlMatrix: ArtifactWriter = ({ model }) =>
  model.frameworks.flatMap((fw) => {
    const rows = fw.controls.map((c) => ({
      framework: fw.id,
      control: c.id,
      title: c.title,
      family: c.familyTitle ?? c.family ?? '',
      status: c.status,
      reasons: c.reasons.map((r) => r.code),
      priority: c.priority,
      policies: c.policies.map((p) => p.id),
      sources: c.sources.map((s) => s.source.id),
      pass: c.evidence.pass,
      fail: c.evidence.fail,
      excepted: c.evidence.excepted,
      notEvaluated: c.evidence.notEvaluated,
      exceptions: c.exceptions.map((e) => e.id),
      notApplicableReason: c.notApplicableReason ?? '',
    }));
    return [
      { path: `frameworks/${fw.id}/controls.json`, content: json({ framework: { id: fw.id, name: fw.name, version: fw.version, score: fw.score, counts: fw.counts }, controls: rows }) },
      {
        path: `frameworks/${fw.id}/controls.csv`,
        content: toSafeCsv(
          CONTROL_COLUMNS,
          rows.map((r) => CONTROL_COLUMNS.map((k) => {
            const v = r[k as keyof typeof r];
            return Array.isArray(v) ? v.join('; ') : v;
          })),
        ),
      },
    ];
  });

/** Statement of Applicability for ISO/IEC 27001:2022 (when in scope). */
export const statementOfApplicability: ArtifactWriter = ({ model }) => {
  const iso = model.frameworks.find((f) => f.id === 'iso27001-2022');
  if (!iso) return [];
  return [
    {
      path: 'soa/iso27001-2022.csv',
      content: toSafeCsv(
        ['control', 'title', 'applicable', 'justification', 'implementation status', 'policies'],
        iso.controls.map((c) => [
          c.id,
          c.title,
          c.status === 'not-applicable' ? 'no' : 'yes',
          c.notApplicableReason ?? (c.policies.length ? `Covered by ${c.policies.map((p) => p.title).join(', ')}` : ''),
          c.status,
          c.policies.map((p) => p.id).join('; '),
        ]),
      ),
    },
  ];
};

/** evidence/<source>/sample.csv: the reproducible population sample, with its seed. */
export const populationSamples: ArtifactWriter = ({ model }) =>
  model.sources
    .filter((s) => s.sample && s.sample.rows.length > 0)
    .map((s) => ({
      path: `${s.href}sample.csv`,
      content: toSafeCsv(
        ['source', 'seed', 'population', 'row', 'file', 'line', 'check', 'result', 'resource', 'severity', 'message'],
        s.sample!.rows.map((r) => [s.id, s.sample!.seed, s.sample!.population, r.index, r.file, r.line, r.check, r.rawResult ?? r.result, r.resource, r.severity, r.message]),
      ),
    }));

/** The Content-Security-Policy of every page (also set in a meta tag by the layout). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** `_headers` for hosts that read one (Netlify, Cloudflare Pages): the CSP with frame-ancestors, and safe defaults. */
export const securityHeaders: ArtifactWriter = () => [
  {
    path: '_headers',
    content: `/*\n  Content-Security-Policy: ${CONTENT_SECURITY_POLICY}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n  X-Frame-Options: DENY\n\n/downloads/*\n  Content-Disposition: attachment\n  X-Content-Type-Options: nosniff\n`,
  },
];

export const junitReport: ArtifactWriter = ({ report }) => [{ path: 'report.junit.xml', content: toJUnit(report) }];

export const artifactWriters: ArtifactWriter[] = [evidenceManifest, controlMatrix, statementOfApplicability, populationSamples, junitReport, securityHeaders, oscalAssessmentResults];
