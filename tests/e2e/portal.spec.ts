/**
 * The built example portal (Northwind Robotics) in a real browser: the
 * dashboard, the way from a score card to a failing control and its failing
 * evidence, navigation, a policy page, the gaps page, and every page free of
 * console errors and CSP violations (checked for each test by the automatic
 * `pageProblems` fixture of test-utils.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { escapeRegExp, expect, failingControls, test } from './test-utils.ts';

/** Saves a full-page screenshot under the test's output folder and attaches it to the report. */
async function keepScreenshot(page: Page, name: string, testInfo: TestInfo) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** The exact control id inside a `.ctl-id` span. */
function ctlId(scope: Page | Locator, id: string): Locator {
  return scope.locator('.ctl-id', { hasText: new RegExp(`^${escapeRegExp(id)}$`) });
}

test.describe('dashboard', () => {
  test('shows a score card for every framework in the report', async ({ page, site }, testInfo) => {
    const response = await page.goto('./');
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1')).toHaveText(`${site.report.organization} compliance dashboard`);

    const cards = page.getByRole('region', { name: 'Frameworks' }).locator('article.card');
    await expect(cards).toHaveCount(site.report.frameworks.length);
    expect(site.report.frameworks.length).toBeGreaterThan(0);
    for (const fw of site.report.frameworks) {
      const card = cards.filter({ has: page.getByRole('link', { name: fw.name, exact: true }) });
      await expect(card).toHaveCount(1);
      await expect(card.locator('.score-value')).toHaveText(`${(fw.summary.score * 100).toFixed(1)}%`);
      await expect(card).toContainText(`${fw.summary.counts.passing} of ${fw.summary.applicable} applicable controls`);
      await expect(card.getByRole('img', { name: new RegExp(`^${escapeRegExp(fw.name)} control status: `) })).toHaveCount(1);
    }
    await keepScreenshot(page, 'dashboard', testInfo);
  });

  test('"Most urgent" starts with failing controls and links to them', async ({ page, site }) => {
    const failing = site.report.frameworks.flatMap((fw) => fw.controls.filter((c) => c.status === 'failing').map((c) => ({ fw, c })));
    expect(failing.length, 'the example workspace has failing controls').toBeGreaterThan(0);

    await page.goto('./');
    const rows = page.getByRole('region', { name: 'Most urgent' }).locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    const first = rows.first();
    await expect(first.locator('.badge')).toHaveText(/Failing/);
    const id = (await first.locator('.ctl-id').textContent())!;
    expect(failing.map((f) => f.c.id)).toContain(id);

    await first.getByRole('link').click();
    await expect(page).toHaveURL(/\/controls\/[^/]+\/[^/]+\/$/);
    await expect(ctlId(page.locator('h1'), id)).toHaveCount(1);
    await expect(page.locator('.status-line .badge')).toHaveText(/Failing/);
  });
});

