import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { complianceFramework, prowlerCsvAdapter } from '../../../src/core/evidence/adapters/prowler-csv.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { translateToolRef } from '../../../src/mappings/tool-refs.ts';
import { countResults, realExport, realExportsAvailable, REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/formats/prowler');
const fixture = (name: string) => ({ file: path.join(FIXTURES, name) });
const config = sourceConfig({ format: 'prowler-csv' });
const translated = (refs: { framework: string; control: string }[] | undefined) =>
  (refs ?? []).map((r) => translateToolRef(r)).filter((t) => t !== undefined).map((t) => `${t.framework}:${t.control}`);

describe('prowler-csv: real Prowler 5 export', () => {
  it.skipIf(!realExportsAvailable())('reads every row of prowler5-example_output_aws.csv', async () => {
    const run = await runAdapter(prowlerCsvAdapter, { file: realExport('prowler/prowler5-example_output_aws.csv') }, config);
    expect(run.diagnostics.items).toEqual([]);
    // Counted independently with awk -F';' on STATUS (col 14) and MUTED (col 16): 4 rows, 2 FAIL + 2 MANUAL, none muted.
    expect(run.records).toHaveLength(4);
    expect(countResults(run.records)).toEqual({ fail: 2, 'not-evaluated': 2 });
    expect(run.records.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(run.records.map((r) => r.check)).toEqual([
      'accessanalyzer_enabled',
      'account_maintain_current_contact_details',
      'account_maintain_different_contact_details_to_security_billing_and_operations',
      'account_security_contact_information_is_registered',
    ]);
    const [first, , , last] = run.records;
    expect(first).toMatchObject({ result: 'fail', rawResult: 'FAIL', severity: 'low', resource: '<resource_uid>', collectedAt: '2025-02-14 14:27:03.913874', title: 'Check if IAM Access Analyzer is enabled' });
    expect(last?.resource).toBe('<resource_uid>:root');
    // COMPLIANCE ids per row, counted with Python's csv module: 15, 12, 2, 16.
    expect(run.records.map((r) => r.toolRefs?.length)).toEqual([15, 12, 2, 16]);
    expect(first?.toolRefs).toContainEqual({ framework: 'KISA-ISMS-P-2023', control: '2.8.2' });
    expect(first?.toolRefs).toContainEqual({ framework: 'CIS-3.0', control: '1.20' });
    // This sample names only CIS, KISA, ENS and AWS frameworks: nothing translates to ours.
    expect(run.records.flatMap((r) => translated(r.toolRefs))).toEqual([]);
    expect(run.meta).toEqual({ toolVersion: '<prowler_version>', collectedAtFrom: 'column TIMESTAMP' });
  });
});

describe('prowler-csv: Prowler 4/5 shape', () => {
  it('maps STATUS and MUTED, and keeps line numbers across a quoted multi-line cell', async () => {
    const run = await runAdapter(prowlerCsvAdapter, { ...fixture('prowler4-multiline.csv') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 2, 'excepted-in-tool': 1, 'not-evaluated': 1 });
    // Row 3 spans lines 4-6 (two line breaks inside a quoted STATUS_EXTENDED), so the next row starts at line 7.
    expect(run.records.map((r) => [r.line, r.result])).toEqual([
      [2, 'pass'],
      [3, 'fail'],
      [4, 'fail'],
      [7, 'excepted-in-tool'],
      [8, 'not-evaluated'],
      [9, 'pass'],
    ]);
    const sg = run.records[2]!;
    expect(sg.message).toBe('Security group sg-0abc (bastion) has SSH port 22 open to the Internet;\nrule added by "ops" on request;\nreview required.');
    expect(sg.resource).toBe('arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0abc');
    expect(run.records[3]).toMatchObject({ check: 'cloudtrail_multi_region_enabled', rawResult: 'FAIL', result: 'excepted-in-tool' });
    // RESOURCE_UID empty: RESOURCE_NAME is used.
    expect(run.records[4]?.resource).toBe('111122223333');
    expect(run.records[0]?.collectedAt).toBe('2026-11-20 09:15:02.123456');
    expect(run.meta.toolVersion).toBe('5.4.1');
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path.join(FIXTURES, 'prowler4-multiline.csv'));
    const whole = await runAdapter(prowlerCsvAdapter, fixture('prowler4-multiline.csv'), config);
    const small = await runAdapter(prowlerCsvAdapter, { text: new Uint8Array(bytes), name: 'p.csv', chunkSize: 7 }, config);
    expect(small.diagnostics.items).toEqual([]);
    expect(small.records).toEqual(whole.records);
  });

  it('passes COMPLIANCE references on as Prowler writes them; the table translates the known ones', async () => {
    const run = await runAdapter(prowlerCsvAdapter, fixture('prowler4-multiline.csv'), config);
    const [s3, root, sg, trail] = run.records;
    expect(s3?.toolRefs).toEqual([
      { framework: 'SOC2', control: 'cc_6_1' },
      { framework: 'SOC2', control: 'cc_6_7' },
      { framework: 'ISO27001-2022', control: 'A.8.24' },
      { framework: 'CIS-2.0', control: '2.1.1' },
    ]);
    expect(translated(s3?.toolRefs)).toEqual(['soc2:CC6.1', 'soc2:CC6.7', 'iso27001-2022:A.8.24']);
    // NIST-CSF-2.0 `ac_1` is CSF 1.1's PR.AC-1 and ISO27001-2013 is another edition: neither translates.
    expect(translated(root?.toolRefs)).toEqual(['soc2:CC6.1', 'nist-800-53-rev5:IA-2(1)', 'nist-800-53-rev5:IA-2', 'nist-csf-2.0:PR.AA-03']);
    expect(translated(sg?.toolRefs)).toEqual(['iso27001-2022:A.8.20', 'iso27001-2022:A.8.22', 'soc2:CC6.6']);
    // Prowler's SOC2 cc_a_1_1 is ambiguous and stays untranslated.
    expect(translated(trail?.toolRefs)).toEqual(['soc2:CC7.2', 'nist-csf-2.0:DE.CM-01']);
  });

  it('reads a `--unix-timestamp` TIMESTAMP as Unix seconds', async () => {
    const header = 'TIMESTAMP;CHECK_ID;STATUS;MUTED;RESOURCE_UID';
    const run = await runAdapter(prowlerCsvAdapter, { text: `${header}\n1764151200;s3_x;PASS;False;arn:a\n` }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records[0]?.collectedAt).toBe('2025-11-26T10:00:00.000Z');
  });

  it('reads `MUTED (FAIL)` / `MUTED (PASS)` as Prowler\'s dashboard writes them', async () => {
    const text = 'TIMESTAMP;CHECK_ID;STATUS;MUTED\n2026-01-01 00:00:00;a;MUTED (FAIL);True\n2026-01-01 00:00:00;b;MUTED (PASS);True\n';
    const run = await runAdapter(prowlerCsvAdapter, { text }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.rawResult, r.result])).toEqual([['MUTED (FAIL)', 'excepted-in-tool'], ['MUTED (PASS)', 'pass']]);
  });

  it('warns about unknown STATUS and MUTED values and never counts them as passing', async () => {
    const text = 'TIMESTAMP;CHECK_ID;STATUS;MUTED\n2026-01-01 00:00:00;a;PASSED;False\n2026-01-01 00:00:00;b;FAIL;maybe\n2026-01-01 00:00:00;;FAIL;False\n';
    const run = await runAdapter(prowlerCsvAdapter, { text }, config);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.records.map((r) => r.result)).toEqual(['not-evaluated', 'fail', 'fail']);
    expect(run.records[2]?.check).toBe('');
    const warnings = run.diagnostics.warnings.map((d) => [d.line, d.field, d.message]);
    expect(warnings).toEqual([
      [2, 'STATUS', 'STATUS `PASSED` is not PASS, FAIL or MANUAL; the row is counted as not evaluated.'],
      [3, 'MUTED', 'MUTED is `maybe`, not True or False; the row is read as not muted.'],
      [4, 'CHECK_ID', 'This row has no check id; it is counted as not evaluated.'],
    ]);
  });
});

