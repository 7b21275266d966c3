import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITY_THRESHOLD, trivyAdapter } from '../../../src/core/evidence/adapters/trivy.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import type { EvidenceRecord } from '../../../src/core/evidence/types.ts';
import { countResults, REPO_ROOT, realExport, realExportsAvailable, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/trivy', name);
const config = sourceConfig({ format: 'trivy' });
const byCheck = (records: readonly EvidenceRecord[]) => {
  const out: Record<string, number> = {};
  for (const r of records) out[r.check] = (out[r.check] ?? 0) + 1;
  return out;
};

describe('trivy adapter', () => {
  it('is registered as format: trivy', () => {
    expect(adapterRegistry.get('trivy')).toBe(trivyAdapter);
  });

  it('defaults the severity threshold to high', () => {
    expect(DEFAULT_SEVERITY_THRESHOLD).toBe('high');
  });
});

describe.skipIf(!realExportsAvailable())('trivy: real exports', () => {
  // Expected numbers from the raw file, computed with jq independently of the adapter:
  //   jq '[.Results[].Vulnerabilities[]] | length'                              -> 4
  //   jq '[.Results[].Vulnerabilities[].Severity] | unique'                     -> ["MEDIUM"]
  //   jq '[.Results[].Vulnerabilities[].VulnerabilityID] | group_by(.) | map({(.[0]): length}) | add'
  //                                                                             -> CVE-2019-1549: 2, CVE-2019-1551: 2
  //   jq '.CreatedAt, .Trivy.Version'                                           -> "2021-08-25T12:20:30.000000005Z", "dev"
  it('reads trivy-image-alpine-310.json: 4 MEDIUM vulnerabilities, informational below the default threshold', async () => {
    const run = await runAdapter(trivyAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(4);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 4 });
    expect(byCheck(run.records)).toEqual({ 'CVE-2019-1549': 2, 'CVE-2019-1551': 2 });
    expect(run.records.map((r) => r.severity)).toEqual(['MEDIUM', 'MEDIUM', 'MEDIUM', 'MEDIUM']);
    expect(run.records[0]).toMatchObject({
      check: 'CVE-2019-1549',
      resource: 'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2):libcrypto1.1@1.1.1c-r0',
      title: 'openssl: information disclosure in fork()',
      rawResult: 'MEDIUM',
    });
    expect(run.records[0]?.message).toContain('fixed in 1.1.1d-r0');
    expect(run.meta).toEqual({ toolVersion: 'dev', collectedAt: '2021-08-25T12:20:30.000000005Z', collectedAtFrom: 'field CreatedAt' });
  });

  it('fails the same vulnerabilities when severityThreshold is medium', async () => {
    const run = await runAdapter(trivyAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, sourceConfig({ format: 'trivy', severityThreshold: 'medium' }));
    expect(countResults(run.records)).toEqual({ fail: 4 });
    const critical = await runAdapter(trivyAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, sourceConfig({ format: 'trivy', severityThreshold: 'critical' }));
    expect(countResults(critical.records)).toEqual({ 'not-evaluated': 4 });
  });

  //   jq '[.Results[].Misconfigurations[]] | length'                    -> 1
  //   jq '.Results[].Misconfigurations[] | [.ID, .AVDID, .Status]'      -> ["DS-0002", null, "FAIL"]
  //   jq '.Results[].MisconfSummary'                                    -> {"Successes": 26, "Failures": 1} (no list of successes)
  it('reads trivy-config-dockerfile.json: one FAIL with the new DS-0002 id, the summary adds nothing', async () => {
    const run = await runAdapter(trivyAdapter, { file: realExport('trivy/trivy-config-dockerfile.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([
      {
        check: 'DS-0002',
        result: 'fail',
        rawResult: 'FAIL',
        severity: 'HIGH',
        title: "Image user should not be 'root'",
        message: 'Specify at least 1 USER command in Dockerfile with non-root user as argument',
        resource: 'Dockerfile',
      },
    ]);
    expect(run.meta.collectedAt).toBe('2021-08-25T12:20:30.000000005Z');
  });

  //   jq '.ID, .Title'                                                  -> "1234", "NSA"
  //   jq '[.Results[] | {id: .ID, n: ([.Results[].Misconfigurations[]] | length)}]' -> 1.0: 1, 1.1: 1
  //   jq '[.Results[].Results[].Misconfigurations[].Status]'            -> ["FAIL", "FAIL"]
  it('reads trivy-compliance-report-all.json: one record per control result, with the report as framework', async () => {
    const run = await runAdapter(trivyAdapter, { file: realExport('trivy/trivy-compliance-report-all.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(2);
    expect(countResults(run.records)).toEqual({ fail: 2 });
    expect(run.records.map((r) => r.check)).toEqual(['1.0', '1.1']);
    expect(run.records.map((r) => r.toolRefs)).toEqual([[{ framework: '1234', control: '1.0' }], [{ framework: '1234', control: '1.1' }]]);
    expect(run.records.map((r) => r.title)).toEqual(['Non-root containers', 'Immutable container file systems']);
    expect(run.records.map((r) => r.severity)).toEqual(['MEDIUM', 'LOW']);
    expect(run.records.map((r) => r.message)).toEqual(['AVD-KSV012', 'AVD-KSV013']);
    expect(run.meta).toEqual({});
  });

  it('rejects a document that is not Trivy (the kube-bench sample)', async () => {
    const run = await runAdapter(trivyAdapter, { file: realExport('kube-bench/kube-bench-result.json') }, config);
    expect(run.records).toEqual([]);
    const [d] = run.diagnostics.errors;
    expect(d).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/kube-bench-result.json', line: 1, field: '(root)' });
    expect(d?.message).toMatch(/not a Trivy JSON report/);
    expect(d?.hint).toMatch(/--format json/);
  });
});

describe('trivy: misconfigurations', () => {
  it('keeps old ids as written, preferring AVDID (AVD-DS-0002 over DS002)', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('misconfig-old-ids.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.rawResult, r.resource])).toEqual([
      ['AVD-DS-0002', 'fail', 'FAIL', 'build/Dockerfile'],
      ['AVD-DS-0001', 'pass', 'PASS', 'build/Dockerfile'],
      ['AVD-DS-0026', 'excepted-in-tool', 'EXCEPTION', 'build/Dockerfile'],
      ['AVD-AWS-0086', 'fail', 'FAIL', 'aws_s3_bucket.logs'],
    ]);
    // The helm target has only a MisconfSummary (42 successes): nothing to emit, and no error.
    expect(run.records.some((r) => r.resource?.includes('charts/'))).toBe(false);
    expect(run.meta).toEqual({ collectedAt: '2024-03-04T10:11:12.123456789+01:00', collectedAtFrom: 'field CreatedAt' });
  });

  it('keeps new ids as written (DS-0002) and maps EXCEPTION to excepted-in-tool', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('misconfig-new-ids.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result])).toEqual([
      ['DS-0002', 'fail'],
      ['DS-0001', 'pass'],
      ['DS-0026', 'excepted-in-tool'],
    ]);
    expect(run.meta.toolVersion).toBe('0.69.1');
  });

  it('warns about an unknown misconfiguration status and never counts it as a pass', async () => {
    const text = JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'Dockerfile', Misconfigurations: [{ ID: 'DS-0002', Status: 'SKIPPED' }] }] }, null, 2);
    const run = await runAdapter(trivyAdapter, { text }, config);
    expect(run.records).toEqual([{ check: 'DS-0002', result: 'not-evaluated', rawResult: 'SKIPPED', resource: 'Dockerfile' }]);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings[0]).toMatchObject({ rule: 'evidence-record-invalid', field: 'Results[0].Misconfigurations[0].Status' });
    expect(run.diagnostics.warnings[0]?.message).toContain('`SKIPPED`');
  });
});

