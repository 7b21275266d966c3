import { describe, expect, it } from 'vitest';
import { csvAdapter } from '../../src/core/evidence/adapters/csv.ts';
import { jsonAdapter } from '../../src/core/evidence/adapters/json.ts';
import { countResults, runAdapter, sourceConfig } from '../helpers/adapter-harness.ts';

describe('csv adapter', () => {
  const config = sourceConfig({
    format: 'csv',
    collectedAt: '2026-11-20T00:00:00Z',
    fields: { check: { value: 'mfa' }, result: { column: 'MFA Enrolled', pass: ['TRUE'], fail: ['FALSE'] }, resource: { column: 'Login' } },
  });

  it('maps rows to results, with line numbers across quoted newlines', async () => {
    const text = '\uFEFFLogin,"MFA Enrolled [READ ONLY]"\r\na@x,TRUE\r\n"b\r\n@x",FALSE\r\nc@x,\r\n';
    const run = await runAdapter(csvAdapter, { text, chunkSize: 5 }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1, 'not-evaluated': 1 });
    expect(run.records.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('reports a missing column with a suggestion', async () => {
    const run = await runAdapter(csvAdapter, { text: 'Login,MFA Enroled\na,TRUE\n' }, config);
    const [d] = run.diagnostics.errors;
    expect(d?.rule).toBe('evidence-column-missing');
    expect(d?.line).toBe(1);
    expect(d?.hint).toContain('MFA Enroled');
    expect(run.records).toEqual([]);
  });

  it('treats an empty file as an error, never as zero findings', async () => {
    const run = await runAdapter(csvAdapter, { text: '' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['evidence-parse']);
  });

  it('rejects invalid UTF-8', async () => {
    const run = await runAdapter(csvAdapter, { text: new Uint8Array([0x4c, 0x6f, 0x67, 0x69, 0x6e, 0x0a, 0xff, 0xfe, 0x0a]) }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toContain('encoding-invalid');
  });
});

describe('json adapter', () => {
  const config = sourceConfig({
    format: 'json',
    records: '$.findings[*]',
    fields: { check: { path: 'check_id' }, result: { path: 'status', pass: ['PASS'], fail: ['FAIL'] }, collectedAt: { path: '$.generatedAt' } },
  });
  it('reads records and root fields', async () => {
    const run = await runAdapter(jsonAdapter, { text: JSON.stringify({ generatedAt: '2026-11-01T00:00:00Z', findings: [{ check_id: 'a', status: 'PASS' }, { check_id: 'b', status: 'FAIL' }, { check_id: 'c', status: 'INFO' }] }) }, config);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1, 'not-evaluated': 1 });
    expect(run.records[0]?.collectedAt).toBe('2026-11-01T00:00:00Z');
  });
  it('reads a list of 300,000 records (a spread of that many arguments overflowed the stack)', async () => {
    const findings = Array.from({ length: 300_000 }, (_, i) => ({ check_id: `c${i % 7}`, status: i % 3 ? 'PASS' : 'FAIL' }));
    const run = await runAdapter(jsonAdapter, { text: JSON.stringify({ generatedAt: '2026-11-01T00:00:00Z', findings }) }, config);
    expect(run.diagnostics.errors).toEqual([]);
    expect(countResults(run.records)).toEqual({ pass: 200_000, fail: 100_000 });
  });
  it('reports truncated JSON with a position', async () => {
    const run = await runAdapter(jsonAdapter, { text: '{"findings": [{"check_id": "a",\n "status": "PA' }, config);
    const [d] = run.diagnostics.errors;
    expect(d?.rule).toBe('evidence-parse');
    expect(d?.line).toBe(2);
    expect(d?.hint).toMatch(/truncated/);
  });
});

describe('generic filters and comparisons', () => {
  it('csv: where keeps matching rows, counts the rest as skipped; equals derives pass/fail', async () => {
    const config = sourceConfig({
      format: 'csv',
      collectedAt: '2026-11-20T00:00:00Z',
      where: [{ column: 'Status', equals: ['Active'] }],
      fields: { check: { value: '2sv' }, result: { column: '2sv Enrolled', equals: 'True' }, resource: { column: 'Email' } },
    });
    const text = 'Email;Status;2sv Enrolled [READ ONLY]\na@x;Active;True\nb@x;Suspended;False\nc@x;active;False\nd@x;Active;\n';
    const run = await runAdapter(csvAdapter, { text }, config);
    expect(run.diagnostics.items).toEqual([]);
    expect(run.skipped).toBe(1);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1, 'not-evaluated': 1 });
  });

  it('csv: a where column that is not in the header is an error, never a silent pass-through', async () => {
    const config = sourceConfig({
      format: 'csv',
      where: [{ column: 'State', equals: ['Active'] }],
      fields: { check: { value: 'x' }, result: { column: 'R', pass: ['y'], fail: ['n'] } },
    });
    const run = await runAdapter(csvAdapter, { text: 'R,Status\ny,Active\n' }, config);
    expect(run.diagnostics.errors.map((d) => d.rule)).toEqual(['evidence-column-missing']);
    expect(run.records).toEqual([]);
  });

  it('json: where on a path', async () => {
    const config = sourceConfig({
      format: 'json',
      records: '$.users[*]',
      where: [{ path: 'state', notEquals: ['DEPROVISIONED'] }],
      fields: { check: { value: 'mfa' }, result: { path: 'mfa', equals: true } },
    });
    const run = await runAdapter(jsonAdapter, { text: JSON.stringify({ users: [{ state: 'ACTIVE', mfa: true }, { state: 'DEPROVISIONED', mfa: false }, { state: 'ACTIVE', mfa: false }] }) }, config);
    expect(run.skipped).toBe(1);
    expect(countResults(run.records)).toEqual({ pass: 1, fail: 1 });
  });
});
