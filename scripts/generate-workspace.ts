/**
 * npm run generate-workspace -- --out <dir> [--preset small|enterprise] [--seed n]
 *   [--policies N] [--sources M] [--rows R] [--size-mb S]
 *
 * Writes a synthetic workspace for the scale benchmark (issue 6): the same
 * options give the same bytes. Flags override the preset's values. See
 * scripts/lib/bench-workspace.ts for what is generated, docs/performance.md
 * for how the benchmark uses it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateWorkspace, PRESETS, type PresetName, type WorkspaceSpec } from './lib/bench-workspace.ts';

const USAGE = 'usage: npm run generate-workspace -- --out <dir> [--preset small|enterprise] [--seed n] [--policies N] [--sources M] [--rows R] [--size-mb S]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      out: { type: 'string' },
      preset: { type: 'string' },
      seed: { type: 'string' },
      policies: { type: 'string' },
      sources: { type: 'string' },
      rows: { type: 'string' },
      'size-mb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  }));
} catch (e) {
  fail((e as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.out) fail('--out is required');
const preset = values.preset ?? 'small';
if (!Object.hasOwn(PRESETS, preset)) fail(`--preset must be small or enterprise (got ${preset})`);
const base = PRESETS[preset as PresetName];

function num(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < (name === 'seed' ? 0 : 1e-9)) fail(`--${name} must be ${integer ? 'a whole number' : 'a number'}${name === 'seed' ? '' : ' above 0'} (got ${raw})`);
  return n;
}

const spec: WorkspaceSpec = {
  seed: num('seed', values.seed, 1),
  policies: num('policies', values.policies, base.policies),
  sources: num('sources', values.sources, base.sources),
  rows: num('rows', values.rows, base.rows),
  sizeMb: num('size-mb', values['size-mb'], base.sizeMb, false),
};

const out = path.resolve(values.out);
const started = performance.now();
process.stdout.write(`generating ${out}: ${JSON.stringify(spec)}\n`);
try {
  const m = await generateWorkspace(out, spec, (line) => process.stdout.write(`${line}\n`));
  const secs = (performance.now() - started) / 1000;
  process.stdout.write(
    `wrote ${m.policies} policies, ${m.exceptions} exceptions, ${m.sources.length} sources, ${m.rows.toLocaleString('en-US')} rows, ${(m.bytes / 1048576).toFixed(1)} MiB of evidence in ${secs.toFixed(1)}s (${(m.bytes / 1048576 / secs).toFixed(0)} MiB/s)\n`,
  );
} catch (e) {
  fail(`generate-workspace: ${(e as Error).message}`);
}
