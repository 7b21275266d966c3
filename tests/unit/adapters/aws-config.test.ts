import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsConfigAdapter } from '../../../src/core/evidence/adapters/aws-config.ts';
import { countResults, REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

// There is no real AWS Config export in the shared folder: these fixtures were written by hand
// from the AWS CLI reference (get-compliance-details-by-config-rule, describe-compliance-by-config-rule).
const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/aws-config', name);
const config = sourceConfig({ format: 'aws-config' });

describe('aws-config: evaluation results', () => {
  it('reads CLI v2 output with ISO 8601 times (any offset)', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('by-config-rule-iso.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => r.collectedAt)).toEqual(['2026-11-19T08:15:30.512Z', '2026-11-19T08:15:30.640Z', '2026-11-19T08:15:30.000Z']);
    expect(run.records[1]).toEqual({
      check: 's3-bucket-versioning-enabled',
      result: 'fail',
      rawResult: 'NON_COMPLIANT',
      resource: 'AWS::S3::Bucket/example-tmp-bucket',
      message: 'Versioning is not enabled on this bucket.',
      collectedAt: '2026-11-19T08:15:30.640Z',
    });
    expect(run.records[2]!.rawResult).toBe('NOT_APPLICABLE');
    expect(run.meta.collectedAtFrom).toBe('ResultRecordedTime of each evaluation result');
  });

  it('reads CLI v1 / API output with epoch seconds (and a NextToken)', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('by-config-rule-epoch-seconds.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 1, pass: 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => r.collectedAt)).toEqual(['2026-11-19T08:15:30.512Z', '2026-11-19T08:15:30.640Z', '2026-11-19T08:15:31.000Z']);
    expect(run.records.map((r) => r.resource)).toEqual(['AWS::EC2::SecurityGroup/sg-0example', 'AWS::EC2::SecurityGroup/sg-1example', 'AWS::EC2::SecurityGroup/sg-2example']);
    expect(run.records[2]!.rawResult).toBe('INSUFFICIENT_DATA');
  });

  it('reads get-compliance-details-by-resource output with epoch milliseconds', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('by-resource-epoch-millis.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 1, pass: 1 });
    expect(run.records.map((r) => [r.check, r.collectedAt])).toEqual([
      ['iam-user-mfa-enabled', '2026-11-19T08:15:30.512Z'],
      ['iam-user-no-policies-check', '2026-11-19T08:15:30.640Z'],
    ]);
  });

  it('falls back to ConfigRuleInvokedTime, then OrderingTimestamp', async () => {
    const q = { ConfigRuleName: 'r', ResourceType: 'AWS::S3::Bucket', ResourceId: 'b' };
    const text = JSON.stringify({
      EvaluationResults: [
        { EvaluationResultIdentifier: { EvaluationResultQualifier: q }, ComplianceType: 'COMPLIANT', ConfigRuleInvokedTime: 1795076100 },
        { EvaluationResultIdentifier: { EvaluationResultQualifier: q, OrderingTimestamp: '2026-11-19T08:00:00Z' }, ComplianceType: 'COMPLIANT' },
      ],
    });
    const run = await runAdapter(awsConfigAdapter, { text, name: 'x.json' }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => r.collectedAt)).toEqual(['2026-11-19T08:15:00.000Z', '2026-11-19T08:00:00.000Z']);
  });

  it('reads a bare list and aggregator output (account and region in the message)', async () => {
    const text = JSON.stringify({
      AggregateEvaluationResults: [
        { EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'r', ResourceType: 'AWS::S3::Bucket', ResourceId: 'b' } }, ComplianceType: 'NON_COMPLIANT', ResultRecordedTime: '2026-11-19T08:15:30Z', Annotation: 'Public.', AccountId: '111122223333', AwsRegion: 'eu-west-1' },
      ],
    });
    const agg = await runAdapter(awsConfigAdapter, { text, name: 'x.json' }, config);
    expect(agg.diagnostics.items).toEqual([]);
    expect(agg.records).toEqual([expect.objectContaining({ check: 'r', result: 'fail', resource: 'AWS::S3::Bucket/b', message: 'Public.; account 111122223333 eu-west-1' })]);
    const bare = await runAdapter(awsConfigAdapter, { text: JSON.stringify(JSON.parse(text).AggregateEvaluationResults), name: 'y.json' }, config);
    expect(countResults(bare.records)).toEqual({ fail: 1 });
  });

  it('counts an unknown compliance type as not evaluated, with a located warning', async () => {
    const text = JSON.stringify({ EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'r', ResourceType: 't', ResourceId: 'i' } }, ComplianceType: 'MAYBE', ResultRecordedTime: 1795076130 }] });
    const run = await runAdapter(awsConfigAdapter, { text, name: 'x.json' }, config);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 1 });
    expect(run.diagnostics.warnings).toEqual([expect.objectContaining({ rule: 'evidence-record-invalid', field: 'EvaluationResults[0].ComplianceType' })]);
  });

  it('reports an unusable timestamp at its field', async () => {
    const text = JSON.stringify({ EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'r', ResourceType: 't', ResourceId: 'i' } }, ComplianceType: 'COMPLIANT', ResultRecordedTime: 0 }] });
    const run = await runAdapter(awsConfigAdapter, { text, name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'collected-at-invalid', field: 'EvaluationResults[0].ResultRecordedTime' })]);
    expect(run.records[0]!.collectedAt).toBeUndefined();
  });
});

describe('aws-config: rule summaries', () => {
  it('reads describe-compliance-by-config-rule as one record per rule', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('compliance-by-config-rule.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ fail: 2, pass: 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => r.check)).toEqual(['s3-bucket-versioning-enabled', 'restricted-ssh', 'iam-password-policy', 'guardduty-enabled-centralized']);
    expect(run.records[1]!.message).toBe('Summary per rule (describe-compliance-by-config-rule); 100+ non-compliant resources');
    // No times in this shape: source.yaml collectedAt applies.
    expect(run.records.every((r) => r.collectedAt === undefined && r.resource === undefined)).toBe(true);
    expect(run.meta.collectedAtFrom).toBeUndefined();
  });
});

describe('aws-config: broken files are errors, never zero findings', () => {
  it('reports a truncated export', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('truncated.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', field: 'byte 900' })]);
    expect(run.diagnostics.errors[0]!.hint).toMatch(/truncated/);
  });

  it('rejects describe-compliance-by-resource output, which names no rule', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: 'ComplianceByResources', message: expect.stringContaining('describe-compliance-by-resource') })]);
    expect(run.diagnostics.errors[0]!.hint).toContain('get-compliance-details-by-config-rule');
    expect(run.records).toEqual([]);
  });

  it('rejects another tool\'s JSON, naming its keys', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: path.join(REPO_ROOT, 'tests/fixtures/formats/asff/lowercase-findings.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: '$', message: expect.stringContaining('(top-level keys: `findings`)') })]);
  });

  it('rejects a list of records that are not AWS Config results', async () => {
    const run = await runAdapter(awsConfigAdapter, { text: '[{"a": 1}, 2]', name: 'x.json' }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: '[0]' })]);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 2 });
  });

  it('rejects an empty file', async () => {
    const run = await runAdapter(awsConfigAdapter, { file: fixture('empty.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', line: 1, message: expect.stringContaining('empty') })]);
  });
});
