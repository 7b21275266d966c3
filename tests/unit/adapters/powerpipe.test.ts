import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { powerpipeAdapter } from '../../../src/core/evidence/adapters/powerpipe.ts';
import { translateToolRef } from '../../../src/mappings/tool-refs.ts';
import { countResults, realExport, realExportsAvailable, REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/powerpipe', name);
const config = sourceConfig({ format: 'powerpipe', collectedAt: '2026-11-20T00:00:00Z' });

describe.skipIf(!realExportsAvailable())('powerpipe: real Powerpipe acceptance-test exports', () => {
  // Expected numbers computed from the raw files, independently of the adapter:
  //   python3 csv.DictReader(...): 21 rows, Counter(status) = ok 10, alarm 5, info 3, error 2, skip 1
  //   jq '[.. | objects | select(has("results")) | .results[]?.status] | group_by(.)' -> the same
  // ok -> pass 10, alarm -> fail 5, error -> error 2, info + skip -> not evaluated 4.
  const expected = { pass: 10, fail: 5, error: 2, 'not-evaluated': 4 };

  it('reads the CSV export (trailing empty line, quoted commas)', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: realExport('powerpipe/powerpipe-benchmark-expected_check_csv.csv') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(21);
    expect(countResults(run.records)).toEqual(expected);
    expect(new Set(run.records.map((r) => r.check))).toEqual(new Set(['control.sample_control_mixed_results_1']));
    expect(run.records.map((r) => r.line)).toEqual(Array.from({ length: 21 }, (_, i) => i + 2));
    const first = run.records[0]!;
    expect(first).toMatchObject({ result: 'error', rawResult: 'error', resource: 'steampipe', severity: 'high', title: 'Sample control with all possible statuses(severity=high)' });
    // The `id` column is a dimension: it goes into the message.
    expect(first.message).toBe('Resource has some error [id=16]');
    expect(run.records.every((r) => r.toolRefs === undefined)).toBe(true);
  });

  it('reads the JSON export and agrees with the CSV row for row', async () => {
    const json = await runAdapter(powerpipeAdapter, { file: realExport('powerpipe/powerpipe-benchmark-expected_check_json.json') }, config);
    expect(json.diagnostics.items).toEqual([]);
    expect(json.records).toHaveLength(21);
    expect(countResults(json.records)).toEqual(expected);
    const csv = await runAdapter(powerpipeAdapter, { file: realExport('powerpipe/powerpipe-benchmark-expected_check_csv.csv') }, config);
    const key = (r: { check: string; result: string; resource?: string; message?: string; severity?: string }) => `${r.check}|${r.result}|${r.resource}|${r.message}|${r.severity}`;
    expect(json.records.map(key).sort()).toEqual(csv.records.map(key).sort());
  });
});

describe('powerpipe: JSON with nested groups', () => {
  it('walks every group level and maps every status', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('nested-groups.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    // 3 + 1 results under soc_2_cc_6_1, 3 results + 1 control that failed to run under soc_2_cc_6_6.
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 2, error: 2, 'not-evaluated': 2 });
    expect(run.records.map((r) => r.rawResult)).toEqual(['ok', 'ok', 'alarm', 'alarm', 'error', 'info', 'skip', 'error']);
    const tmp = run.records.find((r) => r.resource === 'arn:aws:s3:::example-tmp-bucket')!;
    expect(tmp).toMatchObject({
      check: 'aws_compliance.control.s3_bucket_versioning_enabled',
      result: 'fail',
      severity: 'medium',
      title: 'S3 bucket versioning should be enabled',
      message: 'example-tmp-bucket versioning disabled. [account_id=111122223333, region=us-east-1]',
    });
  });

  it('records a control that could not run as one error', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('nested-groups.json') }, config);
    const gd = run.records.filter((r) => r.check === 'aws_compliance.control.guardduty_enabled');
    expect(gd).toEqual([expect.objectContaining({ result: 'error', message: 'operation error GuardDuty: ListDetectors, AccessDeniedException' })]);
    expect(gd[0]!.resource).toBeUndefined();
  });

  it('turns framework tags and requirement groups into tool references', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('nested-groups.json') }, config);
    const refs = (check: string) => run.records.find((r) => r.check === `aws_compliance.control.${check}`)?.toolRefs;
    // soc_2 = "true" + the nearest group soc_2_cc_6_1 (not the section soc_2_cc_6); foundational_security_item_id;
    // nist_800_53_rev_5 has no group: no reference.
    expect(refs('s3_bucket_versioning_enabled')).toEqual([
      { framework: 'soc_2', control: 'cc_6_1' },
      { framework: 'foundational_security', control: 's3_14' },
    ]);
    expect(refs('vpc_flow_logs_enabled')).toEqual([{ framework: 'soc_2', control: 'cc_6_6' }]);
    // The group's own `soc_2_item_id` ("6.1") is not a control's item id.
    expect(refs('iam_root_user_mfa_enabled')).toEqual([{ framework: 'soc_2', control: 'cc_6_1' }]);
    expect(translateToolRef({ framework: 'soc_2', control: 'cc_6_1' })).toEqual({ framework: 'soc2', control: 'CC6.1' });
  });

  it('warns when a control summary does not match its results', async () => {
    const doc = {
      group_id: 'root', title: 'r', tags: {}, groups: [],
      controls: [{ control_id: 'c1', summary: { ok: 2, alarm: 0 }, results: [{ status: 'ok', resource: 'a', reason: 'fine', dimensions: [] }], run_error: '' }],
    };
    const run = await runAdapter(powerpipeAdapter, { text: JSON.stringify(doc), name: 'x.json' }, config);
    expect(countResults(run.records)).toEqual({ pass: 1 });
    const [w] = run.diagnostics.warnings;
    expect(w?.rule).toBe('evidence-record-invalid');
    expect(w?.field).toBe('controls[0].summary');
    expect(w?.message).toContain('ok: summary 2, results 1');
  });

  it('counts an unknown status as not evaluated, with a warning at the result', async () => {
    const doc = { group_id: 'root', groups: [{ group_id: 'g', controls: [{ control_id: 'c1', results: [{ status: 'pending', resource: 'a' }] }] }], controls: null };
    const run = await runAdapter(powerpipeAdapter, { text: JSON.stringify(doc), name: 'x.json' }, config);
    expect(countResults(run.records)).toEqual({ 'not-evaluated': 1 });
    expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['groups[0].controls[0].results[0].status']);
  });
});

