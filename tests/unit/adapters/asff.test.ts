import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asffAdapter, awsInstant, sniffJson, splitRelatedRequirement } from '../../../src/core/evidence/adapters/asff.ts';
import { translateToolRef } from '../../../src/mappings/tool-refs.ts';
import { countResults, realExport, realExportsAvailable, REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/asff', name);
const config = sourceConfig({ format: 'asff' });

describe.skipIf(!realExportsAvailable())('asff: real exports', () => {
  it('reads Trivy ASFF ({"Findings": [...]}, vulnerability findings without Compliance)', async () => {
    // jq '.Findings[] | [.Compliance, .Severity.Label, .RecordState]' -> 4 findings, all
    // Compliance null, Severity MEDIUM, ACTIVE: 4 failures (MEDIUM is above INFORMATIONAL).
    const run = await runAdapter(asffAdapter, { file: realExport('aws-security-hub-asff/trivy-alpine-310.asff.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 4 });
    expect(run.skipped).toBe(0);
    expect(run.records.map((r) => r.check).sort()).toEqual(['Trivy/CVE-2019-1549', 'Trivy/CVE-2019-1549', 'Trivy/CVE-2019-1551', 'Trivy/CVE-2019-1551']);
    expect(run.records.every((r) => r.rawResult === 'MEDIUM' && r.severity === 'MEDIUM')).toBe(true);
    expect(new Set(run.records.map((r) => r.resource))).toEqual(new Set(['testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)']));
    // UpdatedAt has nanoseconds: normalised to an ISO instant.
    expect(new Set(run.records.map((r) => r.collectedAt))).toEqual(new Set(['2021-08-25T12:20:30.000Z']));
    expect(run.meta.collectedAtFrom).toBe('UpdatedAt of each finding');
  });

  it('respects severityThreshold for findings without a compliance status', async () => {
    const run = await runAdapter(asffAdapter, { file: realExport('aws-security-hub-asff/trivy-alpine-310.asff.json') }, sourceConfig({ format: 'asff', severityThreshold: 'high' }));
    expect(countResults(run.records)).toEqual({ pass: 4 });
  });

  it('reads Security Hub control findings ({"findings": [...]}, lowercase wrapper)', async () => {
    // jq '.findings[].Compliance.Status' -> PASSED x3; ProductFields.ControlId IAM.5, SSM.2, ELBv2.1; all ACTIVE.
    const run = await runAdapter(asffAdapter, { file: realExport('aws-security-hub-asff/securityhub-get-findings-config_many_findings.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 3 });
    expect(run.skipped).toBe(0);
    expect(run.records.map((r) => r.check).sort()).toEqual(['ELBv2.1', 'IAM.5', 'SSM.2']);
    expect(run.records[0]).toMatchObject({ check: 'IAM.5', rawResult: 'PASSED', resource: 'AWS::::Account:012345678912', severity: 'INFORMATIONAL', collectedAt: '2020-06-14T21:02:53.454Z' });
  });
});

describe('asff: Security Hub get-findings output', () => {
  it('maps compliance statuses, suppressions and archived records', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('get-findings.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    // S3.8 FAILED; S3.8 PASSED; IAM.6 FAILED+SUPPRESSED; EC2.2 WARNING; Config.1 NOT_AVAILABLE;
    // CloudTrail.1 ARCHIVED (skipped); EC2.19 FAILED+WorkflowState DEFERRED; S3.5 PASSED+SUPPRESSED.
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 1, 'excepted-in-tool': 2, 'not-evaluated': 2 });
    expect(run.skipped).toBe(1);
    expect(run.records.map((r) => r.check)).toEqual(['S3.8', 'S3.8', 'IAM.6', 'EC2.2', 'Config.1', 'EC2.19', 'S3.5']);
    expect(run.records.find((r) => r.check === 'IAM.6')).toMatchObject({ result: 'excepted-in-tool', rawResult: 'FAILED (SUPPRESSED)' });
    // A suppressed pass stays a pass.
    expect(run.records.find((r) => r.check === 'S3.5')).toMatchObject({ result: 'pass', collectedAt: '2026-11-18T23:59:59.000Z' });
    expect(run.records.find((r) => r.check === 'EC2.2')!.message).toBe('AWS Config could not evaluate the rule.');
  });

  it('splits RelatedRequirements into tool references', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('get-findings.json') }, config);
    const failed = run.records.find((r) => r.result === 'fail')!;
    expect(failed).toMatchObject({ check: 'S3.8', resource: 'arn:aws:s3:::example-tmp-bucket', severity: 'HIGH', collectedAt: '2026-11-19T08:15:30.512Z' });
    expect(failed.toolRefs).toEqual([
      { framework: 'NIST.800-53.r5', control: 'AC-3' },
      { framework: 'NIST.800-53.r5', control: 'AC-21' },
      { framework: 'PCI DSS v3.2.1', control: '1.2.1' },
      { framework: 'CIS AWS Foundations Benchmark v1.4.0', control: '2.1.5' },
    ]);
    expect(translateToolRef(failed.toolRefs![0]!)).toEqual({ framework: 'nist-800-53-rev5', control: 'AC-3' });
    expect(run.records.find((r) => r.check === 'IAM.6')!.toolRefs).toEqual([{ framework: 'NIST.800-53.r5', control: 'IA-2(1)' }]);
  });

  it('reads the same file in tiny chunks', async () => {
    const bytes = readFileSync(fixture('get-findings.json'));
    const run = await runAdapter(asffAdapter, { text: new Uint8Array(bytes), name: 'x.json', chunkSize: 7 }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 1, 'excepted-in-tool': 2, 'not-evaluated': 2 });
    expect(run.skipped).toBe(1);
  });

  it('finds Findings after other top-level keys, ignoring nested keys of the same name', async () => {
    const text = '\uFEFF{"NextToken": "a\\"b", "Meta": {"Findings": "no", "x": [{"Findings": [1]}]}, "Findings": [{"SchemaVersion": "2018-10-08", "GeneratorId": "g1", "Compliance": {"Status": "FAILED"}, "UpdatedAt": "2026-11-20T00:00:00Z"}]}';
    const run = await runAdapter(asffAdapter, { text, name: 'x.json', chunkSize: 3 }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([expect.objectContaining({ check: 'g1', result: 'fail' })]);
  });
});

describe('asff: other wrappers', () => {
  it('reads {"findings": [...]} and falls back to GeneratorId for the check', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('lowercase-findings.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1 });
    expect(run.records.map((r) => r.check)).toEqual(['aws-foundational-security-best-practices/v/1.0.0/Lambda.1', 'aws-foundational-security-best-practices/v/1.0.0/Lambda.2']);
  });

  it('reads a bare list (Prowler), its version and its requirement lists', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('prowler-bare-list.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    // FAILED, PASSED, and WARNING (how Prowler writes a muted finding): not evaluated.
    expect(countResults(run.records)).toEqual({ fail: 1, pass: 1, 'not-evaluated': 1 });
    expect(run.meta.toolVersion).toBe('5.13.0');
    expect(run.records[0]!.check).toBe('prowler-iam_user_mfa_enabled_console_access');
    expect(run.records[0]!.toolRefs).toEqual([
      { framework: 'SOC2', control: 'cc_6_1' },
      { framework: 'SOC2', control: 'cc_6_2' },
      { framework: 'NIST-800-53-Revision-5', control: 'ac_2_1' },
      { framework: 'NIST-800-53-Revision-5', control: 'ia_2_1' },
      // Prowler cuts entries at 63 characters: the last control of a 63-character entry may be cut, so it is dropped.
      { framework: 'ISO27001-2013', control: 'A.12.4' },
      { framework: 'ISO27001-2013', control: 'A.12.6' },
      { framework: 'ISO27001-2013', control: 'A.13.1' },
      { framework: 'ISO27001-2013', control: 'A.14.1' },
      { framework: 'ISO27001-2013', control: 'A.14.2' },
      { framework: 'ISO27001-2013', control: 'A.18.1' },
    ]);
    expect(translateToolRef({ framework: 'SOC2', control: 'cc_6_1' })).toEqual({ framework: 'soc2', control: 'CC6.1' });
  });
});

describe('asff: findings without a compliance status (vulnerabilities)', () => {
  // INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL, and one with only Severity.Normalized 75 (HIGH).
  it.each([
    [undefined, { pass: 1, fail: 5 }],
    ['low', { pass: 1, fail: 5 }],
    ['medium', { pass: 2, fail: 4 }],
    ['high', { pass: 3, fail: 3 }],
    ['critical', { pass: 5, fail: 1 }],
  ] as const)('severityThreshold %s', async (threshold, expected) => {
    const run = await runAdapter(asffAdapter, { file: fixture('vulnerabilities.json') }, sourceConfig({ format: 'asff', ...(threshold ? { severityThreshold: threshold } : {}) }));
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual(expected);
  });

  it('fails a finding with no severity at all, with a warning', async () => {
    const text = JSON.stringify([{ SchemaVersion: '2018-10-08', GeneratorId: 'g', Severity: {}, UpdatedAt: '2026-11-20T00:00:00Z' }]);
    const run = await runAdapter(asffAdapter, { text, name: 'x.json' }, config);
    expect(countResults(run.records)).toEqual({ fail: 1 });
    expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['[0].Severity']);
  });
});

describe('asff: broken files are errors, never zero findings', () => {
  it('reports a truncated export with its byte position', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('truncated.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', field: 'byte 3000' })]);
    expect(run.diagnostics.errors[0]!.hint).toMatch(/truncated/);
  });

  it('reports a file cut before the findings list', async () => {
    const run = await runAdapter(asffAdapter, { text: '{"NextToken": "abc", "Meta": {"a": [', name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', message: expect.stringContaining('truncated') })]);
  });

  it('rejects a JSON document without a findings list, naming its keys', async () => {
    const run = await runAdapter(asffAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: '$', message: expect.stringContaining('`group_id`, `title`, `groups`, `controls`') })]);
    expect(run.diagnostics.errors[0]!.hint).toContain('{"Findings": [...]}');
    expect(run.records).toEqual([]);
  });

  it('rejects a list of records that are not ASFF findings', async () => {
    const run = await runAdapter(asffAdapter, { text: JSON.stringify([{ check_id: 'a', status: 'FAIL' }, { check_id: 'b', status: 'PASS' }]), name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: '[0]', message: expect.stringContaining('none of the 2 records is an ASFF finding') })]);
    expect(run.diagnostics.warnings).toHaveLength(2);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 2 });
  });

  it('rejects a findings list that is not a list', async () => {
    const run = await runAdapter(asffAdapter, { text: '{"Findings": {"a": 1}}', name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', message: expect.stringContaining('expected a list') })]);
  });

  it('rejects an empty file and a file that is not JSON', async () => {
    const empty = await runAdapter(asffAdapter, { file: fixture('empty.json') }, config);
    expect(empty.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', line: 1, message: expect.stringContaining('empty') })]);
    const csv = await runAdapter(asffAdapter, { text: 'a,b\n1,2\n', name: 'x.json' }, config);
    expect(csv.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', message: expect.stringContaining('not JSON') })]);
  });

  it('rejects a UTF-16 file', async () => {
    const run = await runAdapter(asffAdapter, { text: new Uint8Array([0xff, 0xfe, 0x5b, 0x00, 0x5d, 0x00]), name: 'x.json' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
  });

  it('rejects invalid UTF-8 inside the findings', async () => {
    const head = new TextEncoder().encode('{"Findings": [{"SchemaVersion": "2018-10-08", "GeneratorId": "');
    const tail = new TextEncoder().encode('", "Compliance": {"Status": "PASSED"}}]}');
    const run = await runAdapter(asffAdapter, { text: new Uint8Array([...head, 0xc3, 0x28, ...tail]), name: 'x.json' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
  });

  it('reports an unparseable UpdatedAt at its field', async () => {
    const text = JSON.stringify({ Findings: [{ SchemaVersion: '2018-10-08', GeneratorId: 'g', Compliance: { Status: 'PASSED' }, UpdatedAt: 'yesterday' }] });
    const run = await runAdapter(asffAdapter, { text, name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'collected-at-invalid', field: 'Findings[0].UpdatedAt' })]);
  });
});

describe('asff: helpers', () => {
  it('sniffs the top-level keys and replays every byte', async () => {
    const text = '{"a": "' + 'x'.repeat(100) + '", "b": {"Findings": 1}, "Findings": []}';
    async function* chunks() {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 16) yield bytes.subarray(i, i + 16);
    }
    const found = await sniffJson(chunks(), ['Findings']);
    expect(found).toMatchObject({ first: '{', key: 'Findings', keys: ['a', 'b', 'Findings'], end: 'found' });
    let replayed = '';
    for await (const c of found.replay) replayed += new TextDecoder().decode(c);
    expect(replayed).toBe(text);
    const limited = await sniffJson(chunks(), ['Findings'], 32);
    expect(limited).toMatchObject({ end: 'limit', keys: ['a'] });
    expect((await sniffJson(chunks(), ['Nope'])).end).toBe('object-end');
    expect((await sniffJson(chunks())).end).toBe('first');
  });

  it('splits RelatedRequirements entries', () => {
    expect(splitRelatedRequirement('NIST.800-53.r5 SI-7(1)')).toEqual([{ framework: 'NIST.800-53.r5', control: 'SI-7(1)' }]);
    expect(splitRelatedRequirement('PCI DSS v4.0.1/10.2.1')).toEqual([{ framework: 'PCI DSS v4.0.1', control: '10.2.1' }]);
    expect(splitRelatedRequirement('PCI DSS 8.3.1')).toEqual([{ framework: 'PCI DSS', control: '8.3.1' }]);
    expect(splitRelatedRequirement('HIPAA 164_308_a_1_ii_b 164_312_b')).toEqual([{ framework: 'HIPAA', control: '164_308_a_1_ii_b' }, { framework: 'HIPAA', control: '164_312_b' }]);
    expect(splitRelatedRequirement('SOC2')).toEqual([]);
    expect(splitRelatedRequirement('')).toEqual([]);
  });

  it('normalises AWS timestamps', () => {
    expect(awsInstant('2026-11-19T10:15:30.123456+02:00')).toBe('2026-11-19T08:15:30.123Z');
    expect(awsInstant(1795076130.512)).toBe('2026-11-19T08:15:30.512Z');
    expect(awsInstant(1795076130512)).toBe('2026-11-19T08:15:30.512Z');
    expect(awsInstant('1795076130')).toBe('2026-11-19T08:15:30.000Z');
    expect(awsInstant(0)).toBeUndefined();
    expect(awsInstant(1795076130512000)).toBeUndefined();
    expect(awsInstant('soon')).toBeUndefined();
    expect(awsInstant(null)).toBeUndefined();
  });
});

describe('asff: source.yaml', () => {
  it('rejects generic options that the format would ignore', () => {
    const reports: string[] = [];
    asffAdapter.validateConfig!(sourceConfig({ format: 'asff', records: '$.x[*]', delimiter: ';', fields: { check: { path: 'Id' } } }), (field) => reports.push(field));
    expect(reports).toEqual(['fields.check', 'records', 'delimiter']);
    const none: string[] = [];
    asffAdapter.validateConfig!(sourceConfig({ format: 'asff', severityThreshold: 'high', useToolMappings: true }), (field) => none.push(field));
    expect(none).toEqual([]);
  });
});
