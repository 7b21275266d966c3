import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubescapeAdapter, kubescapeResult } from '../../../src/core/evidence/adapters/kubescape.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { countResults, REPO_ROOT, realExport, realExportsAvailable, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/kubescape', name);
const config = sourceConfig({ format: 'kubescape' });

describe('kubescape adapter', () => {
  it('is registered as format: kubescape', () => {
    expect(adapterRegistry.get('kubescape')).toBe(kubescapeAdapter);
  });

  it('maps statuses and sub-statuses, failing closed on unknown words', () => {
    expect(kubescapeResult('failed', undefined)).toBe('fail');
    expect(kubescapeResult('passed', undefined)).toBe('pass');
    expect(kubescapeResult('passed', 'w/exceptions')).toBe('excepted-in-tool');
    expect(kubescapeResult('passed', 'excluded')).toBe('excepted-in-tool');
    expect(kubescapeResult('passed', 'irrelevant')).toBe('not-evaluated');
    expect(kubescapeResult('skipped', 'manual review')).toBe('not-evaluated');
    expect(kubescapeResult('skipped', 'requires_review')).toBe('not-evaluated');
    expect(kubescapeResult('excluded', undefined)).toBe('excepted-in-tool');
    expect(kubescapeResult('error', undefined)).toBe('error');
    expect(kubescapeResult('passed', 'something new')).toBeUndefined();
    expect(kubescapeResult(undefined, undefined)).toBeUndefined();
  });
});

describe.skipIf(!realExportsAvailable())('kubescape: real exports', () => {
  // Expected numbers from the raw file, computed with jq independently of the adapter:
  //   jq '[.results[].controls[]] | length'                                           -> 18
  //   jq '[.results[].controls[].status.status] | group_by(.) | map({(.[0]): length}) | add' -> failed: 3, passed: 15
  //   jq '[.results[].controls[] | select(.status.status == "failed") | .controlID]'  -> ["C-0030", "C-0055", "C-0260"]
  //   jq '[.results[].resourceID] | unique'            -> ["path=966824446/api=apps/v1//Deployment/nginx-deployment"]
  //   jq '. as $d | [.results[].controls[].controlID as $id | [$d.summaryDetails.frameworks[] | select(.controls[$id] != null) | .name] | length] | add'
  //                                                                                    -> 26 framework references
  //   C-0057 and C-0012 are in ClusterScan, MITRE and NSA; C-0260 only in ClusterScan
  //   jq '.generationTime, .metadata.scanMetadata.kubescapeVersion'                    -> "0001-01-01T00:00:00Z" (zero: absent), "v3.0.3"
  it('reads kubescape-v3-with_a_failure.json: 18 control results, 3 failing', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: realExport('kubescape/kubescape-v3-with_a_failure.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(18);
    expect(countResults(run.records)).toEqual({ pass: 15, fail: 3 });
    expect(run.records.filter((r) => r.result === 'fail').map((r) => r.check)).toEqual(['C-0030', 'C-0055', 'C-0260']);
    expect(new Set(run.records.map((r) => r.resource))).toEqual(new Set(['path=966824446/api=apps/v1//Deployment/nginx-deployment']));
    expect(run.records.reduce((n, r) => n + (r.toolRefs?.length ?? 0), 0)).toBe(26);
    const c0057 = run.records.find((r) => r.check === 'C-0057');
    expect(c0057?.toolRefs).toEqual([
      { framework: 'ClusterScan', control: 'C-0057' },
      { framework: 'MITRE', control: 'C-0057' },
      { framework: 'NSA', control: 'C-0057' },
    ]);
    expect(run.records.find((r) => r.check === 'C-0260')?.toolRefs).toEqual([{ framework: 'ClusterScan', control: 'C-0260' }]);
    expect(run.records.find((r) => r.check === 'C-0055')).toMatchObject({ title: 'Linux hardening', rawResult: 'failed', message: 'Failed rule: linux-hardening' });
    // generationTime is Go's zero time: no collection time from the file.
    expect(run.meta).toEqual({ toolVersion: 'v3.0.3' });
  });

  it('rejects a document that is not Kubescape (the Trivy image sample)', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', field: '(root)' });
    expect(run.diagnostics.errors[0]?.message).toMatch(/not a Kubescape JSON report/);
  });
});

