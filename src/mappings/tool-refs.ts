/**
 * Translates the framework references that tools put in their own output
 * (Prowler `COMPLIANCE` / `unmapped.compliance`, Prowler compliance CSVs,
 * Security Hub `RelatedRequirements`, Kubescape frameworks, Powerpipe tags,
 * Checkov `benchmarks`) to our framework and control ids. Used only when a
 * source sets `useToolMappings: true`. Documented in docs/evidence-formats.md
 * ("Tool mappings").
 *
 * Fail closed: a reference is translated only when both the framework and the
 * control id are recognised without doubt. Anything else returns undefined and
 * the finding counts as unmapped (unless a `map:` rule covers it). In
 * particular:
 *
 * - An unversioned name is not guessed: `ISO27001` may be the 2013 edition and
 *   `NIST-CSF` may be CSF 1.1 (Prowler writes `NIST-CSF` in the FRAMEWORK
 *   column of both its 1.1 and 2.0 compliance CSVs; the version is only in the
 *   file name, which the Prowler adapter folds back in).
 * - Other editions are other frameworks: `ISO27001-2013`, `NIST-CSF-1.1`,
 *   `NIST-800-53-Revision-4`, FedRAMP baselines and PCI DSS return undefined.
 * - Prowler's SOC2 `cc_a_1_1` is ambiguous: Prowler's own title for it is
 *   "A1.2 ..." and it carries the backup and recovery checks that Prowler 3
 *   listed under `cc_a_1_2`, so it is left untranslated (write a `map:` rule).
 * - Prowler's "NIST-CSF-2.0" requirement ids are bare categories such as
 *   `oc_1` (GV.OC-01) and `am_5` (ID.AM-05), mixed with CSF 1.1 categories
 *   (`ac_1` = PR.AC-1, `ip_4` = PR.IP-4, `ma_2` = PR.MA-2, `rp_1` = RS.RP-1).
 *   Only CSF 2.0 categories are translated; a bare category that CSF 1.1 used
 *   under a different function (`ma`, `rp`, `im`, `co`) is never guessed.
 */

export interface ToolRef {
  /** The framework as the tool names it, e.g. `SOC2`, `ISO27001-2022`, `NIST-800-53-Revision-5`, `NIST.800-53.r5`. */
  framework: string;
  /** The control as the tool writes it, e.g. `cc_6_1`, `A.8.5`, `ac_2_1`, `AC-2(1)`. */
  control: string;
}

/**
 * Normalised tool framework name (lower case, letters and digits only) -> our
 * framework id. The comment on each group lists the real spellings it covers.
 */
const FRAMEWORK_ALIASES: Record<string, string> = {
  // Prowler `SOC2`; Powerpipe tag `soc_2`; "AICPA SOC 2"; "SOC 2 Type II".
  soc2: 'soc2',
  aicpasoc2: 'soc2',
  soc2type1: 'soc2',
  soc2type2: 'soc2',
  soc2typei: 'soc2',
  soc2typeii: 'soc2',
  // Prowler `ISO27001-2022` (Framework ISO27001 + Version 2022) and compliance file stem `iso27001_2022`;
  // "ISO/IEC 27001:2022"; "ISO 27001 v2022". Bare `ISO27001` is not mapped (may be the 2013 edition).
  iso270012022: 'iso27001-2022',
  iso27001v2022: 'iso27001-2022',
  isoiec270012022: 'iso27001-2022',
  // Prowler `NIST-CSF-2.0` and compliance file stem `nist_csf_2.0`; Powerpipe tag `nist_csf_v2`;
  // "NIST Cybersecurity Framework 2.0". Bare `NIST-CSF` and `NIST-CSF-1.1` are not mapped.
  nistcsf20: 'nist-csf-2.0',
  nistcsfv2: 'nist-csf-2.0',
  nistcsfv20: 'nist-csf-2.0',
  nistcsf2: 'nist-csf-2.0',
  nistcybersecurityframework20: 'nist-csf-2.0',
  nistcybersecurityframeworkv20: 'nist-csf-2.0',
  // Prowler `NIST-800-53-Revision-5`; Security Hub `NIST.800-53.r5`; Powerpipe tag `nist_800_53_rev_5`;
  // "NIST SP 800-53 Rev. 5". Revision 4 and FedRAMP baselines are other frameworks.
  nist80053revision5: 'nist-800-53-rev5',
  nist80053rev5: 'nist-800-53-rev5',
  nist80053r5: 'nist-800-53-rev5',
  nistsp80053revision5: 'nist-800-53-rev5',
  nistsp80053rev5: 'nist-800-53-rev5',
  nistsp80053r5: 'nist-800-53-rev5',
};

/** Prowler SOC2 requirement ids whose meaning is ambiguous (see the module comment). */
const SOC2_AMBIGUOUS = new Set(['cc_a_1_1']);

/** NIST SP 800-53 control families. */
const NIST_800_53_FAMILIES = new Set([
  'AC', 'AT', 'AU', 'CA', 'CM', 'CP', 'IA', 'IR', 'MA', 'MP', 'PE', 'PL', 'PM', 'PS', 'PT', 'RA', 'SA', 'SC', 'SI', 'SR',
]);

/** CSF 2.0 category -> function, for every category in CSF 2.0. */
const CSF2_CATEGORIES: Record<string, string[]> = {
  GV: ['OC', 'RM', 'RR', 'PO', 'OV', 'SC'],
  ID: ['AM', 'RA', 'IM'],
  PR: ['AA', 'AT', 'DS', 'PS', 'IR'],
  DE: ['CM', 'AE'],
  RS: ['MA', 'AN', 'CO', 'MI'],
  RC: ['RP', 'CO'],
};
const CSF2_FULL = new Set(Object.entries(CSF2_CATEGORIES).flatMap(([fn, cats]) => cats.map((c) => `${fn}.${c}`)));