describe('trivy: secrets, clean images, suppressions', () => {
  it('fails check secret:<RuleID> for each secret, without copying the secret', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('secrets.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 3 });
    expect(run.records.map((r) => [r.check, r.resource, r.severity])).toEqual([
      ['secret:aws-access-key-id', 'config/app.env:3', 'CRITICAL'],
      ['secret:github-pat', 'config/app.env:7', 'CRITICAL'],
      ['secret:private-key', 'scripts/deploy.sh:12', 'HIGH'],
    ]);
    const all = JSON.stringify(run.records);
    expect(all).not.toContain('****');
    expect(all).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('reads a clean image as a valid scan with zero records', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('clean-image.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([]);
    expect(run.meta).toEqual({ toolVersion: '0.57.0', collectedAt: '2026-11-21T12:00:00.5Z', collectedAtFrom: 'field CreatedAt' });
    // Trivy omits `Results` altogether when there is nothing to list.
    const bare = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": 2, "CreatedAt": "2026-11-21T12:00:00Z", "ArtifactName": "x", "ArtifactType": "container_image"}' }, config);
    expect(bare.diagnostics.items).toEqual([]);
    expect(bare.records).toEqual([]);
  });

  it('applies the threshold to vulnerabilities, fails UNKNOWN, and excepts suppressed findings', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('suppressed.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.rawResult])).toEqual([
      ['CVE-2024-0001', 'fail', 'CRITICAL'],
      ['CVE-2024-0002', 'fail', 'HIGH'],
      ['CVE-2024-0003', 'not-evaluated', 'LOW'],
      ['DLA-9999-1', 'fail', 'UNKNOWN'],
      ['CVE-2024-0004', 'excepted-in-tool', 'not_affected'],
      // Suppressed, but below the threshold anyway: informational, as if it were not suppressed.
      ['CVE-2024-0005', 'not-evaluated', 'MEDIUM'],
    ]);
    expect(run.records[4]?.message).toContain('OpenVEX (vex/api.openvex.json): vulnerable_code_not_in_execute_path');
    expect(run.records[4]?.resource).toBe('registry.example.com/app/api:1.4.2 (debian 12.7):openssl@3.0.15-1');
  });

  it('treats a zero CreatedAt as absent, and reports one that is not a date', async () => {
    const zero = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": 2, "CreatedAt": "0001-01-01T00:00:00Z", "Results": []}' }, config);
    expect(zero.diagnostics.items).toEqual([]);
    expect(zero.meta).toEqual({});
    const bad = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": 2, "CreatedAt": "yesterday", "Results": []}' }, config);
    expect(bad.meta).toEqual({});
    expect(bad.diagnostics.warnings[0]).toMatchObject({ rule: 'evidence-record-invalid', field: 'CreatedAt', line: 1 });
    expect(bad.diagnostics.warnings[0]?.hint).toMatch(/collectedAt/);
  });
});