describe('powerpipe: CSV', () => {
  it('reads rows, dimensions and tag columns', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('benchmark.csv') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 1, error: 2, 'not-evaluated': 2 });
    expect(run.records.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const alarm = run.records.find((r) => r.result === 'fail')!;
    // A quoted reason with a comma stays one cell; tag columns (plugin, service, soc_2...) stay out of the message.
    expect(alarm.message).toBe('example-tmp-bucket versioning disabled, suspended since 2026. [account_id=111122223333, region=us-east-1]');
    expect(alarm.toolRefs).toEqual([{ framework: 'soc_2', control: 'cc_6_1' }]);
    const gd = run.records.find((r) => r.check === 'aws_compliance.control.guardduty_enabled')!;
    expect(gd).toMatchObject({ result: 'error', message: 'operation error GuardDuty: ListDetectors, AccessDeniedException', toolRefs: [{ framework: 'soc_2', control: 'cc_6_6' }] });
    expect(gd.resource).toBeUndefined();
  });

  it('reads a semicolon-separated export (powerpipe --separator ";")', async () => {
    const text = 'group_id;title;description;control_id;control_title;control_description;reason;resource;status;severity;region\ng;G;;c1;C1;;fine;r1;ok;low;eu-west-1\ng;G;;c1;C1;;bad;r2;alarm;low;eu-west-1\n';
    const run = await runAdapter(powerpipeAdapter, { text, name: 'x.csv' }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1 });
    expect(run.records[1]!.message).toBe('bad [region=eu-west-1]');
  });
});

describe('powerpipe: broken files are errors, never zero findings', () => {
  it('reports a truncated JSON export with its position', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('truncated.json') }, config);
    const [d] = run.diagnostics.errors;
    expect(d).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.json' });
    expect(d!.line).toBeGreaterThan(50);
    expect(d!.hint).toMatch(/truncated/);
    expect(run.records).toEqual([]);
  });

  it('reports a CSV export cut in the middle of a row', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('truncated.csv') }, config);
    expect(run.diagnostics.errors).toEqual([
      expect.objectContaining({ rule: 'evidence-parse', file: 'evidence/test/truncated.csv', line: 5, message: expect.stringContaining('this row has 5 cells; the header has 18') }),
    ]);
    expect(run.diagnostics.errors[0]!.hint).toMatch(/truncated/);
    // The damaged row is still counted (as not evaluated), the file fails.
    expect(countResults(run.records)).toEqual({ pass: 2, fail: 1, 'not-evaluated': 1 });
  });

  it('reports a CSV cut inside a quoted cell', async () => {
    const text = 'group_id,title,description,control_id,control_title,control_description,reason,resource,status,severity\ng,G,,c1,C1,,"unclosed reason,r1,ok,low\n';
    const run = await runAdapter(powerpipeAdapter, { text, name: 'x.csv' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toContain('evidence-parse');
  });

  it('rejects a JSON document that is not a benchmark export', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', field: '$', message: expect.stringContaining('`ArtifactName`') })]);
    expect(run.diagnostics.errors[0]!.hint).toContain('--export json');
    expect(run.records).toEqual([]);
  });

  it('rejects a CSV that is not a benchmark export', async () => {
    const run = await runAdapter(powerpipeAdapter, { file: fixture('wrong-shape.csv') }, config);
    expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', line: 1, message: expect.stringContaining('the header has no `control_id` column') })]);
    expect(run.records).toEqual([]);
  });

  it('rejects an empty file and a whitespace-only file', async () => {
    for (const input of [{ file: fixture('empty.csv') }, { text: ' \n\n', name: 'blank.json' }]) {
      const run = await runAdapter(powerpipeAdapter, input, config);
      expect(run.diagnostics.errors).toEqual([expect.objectContaining({ rule: 'evidence-parse', line: 1, message: expect.stringContaining('empty') })]);
      expect(run.records).toEqual([]);
    }
  });

  it('rejects invalid UTF-8', async () => {
    const run = await runAdapter(powerpipeAdapter, { text: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), name: 'x.json' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
  });
});

describe('powerpipe: source.yaml', () => {
  it('accepts a delimiter but rejects `fields`', () => {
    const reports: string[] = [];
    powerpipeAdapter.validateConfig!(sourceConfig({ format: 'powerpipe', delimiter: ';', fields: { resource: { column: 'resource' } } }), (field) => reports.push(field));
    expect(reports).toEqual(['fields.resource']);
  });
});
