import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarifAdapter } from '../../../src/core/evidence/adapters/sarif.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { countResults, REAL_EXPORTS_DIR, REPO_ROOT, realExport, realExportsAvailable, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/sarif', name);
const config = sourceConfig({ format: 'sarif' });
const haveReal = realExportsAvailable();
const realIt = haveReal ? it : it.skip;
const needsReal = haveReal ? '' : ` (skipped: no real exports at ${REAL_EXPORTS_DIR})`;

describe('sarif adapter', () => {
  it('is registered as format: sarif', () => {
    expect(adapterRegistry.get('sarif')).toBe(sarifAdapter);
  });

  // Expected numbers computed from the raw file with jq, independently of the adapter:
  //   jq '[.runs[].results[]] | length'                                  -> 4
  //   jq '[.runs[].results[] | .kind // "fail"] | unique'                -> ["fail"]
  //   jq '[.runs[].results[] | .level] | group_by(.) | map(length)'      -> warning: 4
  //   jq '[.runs[].results[] | select(.suppressions)] | length'          -> 0
  //   jq '[.runs[].results[] | .ruleId] | group_by(.)|map({(.[0]): length})|add' -> CVE-2019-1549: 2, CVE-2019-1551: 2
  //   both rules: properties["security-severity"] = "5.3" (CVSS medium); no invocations; driver Trivy version "dev"
  realIt(`reads the real Trivy SARIF (trivy-alpine-310.sarif) with exact counts${needsReal}`, async () => {
    const run = await runAdapter(sarifAdapter, { file: realExport('sarif/trivy-alpine-310.sarif') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(4);
    expect(countResults(run.records)).toEqual({ fail: 4 });
    const byCheck: Record<string, number> = {};
    for (const r of run.records) byCheck[r.check] = (byCheck[r.check] ?? 0) + 1;
    expect(byCheck).toEqual({ 'CVE-2019-1549': 2, 'CVE-2019-1551': 2 });
    expect(run.records.map((r) => r.severity)).toEqual(['medium', 'medium', 'medium', 'medium']);
    expect(run.records.map((r) => r.rawResult)).toEqual(['warning', 'warning', 'warning', 'warning']);
    expect(run.records[0]).toMatchObject({
      title: 'openssl: information disclosure in fork()',
      resource: 'testdata/fixtures/images/alpine-310.tar.gz:1',
    });
    expect(run.records[0]?.message).toContain('Package: libcrypto1.1');
    expect(run.records[0]?.collectedAt).toBeUndefined();
    expect(run.meta).toEqual({ toolVersion: 'Trivy dev' });
  });

  realIt(`rejects the real Trivy JSON report given as SARIF, naming the right format${needsReal}`, async () => {
    const run = await runAdapter(sarifAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/trivy-image-alpine-310.json', line: 1, column: 1 });
    expect(run.diagnostics.errors[0]?.message).toMatch(/Trivy JSON report/);
  });

  describe('two runs, extensions, kinds, suppressions (fixture two-runs.sarif)', () => {
    it('normalises every result', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('two-runs.sarif') }, config);
      expect(run.diagnostics.items).toEqual([]);
      // 16 results: see the jq listing in the report; per result below.
      expect(run.records).toHaveLength(16);
      expect(countResults(run.records)).toEqual({ fail: 8, 'excepted-in-tool': 2, pass: 1, 'not-evaluated': 3, error: 2 });
      expect(run.records.map((r) => [r.check, r.result, r.rawResult, r.severity ?? null])).toEqual([
        ['js/sql-injection', 'fail', 'error', 'high'], // level from the rule's defaultConfiguration; CVSS 8.8
        ['js/xss', 'excepted-in-tool', 'warning (suppressed)', 'medium'], // accepted
        ['js/xss', 'fail', 'warning', 'medium'], // rejected
        ['js/xss', 'excepted-in-tool', 'warning (suppressed)', 'medium'], // no status = accepted; rule found in the extension by id
        ['js/xss', 'fail', 'warning', 'medium'], // accepted + underReview
        ['js/unused-local-variable', 'pass', 'pass', null],
        ['js/sql-injection', 'not-evaluated', 'notApplicable', 'high'],
        ['js/unused-local-variable', 'fail', 'note', 'note'], // level from defaultConfiguration, no CVSS
        ['python.lang.security.audit.eval-detected', 'fail', 'error', 'critical'],
        ['generic.secrets.aws-access-key', 'fail', 'note', 'low'], // CVSS 2.5 on the result
        ['policy.review-me', 'error', 'review', null],
        ['policy.review-me', 'error', 'open', null],
        ['generic.secrets.aws-access-key', 'not-evaluated', 'informational', null],
        ['python.lang.security.audit.eval-detected', 'fail', 'none', 'critical'], // level none with kind fail: still a failure
        ['python.lang.security.audit.eval-detected', 'not-evaluated', 'error (baseline: absent)', 'critical'],
        ['generic.secrets.aws-access-key', 'fail', 'warning', 'warning'],
      ]);
    });

    it('reads titles, messages (with message strings), resources and tool references', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('two-runs.sarif') }, config);
      const [sql, xss] = run.records;
      expect(sql).toMatchObject({
        title: 'Database query built from user-controlled sources',
        message: 'This query depends on a user-provided value.',
        resource: 'src/db.js:42',
        toolRefs: [{ framework: 'CWE', control: '89' }],
      });
      expect(xss?.message).toBe('Suppressed in the tool (inSource): Escaped by the template engine. Cross-site scripting vulnerability due to user-provided value.');
      expect(xss?.toolRefs).toEqual([{ framework: 'CWE', control: '79' }]); // taxonomy by index
      expect(run.records[7]?.resource).toBe('src/app.js:3'); // artifactLocation.index -> run.artifacts
      expect(run.records[8]?.title).toBe('Use of eval() on untrusted input');
      expect(run.records[12]?.resource).toBeUndefined();
      expect(run.records[15]?.resource).toBe('config::Settings'); // logical location
    });

    it('takes collection times per run from invocations and the tool versions of every run', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('two-runs.sarif') }, config);
      expect(new Set(run.records.slice(0, 8).map((r) => r.collectedAt))).toEqual(new Set(['2026-11-20T08:05:00.000Z']));
      expect(new Set(run.records.slice(8).map((r) => r.collectedAt))).toEqual(new Set(['2026-11-21T10:00:00.000Z']));
      expect(run.meta).toEqual({
        toolVersion: 'CodeQL 2.15.0, Semgrep 1.90.0',
        collectedAt: '2026-11-20T08:05:00.000Z',
        collectedAtFrom: 'SARIF runs[].invocations[].endTimeUtc, SARIF runs[].invocations[].startTimeUtc',
      });
    });

    it('applies severityThreshold to CVSS-scored failures only, before suppressions', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('two-runs.sarif') }, sourceConfig({ format: 'sarif', severityThreshold: 'high' }));
      expect(countResults(run.records)).toEqual({ fail: 5, pass: 6, 'not-evaluated': 3, error: 2 });
      expect(run.records[2]).toMatchObject({ result: 'pass', rawResult: 'warning' });
      expect(run.records[2]?.message).toMatch(/^Below severityThreshold high \(CVSS 6\.1\)\./);
      // Unscored failures (js/unused-local-variable, the logical-location key) stay failing, with one warning.
      expect(run.records[7]?.result).toBe('fail');
      expect(run.diagnostics.errors).toEqual([]);
      expect(run.diagnostics.warnings).toHaveLength(1);
      expect(run.diagnostics.warnings[0]).toMatchObject({ rule: 'evidence-record-invalid', field: 'severityThreshold' });
      expect(run.diagnostics.warnings[0]?.message).toMatch(/^2 failing results have no CVSS score/);
    });
  });

  describe('broken or wrong files are errors, never zero findings', () => {
    it('a truncated log: error with line and column', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('truncated.sarif') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toHaveLength(1);
      const [d] = run.diagnostics.errors;
      expect(d).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.sarif', line: 375 });
      expect(d?.column).toBeGreaterThan(1);
      expect(d?.hint).toMatch(/truncated/);
    });

    it('an empty file', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('empty.sarif') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
    });

    it('a Trivy JSON report (own fixture): names the format', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('trivy-report.json') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toHaveLength(1);
      expect(run.diagnostics.errors[0]?.message).toBe('Cannot parse evidence: this is not a SARIF log: no `version` at the top; it looks like a Trivy JSON report, not SARIF (use format: trivy, or run Trivy with --format sarif).');
    });

    it('a run the tool reports as failed', async () => {
      const run = await runAdapter(sarifAdapter, { file: fixture('failed-run.sarif') }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.errors).toHaveLength(1);
      expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', field: 'runs[0].invocations[0].executionSuccessful' });
      expect(run.diagnostics.errors[0]?.message).toContain('failed to parse main.tf');
    });

    it.each([
      ['a list', '[]', '', /the document is a list/],
      ['another SARIF version', '{"version":"2.0.0","runs":[]}', 'version', /SARIF version "2.0.0" is not supported/],
      ['no runs', '{"version":"2.1.0","runs":[]}', 'runs', /has no runs/],
      ['runs not a list', '{"version":"2.1.0","runs":{}}', 'runs', /`runs` is an object, not a list/],
      ['a run without results', '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gitleaks"}}}]}', 'runs[0].results', /gitleaks \(run 0\) has no `results` list/],
      ['a run without a tool', '{"version":"2.1.0","runs":[{"results":[]}]}', 'runs[0].tool', /not a valid SARIF run/],
      ['a result of the wrong type', '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r1","kind":7}]}]}', 'runs[0].results[0].kind', /not a valid SARIF result/],
    ])('%s', async (_name, text, field, message) => {
      const run = await runAdapter(sarifAdapter, { text, name: 'bad.sarif' }, config);
      expect(run.diagnostics.errors).toHaveLength(1);
      const [d] = run.diagnostics.errors;
      expect(d?.rule).toBe('evidence-parse');
      if (field) expect(d?.field).toBe(field);
      else expect(d).toMatchObject({ line: 1, column: 1 });
      expect(d?.message).toMatch(message);
      expect(run.records.every((r) => r.result === 'error')).toBe(true);
    });

    it('a clean scan (results: []) is zero records without diagnostics', async () => {
      const text = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'gitleaks', version: '8.18.0' } }, invocations: [{ executionSuccessful: true, endTimeUtc: '2026-11-20T08:00:00Z' }], results: [] }] });
      const run = await runAdapter(sarifAdapter, { text }, config);
      expect(run.records).toEqual([]);
      expect(run.diagnostics.items).toEqual([]);
      expect(run.meta).toEqual({ toolVersion: 'gitleaks 8.18.0', collectedAt: '2026-11-20T08:00:00.000Z', collectedAtFrom: 'SARIF runs[].invocations[].endTimeUtc' });
    });

    it('unknown kind and level values fail closed, with warnings', async () => {
      const text = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'a', kind: 'maybe' }, { ruleId: 'b', level: 'Critical' }, { message: { text: 'no rule' } }] }] });
      const run = await runAdapter(sarifAdapter, { text }, config);
      expect(run.records.map((r) => [r.check, r.result, r.severity ?? null])).toEqual([
        ['a', 'error', null],
        ['b', 'fail', null],
        ['', 'fail', 'warning'], // kind fail, level absent: the default level is warning
      ]);
      expect(run.diagnostics.errors).toEqual([]);
      expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['runs[0].results[0].kind', 'runs[0].results[1].level', 'runs[0].results[2]']);
    });

    it('an invalid invocation time is a warning and is not used', async () => {
      const text = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, invocations: [{ endTimeUtc: 'yesterday' }], results: [{ ruleId: 'a' }] }] });
      const run = await runAdapter(sarifAdapter, { text }, config);
      expect(run.records[0]?.collectedAt).toBeUndefined();
      expect(run.meta.collectedAt).toBeUndefined();
      expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['runs[0].invocations[0].endTimeUtc']);
    });
  });

  it('validateConfig rejects options that SARIF does not use', () => {
    const problems: string[] = [];
    sarifAdapter.validateConfig!(sourceConfig({ format: 'sarif', records: '$.x[*]', fields: { check: { path: 'id' } } }), (field) => problems.push(field));
    expect(problems).toEqual(['records', 'fields.check']);
  });
});
