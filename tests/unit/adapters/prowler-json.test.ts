import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prowlerJsonAdapter, prowlerOcsfAdapter } from '../../../src/core/evidence/adapters/prowler-ocsf.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { translateToolRef } from '../../../src/mappings/tool-refs.ts';
import { countResults, realExport, realExportsAvailable, REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/formats/prowler');
const fixture = (name: string) => ({ file: path.join(FIXTURES, name) });
const ocsfConfig = sourceConfig({ format: 'prowler-ocsf' });
const v3Config = sourceConfig({ format: 'prowler-json' });
const translated = (refs: { framework: string; control: string }[] | undefined) =>
  (refs ?? []).map((r) => translateToolRef(r)).filter((t) => t !== undefined).map((t) => `${t.framework}:${t.control}`);

describe('prowler-ocsf: real Prowler 5 export', () => {
  it.skipIf(!realExportsAvailable())('reads every finding of prowler5-example_output_aws.ocsf.json', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, { file: realExport('prowler/prowler5-example_output_aws.ocsf.json') }, ocsfConfig);
    expect(run.diagnostics.items).toEqual([]);
    // Counted independently with jq on status_code / status / unmapped.muted: 5 findings, 2 FAIL + 3 MANUAL, all status "New".
    expect(run.records).toHaveLength(5);
    expect(countResults(run.records)).toEqual({ fail: 2, 'not-evaluated': 3 });
    expect(run.records.map((r) => r.check)).toEqual([
      'accessanalyzer_enabled',
      'account_maintain_current_contact_details',
      'account_maintain_different_contact_details_to_security_billing_and_operations',
      'account_security_contact_information_is_registered',
      'account_security_questions_are_registered_in_the_aws_account',
    ]);
    // `time` 1739539623 is exact (time_dt 14:27:03 is the scanner's local time without an offset).
    expect(run.records[0]).toMatchObject({ result: 'fail', rawResult: 'FAIL', severity: 'Low', resource: '<resource_uid>', collectedAt: '2025-02-14T13:27:03.000Z', title: 'Check if IAM Access Analyzer is enabled' });
    // Ids per finding, counted with jq over unmapped.compliance: 15, 10, 2, 14, 9.
    expect(run.records.map((r) => r.toolRefs?.length)).toEqual([15, 10, 2, 14, 9]);
    // The OCSF output keeps an id with commas whole (the CSV splits it).
    expect(run.records[1]?.toolRefs).toContainEqual({ framework: 'AWS-Account-Security-Onboarding', control: 'Billing, emergency, security contacts' });
    expect(run.records.flatMap((r) => translated(r.toolRefs))).toEqual([]);
    expect(run.meta).toEqual({ toolVersion: '<prowler_version>', collectedAtFrom: 'field time' });
  });

  it.skipIf(!realExportsAvailable())('rejects a real Trivy report given as prowler-ocsf, naming the expected shape', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, ocsfConfig);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    const [d] = run.diagnostics.errors;
    expect(d).toMatchObject({ rule: 'evidence-parse', line: 1, column: 1 });
    expect(d?.message).toContain('expected a JSON list of OCSF Detection Findings (class_uid 2004)');
    expect(d?.message).toContain('it looks like a Trivy JSON report');
  });
});

