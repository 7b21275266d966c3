/** Findings pages: rows rendered while ingestion streams (load/findings-fs.ts), then wrapped in the shell (view/findings-html.ts). */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceRecord } from '../../src/core/evidence/types.ts';
import { findingsPageRef, findingsSink, writeFindingsIndex } from '../../src/core/load/findings-fs.ts';
import { findingsPageParts } from '../../src/core/view/findings-html.ts';

/** One page of a source's findings as the build reads it: where its rows come from, and the rows' HTML. */
function readFindingsPage(dir: string, sourceId: string, page: number) {
  const ref = findingsPageRef(dir, sourceId, page);
  return { ...ref, rowsHtml: readFileSync(ref.path, 'utf8') };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('findings pages', () => {
  it('split a file into pages numbered within the file, escape every value and show summary counts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'findings-'));
    dirs.push(dir);
    const sink = findingsSink(path.join(dir, 'f0'), 4);
    const recs: EvidenceRecord[] = Array.from({ length: 10 }, (_, i) => ({ check: `c${i}`, result: i % 2 ? 'fail' : 'pass', resource: `r${i}`, line: i + 2 }));
    recs[3] = { check: '<img src=x onerror=alert(1)>', result: 'fail', rawResult: 'FAIL"><script>', message: '=HYPERLINK("x")&amp;', line: 5 };
    recs[9] = { check: 'summary', result: 'pass', count: 12345 };
    for (const r of recs) sink.write(r);
    const { pages } = await sink.close();
    expect(pages.map((p) => [path.basename(p.path), p.first, p.rows])).toEqual([['1.html', 1, 4], ['2.html', 5, 4], ['3.html', 9, 2]]);
    expect((await readdir(path.join(dir, 'f0'))).sort()).toEqual(['1.html', '2.html', '3.html']);

    writeFindingsIndex(dir, { src: pages.map((p) => ({ ...p, file: 'evidence/scan/a&b.csv' })) });
    const first = readFindingsPage(dir, 'src', 1);
    expect(first.rowsHtml.match(/<tr>/g)).toHaveLength(4);
    expect(first.rowsHtml).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(first.rowsHtml).not.toContain('<img');
    expect(first.rowsHtml).not.toContain('<script>');
    expect(first.rowsHtml).toContain('=HYPERLINK(&quot;x&quot;)&amp;amp;');
    expect(first.rowsHtml).toContain('FAIL&quot;&gt;&lt;script&gt;');
    const last = readFindingsPage(dir, 'src', 3);
    expect(last.rowsHtml).toMatch(/<tr><td>10<\/td><td>summary<\/td><td>pass <span class="muted">× 12,345<\/span>/);
    expect(() => readFindingsPage(dir, 'src', 4)).toThrow(/No findings page 4/);

    const shell = '<title>__FINDINGS_TITLE__</title><a href="__FINDINGS_SOURCE_HREF__">__FINDINGS_SOURCE_TITLE__</a><main>__FINDINGS_BODY__</main>';
    // As the build writes it: the parts around the rows, and the rows' bytes between them.
    const [before, after] = findingsPageParts(shell, { sourceTitle: 'Scan $& <b>', sourceHref: '/evidence/scan/', pageHref: (n) => `/evidence/scan/findings/${n}/`, page: 2, pages: 3, file: last.file, first: 5, rows: 4, total: 12354, skipped: 0 });
    const html = before + readFindingsPage(dir, 'src', 2).rowsHtml + after;
    expect(html).toContain('<title>Scan $&amp; &lt;b&gt;: findings, page 2</title>');
    expect(html).toContain('Rows 5–8 of <code>evidence/scan/a&amp;b.csv</code>');
    expect(html).toContain('rel="prev"');
    expect(html).toContain('rel="next"');
    expect(html).toContain('<tr><td>5</td>');
  });
});
