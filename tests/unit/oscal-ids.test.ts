/** src/core/oscal/ids.ts and the loose SP 800-53 lookup of the control index (src/core/catalog/index.ts). */
import { describe, expect, it } from 'vitest';
import { ControlIndex } from '../../src/core/catalog/index.ts';
import { catalogNameKey, displayIdFromOscal, isSp80053DisplayId, oscalIdsFor, oscalToken, PORTAL_UUID_NAMESPACE, sp80053Id, stableUuid, suggestFrameworkId, uuidV5 } from '../../src/core/oscal/ids.ts';
import type { Catalog } from '../../src/core/schemas/catalog.ts';
import { builtInCatalogs, validWorkspace } from '../helpers/fixtures.ts';

const catalog = (id: string, ids: string[]): Catalog => ({ id, name: id, version: '1', families: [], controls: ids.map((c) => ({ id: c, title: `Control ${c}` })) });

describe('uuidV5', () => {
  it('matches RFC 9562 / Python uuid.uuid5 on known vectors', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    // uuid.uuid5(uuid.NAMESPACE_URL, 'urn:policy-portal:oscal')
    expect(PORTAL_UUID_NAMESPACE).toBe('2787c7e4-6e72-5f2e-b9a1-fb6f50de34a9');
  });

  it('is deterministic, distinct per name, and a valid OSCAL UUID (version 5, RFC variant)', () => {
    expect(stableUuid('finding', 'r', 'soc2', 'CC6.1')).toBe(stableUuid('finding', 'r', 'soc2', 'CC6.1'));
    expect(stableUuid('finding', 'r', 'soc2', 'CC6.1')).not.toBe(stableUuid('finding', 'r', 'soc2', 'CC6.2'));
    // Parts are separated, so ('ab', 'c') and ('a', 'bc') differ.
    expect(stableUuid('ab', 'c')).not.toBe(stableUuid('a', 'bc'));
    expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('control id forms', () => {
  it('SP 800-53: every usual spelling has one canonical form', () => {
    for (const s of ['ac-2.1', 'AC-2(1)', 'AC-02(01)', 'ac-2_1', 'ac-02.01', ' ac-2 (1) ', 'Ac-2(01)']) expect(sp80053Id(s), s).toBe('AC-2(1)');
    expect(sp80053Id('ac-2')).toBe('AC-2');
    expect(sp80053Id('AC-02')).toBe('AC-2');
    expect(sp80053Id('sc-7.10')).toBe('SC-7(10)');
    expect(sp80053Id('AC-2(10)')).toBe('AC-2(10)');
    for (const s of ['CC6.1', 'GV.OC-01', 'A.5.1', '03.01.01', 'ac2', 'AC-2(1)(a)', 'ABC-1']) expect(sp80053Id(s), s).toBeUndefined();
  });

  it('display ids from OSCAL ids: SP 800-53 style only, others unchanged', () => {
    expect(displayIdFromOscal('ac-2.1')).toBe('AC-2(1)');
    expect(displayIdFromOscal('pm-30')).toBe('PM-30');
    expect(displayIdFromOscal('GV.OC-01')).toBe('GV.OC-01');
    expect(displayIdFromOscal('SP_800_171_03.01.01')).toBe('SP_800_171_03.01.01');
    expect(isSp80053DisplayId('AC-2(1)')).toBe(true);
    expect(isSp80053DisplayId('AC-02')).toBe(false);
    expect(isSp80053DisplayId('CC6.1')).toBe(false);
  });

  it('OSCAL tokens for our ids: lower case, (n) -> .n, never starting with a digit', () => {
    expect(oscalToken('CC6.1')).toBe('cc6.1');
    expect(oscalToken('A.8.5')).toBe('a.8.5');
    expect(oscalToken('AC-2(1)')).toBe('ac-2.1');
    expect(oscalToken('GV.OC-01')).toBe('gv.oc-01');
    expect(oscalToken('1.2')).toBe('_1.2');
    expect(oscalToken('My control #3')).toBe('my-control-3');
  });

  it('OSCAL ids of a catalog that does not come from OSCAL follow the token rule and the `_smt` convention', () => {
    expect(oscalIdsFor(catalog('x', ['CC6.1']), 'CC6.1')).toEqual({ controlId: 'cc6.1', statementId: 'cc6.1_smt' });
    expect(oscalIdsFor(undefined, 'AC-2(1)')).toEqual({ controlId: 'ac-2.1', statementId: 'ac-2.1_smt' });
  });

  it('file names: a normalised key for matching profile imports, and the id catalog:add proposes', () => {
    expect(catalogNameKey('../../../../nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json')).toBe('nist-sp-800-53-rev5-catalog');
    expect(catalogNameKey('NIST_SP-800-53_rev5_catalog-min.json')).toBe('nist-sp-800-53-rev5-catalog');
    expect(catalogNameKey('NIST_SP-800-53_rev5_catalog.xml')).toBe('nist-sp-800-53-rev5-catalog');
    expect(catalogNameKey('content/frameworks/nist-sp-800-53-rev5-catalog.json')).toBe('nist-sp-800-53-rev5-catalog');
    expect(suggestFrameworkId('/raw/main/nist.gov/CSF/v2.0/json/NIST_CSF_v2.0_catalog-min.json')).toBe('nist-csf-v2.0-catalog');
  });
});

describe('ControlIndex loose lookup', () => {
  it('an SP 800-53-style catalog: ac-2.1, AC-2(1), AC-02(01), ac-2_1 all resolve to AC-2(1)', () => {
    const index = new ControlIndex([catalog('nist-800-53-rev5', ['AC-2', 'AC-2(1)', 'AC-2(10)', 'SC-7'])], ['nist-800-53-rev5']);
    for (const s of ['ac-2.1', 'AC-2(1)', 'AC-02(01)', 'ac-2_1', 'ac-02.01', 'ac-2 (1)']) expect(index.resolve('nist-800-53-rev5', s)?.id, s).toBe('AC-2(1)');
    expect(index.resolve('nist-800-53-rev5', 'ac-02')?.id).toBe('AC-2');
    expect(index.resolve('nist-800-53-rev5', 'AC-2(010)')?.id).toBe('AC-2(10)');
    expect(index.resolve('nist-800-53-rev5', 'sc-07')?.key).toBe('nist-800-53-rev5::SC-7');
    expect(index.resolve('nist-800-53-rev5', 'AC-2(2)')).toBeUndefined();
    expect(index.resolve('nist-800-53-rev5', 'AC-3')).toBeUndefined();
  });

  it('other catalogs keep the old behaviour: case and spaces only (CC6.1 resolves only to CC6.1)', async () => {
    const index = new ControlIndex([catalog('soc2x', ['CC6.1', 'CC6.10', 'CC6.2'])], []);
    expect(index.resolve('soc2x', 'cc6.1')?.id).toBe('CC6.1');
    expect(index.resolve('soc2x', ' CC 6.1 ')?.id).toBe('CC6.1');
    for (const s of ['CC6.01', 'cc6_1', 'CC6(1)', 'CC6.1.0']) expect(index.resolve('soc2x', s), s).toBeUndefined();
    // A catalog with one id outside the SP 800-53 pattern does not get the SP 800-53 forms.
    const mixed = new ControlIndex([catalog('mixed', ['AC-2', 'AC-2(1)', 'X.1'])], []);
    expect(mixed.resolve('mixed', 'ac-2(1)')?.id).toBe('AC-2(1)');
    expect(mixed.resolve('mixed', 'AC-02(01)')).toBeUndefined();
    // The shipped catalogs are unchanged: soc2, ISO and CSF ids.
    const ws = await validWorkspace({ portal: { frameworks: ['soc2', 'iso27001-2022', 'nist-csf-2.0'] } });
    expect(ws.index.resolve('soc2', 'cc6.1')?.id).toBe('CC6.1');
    expect(ws.index.resolve('soc2', 'CC6.01')).toBeUndefined();
    expect(ws.index.resolve('iso27001-2022', 'a.8.5')?.id).toBe('A.8.5');
    expect(ws.index.resolve('nist-csf-2.0', 'gv.oc-01')?.id).toBe('GV.OC-01');
    expect((await builtInCatalogs()).length).toBeGreaterThan(0);
  });
});
