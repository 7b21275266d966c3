/**
 * Findings pages without Astro: the site's page shell (rendered once by Astro from
 * src/pages/findings-template.astro) around one page of rows. Rows are rendered while
 * ingestion streams (findingRowHtml, every value escaped); the build writes each page as
 * the parts around them (findingsPageParts) and the rows' bytes, so memory is one page.
 */
import { escape } from 'html-escaper';
import type { EvidenceRecord } from '../evidence/types.ts';

export interface FindingsPageInput {
  sourceTitle: string;
  /** Site-root-relative links with the base applied. */
  sourceHref: string;
  pageHref: (n: number) => string;
  page: number;
  pages: number;
  /** The evidence file the page's rows come from (workspace-relative). */
  file: string;
  /** 1-based number, within the file, of the page's first row. */
  first: number;
  /** Rows on this page. */
  rows: number;
  /** Rows listed on all pages of the source (rows read, less those a `where:` filter skipped). */
  total: number;
  skipped: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * One table row. Written while ingestion streams (in the worker threads), so that a page is
 * later the shell, a header and these rows as they are: `#` is the row's number within its
 * evidence file, a citation that stays the same when other files of the source change.
 */
export function findingRowHtml(rec: EvidenceRecord, rowNumber: number): string {
  // The tool's own word only when it says more than the normalised result (not for PASS vs pass).
  const raw = rec.rawResult !== undefined && rec.rawResult.toLowerCase() !== rec.result ? ` <span class="muted">(${escape(rec.rawResult)})</span>` : '';
  const times = rec.count !== undefined && rec.count !== 1 ? ` <span class="muted">× ${n(rec.count)}</span>` : '';
  // No classes on the cells: the page's stylesheet styles the columns by position (.findings td:nth-child).
  return `<tr><td>${rowNumber}</td><td>${escape(rec.check)}</td><td>${escape(rec.result)}${raw}${times}</td><td>${escape(rec.resource ?? '')}</td><td>${escape(rec.severity ?? '')}</td><td>${escape(rec.message ?? '')}</td><td>${rec.line ? rec.line : ''}</td></tr>\n`;
}

/** The page around its rows: everything before them and everything after. */
export function findingsPageParts(shell: string, p: FindingsPageInput): [before: string, after: string] {
  const out: string[] = [];
  const skipped = p.skipped ? ` (${n(p.skipped)} more rows were skipped by the source's filter and are not listed)` : '';
  out.push(`<p>Rows ${n(p.first)}–${n(p.first + p.rows - 1)} of <code>${escape(p.file)}</code>, in the order they were read. The source lists ${n(p.total)} rows on ${n(p.pages)} pages${skipped}.</p>`);
  const pager: string[] = ['<nav class="pager" aria-label="Pages">'];
  if (p.page > 1) pager.push(`<a href="${escape(p.pageHref(p.page - 1))}" rel="prev">← Previous</a>`);
  pager.push(`<span>Page ${p.page} of ${p.pages}</span>`);
  if (p.page < p.pages) pager.push(`<a href="${escape(p.pageHref(p.page + 1))}" rel="next">Next →</a>`);
  pager.push('</nav>');
  out.push(pager.join(''));
  out.push('<table><thead><tr><th scope="col">#</th><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Resource</th><th scope="col">Severity</th><th scope="col">Message</th><th scope="col">Line</th></tr></thead><tbody>\n');
  const title = escape(`${p.sourceTitle}: findings, page ${p.page}`);
  // Function replacements: `$&` and friends in values must stay literal. The tokens stand where Astro put them (as text, so they are plain).
  const filled = shell
    .replaceAll('__FINDINGS_TITLE__', () => title)
    .replaceAll('__FINDINGS_SOURCE_HREF__', () => escape(p.sourceHref))
    .replaceAll('__FINDINGS_SOURCE_TITLE__', () => escape(p.sourceTitle));
  const at = filled.indexOf('__FINDINGS_BODY__');
  if (at < 0) throw new Error('The findings page shell has no __FINDINGS_BODY__ token');
  return [filled.slice(0, at) + out.join('\n'), `</tbody></table>${filled.slice(at + '__FINDINGS_BODY__'.length)}`];
}
