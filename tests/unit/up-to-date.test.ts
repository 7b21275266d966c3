/**
 * A rebuild with nothing changed (same inputs, time, options and code, output untouched) stops
 * after ingestion and leaves the output as it is; any change writes it all again (scripts/lib/up-to-date.ts).
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { FIXTURES_DIR, hashTree, REPO_ROOT } from '../helpers/fixtures.ts';


describe('rebuild with nothing changed', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'up-to-date-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is a no-op, and any change to inputs, output or options builds again', { timeout: 240_000 }, () => {
    const ws = path.join(tmp, 'ws');
    cpSync(path.join(FIXTURES_DIR, 'minimal'), ws, { recursive: true });
    const out = path.join(tmp, 'out');
    const env = { COMPLIANCE_NOW: '2026-11-28T00:00:00Z', COMPLIANCE_WORKSPACE: ws, COMPLIANCE_OUT: out, COMPLIANCE_CACHE_DIR: path.join(tmp, 'cache') };
    const build = (args: string[] = [], extra: Record<string, string> = {}) => {
      const r = runCli('build.ts', args, { ...env, ...extra });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(build()).toMatch(/^built /);
    const index = path.join(out, 'index.html');
    const before = statSync(index).mtimeMs;

    const again = build();
    expect(again).toMatch(/is up to date \(1 evidence files?, 1 from cache\): same inputs, time, options and code/);
    expect(again).toMatch(/passing/); // the summary is printed all the same
    expect(statSync(index).mtimeMs).toBe(before);

    // Another time: another output (ages, staleness and report.generatedAt depend on it).
    expect(build([], { COMPLIANCE_NOW: '2026-11-29T00:00:00Z' })).toMatch(/^built /);
    expect(build()).toMatch(/^built /);
    expect(build()).toMatch(/is up to date/);

    // A changed policy.
    const policies = path.join(ws, 'content/policies');
    const policy = path.join(policies, readdirOne(policies));
    appendFileSync(policy, '\nA sentence added by the test.\n');
    expect(build()).toMatch(/^built /);
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBeTruthy();
    expect(build()).toMatch(/is up to date/);

    // The output touched or damaged.
    rmSync(path.join(out, 'report.json'));
    expect(build()).toMatch(/^built /);
    expect(statSync(path.join(out, 'report.json')).isFile()).toBe(true);

    // Other options, or --force.
    expect(build(['--base', '/compliance/'])).toMatch(/^built /);
    expect(build(['--base', '/compliance/'])).toMatch(/is up to date/);
    expect(build(['--base', '/compliance/', '--force'])).toMatch(/^built /);
    // Without the cache there is no record: always a full build.
    expect(build(['--base', '/compliance/'], { COMPLIANCE_CACHE: 'off' })).toMatch(/^built /);
  });
});

describe('rebuild after one evidence file changed', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'one-changed-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes every findings page, including those of cached files, exactly as a build without cache', { timeout: 240_000 }, () => {
    // The example workspace, with 2,500 more users so that the IdP export spans three findings pages.
    const ws = path.join(tmp, 'ws');
    for (const d of ['content', 'evidence']) cpSync(path.join(REPO_ROOT, d), path.join(ws, d), { recursive: true });
    const users = path.join(ws, 'evidence/okta-mfa/users.csv');
    appendFileSync(users, Array.from({ length: 2500 }, (_, i) => `user${i}@northwind-robotics.example,ACTIVE,${i % 9 ? 'TRUE' : 'FALSE'},2026-11-26T10:00:00Z,Engineering\n`).join(''));
    const env = { COMPLIANCE_NOW: '2026-11-28T00:00:00Z', COMPLIANCE_WORKSPACE: ws, COMPLIANCE_CACHE_DIR: path.join(tmp, 'cache') };
    const build = (out: string, extra: Record<string, string> = {}) => {
      const r = runCli('build.ts', [], { ...env, COMPLIANCE_OUT: path.join(tmp, out), ...extra });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(build('out')).toMatch(/\(\d+ evidence files, 0 from cache/);
    // One more row in another source's file: every other file comes from the cache.
    appendFileSync(path.join(ws, 'evidence/hr-onboarding/background-checks.csv'), 'NW-1999,Zed Quinn,2026-11-20,Cleared,Yes\n');
    const rebuilt = build('out');
    const m = /\((\d+) evidence files, (\d+) from cache/.exec(rebuilt);
    expect(m && Number(m[2])).toBe(Number(m![1]) - 1);
    const pages = readdirSync(path.join(tmp, 'out/evidence/okta-mfa/findings')).sort();
    expect(pages).toEqual(['1', '2', '3']);
    expect(build('fresh', { COMPLIANCE_CACHE: 'off' })).toMatch(/^built /);
    expect(hashTree(path.join(tmp, 'out'))).toEqual(hashTree(path.join(tmp, 'fresh')));
  });
});

function readdirOne(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.endsWith('.md')).sort();
  return names[0]!;
}
