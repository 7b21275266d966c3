import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseToolFramework, splitRequirementText, translateToolRef } from '../../src/mappings/tool-refs.ts';
import { REPO_ROOT } from '../helpers/adapter-harness.ts';

/** [tool framework, tool control, expected `framework:control` or undefined]. Strings as the tools write them. */
const TABLE: [string, string, string | undefined][] = [
  // Prowler SOC2 (compliance/aws/soc2_aws.json ids; `cc_a_1_2` from Prowler 3 output)
  ['SOC2', 'cc_6_1', 'soc2:CC6.1'],
  ['SOC2', 'cc_6_7', 'soc2:CC6.7'],
  ['SOC2', 'cc_1_3', 'soc2:CC1.3'],
  ['SOC2', 'cc_c_1_1', 'soc2:C1.1'],
  ['SOC2', 'cc_c_1_2', 'soc2:C1.2'],
  ['SOC2', 'cc_a_1_2', 'soc2:A1.2'],
  ['SOC2', 'pi_1_2', 'soc2:PI1.2'],
  ['SOC2', 'cc_a_1_1', undefined], // Prowler titles it "A1.2 ...": ambiguous, never guessed
  ['SOC2', 'CC6.1', 'soc2:CC6.1'],
  ['soc_2', 'CC 7.2', 'soc2:CC7.2'], // Powerpipe-style tag name
  ['SOC2', 'cc_6', undefined],
  ['SOC2', 'your-data-2', undefined],
  // Prowler ISO27001-2022 (Framework ISO27001 + Version 2022; compliance file stem iso27001_2022)
  ['ISO27001-2022', 'A.8.5', 'iso27001-2022:A.8.5'],
  ['ISO27001-2022', 'A.5.15', 'iso27001-2022:A.5.15'],
  ['ISO27001-2022', 'A.8.24', 'iso27001-2022:A.8.24'],
  ['iso27001_2022', 'A.5.2', 'iso27001-2022:A.5.2'],
  ['ISO/IEC 27001:2022', 'a_8_5', 'iso27001-2022:A.8.5'],
  ['ISO27001-2022', '6.1', undefined], // clause 6.1 or Annex A 6.1? The `A.` is required.
  ['ISO27001-2022', 'A.12.4', undefined],
  ['ISO27001-2013', 'A.12.4', undefined], // another edition
  ['ISO27001-2013', 'A.9.4.2', undefined],
  ['ISO27001', 'A.8.5', undefined], // no edition given
  // Prowler NIST-800-53-Revision-5 (compliance/aws/nist_800_53_revision_5_aws.json ids)
  ['NIST-800-53-Revision-5', 'ac_2_1', 'nist-800-53-rev5:AC-2(1)'],
  ['NIST-800-53-Revision-5', 'ac_2', 'nist-800-53-rev5:AC-2'],
  ['NIST-800-53-Revision-5', 'ac_3', 'nist-800-53-rev5:AC-3'],
  ['NIST-800-53-Revision-5', 'sc_7_12', 'nist-800-53-rev5:SC-7(12)'],
  ['NIST-800-53-Revision-5', 'ac_2_3_a', 'nist-800-53-rev5:AC-2(3)'], // AC-2(3)(a): the statement part maps to its control
  ['NIST-800-53-Revision-5', 'ac_2_12_a', 'nist-800-53-rev5:AC-2(12)'],
  ['NIST-800-53-Revision-5', 'ac_2_d_1', 'nist-800-53-rev5:AC-2'], // AC-2(d)(1)
  ['NIST-800-53-Revision-5', 'ac_2_g', 'nist-800-53-rev5:AC-2'],
  ['NIST-800-53-Revision-5', 'ac_2_i_2', 'nist-800-53-rev5:AC-2'],
  ['NIST-800-53-Revision-4', 'ac_17_2', undefined],
  ['FedRamp-Moderate-Revision-4', 'ac-17-2', undefined],
  ['FedRAMP-Low-Revision-4', 'sc-12', undefined],
  ['nist_800_53_rev_5', 'AC-02(01)', 'nist-800-53-rev5:AC-2(1)'], // Powerpipe-style tag name
  ['NIST-800-53-Revision-5', 'xx_1', undefined],
  // Security Hub RelatedRequirements, split by splitRequirementText
  ['NIST.800-53.r5', 'AC-2(1)', 'nist-800-53-rev5:AC-2(1)'],
  ['NIST.800-53.r5', 'SI-4(20)', 'nist-800-53-rev5:SI-4(20)'],
  ['NIST.800-53.r5', 'AC-2(3)(a)', 'nist-800-53-rev5:AC-2(3)'],
  ['NIST.800-53.r5', 'CA-9', 'nist-800-53-rev5:CA-9'],
  ['NIST.800-171.r2', '3.1.1', undefined],
  ['PCI DSS', '8.3.1', undefined],
  ['CIS AWS Foundations Benchmark v1.2.0', '1.1', undefined],
  // Prowler NIST-CSF-2.0 (compliance/aws/nist_csf_2.0_aws.json ids: bare categories, some of them CSF 1.1)
  ['NIST-CSF-2.0', 'oc_1', 'nist-csf-2.0:GV.OC-01'],
  ['NIST-CSF-2.0', 'rm_1', 'nist-csf-2.0:GV.RM-01'],
  ['NIST-CSF-2.0', 'sc_1', 'nist-csf-2.0:GV.SC-01'],
  ['NIST-CSF-2.0', 'am_5', 'nist-csf-2.0:ID.AM-05'],
  ['NIST-CSF-2.0', 'ra_1', 'nist-csf-2.0:ID.RA-01'],
  ['NIST-CSF-2.0', 'ds_1', 'nist-csf-2.0:PR.DS-01'],
  ['NIST-CSF-2.0', 'cm_1', 'nist-csf-2.0:DE.CM-01'],
  ['NIST-CSF-2.0', 'ae_2', 'nist-csf-2.0:DE.AE-02'],
  ['NIST-CSF-2.0', 'rc_rp_1', 'nist-csf-2.0:RC.RP-01'],
  ['NIST-CSF-2.0', 'GV.OC-01', 'nist-csf-2.0:GV.OC-01'],
  ['NIST-CSF-2.0', 'pr.aa-1', 'nist-csf-2.0:PR.AA-01'],
  ['NIST-CSF-2.0', 'ac_1', undefined], // PR.AC-1 is CSF 1.1
  ['NIST-CSF-2.0', 'ip_4', undefined], // PR.IP-4 is CSF 1.1
  ['NIST-CSF-2.0', 'ma_2', undefined], // PR.MA-2 in Prowler's file; RS.MA in CSF 2.0: never guessed
  ['NIST-CSF-2.0', 'rp_1', undefined], // RS.RP-1 is CSF 1.1
  ['NIST-CSF-2.0', 'id_sc_4', undefined], // ID.SC-4 is CSF 1.1
  ['NIST-CSF-2.0', 'dp_4', undefined], // DE.DP-4 is CSF 1.1
  ['NIST-CSF-2.0', 'PR.AC-1', undefined],
  ['NIST-CSF-1.1', 'ac_5', undefined], // Prowler 3 NIST-CSF-1.1
  ['NIST-CSF-1.1', 'ds_2', undefined],
  ['NIST-CSF', 'oc_1', undefined], // no version given
  ['nist_csf_v2', 'GV.OC-01', 'nist-csf-2.0:GV.OC-01'],
  // Frameworks that are not ours
  ['CIS-2.0', '1.20', undefined],
  ['KISA-ISMS-P-2023', '2.8.2', undefined],
  ['HIPAA', '164_308_a_4_ii_a', undefined],
  ['GDPR', 'article_32', undefined],
  ['ENS-RD2022', 'op.ext.7.aws.am.1', undefined],
  ['AWS-Account-Security-Onboarding', 'Billing, emergency, security contacts', undefined],
  ['MITRE', 'T1078', undefined],
];

