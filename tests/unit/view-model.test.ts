import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/load/pipeline-fs.ts';
import { priorityRank } from '../../src/core/status/compute-status.ts';
import { buildViewModel, loadViewModel, slugify, storeViewModel } from '../../src/core/view/view-model.ts';
import { REPO_ROOT } from '../helpers/adapter-harness.ts';

const now = new Date('2026-11-28T00:00:00Z');

async function exampleModel(base?: string) {
  const r = await runPipeline({ root: REPO_ROOT, now });
  expect(r.diagnostics.errors).toEqual([]);
  return { r, model: buildViewModel({ report: r.report!, workspace: r.workspace!, sources: r.sources!, ...(base ? { base } : {}) }) };
}

describe('view model (example workspace)', () => {
  it('is handed to Astro with shared controls and policies written once, and read back equal', async () => {
    const { model } = await exampleModel();
    const text = JSON.stringify(storeViewModel(model));
    expect(text.length).toBeLessThan(JSON.stringify(model).length * 0.8);
    const back = loadViewModel(JSON.parse(text));
    expect(back).toEqual(JSON.parse(JSON.stringify(model)));
    // References again, not copies: a gap lists the very control object of model.controls.
    const gap = back.gaps[0]!.controls[0]!;
    expect(back.controls.find((c) => c.key === gap.key)).toBe(gap);
    expect(back.frameworks[0]!.controls[0]).toBe(back.controls.find((c) => c.key === back.frameworks[0]!.controls[0]!.key));
  });

  it('has every in-scope control once, with unique, relative links', async () => {
    const { r, model } = await exampleModel();
    const total = r.report!.frameworks.reduce((n, f) => n + f.controls.length, 0);
    expect(model.controls).toHaveLength(total);
    const hrefs = model.controls.map((c) => c.href);
    expect(new Set(hrefs).size).toBe(hrefs.length);
    for (const h of [...hrefs, ...model.policies.map((p) => p.href), ...model.sources.map((s) => s.href)]) {
      expect(h).toMatch(/^[a-z0-9-]+\/([a-z0-9.-]+\/)*$/);
      expect(h.startsWith('/')).toBe(false);
    }
    expect(model.site.base).toBe('/');
    expect((await exampleModel('/sub/')).model.site.base).toBe('/sub/');
  });

  it('orders every gap group by policy priority, then failing results', async () => {
    const { model } = await exampleModel();
    expect(model.gaps.length).toBeGreaterThan(2);
    for (const g of model.gaps) {
      for (let i = 1; i < g.controls.length; i++) {
        const a = g.controls[i - 1]!;
        const b = g.controls[i]!;
        const ra = priorityRank(a.priority as never);
        const rb = priorityRank(b.priority as never);
        expect(ra < rb || (ra === rb && a.failingCount >= b.failingCount), `${g.reason}: ${a.id} before ${b.id}`).toBe(true);
      }
      // Every control in a group has that reason, and none is passing or not applicable.
      for (const c of g.controls) {
        expect(c.reasons.map((x) => x.code)).toContain(g.reason);
        expect(['passing', 'not-applicable']).not.toContain(c.status);
      }
    }
    const notPassing = model.controls.filter((c) => c.status !== 'passing' && c.status !== 'not-applicable');
    expect(model.gapCount).toBe(notPassing.length);
    expect(new Set(model.gaps.flatMap((g) => g.controls.map((c) => c.key)))).toEqual(new Set(notPassing.map((c) => c.key)));
  });

  it('renders policies with a table of contents and sanitised HTML, and links their controls with live status', async () => {
    const { model } = await exampleModel();
    const ac = model.policies.find((p) => p.id === 'POL-AC')!;
    expect(ac.toc.length).toBeGreaterThan(3);
    for (const t of ac.toc) expect(ac.html).toContain(`id="${t.id}"`);
    expect(ac.html).toContain('<table>');
    expect(ac.html).not.toMatch(/<script|onerror=|javascript:/i);
    expect(ac.controls.length).toBeGreaterThan(0);
    for (const c of ac.controls) {
      const ctl = model.controls.find((x) => x.framework === c.framework && x.id === c.id)!;
      expect(c.status).toBe(ctl.status);
      expect(ctl.policies.map((p) => p.id)).toContain('POL-AC');
    }
  });

  it('counts evidence per source on control pages as the report does', async () => {
    const { r, model } = await exampleModel();
    for (const fw of r.report!.frameworks) {
      for (const c of fw.controls) {
        const v = model.controls.find((x) => x.framework === fw.id && x.id === c.id)!;
        expect(v.status).toBe(c.status);
        expect(v.evidence.pass).toBe(c.evidence.pass);
        expect(v.evidence.fail).toBe(c.evidence.fail);
        expect(v.sources.map((s) => s.source.id).filter((id) => c.evidence.sources.includes(id)).sort()).toEqual([...c.evidence.sources].sort());
      }
    }
  });

  it('tools coverage: a policy is enforced by a source when the source reports on one of its controls', async () => {
    const { model } = await exampleModel();
    const ac = model.coverage.policies.find((p) => p.policy.id === 'POL-AC')!;
    expect(ac.enforced).toBe(true);
    expect(Object.keys(ac.bySource)).toContain('okta-mfa');
    for (const p of model.coverage.policies) expect(p.enforced).toBe(Object.keys(p.bySource).length > 0);
  });

  it('slugify makes URL-safe slugs', () => {
    expect(slugify('A.5.15')).toBe('a-5-15');
    expect(slugify('AC-2(1)')).toBe('ac-2-1');
    expect(slugify('GV.OC-01')).toBe('gv-oc-01');
    expect(slugify('<script>')).toBe('script');
    expect(slugify('...')).toBe('item');
  });
});

describe('policy Markdown', async () => {
  const { renderMarkdown } = await import('../../src/core/parse/markdown.ts');
  const md = '## A\n\n<details><summary>More</summary>Hidden <kbd>Ctrl</kbd></details>\n\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[x](javascript:alert(3))\n';
  it('drops raw HTML by default', () => {
    const { html } = renderMarkdown(md);
    expect(html).not.toMatch(/<details|<script|onerror|javascript:/);
  });
  it('renders raw HTML when opted in, still sanitised to the allow-list', () => {
    const { html } = renderMarkdown(md, { rawHtml: true });
    expect(html).toContain('<details><summary>More</summary>');
    expect(html).toContain('<kbd>Ctrl</kbd>');
    expect(html).not.toMatch(/<script|onerror|javascript:/);
  });
});
