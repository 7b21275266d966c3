/**
 * Writes every evidence row as paginated JSON files (one file per page) while
 * ingestion streams, so that the site can list millions of findings without
 * holding them: memory is one page.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingRow, RowSink } from '../evidence/ingest.ts';

/** Rows per findings page. */
export const FINDINGS_PAGE_SIZE = 1000;

export function findingsSink(dir: string, pageSize = FINDINGS_PAGE_SIZE): (sourceId: string) => RowSink {
  return (sourceId) => {
    const target = path.join(dir, sourceId);
    mkdirSync(target, { recursive: true });
    let page: FindingRow[] = [];
    let pages = 0;
    const flush = () => {
      pages++;
      writeFileSync(path.join(target, `${pages}.json`), JSON.stringify(page));
      page = [];
    };
    return {
      write(row) {
        page.push(row);
        if (page.length >= pageSize) flush();
      },
      async close() {
        if (page.length) flush();
        return { pages };
      },
    };
  };
}

/** Reads one page written by findingsSink (1-based). */
export function readFindingsPage(dir: string, sourceId: string, page: number): FindingRow[] {
  return JSON.parse(readFileSync(path.join(dir, sourceId, `${page}.json`), 'utf8')) as FindingRow[];
}
