/**
 * A probe of the scale benchmark, run as a child process by scripts/bench.ts:
 * Pagefind's indexing of a built site, as scripts/build.ts runs it (every
 * HTML file), or restricted by a glob to the pages that carry
 * `data-pagefind-body` (policies and controls). Writes the index into
 * <out> and prints one JSON line with the files indexed and a digest of the
 * index, so that the two runs can be compared.
 *
 *   node scripts/lib/bench-pagefind.ts <site> <out> [glob]
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';

const [site, out, glob] = process.argv.slice(2);
if (!site || !out) {
  process.stderr.write('usage: node scripts/lib/bench-pagefind.ts <site> <out> [glob]\n');
  process.exit(2);
}
await rm(out, { recursive: true, force: true });
const started = performance.now();
const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
const added = await index.addDirectory({ path: site, ...(glob ? { glob } : {}) });
if (added.errors.length) throw new Error(added.errors.join('; '));
const written = await index.writeFiles({ outputPath: out });
if (written.errors.length) throw new Error(written.errors.join('; '));
await pagefind.close();
const seconds = (performance.now() - started) / 1000;
// Digest of the index's fragments: the pages and words it holds (entry files carry build-specific hashes).
const h = createHash('sha256');
const files = (await readdir(out, { recursive: true })).filter((f) => f.startsWith('fragment/')).sort();
for (const f of files) h.update(f).update(await readFile(path.join(out, f)));
process.stdout.write(`${JSON.stringify({ glob: glob ?? null, pagesIndexed: added.page_count, fragments: files.length, fragmentsDigest: h.digest('hex'), seconds })}\n`);