describe('trivy: k8s and compliance reports', () => {
  it('reads a trivy k8s report: resources prefixed with namespace/kind/name, scan errors as errors', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('k8s-report.json') }, config);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([
      ['CVE-2024-1111', 'fail', 'shop/Deployment/web nginx:1.25.4 (debian 12.5):libssl3@3.0.11-1'],
      ['CVE-2024-2222', 'not-evaluated', 'shop/Deployment/web nginx:1.25.4 (debian 12.5):libc6@2.36-9'],
      ['AVD-KSV-0001', 'fail', 'shop/Deployment/web'],
      ['AVD-KSV-0017', 'pass', 'shop/Deployment/web'],
      ['scan-error', 'error', 'kube-system/Pod/etcd-control-plane'],
      ['AVD-KSV-0046', 'fail', 'ClusterRole/admin'],
    ]);
    expect(run.diagnostics.warnings).toHaveLength(1);
    expect(run.diagnostics.warnings[0]).toMatchObject({ field: 'Resources[2].Error', line: 38 });
    expect(run.meta).toEqual({});
  });

  it('reads the older k8s shape (top-level Vulnerabilities and Misconfigurations lists) and the summary shape (Findings)', async () => {
    const resource = (results: unknown[]) => ({ Namespace: 'default', Kind: 'Deployment', Name: 'app', Results: results });
    const old = {
      ClusterName: 'minikube',
      Vulnerabilities: [resource([{ Target: 'ubuntu:22.04 (ubuntu 22.04)', Class: 'os-pkgs', Vulnerabilities: [{ VulnerabilityID: 'CVE-2016-2781', PkgName: 'coreutils', InstalledVersion: '8.32', Severity: 'LOW' }] }])],
      Misconfigurations: [resource([{ Target: 'Deployment/app', Class: 'config', Misconfigurations: [{ ID: 'KSV001', AVDID: 'AVD-KSV-0001', Status: 'FAIL', Severity: 'MEDIUM' }] }])],
    };
    const run = await runAdapter(trivyAdapter, { text: JSON.stringify(old, null, 2) }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([
      ['CVE-2016-2781', 'not-evaluated', 'default/Deployment/app ubuntu:22.04 (ubuntu 22.04):coreutils@8.32'],
      ['AVD-KSV-0001', 'fail', 'default/Deployment/app'],
    ]);
    const summary = await runAdapter(trivyAdapter, { text: JSON.stringify({ ClusterName: 'c', Findings: old.Misconfigurations }) }, config);
    expect(summary.records.map((r) => r.check)).toEqual(['AVD-KSV-0001']);
  });

  it('reads a compliance summary: TotalFail 0 passes, >0 fails, absent (manual) is not evaluated', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('compliance-summary.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.rawResult])).toEqual([
      ['1.0', 'pass', 'TotalFail 0'],
      ['1.1', 'fail', 'TotalFail 3'],
      ['4.1', 'not-evaluated', 'manual'],
    ]);
    expect(run.records.every((r) => r.toolRefs?.[0]?.framework === 'k8s-nsa-1.0')).toBe(true);
  });

  it('reads a compliance report with passes, vulnerabilities and a control without results', async () => {
    const report = {
      ID: 'k8s-nsa-1.0',
      Title: 'NSA',
      Results: [
        { ID: '1.0', Name: 'Non-root containers', Severity: 'MEDIUM', Results: [{ Target: 'Deployment/metrics-server', Class: 'config', Misconfigurations: [{ ID: 'KSV001', AVDID: 'AVD-KSV-0001', Status: 'PASS', Message: 'ok' }] }] },
        { ID: '1.1', Name: 'Immutable container file systems', Severity: 'LOW', Results: null },
        { ID: '1.2', Name: 'tzdata', Severity: 'CRITICAL', Results: [{ Target: 'rancher/metrics-server:v0.3.6 (debian 9.9)', Class: 'os-pkgs', Vulnerabilities: [{ VulnerabilityID: 'DLA-2424-1', PkgName: 'tzdata', InstalledVersion: '2019a', Severity: 'UNKNOWN' }] }] },
      ],
    };
    const run = await runAdapter(trivyAdapter, { text: JSON.stringify(report, null, 2) }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([
      ['1.0', 'pass', 'Deployment/metrics-server'],
      ['1.1', 'not-evaluated', undefined],
      ['1.2', 'fail', 'rancher/metrics-server:v0.3.6 (debian 9.9):tzdata@2019a'],
    ]);
    expect(run.records[2]?.message).toMatch(/^DLA-2424-1 in tzdata/);
    expect(run.records.map((r) => r.toolRefs?.[0]?.control)).toEqual(['1.0', '1.1', '1.2']);
  });
});