describe('translateToolRef', () => {
  it.each(TABLE)('%s %s -> %s', (framework, control, expected) => {
    const t = translateToolRef({ framework, control });
    expect(t ? `${t.framework}:${t.control}` : undefined).toBe(expected);
  });

  it('trims spaces around the control', () => {
    expect(translateToolRef({ framework: 'SOC2', control: ' cc_6_1 ' })).toEqual({ framework: 'soc2', control: 'CC6.1' });
  });

  // Every translation into a built-in framework must name a control that the built-in catalog has.
  it.each(['soc2', 'iso27001-2022', 'nist-csf-2.0'])('only produces %s ids that exist in the built-in catalog', (framework) => {
    const catalog = readFileSync(path.join(REPO_ROOT, `src/catalogs/${framework}.yaml`), 'utf8');
    const ids = new Set([...catalog.matchAll(/^\s*-?\s*id:\s*"?([^"\s]+)"?\s*$/gm)].map((m) => m[1]));
    const produced = TABLE.map(([f, c]) => translateToolRef({ framework: f, control: c })).filter((t) => t?.framework === framework);
    expect(produced.length).toBeGreaterThan(2);
    for (const t of produced) expect(ids.has(t!.control), `${t!.control} in ${framework}.yaml`).toBe(true);
  });
});

describe('normaliseToolFramework', () => {
  it.each([
    ['SOC2', 'soc2'],
    ['soc_2', 'soc2'],
    ['SOC 2 Type II', 'soc2'],
    ['ISO27001-2022', 'iso27001-2022'],
    ['iso_27001_2013', undefined],
    ['ISO27001', undefined],
    ['NIST-CSF-2.0', 'nist-csf-2.0'],
    ['nist_csf_v2', 'nist-csf-2.0'],
    ['nist_csf', undefined],
    ['NIST-CSF-1.1', undefined],
    ['NIST-800-53-Revision-5', 'nist-800-53-rev5'],
    ['NIST.800-53.r5', 'nist-800-53-rev5'],
    ['nist_800_53_rev_5', 'nist-800-53-rev5'],
    ['NIST-800-53-Revision-4', undefined],
    ['PCI DSS', undefined],
  ])('%s -> %s', (name, expected) => {
    expect(normaliseToolFramework(name)).toBe(expected);
  });
});

describe('splitRequirementText', () => {
  it.each([
    ['NIST.800-53.r5 AC-2(1)', [{ framework: 'NIST.800-53.r5', control: 'AC-2(1)' }]],
    ['NIST.800-53.r5 AC-2(1) AC-3(7)', [{ framework: 'NIST.800-53.r5', control: 'AC-2(1)' }, { framework: 'NIST.800-53.r5', control: 'AC-3(7)' }]],
    ['PCI DSS 8.3.1', [{ framework: 'PCI DSS', control: '8.3.1' }]],
    ['SOC2 cc_6_1 cc_7_2', [{ framework: 'SOC2', control: 'cc_6_1' }, { framework: 'SOC2', control: 'cc_7_2' }]],
    ['CIS-1.5 2.3.2', [{ framework: 'CIS-1.5', control: '2.3.2' }]],
    ['NIST.800-53.r5', []],
    ['', []],
  ])('%s', (text, refs) => {
    expect(splitRequirementText(text)).toEqual(refs);
  });

  it('feeds translateToolRef: Security Hub strings translate only for known frameworks', () => {
    const out = ['NIST.800-53.r5 AC-2(1)', 'NIST.800-53.r5 SC-7(11)', 'PCI DSS 8.3.1', 'NIST.800-171.r2 3.1.1']
      .flatMap((s) => splitRequirementText(s))
      .map((r) => translateToolRef(r));
    expect(out).toEqual([{ framework: 'nist-800-53-rev5', control: 'AC-2(1)' }, { framework: 'nist-800-53-rev5', control: 'SC-7(11)' }, undefined, undefined]);
  });
});
