/**
 * oscal/assessment-results.json (src/core/oscal/assessment-results.ts): the
 * example workspace's build as OSCAL assessment results, validated against
 * NIST's OSCAL 1.2.2 JSON schema (read at test time from ../shared, never
 * copied), deterministic, and faithful to report.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineResult } from '../../src/core/load/pipeline-fs.ts';
import { ASSESSMENT_RESULTS_PATH, buildAssessmentResults, oscalAssessmentResults } from '../../src/core/oscal/assessment-results.ts';
import { OSCAL_PROP_NS } from '../../src/core/oscal/ids.ts';
import { artifactWriters } from '../../src/core/report/artifacts.ts';
import { forAudience } from '../../src/core/view/audience.ts';
import { buildViewModel } from '../../src/core/view/view-model.ts';
import { SHARED_CATALOGS_DIR } from '../helpers/adapter-harness.ts';
import { FIXTURE_NOW, REPO_ROOT, tempWorkspace } from '../helpers/fixtures.ts';

/** True when ../shared/catalogs is present; in CI its absence fails (never a silent skip). */
function sharedCatalogsAvailable(): boolean {
  const ok = existsSync(SHARED_CATALOGS_DIR);
  if (!ok && process.env.CI) throw new Error(`Shared catalogs not found at ${SHARED_CATALOGS_DIR} (set SHARED_CATALOGS_DIR). In CI this is a failure, not a skip.`);
  return ok;
}
const shared = sharedCatalogsAvailable();
const SCHEMA = path.join(SHARED_CATALOGS_DIR, 'oscal-schemas-1.2.2/oscal_assessment-results_schema.json');

// ajv-formats is CommonJS; under Node's ESM its default export is the plugin function itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

let validator: ValidateFunction | undefined;
function validate(doc: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  }
  return validator(doc) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

type Obj = Record<string, any>;
const props = (o: Obj, name: string): string[] => (o.props ?? []).filter((p: Obj) => p.name === name && p.ns === OSCAL_PROP_NS).map((p: Obj) => p.value);

let example: PipelineResult;
let doc: Obj;
let text: string;
beforeAll(async () => {
  example = await runPipeline({ root: REPO_ROOT, now: new Date(FIXTURE_NOW) });
  if (!example.report || !example.workspace || !example.sources) throw new Error(example.diagnostics.items.map((d) => d.message).join('\n'));
  const model = buildViewModel({ report: example.report, workspace: example.workspace, sources: example.sources });
  const artifacts = oscalAssessmentResults({ report: example.report, model, workspace: example.workspace, sources: example.sources });
  expect(artifacts.map((a) => a.path)).toEqual([ASSESSMENT_RESULTS_PATH]);
  text = artifacts[0]!.content;
  doc = JSON.parse(text) as Obj;
});

