/**
 * Ingestion on worker threads and from the content-addressed cache gives exactly what a
 * serial run gives: the same report and the same findings pages, row for row (issue 6).
 * Runs the real pipeline over a generated workspace in every format the generator writes.
 */
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extraProwlerRow, generateWorkspace, type Manifest } from '../../scripts/lib/bench-workspace.ts';
import { runPipeline, type PipelineResult } from '../../src/core/load/pipeline-fs.ts';

const NOW = new Date('2026-11-28T00:00:00Z');
let tmp: string;
let ws: string;
let manifest: Manifest;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'policy-portal-pool-'));
  ws = path.join(tmp, 'ws');
  // Large enough (about 20 MB) that files are split between two worker threads.
  manifest = await generateWorkspace(ws, { seed: 3, policies: 6, sources: 6, rows: 60_000, sizeMb: 20 });
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Every source's findings pages, as the site would list them (file, first row, rows, HTML). */
async function pagesOf(r: PipelineResult): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const s of r.sources ?? []) {
    out[s.id] = await Promise.all((s.findingPageList ?? []).map(async (p) => `${p.file} ${p.first} ${p.rows}\n${await readFile(p.path, 'utf8')}`));
  }
  return out;
}

async function run(name: string, options: { workers: number; cacheDir?: string }): Promise<PipelineResult> {
  const r = await runPipeline({ root: ws, now: NOW, sampleSize: 25, findingsDir: path.join(tmp, `findings-${name}`), ...options });
  expect(r.diagnostics.hasErrors).toBe(false);
  return r;
}

describe('parallel, serial and cached ingestion', () => {
  it('give identical reports and findings pages, and a changed file is the only one read again', { timeout: 240_000 }, async () => {
    const serial = await run('serial', { workers: 0 });
    const parallel = await run('parallel', { workers: 2 });
    expect(serial.ingestStats).toMatchObject({ workers: 0, cached: 0 });
    expect(parallel.ingestStats).toMatchObject({ workers: 2, cached: 0 });
    const files = serial.ingestStats!.files;
    expect(files).toBeGreaterThan(2);
    expect(serial.report!.sources.reduce((n, s) => n + s.rows.total, 0)).toBe(manifest.rows);
    expect(parallel.report).toEqual(serial.report);
    const serialPages = await pagesOf(serial);
    expect(Object.values(serialPages).flat().length).toBeGreaterThan(10);
    expect(await pagesOf(parallel)).toEqual(serialPages);

    const cacheDir = path.join(tmp, 'cache');
    const cold = await run('cold', { workers: 2, cacheDir });
    const warm = await run('warm', { workers: 2, cacheDir });
    expect(cold.ingestStats!.cached).toBe(0);
    expect(warm.ingestStats!.cached).toBe(files);
    expect(cold.report).toEqual(serial.report);
    expect(warm.report).toEqual(serial.report);
    expect(await pagesOf(warm)).toEqual(serialPages);

    // One more row in one Prowler export: that file alone is ingested again, and the row is counted.
    const prowler = manifest.sources.find((s) => s.format === 'prowler-csv')!;
    await appendFile(path.join(ws, prowler.files[0]!.path), extraProwlerRow(3, 1));
    const changed = await run('changed', { workers: 2, cacheDir });
    expect(changed.ingestStats!.cached).toBe(files - 1);
    const rows = (r: PipelineResult) => r.report!.sources.find((s) => s.id === prowler.id)!.rows.total;
    expect(rows(changed)).toBe(rows(serial) + 1);
    const fresh = await run('changed-serial', { workers: 0 });
    expect(changed.report).toEqual(fresh.report);
    expect(await pagesOf(changed)).toEqual(await pagesOf(fresh));
  });
});
