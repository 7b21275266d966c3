/**
 * Nightly CI outputs as pure functions: every gate rule with its exit meaning, the diff of
 * two fixture workspaces, JUnit well-formedness, and crosswalk propagation.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/load/pipeline-fs.ts';
import { diffReports } from '../../src/core/report/changes.ts';
import { evaluateGate } from '../../src/core/report/gate.ts';
import { toJUnit } from '../../src/core/report/junit.ts';
import type { Report } from '../../src/core/report/report.ts';
import type { PortalConfig } from '../../src/core/schemas/portal.ts';
import { REPO_ROOT } from '../helpers/adapter-harness.ts';
import { tempWorkspace } from '../helpers/fixtures.ts';

const writeWorkspace = async (files: Record<string, string>) => (await tempWorkspace(files)).root;

const now = new Date('2026-11-28T00:00:00Z');
const noRules: PortalConfig['gate'] = { failOn: {}, minScore: {}, expiredExceptions: false, staleEvidence: false, overdueReviews: false, regressions: false };

async function exampleReport(at = now): Promise<Report> {
  const r = await runPipeline({ root: REPO_ROOT, now: at });
  expect(r.diagnostics.errors).toEqual([]);
  return r.report!;
}

describe('gate rules', async () => {
  const report = await exampleReport();
  const later = await exampleReport(new Date('2027-01-15T00:00:00Z'));

  it('no rules: holds', () => {
    expect(evaluateGate(report, noRules)).toMatchObject({ ok: true, breaches: [], checked: [] });
  });
  it('failOn per framework and for all (*), with the file to fix', () => {
    const failing = report.frameworks.flatMap((f) => f.controls.filter((c) => c.status === 'failing').map((c) => `${f.id} ${c.id}`));
    expect(failing.length).toBeGreaterThan(0);
    const all = evaluateGate(report, { ...noRules, failOn: { '*': ['failing'] } });
    expect(all.ok).toBe(false);
    expect(all.breaches.map((b) => `${b.framework} ${b.control}`).sort()).toEqual(failing.sort());
    for (const b of all.breaches) expect(b.file).toMatch(/^evidence\//);
    const soc2 = evaluateGate(report, { ...noRules, failOn: { soc2: ['failing'] } });
    expect(soc2.breaches.every((b) => b.framework === 'soc2')).toBe(true);
    const gaps = evaluateGate(report, { ...noRules, failOn: { soc2: ['gap'] } });
    expect(gaps.breaches.length).toBe(report.frameworks.find((f) => f.id === 'soc2')!.summary.counts.gap);
  });
  it('minScore: below breaks, at or above holds', () => {
    const score = report.frameworks.find((f) => f.id === 'soc2')!.summary.score;
    expect(evaluateGate(report, { ...noRules, minScore: { soc2: score } }).ok).toBe(true);
    const low = evaluateGate(report, { ...noRules, minScore: { soc2: Math.min(1, score + 0.01) } });
    expect(low.ok).toBe(false);
    expect(low.breaches[0]).toMatchObject({ rule: 'min-score', framework: 'soc2' });
  });
  it('expired exceptions, stale evidence and overdue reviews', () => {
    const expired = evaluateGate(report, { ...noRules, expiredExceptions: true });
    expect(expired.breaches.map((b) => [b.rule, b.file])).toEqual([['expired-exception', 'content/exceptions/EXC-4.md']]);
    const stale = evaluateGate(report, { ...noRules, staleEvidence: true });
    expect(stale.breaches.map((b) => b.rule)).toContain('stale-evidence');
    expect(stale.breaches.map((b) => b.message).join('\n')).toMatch(/access-review/);
    const overdue = evaluateGate(report, { ...noRules, overdueReviews: true });
    expect(overdue.breaches.map((b) => b.file)).toEqual(['content/policies/physical-security.md']);
  });
  it('regressions against a baseline: none without one, every worse control with one', () => {
    expect(evaluateGate(later, { ...noRules, regressions: true }).ok).toBe(true);
    const changes = diffReports(report, later);
    const r = evaluateGate(later, { ...noRules, regressions: true }, changes);
    expect(r.ok).toBe(false);
    expect(r.breaches.length).toBe(changes.regressions);
    expect(r.breaches.every((b) => b.rule === 'regression')).toBe(true);
    // The same report as its own baseline has no regression.
    expect(evaluateGate(report, { ...noRules, regressions: true }, diffReports(report, report)).ok).toBe(true);
  });
});

describe('changes between two fixture workspaces', () => {
  it('reports status changes with reasons, new and resolved failing checks, policy and source changes', async () => {
    const policy = (id: string, version: string, status = 'approved') =>
      `---\nid: ${id}\ntitle: ${id}\nowner: CISO\nstatus: ${status}\nversion: "${version}"\neffective: 2026-01-01\nlastReviewed: 2026-06-01\nreviewInterval: 12 months\ncontrols: { soc2: [CC6.1, CC7.1] }\n---\nBody.\n`;
    const source = 'format: csv\ntool: T\ncollectedAt: 2026-11-27T00:00:00Z\nfields:\n  check: { column: Check }\n  result: { column: Status, pass: [PASS], fail: [FAIL] }\nmap:\n  - check: "*"\n    controls: { soc2: [CC6.1, CC7.1] }\n';
    const before = await writeWorkspace({
      'content/portal.yaml': 'organization: T\nframeworks: [soc2]\n',
      'content/policies/a.md': policy('POL-A', '1.0'),
      'content/policies/b.md': policy('POL-B', '1.0', 'draft'),
      'evidence/scan/source.yaml': source,
      'evidence/scan/r.csv': 'Check,Status\nold-fail,FAIL\nkeep,PASS\n',
    });
    const after = await writeWorkspace({
      'content/portal.yaml': 'organization: T\nframeworks: [soc2]\n',
      'content/policies/a.md': policy('POL-A', '1.1'),
      'content/policies/b.md': policy('POL-B', '1.0'),
      'content/policies/c.md': policy('POL-C', '1.0'),
      'evidence/scan/source.yaml': source,
      'evidence/scan/r.csv': 'Check,Status\nold-fail,PASS\nnew-fail,FAIL\nkeep,PASS\n',
    });
    const a = (await runPipeline({ root: before, now })).report!;
    const b = (await runPipeline({ root: after, now })).report!;
    const c = diffReports(a, b);
    expect(c.failingChecks).toEqual({ new: [{ source: 'scan', check: 'new-fail', fail: 1 }], resolved: [{ source: 'scan', check: 'old-fail', fail: 1 }] });
    expect(c.policies).toEqual({ added: ['POL-C'], removed: [], changed: [{ id: 'POL-A', from: '1.0', to: '1.1' }], approved: ['POL-B'], retired: [] });
    // CC6.1 fails before and after (different checks): no status change; a control that changed is listed with its reasons.
    expect(c.controls.find((x) => x.id === 'CC6.1')).toBeUndefined();
    const after2 = await runPipeline({ root: after, now: new Date('2027-01-15T00:00:00Z') });
    const stale = diffReports(b, after2.report!);
    expect(stale.sources.wentStale).toEqual(['scan']);
    // Failing stays failing (worst first) even when the evidence goes stale: no change listed, no regression.
    expect(stale.controls.find((x) => x.id === 'CC7.1')).toBeUndefined();
    expect(stale.regressions).toBe(0);
  });
});

describe('report.junit.xml', () => {
  it('is well-formed XML: one suite per framework, one case per control; failing and gap fail, not-applicable is skipped', async () => {
    const report = await exampleReport();
    const xml = toJUnit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite as { '@_id': string; '@_tests': string; '@_failures': string; '@_skipped': string; testcase: Record<string, unknown>[] }[];
    expect(suites.map((s) => s['@_id'])).toEqual(report.frameworks.map((f) => f.id));
    for (const [i, fw] of report.frameworks.entries()) {
      const s = suites[i]!;
      expect(s.testcase).toHaveLength(fw.controls.length);
      expect(Number(s['@_failures'])).toBe(fw.summary.counts.failing + fw.summary.counts.gap);
      expect(s.testcase.filter((t) => t.failure).length).toBe(fw.summary.counts.failing + fw.summary.counts.gap);
      expect(s.testcase.filter((t) => t.skipped !== undefined).length).toBe(fw.summary.counts['not-applicable']);
      expect(s.testcase.filter((t) => t['system-out']).length).toBe(fw.summary.counts.stale + fw.summary.counts.excepted);
    }
  });
  it('escapes hostile text and drops characters XML cannot hold', () => {
    const report = { organization: 'A & <B>', generatedAt: '2026-11-28T00:00:00.000Z', frameworks: [{ id: 'x', name: '"x"', summary: { counts: { passing: 0, failing: 1, stale: 0, excepted: 0, gap: 0, 'not-applicable': 0 }, applicable: 1, total: 1, score: 0 }, controls: [{ id: 'C1', title: ']]></failure><x>\u0001', status: 'failing', reasons: ['failing-evidence'], policies: [], evidence: { pass: 0, fail: 1, excepted: 0, notEvaluated: 0, sources: [], staleSources: [] }, exceptions: [], expiredExceptions: [], policyOnly: false, priority: 'high', via: [] }] }] } as unknown as Report;
    expect(XMLValidator.validate(toJUnit(report))).toBe(true);
  });
});

describe('crosswalk propagation', () => {
  it('policies and evidence of the source control count for the mapped one, shown as via crosswalk', async () => {
    const root = await writeWorkspace({
      'content/portal.yaml': 'organization: T\nframeworks: [soc2, iso27001-2022]\ncrosswalks: [soc2-to-iso27001-2022]\n',
      'content/policies/a.md': `---\nid: POL-A\ntitle: A\nowner: CISO\nstatus: approved\nversion: "1"\neffective: 2026-01-01\nlastReviewed: 2026-06-01\nreviewInterval: 12 months\ncontrols: { soc2: [CC6.2] }\n---\nBody.\n`,
      'evidence/idp/source.yaml': 'format: csv\ntool: IdP\ncollectedAt: 2026-11-27T00:00:00Z\nfields:\n  check: { value: reviewed }\n  result: { column: R, pass: [yes], fail: [no] }\nmap:\n  - check: reviewed\n    controls: { soc2: [CC6.2] }\n',
      'evidence/idp/r.csv': 'R\nyes\nyes\n',
    });
    const r = await runPipeline({ root, now });
    expect(r.diagnostics.errors).toEqual([]);
    const iso = r.report!.frameworks.find((f) => f.id === 'iso27001-2022')!;
    // soc2-to-iso27001-2022 maps CC6.2 to A.5.16 (equivalent-to).
    const a516 = iso.controls.find((c) => c.id === 'A.5.16')!;
    expect(a516.status).toBe('passing');
    expect(a516.policies).toEqual(['POL-A']);
    expect(a516.evidence.pass).toBe(2);
    expect(a516.via).toEqual([{ from: 'soc2::CC6.2', relationship: 'equivalent-to', crosswalk: 'soc2-to-iso27001-2022', informative: true, policies: ['POL-A'], evidence: true }]);
  });
  it('reports a cycle and unknown ids as errors', async () => {
    const root = await writeWorkspace({
      'content/portal.yaml': 'organization: T\nframeworks: [soc2, iso27001-2022]\n',
      'content/crosswalks/a.yaml': 'id: a\nfrom: soc2\nto: iso27001-2022\nmappings:\n  CC6.2: [A.5.16]\n  CC6.9: [A.5.99]\n',
      'content/crosswalks/b.yaml': 'id: b\nfrom: iso27001-2022\nto: soc2\nmappings:\n  A.5.16: [CC6.2]\n',
    });
    const r = await runPipeline({ root, now });
    expect(r.diagnostics.errors.map((d) => d.rule).sort()).toEqual(['crosswalk-cycle', 'unknown-control']);
  });
});
