/**
 * Worker thread entry: ingests evidence files sent by the pool (ingest-pool-fs.ts).
 * Everything it receives and returns is plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ControlIndex } from '../catalog/index.ts';
import { ingestFile, type FileSettings } from '../evidence/ingest.ts';
import type { Catalog } from '../schemas/catalog.ts';
import type { ExceptionFrontmatter } from '../schemas/exception.ts';
import { attachmentLookup, fileHandle } from './evidence-fs.ts';
import { findingsSink } from './findings-fs.ts';

export interface WorkerInit {
  root: string;
  catalogs: Catalog[];
  scope: string[];
  exceptions: ExceptionFrontmatter[];
}

export interface WorkerJob {
  id: number;
  file: string;
  settings: FileSettings;
  pagesDir?: string;
}

const init = workerData as WorkerInit;
const controls = new ControlIndex(init.catalogs, init.scope);

parentPort!.on('message', async (job: WorkerJob) => {
  try {
    const result = await ingestFile(fileHandle(init.root, job.file), job.settings, {
      controls,
      exceptions: init.exceptions,
      resolveAttachment: attachmentLookup(init.root, job.settings.dir),
      ...(job.pagesDir ? { rowSink: findingsSink(job.pagesDir) } : {}),
    });
    parentPort!.postMessage({ id: job.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).stack ?? String(e) });
  }
});