describe('prowler-ocsf: fixtures', () => {
  it('maps status_code, and Suppressed or muted fails to excepted-in-tool', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, fixture('prowler5-muted.ocsf.json'), ocsfConfig);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 1, 'excepted-in-tool': 2, 'not-evaluated': 1 });
    expect(run.records.map((r) => [r.check, r.rawResult, r.result])).toEqual([
      ['s3_bucket_default_encryption', 'PASS', 'pass'],
      ['iam_root_mfa_enabled', 'FAIL', 'fail'],
      ['ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22', 'FAIL', 'excepted-in-tool'], // status Suppressed
      ['cloudtrail_multi_region_enabled', 'FAIL', 'excepted-in-tool'], // unmapped.muted true
      ['account_maintain_current_contact_details', 'MANUAL', 'not-evaluated'],
      ['iam_password_policy_minimum_length_14', 'PASS', 'pass'], // a muted pass stays a pass
    ]);
    expect(run.records[1]).toMatchObject({ resource: 'arn:aws:iam::111122223333:root', severity: 'Critical', message: 'MFA is not enabled for root account.', collectedAt: '2026-11-20T09:00:00.000Z' });
    expect(translated(run.records[1]?.toolRefs)).toEqual(['soc2:CC6.1', 'iso27001-2022:A.8.5', 'iso27001-2022:A.5.17', 'nist-csf-2.0:PR.AA-03']);
    expect(run.records.every((r) => r.line === undefined)).toBe(true);
    expect(run.meta).toEqual({ toolVersion: '5.4.1', collectedAtFrom: 'field time' });
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const bytes = await readFile(path.join(FIXTURES, 'prowler5-muted.ocsf.json'));
    const whole = await runAdapter(prowlerOcsfAdapter, fixture('prowler5-muted.ocsf.json'), ocsfConfig);
    const small = await runAdapter(prowlerOcsfAdapter, { text: new Uint8Array(bytes), chunkSize: 13 }, ocsfConfig);
    expect(small.diagnostics.items).toEqual([]);
    expect(small.records).toEqual(whole.records);
  });

  it('reports a truncated file with its position and a truncated hint', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, fixture('prowler5-truncated.ocsf.json'), ocsfConfig);
    const text = await readFile(path.join(FIXTURES, 'prowler5-truncated.ocsf.json'), 'utf8');
    const lines = text.split('\n');
    expect(run.diagnostics.errors).toHaveLength(1);
    const [d] = run.diagnostics.errors;
    expect(d?.rule).toBe('evidence-parse');
    expect(d?.line).toBe(lines.length);
    expect(d?.column).toBe(lines.at(-1)!.length + 1);
    expect(d?.field).toBe(`byte ${Buffer.byteLength(text)}`);
    expect(d?.message).toMatch(/the file looks truncated/);
    expect(d?.hint).toMatch(/truncated/);
    // The two complete findings before the cut were read; the file fails as a whole.
    expect(run.records.map((r) => r.check)).toEqual(['s3_bucket_default_encryption', 'iam_root_mfa_enabled']);
  });

  it('treats an empty file as an error, never as zero findings', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, fixture('empty.ocsf.json'), ocsfConfig);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
    const blank = await runAdapter(prowlerOcsfAdapter, { text: ' \n\n ' }, ocsfConfig);
    expect(blank.diagnostics.errors.map((d) => d.message)).toEqual(['Cannot parse evidence: the file is empty.']);
  });

  it('rejects other JSON, naming the expected shape and what the file looks like', async () => {
    const trivy = await runAdapter(prowlerOcsfAdapter, { text: '{"SchemaVersion": 2, "ArtifactName": "alpine:3.10", "Results": []}' }, ocsfConfig);
    expect(trivy.diagnostics.errors.map((d) => d.message)).toEqual([
      'Cannot parse evidence: expected a JSON list of OCSF Detection Findings (class_uid 2004) as written by Prowler `--output-formats json-ocsf`, but the document is a JSON object; it looks like a Trivy JSON report.',
    ]);
    const asff = await runAdapter(prowlerOcsfAdapter, { text: '[{"SchemaVersion": "2018-10-08", "ProductArn": "arn:aws:securityhub:eu-west-1::product/prowler/prowler", "Id": "x"}]' }, ocsfConfig);
    expect(asff.records).toEqual([]);
    expect(asff.diagnostics.errors[0]?.message).toContain('the first element is AWS Security Finding Format (ASFF) findings');
    const other = await runAdapter(prowlerOcsfAdapter, { text: '[{"class_uid": 3002, "activity_id": 1}]' }, ocsfConfig);
    expect(other.diagnostics.errors[0]?.message).toContain('OCSF events of class_uid 3002, not Detection Findings (2004)');
  });

  it('accepts an empty list as zero findings, with a warning', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, { text: '[]' }, ocsfConfig);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings.map((d) => d.message)).toEqual(['The export is an empty list: it has no findings.']);
  });

  it('counts elements that are not findings as not evaluated, with located warnings', async () => {
    const good = { class_uid: 2004, metadata: { event_code: 'a', product: { version: '5.0.0' } }, status_code: 'PASS', time: 1764151200 };
    const text = JSON.stringify([good, 42, { ...good, status_code: 'UNKNOWN' }, { class_uid: 2004, status_code: 'FAIL', time: 1764151200 }]);
    const run = await runAdapter(prowlerOcsfAdapter, { text }, ocsfConfig);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result])).toEqual([['a', 'pass'], ['', 'not-evaluated'], ['a', 'not-evaluated'], ['', 'fail']]);
    expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['$[1]', '$[2].status_code', '$[3].metadata.event_code']);
    expect(run.meta.toolVersion).toBe('5.0.0');
  });

  it('rejects invalid UTF-8 and UTF-16, which the JSON parser alone would accept', async () => {
    const bad = new Uint8Array([...new TextEncoder().encode('[{"class_uid": 2004, "status_code": "PASS", "metadata": {"event_code": "'), 0xff, 0xfe, ...new TextEncoder().encode('"}}]')]);
    const run = await runAdapter(prowlerOcsfAdapter, { text: bad }, ocsfConfig);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
    const utf16 = new Uint8Array([0xff, 0xfe, 0x5b, 0x00, 0x5d, 0x00]);
    const run16 = await runAdapter(prowlerOcsfAdapter, { text: utf16 }, ocsfConfig);
    expect(run16.diagnostics.errors.map((d) => [d.rule, d.message])).toEqual([['encoding-invalid', 'The file is not valid UTF-8 text (the file is UTF-16 encoded).']]);
  });

  it('reports other syntax errors', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, { text: '[{"class_uid": 2004,, "status_code": "PASS"}]' }, ocsfConfig);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['evidence-parse']);
    expect(run.records).toEqual([]);
  });
});