describe('prowler-csv: Prowler 3 shape', () => {
  it('reads ASSESSMENT_START_TIME, RESOURCE_ARN and WARNING (allowlisted) rows', async () => {
    const run = await runAdapter(prowlerCsvAdapter, fixture('prowler3.csv'), config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1, 'excepted-in-tool': 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => [r.line, r.rawResult, r.result])).toEqual([
      [2, 'PASS', 'pass'],
      [3, 'FAIL', 'fail'],
      [4, 'WARNING', 'excepted-in-tool'],
      [5, 'INFO', 'not-evaluated'],
    ]);
    expect(run.records[1]).toMatchObject({ check: 's3_bucket_public_access', resource: 'arn:aws:s3:::acme-public', severity: 'critical', collectedAt: '2023-06-01T10:00:00.123456' });
    expect(translated(run.records[0]?.toolRefs)).toEqual(['soc2:CC6.1', 'nist-800-53-rev5:AC-2(1)', 'nist-800-53-rev5:AC-3']);
    expect(run.records[3]?.toolRefs).toBeUndefined();
    expect(run.meta).toEqual({ collectedAtFrom: 'column ASSESSMENT_START_TIME' });
  });

  it('matches header names regardless of case', async () => {
    const text = 'assessment_start_time;finding_unique_id;provider;check_id;status;resource_id;resource_arn\n2023-06-01T10:00:00;u;aws;iam_x;FAIL;id1;\n';
    const run = await runAdapter(prowlerCsvAdapter, { text }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([{ check: 'iam_x', result: 'fail', rawResult: 'FAIL', line: 2, resource: 'id1', collectedAt: '2023-06-01T10:00:00' }]);
  });
});

