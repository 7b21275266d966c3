/**
 * `format: summary` (src/core/evidence/adapters/summary.ts): warehouse query
 * results, one row per (check, result) with a count and a few sample
 * resources, read from CSV, a JSON list and JSON lines.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SAMPLES, summaryAdapter, type WeightedRecord } from '../../../src/core/evidence/adapters/summary.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { runPipeline } from '../../../src/core/load/pipeline-fs.ts';
import { brief, FIXTURE_NOW, tempWorkspace } from '../../helpers/fixtures.ts';
import { REPO_ROOT, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/formats/summary');
const fixture = (name: string) => ({ file: path.join(FIXTURES, name) });
const config = sourceConfig({ format: 'summary' });
const weighted = (records: readonly WeightedRecord[]) => records.reduce((n, r) => n + (r.count ?? 1), 0);
const view = (r: WeightedRecord) => [r.check, r.result, r.resource ?? null, r.count];

/** The six rows of prowler-ocsf-summary.{csv,json}: counts 48213 + 17 + 1 + 240 + 12 + 1,200,000,000. */
const FIXTURE_RESULTS = 48_213 + 17 + 1 + 240 + 12 + 1_200_000_000;
const FIXTURE_RECORDS = [
  ['s3_bucket_default_encryption', 'pass', null, 48_213],
  ['s3_bucket_default_encryption', 'fail', 'arn:aws:s3:::legacy-logs', 1],
  ['s3_bucket_default_encryption', 'fail', 'arn:aws:s3:::tmp-upload', 1],
  ['s3_bucket_default_encryption', 'fail', 'arn:aws:s3:::qa-fixtures', 1],
  ['s3_bucket_default_encryption', 'fail', null, 14],
  ['iam_root_mfa_enabled', 'fail', 'arn:aws:iam::111122223333:root', 1],
  ['ec2_instance_imdsv2_enabled', 'excepted-in-tool', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0a1b2c3d4e5f60718', 1],
  ['ec2_instance_imdsv2_enabled', 'excepted-in-tool', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0a1b2c3d4e5f60719', 1],
  ['ec2_instance_imdsv2_enabled', 'excepted-in-tool', null, 238],
  ['account_maintain_current_contact_details', 'not-evaluated', null, 12],
  ['cloudtrail_multi_region_enabled', 'pass', null, 1_200_000_000],
];

describe('summary: registry and source.yaml', () => {
  it('is registered as `summary`', () => {
    expect(adapterRegistry.get('summary')).toBe(summaryAdapter);
  });

  it('rejects fields, where and records in source.yaml: the columns are fixed and a row cannot be filtered in part', () => {
    const reported: string[] = [];
    const src = sourceConfig({ format: 'summary', records: '$.rows[*]', fields: { check: { column: 'rule' } }, where: [{ column: 'result', equals: ['fail'] }] });
    summaryAdapter.validateConfig!(src, (field) => reported.push(field));
    expect(reported.sort()).toEqual(['fields.check', 'records', 'where']);
    const clean: string[] = [];
    summaryAdapter.validateConfig!(config, (field) => clean.push(field));
    expect(clean).toEqual([]);
  });
});

describe('summary: CSV', () => {
  it('emits one record per sample resource and one for the rest, carrying the count each stands for', async () => {
    const run = await runAdapter(summaryAdapter, fixture('prowler-ocsf-summary.csv'), config);
    expect(brief(run.diagnostics.items)).toEqual([]);
    const records = run.records as WeightedRecord[];
    expect(records.map(view)).toEqual(FIXTURE_RECORDS);
    // The counts of the records add up to the counts of the rows, exactly, beyond 2^31.
    expect(weighted(records)).toBe(FIXTURE_RESULTS);
    // Line numbers: the quoted message of row 4 spans two lines, so the next row starts at line 6.
    expect([...new Set(records.map((r) => r.line))]).toEqual([2, 3, 4, 6, 7, 8]);
    const root = records.find((r) => r.check === 'iam_root_mfa_enabled')!;
    expect(root).toMatchObject({ severity: 'critical', title: 'Root account has MFA', rawResult: 'fail', collectedAt: '2026-11-27T02:15:03Z' });
    expect(root.message).toBe('Root MFA is off in 1 account; see "break-glass" runbook,\nstep 4');
    // The record for the unnamed rest says how many results it stands for.
    expect(records[4]!.message).toBe('14 more results not listed by name');
    expect(records[8]!.message).toBe('muted in Prowler (legacy fleet); 238 more results not listed by name');
    // Unix seconds become ISO 8601.
    expect(records[10]!.collectedAt).toBe('2026-11-27T02:15:03.000Z');
  });

  it('reports bad counts and sample lists as errors with their line; unknown results and missing check ids as warnings', async () => {
    const run = await runAdapter(summaryAdapter, fixture('bad-rows.csv'), config);
    expect(brief(run.diagnostics.items)).toEqual([
      'error evidence-parse evidence/test/bad-rows.csv:2',
      'error evidence-parse evidence/test/bad-rows.csv:3',
      'error evidence-parse evidence/test/bad-rows.csv:4',
      'error evidence-parse evidence/test/bad-rows.csv:5',
      'error evidence-parse evidence/test/bad-rows.csv:6',
      'error evidence-parse evidence/test/bad-rows.csv:7',
      'warning evidence-record-invalid evidence/test/bad-rows.csv:8',
      'warning evidence-record-invalid evidence/test/bad-rows.csv:9',
    ]);
    const messages = run.diagnostics.items.map((d) => d.message);
    expect(messages[0]).toMatch(/count is `0`, not a whole number of at least 1/);
    expect(messages[1]).toMatch(/count is `1,234`/);
    expect(messages[2]).toMatch(/count is `2\.5`/);
    expect(messages[3]).toMatch(/count is missing/);
    expect(messages[4]).toMatch(/lists 3 sample resources but count is 2/);
    expect(messages[5]).toMatch(/printed by the database/);
    expect(messages[6]).toMatch(/result `warning` is not pass, fail/);
    expect(messages[7]).toMatch(/no check id/);
    expect(run.diagnostics.items.every((d) => d.field !== undefined || d.severity === 'warning')).toBe(true);
    // Every row is still accounted for: broken rows as one not-evaluated record, the rest by their count.
    expect((run.records as WeightedRecord[]).map(view)).toEqual([
      ['', 'not-evaluated', null, undefined],
      ['', 'not-evaluated', null, undefined],
      ['', 'not-evaluated', null, undefined],
      ['', 'not-evaluated', null, undefined],
      ['', 'not-evaluated', null, undefined],
      ['', 'not-evaluated', null, undefined],
      ['s3_bucket_default_encryption', 'not-evaluated', null, 5],
      ['', 'not-evaluated', null, 7],
    ]);
  });

  it('names missing columns in the header', async () => {
    const run = await runAdapter(summaryAdapter, fixture('wrong-columns.csv'), config);
    // `status` is accepted for result; `count` is missing (the file says `total`).
    expect(brief(run.diagnostics.items)).toEqual(['error evidence-column-missing evidence/test/wrong-columns.csv:1']);
    expect(run.diagnostics.items[0]!.message).toMatch(/`count`/);
    expect(run.records).toEqual([]);
  });

  it('a cut-short file is an error, and a header without rows a warning', async () => {
    const cut = await runAdapter(summaryAdapter, fixture('truncated.csv'), config);
    expect(brief(cut.diagnostics.items)).toEqual(['error evidence-parse evidence/test/truncated.csv:3']);
    expect(cut.diagnostics.items[0]!.message).toMatch(/4 cells; the header has 5/);
    const empty = await runAdapter(summaryAdapter, fixture('header-only.csv'), config);
    expect(brief(empty.diagnostics.items)).toEqual(['warning evidence-record-invalid evidence/test/header-only.csv:1']);
    const nothing = await runAdapter(summaryAdapter, { text: '', name: 'empty.csv' }, config);
    expect(brief(nothing.diagnostics.items)).toEqual(['error evidence-parse evidence/test/empty.csv:1']);
  });

  it('keeps at most MAX_SAMPLES names per row and counts the others without a name', async () => {
    const names = Array.from({ length: MAX_SAMPLES + 5 }, (_, i) => `r-${i}`);
    const run = await runAdapter(summaryAdapter, { text: `check,result,count,sample_resources,collected_at\nc1,fail,1000,${names.join('|')},2026-11-27T00:00:00Z\n`, name: 'many.csv' }, config);
    expect(brief(run.diagnostics.items)).toEqual(['warning evidence-record-invalid evidence/test/many.csv:2']);
    const records = run.records as WeightedRecord[];
    expect(records.filter((r) => r.resource)).toHaveLength(MAX_SAMPLES);
    expect(records.at(-1)).toMatchObject({ count: 1000 - MAX_SAMPLES });
    expect(weighted(records)).toBe(1000);
  });
});

describe('summary: a summary of real-shaped findings', () => {
  it('counts exactly the findings it summarises, and names only resources that are in them', async () => {
    // equivalence/summary.csv is the DuckDB query of docs/scaling.md, with two samples per row, run over equivalence/findings.ocsf.json.
    const run = await runAdapter(summaryAdapter, fixture('equivalence/summary.csv'), config);
    expect(brief(run.diagnostics.items)).toEqual([]);
    const findings = JSON.parse(await readFile(path.join(FIXTURES, 'equivalence/findings.ocsf.json'), 'utf8')) as { metadata: { event_code: string }; status_code: string; status: string; resources: { uid: string }[] }[];
    expect(weighted(run.records)).toBe(findings.length);
    const uids = new Set(findings.map((f) => f.resources[0]!.uid));
    const named = run.records.filter((r) => r.resource);
    expect(named.length).toBeGreaterThan(25);
    expect(named.every((r) => uids.has(r.resource!))).toBe(true);
    // Per check and result, the weights equal the findings' counts (the muted FAIL is excepted-in-tool).
    const fromFindings: Record<string, number> = {};
    for (const f of findings) {
      const result = f.status_code === 'FAIL' ? (f.status === 'Suppressed' ? 'excepted-in-tool' : 'fail') : f.status_code === 'PASS' ? 'pass' : 'not-evaluated';
      const k = `${f.metadata.event_code} ${result}`;
      fromFindings[k] = (fromFindings[k] ?? 0) + 1;
    }
    const fromSummary: Record<string, number> = {};
    for (const r of run.records as WeightedRecord[]) fromSummary[`${r.check} ${r.result}`] = (fromSummary[`${r.check} ${r.result}`] ?? 0) + (r.count ?? 1);
    expect(fromSummary).toEqual(fromFindings);
    expect(Object.keys(fromFindings).some((k) => k.endsWith('excepted-in-tool'))).toBe(true);
  });
});

describe('summary: JSON', () => {
  it('reads a JSON list of rows into the same records as the CSV', async () => {
    const csv = await runAdapter(summaryAdapter, fixture('prowler-ocsf-summary.csv'), config);
    const json = await runAdapter(summaryAdapter, { ...fixture('prowler-ocsf-summary.json') }, config);
    expect(brief(json.diagnostics.items)).toEqual([]);
    const strip = (rs: readonly WeightedRecord[]) => rs.map(({ line: _line, ...r }) => r);
    expect(strip(json.records)).toEqual(strip(csv.records));
  });

  it('reads JSON lines as BigQuery and Security Hub exports write them (counts as strings, lists of ids, other names for the columns)', async () => {
    const run = await runAdapter(summaryAdapter, fixture('securityhub-summary.jsonl'), config);
    expect(brief(run.diagnostics.items)).toEqual([]);
    const records = run.records as WeightedRecord[];
    expect(records.map(view)).toEqual([
      ['S3.8', 'fail', 'arn:aws:s3:::a-bucket', 1],
      ['S3.8', 'fail', 'arn:aws:s3:::b-bucket', 1],
      ['S3.8', 'fail', null, 1],
      ['S3.8', 'pass', null, 9120],
      ['IAM.6', 'not-evaluated', 'AWS::::Account:111122223333', 1],
      ['IAM.6', 'not-evaluated', null, 3],
      ['EC2.8', 'excepted-in-tool', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaa', 1],
      ['EC2.8', 'excepted-in-tool', 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0bbb', 1],
    ]);
    // Line 4 is blank: line numbers follow the file.
    expect(records.map((r) => r.line)).toEqual([1, 1, 1, 2, 3, 3, 5, 5]);
    expect(records[0]).toMatchObject({ rawResult: 'FAILED', severity: 'HIGH', collectedAt: '2026-11-26T23:10:00.000Z' });
  });

  it('a truncated JSON list or JSON lines file is an error, never fewer results', async () => {
    const list = await runAdapter(summaryAdapter, fixture('truncated.json'), config);
    expect(list.diagnostics.errors.map((d) => d.rule)).toEqual(['evidence-parse']);
    expect(list.diagnostics.errors[0]!.message).toMatch(/truncated/);
    const lines = await runAdapter(summaryAdapter, fixture('truncated.jsonl'), config);
    expect(brief(lines.diagnostics.items)).toEqual(['error evidence-parse evidence/test/truncated.jsonl:2']);
    expect(lines.records.map((r) => r.check)).toEqual(['a']);
  });

  it('names what a JSON document that is not a list of rows is', async () => {
    const object = await runAdapter(summaryAdapter, { text: '{\n  "rows": []\n}\n', name: 'rows.json' }, config);
    expect(brief(object.diagnostics.items)).toEqual(['error evidence-parse evidence/test/rows.json:1']);
    expect(object.diagnostics.items[0]!.hint).toMatch(/list of rows/);
    const scalars = await runAdapter(summaryAdapter, { text: '[1, {"check": "c", "result": "pass"}]', name: 'odd.json' }, config);
    expect(scalars.diagnostics.errors.map((d) => [d.rule, d.field])).toEqual([
      ['evidence-parse', '$[0]'],
      ['evidence-parse', '$[1]'],
    ]);
    expect(scalars.diagnostics.errors[1]!.message).toMatch(/no count/);
    const blank = await runAdapter(summaryAdapter, { text: ' \n\n', name: 'blank.json' }, config);
    expect(brief(blank.diagnostics.items)).toEqual(['error evidence-parse evidence/test/blank.json:1']);
  });

  it('rejects bytes that are not UTF-8', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"check":"c","result":"pass","count":1,"title":"caf'), 0xe9, ...new TextEncoder().encode('"}\n')]);
    const run = await runAdapter(summaryAdapter, { text: bytes, name: 'latin1.jsonl' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['encoding-invalid']);
  });
});

/**
 * Row accounting with weights: EvidenceRecord.count ("this record stands for
 * N results") is applied by ingestion to every tally (rows, per check, per
 * control, exception buckets), so a summary is accounted exactly like the
 * findings it summarises.
 */
describe('summary: row accounting through the pipeline', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function pipeline(file: string) {
    const { root, cleanup } = await tempWorkspace({
      'content/portal.yaml': 'organization: Test\nframeworks: [soc2]\n',
      'evidence/warehouse/source.yaml': [
        'format: summary',
        'tool: Prowler via DuckDB',
        'maxAge: 7d',
        'map:',
        '  - check: "s3_*"',
        '    controls: { soc2: [CC6.1] }',
        '  - check: "ec2_*"',
        '    controls: { soc2: [CC6.6] }',
        '  - check: "cloudtrail_*"',
        '    controls: { soc2: [CC7.2] }',
        '  - check: "iam_*"',
        '    controls: { soc2: [CC6.1] }',
        '  - check: "account_*"',
        '    controls: { soc2: [CC2.1] }',
        '',
      ].join('\n'),
      [`evidence/warehouse/${path.basename(file)}`]: await readFile(path.join(FIXTURES, file)),
    });
    cleanups.push(cleanup);
    const result = await runPipeline({ root, now: new Date(FIXTURE_NOW) });
    expect(result.diagnostics.errors).toEqual([]);
    return result.report!.sources.find((s) => s.id === 'warehouse')!;
  }

  it('every record is counted, and the counts add up (holds with or without weights)', async () => {
    const s = await pipeline('prowler-ocsf-summary.csv');
    expect(s.rows.total).toBe(s.rows.mapped + s.rows.unmapped + s.rows.notEvaluated + s.rows.skipped);
  });

  it('counts `count` rows per record: 1.2 billion results arrive as six summary rows', async () => {
    const s = await pipeline('prowler-ocsf-summary.csv');
    expect(s.rows).toEqual({ total: FIXTURE_RESULTS, mapped: FIXTURE_RESULTS - 12, unmapped: 0, notEvaluated: 12, skipped: 0 });
    const byCheck = Object.fromEntries(s.checks.map((c) => [c.check, [c.pass, c.fail, c.exceptedInTool, c.notEvaluated]]));
    expect(byCheck).toEqual({
      account_maintain_current_contact_details: [0, 0, 0, 12],
      cloudtrail_multi_region_enabled: [1_200_000_000, 0, 0, 0],
      ec2_instance_imdsv2_enabled: [0, 0, 240, 0],
      iam_root_mfa_enabled: [0, 1, 0, 0],
      s3_bucket_default_encryption: [48_213, 17, 0, 0],
    });
  });

  it('ingesting a summary gives the same per-check counts, row accounting and statuses as ingesting the findings it summarises', async () => {
    // equivalence/summary.csv is the DuckDB query of docs/scaling.md, with two samples per row, run over equivalence/findings.ocsf.json
    // (40 Prowler OCSF findings): rows of more than two findings carry an unnamed rest, so this needs the weights.
    const map = ['map:', '  - check: "s3_*"', '    controls: { soc2: [CC6.1] }', '  - check: "iam_*"', '    controls: { soc2: [CC6.2] }', '  - check: "redshift_*"', '    controls: { soc2: [CC6.6] }', '  - check: "sns_*"', '    controls: { soc2: [CC7.2] }', ''];
    const run = async (format: string, file: string) => {
      const { root, cleanup } = await tempWorkspace({
        'content/portal.yaml': 'organization: Test\nframeworks: [soc2]\n',
        'evidence/aws/source.yaml': [`format: ${format}`, 'tool: Prowler', 'maxAge: 7d', ...map].join('\n'),
        [`evidence/aws/${path.basename(file)}`]: await readFile(path.join(FIXTURES, file)),
      });
      cleanups.push(cleanup);
      const result = await runPipeline({ root, now: new Date(FIXTURE_NOW) });
      expect(result.diagnostics.errors).toEqual([]);
      return result.report!;
    };
    const findings = await run('prowler-ocsf', 'equivalence/findings.ocsf.json');
    const summary = await run('summary', 'equivalence/summary.csv');
    const tallies = (r: typeof findings) => r.sources[0]!.checks.map((c) => [c.check, c.pass, c.fail, c.error, c.notEvaluated, c.exceptedInTool, c.controls]);
    const statuses = (r: typeof findings) => r.frameworks.map((f) => [f.id, f.summary.counts, f.controls.map((c) => [c.id, c.status])]);
    expect(findings.sources[0]!.rows.total).toBe(40);
    expect(summary.sources[0]!.rows).toEqual(findings.sources[0]!.rows);
    expect(tallies(summary)).toEqual(tallies(findings));
    expect(statuses(summary)).toEqual(statuses(findings));
  });

  it('JSON lines with weights: per-file rows are the sum of the counts', async () => {
    const s = await pipeline('securityhub-summary.jsonl');
    expect(s.rows.total).toBe(3 + 9120 + 4 + 2);
    expect(s.files[0]!.rows).toBe(3 + 9120 + 4 + 2);
  });
});
