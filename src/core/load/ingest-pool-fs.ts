/**
 * Runs file ingestion on worker threads (both cores) with a content-addressed
 * cache, or inline for small inputs. Results come back in job order, so the
 * output is identical to a serial run.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ControlIndex } from '../catalog/index.ts';
import { INGEST_VERSION, ingestFile, type FileIngest, type FileSettings } from '../evidence/ingest.ts';
import type { ExceptionFrontmatter } from '../schemas/exception.ts';
import { attachmentLookup, fileHandle } from './evidence-fs.ts';
import { findingsSink, FINDINGS_PAGE_SIZE } from './findings-fs.ts';
import type { WorkerInit, WorkerJob } from './ingest-worker.ts';

export interface FileJob {
  file: string;
  settings: FileSettings;
}

export interface PoolOptions {
  root: string;
  controls: ControlIndex;
  exceptions: readonly ExceptionFrontmatter[];
  /** Write findings pages (needed by the site; `check` does not). */
  pages: boolean;
  /** Where pages are written when there is no cache. */
  findingsDir?: string;
  /** Content-addressed cache folder; none: no cache. */
  cacheDir?: string;
  /** Worker threads; 0: inline. Default: one per core when the evidence is large enough to pay for them. */
  workers?: number;
}

/** Below this much evidence, starting workers costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;

export interface PoolStats {
  files: number;
  cached: number;
  workers: number;
}

export async function ingestFiles(jobs: readonly FileJob[], options: PoolOptions): Promise<{ results: FileIngest[]; stats: PoolStats }> {
  const sizes = await Promise.all(jobs.map((j) => stat(path.join(options.root, j.file)).catch(() => undefined)));
  const results: (FileIngest | undefined)[] = new Array(jobs.length);
  const todo: number[] = [];
  const keys: (string | undefined)[] = [];
  const settingsDigest = new Map<string, string>();
  const catalogDigest = digest(JSON.stringify(options.controls.scope) + [...options.controls.catalogs.values()].map((c) => `${c.id}:${c.version}:${c.controls.map((x) => x.id).join(',')}`).join('|'));
  const exceptionsDigest = digest(JSON.stringify(options.exceptions));
  const codeDigest = options.cacheDir ? await evidenceCodeDigest() : '';
  let cached = 0;
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    const st = sizes[i];
    if (!options.cacheDir || !st) {
      todo.push(i);
      continue;
    }
    let sd = settingsDigest.get(job.settings.sourceId);
    if (!sd) {
      sd = digest(JSON.stringify({ v: INGEST_VERSION, code: codeDigest, s: job.settings, e: exceptionsDigest, c: catalogDigest, p: FINDINGS_PAGE_SIZE }));
      settingsDigest.set(job.settings.sourceId, sd);
    }
    const key = digest(`${sd}\u0000${job.file}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ino}`);
    keys[i] = key;
    const hit = await readCache(options.cacheDir, key, path.join(options.root, job.file), options.pages);
    if (hit) {
      results[i] = hit;
      cached++;
    } else todo.push(i);
  }
  const pagesDirFor = (i: number) => {
    if (!options.pages) return undefined;
    if (options.cacheDir && keys[i]) return path.join(options.cacheDir, 'findings', keys[i]!);
    return options.findingsDir ? path.join(options.findingsDir, String(i)) : undefined;
  };
  for (const i of todo) {
    const dir = pagesDirFor(i);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  const bytes = todo.reduce((n, i) => n + (sizes[i]?.size ?? 0), 0);
  const wanted = options.workers ?? (bytes >= WORKER_THRESHOLD_BYTES && todo.length > 1 ? Math.min(os.availableParallelism(), 4) : 0);
  const workers = Math.min(wanted, todo.length);
  if (workers <= 0) {
    for (const i of todo) {
      const job = jobs[i]!;
      const dir = pagesDirFor(i);
      results[i] = await ingestFile(fileHandle(options.root, job.file), job.settings, {
        controls: options.controls,
        exceptions: options.exceptions,
        resolveAttachment: attachmentLookup(options.root, job.settings.dir),
        ...(dir ? { rowSink: findingsSink(dir) } : {}),
      });
    }
  } else {
    // Largest files first, so that both cores finish at about the same time.
    const order = [...todo].sort((a, b) => (sizes[b]?.size ?? 0) - (sizes[a]?.size ?? 0) || a - b);
    await runWorkers(order, workers, options, (i) => ({ id: i, file: jobs[i]!.file, settings: jobs[i]!.settings, ...(pagesDirFor(i) ? { pagesDir: pagesDirFor(i)! } : {}) }), (i, r) => (results[i] = r));
  }
  if (options.cacheDir) {
    for (const i of todo) {
      const r = results[i];
      if (r && keys[i] && !r.diagnostics.some((d) => d.rule === 'io-error')) await writeCache(options.cacheDir, keys[i]!, r);
    }
  }
  return { results: results as FileIngest[], stats: { files: jobs.length, cached, workers } };
}

let codeDigestMemo: Promise<string> | undefined;

/** A digest of the evidence code (adapters, ingestion, mappings): a code change invalidates cached results. */
export function evidenceCodeDigest(): Promise<string> {
  codeDigestMemo ??= (async () => {
    const dirs = [new URL('../evidence/', import.meta.url), new URL('../../mappings/', import.meta.url)];
    const h = createHash('sha256');
    for (const dir of dirs) {
      const entries = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
      for (const f of entries) h.update(f).update('\u0000').update(await readFile(new URL(f, dir)));
    }
    return h.digest('hex');
  })();
  return codeDigestMemo;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A cache entry counts only when the file's content hash still matches and, if pages are needed, they exist. */
async function readCache(dir: string, key: string, file: string, pages: boolean): Promise<FileIngest | undefined> {
  let entry: FileIngest;
  try {
    entry = JSON.parse(await readFile(path.join(dir, 'evidence', `${key}.json`), 'utf8')) as FileIngest;
  } catch {
    return undefined;
  }
  if (entry.version !== INGEST_VERSION) return undefined;
  if (pages && entry.file.rows > 0 && entry.pages.length === 0) return undefined;
  if (pages) {
    for (const p of entry.pages) if (!(await stat(p.path).catch(() => undefined))) return undefined;
  }
  if ((await sha256File(file)) !== entry.file.sha256) return undefined;
  return entry;
}

async function writeCache(dir: string, key: string, result: FileIngest): Promise<void> {
  const target = path.join(dir, 'evidence', `${key}.json`);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(result));
  await rename(tmp, target);
}