describe('prowler-csv: compliance CSV shape', () => {
  const file = 'prowler-output-111122223333-20261120091502_iso27001_2022_aws.csv';

  it('reads one record per requirement result, with the requirement as the tool reference', async () => {
    const run = await runAdapter(prowlerCsvAdapter, fixture(file), config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 2, pass: 1, 'excepted-in-tool': 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => [r.check, r.result, r.toolRefs])).toEqual([
      ['iam_root_mfa_enabled', 'fail', [{ framework: 'ISO27001-2022', control: 'A.8.5' }]],
      ['iam_root_mfa_enabled', 'fail', [{ framework: 'ISO27001-2022', control: 'A.5.17' }]],
      ['s3_bucket_default_encryption', 'pass', [{ framework: 'ISO27001-2022', control: 'A.8.24' }]],
      ['ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22', 'excepted-in-tool', [{ framework: 'ISO27001-2022', control: 'A.8.20' }]],
      ['manual', 'not-evaluated', [{ framework: 'ISO27001-2022', control: 'A.5.2' }]],
    ]);
    expect(run.records.flatMap((r) => translated(r.toolRefs))).toEqual([
      'iso27001-2022:A.8.5', 'iso27001-2022:A.5.17', 'iso27001-2022:A.8.24', 'iso27001-2022:A.8.20', 'iso27001-2022:A.5.2',
    ]);
    expect(run.records[0]).toMatchObject({ line: 2, resource: 'arn:aws:iam::111122223333:root', message: 'MFA is not enabled for root account.', collectedAt: '2026-11-20 09:15:02.123456' });
    expect(run.meta).toEqual({ collectedAtFrom: 'column ASSESSMENTDATE' });
  });

  it('takes the version from the file name: a renamed ISO file does not guess the edition', async () => {
    const text = 'PROVIDER;ASSESSMENTDATE;REQUIREMENTS_ID;STATUS;STATUSEXTENDED;RESOURCEID;CHECKID;MUTED;RESOURCENAME;FRAMEWORK\naws;2026-11-20 09:15:02;A.8.5;FAIL;x;r;iam_root_mfa_enabled;False;r;ISO27001\n';
    const renamed = await runAdapter(prowlerCsvAdapter, { text, name: 'iso.csv' }, config);
    expect(renamed.records[0]?.toolRefs).toEqual([{ framework: 'ISO27001', control: 'A.8.5' }]);
    expect(translated(renamed.records[0]?.toolRefs)).toEqual([]);
    const old = await runAdapter(prowlerCsvAdapter, { text, name: 'prowler-output-1-20250101000000_iso27001_2013_aws.csv' }, config);
    expect(old.records[0]?.toolRefs).toEqual([{ framework: 'ISO27001-2013', control: 'A.8.5' }]);
    expect(translated(old.records[0]?.toolRefs)).toEqual([]);
  });

  it('reads older compliance CSVs without a FRAMEWORK column from the file name', async () => {
    const text = 'Provider;AccountId;Region;AssessmentDate;Requirements_Id;Requirements_Description;Status;StatusExtended;ResourceId;CheckId\naws;1;eu-west-1;2024-03-01T10:00:00;cc_6_1;x;PASS;ok;r;iam_x\n';
    const run = await runAdapter(prowlerCsvAdapter, { text, name: 'prowler-output-1-20240301100000_soc2_aws.csv' }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records[0]).toMatchObject({ check: 'iam_x', result: 'pass', toolRefs: [{ framework: 'soc2', control: 'cc_6_1' }] });
    expect(translated(run.records[0]?.toolRefs)).toEqual(['soc2:CC6.1']);
    const nameless = await runAdapter(prowlerCsvAdapter, { text, name: 'export.csv' }, config);
    expect(nameless.records[0]?.toolRefs).toBeUndefined();
    expect(nameless.diagnostics.warnings.map((d) => d.field)).toEqual(['FRAMEWORK']);
  });

  it('complianceFramework: FRAMEWORK column plus the version in the file name', () => {
    expect(complianceFramework('evidence/p/out_nist_csf_2.0_aws.csv', 'NIST-CSF')).toBe('NIST-CSF-2.0');
    expect(complianceFramework('evidence/p/out_nist_csf_1.1_aws.csv', 'NIST-CSF')).toBe('NIST-CSF-1.1');
    expect(complianceFramework('evidence/p/out_nist_800_53_revision_5_aws.csv', 'NIST-800-53-Revision-5')).toBe('NIST-800-53-Revision-5');
    expect(complianceFramework('evidence/p/out_cis_2.0_aws.csv', 'CIS')).toBe('CIS-2.0');
    expect(complianceFramework('evidence/p/out_soc2_azure.csv', 'SOC2')).toBe('SOC2');
    expect(complianceFramework('evidence/p/out_iso27001_2022_gcp.csv', undefined)).toBe('iso27001_2022');
    expect(complianceFramework('evidence/p/export.csv', undefined)).toBeUndefined();
  });
});

