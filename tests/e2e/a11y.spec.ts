/**
 * WCAG 2.2 AA: an axe-core sweep (through Playwright) of one page of every page type,
 * in light and dark colour schemes and at phone width; plus the progressive
 * enhancements: the matrix filter and full-text search.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './test-utils.ts';

/** One page per page type of the example portal. */
const pageTypes = [
  '',
  'frameworks/',
  'frameworks/soc2/',
  'controls/soc2/cc6-1/',
  'policies/',
  'policies/pol-ac/',
  'evidence/',
  'evidence/okta-mfa/',
  'evidence/okta-mfa/findings/1/',
  'gaps/',
  'exceptions/',
  'coverage/',
  'soa/',
  'changes/',
  'search/',
  'print/soc2/',
];

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${scheme} scheme`, () => {
    test.use({ colorScheme: scheme });
    for (const path of pageTypes) {
      test(`/${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
        const response = await page.goto(`./${path}`);
        expect(response?.status()).toBe(200);
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
        const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        expect(summary).toEqual([]);
      });
    }
  });
}

test('phone width: the dashboard and a control page have no horizontal scroll of the page itself', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ['', 'controls/soc2/cc6-1/', 'frameworks/soc2/']) {
    await page.goto(`./${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `/${path}`).toBeLessThanOrEqual(1);
  }
});

test('the control matrix filters by status, family and text (and works without JavaScript)', async ({ page, site, browser }) => {
  const fw = site.report.frameworks.find((f) => f.id === 'soc2')!;
  await page.goto('./frameworks/soc2/');
  const rows = page.locator('table.matrix tbody tr');
  await expect(rows).toHaveCount(fw.controls.length);
  await page.selectOption('select[name=status]', 'failing');
  const failing = fw.controls.filter((c) => c.status === 'failing').length;
  await expect(page.locator('table.matrix tbody tr:not([hidden])')).toHaveCount(failing);
  await expect(page.locator('[data-count]')).toHaveText(`${failing} of ${fw.controls.length} controls shown`);
  await page.selectOption('select[name=status]', '');
  await page.fill('input[name=q]', 'CC6.1');
  await expect(page.locator('table.matrix tbody tr:not([hidden])')).toHaveCount(fw.controls.filter((c) => c.id.includes('CC6.1')).length || 1);
  await page.fill('input[name=q]', '');
  const family = fw.controls.find((c) => c.family)!.family!;
  await page.selectOption('select[name=family]', family);
  await expect(page.locator('table.matrix tbody tr:not([hidden])')).toHaveCount(fw.controls.filter((c) => c.family === family).length);

  // Without JavaScript the whole table is there and the (useless) filter form stays hidden.
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: site.url });
  const noJs = await context.newPage();
  await noJs.goto('./frameworks/soc2/');
  await expect(noJs.locator('table.matrix tbody tr')).toHaveCount(fw.controls.length);
  await expect(noJs.locator('form[data-matrix-filter]')).toBeHidden();
  await context.close();
});

test('search finds a policy by a word in its body, offline from the built site', async ({ page }) => {
  await page.goto('./search/');
  await page.fill('.pagefind-ui__search-input', 'tailgating visitors');
  await page.fill('.pagefind-ui__search-input', 'visitors');
  const first = page.locator('.pagefind-ui__result-link').first();
  await expect(first).toBeVisible({ timeout: 10_000 });
  const titles = await page.locator('.pagefind-ui__result-link').allTextContents();
  expect(titles).toContain('Physical Security Policy');
  await page.locator('.pagefind-ui__result-link', { hasText: 'Physical Security Policy' }).first().click();
  await expect(page).toHaveURL(/\/policies\/pol-ps\//);
});
