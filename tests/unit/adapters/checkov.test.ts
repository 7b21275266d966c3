import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkovAdapter } from '../../../src/core/evidence/adapters/checkov.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { countResults, REAL_EXPORTS_DIR, REPO_ROOT, realExport, realExportsAvailable, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats', name);
const config = sourceConfig({ format: 'checkov' });
const haveReal = realExportsAvailable();
const realIt = haveReal ? it : it.skip;
const needsReal = haveReal ? '' : ` (skipped: no real exports at ${REAL_EXPORTS_DIR})`;

describe('checkov adapter', () => {
  it('is registered as format: checkov', () => {
    expect(adapterRegistry.get('checkov')).toBe(checkovAdapter);
  });

  // Expected numbers computed from the raw file with jq, independently of the adapter:
  //   jq '.results | map_values(length)'  -> passed_checks 0, failed_checks 4, skipped_checks 0, parsing_errors 0
  //   jq '.summary'                       -> passed 0, failed 4, skipped 0, checkov_version "2.2.34"
  //   jq '[.results.failed_checks[] | .severity]'  -> MEDIUM, MEDIUM, LOW, HIGH
  //   jq '[.results.failed_checks[] | .benchmarks | to_entries[] | .value | length] | add' -> 4 references
  realIt(`reads the real Checkov report (checkov-report-severity.json) with exact counts${needsReal}`, async () => {
    const run = await runAdapter(checkovAdapter, { file: realExport('checkov/checkov-report-severity.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(4);
    expect(countResults(run.records)).toEqual({ fail: 4 });
    expect(run.records.map((r) => [r.check, r.severity, r.rawResult])).toEqual([
      ['CKV_GCP_29', 'medium', 'FAILED'],
      ['CKV_GCP_62', 'medium', 'FAILED'],
      ['CKV_GCP_78', 'low', 'FAILED'],
      ['CKV_GCP_28', 'high', 'FAILED'],
    ]);
    expect(run.records.map((r) => r.resource)).toEqual([
      'google_storage_bucket.terragoat_website',
      'google_storage_bucket.terragoat_website',
      'google_storage_bucket.terragoat_website',
      'google_storage_bucket_iam_binding.allow_public_read',
    ]);
    expect(run.records.flatMap((r) => r.toolRefs ?? [])).toHaveLength(4);
    expect(run.records[0]?.toolRefs).toEqual([{ framework: 'CIS GCP V1.1', control: '5.2' }]);
    expect(run.records[3]?.toolRefs).toEqual([
      { framework: 'ISO27001', control: 'A.8.2.3' },
      { framework: 'ISO27001', control: 'A.14.1.3' },
      { framework: 'CIS GCP V1.1', control: '5.1' },
    ]);
    expect(run.records[0]).toMatchObject({
      title: 'Ensure that Cloud Storage buckets have uniform bucket-level access enabled',
      message: '/gcs.tf:1-15 Guideline: https://docs.bridgecrew.io/docs/bc_gcp_gcs_2',
    });
    expect(run.meta).toEqual({ toolVersion: '2.2.34' });
  });

  realIt(`rejects the real Trivy SARIF given as Checkov, naming the right format${needsReal}`, async () => {
    const run = await runAdapter(checkovAdapter, { file: realExport('sarif/trivy-alpine-310.sarif') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]?.message).toMatch(/it looks like a SARIF log \(format: sarif\)/);
  });

  it('reads a list of framework reports (multi-framework.json)', async () => {
    // Fixture: terraform 2 passed / 2 failed / 1 skipped, kubernetes 1 / 1 / 0, dockerfile 1 / 0 / 0.
    const run = await runAdapter(checkovAdapter, { file: fixture('checkov/multi-framework.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 4, fail: 3, 'excepted-in-tool': 1 });
    expect(run.records.map((r) => [r.check, r.result, r.rawResult, r.severity ?? null])).toEqual([
      ['CKV_AWS_19', 'pass', 'PASSED', 'high'],
      ['CKV_AWS_21', 'pass', 'PASSED', 'medium'],
      ['CKV_AWS_18', 'fail', 'FAILED', 'medium'],
      ['CKV_AWS_145', 'fail', 'FAILED', null],
      ['CKV_AWS_20', 'excepted-in-tool', 'SKIPPED', 'high'],
      ['CKV_K8S_20', 'pass', 'PASSED', 'medium'],
      ['CKV_K8S_43', 'fail', 'FAILED', 'low'],
      ['CKV_DOCKER_3', 'pass', 'PASSED', null],
    ]);
    expect(run.records[2]?.toolRefs).toEqual([
      { framework: 'CIS AWS V1.2', control: '2.6' },
      { framework: 'NIST-800-53', control: 'AU-2' },
      { framework: 'NIST-800-53', control: 'AC-6' },
    ]);
    expect(run.records[3]?.toolRefs).toBeUndefined();
    expect(run.records[4]?.message).toBe('/s3.tf:14-20 Skipped in Checkov: The website bucket is public by design.');
    expect(run.records[6]?.resource).toBe('Deployment.default.web');
    expect(run.meta).toEqual({ toolVersion: '3.2.100' });
  });

  it('applies severityThreshold to failed checks with a severity only', async () => {
    const run = await runAdapter(checkovAdapter, { file: fixture('checkov/multi-framework.json') }, sourceConfig({ format: 'checkov', severityThreshold: 'high' }));
    expect(countResults(run.records)).toEqual({ pass: 6, fail: 1, 'excepted-in-tool': 1 });
    expect(run.records[3]).toMatchObject({ check: 'CKV_AWS_145', result: 'fail' });
    expect(run.records[2]?.message).toMatch(/^Below severityThreshold high\./);
    expect(run.diagnostics.warnings.map((d) => [d.field, d.message])).toEqual([['severityThreshold', '1 failed check has no severity, so severityThreshold cannot apply: they stay failing']]);
  });

  it('warns when the summary disagrees with the lists, and counts every listed check', async () => {
    const run = await runAdapter(checkovAdapter, { file: fixture('checkov/summary-mismatch.json') }, config);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1 });
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings).toHaveLength(1);
    expect(run.diagnostics.warnings[0]).toMatchObject({ rule: 'evidence-parse', severity: 'warning', field: 'summary.failed' });
    expect(run.diagnostics.warnings[0]?.message).toBe('Cannot parse evidence: the kubernetes summary says 3 failed, but `failed_checks` lists 1.');
  });

  it('reads --quiet output (failures only) and says passes are left out', async () => {
    const run = await runAdapter(checkovAdapter, { file: fixture('checkov/quiet.json') }, config);
    expect(countResults(run.records)).toEqual({ fail: 2 });
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings.map((d) => d.message)).toEqual(['the report leaves out its 5 passed checks (Checkov --quiet): only failures are counted from this file']);
  });

  describe('no resources scanned', () => {
    it('the bare summary Checkov prints: no records, one warning, no crash', async () => {
      const run = await runAdapter(checkovAdapter, { file: fixture('checkov/summary-only.json') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toEqual([]);
      expect(run.diagnostics.warnings.map((d) => d.message)).toEqual(['Checkov ran no checks in this report (nothing was scanned): the file is no evidence for any check']);
      expect(run.meta).toEqual({ toolVersion: '3.2.100' });
    });

    it('a report with empty lists and a parsing error', async () => {
      const run = await runAdapter(checkovAdapter, { file: fixture('checkov/zero-checks.json') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toEqual([]);
      expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['results.parsing_errors', undefined]);
      expect(run.diagnostics.warnings[0]?.message).toContain('/broken.tf');
    });

    it('a summary that counts checks it does not list is an error', async () => {
      const run = await runAdapter(checkovAdapter, { text: '{"passed": 3, "failed": 1, "skipped": 0, "parsing_errors": 0, "resource_count": 2, "checkov_version": "3.2.100"}' }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors.map((d) => [d.field, d.message])).toEqual([['failed', 'Cannot parse evidence: the summary counts 4 checks, but the file lists none (no `results`).']]);
    });
  });

  describe('broken or wrong files are errors, never zero findings', () => {
    it('a truncated report: error with line and column', async () => {
      const run = await runAdapter(checkovAdapter, { file: fixture('checkov/truncated.json') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toHaveLength(1);
      const [d] = run.diagnostics.errors;
      // The file stops after `"results": {` on its last line (269).
      expect(d).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', line: 269, column: 6 });
      expect(d?.message).toMatch(/^Cannot parse evidence: invalid JSON: Expected property name/);
    });

    it('an empty file', async () => {
      const run = await runAdapter(checkovAdapter, { file: fixture('checkov/empty.json') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
    });

    it('a SARIF log (own fixture): names the format', async () => {
      const run = await runAdapter(checkovAdapter, { file: fixture('sarif/two-runs.sarif') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors.map((d) => [d.line, d.message])).toEqual([[1, 'Cannot parse evidence: this is not a Checkov report: no `check_type` and `results` at the top; it looks like a SARIF log (format: sarif).']]);
    });

    it.each([
      ['an empty list', '[]', '', /empty list/],
      ['a number', '42', '', /the document is a number/],
      ['a list item that is not a report', '[{"check_type":"terraform","results":{"failed_checks":[]}}, "x"]', '[1]', /item \[1\] is a string/],
      ['failed_checks missing', '{"check_type":"terraform","results":{"passed_checks":[]}}', 'results.failed_checks', /`failed_checks` is missing/],
      ['results not an object', '{"check_type":"terraform","results":[]}', 'results', /not a valid Checkov report/],
      ['a check without check_id', '{"check_type":"terraform","results":{"failed_checks":[{"check_name":"x"}]}}', 'results.failed_checks[0].check_id', /not a valid Checkov check/],
      ['skipped checks counted but not listed', '{"check_type":"terraform","results":{"failed_checks":[]},"summary":{"passed":0,"failed":0,"skipped":2}}', 'results.skipped_checks', /counts 2 skipped checks/],
    ])('%s', async (_name, text, field, message) => {
      const run = await runAdapter(checkovAdapter, { text }, config);
      expect(run.diagnostics.errors).toHaveLength(1);
      const [d] = run.diagnostics.errors;
      expect(d?.rule).toBe('evidence-parse');
      if (field) expect(d?.field).toBe(field);
      else expect(d).toMatchObject({ line: 1, column: 1 });
      expect(d?.message).toMatch(message);
      expect(run.records.every((r) => r.result === 'error')).toBe(true);
    });

    it('a passed check whose result says FAILED counts as a failure, with a warning', async () => {
      const text = JSON.stringify({ check_type: 'terraform', results: { passed_checks: [{ check_id: 'CKV_X_1', check_result: { result: 'FAILED' } }], failed_checks: [], skipped_checks: [] } });
      const run = await runAdapter(checkovAdapter, { text }, config);
      expect(run.records).toEqual([{ check: 'CKV_X_1', result: 'fail', rawResult: 'FAILED' }]);
      expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['results.passed_checks[0].check_result.result']);
    });
  });

  it('validateConfig rejects options that Checkov does not use', () => {
    const problems: string[] = [];
    checkovAdapter.validateConfig!(sourceConfig({ format: 'checkov', delimiter: ';' }), (field) => problems.push(field));
    expect(problems).toEqual(['delimiter']);
  });
});
