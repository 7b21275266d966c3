/**
 * Translates the framework references that tools put in their own output
 * (Prowler `COMPLIANCE`, Security Hub `RelatedRequirements`, Kubescape
 * frameworks, Powerpipe tags, Checkov `benchmarks`) to our framework and
 * control ids. Used only when a source sets `useToolMappings: true`.
 * Documented in docs/evidence-formats.md ("Tool mappings").
 */

export interface ToolRef {
  /** The framework as the tool names it, e.g. `SOC2`, `ISO27001-2022`, `NIST-800-53-Revision-5`. */
  framework: string;
  /** The control as the tool writes it, e.g. `cc_6_1`, `A.8.5`, `ac_2_1`. */
  control: string;
}

/** Normalised tool framework name (lower case, letters and digits only) -> our framework id. */
const FRAMEWORK_ALIASES: Record<string, string> = {
  soc2: 'soc2',
  aicpasoc2: 'soc2',
  soc2type2: 'soc2',
  iso27001: 'iso27001-2022',
  iso270012022: 'iso27001-2022',
  iso27001v2022: 'iso27001-2022',
  nistcsf: 'nist-csf-2.0',
  nistcsf20: 'nist-csf-2.0',
  nistcsfv2: 'nist-csf-2.0',
  nist80053revision5: 'nist-800-53-rev5',
  nist80053rev5: 'nist-800-53-rev5',
  nist80053r5: 'nist-800-53-rev5',
  nistsp80053revision5: 'nist-800-53-rev5',
};

/** Control id normalisers per target framework. */
const CONTROL_NORMALISERS: Record<string, (id: string) => string | undefined> = {
  // cc_6_1, CC6.1, cc6.1 -> CC6.1; a1_2 -> A1.2; pi1_1 -> PI1.1; p4_3 -> P4.3
  soc2: (id) => {
    const m = /^(cc|a|c|pi|p)[_ .-]?(\d+)[_ .-](\d+)$/i.exec(id.trim());
    return m ? `${m[1]!.toUpperCase()}${m[2]}.${m[3]}` : undefined;
  },
  // A.5.15, a_5_15, 5.15, A.5.15.1 (keeps the Annex A id)
  'iso27001-2022': (id) => {
    const m = /^(?:a[_ .-]?)?([5-8])[_ .-](\d+)$/i.exec(id.trim());
    return m ? `A.${m[1]}.${Number(m[2])}` : undefined;
  },
  // ac_2_1, AC-2(1), ac-2.1, AC-02(01) -> AC-2(1); ac_2 -> AC-2
  'nist-800-53-rev5': (id) => {
    const m = /^([a-z]{2})[_ .-]?0*(\d+)(?:[_ .(-]+0*(\d+)\)?)?$/i.exec(id.trim());
    if (!m) return undefined;
    const base = `${m[1]!.toUpperCase()}-${Number(m[2])}`;
    return m[3] ? `${base}(${Number(m[3])})` : base;
  },
  // gv.oc-01, GV.OC-01, gv_oc_01 -> GV.OC-01
  'nist-csf-2.0': (id) => {
    const m = /^([a-z]{2})[._ -]?([a-z]{2})[._ -]?(\d{1,2})$/i.exec(id.trim());
    return m ? `${m[1]!.toUpperCase()}.${m[2]!.toUpperCase()}-${m[3]!.padStart(2, '0')}` : undefined;
  },
};

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