describe('trivy: broken files', () => {
  it('reports a truncated file with its line and a hint, never zero findings', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('truncated.json') }, config);
    const errors = run.diagnostics.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', line: 12 });
    expect(errors[0]?.message).toMatch(/ends inside `Results\[0\]`/);
    expect(errors[0]?.hint).toMatch(/partial file/);
  });

  it('reports a wrong-shaped file at the field', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 7, field: 'Results[0].Vulnerabilities' });
    expect(run.diagnostics.errors[0]?.message).toContain('should be a list but is an object');
    expect(run.diagnostics.errors[0]?.hint).toMatch(/format:/);
  });

  it('reports an empty file', async () => {
    const run = await runAdapter(trivyAdapter, { file: fixture('empty.json') }, config);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
  });

  it('rejects other JSON: a foreign object, a bare list (schema 1), a scalar', async () => {
    const foreign = await runAdapter(trivyAdapter, { text: '{"findings": []}' }, config);
    expect(foreign.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', field: '(root)' });
    const list = await runAdapter(trivyAdapter, { text: '[{"Target": "x", "Vulnerabilities": []}]' }, config);
    expect(list.diagnostics.errors[0]?.message).toMatch(/is a list/);
    expect(list.diagnostics.errors[0]?.hint).toMatch(/schema 1/);
    const scalar = await runAdapter(trivyAdapter, { text: '"trivy"' }, config);
    expect(scalar.diagnostics.errors[0]?.message).toMatch(/the text `trivy`/);
  });

  it('reports invalid JSON and trailing text with a line', async () => {
    const bad = await runAdapter(trivyAdapter, { text: '{\n  "SchemaVersion": 2,\n  "Results": [ }\n}' }, config);
    expect(bad.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 3 });
    const trailing = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": 2}\n{"SchemaVersion": 2}' }, config);
    expect(trailing.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 2 });
    expect(trailing.diagnostics.errors[0]?.message).toMatch(/after the end of the JSON document/);
  });

  it('rejects invalid UTF-8 and reads UTF-8 split across chunks the same as whole', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"SchemaVersion": 2, "ArtifactName": "'), 0xff, ...new TextEncoder().encode('"}')]);
    const bad = await runAdapter(trivyAdapter, { text: bytes }, config);
    expect(bad.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
    const text = readFileSync(fixture('k8s-report.json'), 'utf8').replace('example critical', 'exemple critique: é ü ✓');
    const whole = await runAdapter(trivyAdapter, { text }, config);
    const split = await runAdapter(trivyAdapter, { text, chunkSize: 3 }, config);
    expect(split.records).toEqual(whole.records);
    expect(split.records[0]?.title).toBe('openssl: exemple critique: é ü ✓');
  });

  it('reads a file with a byte-order mark, and skips unknown keys such as __proto__ and constructor', async () => {
    const text = '\uFEFF{"constructor": {"x": 1}, "__proto__": {"polluted": true}, "SchemaVersion": 2, "Results": [{"Target": "t", "Secrets": [{"RuleID": "r", "StartLine": 1}]}]}';
    const run = await runAdapter(trivyAdapter, { text }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([['secret:r', 'fail', 't:1']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('warns about a newer SchemaVersion and rejects a SchemaVersion that is not a number', async () => {
    const newer = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": 3, "Results": []}' }, config);
    expect(newer.diagnostics.errors).toEqual([]);
    expect(newer.diagnostics.warnings[0]?.field).toBe('SchemaVersion');
    const wrong = await runAdapter(trivyAdapter, { text: '{"SchemaVersion": "2", "Results": []}' }, config);
    expect(wrong.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', field: 'SchemaVersion' });
  });

  it('caps repeated problems and says how many more there are', async () => {
    const results = Array.from({ length: 8 }, (_, i) => ({ Target: `t${i}`, Vulnerabilities: [{ PkgName: 'p', Severity: 'HIGH' }] }));
    const run = await runAdapter(trivyAdapter, { text: JSON.stringify({ SchemaVersion: 2, Results: results }) }, config);
    expect(run.records).toHaveLength(8);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 8 });
    expect(run.diagnostics.warnings).toHaveLength(6);
    expect(run.diagnostics.warnings[5]?.message).toMatch(/3 more problems like this/);
  });
});

describe('trivy: large k8s reports stream', () => {
  it('reads 20,000 resources element by element', async () => {
    const parts: string[] = ['{"ClusterName": "big", "SchemaVersion": 2, "Resources": ['];
    for (let i = 0; i < 20_000; i++) {
      parts.push(`${i ? ',' : ''}\n{"Namespace": "ns${i % 7}", "Kind": "Pod", "Name": "p${i}", "Results": [{"Target": "Pod/p${i}", "Class": "config", "Misconfigurations": [{"AVDID": "AVD-KSV-0001", "Status": "${i % 3 ? 'PASS' : 'FAIL'}"}]}]}`);
    }
    parts.push('\n]}');
    const run = await runAdapter(trivyAdapter, { text: parts.join('') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(20_000);
    expect(countResults(run.records)).toEqual({ fail: 6667, pass: 13_333 });
  });
});
