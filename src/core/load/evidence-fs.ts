/** Evidence files as byte streams, for ingestion. */
import { createReadStream } from 'node:fs';
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
    open: () => createReadStream(path.join(root, rel), { highWaterMark: HIGH_WATER_MARK }),
  };
}

export function attachmentLookup(root: string, dirRel: string): AttachmentLookup {
  return async (relative) => {
    const r = await resolveInside(root, dirRel, relative);
    return r.ok ? { ok: true, file: fileHandle(root, r.path) } : r;
  };
}
