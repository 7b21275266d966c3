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

/** A sink writing the rows of one evidence file into `dir` as 1.json, 2.json... */
export function findingsSink(dir: string, pageSize = FINDINGS_PAGE_SIZE): RowSink {
  mkdirSync(dir, { recursive: true });
  let page: FindingRow[] = [];
  const files: string[] = [];
  const flush = () => {
    const file = path.join(dir, `${files.length + 1}.json`);
    writeFileSync(file, JSON.stringify(page));
    files.push(file);
    page = [];
  };
  return {
    write(row) {
      page.push(row);
      if (page.length >= pageSize) flush();
    },
    async close() {
      if (page.length) flush();
      return { files };
    },
  };
}

/** Index of page files per source, written by the pipeline for the site. */
export function writeFindingsIndex(dir: string, index: Record<string, string[]>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
}

let cachedIndex: { dir: string; index: Record<string, string[]> } | undefined;

/** Reads one page (1-based) of a source's findings. */
export function readFindingsPage(dir: string, sourceId: string, page: number): FindingRow[] {
  if (cachedIndex?.dir !== dir) cachedIndex = { dir, index: JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Record<string, string[]> };
  const file = cachedIndex.index[sourceId]?.[page - 1];
  if (!file) throw new Error(`No findings page ${page} for source ${sourceId}`);
  return JSON.parse(readFileSync(file, 'utf8')) as FindingRow[];
}
