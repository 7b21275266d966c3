/** Reads one page of findings written during ingestion (see core/load/findings-fs.ts). */
import { readFindingsPage } from './core/load/findings-fs.ts';
import type { FindingRow } from './core/evidence/ingest.ts';

export function findingsPage(sourceId: string, page: number): FindingRow[] {
  const dir = process.env.COMPLIANCE_FINDINGS_DIR;
  if (!dir) throw new Error('COMPLIANCE_FINDINGS_DIR is not set: build the portal with `npm run build`.');
  return readFindingsPage(dir, sourceId, page);
}