describe('prowler-csv: broken and foreign files', () => {
  it('treats an empty file as an error, never as zero findings', async () => {
    const run = await runAdapter(prowlerCsvAdapter, fixture('empty.csv'), config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line])).toEqual([['evidence-parse', 1]]);
  });

  it('rejects a header that is not Prowler, naming the expected columns', async () => {
    const run = await runAdapter(prowlerCsvAdapter, { text: 'Login;MFA Enrolled\na;TRUE\n' }, config);
    expect(run.records).toEqual([]);
    const [d] = run.diagnostics.errors;
    expect(d?.rule).toBe('evidence-parse');
    expect(d?.line).toBe(1);
    expect(d?.message).toContain('expected CHECK_ID, STATUS and TIMESTAMP (Prowler 4/5)');
    expect(d?.message).toContain('found LOGIN, MFA ENROLLED');
  });

  it('explains a comma-delimited re-save and a JSON file given as CSV', async () => {
    const comma = await runAdapter(prowlerCsvAdapter, { text: 'TIMESTAMP,CHECK_ID,STATUS\n2026-01-01,a,PASS\n' }, config);
    expect(comma.diagnostics.errors[0]?.hint).toContain('set `delimiter:`');
    const withDelimiter = await runAdapter(prowlerCsvAdapter, { text: 'TIMESTAMP,CHECK_ID,STATUS,MUTED\n2026-01-01,a,PASS,False\n' }, sourceConfig({ format: 'prowler-csv', delimiter: ',' }));
    expect(withDelimiter.diagnostics.items).toEqual([]);
    expect(withDelimiter.records[0]?.result).toBe('pass');
    const json = await runAdapter(prowlerCsvAdapter, { text: '[{\n "metadata": {}\n}]\n' }, config);
    expect(json.diagnostics.errors[0]?.hint).toContain('format: prowler-ocsf');
  });

  it('reports a row cut short (a truncated file) as an error, and counts it as not evaluated', async () => {
    const text = 'TIMESTAMP;CHECK_ID;STATUS;MUTED;RESOURCE_UID\n2026-01-01 00:00:00;a;PASS;False;r1\n2026-01-01 00:00:00;b;PA';
    const run = await runAdapter(prowlerCsvAdapter, { text }, config);
    expect(run.records.map((r) => r.result)).toEqual(['pass', 'not-evaluated']);
    const [d] = run.diagnostics.errors;
    expect(d).toMatchObject({ rule: 'evidence-parse', line: 3 });
    expect(d?.message).toContain('this row has 3 cells; the Prowler 4/5 CSV header has 5');
    expect(d?.hint).toMatch(/truncated/);
  });

  it('reports an unclosed quote (a file cut inside a quoted cell) as an error', async () => {
    const text = 'TIMESTAMP;CHECK_ID;STATUS;STATUS_EXTENDED;MUTED\n2026-01-01 00:00:00;a;FAIL;"multi\nline';
    const run = await runAdapter(prowlerCsvAdapter, { text }, config);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line])).toContainEqual(['evidence-parse', 2]);
  });

  it('warns when a Prowler CSV has a header but no findings', async () => {
    const run = await runAdapter(prowlerCsvAdapter, { text: 'TIMESTAMP;CHECK_ID;STATUS;MUTED\n' }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings.map((d) => d.message)).toEqual(['The Prowler 4/5 CSV has a header but no findings.']);
    expect(run.meta).toEqual({});
  });

  it('rejects invalid UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('TIMESTAMP;CHECK_ID;STATUS\n2026-01-01;a;'), 0xff, 0x0a]);
    const run = await runAdapter(prowlerCsvAdapter, { text: bytes }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toContain('encoding-invalid');
  });

  it('caps row diagnostics and counts the rest', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `2026-01-01 00:00:00;c${i};BOGUS;False`).join('\n');
    const run = await runAdapter(prowlerCsvAdapter, { text: `TIMESTAMP;CHECK_ID;STATUS;MUTED\n${rows}\n` }, config);
    expect(run.records).toHaveLength(25);
    expect(run.diagnostics.warnings).toHaveLength(21);
    expect(run.diagnostics.warnings.at(-1)?.message).toBe('5 more records with this kind of problem in this file (only the first 20 are listed).');
  });
});

describe('prowler-csv: configuration and registry', () => {
  it('is registered, and rejects `fields` and `records` in source.yaml', () => {
    expect(adapterRegistry.get('prowler-csv')).toBe(prowlerCsvAdapter);
    const problems: string[] = [];
    prowlerCsvAdapter.validateConfig?.(sourceConfig({ format: 'prowler-csv', records: '$[*]', fields: { check: { column: 'CHECK_ID' } } }), (field) => problems.push(field));
    expect(problems).toEqual(['fields.check', 'records']);
    const none: string[] = [];
    prowlerCsvAdapter.validateConfig?.(sourceConfig({ format: 'prowler-csv', delimiter: ',' }), (field) => none.push(field));
    expect(none).toEqual([]);
  });
});
