/**
 * OSCAL catalogs and profiles as frameworks (src/core/oscal/catalog-import.ts),
 * on NIST's real files (read at test time from ../shared, never copied) and on
 * small hand-written fixtures (tests/fixtures/oscal/) for every rule and error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../src/core/diagnostics/diagnostic.ts';
import { importOscalFrameworks, type ImportedFramework } from '../../src/core/oscal/catalog-import.ts';
import { isSp80053DisplayId, oscalIdsFor } from '../../src/core/oscal/ids.ts';
import type { TextFile } from '../../src/core/workspace.ts';
import { SHARED_CATALOGS_DIR } from '../helpers/adapter-harness.ts';
import { brief, builtInCatalogs, FIXTURES_DIR, loadMemoryWorkspace, policyFile, validWorkspace } from '../helpers/fixtures.ts';

/** True when ../shared/catalogs is present; in CI its absence fails (never a silent skip). */
function sharedCatalogsAvailable(): boolean {
  const ok = existsSync(SHARED_CATALOGS_DIR);
  if (!ok && process.env.CI) throw new Error(`Shared catalogs not found at ${SHARED_CATALOGS_DIR} (set SHARED_CATALOGS_DIR). In CI this is a failure, not a skip.`);
  return ok;
}
const shared = sharedCatalogsAvailable();
const sharedText = (rel: string) => readFileSync(path.join(SHARED_CATALOGS_DIR, rel), 'utf8');
const fixtureText = (name: string) => readFileSync(path.join(FIXTURES_DIR, 'oscal', name), 'utf8');
const fw = (name: string, text: string): TextFile => ({ path: `content/frameworks/${name}`, text });

function importAll(files: TextFile[]): { out: Map<string, ImportedFramework>; diagnostics: DiagnosticBag } {
  const diagnostics = new DiagnosticBag();
  return { out: importOscalFrameworks(files, diagnostics), diagnostics };
}