/**
 * Categories written without their function (Prowler's `oc_1`): only those that
 * name exactly one category in CSF 2.0 and that CSF 1.1 did not use under
 * another function. Left out: IM (ID.IM; CSF 1.1 RS.IM, RC.IM), MA (RS.MA;
 * CSF 1.1 PR.MA), CO (RS.CO, RC.CO), RP (RC.RP; CSF 1.1 RS.RP).
 */
const CSF2_BARE: Record<string, string> = {
  OC: 'GV', RM: 'GV', RR: 'GV', PO: 'GV', OV: 'GV', SC: 'GV',
  AM: 'ID', RA: 'ID',
  AA: 'PR', AT: 'PR', DS: 'PR', PS: 'PR', IR: 'PR',
  CM: 'DE', AE: 'DE',
  AN: 'RS', MI: 'RS',
};

/** Control id normalisers per target framework: our id, or undefined when the id is not recognised. */
const CONTROL_NORMALISERS: Record<string, (id: string) => string | undefined> = {
  // Prowler cc_6_1, cc_c_1_2, cc_a_1_2, pi_1_2; CC6.1, cc6.1, CC 6.1; A1.2, C1.1, PI1.3, P4.3.
  soc2: (raw) => {
    const id = raw.trim();
    if (SOC2_AMBIGUOUS.has(id.toLowerCase())) return undefined;
    const m = /^(?:cc[_ .-]?(?=a|c|pi|p))?(cc|a|c|pi|p)[_ .-]?(\d{1,2})[_ .-](\d{1,2})$/i.exec(id);
    return m ? `${m[1]!.toUpperCase()}${Number(m[2])}.${Number(m[3])}` : undefined;
  },
  // A.5.15, A.8.5, A8.5, a_8_5, Annex A.8.5 -> A.8.5. The `A` is required: a bare 6.1 is also a clause of the standard.
  'iso27001-2022': (raw) => {
    const m = /^(?:annex\s*)?a[_ .-]?([5-8])[_ .-]0*(\d{1,2})$/i.exec(raw.trim());
    return m ? `A.${m[1]}.${Number(m[2])}` : undefined;
  },
  // Prowler ac_2, ac_2_1, sc_7_12; AC-2(1), AC-02(01), ac-2.1, AC-17-2 -> AC-2(1), AC-17(2).
  // Statement parts map to their control: ac_2_3_a, AC-2(3)(a) -> AC-2(3); ac_2_d_1, ac_2_g -> AC-2.
  'nist-800-53-rev5': (raw) => {
    const m = /^([a-z]{2})[-_ .]?0*(\d{1,2})(?:\s*\(0*(\d{1,3})\)|[-_.]0*(\d{1,3})(?![a-z0-9]))?((?:\s*\([a-z0-9]{1,3}\)|[-_.][a-z0-9]{1,3})*)$/i.exec(raw.trim());
    if (!m) return undefined;
    const family = m[1]!.toUpperCase();
    if (!NIST_800_53_FAMILIES.has(family)) return undefined;
    const enhancement = m[3] ?? m[4];
    const base = `${family}-${Number(m[2])}`;
    return enhancement ? `${base}(${Number(enhancement)})` : base;
  },
  // GV.OC-01, gv.oc-1, gv_oc_01, rc_rp_1 -> GV.OC-01, RC.RP-01; Prowler bare categories oc_1, am_5 -> GV.OC-01, ID.AM-05.
  'nist-csf-2.0': (raw) => {
    const id = raw.trim().toUpperCase();
    const full = /^([A-Z]{2})[._ -]?([A-Z]{2})[._ -]?0*(\d{1,2})$/.exec(id);
    if (full) {
      const cat = `${full[1]}.${full[2]}`;
      return CSF2_FULL.has(cat) ? `${cat}-${full[3]!.padStart(2, '0')}` : undefined;
    }
    const bare = /^([A-Z]{2})[._ -]0*(\d{1,2})$/.exec(id);
    if (bare) {
      const fn = CSF2_BARE[bare[1]!];
      return fn ? `${fn}.${bare[1]}-${bare[2]!.padStart(2, '0')}` : undefined;
    }
    return undefined;
  },
};

/** Our framework id for a tool's framework name, or undefined when the table does not know it. */
export function normaliseToolFramework(name: string): string | undefined {
  return FRAMEWORK_ALIASES[name.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

/** Our `{ framework, control }` for a tool reference, or undefined when the table does not know it. */
export function translateToolRef(ref: ToolRef): { framework: string; control: string } | undefined {
  const framework = normaliseToolFramework(ref.framework);
  if (!framework) return undefined;
  const normalise = CONTROL_NORMALISERS[framework];
  const control = normalise ? normalise(ref.control) : ref.control.trim();
  return control ? { framework, control } : undefined;
}

/**
 * Splits one requirement string that names its framework and controls in one
 * text, as Security Hub `Compliance.RelatedRequirements` does:
 * `NIST.800-53.r5 AC-2(1)` -> one ref; Prowler's ASFF `SOC2 cc_6_1 cc_7_2` ->
 * two refs (a known framework followed by its ids); `PCI DSS 8.3.1` -> framework
 * `PCI DSS`, control `8.3.1` (unknown to the table, so it translates to nothing).
 */
export function splitRequirementText(text: string): ToolRef[] {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length < 2) return [];
  const [first, ...rest] = tokens as [string, ...string[]];
  if (normaliseToolFramework(first)) return rest.map((control) => ({ framework: first, control }));
  return [{ framework: tokens.slice(0, -1).join(' '), control: tokens.at(-1)! }];
}