describe('prowler-json: Prowler 3 native JSON', () => {
  it.skipIf(!realExportsAvailable())('reads prowler3-one_vuln.json and its SOC2 / NIST references', async () => {
    const run = await runAdapter(prowlerJsonAdapter, { file: realExport('prowler/prowler3-one_vuln.json') }, v3Config);
    expect(run.diagnostics.items).toEqual([]);
    // jq: one element, Status FAIL.
    expect(countResults(run.records)).toEqual({ fail: 1 });
    const [rec] = run.records;
    expect(rec).toMatchObject({
      check: 'acm_certificates_expiration_check',
      rawResult: 'FAIL',
      severity: 'high',
      resource: 'arn:aws:acm:us-east-1:999999999999:certificate/ffffffff-0000-0000-0000-000000000000',
      collectedAt: '2023-04-25T23:49:42.744599',
      message: 'ACM Certificate for api.sandbox.partner.teste.com is about to expire in 7 days.',
    });
    // jq: 23 ids over 12 frameworks.
    expect(rec?.toolRefs).toHaveLength(23);
    expect(rec?.toolRefs).toContainEqual({ framework: 'SOC2', control: 'cc_6_7' });
    // SOC2 cc_6_7 -> CC6.7 and NIST 800-53 rev 5 sc_7_12 -> SC-7(12); rev 4, CSF 1.1, FedRAMP, HIPAA... are not ours.
    expect(translated(rec?.toolRefs)).toEqual(['nist-800-53-rev5:SC-7(12)', 'nist-800-53-rev5:SC-7(16)', 'soc2:CC6.7']);
    expect(run.meta).toEqual({ collectedAtFrom: 'field AssessmentStartTime' });
  });

  it.skipIf(!realExportsAvailable())('points a Prowler 3 file given as prowler-ocsf to prowler-json', async () => {
    const run = await runAdapter(prowlerOcsfAdapter, { file: realExport('prowler/prowler3-one_vuln.json') }, ocsfConfig);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors.map((d) => [d.field, d.hint])).toEqual([['$[0]', 'Use `format: prowler-json` for this file.']]);
  });

  it('points an OCSF file given as prowler-json to prowler-ocsf', async () => {
    const run = await runAdapter(prowlerJsonAdapter, fixture('prowler5-muted.ocsf.json'), v3Config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors.map((d) => d.hint)).toEqual(['Use `format: prowler-ocsf` for this file.']);
  });

  it('maps WARNING (allowlisted) and INFO', async () => {
    const text = JSON.stringify([
      { CheckID: 'a', Status: 'PASS', AssessmentStartTime: '2023-04-25T23:49:42.744599', ResourceId: 'r1' },
      { CheckID: 'b', Status: 'WARNING', AssessmentStartTime: '2023-04-25T23:49:42.744599', ResourceArn: 'arn:b' },
      { CheckID: 'c', Status: 'INFO', AssessmentStartTime: '2023-04-25T23:49:42.744599', Compliance: { SOC2: ['cc_7_2'] } },
      { CheckID: 'd', Status: 'FAIL', AssessmentStartTime: '2023-04-25T23:49:42.744599', Compliance: ['SOC2 cc_7_2'] },
    ]);
    const run = await runAdapter(prowlerJsonAdapter, { text }, v3Config);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([['a', 'pass', 'r1'], ['b', 'excepted-in-tool', 'arn:b'], ['c', 'not-evaluated', undefined], ['d', 'fail', undefined]]);
    expect(run.records[2]?.toolRefs).toEqual([{ framework: 'SOC2', control: 'cc_7_2' }]);
    expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['$[3].Compliance']);
    expect(run.diagnostics.errors).toEqual([]);
  });
});

describe('prowler JSON formats: configuration and registry', () => {
  it('are registered, and reject `fields`, `records` and `delimiter`', () => {
    expect(adapterRegistry.get('prowler-ocsf')).toBe(prowlerOcsfAdapter);
    expect(adapterRegistry.get('prowler-json')).toBe(prowlerJsonAdapter);
    const problems: string[] = [];
    prowlerOcsfAdapter.validateConfig?.(sourceConfig({ format: 'prowler-ocsf', delimiter: ';', fields: { result: { path: 'status_code', pass: ['PASS'] } } }), (field) => problems.push(field));
    expect(problems).toEqual(['fields.result', 'delimiter']);
  });
});
