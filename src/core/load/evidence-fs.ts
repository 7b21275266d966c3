/** Evidence files as byte streams, for ingestion. */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { AttachmentLookup, EvidenceFileHandle } from '../evidence/ingest.ts';
import { resolveInside } from './workspace-fs.ts';

/**
 * 64 KiB reads. Each read becomes a string and, for CSV, a parsed chunk of rows: at 64 KiB these stay in
 * V8's young generation and die there. At 1 MiB every chunk was a large object, mapped and unmapped by the
 * kernel, and its rows lived long enough to be copied by the garbage collector: CSV ingestion took about a
 * quarter more CPU (measured on the benchmark's MDM export; see docs/performance.md).
 */
const HIGH_WATER_MARK = 1 << 16;

export function fileHandle(root: string, rel: string): EvidenceFileHandle {
  return {
    path: rel,
    open: () => readChunks(path.join(root, rel)),
  };
}

/**
 * The file's bytes, a read at a time. The reads are synchronous: ingestion runs in worker threads that have
 * nothing else to do while a read waits, and an evidence file is mostly in the page cache just after the
 * tool wrote it. A stream's read goes through libuv's thread pool and a promise per chunk, which cost about
 * as much CPU as the reads themselves here. A fresh buffer per read: a consumer may keep a chunk.
 * The file closes when it has been read, or when the consumer stops early (the iterator's return()).
 */
async function* readChunks(file: string): AsyncGenerator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(HIGH_WATER_MARK);
      const n = readSync(fd, buf, 0, HIGH_WATER_MARK, null);
      if (n === 0) return;
      yield n < HIGH_WATER_MARK ? buf.subarray(0, n) : buf;
    }
  } finally {
    closeSync(fd);
  }
}

export function attachmentLookup(root: string, dirRel: string): AttachmentLookup {
  return async (relative) => {
    const r = await resolveInside(root, dirRel, relative);
    return r.ok ? { ok: true, file: fileHandle(root, r.path) } : r;
  };
}
