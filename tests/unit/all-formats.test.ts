/**
 * tests/fixtures/all-formats: one evidence source per registered format, each
 * folder named after its format, all through the whole pipeline on disk.
 * The row counts and statuses below were worked out by hand from the files
 * (the comment on each says how), not copied from a run.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownFormats } from '../../src/core/evidence/registry.ts';
import { runPipeline, type PipelineResult } from '../../src/core/load/pipeline-fs.ts';
import { FIXTURE_NOW, FIXTURES_DIR } from '../helpers/fixtures.ts';

const ROOT = path.join(FIXTURES_DIR, 'all-formats');

let result: PipelineResult;
beforeAll(async () => {
  result = await runPipeline({ root: ROOT, now: new Date(FIXTURE_NOW) });
});

const report = () => result.report!;
const source = (id: string) => report().sources.find((s) => s.id === id)!;

/** Control id -> "status reasons" for one framework. */
function statuses(framework: string): Record<string, string> {
  const fw = report().frameworks.find((f) => f.id === framework)!;
  return Object.fromEntries(fw.controls.map((c) => [c.id, [c.status, ...c.reasons].join(' ')]));
}

/**
 * Expected rows per source: [total, mapped, unmapped, notEvaluated, skipped].
 * Counted from the files: one row per CSV data line, JSON record, SARIF result,
 * Markdown attestation; "mapped" rows are pass/fail/muted results whose check a
 * `map:` rule (or, with useToolMappings, a SOC 2 / ISO 27001:2022 tool reference) ties
 * to an in-scope control; not-evaluated rows count as such whatever their mapping.
 */
const EXPECTED_ROWS: Record<string, [number, number, number, number, number]> = {
  // users.csv: 5 data lines; DEPROVISIONED dennis is left out by `where` (skipped);
  // ken has an empty "MFA Enrolled" (neither TRUE nor FALSE: not evaluated); 3 TRUE (mapped).
  csv: [5, 3, 0, 1, 1],
  // findings.json: 5 findings; s3 PASS, s3 FAIL and ebs PASS are mapped; ebs INFO is not
  // evaluated; ecr_scan_on_push PASS matches no rule (unmapped).
  json: [5, 3, 1, 1, 0],
  // 2 attestation files, one record each, both naming their own controls.
  attestation: [2, 2, 0, 0, 0],
  // signatures.csv: 3 data lines, all `acknowledgement:POL-SEC` (mapped): ada and grace signed the
  // current version 1.0 (pass), linus signed 0.9 (fail). Roster members with no row at all (ken)
  // become failures after ingestion, but they are not rows.
  acknowledgements: [3, 3, 0, 0, 0],
  // code-scan.sarif: 2 results (a fail and an accepted suppression), both `af.*`; the
  // expected rule without a result is an inferred pass, not a row.
  sarif: [2, 2, 0, 0, 0],
  // 4 data rows (one with a quoted two-line STATUS_EXTENDED): root MFA PASS (SOC2 cc_6_1) and the
  // muted public-bucket FAIL (SOC2 cc_6_6) are mapped; MANUAL is not evaluated;
  // accessanalyzer FAIL carries only CIS references (unmapped).
  'prowler-csv': [4, 2, 1, 1, 0],
  // 3 OCSF findings: 2 PASS with SOC2 cc_7_2 references (mapped), 1 MANUAL (not evaluated).
  'prowler-ocsf': [3, 2, 0, 1, 0],
  // fleet-summary.csv: 3 summary rows standing for 1200 PASS + 3 FAIL (mapped, CC7.1) and 4 MANUAL
  // (not evaluated): rows are counted by their `count`, 1207 in all.
  summary: [1207, 1203, 0, 4, 0],
  // 3 Prowler 3 findings of ec2_instance_imdsv2_enabled: PASS and FAIL mapped, INFO not evaluated.
  'prowler-json': [3, 2, 0, 1, 0],
  // trivy-fs.json: CVE-2026-10001 CRITICAL (fails, mapped), CVE-2026-10002 MEDIUM (below the
  // default threshold high: not evaluated), DS-0002 PASS (mapped).
  trivy: [3, 2, 0, 1, 0],
  // checkov-terraform.json: 2 passed_checks + 1 skipped_check, all CKV_AWS_* (mapped).
  checkov: [3, 3, 0, 0, 0],
  // kube-bench.json: test 4.2.1 PASS (mapped by `4.*`), 4.2.13 WARN (not evaluated).
  'kube-bench': [2, 1, 0, 1, 0],
  // kubescape.json: one resource, 3 controls: C-0013 and C-0017 passed (mapped),
  // C-0207 skipped for manual review (not evaluated).
  kubescape: [3, 2, 0, 1, 0],
  // benchmark.csv: 3 data lines: 2 ok (mapped by `aws_compliance.control.iam_*`), 1 info (not evaluated).
  powerpipe: [3, 2, 0, 1, 0],
  // security-hub.json: 3 findings: GuardDuty.1 and CloudTrail.1 PASSED (mapped), S3.8 ARCHIVED (skipped).
  asff: [3, 2, 0, 0, 1],
  // s3-bucket-versioning-enabled.json: COMPLIANT and NON_COMPLIANT (mapped), NOT_APPLICABLE (not evaluated).
  'aws-config': [3, 2, 0, 1, 0],
};

