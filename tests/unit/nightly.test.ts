/**
 * The example nightly workflow's commands, run the way CI runs them:
 * build without a baseline, build with yesterday's report as the baseline, gate with annotations.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/adapter-harness.ts';
import { runCli } from '../helpers/cli.ts';

describe('examples/github-actions/nightly.yml', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nightly-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const workflow = parse(readFileSync(path.join(REPO_ROOT, 'examples/github-actions/nightly.yml'), 'utf8'));
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

  it('only runs npm scripts that exist', () => {
    const runs: string[] = Object.values(workflow.jobs as Record<string, { steps: { run?: string }[] }>).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const scripts = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(scripts.sort()).toEqual(['build', 'gate']);
    for (const s of scripts) expect(pkg.scripts[s], s).toBeTruthy();
  });

  it('build, build against a baseline, gate: exit codes, changes.json and annotations', { timeout: 240_000 }, () => {
    const day1 = path.join(tmp, 'day1');
    const r1 = runCli('build.ts', [], { COMPLIANCE_NOW: '2026-11-28T00:00:00Z', COMPLIANCE_OUT: day1, COMPLIANCE_BASELINE: '', COMPLIANCE_BASE: '/portal/' });
    expect(r1.status, r1.stderr).toBe(0);
    expect(existsSync(path.join(day1, 'changes.json'))).toBe(false);
    expect(readFileSync(path.join(day1, 'index.html'), 'utf8')).toContain('href="/portal/policies/"');
    const baseline = path.join(tmp, 'baseline-report.json');
    copyFileSync(path.join(day1, 'report.json'), baseline);

    // A month later nothing was re-exported: evidence went stale, statuses got worse.
    const day2 = path.join(tmp, 'day2');
    const r2 = runCli('build.ts', [], { COMPLIANCE_NOW: '2026-12-28T00:00:00Z', COMPLIANCE_OUT: day2, COMPLIANCE_BASELINE: baseline });
    expect(r2.status, r2.stderr).toBe(0);
    const changes = JSON.parse(readFileSync(path.join(day2, 'changes.json'), 'utf8'));
    expect(changes.regressions).toBeGreaterThan(0);
    expect(changes.sources.wentStale).toContain('okta-mfa');
    expect(readFileSync(path.join(day2, 'changes', 'index.html'), 'utf8')).toContain('okta-mfa');

    const gate = runCli('gate.ts', ['--report', path.join(day2, 'report.json')], { GITHUB_ACTIONS: 'true' });
    expect(gate.status).toBe(1);
    expect(gate.stdout).toMatch(/^::error file=[^,]+,title=compliance gate: status::/m);
    expect(gate.stdout).toMatch(/\[regression\]/);
    expect(gate.stdout).toMatch(/gate: FAILED/);

    const bad = runCli('gate.ts', ['--report', path.join(tmp, 'missing.json')]);
    expect(bad.status).toBe(2);
    const badBaseline = runCli('build.ts', ['--baseline', path.join(day2, 'index.html')], { COMPLIANCE_OUT: path.join(tmp, 'x') });
    expect(badBaseline.status).toBe(2);
    expect(badBaseline.stderr).toMatch(/baseline/);
  });
});