function importOne(file: TextFile): { fw: ImportedFramework; diagnostics: DiagnosticBag } {
  const { out, diagnostics } = importAll([file]);
  const got = out.get(file.path);
  if (!got) throw new Error(`not imported: ${diagnostics.items.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return { fw: got, diagnostics };
}

// ---- Independent counts from the raw JSON (no code shared with the importer) ----
type Raw = { id?: string; class?: string; props?: { name: string; value: string; class?: string }[]; parts?: { name: string; prose?: string }[]; controls?: Raw[]; groups?: Raw[] };
function allControls(node: Raw): Raw[] {
  const out: Raw[] = [];
  const visit = (list: Raw[] | undefined) => {
    for (const c of list ?? []) {
      out.push(c);
      visit(c.controls);
    }
  };
  const groups = (list: Raw[] | undefined) => {
    for (const g of list ?? []) {
      visit(g.controls);
      groups(g.groups);
    }
  };
  groups(node.groups);
  visit(node.controls);
  return out;
}
const isWithdrawn = (c: Raw) => (c.props ?? []).some((p) => p.name === 'status' && p.value === 'withdrawn');

const BASELINES = [
  ['LOW', 149],
  ['MODERATE', 287],
  ['HIGH', 370],
  ['PRIVACY', 102],
] as const;
const baselineFile = (b: string) => `nist-800-53-rev5/NIST_SP-800-53_rev5_${b}-baseline-resolved-profile_catalog-min.json`;

describe.skipIf(!shared)('NIST SP 800-53 Rev 5 resolved baselines', () => {
  for (const [baseline, published] of BASELINES) {
    it(`${baseline}: every control and enhancement that is not withdrawn, with its label as id`, () => {
      const text = sharedText(baselineFile(baseline));
      const raw = JSON.parse(text) as { catalog: Raw & { metadata: { title: string; version: string } } };
      const live = allControls(raw.catalog).filter((c) => !isWithdrawn(c));
      const { fw: imported, diagnostics } = importOne(fw(`nist-800-53-rev5-${baseline.toLowerCase()}.json`, text));
      expect(diagnostics.items).toEqual([]);
      const c = imported.catalog;
      expect(c.controls.length).toBe(live.length);
      expect(c.controls.length).toBe(published);
      // The label without a class is the display id (AC-2(1)); computed here from the raw props.
      const labels = live.map((x) => x.props!.find((p) => p.name === 'label' && p.class === undefined)!.value);
      expect(c.controls.map((x) => x.id)).toEqual(labels);
      expect(c.controls.every((x) => isSp80053DisplayId(x.id))).toBe(true);
      expect(c.id).toBe(`nist-800-53-rev5-${baseline.toLowerCase()}`);
      expect(c.name).toBe(raw.catalog.metadata.title);
      expect(c.version).toBe(raw.catalog.metadata.version);
      expect(c.publisher).toBe('Joint Task Force, Interagency Working Group');
      expect(imported.kind).toBe('catalog');
      // Families: the top-level groups that hold controls.
      expect(new Set(c.controls.map((x) => x.family))).toEqual(new Set(c.families.map((f) => f.id)));
      // Parameters are always replaced by placeholders.
      for (const x of c.controls) expect(x.description ?? '', x.id).not.toMatch(/\{\{|\}\}/);
    });
  }

  it('AC-2 and AC-2(1): titles, families, statement prose flattened with item labels, parameters as NIST placeholders', () => {
    const { fw: imported } = importOne(fw('nist-800-53-rev5.json', sharedText(baselineFile('MODERATE'))));
    const c = imported.catalog;
    const ac2 = c.controls.find((x) => x.id === 'AC-2')!;
    const ac21 = c.controls.find((x) => x.id === 'AC-2(1)')!;
    expect(ac2).toMatchObject({ title: 'Account Management', family: 'AC' });
    expect(c.families.find((f) => f.id === 'AC')).toEqual({ id: 'AC', title: 'Access Control' });
    const lines = ac2.description!.split('\n');
    expect(lines[0]).toBe('a. Define and document the types of accounts allowed and specifically prohibited for use within the system;');
    expect(lines).toContain('c. Require [Assignment: organization-defined prerequisites and criteria] for group and role membership;');
    expect(lines).toContain('d. Specify:');
    expect(lines).toContain('1. Authorized users of the system;');
    expect(lines).toContain('j. Review accounts for compliance with account management requirements [Assignment: organization-defined frequency];');
    expect(ac21).toEqual({ id: 'AC-2(1)', title: 'Automated System Account Management', family: 'AC', description: 'Support the management of system accounts using [Assignment: organization-defined automated mechanisms].' });
    // A selection parameter (AC-1 a.1.) and a label that already says "organization-defined".
    const ac1 = c.controls.find((x) => x.id === 'AC-1')!.description!;
    expect(ac1).toContain('[Selection (one or more): organization-level; mission/business process-level; system-level] access control policy');
    expect(ac1).toContain('disseminate to [Assignment: organization-defined personnel or roles]:');
    expect(ac1).not.toContain('organization-defined organization-defined');
    // The original OSCAL ids are kept for the assessment results.
    expect(oscalIdsFor(c, 'AC-2(1)')).toEqual({ controlId: 'ac-2.1', statementId: 'ac-2.1_smt' });
    expect(oscalIdsFor(c, 'AC-2')).toEqual({ controlId: 'ac-2', statementId: 'ac-2_smt' });
  });

  it('a policy mapping AC-02(01), ac-2.1 or ac-2_1 resolves to AC-2(1) of the imported catalog', async () => {
    const ws = await validWorkspace({
      portal: { frameworks: ['nist-800-53-rev5'] },
      frameworks: [fw('nist-800-53-rev5.json', sharedText(baselineFile('MODERATE')))],
      policies: [policyFile({ id: 'POL-AC', controls: { 'nist-800-53-rev5': ['AC-02(01)', 'ac-2.1', 'ac-2_1', 'ac-02'] } })],
    });
    expect(ws.policies[0]!.controlKeys).toEqual(['nist-800-53-rev5::AC-2', 'nist-800-53-rev5::AC-2(1)']);
    expect(ws.index.scope).toEqual(['nist-800-53-rev5']);
  });

  it('imports a ~14 MB pretty-printed catalog well under a second', () => {
    // The full 800-53 catalog (~10 MB pretty-printed) is not in ../shared: the HIGH baseline three times over (ids renamed) stands in.
    const raw = JSON.parse(sharedText(baselineFile('HIGH'))) as { catalog: { groups: unknown[] } };
    const rename = (o: unknown, k: number): unknown => {
      if (Array.isArray(o)) return o.map((x) => rename(x, k));
      if (o && typeof o === 'object') {
        const rec = o as Record<string, unknown>;
        return Object.fromEntries(Object.entries(rec).map(([key, v]) => [key, (key === 'id' || (key === 'value' && rec.name === 'label')) && typeof v === 'string' ? `${v}-copy${k}` : rename(v, k)]));
      }
      return o;
    };
    const text = JSON.stringify({ catalog: { ...raw.catalog, groups: [...raw.catalog.groups, ...(rename(raw.catalog.groups, 1) as unknown[]), ...(rename(raw.catalog.groups, 2) as unknown[])] } }, null, 2);
    expect(text.length).toBeGreaterThan(10_000_000);
    const started = performance.now();
    const { fw: imported, diagnostics } = importOne(fw('big.json', text));
    const ms = performance.now() - started;
    expect(diagnostics.items).toEqual([]);
    expect(imported.catalog.controls.length).toBe(3 * 370);
    expect(ms).toBeLessThan(1000);
  });
});

describe.skipIf(!shared)('NIST profiles resolved against a catalog in content/frameworks/', () => {
  // NIST's profiles import NIST_SP-800-53_rev5_catalog.json (via a back-matter resource). The full catalog is not in
  // ../shared; the HIGH resolved baseline (a superset of LOW and MODERATE) stands in, under the name catalog:add gives it.
  const catalogName = 'nist-sp-800-53-rev5-catalog.json';

  for (const baseline of ['LOW', 'MODERATE'] as const) {
    it(`${baseline} profile: the same controls and text as NIST's own resolved ${baseline} catalog`, () => {
      const profile = fw(`nist-800-53-rev5-${baseline.toLowerCase()}.json`, sharedText(`nist-800-53-rev5/NIST_SP-800-53_rev5_${baseline}-baseline_profile-min.json`));
      const { out, diagnostics } = importAll([fw(catalogName, sharedText(baselineFile('HIGH'))), profile]);
      expect(diagnostics.items).toEqual([]);
      const resolved = out.get(profile.path)!;
      expect(resolved.kind).toBe('profile');
      expect(resolved.resolvedFrom).toEqual([`content/frameworks/${catalogName}`]);
      // Independent: the profile's with-ids, straight from the JSON.
      const raw = JSON.parse(profile.text) as { profile: { imports: { 'include-controls': { 'with-ids': string[] }[] }[]; metadata: { title: string } } };
      const withIds = raw.profile.imports[0]!['include-controls'].flatMap((s) => s['with-ids']);
      expect(resolved.catalog.controls.length).toBe(withIds.length);
      expect(resolved.catalog.name).toBe(raw.profile.metadata.title);
      const nist = importOne(fw('nist.json', sharedText(baselineFile(baseline)))).fw.catalog;
      expect(resolved.catalog.controls).toEqual(nist.controls);
      expect(resolved.catalog.families).toEqual(nist.families);
      expect(oscalIdsFor(resolved.catalog, 'AC-2')).toEqual({ controlId: 'ac-2', statementId: 'ac-2_smt' });
    });
  }

  it('a profile whose catalog is missing: one located error that says which file to add and how', () => {
    const text = sharedText('nist-800-53-rev5/NIST_SP-800-53_rev5_LOW-baseline_profile-min.json');
    const { out, diagnostics } = importAll([fw('low.json', text)]);
    expect(out.size).toBe(0);
    expect(brief(diagnostics.items, true)).toEqual([`error catalog-invalid content/frameworks/low.json:1:${text.indexOf('"#84cbf061') + 1}`]);
    const d = diagnostics.items[0]!;
    expect(d.field).toBe('profile.imports[0].href');
    expect(d.message).toContain('`NIST_SP-800-53_rev5_catalog.json`');
    expect(d.message).toContain('not in content/frameworks/');
    expect(d.hint).toContain('npm run catalog:add');
    expect(d.hint).toContain('content/frameworks/nist-sp-800-53-rev5-catalog.json');
    expect(d.hint).toContain('https://github.com/usnistgov/oscal-content');
  });
});