describe.skipIf(!shared)('validates against NIST OSCAL 1.2.2 assessment-results JSON schema', () => {
  it('the example workspace document is valid', () => {
    expect(validate(doc)).toEqual([]);
  });

  it('the validator is strict enough to reject broken documents', () => {
    const broken = structuredClone(doc);
    delete broken['assessment-results']['import-ap'];
    broken['assessment-results'].results[0].findings[0].target.status.state = 'passing';
    broken['assessment-results'].results[0].observations[0].uuid = 'not-a-uuid';
    const errors = validate(broken);
    expect(errors.some((e) => e.includes("must have required property 'import-ap'"))).toBe(true);
    expect(errors.some((e) => e.startsWith('/assessment-results/results/0/findings/0/target/status/state'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/assessment-results/results/0/observations/0/uuid'))).toBe(true);
  });

  it('an imported NIST 800-53 baseline in scope: exact OSCAL control and statement ids, still valid', async () => {
    const catalog = readFileSync(path.join(SHARED_CATALOGS_DIR, 'nist-800-53-rev5/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json'));
    const ws = await tempWorkspace({
      'content/portal.yaml': 'organization: Example Agency\nframeworks: [nist-800-53-rev5, soc2]\nnotApplicable:\n  nist-800-53-rev5:\n    PE-3: "No physical facilities"\n',
      'content/frameworks/nist-800-53-rev5.json': catalog,
      'content/policies/access.md': '---\nid: POL-AC\ntitle: Access control\nowner: CISO\nstatus: approved\nversion: "1.0"\neffective: 2026-01-01\nlastReviewed: 2026-06-01\nreviewInterval: 12 months\ncontrols:\n  nist-800-53-rev5: [AC-02(01), ac-2]\n  soc2: [CC6.1]\n---\n\nBody.\n',
    });
    try {
      const r = await runPipeline({ root: ws.root, now: new Date(FIXTURE_NOW) });
      expect(r.diagnostics.errors).toEqual([]);
      expect(r.workspace!.policies[0]!.controlKeys).toEqual(['nist-800-53-rev5::AC-2', 'nist-800-53-rev5::AC-2(1)', 'soc2::CC6.1']);
      const ar = buildAssessmentResults({ report: r.report!, workspace: r.workspace! }) as Obj;
      expect(validate(ar)).toEqual([]);
      const result = ar['assessment-results'].results[0];
      const nist = result['reviewed-controls']['control-selections'][0];
      expect(props(nist, 'framework')).toEqual(['nist-800-53-rev5']);
      expect(nist['include-controls']).toHaveLength(286);
      expect(nist['include-controls']).toContainEqual({ 'control-id': 'ac-2.1' });
      expect(nist['exclude-controls']).toEqual([{ 'control-id': 'pe-3' }]);
      const f = result.findings.find((x: Obj) => props(x, 'framework')[0] === 'nist-800-53-rev5' && props(x, 'control')[0] === 'AC-2(1)');
      expect(f.target).toMatchObject({ type: 'statement-id', 'target-id': 'ac-2.1_smt', status: { state: 'not-satisfied', reason: 'other' } });
      expect(props(f, 'control-id')).toEqual(['ac-2.1']);
      expect(props(f, 'policy')).toEqual(['POL-AC']);
      expect(props(f, 'reason')).toEqual(['no-evidence']);
      // Built-in frameworks use the lower-case token form of our ids.
      const cc61 = result.findings.find((x: Obj) => props(x, 'control')[0] === 'CC6.1');
      expect(cc61.target['target-id']).toBe('cc6.1_smt');
      expect(result.observations).toBeUndefined();
    } finally {
      await ws.cleanup();
    }
  });
});

describe('assessment-results mapping of the example workspace', () => {
  it('is written by the build: one artifact writer at oscal/assessment-results.json', () => {
    expect(artifactWriters).toContain(oscalAssessmentResults);
  });

  it('metadata, import-ap placeholder resolvable in back-matter, one result for the build', () => {
    const ar = doc['assessment-results'];
    const report = example.report!;
    expect(ar.metadata).toMatchObject({ title: 'Northwind Robotics: assessment results', 'last-modified': '2026-11-28T00:00:00.000Z', 'oscal-version': '1.2.2' });
    expect(ar.metadata.version).toBe(`2026-11-28T00:00:00.000Z+${report.inputsDigest.slice(0, 12)}`);
    expect(props(ar.metadata, 'inputs-digest')).toEqual([report.inputsDigest]);
    expect(ar['import-ap'].href).toMatch(/^#[0-9a-f-]{36}$/);
    expect(ar['back-matter'].resources.map((r: Obj) => `#${r.uuid}`)).toContain(ar['import-ap'].href);
    expect(ar.results).toHaveLength(1);
    expect(ar.results[0].start).toBe('2026-11-28T00:00:00.000Z');
    expect(ar.results[0].end).toBe('2026-11-28T00:00:00.000Z');
  });

  it('reviewed controls: one selection per framework in scope, applicable controls included, not-applicable ones excluded', () => {
    const report = example.report!;
    const selections = doc['assessment-results'].results[0]['reviewed-controls']['control-selections'];
    expect(selections.map((s: Obj) => props(s, 'framework')[0])).toEqual(report.frameworks.map((f) => f.id));
    report.frameworks.forEach((fw, i) => {
      const lower = (ids: string[]) => ids.map((id) => id.toLowerCase());
      expect(selections[i]['include-controls'].map((c: Obj) => c['control-id'])).toEqual(lower(fw.controls.filter((c) => c.status !== 'not-applicable').map((c) => c.id)));
      expect(selections[i]['exclude-controls'].map((c: Obj) => c['control-id'])).toEqual(lower(fw.controls.filter((c) => c.status === 'not-applicable').map((c) => c.id)));
    });
    expect(selections[0]['exclude-controls']).toEqual([{ 'control-id': 'p3.2' }, { 'control-id': 'p6.1' }, { 'control-id': 'p6.2' }]);
  });

  it('one finding per applicable control: satisfied only when passing, our status and reasons as namespaced props', () => {
    const report = example.report!;
    const findings: Obj[] = doc['assessment-results'].results[0].findings;
    const applicable = report.frameworks.flatMap((fw) => fw.controls.filter((c) => c.status !== 'not-applicable').map((c) => ({ fw: fw.id, c })));
    expect(findings).toHaveLength(applicable.length);
    const states = new Set<string>();
    applicable.forEach(({ fw, c }, i) => {
      const f = findings[i]!;
      expect(props(f, 'framework')).toEqual([fw]);
      expect(props(f, 'control')).toEqual([c.id]);
      expect(props(f, 'status')).toEqual([c.status]);
      expect(props(f, 'reason')).toEqual(c.reasons);
      expect(props(f, 'policy')).toEqual(c.policies);
      expect(f.target['target-id']).toBe(`${c.id.toLowerCase()}_smt`);
      expect(f.target.status.state).toBe(c.status === 'passing' ? 'satisfied' : 'not-satisfied');
      states.add(`${c.status}:${f.target.status.state}:${f.target.status.reason}`);
    });
    // The example has every status; each maps as documented.
    expect([...states].sort()).toEqual(['excepted:not-satisfied:other', 'failing:not-satisfied:fail', 'gap:not-satisfied:other', 'passing:satisfied:pass', 'stale:not-satisfied:other']);
  });

  it('one observation per evidence source: method, files with SHA-256 and rows, collected time; findings point to them', () => {
    const report = example.report!;
    const result = doc['assessment-results'].results[0];
    const observations: Obj[] = result.observations;
    expect(observations.map((o) => props(o, 'source')[0])).toEqual(report.sources.map((s) => s.id));
    report.sources.forEach((s, i) => {
      const o = observations[i]!;
      expect(o.methods).toEqual([s.format === 'attestation' ? 'EXAMINE' : 'TEST']);
      expect(o.collected).toBe(new Date(s.collectedAt!).toISOString());
      expect(props(o, 'rows-total')).toEqual([String(s.rows.total)]);
      const files = o['relevant-evidence'].filter((e: Obj) => props(e, 'attachment-of').length === 0);
      expect(files.map((e: Obj) => [props(e, 'path')[0], props(e, 'sha256')[0], props(e, 'rows')[0]])).toEqual(s.files.map((f) => [f.path, f.sha256, String(f.rows)]));
      expect(files.map((e: Obj) => e.href)).toEqual(s.files.map((f) => `../downloads/${f.path}`));
      expect(o['relevant-evidence'].length - files.length).toBe(s.files.reduce((n, f) => n + f.attachments.length, 0));
    });
    expect(observations.some((o) => o.methods[0] === 'EXAMINE') && observations.some((o) => o.methods[0] === 'TEST')).toBe(true);
    const uuids = new Set(observations.map((o) => o.uuid));
    const related = result.findings.flatMap((f: Obj) => (f['related-observations'] ?? []).map((r: Obj) => r['observation-uuid']));
    expect(related.length).toBeGreaterThan(0);
    for (const u of related) expect(uuids.has(u)).toBe(true);
    // Every control with evidence from a source points to that source's observation.
    const cc61 = result.findings.find((f: Obj) => props(f, 'framework')[0] === 'soc2' && props(f, 'control')[0] === 'CC6.1');
    const sources = report.frameworks.find((f) => f.id === 'soc2')!.controls.find((c) => c.id === 'CC6.1')!.evidence.sources;
    expect(cc61['related-observations'].map((r: Obj) => r['observation-uuid'])).toEqual(sources.map((s) => observations.find((o) => props(o, 'source')[0] === s)!.uuid));
  });

  it('a public build (--audience public) leaves out internal sources, like every other output', () => {
    const internal = example.workspace!.sources.filter((s) => s.config.visibility === 'internal').map((s) => s.id);
    expect(internal).toEqual(['hr-onboarding']);
    const pub = forAudience({ report: example.report!, workspace: example.workspace!, sources: example.sources! }, 'public');
    const out = JSON.stringify(buildAssessmentResults(pub));
    expect(out).not.toContain('hr-onboarding');
    expect(text).toContain('evidence/hr-onboarding/');
    const result = (JSON.parse(out) as Obj)['assessment-results'].results[0];
    expect(result.observations.map((o: Obj) => props(o, 'source')[0])).toEqual(pub.report.sources.map((s) => s.id));
    expect(shared ? validate(JSON.parse(out)) : []).toEqual([]);
  });

  it('deterministic: no random ids; the same inputs and now give the same bytes, another now another result uuid', async () => {
    const uuids = [...text.matchAll(/"(?:uuid|subject-uuid|observation-uuid)": "([^"]+)"/g)].map((m) => m[1]!);
    expect(uuids.length).toBeGreaterThan(50);
    for (const u of uuids) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const declared = [...text.matchAll(/"uuid": "([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(declared).size).toBe(declared.length);
    const again = await runPipeline({ root: REPO_ROOT, now: new Date(FIXTURE_NOW) });
    const model = buildViewModel({ report: again.report!, workspace: again.workspace!, sources: again.sources! });
    expect(oscalAssessmentResults({ report: again.report!, model, workspace: again.workspace!, sources: again.sources! })[0]!.content).toBe(text);
    const later = await runPipeline({ root: REPO_ROOT, now: new Date('2026-11-29T00:00:00Z') });
    const other = buildAssessmentResults({ report: later.report!, workspace: later.workspace! }) as Obj;
    expect(other['assessment-results'].uuid).toBe(doc['assessment-results'].uuid);
    expect(other['assessment-results'].results[0].uuid).not.toBe(doc['assessment-results'].results[0].uuid);
  });
});
