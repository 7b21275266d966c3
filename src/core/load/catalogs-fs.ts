/** Reads the built-in catalogs shipped in src/catalogs/. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { TextFile } from '../workspace.ts';

export const BUILT_IN_CATALOG_DIR = fileURLToPath(new URL('../../catalogs/', import.meta.url));

export async function readBuiltInCatalogs(dir = BUILT_IN_CATALOG_DIR): Promise<TextFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(names.map(async (n) => ({ path: `<built-in>/${n}`, text: await readFile(path.join(dir, n), 'utf8') })));
}

export const BUILT_IN_CROSSWALK_DIR = fileURLToPath(new URL('../../crosswalks/', import.meta.url));

/** Built-in crosswalks (src/crosswalks/*.yaml), applied only when portal.yaml names them. */
export async function readBuiltInCrosswalks(dir = BUILT_IN_CROSSWALK_DIR): Promise<TextFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(names.map(async (n) => ({ path: `<built-in>/crosswalks/${n}`, text: await readFile(path.join(dir, n), 'utf8') })));
}
