/**
 * Hostile evidence and policy text (tests/fixtures/hostile): script tags, event-handler
 * attributes, javascript: and data: URLs, template syntax and bidi overrides in every field
 * that reaches the site. Every page of that build is loaded in Chromium: no script of the
 * payloads runs, no dialog opens, no handler or javascript: link exists in the DOM.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildPortal, expect, REPO_ROOT, serveStatic, sitePages, test, type StaticServer } from './test-utils.ts';

let server: StaticServer;
let outDir: string;
let pages: string[];

test.beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  await buildPortal(path.join(REPO_ROOT, 'tests/fixtures/hostile'), outDir);
  server = await serveStatic(outDir);
  pages = await sitePages(outDir);
});

test.afterAll(async () => {
  await server?.close();
  await rm(outDir, { recursive: true, force: true });
});

test('the payloads are in the source data, so the checks below are not vacuous', async () => {
  const csv = await readFile(path.join(REPO_ROOT, 'tests/fixtures/hostile/evidence/scanner/findings.csv'), 'utf8');
  expect(csv).toContain("<script>alert('resource')</script>");
  const html = await readFile(path.join(outDir, 'evidence/scanner/index.html'), 'utf8');
  // Shown as text (escaped), not dropped.
  expect(html).toContain('&lt;script&gt;alert(');
});

test('no payload runs on any page: no dialog, no inline script, no handler attribute, no javascript: URL', async ({ page }) => {
  test.setTimeout(180_000);
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()} on ${page.url()}`);
    await d.dismiss();
  });
  await page.addInitScript(() => {
    (window as unknown as { __ran: string[] }).__ran = [];
    for (const name of ['alert', 'confirm', 'prompt'] as const) {
      const orig = window[name].bind(window);
      (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        (window as unknown as { __ran: string[] }).__ran.push(`${name}(${String(args[0])})`);
        return (orig as (...a: unknown[]) => unknown)(...args);
      };
    }
  });
  expect(pages.length).toBeGreaterThan(20);
  for (const p of pages) {
    const res = await page.goto(new URL(p, server.url).href);
    expect(res?.status(), p).toBe(200);
    const found = await page.evaluate(() => {
      const bad: string[] = [];
      for (const s of document.querySelectorAll('script')) if (!s.src) bad.push('inline <script>');
      for (const el of document.querySelectorAll('*')) {
        // Pagefind's own search form (not evidence) uses action="javascript:void(0);".
        if (el.matches('form.pagefind-ui__form') ) continue;
        for (const a of el.attributes) {
          if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
          if (['href', 'src', 'action', 'formaction', 'srcdoc'].includes(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
        }
      }
      for (const tag of ['iframe', 'object', 'embed', 'svg script', 'img[src="x"]']) if (document.querySelector(tag)) bad.push(tag);
      return { bad, ran: (window as unknown as { __ran: string[] }).__ran };
    });
    expect(found.bad, p).toEqual([]);
    expect(found.ran, p).toEqual([]);
  }
  expect(dialogs).toEqual([]);
});

test('CSV downloads neutralise formula injection', async () => {
  const csv = await readFile(path.join(outDir, 'frameworks/soc2/controls.csv'), 'utf8');
  for (const line of csv.split('\n').slice(1)) {
    for (const cell of line.split(',')) expect(cell, line).not.toMatch(/^["]?[=+\-@\t\r]/);
  }
  const sample = await readFile(path.join(outDir, 'evidence/scanner/sample.csv'), 'utf8');
  expect(sample).toContain("'"); // at least one cell was guarded
});
