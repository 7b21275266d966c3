/**
 * oscal/assessment-results.json: the build as an OSCAL assessment-results
 * document (OSCAL 1.2.2, validated against NIST's JSON schema in the tests).
 * Pure and deterministic: every UUID is a version-5 UUID of stable names (the
 * organization, the inputs digest, the generation time, framework, control and
 * source ids), so the same inputs and the same `now` give the same bytes.
 * The mapping is documented in docs/oscal.md.
 */
import { evidenceDownloadPath, json, type Artifact, type ArtifactInput } from '../report/artifacts.ts';
import type { ReportControl, ReportFramework, ReportSource } from '../report/report.ts';
import { reasonText, type ControlStatus } from '../status/compute-status.ts';
import { OSCAL_PROP_NS, OSCAL_VERSION, oscalIdsFor, stableUuid } from './ids.ts';

/** Where the document is written, inside the output folder. */
export const ASSESSMENT_RESULTS_PATH = 'oscal/assessment-results.json';

type Prop = { name: string; ns: string; value: string; class?: string };
type Obj = Record<string, unknown>;

/** OSCAL strings (StringDatatype) are one line, trimmed, never empty. */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function prop(name: string, value: string | number | boolean | undefined): Prop[] {
  if (value === undefined) return [];
  const v = oneLine(String(value));
  return v ? [{ name, ns: OSCAL_PROP_NS, value: v }] : [];
}

/** An ISO date-time as OSCAL wants it (with a time zone), or undefined. */
function instant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const STATUS_LABEL: Record<ControlStatus, string> = {
  passing: 'Passing',
  failing: 'Failing',
  stale: 'Stale',
  excepted: 'Excepted',
  gap: 'Gap',
  'not-applicable': 'Not applicable',
};

/** OSCAL's objective status: only a passing control is satisfied (fail closed). */
function objectiveStatus(c: ReportControl): { state: 'satisfied' | 'not-satisfied'; reason: 'pass' | 'fail' | 'other' } {
  if (c.status === 'passing') return { state: 'satisfied', reason: 'pass' };
  return { state: 'not-satisfied', reason: c.status === 'failing' ? 'fail' : 'other' };
}

/** Link from the document (in oscal/) to the copy of an evidence file the site publishes. */
function evidenceHref(file: string): string {
  return `../${evidenceDownloadPath(file).split('/').map(encodeURIComponent).join('/')}`;
}

