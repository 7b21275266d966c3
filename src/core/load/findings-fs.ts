/**
 * Writes every evidence row as paginated HTML table rows (one file per page of one
 * evidence file) while ingestion streams, so that the site can list millions of
 * findings without holding them: memory is one page. The rows are rendered here,
 * in the worker threads, so the build only wraps each page in the site's shell.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingsPageFile, FindingsPageRef, RowSink } from '../evidence/ingest.ts';
import { findingRowHtml } from '../view/findings-html.ts';

/** Rows per findings page. */
export const FINDINGS_PAGE_SIZE = 1000;

/** A sink writing the rows of one evidence file into `dir` as 1.html, 2.html... */
export function findingsSink(dir: string, pageSize = FINDINGS_PAGE_SIZE): RowSink {
  mkdirSync(dir, { recursive: true });
  let page: string[] = [];
  let written = 0;
  const pages: FindingsPageFile[] = [];
  const flush = () => {
    const file = path.join(dir, `${pages.length + 1}.html`);
    writeFileSync(file, page.join(''));
    pages.push({ path: file, first: written + 1, rows: page.length });
    written += page.length;
    page = [];
  };
  return {
    write(rec) {
      page.push(findingRowHtml(rec, written + page.length + 1));
      if (page.length >= pageSize) flush();
    },
    async close() {
      if (page.length) flush();
      return { pages };
    },
  };
}

/** Index of the pages of each source, written by the pipeline for the site. */
export function writeFindingsIndex(dir: string, index: Record<string, FindingsPageRef[]>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
}

let cachedIndex: { dir: string; index: Record<string, FindingsPageRef[]> } | undefined;

/** Where one page (1-based) of a source's findings is, and which evidence file its rows come from. */
export function findingsPageRef(dir: string, sourceId: string, page: number): FindingsPageRef {
  if (cachedIndex?.dir !== dir) cachedIndex = { dir, index: JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Record<string, FindingsPageRef[]> };
  const ref = cachedIndex.index[sourceId]?.[page - 1];
  if (!ref) throw new Error(`No findings page ${page} for source ${sourceId}`);
  return ref;
}

