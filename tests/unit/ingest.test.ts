/**
 * ingestSource (src/core/evidence/ingest.ts) over real files in a temp folder,
 * read through the real disk handles (load/evidence-fs.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../src/core/diagnostics/diagnostic.ts';
import { readAllText } from '../../src/core/evidence/decode.ts';
import { FAILING_SAMPLE_SIZE, ingestSource, TOOL_SUPPRESSION_PREFIX, type SourceSummary } from '../../src/core/evidence/ingest.ts';
import { adapterRegistry } from '../../src/core/evidence/registry.ts';
import type { EvidenceAdapter, NormalisedResult } from '../../src/core/evidence/types.ts';
import { attachmentLookup, fileHandle } from '../../src/core/load/evidence-fs.ts';
import { sourceSchema } from '../../src/core/schemas/source.ts';
import type { Workspace } from '../../src/core/workspace.ts';
import { brief, exceptionFile, tempWorkspace, validWorkspace } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface IngestRun {
  summary: SourceSummary;
  diagnostics: DiagnosticBag;
  root: string;
}

/**
 * Writes `files` (relative to evidence/s/) into a temp workspace, validates `source` as source.yaml, and ingests
 * the files the source selects (`data`, default: every file) with the workspace's control index and exceptions.
 */
async function ingest(
  source: Record<string, unknown>,
  files: Record<string, string | Uint8Array>,
  options: { workspace?: Workspace; data?: string[] } = {},
): Promise<IngestRun> {
  const { root, cleanup } = await tempWorkspace(Object.fromEntries(Object.entries(files).map(([k, v]) => [`evidence/s/${k}`, v])));
  cleanups.push(cleanup);
  const workspace = options.workspace ?? (await validWorkspace({ portal: { frameworks: ['soc2', 'iso27001-2022'] } }));
  const config = sourceSchema.parse({ tool: 'Test tool', ...source });
  const diagnostics = new DiagnosticBag();
  const summary = await ingestSource(
    {
      id: 's',
      dir: 'evidence/s',
      configFile: 'evidence/s/source.yaml',
      config,
      files: (options.data ?? Object.keys(files)).map((f) => fileHandle(root, `evidence/s/${f}`)),
      resolveAttachment: attachmentLookup(root, 'evidence/s'),
      defaultMaxAge: workspace.portal.evidence.maxAge,
    },
    { controls: workspace.index, exceptions: workspace.exceptions.map((e) => e.data), diagnostics },
  );
  return { summary, diagnostics, root };
}

const csvSource = (extra: Record<string, unknown> = {}) => ({
  format: 'csv',
  collectedAt: '2026-11-20T00:00:00Z',
  fields: {
    check: { column: 'Check' },
    result: { column: 'Status', pass: ['PASS'], fail: ['FAIL'], error: ['ERROR'] },
    resource: { column: 'Resource' },
  },
  ...extra,
});

function expectRowsAddUp(s: SourceSummary) {
  expect(s.rows.total).toBe(s.rows.mapped + s.rows.unmapped + s.rows.notEvaluated + s.rows.skipped);
  expect(s.rows.total).toBe(s.files.reduce((n, f) => n + f.rows, 0) + s.rows.skipped);
  const perCheck = s.checks.reduce((n, c) => n + c.pass + c.fail + c.error + c.notEvaluated + c.exceptedInTool, 0);
  expect(perCheck).toBe(s.rows.total - s.rows.skipped);
}

