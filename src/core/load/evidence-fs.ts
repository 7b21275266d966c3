/** Evidence files as byte streams, for ingestion. */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { AttachmentLookup, EvidenceFileHandle } from '../evidence/ingest.ts';
import { resolveInside } from './workspace-fs.ts';

/** 1 MiB reads: large enough for throughput, small enough to keep memory flat. */
const HIGH_WATER_MARK = 1 << 20;

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