/**
 * The young generation of each worker's heap, capped. Ingestion allocates fast (strings and rows of every
 * chunk) and keeps little (25-75 MB used): left alone, V8 grew each worker's young generation with the
 * length of the run, and the peak of a check grew from 439 to 661 MB between 129 MB and 1 GB of evidence.
 * At 32 MB it grew from 378 to 458 MB, for the same CPU time within the noise (docs/performance.md).
 */
const WORKER_YOUNG_GENERATION_MB = 32;

function runWorkers(
  order: number[],
  count: number,
  options: PoolOptions,
  makeJob: (i: number) => WorkerJob,
  done: (i: number, r: FileIngest) => void,
): Promise<void> {
  const init: WorkerInit = {
    root: options.root,
    catalogs: [...options.controls.catalogs.values()],
    scope: [...options.controls.scope],
    exceptions: [...options.exceptions],
  };
  const queue = [...order];
  return new Promise((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pool: Worker[] = [];
    const finish = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      if (err || (queue.length === 0 && active === 0)) {
        for (const w of pool) void w.terminate();
        if (err) reject(err);
        else resolve();
      }
    };
    for (let n = 0; n < count; n++) {
      const worker = new Worker(new URL('./ingest-worker.ts', import.meta.url), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      pool.push(worker);
      const next = () => {
        const i = queue.shift();
        if (i === undefined) return finish();
        active++;
        worker.postMessage(makeJob(i));
      };
      worker.on('message', (msg: { id: number; result?: FileIngest; error?: string }) => {
        active--;
        if (msg.error) return finish(new Error(`Evidence ingestion failed in a worker thread:\n${msg.error}`));
        done(msg.id, msg.result!);
        next();
      });
      worker.on('error', (e) => finish(e));
      next();
    }
  });
}
