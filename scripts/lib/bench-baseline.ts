/**
 * Baselines for the scale benchmark, run as a child process by scripts/bench.ts
 * so that its time and memory are measured like the portal's:
 *
 *   node scripts/lib/bench-baseline.ts papaparse[:<read bytes>] semicolon:<file> comma:<file> ...
 *   node scripts/lib/bench-baseline.ts sha256 <file> ...
 *
 * `papaparse`: papaparse's own streaming parse (Papa.parse on a Node
 * ReadStream, rows as arrays, handed over a parsed chunk at a time to a
 * callback that only counts them: its fastest streaming mode, and the one
 * ingestion uses), the floor for any CSV ingestion built on it. Reads of
 * 64 KiB by default (as ingestion reads); the benchmark also runs 1 MiB reads
 * and keeps the faster. `sha256`: node:crypto over the same
 * bytes (ingestion hashes every file). Prints one JSON line.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import Papa from 'papaparse';

const [modeArg = '', ...specs] = process.argv.slice(2);
const [mode, readArg] = modeArg.split(':');
const HIGH_WATER_MARK = readArg ? Number(readArg) : 1 << 16;
if ((mode !== 'papaparse' && mode !== 'sha256') || specs.length === 0 || !Number.isSafeInteger(HIGH_WATER_MARK) || HIGH_WATER_MARK < 1024) {
  process.stderr.write('usage: node scripts/lib/bench-baseline.ts papaparse[:<read bytes>] semicolon:<file> comma:<file> ... | sha256 <file> ...\n');
  process.exit(2);
}

function papaparse(file: string, delimiter: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: HIGH_WATER_MARK });
    stream.on('error', reject);
    Papa.parse<string[]>(stream as unknown as File, {
      header: false,
      delimiter,
      chunk: (results) => {
        rows += results.data.length;
      },
      complete: () => resolve(rows),
      error: (e: Error) => reject(e),
    });
  });
}

async function sha256(file: string): Promise<number> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: HIGH_WATER_MARK })) hash.update(chunk as Buffer);
  hash.digest('hex');
  return 0;
}

const started = performance.now();
let bytes = 0;
let rows = 0;
for (const spec of specs) {
  const m = mode === 'papaparse' ? /^(semicolon|comma|auto):(.+)$/.exec(spec) : null;
  const file = m ? m[2]! : spec;
  const delimiter = m?.[1] === 'semicolon' ? ';' : m?.[1] === 'comma' ? ',' : '';
  bytes += statSync(file).size;
  rows += mode === 'papaparse' ? await papaparse(file, delimiter) : await sha256(file);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ mode, readBytes: HIGH_WATER_MARK, files: specs.length, bytes, rows, seconds })}\n`);