export function buildAssessmentResults({ report, workspace }: Pick<ArtifactInput, 'report' | 'workspace'>): Obj {
  const org = oneLine(report.organization) || 'Organization';
  const generatedAt = instant(report.generatedAt)!;
  const docUuid = stableUuid('assessment-results', org);
  const planUuid = stableUuid('assessment-plan', org);
  const partyUuid = stableUuid('party', org);
  const systemUuid = stableUuid('this-system', org);
  const resultUuid = stableUuid('result', report.inputsDigest, generatedAt);
  const observationUuid = (sourceId: string) => stableUuid('observation', resultUuid, sourceId);
  const findingUuid = (framework: string, control: string) => stableUuid('finding', resultUuid, framework, control);
  const sourceIds = new Set(report.sources.map((s) => s.id));
  const frameworkNames = report.frameworks.map((f) => `${oneLine(f.name)} ${oneLine(f.version)}`.trim());

  const selection = (fw: ReportFramework): Obj => {
    const catalog = workspace.index.catalogs.get(fw.id);
    const ids = (controls: ReportControl[]) => [...new Set(controls.map((c) => oscalIdsFor(catalog, c.id).controlId))].map((id) => ({ 'control-id': id }));
    const applicable = fw.controls.filter((c) => c.status !== 'not-applicable');
    const excluded = fw.controls.filter((c) => c.status === 'not-applicable');
    const out: Obj = { props: [...prop('framework', fw.id), ...prop('framework-name', fw.name), ...prop('framework-version', fw.version)] };
    // include-controls needs at least one control; a framework with every control not applicable selects all, then excludes them.
    if (applicable.length) out['include-controls'] = ids(applicable);
    else out['include-all'] = {};
    if (excluded.length) out['exclude-controls'] = ids(excluded);
    out.remarks = `${oneLine(fw.name)} ${oneLine(fw.version)} (framework \`${fw.id}\`): ${applicable.length} applicable controls${excluded.length ? `, ${excluded.length} declared not applicable in portal.yaml` : ''}.`;
    return out;
  };

  const finding = (fw: ReportFramework, c: ReportControl): Obj => {
    const catalog = workspace.index.catalogs.get(fw.id);
    const ids = oscalIdsFor(catalog, c.id);
    const status = objectiveStatus(c);
    const reasons = c.reasons.map((r) => reasonText[r]);
    const related = c.evidence.sources.filter((s) => sourceIds.has(s));
    const out: Obj = {
      uuid: findingUuid(fw.id, c.id),
      title: oneLine(`${fw.name} ${c.id}: ${c.title}`),
      description: `${STATUS_LABEL[c.status]}.${reasons.length ? ` ${reasons.join(' ')}` : ''}`,
      props: [
        ...prop('framework', fw.id),
        ...prop('control', c.id),
        ...prop('control-id', ids.controlId),
        ...prop('status', c.status),
        ...c.reasons.flatMap((r) => prop('reason', r)),
        ...prop('priority', c.priority),
        ...c.policies.flatMap((p) => prop('policy', p)),
        ...c.exceptions.flatMap((e) => prop('exception', e)),
        ...c.expiredExceptions.flatMap((e) => prop('expired-exception', e)),
        ...(c.policyOnly ? prop('policy-only', 'true') : []),
        ...prop('results-pass', c.evidence.pass),
        ...prop('results-fail', c.evidence.fail),
        ...prop('results-excepted', c.evidence.excepted),
        ...prop('results-not-evaluated', c.evidence.notEvaluated),
        ...c.evidence.staleSources.flatMap((s) => prop('stale-source', s)),
      ],
      target: {
        type: 'statement-id',
        'target-id': ids.statementId,
        title: oneLine(`${c.id} ${c.title}`),
        status: { state: status.state, reason: status.reason },
      },
    };
    if (related.length) out['related-observations'] = related.map((s) => ({ 'observation-uuid': observationUuid(s) }));
    return out;
  };

  const observation = (s: ReportSource): Obj => {
    const pass = s.checks.reduce((n, c) => n + c.pass, 0);
    const fail = s.checks.reduce((n, c) => n + c.fail + c.error, 0);
    const collected = instant(s.collectedAt);
    const evidence = s.files.flatMap((f) => [
      {
        href: evidenceHref(f.path),
        description: `${f.path}: ${f.rows} rows, ${f.bytes} bytes, SHA-256 ${f.sha256}.`,
        props: [
          ...prop('path', f.path),
          ...prop('sha256', f.sha256),
          ...prop('bytes', f.bytes),
          ...prop('rows', f.rows),
          ...prop('collected-at', instant(f.collectedAt)),
          ...prop('collected-at-from', f.collectedAtFrom),
          ...prop('tool-version', f.toolVersion),
        ],
      },
      ...f.attachments.map((a) => ({
        href: evidenceHref(a.path),
        description: `${a.path}: attachment of ${f.path}, ${a.bytes} bytes, SHA-256 ${a.sha256}.`,
        props: [...prop('path', a.path), ...prop('sha256', a.sha256), ...prop('bytes', a.bytes), ...prop('attachment-of', f.path)],
      })),
    ]);
    const out: Obj = {
      uuid: observationUuid(s.id),
      title: oneLine(s.title) || s.id,
      description:
        `${s.tool} evidence read as \`${s.format}\`: ${s.rows.total} rows (${s.rows.mapped} mapped to controls, ${s.rows.unmapped} unmapped, ` +
        `${s.rows.notEvaluated} not evaluated, ${s.rows.skipped} skipped); ${pass} pass and ${fail} fail results over ${s.checks.length} checks and ${s.resources} resources.`,
      props: [
        ...prop('source', s.id),
        ...prop('tool', s.tool),
        ...prop('format', s.format),
        ...prop('rows-total', s.rows.total),
        ...prop('rows-mapped', s.rows.mapped),
        ...prop('rows-unmapped', s.rows.unmapped),
        ...prop('rows-not-evaluated', s.rows.notEvaluated),
        ...prop('rows-skipped', s.rows.skipped),
        ...prop('results-pass', pass),
        ...prop('results-fail', fail),
        ...prop('max-age', s.maxAge),
        ...prop('stale', s.stale),
        ...(collected ? [] : prop('collected-at-unknown', 'true')),
      ],
      // An attestation is a person's signed-off review; every other format is a tool's test result.
      methods: [s.format === 'attestation' ? 'EXAMINE' : 'TEST'],
      subjects: [{ 'subject-uuid': systemUuid, type: 'component', title: `${org} systems in scope` }],
      collected: collected ?? generatedAt,
    };
    if (evidence.length) out['relevant-evidence'] = evidence;
    const expires = instant(s.freshUntil);
    if (expires) out.expires = expires;
    if (!collected) out.remarks = 'The collection time of this evidence is unknown; `collected` is the time of the assessment.';
    else if (s.stale) out.remarks = `This evidence is stale: older than its maximum age (${s.maxAge}).`;
    return out;
  };

  const findings = report.frameworks.flatMap((fw) => fw.controls.filter((c) => c.status !== 'not-applicable').map((c) => finding(fw, c)));
  const observations = report.sources.map(observation);
  const result: Obj = {
    uuid: resultUuid,
    title: oneLine(`${org}: continuous compliance assessment of ${generatedAt.slice(0, 10)}`),
    description:
      `Control status of ${frameworkNames.join(', ')}, computed by policy-portal from the policies, exceptions and evidence of the workspace ` +
      `(inputs digest ${report.inputsDigest}). A control is satisfied only when its status is passing; ` +
      `our status and its reasons are props in namespace ${OSCAL_PROP_NS}.`,
    start: generatedAt,
    end: generatedAt,
    props: [...prop('inputs-digest', report.inputsDigest), ...report.frameworks.flatMap((f) => prop('framework', f.id))],
    'local-definitions': {
      components: [
        {
          uuid: systemUuid,
          type: 'this-system',
          title: `${org} systems in scope`,
          description: `The systems, people and processes of ${org} that the evidence sources describe.`,
          status: { state: 'operational' },
        },
      ],
    },
    'reviewed-controls': { 'control-selections': report.frameworks.map(selection) },
  };
  if (observations.length) result.observations = observations;
  if (findings.length) result.findings = findings;

  return {
    'assessment-results': {
      uuid: docUuid,
      metadata: {
        title: `${org}: assessment results`,
        'last-modified': generatedAt,
        version: `${generatedAt}+${report.inputsDigest.slice(0, 12)}`,
        'oscal-version': OSCAL_VERSION,
        props: [...prop('generator', 'policy-portal'), ...prop('inputs-digest', report.inputsDigest)],
        parties: [{ uuid: partyUuid, type: 'organization', name: org }],
      },
      'import-ap': {
        href: `#${planUuid}`,
        remarks: 'There is no OSCAL assessment plan: this points to a placeholder resource in back-matter. The plan is the workspace itself (see that resource).',
      },
      results: [result],
      'back-matter': {
        resources: [
          {
            uuid: planUuid,
            title: 'Assessment plan (placeholder)',
            description:
              'No OSCAL assessment plan was written. What is assessed and how is defined by the workspace: the frameworks in scope and the controls declared not applicable ' +
              'or policy-only in content/portal.yaml, the policies in content/policies/, the exceptions in content/exceptions/ and the evidence sources in evidence/<source>/source.yaml. ' +
              `The inputs digest ${report.inputsDigest} identifies their exact versions.`,
            props: prop('inputs-digest', report.inputsDigest),
          },
        ],
      },
    },
  };
}

/** Artifact writer (see report/artifacts.ts). A function declaration, so that the import cycle with artifacts.ts is safe. */
export function oscalAssessmentResults(input: ArtifactInput): Artifact[] {
  return [{ path: ASSESSMENT_RESULTS_PATH, content: json(buildAssessmentResults(input)) }];
}
