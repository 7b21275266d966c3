/**
 * Findings pages without Astro: the site's page shell (rendered once by Astro from
 * src/pages/findings-template.astro) filled with one page of rows. Every value is
 * escaped; pages are written one at a time, so memory is one page.
 */
import { escape } from 'html-escaper';
import type { FindingRow } from '../evidence/ingest.ts';

export interface FindingsPageInput {
  sourceTitle: string;
  /** Site-root-relative links with the base applied. */
  sourceHref: string;
  pageHref: (n: number) => string;
  page: number;
  pages: number;
  /** 1-based number of the first row on this page. */
  first: number;
  /** Rows listed on all pages (rows read, less those a `where:` filter skipped). */
  total: number;
  skipped: number;
  rows: readonly FindingRow[];
}

const n = (x: number) => x.toLocaleString('en-US');

export function findingsBody(p: FindingsPageInput): string {
  const out: string[] = [];
  const skipped = p.skipped ? ` (${n(p.skipped)} more rows were skipped by the source's filter and are not listed)` : '';
  out.push(`<p>Rows ${n(p.first)}–${n(p.first + p.rows.length - 1)} of ${n(p.total)}, in the order they were read${skipped}.</p>`);
  const pager: string[] = ['<nav class="pager" aria-label="Pages">'];
  if (p.page > 1) pager.push(`<a href="${escape(p.pageHref(p.page - 1))}" rel="prev">← Previous</a>`);
  pager.push(`<span>Page ${p.page} of ${p.pages}</span>`);
  if (p.page < p.pages) pager.push(`<a href="${escape(p.pageHref(p.page + 1))}" rel="next">Next →</a>`);
  pager.push('</nav>');
  out.push(pager.join(''));
  out.push('<table><thead><tr><th scope="col">#</th><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Resource</th><th scope="col">Severity</th><th scope="col">Message</th><th scope="col">Location</th></tr></thead><tbody>');
  p.rows.forEach((r, i) => {
    const raw = r.rawResult !== undefined && r.rawResult !== r.result ? ` <span class="muted">(${escape(r.rawResult)})</span>` : '';
    out.push(
      `<tr><td>${n(p.first + i)}</td><td><code>${escape(r.check)}</code></td><td>${escape(r.result)}${raw}</td><td class="resource">${escape(r.resource ?? '')}</td><td>${escape(r.severity ?? '')}</td><td>${escape(r.message ?? '')}</td><td class="small"><code>${escape(r.file)}${r.line ? `:${r.line}` : ''}</code></td></tr>`,
    );
  });
  out.push('</tbody></table>');
  return out.join('\n');
}

/** Fills the shell: the tokens stand where Astro put them (as text, so they are plain). */
export function fillFindingsShell(shell: string, p: FindingsPageInput): string {
  const title = escape(`${p.sourceTitle}: findings, page ${p.page}`);
  // Function replacements: `$&` and friends in values must stay literal.
  return shell
    .replaceAll('__FINDINGS_TITLE__', () => title)
    .replaceAll('__FINDINGS_SOURCE_HREF__', () => escape(p.sourceHref))
    .replaceAll('__FINDINGS_SOURCE_TITLE__', () => escape(p.sourceTitle))
    .replace('__FINDINGS_BODY__', () => findingsBody(p));
}
