/**
 * Browser-test plumbing: build a workspace once per test run with the real
 * build command, serve the output with a small static file server, and give
 * tests a `site` fixture plus an automatic check that no page logs a console
 * error, a CSP violation or a failed request.
 *
 * The default export is Playwright's globalSetup (see playwright.config.ts):
 * it runs once in the runner process, before any worker starts, and passes the
 * server URL and output folder to the workers through environment variables.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '@playwright/test';
import type { Report } from '../../src/core/report/report.ts';

export { expect };

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The fixed "now" of every e2e build, so statuses and ages are reproducible. */
export const E2E_NOW = '2026-11-28T00:00:00Z';

/** Environment variables the global setup hands to the workers. */
const ENV_URL = 'PORTAL_E2E_URL';
const ENV_OUT = 'PORTAL_E2E_OUT';

export interface BuildResult {
  /** The built site (COMPLIANCE_OUT). */
  outDir: string;
  /** What the build printed, for error messages and the run log. */
  log: string;
  ms: number;
}

/**
 * Builds `workspace` into `outDir` by running the real CLI (`node scripts/build.ts`)
 * with the repository's Node first on PATH. Rejects with the build's output when it
 * exits non-zero.
 */
export async function buildPortal(workspace: string, outDir: string, extraEnv: Record<string, string> = {}): Promise<BuildResult> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    COMPLIANCE_WORKSPACE: workspace,
    COMPLIANCE_OUT: outDir,
    COMPLIANCE_NOW: E2E_NOW,
    ASTRO_TELEMETRY_DISABLED: '1',
    ...extraEnv,
  };
  const child = spawn('node', ['scripts/build.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  if (code !== 0) {
    throw new Error(`The portal build of ${workspace} exited with ${code}:\n${log}`);
  }
  return { outDir, log, ms: performance.now() - started };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files under `dir` on 127.0.0.1 (a free port). Directory paths get
 * their index.html (a path without the trailing slash is redirected to it, like
 * static hosts do); anything that resolves outside `dir`, symlinks included, is
 * refused with 403.
 */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = await realpath(dir);
  const inside = (p: string) => p === root || p.startsWith(root + path.sep);

  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
      const url = new URL(req.url ?? '/', 'http://localhost');
      let rel: string;
      try {
        rel = decodeURIComponent(url.pathname);
      } catch {
        return send(400, 'bad path encoding\n');
      }
      if (rel.includes('\0')) return send(400, 'bad path\n');
      const target = path.resolve(root, `.${path.posix.sep}${rel}`);
      if (!inside(target)) return send(403, 'outside the served folder\n');

      let file = target;
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        if (!url.pathname.endsWith('/')) return send(301, 'moved\n', { location: `${url.pathname}/${url.search}` });
        file = path.join(target, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st?.isFile()) return send(404, 'not found\n');
      const real = await realpath(file);
      if (!inside(real)) return send(403, 'outside the served folder\n');

      res.writeHead(200, {
        'content-type': contentType(real),
        'content-length': st.size,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(real)
        .on('error', () => res.destroy())
        .pipe(res);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(500, `server error: ${String(e)}\n`);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every page of a built site as a path relative to the site root (`''`, `controls/soc2/cc6-6/`, ...), sorted. */
export async function sitePages(outDir: string): Promise<string[]> {
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name === 'index.html')
    .map((e) => path.relative(outDir, e.parentPath).split(path.sep).join('/'))
    .map((rel) => (rel ? `${rel}/` : ''))
    .sort();
}

/**
 * Playwright globalSetup: builds the workspace (PORTAL_E2E_WORKSPACE, else the
 * repository root, the example workspace) once and serves it for the whole run.
 * Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const workspace = path.resolve(process.env.PORTAL_E2E_WORKSPACE || REPO_ROOT);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portal-e2e-'));
  const outDir = path.join(tmp, 'site');
  try {
    const build = await buildPortal(workspace, outDir);
    process.stdout.write(`[e2e] built ${workspace} in ${(build.ms / 1000).toFixed(1)}s\n`);
    const server = await serveStatic(outDir);
    process.stdout.write(`[e2e] serving ${outDir} at ${server.url}\n`);
    process.env[ENV_URL] = server.url;
    process.env[ENV_OUT] = outDir;
    return async () => {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

export interface Site {
  /** Base URL with a trailing slash. */
  url: string;
  outDir: string;
  report: Report;
  /** Every page path, relative to the site root. */
  pages: string[];
}

interface TestFixtures {
  /**
   * Problems seen on the page during the test: console errors, uncaught
   * exceptions, CSP violations, failed requests and HTTP errors. Automatic:
   * a test fails when the list is not empty at its end.
   */
  pageProblems: string[];
}

export const test = base.extend<TestFixtures, { site: Site }>({
  site: [
    async ({}, use) => {
      const url = process.env[ENV_URL];
      const outDir = process.env[ENV_OUT];
      if (!url || !outDir) throw new Error(`${ENV_URL}/${ENV_OUT} are not set: run the browser tests with \`npx playwright test\` so the global setup in tests/e2e/test-utils.ts builds and serves the site.`);
      const report = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8')) as Report;
      await use({ url, outDir, report, pages: await sitePages(outDir) });
    },
    { scope: 'worker' },
  ],

  baseURL: async ({ site }, use) => {
    await use(site.url);
  },

  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      const where = () => page.url().replace(/^https?:\/\/[^/]+/, '');
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`console ${m.type()} on ${where()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`uncaught error on ${where()}: ${e.message}`));
      page.on('requestfailed', (r) => {
        const error = r.failure()?.errorText ?? 'unknown';
        // ERR_ABORTED is the browser cancelling a request, e.g. the favicon when the test
        // navigates on; a missing file still shows up below as an HTTP error.
        if (error !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} (${error})`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
      });
      // Chromium logs most CSP violations to the console; this catches every one
      // (report-only too) and says which directive was violated.
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.disposition})`);
        });
      });
      await use(problems);
      expect(problems, 'console errors, CSP violations or failed requests').toEqual([]);
    },
    { auto: true },
  ],
});

/** A failing control of the report with one of its failing resources, found through the evidence it maps to. */
export interface FailingPick {
  framework: Report['frameworks'][number];
  control: Report['frameworks'][number]['controls'][number];
  source: Report['sources'][number];
  check: Report['sources'][number]['checks'][number];
  resource: string;
}

export function failingControls(report: Report): FailingPick[] {
  const picks: FailingPick[] = [];
  for (const framework of report.frameworks) {
    for (const control of framework.controls) {
      if (control.status !== 'failing') continue;
      const key = `${framework.id}::${control.id}`;
      for (const source of report.sources) {
        for (const check of source.checks) {
          if (!check.controls.includes(key)) continue;
          const sample = check.failingSample.find((f) => f.result === 'fail');
          if (sample) picks.push({ framework, control, source, check, resource: sample.resource });
        }
      }
    }
  }
  return picks;
}

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
