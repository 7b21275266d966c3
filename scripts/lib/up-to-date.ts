/**
 * "Nothing changed" for `npm run build`: the output is a pure function of the inputs, `now`, the
 * options and the code (builds are byte-for-byte reproducible), so when all of them are the same as
 * for the build that wrote the output folder, and that folder is as the build left it, the build
 * can stop after ingestion (which the cache already made cheap) instead of writing the same site again.
 *
 * The record lives in the cache folder, never in the published site: one small JSON file per output
 * folder with the key of the inputs and a digest of the folder's listing (path, size, mtime of every
 * file), so that a file deleted or edited in the output makes the next build write it all again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from './cli.ts';

/** Code and configuration that shape the output: the site, the core, the build script, the locked dependencies. */
const CODE = ['src', 'scripts/build.ts', 'scripts/lib/cli.ts', 'scripts/lib/up-to-date.ts', 'astro.config.mjs', 'package-lock.json', 'public'];

let codeMemo: Promise<string> | undefined;

export function buildCodeDigest(): Promise<string> {
  codeMemo ??= (async () => {
    const h = createHash('sha256');
    for (const entry of CODE) {
      const abs = path.join(PROJECT_ROOT, entry);
      const st = await stat(abs).catch(() => undefined);
      if (!st) continue;
      const files = st.isDirectory()
        ? (await readdir(abs, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
        : [abs];
      for (const f of files.sort()) h.update(path.relative(PROJECT_ROOT, f)).update('\u0000').update(await readFile(f)).update('\u0000');
    }
    return h.digest('hex');
  })();
  return codeMemo;
}

/** The key of one build: everything the output is computed from (the Node version too: it runs the code). */
export async function buildKey(parts: Record<string, unknown>): Promise<string> {
  return createHash('sha256')
    .update(process.version)
    .update(await buildCodeDigest())
    .update(JSON.stringify(parts))
    .digest('hex');
}

/** Path, size and modification time of every file under `dir`, hashed; undefined when it does not exist. */
async function listingDigest(dir: string): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return undefined;
  }
  const files = entries.filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name)).sort();
  const h = createHash('sha256');
  for (const f of files) {
    const st = await stat(f).catch(() => undefined);
    h.update(`${path.relative(dir, f)}\u0000${st?.size ?? -1}\u0000${st?.mtimeMs ?? -1}\n`);
  }
  return h.digest('hex');
}

function recordFile(cacheDir: string, out: string): string {
  return path.join(cacheDir, 'outputs', `${createHash('sha256').update(path.resolve(out)).digest('hex').slice(0, 32)}.json`);
}

/** True when `out` was written by a build with this key and nothing in it changed since. */
export async function isUpToDate(cacheDir: string, out: string, key: string): Promise<boolean> {
  let record: { key?: unknown; listing?: unknown };
  try {
    record = JSON.parse(await readFile(recordFile(cacheDir, out), 'utf8')) as typeof record;
  } catch {
    return false;
  }
  if (record.key !== key || typeof record.listing !== 'string') return false;
  return (await listingDigest(out)) === record.listing;
}

/** Remembers that `out` now holds the output of the build with this key. */
export async function recordOutput(cacheDir: string, out: string, key: string): Promise<void> {
  const listing = await listingDigest(out);
  if (!listing) return;
  const file = recordFile(cacheDir, out);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ out: path.resolve(out), key, listing })}\n`);
  await rename(tmp, file);
}