describe('kubescape: sub-statuses and framework references', () => {
  it('maps exceptions, ignored/excluded, reviews and unknown statuses', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: fixture('sub-statuses.json') }, config);
    expect(run.records.map((r) => [r.check, r.result, r.rawResult, r.resource])).toEqual([
      ['C-0013', 'fail', 'failed', '/v1/shop/Pod/api'],
      ['C-0017', 'pass', 'passed', '/v1/shop/Pod/api'],
      ['C-0055', 'excepted-in-tool', 'passed (w/exceptions)', '/v1/shop/Pod/api'],
      ['C-0034', 'excepted-in-tool', 'passed (ignored)', '/v1/shop/Pod/api'],
      ['C-0262', 'not-evaluated', 'passed (irrelevant)', '/v1/shop/Pod/api'],
      ['C-0207', 'not-evaluated', 'skipped (manual_review)', '/v1/shop/Pod/api'],
      ['C-0034', 'excepted-in-tool', 'excluded', '/v1/shop/ServiceAccount/default'],
      ['C-0088', 'not-evaluated', 'skipped (requires review)', '/v1/shop/ServiceAccount/default'],
      ['C-0091', 'not-evaluated', 'skipped (configuration)', '/v1/shop/ServiceAccount/default'],
      ['C-0999', 'not-evaluated', 'postponed', '/v1/shop/ServiceAccount/default'],
    ]);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings).toHaveLength(1);
    expect(run.diagnostics.warnings[0]).toMatchObject({ rule: 'evidence-record-invalid', field: 'results[1].controls[3].status', line: 43 });
    expect(run.diagnostics.warnings[0]?.message).toContain('`postponed`');
    expect(run.records[0]?.toolRefs).toEqual([
      { framework: 'NSA', control: 'C-0013' },
      { framework: 'cis-v1.23-t1.0.1', control: 'C-0013' },
    ]);
    expect(run.records[8]?.toolRefs).toBeUndefined();
    expect(run.records[5]?.message).toBe('Control type is manual-review');
    expect(run.meta).toEqual({ collectedAt: '2026-11-20T03:04:05.678901234Z', collectedAtFrom: 'field generationTime', toolVersion: 'v3.0.8' });
  });

  it('attaches framework references even when summaryDetails comes after results (useToolMappings)', async () => {
    const withMappings = sourceConfig({ format: 'kubescape', useToolMappings: true });
    const run = await runAdapter(kubescapeAdapter, { file: fixture('summary-after-results.json') }, withMappings);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.toolRefs?.map((t) => t.framework)])).toEqual([
      ['C-0016', 'fail', ['NSA']],
      ['C-0017', 'pass', ['NSA', 'MITRE']],
    ]);
    expect(run.meta.collectedAt).toBe('2026-11-19T22:00:00Z');
  });

  it('reads a report with no results as zero records', async () => {
    const run = await runAdapter(kubescapeAdapter, { text: '{"generationTime": "2026-11-19T22:00:00Z", "summaryDetails": {"frameworks": []}, "results": []}' }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([]);
  });
});

describe('kubescape: broken files', () => {
  it('reports a truncated file with its line and a hint', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: fixture('truncated.json') }, config);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', line: 8 });
    expect(run.diagnostics.errors[0]?.message).toMatch(/ends inside `results\[0\]`.*truncated/);
    expect(run.diagnostics.errors[0]?.hint).toMatch(/partial file/);
  });

  it('reports a wrong-shaped file at the field', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 5, field: 'results[0].controls' });
  });

  it('reports an empty file', async () => {
    const run = await runAdapter(kubescapeAdapter, { file: fixture('empty.json') }, config);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
  });

  it('rejects format v1 (a list) and a formatVersion other than v2', async () => {
    const v1 = await runAdapter(kubescapeAdapter, { file: fixture('format-v1.json') }, config);
    expect(v1.records).toEqual([]);
    expect(v1.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 1, field: '(root)' });
    expect(v1.diagnostics.errors[0]?.hint).toMatch(/--format-version v2/);
    const declared = await runAdapter(kubescapeAdapter, { text: '{\n"formatVersion": "v3",\n"summaryDetails": {},\n"results": []\n}' }, config);
    expect(declared.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 2, field: 'formatVersion' });
  });
});
