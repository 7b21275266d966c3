import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/adapter-harness.ts';
import { runCli } from '../helpers/cli.ts';

/** Every file of a built site, as text (binary files as latin1 so byte patterns still match). */
function allText(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { file: path.relative(dir, full), text: readFileSync(full, 'latin1') };
    });
}

describe('public (trust-center) build', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'audience-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('publishes nothing of an internal source: no file, resource name, hash or id', { timeout: 240_000 }, () => {
    const r = runCli('build.ts', ['--audience', 'public'], { COMPLIANCE_NOW: '2026-11-28T00:00:00Z', COMPLIANCE_OUT: tmp });
    expect(r.status, r.stderr).toBe(0);
    const source = 'evidence/hr-onboarding/source.yaml';
    expect(readFileSync(path.join(REPO_ROOT, source), 'utf8')).toMatch(/^visibility: internal/m);
    const csvPath = path.join(REPO_ROOT, 'evidence/hr-onboarding/background-checks.csv');
    const bytes = readFileSync(csvPath);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const rows = Papa.parse<string[]>(bytes.toString('utf8').trim()).data.slice(1);
    const needles = [sha, 'hr-onboarding', 'background-checks.csv', 'hr-background-check', ...rows.map((row) => row[0]!), ...rows.map((row) => row[1]!)];
    expect(rows.length).toBeGreaterThan(5);
    const files = allText(tmp);
    expect(files.length).toBeGreaterThan(50);
    for (const n of needles) {
      const hits = files.filter((f) => f.text.includes(n)).map((f) => f.file);
      expect(hits, `"${n}" must not appear in the public build`).toEqual([]);
    }
  });

  it('the internal build (default) does publish it, so the check above is not vacuous', { timeout: 240_000 }, () => {
    const out = path.join(tmp, 'internal');
    const r = runCli('build.ts', [], { COMPLIANCE_NOW: '2026-11-28T00:00:00Z', COMPLIANCE_OUT: out });
    expect(r.status, r.stderr).toBe(0);
    expect(allText(out).some((f) => f.text.includes('hr-background-check'))).toBe(true);
  });
});
