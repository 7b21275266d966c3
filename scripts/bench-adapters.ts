/**
 * Micro-benchmark of every evidence adapter (part of `npm run bench`): each format's
 * fixture from tests/fixtures/all-formats/ is scaled up to about TARGET_MB (CSV data
 * rows, or the largest JSON list, repeated), then ingested the way the build does
 * (adapter + hashing + mapping + accounting, ingestFile). Baseline, measured in the
 * same run on the same bytes, for CSV formats: papaparse's own streaming parse. Prints MB/s, rows/s
 * and the ratio; writes bench/adapters.json.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { parse as parseYaml } from 'yaml';
import { ControlIndex } from '../src/core/catalog/index.ts';
import { ingestFile, fileSettings } from '../src/core/evidence/ingest.ts';
import { knownFormats } from '../src/core/evidence/registry.ts';
import { attachmentLookup, fileHandle } from '../src/core/load/evidence-fs.ts';
import { readBuiltInCatalogs } from '../src/core/load/catalogs-fs.ts';
import { catalogSchema } from '../src/core/schemas/catalog.ts';
import { sourceSchema } from '../src/core/schemas/source.ts';
import { PROJECT_ROOT } from './lib/cli.ts';

const TARGET_MB = Number(process.env.BENCH_ADAPTER_MB ?? 32);
const FIXTURES = path.join(PROJECT_ROOT, 'tests/fixtures/all-formats/evidence');
const WORK = path.join(PROJECT_ROOT, 'bench/work/adapters');

/** Repeats CSV data rows (header kept) until the text reaches `bytes`. */
function scaleCsv(text: string, bytes: number): string {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  const header = lines[0]!;
  // Quoted multi-line cells: repeat the whole body, which stays well-formed.
  const body = lines.slice(1).join('\n');
  const times = Math.max(1, Math.ceil(bytes / Math.max(1, body.length + 1)));
  return `${header}\n${Array.from({ length: times }, () => body).join('\n')}\n`;
}

/** Repeats the elements of the largest list in a JSON document until it reaches `bytes`. */
function scaleJson(text: string, bytes: number): string {
  const doc = JSON.parse(text) as unknown;
  let best: unknown[] | undefined;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      if (!best || v.length > best.length) best = v;
      v.forEach(walk);
    } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(doc);
  if (!best || best.length === 0) return text;
  const items = [...best];
  const size = JSON.stringify(items).length;
  const times = Math.max(1, Math.ceil(bytes / Math.max(1, size)));
  best.length = 0;
  for (let i = 0; i < times; i++) best.push(...items);
  return JSON.stringify(doc);
}

async function papaBaseline(file: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    // A parsed chunk at a time, as ingestion takes rows: papaparse's fastest streaming mode.
    Papa.parse(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as unknown as File, { chunk: () => {}, complete: () => resolve(), error: reject });
  });
  return (performance.now() - started) / 1000;
}

const catalogs = (await readBuiltInCatalogs()).map((f) => catalogSchema.parse(parseYaml(f.text)));
const controls = new ControlIndex(catalogs, ['soc2', 'iso27001-2022', 'nist-csf-2.0']);
await mkdir(WORK, { recursive: true });
const results: Record<string, unknown>[] = [];
const mb = (b: number) => b / 1024 / 1024;
console.log(`adapter micro-benchmarks: each fixture scaled to ~${TARGET_MB} MB, ingested as the build does; baseline: papaparse streaming the same bytes\n`);
console.log('format            MB      rows        ingest s   MB/s    rows/s      papaparse s  ratio');
for (const format of knownFormats()) {
  const dir = path.join(FIXTURES, format);
  if (!existsSync(dir) || format === 'attestation') continue; // attestations are one small file per record
  const config = sourceSchema.parse({ ...(parseYaml(await readFile(path.join(dir, 'source.yaml'), 'utf8')) as object), collectedAt: '2026-11-27T00:00:00Z' });
  const name = (await readdir(dir)).find((n) => n !== 'source.yaml' && !n.startsWith('.'))!;
  const raw = await readFile(path.join(dir, name), 'utf8');
  const scaled = /\.(csv|tsv)$/i.test(name) ? scaleCsv(raw, TARGET_MB * 1024 * 1024) : scaleJson(raw, TARGET_MB * 1024 * 1024);
  const rel = `evidence/${format}/${name}`;
  await mkdir(path.join(WORK, 'evidence', format), { recursive: true });
  await writeFile(path.join(WORK, rel), scaled);
  const bytes = Buffer.byteLength(scaled);
  const settings = fileSettings({ id: format, dir: `evidence/${format}`, configFile: `evidence/${format}/source.yaml`, config, defaultMaxAge: { text: '30d', value: { days: 30 } } });
  const started = performance.now();
  const r = await ingestFile(fileHandle(WORK, rel), format === 'acknowledgements' ? { ...settings, policyVersions: { 'POL-SEC': '1.0' } } : settings, {
    controls,
    exceptions: [],
    resolveAttachment: attachmentLookup(WORK, `evidence/${format}`),
  });
  const secs = (performance.now() - started) / 1000;
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  // papaparse is the floor for CSV only: over a JSON document it measures nothing useful (and takes long).
  const csv = /\.(csv|tsv)$/i.test(name);
  const papa = csv ? await papaBaseline(path.join(WORK, rel)) : undefined;
  const row = { format, mb: +mb(bytes).toFixed(2), rows: r.rows.total, seconds: +secs.toFixed(3), mbPerSecond: +(mb(bytes) / secs).toFixed(1), rowsPerSecond: Math.round(r.rows.total / secs), papaparseSeconds: papa === undefined ? null : +papa.toFixed(3), ratio: papa === undefined ? null : +(secs / papa).toFixed(2), errors: errors.length };
  results.push(row);
  console.log(
    `${format.padEnd(17)} ${row.mb.toFixed(1).padStart(6)}  ${String(row.rows).padStart(10)}  ${row.seconds.toFixed(2).padStart(8)}  ${row.mbPerSecond.toFixed(1).padStart(6)}  ${String(row.rowsPerSecond).padStart(10)}  ${row.papaparseSeconds === null ? '          –' : row.papaparseSeconds.toFixed(2).padStart(11)}  ${row.ratio === null ? '     –' : `${row.ratio.toFixed(2).padStart(5)}x`}${errors.length ? `  (${errors.length} errors: ${errors[0]!.message})` : ''}`,
  );
}
await writeFile(path.join(PROJECT_ROOT, 'bench/adapters.json'), `${JSON.stringify({ targetMb: TARGET_MB, results }, null, 2)}\n`);
console.log('\nwritten to bench/adapters.json');
