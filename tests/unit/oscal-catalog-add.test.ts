/**
 * The real `catalog:add` CLI (scripts/catalog-add.ts) in a child process on
 * temp workspaces: files written unchanged, the id, the count and the portal.yaml
 * advice printed; exit 2 with a clear message (never a stack trace) on bad input.
 */
import { cleanEnv } from '../helpers/cli.ts';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_CATALOGS_DIR } from '../helpers/adapter-harness.ts';
import { FIXTURES_DIR, REPO_ROOT, tempWorkspace } from '../helpers/fixtures.ts';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function catalogAdd(workspace: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'node',
      ['scripts/catalog-add.ts', ...args],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: cleanEnv({
          COMPLIANCE_WORKSPACE: workspace,
          NODE_OPTIONS: '',
        }),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

function expectNoStackTrace(run: CliRun) {
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all.split('\n').filter((l) => /^\s+at /.test(l))).toEqual([]);
  expect(all).not.toMatch(/\b(TypeError|RangeError|ReferenceError)\b|node:internal/);
}

const fixture = (name: string) => path.join(FIXTURES_DIR, 'oscal', name);
const PORTAL = 'organization: Test Co\nframeworks: [soc2]\n';

// Each run starts Node on TypeScript sources (about a second or two); several runs per test.
describe('npm run catalog:add', { timeout: 120_000 }, () => {
  it('adds a catalog unchanged under an id from its file name and prints the id, the count and the portal.yaml line', async () => {
    const ws = await tempWorkspace({ 'content/portal.yaml': PORTAL, 'downloads/Mini_Catalog-min.json': readFileSync(fixture('mini-catalog.json')) });
    try {
      const run = await catalogAdd(ws.root, [path.join(ws.root, 'downloads/Mini_Catalog-min.json')]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Added framework `mini-catalog` (OSCAL catalog): Mini catalog, version 1.0');
      expect(run.stdout).toContain('6 controls in 3 families (1 withdrawn left out)');
      expect(run.stdout).toContain('written to content/frameworks/mini-catalog.json');
      expect(run.stdout).toContain('  frameworks: [soc2, mini-catalog]');
      expect(run.stdout).toContain('    mini-catalog: [AC-1, AC-1(1)]');
      expect(await readFile(path.join(ws.root, 'content/frameworks/mini-catalog.json'), 'utf8')).toBe(readFileSync(fixture('mini-catalog.json'), 'utf8'));
      // Again: nothing to do, still exit 0.
      const again = await catalogAdd(ws.root, [path.join(ws.root, 'downloads/Mini_Catalog-min.json')]);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('content/frameworks/mini-catalog.json already holds this file');
    } finally {
      await ws.cleanup();
    }
  });

  it('a profile needs its catalog first (exit 2, located, nothing written); then it is resolved', async () => {
    const ws = await tempWorkspace({ 'content/portal.yaml': PORTAL });
    try {
      const first = await catalogAdd(ws.root, [fixture('mini-profile.json'), '--id', 'mini-baseline']);
      expect(first.status).toBe(2);
      expectNoStackTrace(first);
      expect(first.stderr).toContain(`${fixture('mini-profile.json')}:7:17  error catalog-invalid [profile.imports[0].href]: This profile imports \`mini-catalog.json\`, which is not in content/frameworks/.`);
      expect(first.stderr).toContain('saved as content/frameworks/mini-catalog.json');
      expect(first.stderr).toContain('catalog:add: ');
      expect(existsSync(path.join(ws.root, 'content/frameworks/mini-baseline.json'))).toBe(false);

      expect((await catalogAdd(ws.root, [fixture('mini-catalog.json')])).status).toBe(0);
      const second = await catalogAdd(ws.root, [fixture('mini-profile.json'), '--id', 'mini-baseline']);
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('Added framework `mini-baseline` (OSCAL profile): Mini profile, version 2.0');
      expect(second.stdout).toContain('2 controls in 2 families (1 withdrawn left out)');
      expect(second.stdout).toContain('resolved against content/frameworks/mini-catalog.json');
    } finally {
      await ws.cleanup();
    }
  });

  it('invalid input: not JSON, not OSCAL, a missing file, a bad id, a conflicting file — exit 2 with a clear message', async () => {
    const ws = await tempWorkspace({
      'content/portal.yaml': PORTAL,
      'notes.json': '# not JSON\n',
      'ssp.json': '{"system-security-plan": {"uuid": "x"}}',
      'content/frameworks/taken.yaml': 'id: taken\nname: T\nversion: 1\ncontrols:\n  - { id: T1, title: One }\n',
    });
    try {
      const cases: [string[], RegExp][] = [
        [[path.join(ws.root, 'notes.json')], /notes\.json:1:1 {2}error catalog-invalid: Invalid JSON: /],
        [[path.join(ws.root, 'ssp.json')], /This is an OSCAL system-security-plan, not a catalog or profile\./],
        [[path.join(ws.root, 'missing.json')], /^catalog:add: .*missing\.json does not exist\.$/m],
        [[fixture('mini-catalog.json'), '--id', 'bad id'], /`bad id` cannot be a framework id/],
        [[fixture('mini-catalog.json'), '--id', 'soc2'], /`soc2` is the id of a built-in framework/],
        [[fixture('mini-catalog.json'), '--id', 'taken'], /content\/frameworks\/taken\.yaml already defines/],
        [[], /which file or URL\?/],
      ];
      const runs = await Promise.all(cases.map(([args]) => catalogAdd(ws.root, args)));
      cases.forEach(([args, message], i) => {
        expect(runs[i]!.status, args.join(' ')).toBe(2);
        expect(runs[i]!.stderr, args.join(' ')).toMatch(message);
        expectNoStackTrace(runs[i]!);
      });
      // A different file under an existing id needs --force.
      await writeFile(path.join(ws.root, 'content/frameworks/mini-catalog.json'), '{"catalog": {}}');
      const clash = await catalogAdd(ws.root, [fixture('mini-catalog.json')]);
      expect(clash.status).toBe(2);
      expect(clash.stderr).toContain('content/frameworks/mini-catalog.json already exists with different content.');
      expect((await catalogAdd(ws.root, [fixture('mini-catalog.json'), '--force'])).status).toBe(0);
      expect(await readFile(path.join(ws.root, 'content/frameworks/mini-catalog.json'), 'utf8')).toBe(readFileSync(fixture('mini-catalog.json'), 'utf8'));
    } finally {
      await ws.cleanup();
    }
  });

  it('downloads from an http(s) URL with fetch; an HTTP error is exit 2', async () => {
    const body = readFileSync(fixture('mini-catalog.json'));
    const server = createServer((req, res) => {
      if (req.url === '/nist/Mini_catalog.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ws = await tempWorkspace({ 'content/portal.yaml': PORTAL });
    try {
      const ok = await catalogAdd(ws.root, [`${base}/nist/Mini_catalog.json`]);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('Added framework `mini-catalog`');
      expect(readFileSync(path.join(ws.root, 'content/frameworks/mini-catalog.json'))).toEqual(body);
      const missing = await catalogAdd(ws.root, [`${base}/nope.json`]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain(`cannot download ${base}/nope.json: HTTP 404`);
      expectNoStackTrace(missing);
    } finally {
      server.close();
      await ws.cleanup();
    }
  });

  it.skipIf(!existsSync(SHARED_CATALOGS_DIR) && !process.env.CI)('NIST SP 800-53 MODERATE resolved baseline: 287 controls', async () => {
    const ws = await tempWorkspace({ 'content/portal.yaml': PORTAL });
    try {
      const run = await catalogAdd(ws.root, [path.join(SHARED_CATALOGS_DIR, 'nist-800-53-rev5/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json'), '--id', 'nist-800-53-rev5']);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('287 controls in 18 families');
      expect(run.stdout).toContain('  frameworks: [soc2, nist-800-53-rev5]');
    } finally {
      await ws.cleanup();
    }
  });
});
