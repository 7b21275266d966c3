import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeBenchAdapter } from '../../../src/core/evidence/adapters/kube-bench.ts';
import { adapterRegistry } from '../../../src/core/evidence/registry.ts';
import { countResults, REPO_ROOT, realExport, realExportsAvailable, runAdapter, sourceConfig } from '../../helpers/adapter-harness.ts';

const fixture = (name: string) => path.join(REPO_ROOT, 'tests/fixtures/formats/kube-bench', name);
const config = sourceConfig({ format: 'kube-bench' });

describe('kube-bench adapter', () => {
  it('is registered as format: kube-bench', () => {
    expect(adapterRegistry.get('kube-bench')).toBe(kubeBenchAdapter);
  });
});

describe.skipIf(!realExportsAvailable())('kube-bench: real exports', () => {
  // Expected numbers from the raw file, computed with jq independently of the adapter:
  //   jq 'keys'                                                            -> ["Controls", "Totals"]
  //   jq '[.Controls[].tests[].results[]] | length'                        -> 3
  //   jq '[.Controls[].tests[].results[].status] | group_by(.) | map({(.[0]): length}) | add' -> PASS: 2, WARN: 1
  //   jq -c '[.Controls[] | .node_type as $n | .tests[].results[] | [.test_number, $n]]'
  //                                                      -> [["1.1.1","master"],["2.1","etcd"],["3.1.1","controlplane"]]
  // (The maintainers trimmed this file to one check per section: its Totals no longer match the results.)
  it('reads kube-bench-result.json ({Controls, Totals}): 3 results, WARN not evaluated', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: realExport('kube-bench/kube-bench-result.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toHaveLength(3);
    expect(countResults(run.records)).toEqual({ pass: 2, 'not-evaluated': 1 });
    expect(run.records.map((r) => [r.check, r.rawResult, r.resource])).toEqual([
      ['1.1.1', 'PASS', 'master'],
      ['2.1', 'PASS', 'etcd'],
      ['3.1.1', 'WARN', 'controlplane'],
    ]);
    expect(run.records[0]?.title).toBe('Ensure that the API server pod specification file permissions are set to 644 or more restrictive (Scored)');
    expect(run.records[0]?.message).toContain('chmod 644 /etc/kubernetes/manifests/kube-apiserver.yaml');
    // kube-bench writes no collection time and no version of itself.
    expect(run.meta).toEqual({});
  });

  it('rejects a document that is not kube-bench (the Trivy image sample)', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: realExport('trivy/trivy-image-alpine-310.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 1, field: '(root)' });
    expect(run.diagnostics.errors[0]?.message).toMatch(/not a kube-bench JSON report/);
    expect(run.diagnostics.errors[0]?.hint).toMatch(/kube-bench --json/);
  });
});

describe('kube-bench: older shapes', () => {
  it('reads a top-level list of Controls sections', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: fixture('array-of-controls.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.rawResult, r.resource])).toEqual([
      ['1.1.1', 'pass', 'PASS', 'master'],
      ['1.1.12', 'fail', 'FAIL', 'master'],
      ['1.1.9', 'not-evaluated', 'WARN', 'master'],
      ['4.2.1', 'fail', 'FAIL', 'node'],
      ['4.2.13', 'not-evaluated', 'INFO', 'node'],
    ]);
    expect(run.records[1]?.message).toBe('chown etcd:etcd /var/lib/etcd');
  });

  it('reads one Controls object per target, several in a row (kube-bench before 0.5)', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: fixture('concatenated.json') }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records.map((r) => [r.check, r.result, r.resource])).toEqual([
      ['1.2.1', 'pass', 'master'],
      ['2.2', 'fail', 'etcd'],
    ]);
    const single = await runAdapter(kubeBenchAdapter, { text: '{"id": "4", "node_type": "node", "tests": [{"section": "4.1", "results": [{"test_number": "4.1.1", "status": "FAIL"}]}]}' }, config);
    expect(single.diagnostics.items).toEqual([]);
    expect(single.records).toEqual([{ check: '4.1.1', result: 'fail', rawResult: 'FAIL', resource: 'node' }]);
  });

  it('reads an empty Controls list as zero results', async () => {
    const run = await runAdapter(kubeBenchAdapter, { text: '{"Controls": [], "Totals": {"total_pass": 0}}' }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.records).toEqual([]);
  });

  it('warns about an unknown status or a missing test_number and never counts them as a pass', async () => {
    const text = JSON.stringify({ Controls: [{ id: '1', node_type: 'master', tests: [{ section: '1.1', results: [{ test_number: '1.1.1', status: 'SKIP' }, { status: 'PASS' }] }] }] }, null, 2);
    const run = await runAdapter(kubeBenchAdapter, { text }, config);
    expect(run.records).toEqual([
      { check: '1.1.1', result: 'not-evaluated', rawResult: 'SKIP', resource: 'master' },
      { check: '', result: 'not-evaluated', rawResult: 'PASS', resource: 'master' },
    ]);
    expect(run.diagnostics.errors).toEqual([]);
    expect(run.diagnostics.warnings.map((d) => d.field)).toEqual(['Controls[0].tests[0].results[0].status', 'Controls[0].tests[0].results[1]']);
    expect(run.diagnostics.warnings[0]?.line).toBe(3);
  });
});

describe('kube-bench: broken files', () => {
  it('reports a truncated file with its line and a hint', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: fixture('truncated.json') }, config);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', file: 'evidence/test/truncated.json', line: 12 });
    expect(run.diagnostics.errors[0]?.message).toMatch(/truncated/);
    expect(run.diagnostics.errors[0]?.hint).toMatch(/partial file/);
  });

  it('reports a wrong-shaped file at the field', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: fixture('wrong-shape.json') }, config);
    expect(run.records).toEqual([]);
    expect(run.diagnostics.errors).toHaveLength(1);
    expect(run.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', line: 3, field: 'Controls[0].tests' });
    expect(run.diagnostics.errors[0]?.message).toContain('should be a list but is an object');
  });

  it('reports an empty file', async () => {
    const run = await runAdapter(kubeBenchAdapter, { file: fixture('empty.json') }, config);
    expect(run.diagnostics.errors.map((d) => [d.rule, d.line, d.message])).toEqual([['evidence-parse', 1, 'Cannot parse evidence: the file is empty.']]);
    const blank = await runAdapter(kubeBenchAdapter, { text: '  \n\n ' }, config);
    expect(blank.diagnostics.errors.map((d) => d.message)).toEqual(['Cannot parse evidence: the file is empty.']);
  });

  it('rejects a list of things that are not Controls sections, and scalars', async () => {
    const list = await runAdapter(kubeBenchAdapter, { text: '[{"Target": "x"}]' }, config);
    expect(list.diagnostics.errors[0]).toMatchObject({ rule: 'evidence-parse', field: '[0]' });
    expect(list.diagnostics.errors[0]?.message).toMatch(/no `tests`/);
    const scalar = await runAdapter(kubeBenchAdapter, { text: '42' }, config);
    expect(scalar.diagnostics.errors[0]?.message).toMatch(/the number `42`, not a kube-bench report/);
  });
});