describe('all-formats fixture: one source per registered format', () => {
  it('reads with no errors and no warnings', () => {
    expect(result.diagnostics.errors).toEqual([]);
    expect(result.diagnostics.items).toEqual([]);
    expect(report().diagnostics).toMatchObject({ errors: 0, warnings: 0 });
    expect(report().unclaimedFiles).toEqual([]);
  });

  it('has a source for every format in the registry, in a folder named after it', () => {
    const sources = report().sources;
    expect(sources.map((s) => s.format).sort()).toEqual(knownFormats());
    for (const s of sources) expect(s.id).toBe(s.format);
    expect(Object.keys(EXPECTED_ROWS).sort()).toEqual(knownFormats());
    expect(result.sources!.every((s) => !s.failed)).toBe(true);
  });

  it('accounts for every row: total = mapped + unmapped + notEvaluated + skipped', () => {
    for (const s of report().sources) {
      expect(s.rows.total, s.id).toBe(s.rows.mapped + s.rows.unmapped + s.rows.notEvaluated + s.rows.skipped);
      // Skipped rows are filtered out before they become a file's rows.
      expect(s.rows.total, s.id).toBe(s.files.reduce((n, f) => n + f.rows, 0) + s.rows.skipped);
    }
  });

  it.each(Object.entries(EXPECTED_ROWS))('%s: rows counted by hand', (id, [total, mapped, unmapped, notEvaluated, skipped]) => {
    expect(source(id).rows).toEqual({ total, mapped, unmapped, notEvaluated, skipped });
  });

  it('hashes every evidence file and attachment (64 hex digits) and knows when each was collected', () => {
    const files = report().sources.flatMap((s) => s.files);
    // One file per source, two attestations.
    expect(files.length).toBe(17);
    for (const f of files) {
      expect(f.sha256, f.path).toMatch(/^[0-9a-f]{64}$/);
      expect(f.bytes, f.path).toBeGreaterThan(0);
      expect(f.collectedAt, f.path).toMatch(/^2026-/);
      expect(f.secretsMasked, f.path).toBe(0);
    }
    const attachments = files.flatMap((f) => f.attachments);
    expect(attachments.map((a) => a.path)).toEqual(['evidence/attestation/attachments/restore-log.csv']);
    expect(attachments[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(files.map((f) => f.sha256)).size).toBe(files.length);
  });

  it('infers a pass for the expected SARIF rule without a result', () => {
    const sarif = result.sources!.find((s) => s.id === 'sarif')!;
    expect(sarif.checks.map((c) => [c.check, c.pass, c.fail, c.exceptedInTool, c.inferred ?? ''])).toEqual([
      ['af.sql-injection', 0, 1, 0, ''],
      ['af.unsafe-deserialization', 1, 0, 0, 'pass-by-absence'],
      ['af.weak-hash', 0, 0, 1, ''],
    ]);
  });

  it('lists the one evaluated check that maps to nothing in scope', () => {
    expect(report().unmappedChecks).toEqual([
      { source: 'prowler-csv', check: 'accessanalyzer_enabled', rows: 1, fail: 1 },
      { source: 'json', check: 'ecr_scan_on_push', rows: 1, fail: 0 },
    ]);
  });

  it('soc2: statuses reasoned from the evidence', () => {
    expect(statuses('soc2')).toMatchObject({
      // csv: 3 TRUE; prowler-csv: root MFA PASS (cc_6_1). No failure.
      'CC6.1': 'passing',
      // prowler-csv: the only result is a muted FAIL (cc_6_6), and the source honours tool mutes.
      'CC6.6': 'excepted excepted',
      // json: s3_bucket_default_encryption FAIL on af-tmp-uploads.
      'CC6.7': 'failing failing-evidence',
      // kube-bench: 4.2.1 PASS; the WARN is not evaluated.
      'CC6.8': 'passing',
      // prowler-json: ec2_instance_imdsv2_enabled FAIL on i-0af2.
      'CC7.1': 'failing failing-evidence',
      // prowler-ocsf: two PASS with SOC2 cc_7_2.
      'CC7.2': 'passing',
      // sarif: af.sql-injection fails; the accepted suppression is a tool mute, not honoured here.
      'CC8.1': 'failing failing-evidence',
      // attestation of 2026-09-15, validFor 90d: fresh until 2026-12-14.
      'A1.2': 'passing',
      // attestation of 2026-06-30, validFor 90d: stale since 2026-09-28.
      'CC6.2': 'stale stale-evidence',
      // powerpipe: two `ok` results.
      'CC6.3': 'passing',
      // asff: two PASSED; the FAILED finding is ARCHIVED (skipped), so it does not count.
      'CC7.3': 'passing',
      // acknowledgements: linus signed an old version of POL-SEC, and ken (on the Okta roster) signed nothing.
      'CC2.2': 'failing failing-evidence',
      // No evidence source names it, and no policy covers it.
      'CC9.2': 'gap no-policy no-evidence',
    });
    expect(report().frameworks.find((f) => f.id === 'soc2')!.summary.counts).toEqual({ passing: 6, failing: 4, stale: 1, excepted: 1, gap: 49, 'not-applicable': 0 });
  });

  it('iso27001-2022: statuses reasoned from the evidence', () => {
    expect(statuses('iso27001-2022')).toMatchObject({
      // prowler-csv: the muted public-bucket FAIL (A.8.3), approved as a tool mute.
      'A.8.3': 'excepted excepted',
      // trivy: CVE-2026-10001 is CRITICAL, at or above the default threshold.
      'A.8.8': 'failing failing-evidence',
      // kubescape: C-0207 was skipped for manual review; nothing else maps here.
      'A.8.12': 'gap no-evidence evidence-not-evaluated',
      // attestation (restore test) passes, but AWS Config reports a NON_COMPLIANT bucket.
      'A.8.13': 'failing failing-evidence',
      // prowler-ocsf: cloudtrail_multi_region_enabled PASS (A.8.15).
      'A.8.15': 'passing',
      // kubescape: C-0013 and C-0017 passed.
      'A.8.22': 'passing',
      // checkov: 2 passed and 1 skipped check; Checkov's own skip counts as a failure.
      'A.8.27': 'failing failing-evidence',
      // asff: two PASSED.
      'A.5.25': 'passing',
      // the stale access review.
      'A.5.18': 'stale stale-evidence',
      // acknowledgements, as CC2.2.
      'A.6.3': 'failing failing-evidence',
    });
    expect(report().frameworks.find((f) => f.id === 'iso27001-2022')!.summary.counts).toEqual({ passing: 5, failing: 7, stale: 1, excepted: 1, gap: 79, 'not-applicable': 0 });
  });
});