describe.skipIf(!shared)('NIST SP 800-171 Rev 3 and CSF 2.0 catalogs', () => {
  it('SP 800-171: 97 requirements (33 withdrawn left out), ids from the `Title (03.01.01)` labels, 17 families', () => {
    const text = sharedText('nist-800-171-rev3/NIST_SP800-171_rev3_catalog-min.json');
    const raw = JSON.parse(text) as { catalog: Raw };
    const live = allControls(raw.catalog).filter((c) => !isWithdrawn(c));
    const { fw: imported, diagnostics } = importOne(fw('nist-800-171-rev3.json', text));
    expect(diagnostics.items).toEqual([]);
    const c = imported.catalog;
    expect(c.controls.length).toBe(live.length);
    expect(c.controls.length).toBe(97);
    expect(imported.withdrawn).toBe(33);
    expect(c.controls.map((x) => x.id)).toEqual(live.map((x) => x.id!.replace(/^SP_800_171_/, '')));
    expect(c.families.length).toBe(17);
    expect(c.families[0]).toEqual({ id: '03.01', title: 'Access Control' });
    const r = c.controls.find((x) => x.id === '03.01.01')!;
    expect(r.title).toBe('Account Management');
    expect(r.family).toBe('03.01');
    const lines = r.description!.split('\n');
    expect(lines[0]).toBe('a. Define the types of system accounts allowed and prohibited.');
    expect(lines).toContain('1. Authorized users of the system,');
    expect(lines).toContain('2. The accounts have been inactive for [Assignment: organization-defined time period],');
    expect(oscalIdsFor(c, '03.01.01')).toEqual({ controlId: 'SP_800_171_03.01.01', statementId: 'statement_03.01.01' });
  });

  it('CSF 2.0: the 106 subcategories with the ids of our built-in catalog, categories as families under their function', async () => {
    const text = sharedText('nist-csf-2.0/NIST_CSF_v2.0_catalog-min.json');
    const raw = JSON.parse(text) as { catalog: Raw };
    const { fw: imported, diagnostics } = importOne(fw('nist-csf-2.0-oscal.json', text));
    expect(diagnostics.items).toEqual([]);
    const c = imported.catalog;
    // Independent: live subcategories have implementation examples (the file does not mark CSF 1.1 leftovers withdrawn).
    const subcategories = allControls(raw.catalog).filter((x) => x.class === 'subcategory');
    const live = subcategories.filter((x) => (x.parts ?? []).some((p) => p.name === 'example'));
    expect(live.length).toBe(106);
    expect(c.controls.map((x) => x.id)).toEqual(live.map((x) => x.id));
    expect(imported.withdrawn).toBe(subcategories.length - 106);
    // Our built-in CSF 2.0 catalog uses the same ids.
    const builtIn = (await validWorkspace({ portal: { frameworks: ['nist-csf-2.0'] } })).index.controls('nist-csf-2.0').map((x) => x.id);
    expect(new Set(c.controls.map((x) => x.id))).toEqual(new Set(builtIn));
    expect(c.families.filter((f) => !f.parent).map((f) => f.id)).toEqual(['GV', 'ID', 'PR', 'DE', 'RS', 'RC']);
    expect(c.families.filter((f) => f.parent).length).toBe(22);
    expect(c.families).toContainEqual({ id: 'GV.OC', title: 'Organizational Context', parent: 'GV' });
    const gvoc1 = c.controls.find((x) => x.id === 'GV.OC-01')!;
    expect(gvoc1.family).toBe('GV.OC');
    expect(gvoc1.title).toBe('The organizational mission is understood and informs cybersecurity risk management');
    expect(gvoc1.pointsOfFocus?.[0]).toMatch(/^Share the organization's mission/);
    expect(oscalIdsFor(c, 'GV.OC-01')).toEqual({ controlId: 'GV.OC-01', statementId: 'GV.OC-01_statement' });
    expect((await builtInCatalogs()).some((f) => f.path.endsWith('nist-csf-2.0.yaml'))).toBe(true);
  });
});

describe('hand-written catalog and profile (tests/fixtures/oscal)', () => {
  let catalogText: string;
  let profileText: string;
  beforeAll(() => {
    catalogText = fixtureText('mini-catalog.json');
    profileText = fixtureText('mini-profile.json');
  });

  it('catalog: families from nested groups and categories, enhancements flattened, withdrawn left out, every parameter kind', () => {
    const { fw: imported, diagnostics } = importOne(fw('mini.json', catalogText));
    expect(diagnostics.items).toEqual([]);
    const c = imported.catalog;
    expect({ id: c.id, name: c.name, version: c.version, publisher: c.publisher }).toEqual({ id: 'mini', name: 'Mini catalog', version: '1.0', publisher: 'Example Publisher' });
    expect(c.families).toEqual([
      { id: 'AC', title: 'Access Control' },
      { id: 'ac-sub', title: 'Sub Group', parent: 'AC' },
      { id: 'GV', title: 'GOVERN' },
      { id: 'GV.OC', title: 'Organizational Context', parent: 'GV' },
    ]);
    expect(c.controls.map((x) => [x.id, x.title, x.family ?? null])).toEqual([
      ['AC-1', 'Policy and Procedures', 'AC'],
      ['AC-1(1)', 'Enhancement One', 'AC'],
      ['AC-2', 'Without Label', 'AC'],
      ['AC-3', 'In A Nested Group', 'ac-sub'],
      ['GV.OC-01', 'The mission is understood', 'GV.OC'],
      ['X-1', 'Requirement One', null],
    ]);
    expect(imported.withdrawn).toBe(1);
    expect(c.controls[0]!.description).toBe(
      [
        'a. Disseminate to [Assignment: organization-defined personnel or roles]:',
        '1. A [Selection (one or more): organization-level; system-level after [Assignment: organization-defined time period]] policy; and',
        'b. Review it [Assignment: the review frequency is defined;] and [Assignment: ac-1_prm_9].',
      ].join('\n'),
    );
    expect(c.controls[1]!.description).toBe('Do the first thing.');
    expect(c.controls[2]!.description).toBeUndefined();
    expect(c.controls[4]!.pointsOfFocus).toEqual(['Share the mission']);
  });

  it('profile: with-ids with child controls, matching, exclude, set-parameters; unused families dropped', () => {
    const { out, diagnostics } = importAll([fw('mini-catalog.json', catalogText), fw('mini-profile.json', profileText)]);
    expect(diagnostics.items).toEqual([]);
    const p = out.get('content/frameworks/mini-profile.json')!;
    expect(p.kind).toBe('profile');
    expect(p.catalog).toMatchObject({ id: 'mini-profile', name: 'Mini profile', version: '2.0' });
    expect(p.catalog.controls.map((x) => x.id)).toEqual(['AC-1', 'GV.OC-01']);
    expect(p.withdrawn).toBe(1);
    expect(p.catalog.families.map((f) => f.id)).toEqual(['AC', 'GV', 'GV.OC']);
    expect(p.catalog.controls[0]!.description).toMatch(/^a\. Disseminate to the CISO:\n/);
    // The catalog itself is unchanged by the profile's parameters.
    expect(out.get('content/frameworks/mini-catalog.json')!.catalog.controls[0]!.description).toMatch(/^a\. Disseminate to \[Assignment: organization-defined personnel or roles\]:/);
  });

  it('a workspace reads JSON frameworks beside YAML ones; a policy maps to an imported control', async () => {
    const ws = await validWorkspace({
      portal: { frameworks: ['soc2', 'mini-profile'] },
      frameworks: [fw('mini-catalog.json', catalogText), fw('mini-profile.json', profileText)],
      policies: [policyFile({ id: 'POL-1', controls: { 'mini-profile': ['ac-1', 'gv.oc-01'], soc2: ['CC6.1'] } })],
    });
    expect(ws.index.frameworkIds()).toEqual(expect.arrayContaining(['mini-catalog', 'mini-profile', 'soc2']));
    expect(ws.policies[0]!.controlKeys).toEqual(['mini-profile::AC-1', 'mini-profile::GV.OC-01', 'soc2::CC6.1']);
  });
});

describe('problems are located and explained, never thrown', () => {
  const run = (files: TextFile[]) => {
    const r = importAll(files);
    return { ...r, lines: brief(r.diagnostics.items, true) };
  };

  it('not JSON, truncated JSON, an empty file', () => {
    const r = run([fw('a.json', '{\n  "catalog": {\n    "metadata": ,\n'), fw('b.json', '{"catalog": {"metadata": {"title": "x"'), fw('c.json', '  \n'), fw('d.json', '# A Markdown file\n')]);
    expect(r.out.size).toBe(0);
    expect(r.lines).toEqual(['error catalog-invalid content/frameworks/a.json:3:17', 'error catalog-invalid content/frameworks/b.json:1:39', 'error catalog-invalid content/frameworks/c.json:1:1', 'error catalog-invalid content/frameworks/d.json:1:1']);
    expect(r.diagnostics.items[0]!.message).toMatch(/^Invalid JSON: /);
    expect(r.diagnostics.items[0]!.message).not.toMatch(/position \d+/);
    expect(r.diagnostics.items[2]!.message).toBe('The file is empty.');
  });

  it('JSON that is not an OSCAL catalog or profile', () => {
    const r = run([fw('ssp.json', '{"system-security-plan": {}}'), fw('list.json', '[1, 2]'), fw('other.json', '{"name": "x", "version": "1"}')]);
    expect(r.out.size).toBe(0);
    expect(r.diagnostics.items.map((d) => d.message)).toEqual([
      'This is an OSCAL system-security-plan, not a catalog or profile.',
      'This JSON file is not an OSCAL document: expected an object with a `catalog` or `profile` member.',
      'This JSON file is not an OSCAL catalog or profile: its top-level members are `name`, `version`, expected `catalog` or `profile`.',
    ]);
  });

  it('missing metadata fields, a control without id or title, a duplicate id: each at its line', () => {
    const text = [
      '{ "catalog": {', // 1
      '  "metadata": { "title": "T" },', // 2
      '  "groups": [ { "id": "g", "title": "G", "controls": [', // 3
      '    { "id": "c-1", "title": "One" },', // 4
      '    { "title": "No id" },', // 5
      '    { "id": "c-3",', // 6
      '      "title": "" },', // 7
      '    { "id": "c-4", "title": "Four", "props": [ { "name": "label", "value": "c-1" } ] }', // 8
      '  ] } ]', // 9
      '} }', // 10
    ].join('\n');
    const r = run([fw('bad.json', text)]);
    expect(r.out.size).toBe(0);
    expect(r.lines).toEqual(['error catalog-invalid content/frameworks/bad.json:2:15']);
    expect(r.diagnostics.items[0]!.message).toBe('The metadata has no `version`.');
    const fixed = text.replace('"title": "T" }', '"title": "T", "version": "1" }');
    const r2 = run([fw('bad.json', fixed)]);
    expect(r2.lines).toEqual(['error catalog-invalid content/frameworks/bad.json:5:5', 'error catalog-invalid content/frameworks/bad.json:7:16']);
    expect(r2.diagnostics.items.map((d) => [d.field, d.message])).toEqual([
      ['catalog.groups[0].controls[1]', 'This control has no `id`.'],
      ['catalog.groups[0].controls[2].title', 'Control `c-3` has no `title`.'],
    ]);
    const r3 = run([fw('bad.json', fixed.replace('{ "title": "No id" },', '{ "id": "c-2", "title": "Two" },').replace('"title": "" }', '"title": "Three" }'))]);
    expect(r3.lines).toEqual(['error catalog-invalid content/frameworks/bad.json:8:13']);
    expect(r3.diagnostics.items[0]!.message).toBe('Control `c-4` has the id `c-1`, which control `c-1` already uses.');
  });

  it('a catalog whose controls are all withdrawn, and a file name that is not an id', () => {
    const text = '{"catalog": {"metadata": {"title": "T", "version": "1"}, "controls": [{"id": "a", "title": "A", "props": [{"name": "status", "value": "withdrawn"}]}]}}';
    const r = run([fw('gone.json', text), fw('my catalog.json', text.replace('"withdrawn"', '"active"'))]);
    expect(r.out.size).toBe(0);
    expect(r.diagnostics.items.map((d) => d.message)).toEqual([
      'The catalog has no controls that are not withdrawn.',
      'The file name `my catalog.json` does not make a framework id: the id is the file name without `.json`.',
    ]);
  });

  it('a profile: unknown control ids, no selection, a cycle, a catalog with errors', () => {
    const catalog = fixtureText('mini-catalog.json');
    const profile = (imports: unknown[]) => JSON.stringify({ profile: { metadata: { title: 'P', version: '1' }, imports } }, null, 1);
    const r = run([
      fw('mini-catalog.json', catalog),
      fw('unknown.json', profile([{ href: 'mini-catalog.json', 'include-controls': [{ 'with-ids': ['ac-1', 'zz-9', 'ac-99'] }] }])),
      fw('none.json', profile([{ href: 'mini-catalog.json' }])),
      fw('loop-a.json', profile([{ href: 'loop-b.json', 'include-all': {} }])),
      fw('loop-b.json', profile([{ href: 'loop-a.json', 'include-all': {} }])),
      fw('broken.json', '{"catalog": {"metadata": {"title": "T", "version": "1"}, "controls": [{"title": "no id"}]}}'),
      fw('on-broken.json', profile([{ href: 'https://example.org/oscal/broken.json', 'include-all': {} }])),
    ]);
    expect([...r.out.keys()]).toEqual(['content/frameworks/mini-catalog.json']);
    const byFile = Object.fromEntries(r.diagnostics.items.map((d) => [d.file!.split('/').pop(), d.message]));
    expect(byFile['unknown.json']).toBe('2 control ids selected here are not in content/frameworks/mini-catalog.json: `zz-9`, `ac-99`.');
    expect(byFile['none.json']).toBe('This import selects no controls: it needs `include-all` or `include-controls`.');
    expect(byFile['loop-b.json']).toMatch(/^This profile imports itself through `content\/frameworks\/loop-a\.json` \(a cycle\)\.$/);
    expect(byFile['on-broken.json']).toBe('This profile imports content/frameworks/broken.json, which has errors (see them above).');
    expect(r.diagnostics.items.every((d) => d.rule === 'catalog-invalid' && d.severity === 'error' && d.line !== undefined)).toBe(true);
  });

  it('through validateWorkspace: an OSCAL file and a YAML catalog with the same id', async () => {
    const catalog = fixtureText('mini-catalog.json');
    const r = await loadMemoryWorkspace({
      frameworks: [{ path: 'content/frameworks/mini.yaml', text: 'id: mini\nname: Mini\nversion: 1\ncontrols:\n  - { id: M1, title: One }\n' }, fw('mini.json', catalog)],
    });
    expect(brief(r.diagnostics.items)).toEqual(['error duplicate-id content/frameworks/mini.json:-']);
    expect(r.diagnostics.items[0]!.message).toBe('The framework id `mini` is already used by content/frameworks/mini.yaml.');
  });
});