describe('row accounting', () => {
  it('every row is mapped, unmapped or not evaluated, and the counts add up', async () => {
    const csv = [
      'Check,Status,Resource', // 1
      's3_encryption,PASS,bucket-a', // 2
      's3_encryption,FAIL,bucket-b', // 3
      's3_encryption,ERROR,bucket-c', // 4
      'ecr_scan_on_push,FAIL,repo-1', // 5  unmapped
      'ecr_scan_on_push,PASS,repo-2', // 6  unmapped
      's3_encryption,INFO,bucket-d', // 7  not evaluated (unknown word)
      's3_encryption,,bucket-e', // 8  not evaluated (empty)
      ',PASS,bucket-f', // 9  no check id: not evaluated
      'ecr_scan_on_push,MANUAL,repo-3', // 10 not evaluated, unmapped check
      '',
    ].join('\n');
    const { summary, diagnostics } = await ingest(csvSource({ map: [{ check: 's3_encryption', controls: { soc2: ['CC6.1'], 'iso27001-2022': ['A.8.24'] } }] }), { 'scan.csv': csv });
    expect(summary.rows).toEqual({ total: 9, mapped: 3, unmapped: 2, notEvaluated: 4, skipped: 0 });
    expectRowsAddUp(summary);
    expect(summary.failed).toBe(false);
    expect(summary.resources).toBe(9);
    expect(summary.checks.map((c) => c.check)).toEqual(['(no check id)', 'ecr_scan_on_push', 's3_encryption']);
    expect(summary.checks.slice(1).map((c) => ({ check: c.check, pass: c.pass, fail: c.fail, error: c.error, notEvaluated: c.notEvaluated, controls: c.controls }))).toEqual([
      { check: 'ecr_scan_on_push', pass: 1, fail: 1, error: 0, notEvaluated: 1, controls: [] },
      { check: 's3_encryption', pass: 1, fail: 1, error: 1, notEvaluated: 2, controls: ['iso27001-2022::A.8.24', 'soc2::CC6.1'] },
    ]);
    // A tool error counts as a failure of the control (fail closed).
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ pass: 1, fail: 2, notEvaluated: 2, failByExceptions: { '': 2 }, checks: ['s3_encryption'] });
    expect(Object.keys(summary.controls)).toEqual(['iso27001-2022::A.8.24', 'soc2::CC6.1']);
    // The row without a check id is warned about with its line.
    expect(brief(diagnostics.items)).toEqual(['warning evidence-record-invalid evidence/s/scan.csv:9']);
  });

  // Regression test (was a bug, fixed): (src/core/evidence/ingest.ts, account()): a row without a check id is counted in rows.notEvaluated, but its
  // check summary `(no check id)` still counts its raw result (pass/fail), so compute-status lists it as an
  // evaluated unmapped check and the per-check counts disagree with the row accounting.
  // Fix: in account(), count the per-check result as not evaluated when `evaluated` is false
  // (`switch (evaluated ? rec.result : 'not-evaluated')`) and skip the failing sample for it.
  it('a row without a check id is not evaluated in the per-check counts either', async () => {
    const { summary } = await ingest(csvSource(), { 'x.csv': 'Check,Status,Resource\n,PASS,r1\n,FAIL,r2\n' });
    expect(summary.rows).toMatchObject({ total: 2, notEvaluated: 2 });
    expect(summary.checks).toEqual([expect.objectContaining({ check: '(no check id)', pass: 0, fail: 0, notEvaluated: 2, failing: [] })]);
  });

  it('controls of frameworks out of scope are not counted', async () => {
    const workspace = await validWorkspace({ portal: { frameworks: ['soc2'] } });
    const { summary } = await ingest(
      csvSource({ map: [{ check: 'a', controls: { 'iso27001-2022': ['A.8.24'] } }, { check: 'b', controls: { soc2: ['CC6.1'], 'iso27001-2022': ['A.8.5'] } }] }),
      { 'x.csv': 'Check,Status,Resource\na,PASS,r\nb,PASS,r\n' },
      { workspace },
    );
    expect(summary.rows).toMatchObject({ total: 2, mapped: 1, unmapped: 1 });
    expect(Object.keys(summary.controls)).toEqual(['soc2::CC6.1']);
  });

  it('counts rows across several files', async () => {
    const { summary } = await ingest(csvSource({ map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), {
      'one.csv': 'Check,Status,Resource\na,PASS,r1\na,FAIL,r2\n',
      'two.csv': 'Check,Status,Resource\na,PASS,r3\nz,PASS,r4\n',
    });
    expect(summary.files.map((f) => [f.path, f.rows])).toEqual([
      ['evidence/s/one.csv', 2],
      ['evidence/s/two.csv', 2],
    ]);
    expect(summary.rows).toEqual({ total: 4, mapped: 3, unmapped: 1, notEvaluated: 0, skipped: 0 });
    expectRowsAddUp(summary);
  });
});

