import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { hashTree } from '../helpers/fixtures.ts';

describe('reproducible builds', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'repro-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('two builds with the same inputs and COMPLIANCE_NOW are byte-identical, and report.json carries an inputs digest', { timeout: 240_000 }, () => {
    const env = { COMPLIANCE_NOW: '2026-11-28T00:00:00Z' };
    const a = runCli('build.ts', [], { ...env, COMPLIANCE_OUT: path.join(tmp, 'a') });
    expect(a.status, a.stderr).toBe(0);
    const b = runCli('build.ts', [], { ...env, COMPLIANCE_OUT: path.join(tmp, 'b') });
    expect(b.status, b.stderr).toBe(0);
    const ha = hashTree(path.join(tmp, 'a'));
    const hb = hashTree(path.join(tmp, 'b'));
    expect(Object.keys(ha).length).toBeGreaterThan(100);
    expect(hb).toEqual(ha);
    const report = JSON.parse(readFileSync(path.join(tmp, 'a', 'report.json'), 'utf8'));
    expect(report.inputsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(report.generatedAt).toBe('2026-11-28T00:00:00.000Z');
    // The build machine's paths never leak into the output.
    const html = readFileSync(path.join(tmp, 'a', 'index.html'), 'utf8');
    expect(html).not.toContain(tmp);
    expect(html).not.toContain(os.tmpdir());
  });
});
