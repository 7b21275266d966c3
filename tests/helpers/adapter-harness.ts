/**
 * Runs one evidence adapter on real bytes (a file on disk or an in-memory
 * string), the way ingestion does, and returns what it emitted.
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticBag } from '../../src/core/diagnostics/diagnostic.ts';
import { sourceSchema, type SourceConfig } from '../../src/core/schemas/source.ts';
import type { EvidenceAdapter, EvidenceRecord, FileMeta } from '../../src/core/evidence/types.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the shared real tool exports are: REAL_EXPORTS_DIR, else ../shared/fixtures/real-tool-exports beside the clone. */
export const REAL_EXPORTS_DIR = process.env.REAL_EXPORTS_DIR ?? path.resolve(REPO_ROOT, '../shared/fixtures/real-tool-exports');
export const SHARED_CATALOGS_DIR = process.env.SHARED_CATALOGS_DIR ?? path.resolve(REPO_ROOT, '../shared/catalogs');

/**
 * True when the real exports are present. In CI their absence is an error (never a silent skip);
 * elsewhere tests that need them are skipped with a visible reason.
 */
export function realExportsAvailable(): boolean {
  const ok = existsSync(REAL_EXPORTS_DIR);
  if (!ok && process.env.CI) throw new Error(`Real tool exports not found at ${REAL_EXPORTS_DIR} (set REAL_EXPORTS_DIR). In CI this is a failure, not a skip.`);
  return ok;
}

export function realExport(rel: string): string {
  return path.join(REAL_EXPORTS_DIR, rel);
}

/** A source.yaml object (validated by the real schema) from partial input. */
export function sourceConfig(input: Record<string, unknown>): SourceConfig {
  return sourceSchema.parse({ tool: 'test', ...input });
}

export interface AdapterRun {
  records: EvidenceRecord[];
  skipped: number;
  diagnostics: DiagnosticBag;
  meta: FileMeta;
}

async function* fromString(text: string | Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

/** Runs `adapter` over a file path (`{ file }`) or literal content (`{ text }`). */
export async function runAdapter(
  adapter: EvidenceAdapter,
  input: { file: string } | { text: string | Uint8Array; name?: string; chunkSize?: number },
  config: SourceConfig,
): Promise<AdapterRun> {
  const diagnostics = new DiagnosticBag();
  const records: EvidenceRecord[] = [];
  const meta: FileMeta = {};
  let skipped = 0;
  const chunks = 'file' in input ? (createReadStream(input.file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>) : fromString(input.text, input.chunkSize);
  const name = 'file' in input ? path.basename(input.file) : (input.name ?? 'input');
  await adapter.read(chunks, {
    file: `evidence/test/${name}`,
    sourceDir: 'evidence/test',
    source: config,
    diagnostics,
    emit: (r) => records.push(r),
    skip: () => skipped++,
    meta,
    resolveAttachment: async (rel) => (rel.includes('..') ? { ok: false, reason: 'outside' } : { ok: true, path: `evidence/test/${rel}` }),
  });
  return { records, skipped, diagnostics, meta };
}

/** Counts records by normalised result. */
export function countResults(records: readonly EvidenceRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.result] = (out[r.result] ?? 0) + 1;
  return out;
}