describe('hashing', () => {
  it('the sha256 of each file is the hash of its bytes', async () => {
    const csv = '\uFEFFCheck,Status,Resource\r\na,PASS,r\r\n"b, quoted",FAIL,"r\r\n2"\r\n';
    const { summary, root } = await ingest(csvSource(), { 'a.csv': csv });
    const bytes = await readFile(path.join(root, 'evidence/s/a.csv'));
    expect(summary.files[0]!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(summary.files[0]!.bytes).toBe(bytes.length);
    expect(summary.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a large file read in several chunks hashes the same', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `check_${i % 7},${i % 3 ? 'PASS' : 'FAIL'},resource-${i}`);
    const csv = `Check,Status,Resource\n${rows.join('\n')}\n`;
    const { summary } = await ingest(csvSource(), { 'big.csv': csv });
    expect(Buffer.byteLength(csv)).toBeGreaterThan(1 << 20);
    expect(summary.files[0]!.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    expect(summary.rows.total).toBe(40_000);
    expectRowsAddUp(summary);
  });

  it('a file the adapter stops reading early (bad header) is still hashed whole', async () => {
    const csv = `Check,State,Resource\n${'a,PASS,r\n'.repeat(1000)}`;
    const { summary, diagnostics } = await ingest(csvSource(), { 'a.csv': csv });
    expect(brief(diagnostics.errors)).toEqual(['error evidence-column-missing evidence/s/a.csv:1']);
    expect(summary.files[0]).toMatchObject({ sha256: createHash('sha256').update(csv).digest('hex'), bytes: csv.length, rows: 0, failed: true });
    expect(summary.failed).toBe(true);
  });

  it('every file is closed after ingestion, also when the adapter stopped reading it early', async () => {
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const bad = `Check,State,Resource\n${'a,PASS,r\n'.repeat(50_000)}`; // several reads long
    const good = `Check,Status,Resource\n${'a,PASS,r\n'.repeat(50_000)}`;
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${String(i).padStart(2, '0')}.csv`, i % 2 ? bad : good]));
    await ingest(csvSource(), { 'warm.csv': good }); // the first run opens what any run keeps open
    const before = openFiles();
    const { summary } = await ingest(csvSource(), files);
    expect(summary.files.filter((f) => f.failed)).toHaveLength(20);
    expect(openFiles()).toBeLessThanOrEqual(before + 2);
    // Hashed whole exactly once: a reader left running added to the new hash and byte count.
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(summary.files.filter((f) => f.bytes !== Buffer.byteLength(/[13579]\.csv$/.test(f.path) ? bad : good)).map((f) => f.path)).toEqual([]);
    expect(summary.files.filter((f) => f.sha256 !== sha(/[13579]\.csv$/.test(f.path) ? bad : good)).map((f) => f.path)).toEqual([]);
  });
});

describe('map rules', () => {
  const map = [
    { check: 's3_bucket_encryption', controls: { soc2: ['CC6.1'] } },
    { check: 'iam_*', controls: { soc2: ['CC6.2'] } },
    { check: '/^ec2_(imdsv2|ebs)_.*$/', controls: { soc2: ['CC7.1'] } },
    { check: '/^KMS_/i', controls: { soc2: ['CC6.7'] } },
    { check: 'vuln', resource: 'prod-*', controls: { soc2: ['CC7.2'] } },
    { check: 'vuln', severity: ['critical', 'HIGH'], controls: { soc2: ['CC7.3'] } },
    { check: 'never_seen_*', controls: { soc2: ['CC8.1'] } },
  ];
  const csv = [
    'Check,Status,Resource,Severity',
    's3_bucket_encryption,PASS,b,low', // exact
    's3_bucket_encryption_extra,PASS,b,low', // exact does not match a longer id
    'iam_root_mfa,PASS,root,low', // glob
    'iam_user_mfa,FAIL,u1,low', // glob
    'ec2_imdsv2_enabled,PASS,i-1,low', // regex
    'ec2_public_ip,PASS,i-1,low', // not in the regex
    'kms_key_rotation,PASS,k,low', // regex with the i flag
    'vuln,FAIL,prod-db,low', // resource rule only
    'vuln,FAIL,dev-db,high', // severity rule only
    'vuln,FAIL,prod-api,Critical', // both
    'vuln,PASS,dev-api,low', // neither
    '',
  ].join('\n');

  it('rows of one check that map to different controls (a resource rule) are each counted, with the oldest time', async () => {
    const rows = [
      'Check,Status,Resource,Collected',
      'vuln,PASS,prod-1,2026-11-20T03:00:00Z',
      'vuln,PASS,dev-1,2026-11-20T01:00:00Z',
      'vuln,PASS,prod-2,2026-11-20T02:00:00Z',
      'vuln,PASS,dev-2,2026-11-20T04:00:00Z',
      'vuln,FAIL,prod-3,2026-11-20T05:00:00Z',
      'vuln,PASS,dev-3,2026-11-20T05:00:00Z',
      'vuln,PASS,prod-4,2026-11-20T05:00:00Z',
      '',
    ].join('\n');
    const rules = [
      { check: 'vuln', resource: 'prod-*', controls: { soc2: ['CC7.2'] } },
      { check: 'vuln', controls: { soc2: ['CC7.4'] } },
    ];
    const { summary } = await ingest(csvSource({ fields: { ...csvSource().fields, collectedAt: { column: 'Collected' } }, map: rules }), { 'x.csv': rows });
    expect(summary.controls['soc2::CC7.2']).toMatchObject({ pass: 3, fail: 1, collectedAt: '2026-11-20T02:00:00.000Z', checks: ['vuln'] });
    expect(summary.controls['soc2::CC7.4']).toMatchObject({ pass: 6, fail: 1, collectedAt: '2026-11-20T01:00:00.000Z', checks: ['vuln'] });
    expect(summary.checks).toMatchObject([{ check: 'vuln', pass: 6, fail: 1, controls: ['soc2::CC7.2', 'soc2::CC7.4'] }]);
    expectRowsAddUp(summary);
  });

  it('exact ids, globs, /regex/ (with flags), resource and severity filters', async () => {
    const { summary, diagnostics } = await ingest(csvSource({ fields: { ...csvSource().fields, severity: { column: 'Severity' } }, map }), { 'x.csv': csv });
    const by = (k: string) => summary.controls[`soc2::${k}`];
    expect(by('CC6.1')).toMatchObject({ pass: 1, fail: 0, checks: ['s3_bucket_encryption'] });
    expect(by('CC6.2')).toMatchObject({ pass: 1, fail: 1, checks: ['iam_root_mfa', 'iam_user_mfa'] });
    expect(by('CC7.1')).toMatchObject({ pass: 1, fail: 0, checks: ['ec2_imdsv2_enabled'] });
    expect(by('CC6.7')).toMatchObject({ pass: 1, checks: ['kms_key_rotation'] });
    expect(by('CC7.2')).toMatchObject({ pass: 0, fail: 2 });
    expect(by('CC7.3')).toMatchObject({ pass: 0, fail: 2 });
    expect(by('CC8.1')).toBeUndefined();
    expect(summary.rows).toEqual({ total: 11, mapped: 8, unmapped: 3, notEvaluated: 0, skipped: 0 });
    expectRowsAddUp(summary);
    // A rule that matched nothing is a warning at source.yaml.
    expect(diagnostics.items.map((d) => `${d.severity} ${d.rule} ${d.file} ${d.message}`)).toEqual([
      'warning map-rule-unused evidence/s/source.yaml The map rule for `never_seen_*` matches no check in this source\'s evidence.',
    ]);
  });

  it('unmapped checks keep their counts but no controls', async () => {
    const { summary } = await ingest(csvSource({ map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), { 'x.csv': 'Check,Status,Resource\nb,FAIL,r\nb,FAIL,r2\nb,PASS,r3\n' });
    expect(summary.checks.find((c) => c.check === 'b')).toMatchObject({ pass: 1, fail: 2, controls: [] });
    expect(summary.rows).toMatchObject({ mapped: 0, unmapped: 3 });
    expect(summary.controls).toEqual({});
  });
});

describe('exceptions', () => {
  it('are matched per control by check glob and resource glob', async () => {
    const workspace = await validWorkspace({
      exceptions: [
        exceptionFile({ id: 'EXC-LEGACY', controls: { soc2: ['cc7.1'] }, checks: ['ec2_*'], resources: ['arn:aws:ec2:*:*:instance/i-0legacy*'] }),
        exceptionFile({ id: 'EXC-ALL', controls: { soc2: ['CC7.1'] } }),
        exceptionFile({ id: 'EXC-OTHER', controls: { soc2: ['CC6.1'] } }),
        exceptionFile({ id: 'EXC-CHECK', controls: { soc2: ['CC7.1'] }, checks: ['rds_*'] }),
      ],
    });
    const csv = [
      'Check,Status,Resource',
      'ec2_imdsv2,FAIL,arn:aws:ec2:eu-west-1:123:instance/i-0legacy1', // LEGACY + ALL
      'ec2_imdsv2,FAIL,arn:aws:ec2:eu-west-1:123:instance/i-0legacy2', // LEGACY + ALL
      'ec2_imdsv2,FAIL,arn:aws:ec2:eu-west-1:123:instance/i-0new', // ALL
      'ec2_imdsv2,FAIL,', // ALL (no resource: resource-scoped exceptions never match)
      'rds_multi_az,FAIL,db-1', // CHECK + ALL
      'ec2_imdsv2,PASS,arn:aws:ec2:eu-west-1:123:instance/i-0legacy3', // passes are never excepted
      '',
    ].join('\n');
    const { summary } = await ingest(csvSource({ map: [{ check: 'ec2_*', controls: { soc2: ['CC7.1'] } }, { check: 'rds_*', controls: { soc2: ['CC7.1'] } }] }), { 'x.csv': csv }, { workspace });
    expect(summary.controls['soc2::CC7.1']).toMatchObject({
      pass: 1,
      fail: 5,
      failByExceptions: { 'EXC-ALL,EXC-LEGACY': 2, 'EXC-ALL': 2, 'EXC-ALL,EXC-CHECK': 1 },
    });
  });

  it('a failure no exception scope matches is keyed ""', async () => {
    const workspace = await validWorkspace({ exceptions: [exceptionFile({ controls: { soc2: ['CC7.1'] }, resources: ['prod-*'] })] });
    const { summary } = await ingest(csvSource({ map: [{ check: 'x', controls: { soc2: ['CC7.1'] } }] }), { 'x.csv': 'Check,Status,Resource\nx,FAIL,dev-1\nx,FAIL,prod-1\n' }, { workspace });
    expect(summary.controls['soc2::CC7.1']!.failByExceptions).toEqual({ '': 1, 'EXC-1': 1 });
  });
});

describe('tool mutes (excepted-in-tool)', () => {
  // No generic adapter emits `excepted-in-tool` (tool formats do), so a minimal adapter registered for this
  // file feeds exact results through the real ingestion: one `check|result|resource` per line.
  const testAdapter: EvidenceAdapter = {
    format: 'test-lines',
    description: 'Test only: check|result|resource per line.',
    defaultFiles: ['*.txt'],
    async read(chunks, ctx) {
      const text = await readAllText(chunks);
      text.split('\n').forEach((line, i) => {
        if (!line) return;
        const [check, result, resource] = line.split('|');
        ctx.emit({ check: check!, result: result as NormalisedResult, resource: resource!, line: i + 1 });
      });
    },
  };
  const registry = adapterRegistry as Map<string, EvidenceAdapter>;
  beforeAll(() => {
    registry.set(testAdapter.format, testAdapter);
  });
  afterAll(() => {
    registry.delete(testAdapter.format);
  });

  const lines = 'c|pass|r1\nc|excepted-in-tool|r2\nc|excepted-in-tool|r3\nc|fail|r4\nc|error|r5\nc|not-evaluated|r6\n';
  const source = (honor: boolean) => ({ format: 'test-lines', collectedAt: '2026-11-20T00:00:00Z', honorToolSuppressions: honor, map: [{ check: 'c', controls: { soc2: ['CC6.1'] } }] });

  it('count as failures by default', async () => {
    const { summary } = await ingest(source(false), { 'r.txt': lines });
    expect(summary.checks[0]).toMatchObject({ pass: 1, fail: 1, error: 1, exceptedInTool: 2, notEvaluated: 1 });
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ pass: 1, fail: 4, notEvaluated: 1, failByExceptions: { '': 4 } });
    expect(summary.checks[0]!.failing.map((f) => `${f.resource}:${f.result}`)).toEqual(['r2:excepted-in-tool', 'r3:excepted-in-tool', 'r4:fail', 'r5:error']);
    expectRowsAddUp(summary);
  });

  it('are approved by the source with honorToolSuppressions (real fails and errors still fail)', async () => {
    const { summary } = await ingest(source(true), { 'r.txt': lines });
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ pass: 1, fail: 4, failByExceptions: { '': 2, [`${TOOL_SUPPRESSION_PREFIX}s`]: 2 } });
  });
});

describe('collection time and freshness', () => {
  const fields = { ...csvSource().fields, collectedAt: { column: 'When' } };

  it('per-row times override source.yaml; the oldest wins for the file, the source and each control', async () => {
    const csv = ['Check,Status,Resource,When', 'a,PASS,r1,2026-11-25T00:00:00Z', 'a,PASS,r2,2026-11-10T06:00:00Z', 'b,PASS,r3,', 'b,PASS,r4,2026-11-26'].join('\n');
    const { summary, diagnostics } = await ingest(csvSource({ fields, map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }, { check: 'b', controls: { soc2: ['CC6.2'] } }] }), { 'x.csv': csv });
    expect(diagnostics.items).toEqual([]);
    expect(summary.files[0]).toMatchObject({ collectedAt: '2026-11-10T06:00:00.000Z', freshUntil: '2026-12-10T06:00:00.000Z', collectedAtFrom: 'fields.collectedAt' });
    expect(summary.collectedAt).toBe('2026-11-10T06:00:00.000Z');
    expect(summary.freshUntil).toBe('2026-12-10T06:00:00.000Z');
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ collectedAt: '2026-11-10T06:00:00.000Z', freshUntil: '2026-12-10T06:00:00.000Z' });
    // Row r3 has no time of its own: source.yaml's collectedAt (2026-11-20) applies.
    expect(summary.controls['soc2::CC6.2']).toMatchObject({ collectedAt: '2026-11-20T00:00:00.000Z', freshUntil: '2026-12-20T00:00:00.000Z' });
  });

  it('source maxAge overrides the portal default', async () => {
    const { summary } = await ingest(csvSource({ maxAge: '7d', map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), { 'x.csv': 'Check,Status,Resource\na,PASS,r\n' });
    expect(summary.maxAge).toBe('7d');
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ collectedAt: '2026-11-20T00:00:00.000Z', freshUntil: '2026-11-27T00:00:00.000Z' });
  });

  it('no collection time anywhere: collected-at-missing at source.yaml, and nothing counts', async () => {
    const { summary, diagnostics } = await ingest({ ...csvSource(), collectedAt: undefined, map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }, { 'x.csv': 'Check,Status,Resource\na,PASS,r\n' });
    expect(diagnostics.items.map((d) => `${d.severity} ${d.rule} ${d.file} ${d.field}`)).toEqual(['error collected-at-missing evidence/s/source.yaml collectedAt']);
    expect(diagnostics.items[0]!.hint).toMatch(/File modification times are never used/);
    expect(summary.files[0]!.failed).toBe(true);
    expect(summary.failed).toBe(true);
    expect(summary.collectedAt).toBeUndefined();
  });

  it('an invalid per-row time is an error with its line; the row falls back to source.yaml', async () => {
    const csv = ['Check,Status,Resource,When', 'a,PASS,r1,2026-11-25T00:00:00Z', 'a,PASS,r2,yesterday', 'a,PASS,r3,2026-02-30'].join('\n');
    const { summary, diagnostics } = await ingest(csvSource({ fields, map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), { 'x.csv': csv });
    expect(diagnostics.items.map((d) => `${d.rule} ${d.line} ${d.message}`)).toEqual([
      'collected-at-invalid 3 `yesterday` is not a valid date and time.',
      'collected-at-invalid 4 `2026-02-30` is not a valid date and time.',
    ]);
    expect(summary.failed).toBe(true);
  });

  it('more than 5 invalid times: 5 listed, the rest counted in one line', async () => {
    const csv = ['Check,Status,Resource,When', ...Array.from({ length: 8 }, (_, i) => `a,PASS,r${i},bad-${i}`)].join('\n');
    const { diagnostics } = await ingest(csvSource({ fields, map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), { 'x.csv': csv });
    expect(diagnostics.items.map((d) => `${d.rule} ${d.line ?? '-'}`)).toEqual(['collected-at-invalid 2', 'collected-at-invalid 3', 'collected-at-invalid 4', 'collected-at-invalid 5', 'collected-at-invalid 6', 'collected-at-invalid -']);
    expect(diagnostics.items[5]!.message).toBe('3 more rows with an invalid collection time.');
  });

  it('a JSON root field ($.generatedAt) dates every record', async () => {
    const json = JSON.stringify({ generatedAt: '2026-11-26T02:00:00Z', findings: [{ id: 'a', status: 'PASS' }, { id: 'a', status: 'FAIL' }] });
    const { summary, diagnostics } = await ingest(
      {
        format: 'json',
        records: '$.findings[*]',
        fields: { check: { path: 'id' }, result: { path: 'status', pass: ['PASS'], fail: ['FAIL'] }, collectedAt: { path: '$.generatedAt' } },
        map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }],
      },
      { 'f.json': json },
    );
    expect(diagnostics.items).toEqual([]);
    expect(summary.controls['soc2::CC6.1']).toMatchObject({ pass: 1, fail: 1, collectedAt: '2026-11-26T02:00:00.000Z', freshUntil: '2026-12-26T02:00:00.000Z' });
  });

  it('a row with no collection time (when other rows have one) is an error on its line: unknown age never counts', async () => {
    const csv = ['Check,Status,Resource,When', 'a,PASS,r1,2026-11-25T00:00:00Z', 'b,PASS,r2,'].join('\n');
    const { summary, diagnostics } = await ingest(
      { ...csvSource(), collectedAt: undefined, fields, map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }, { check: 'b', controls: { soc2: ['CC6.2'] } }] },
      { 'x.csv': csv },
    );
    expect(brief(diagnostics.items)).toEqual(['error collected-at-missing evidence/s/x.csv:3']);
    expect(summary.files[0]!.failed).toBe(true);
    expect(summary.failed).toBe(true);
  });
});

describe('attestations', () => {
  const attestation = (fields: Record<string, string>) =>
    ['---', 'title: Q3 access review', 'controls: { soc2: [CC6.2] }', 'result: pass', 'attestedBy: Jane Doe', ...Object.entries(fields).map(([k, v]) => `${k}: ${v}`), '---', '', 'All privileged accounts reviewed.', ''].join('\n');

  it('validFor replaces maxAge; attachments are hashed', async () => {
    const signoff = 'system,owner,decision\naws,alice,confirmed\n';
    const { summary, diagnostics } = await ingest(
      { format: 'attestation' },
      {
        'q2.md': attestation({ date: '2026-06-01', validFor: '365d', attachments: '[attachments/signoff.csv]' }),
        'q3.md': attestation({ date: '2026-10-05' }),
        'attachments/signoff.csv': signoff,
      },
      { data: ['q2.md', 'q3.md'] },
    );
    expect(diagnostics.items).toEqual([]);
    expect(summary.rows).toEqual({ total: 2, mapped: 2, unmapped: 0, notEvaluated: 0, skipped: 0 });
    expect(summary.files.map((f) => ({ path: f.path, collectedAt: f.collectedAt, freshUntil: f.freshUntil, from: f.collectedAtFrom }))).toEqual([
      { path: 'evidence/s/q2.md', collectedAt: '2026-06-01T00:00:00.000Z', freshUntil: '2027-06-01T00:00:00.000Z', from: 'attestation date' },
      { path: 'evidence/s/q3.md', collectedAt: '2026-10-05T00:00:00.000Z', freshUntil: '2026-11-04T00:00:00.000Z', from: 'attestation date' },
    ]);
    expect(summary.files[0]!.attachments).toEqual([{ path: 'evidence/s/attachments/signoff.csv', sha256: createHash('sha256').update(signoff).digest('hex'), bytes: signoff.length }]);
    expect(summary.controls['soc2::CC6.2']).toMatchObject({ pass: 2, checks: ['attestation:q2', 'attestation:q3'], freshUntil: '2026-11-04T00:00:00.000Z', collectedAt: '2026-06-01T00:00:00.000Z' });
    expect(summary.checks[0]).toMatchObject({ check: 'attestation:q2', title: 'Q3 access review', controls: ['soc2::CC6.2'] });
  });

  it('an attachment outside the source folder is path-outside-workspace, and the source fails', async () => {
    const { summary, diagnostics } = await ingest(
      { format: 'attestation' },
      { 'q3.md': attestation({ date: '2026-10-05', attachments: '[../x.csv, missing.csv]' }) },
    );
    expect(diagnostics.items.map((d) => `${d.rule} ${d.file}:${d.line}:${d.column} ${d.field}`)).toEqual([
      'path-outside-workspace evidence/s/q3.md:7:15 attachments[0]',
      'attachment-missing evidence/s/q3.md:7:25 attachments[1]',
    ]);
    expect(diagnostics.items[0]!.message).toBe('The attachment `../x.csv` points outside the workspace (../x.csv).');
    expect(summary.files[0]!.failed).toBe(true);
    expect(summary.failed).toBe(true);
  });
});

describe('failing samples', () => {
  it(`keep at most ${FAILING_SAMPLE_SIZE} failing resources per check, in file order, with lines`, async () => {
    const rows = Array.from({ length: 15 }, (_, i) => `mfa,FAIL,user${i + 1}@example.com`);
    const csv = ['Check,Status,Resource', 'mfa,PASS,ok@example.com', ...rows].join('\n');
    const { summary } = await ingest(csvSource({ map: [{ check: 'mfa', controls: { soc2: ['CC6.1'] } }] }), { 'users.csv': csv });
    const c = summary.checks[0]!;
    expect(c.fail).toBe(15);
    expect(c.failing).toHaveLength(FAILING_SAMPLE_SIZE);
    expect(c.failing[0]).toEqual({ resource: 'user1@example.com', result: 'fail', file: 'evidence/s/users.csv', line: 3 });
    expect(c.failing.at(-1)).toMatchObject({ resource: `user${FAILING_SAMPLE_SIZE}@example.com`, line: FAILING_SAMPLE_SIZE + 2 });
  });
});

describe('broken files', () => {
  it('a CSV parse error fails the file and the source; rows read so far are still accounted', async () => {
    const csv = 'Check,Status,Resource\na,PASS,r1\na,"PASS,r2\na,PASS,r3\n';
    const { summary, diagnostics } = await ingest(csvSource({ map: [{ check: 'a', controls: { soc2: ['CC6.1'] } }] }), { 'x.csv': csv, 'ok.csv': 'Check,Status,Resource\na,PASS,r9\n' });
    expect(brief(diagnostics.errors)).toEqual(['error evidence-parse evidence/s/x.csv:3']);
    expect(summary.files.map((f) => [f.path, f.failed])).toEqual([
      ['evidence/s/x.csv', true],
      ['evidence/s/ok.csv', false],
    ]);
    expect(summary.failed).toBe(true);
    expectRowsAddUp(summary);
    // No map-rule-unused noise when a file failed.
    expect(diagnostics.items.filter((d) => d.rule === 'map-rule-unused')).toEqual([]);
  });

  it('invalid UTF-8 (a Latin-1 export) is an error, never replaced silently', async () => {
    const bytes = Buffer.concat([Buffer.from('Check,Status,Resource\na,PASS,Ren'), Buffer.from([0xe9]), Buffer.from('e\n')]);
    const { summary, diagnostics } = await ingest(csvSource(), { 'x.csv': bytes });
    expect(brief(diagnostics.errors)).toEqual(['error encoding-invalid evidence/s/x.csv:2']);
    expect(summary.failed).toBe(true);
    expect(summary.files[0]!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  // Regression test (was a bug, fixed): (src/core/evidence/decode.ts, decodeUtf8): the offset in "invalid UTF-8 byte sequence near byte N" is the
  // start of the chunk that failed, not of the bad byte: a small file always says "near byte 0" (here the byte is at
  // offset 32, line 2). Fix: on failure, locate the first invalid sequence inside the chunk (e.g. decode the chunk
  // with a non-fatal decoder and find the first U+FFFD, or validate byte by byte) and report offset + index, ideally
  // with the line.
  it('invalid UTF-8 is located at the bad byte', async () => {
    const bytes = Buffer.concat([Buffer.from('Check,Status,Resource\na,PASS,Ren'), Buffer.from([0xe9]), Buffer.from('e\n')]);
    const { diagnostics } = await ingest(csvSource(), { 'x.csv': bytes });
    const d = diagnostics.errors[0]!;
    expect(d.line === 2 || /near byte 3[23]\b/.test(d.message)).toBe(true);
  });

  it('the encoding hint suggests only what works (source.yaml has no `encoding` setting)', async () => {
    const { diagnostics } = await ingest(csvSource(), { 'x.csv': Buffer.from([0x43, 0x0a, 0xff, 0x0a]) });
    const hint = diagnostics.errors[0]!.hint!;
    expect(hint).toMatch(/UTF-8/);
    expect(hint).not.toMatch(/encoding:/);
    expect(sourceSchema.safeParse({ format: 'csv', tool: 't', encoding: 'latin1' }).success).toBe(false);
  });

  it('an empty file is an error, never zero findings', async () => {
    const { summary, diagnostics } = await ingest(csvSource(), { 'x.csv': '' });
    expect(brief(diagnostics.errors)).toEqual(['error evidence-parse evidence/s/x.csv:1']);
    expect(summary.failed).toBe(true);
    expect(summary.files[0]).toMatchObject({ rows: 0, bytes: 0, sha256: createHash('sha256').update('').digest('hex') });
  });
});