test('a failing control is reachable from the dashboard and shows its failing evidence', async ({ page, site }, testInfo) => {
  const picks = failingControls(site.report);
  expect(picks.length, 'report.json has a failing control with a failing resource in its sample').toBeGreaterThan(0);
  const { framework, control, check, source, resource } = picks[0]!;

  // Dashboard -> framework card -> matrix row -> control page, by clicking.
  await page.goto('./');
  await page.getByRole('region', { name: 'Frameworks' }).getByRole('link', { name: framework.name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/frameworks/${escapeRegExp(framework.id)}/$`));
  await expect(page.locator('h1')).toHaveText(framework.name);

  const row = page.locator('table.matrix tbody tr').filter({ has: ctlId(page, control.id) });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'failing');
  await expect(row.locator('.badge')).toHaveText(/Failing/);
  await row.getByRole('link', { name: new RegExp(`^${escapeRegExp(control.id)} `) }).click();

  await expect(page).toHaveURL(new RegExp(`/controls/${escapeRegExp(framework.id)}/[^/]+/$`));
  await expect(ctlId(page.locator('h1'), control.id)).toHaveCount(1);
  await expect(page.locator('h1')).toContainText(control.title);
  await expect(page.locator('.status-line .badge')).toHaveText(/Failing/);
  await expect(page.getByRole('region', { name: 'Why this status' })).toContainText('Failing evidence');

  // The failing evidence: the source, the check and the failing resource from report.json.
  const evidence = page.getByRole('region', { name: 'Evidence' });
  await expect(evidence).toContainText(`${control.evidence.fail} fail`);
  const sourceBlock = evidence.locator('article.evidence-source').filter({ has: page.getByRole('link', { name: source.title, exact: true }) });
  await expect(sourceBlock).toHaveCount(1);
  const failingItem = sourceBlock.locator('ul.failing li').filter({ has: page.locator('code', { hasText: new RegExp(`^${escapeRegExp(check.check)}$`) }) });
  await expect(failingItem.locator('.resource', { hasText: new RegExp(`^${escapeRegExp(resource)}$`) })).toHaveCount(1);

  await keepScreenshot(page, 'failing-control', testInfo);
});

test('every link of the main navigation opens a page with a heading', async ({ page, site }) => {
  await page.goto('./');
  const nav = page.getByRole('navigation', { name: 'Main' });
  const links = await nav.getByRole('link').evaluateAll((as) => as.map((a) => ({ name: a.textContent!.trim(), href: (a as HTMLAnchorElement).href })));
  // The core sections are there; whatever else the nav holds is checked the same way.
  expect(links.map((l) => l.name)).toEqual(expect.arrayContaining(['Dashboard', 'Frameworks', 'Policies', 'Evidence', 'Gaps', 'Exceptions']));
  expect(new Set(links.map((l) => l.href)).size, 'no two nav items point at the same page').toBe(links.length);

  for (const { name, href } of links) {
    expect(href.startsWith(site.url), `${name} stays on the site`).toBe(true);
    await page.goto('./');
    const response = page.waitForResponse((r) => r.url() === href);
    await nav.getByRole('link', { name, exact: true }).click();
    expect((await response).status(), `${name} (${href})`).toBe(200);
    await expect(page).toHaveURL(href);
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.locator('h1')).not.toBeEmpty();
    await expect(nav.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
  }

  // The footer's report.json link serves the machine-readable report.
  const reportHref = await page.locator('footer').getByRole('link', { name: 'report.json' }).getAttribute('href');
  const report = await page.request.get(reportHref!);
  expect(report.status()).toBe(200);
  expect(report.headers()['content-type']).toMatch(/^application\/json/);
  expect((await report.json()).organization).toBe(site.report.organization);
});

test('the POL-AC policy page renders its Markdown with headings, tables and contents', async ({ page, site }) => {
  const policy = site.report.policies.find((p) => p.id === 'POL-AC');
  expect(policy, 'POL-AC is in report.json').toBeDefined();

  await page.goto('policies/');
  await page.locator('main').getByRole('link', { name: policy!.title, exact: true }).click();
  await expect(page.locator('h1')).toHaveText(policy!.title);

  const body = page.locator('article.policy-body');
  // GitHub-flavoured tables become real tables with header cells.
  const tables = body.locator('table');
  expect(await tables.count()).toBeGreaterThan(0);
  await expect(tables.first().locator('th').first()).not.toBeEmpty();
  expect(await tables.first().locator('tbody tr').count()).toBeGreaterThan(0);
  // Headings carry ids; no Markdown syntax is left as text.
  const headings = body.locator('h2, h3, h4');
  expect(await headings.count()).toBeGreaterThan(1);
  for (const h of await headings.all()) await expect(h).toHaveAttribute('id', /^[a-z0-9-]+$/);
  const text = await body.innerText();
  expect(text).not.toMatch(/^\s*#{1,6}\s/m);
  expect(text).not.toContain('|---');

  // The table of contents points at those headings, each id exactly once on the page.
  const toc = page.getByRole('navigation', { name: 'Contents' }).getByRole('link');
  const tocCount = await toc.count();
  expect(tocCount).toBeGreaterThan(1);
  expect(tocCount).toBe(await headings.count());
  for (const link of await toc.all()) {
    const target = (await link.getAttribute('href'))!;
    expect(target).toMatch(/^#./);
    const id = decodeURIComponent(target.slice(1));
    await expect(page.locator(`[id="${id}"]`)).toHaveCount(1);
    await expect(body.locator(`[id="${id}"]`)).toHaveText((await link.textContent())!);
  }
  const last = toc.last();
  const lastId = (await last.getAttribute('href'))!.slice(1);
  await last.click();
  await expect(page).toHaveURL(new RegExp(`#${escapeRegExp(lastId)}$`));
  await expect(page.locator(`[id="${lastId}"]`)).toBeInViewport();

  // And it lists the controls it covers.
  await expect(page.getByRole('region', { name: /Controls this .* covers/ }).locator('tbody tr')).toHaveCount(policy!.controls.length);
});

test('the gaps page lists every applicable control that is not passing', async ({ page, site }) => {
  const expected = new Set(
    site.report.frameworks.flatMap((fw) => fw.controls.filter((c) => c.status !== 'passing' && c.status !== 'not-applicable').map((c) => `${fw.name} ${c.id}`)),
  );
  expect(expected.size).toBeGreaterThan(0);

  await page.goto('./');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gaps', exact: true }).click();
  await expect(page.locator('h1')).toHaveText('Gaps and remediation queue');
  await expect(page.locator('.lede')).toContainText(`${expected.size} applicable controls are not passing`);

  const rows = page.locator('main section table tbody tr').filter({ has: page.locator('.ctl-id') });
  const listed = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.children[1]!.textContent!.trim()} ${tr.querySelector('.ctl-id')!.textContent!.trim()}`));
  expect(new Set(listed)).toEqual(expected);

  // A gap (no evidence, no policy, ...) links to its control page with the same status.
  const gap = site.report.frameworks.flatMap((fw) => fw.controls.filter((c) => c.status === 'gap').map((c) => ({ fw, c })))[0];
  expect(gap, 'the example workspace has a control with status gap').toBeDefined();
  const row = rows.filter({ has: ctlId(page, gap!.c.id) }).filter({ hasText: gap!.fw.name }).first();
  await expect(row.locator('.badge')).toHaveText(/Gap/);
  await row.getByRole('link', { name: new RegExp(`^${escapeRegExp(gap!.c.id)} `) }).click();
  await expect(ctlId(page.locator('h1'), gap!.c.id)).toHaveCount(1);
  await expect(page.locator('.status-line .badge')).toHaveText(/Gap/);
});

/**
 * Every page of the site, in four shards so workers share the load: status 200,
 * one non-empty h1, and every link to the site itself resolves to a built file
 * (and an element with the id when it has a fragment). Console errors and CSP
 * violations fail the test through the pageProblems fixture.
 */
const SHARDS = 4;
for (let shard = 0; shard < SHARDS; shard++) {
  test(`every page loads cleanly and its links resolve (shard ${shard + 1}/${SHARDS})`, async ({ page, site }) => {
    expect(site.pages.length).toBeGreaterThan(10);
    const mine = site.pages.filter((_, i) => i % SHARDS === shard);
    // A ceiling, not a budget: generous so that a loaded CI machine does not time out.
    test.setTimeout(30_000 + mine.length * 3_000);
    const html = new Map<string, Promise<string | null>>();
    const fileFor = (pathname: string) => path.join(site.outDir, decodeURIComponent(pathname), pathname.endsWith('/') ? 'index.html' : '');
    const read = (file: string) => {
      if (!html.has(file)) html.set(file, readFile(file, 'utf8').catch(() => null));
      return html.get(file)!;
    };

    for (const rel of mine) {
      const response = await page.goto(rel);
      expect(response?.status(), `/${rel}`).toBe(200);
      await expect(page.locator('h1'), `/${rel} has one h1`).toHaveCount(1);
      await expect(page.locator('h1')).not.toBeEmpty();

      const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of new Set(hrefs)) {
        const url = new URL(href);
        if (url.origin !== new URL(site.url).origin) continue;
        const file = fileFor(url.pathname);
        const content = await read(file);
        expect(content, `/${rel} links to ${url.pathname}, which was not built`).not.toBeNull();
        if (url.hash.length > 1) {
          const id = decodeURIComponent(url.hash.slice(1));
          expect(content!.includes(`id="${id}"`), `/${rel} links to ${url.pathname}${url.hash}, which has no element with that id`).toBe(true);
        }
      }
    }
  });
}

test('the problem detector catches a CSP violation (so a clean run means something)', async ({ page, pageProblems }) => {
  await page.route('**/__csp-probe/', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'"><style>h1{color:red}</style></head><body><h1>probe</h1></body></html>`,
    }),
  );
  await page.goto('__csp-probe/');
  await expect(page.locator('h1')).toHaveText('probe');
  await expect.poll(() => pageProblems.join('\n')).toContain('CSP violation: style-src');
  // Expected here; the automatic check at the end of the test must not fail on it.
  pageProblems.length = 0;
});

test.describe('static server', () => {
  test('serves index.html for folders, typed files, and nothing outside the site', async ({ site }) => {
    const get = (p: string) => fetch(new URL(p, site.url), { redirect: 'manual' });

    const index = await get('');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const indexHtml = await index.text();
    expect(indexHtml).toContain('<h1>');

    const folder = await get('gaps');
    expect(folder.status).toBe(301);
    expect(folder.headers.get('location')).toBe('/gaps/');

    const cssPath = indexHtml.match(/href="\/(_astro\/[^"]+\.css)"/)?.[1];
    expect(cssPath, 'the dashboard links a stylesheet').toBeTruthy();
    const style = await get(cssPath!);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');

    expect((await get('report.json')).headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await get('no-such-page/')).status).toBe(404);
    // fetch() normalises "../", so the escape attempts are encoded.
    expect((await get('..%2f..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('%2e%2e%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('gaps%00/')).status).toBe(400);
  });
});
