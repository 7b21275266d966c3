/**
 * The only module that reads the workspace's content from disk. It reads text
 * files and lists evidence; it interprets nothing (see ../workspace.ts).
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { firstInvalidUtf8 } from '../evidence/decode.ts';
import { compareStrings } from '../util/suggest.ts';
import type { SourceFolder, TextFile, WorkspaceFiles } from '../workspace.ts';

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Lists regular files below `dir` (recursive), workspace-relative; symlinks are checked to stay inside the workspace. */
async function listFiles(root: string, rootReal: string, dir: string, diagnostics: DiagnosticBag): Promise<string[]> {
  const abs = path.join(root, dir);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true, recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return [];
    diagnostics.report('io-error', { file: dir }, { args: { detail: `${err.code}: ${err.message}` } });
    return [];
  }
  const out: string[] = [];
  for (const ent of entries) {
    const full = path.join(ent.parentPath, ent.name);
    const rel = toPosix(path.relative(root, full));
    if (ent.isDirectory()) continue;
    if (ent.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(full);
      } catch {
        diagnostics.report('io-error', { file: rel }, { args: { detail: 'a symbolic link whose target does not exist' } });
        continue;
      }
      if (target !== rootReal && !target.startsWith(rootReal + path.sep)) {
        diagnostics.report('path-outside-workspace', { file: rel }, { args: { what: 'This symbolic link', target: toPosix(target) } });
        continue;
      }
      const st = await stat(full);
      if (!st.isFile()) continue;
    } else if (!ent.isFile()) {
      diagnostics.report('io-error', { file: rel }, { args: { detail: 'not a regular file (a socket, device or pipe)' } });
      continue;
    }
    out.push(rel);
  }
  return out.sort(compareStrings);
}

async function readText(root: string, rel: string, diagnostics: DiagnosticBag): Promise<TextFile | undefined> {
  try {
    // Never open a FIFO, socket or device: reading one blocks or never ends.
    const st = await stat(path.join(root, rel));
    if (!st.isFile()) {
      diagnostics.report('io-error', { file: rel }, { args: { detail: st.isDirectory() ? 'a folder where a file is expected' : 'not a regular file (a pipe, socket or device)' } });
      return undefined;
    }
    const buf = await readFile(path.join(root, rel));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      const bad = firstInvalidUtf8(buf);
      const line = bad < 0 ? undefined : buf.subarray(0, bad).toString('latin1').split('\n').length;
      diagnostics.report('encoding-invalid', { file: rel, ...(line ? { line } : {}) }, { args: { detail: bad < 0 ? 'truncated at the end' : `invalid UTF-8 at byte ${bad}` } });
      return undefined;
    }
    if (text.includes('\u0000')) {
      const at = text.indexOf('\u0000');
      diagnostics.report('encoding-invalid', { file: rel, line: text.slice(0, at).split('\n').length }, { args: { detail: 'a NUL byte: the file is binary or UTF-16' } });
      return undefined;
    }
    return { path: rel, text };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return undefined;
    diagnostics.report('io-error', { file: rel }, { args: { detail: `${err.code}: ${err.message}` } });
    return undefined;
  }
}

/** Reads content/ and lists evidence/ of the workspace at `root`. */
export async function readWorkspaceFiles(root: string, diagnostics: DiagnosticBag): Promise<WorkspaceFiles | undefined> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    if (!(await stat(rootReal)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch {
    diagnostics.report('workspace-missing', {}, { args: { dir: root } });
    return undefined;
  }
  const contentFiles = await listFiles(root, rootReal, 'content', diagnostics);
  const pick = async (re: RegExp) => {
    const out: TextFile[] = [];
    for (const rel of contentFiles.filter((f) => re.test(f))) {
      const t = await readText(root, rel, diagnostics);
      if (t) out.push(t);
    }
    return out;
  };
  // A FIFO, socket or device was reported by listFiles already (a folder was not: readText says so).
  const portalStat = await lstat(path.join(root, 'content/portal.yaml')).catch(() => undefined);
  const special = portalStat && !portalStat.isFile() && !portalStat.isDirectory() && !portalStat.isSymbolicLink();
  const portal = special ? undefined : await readText(root, 'content/portal.yaml', diagnostics);
  // YAML catalogs in our format, and OSCAL catalogs and profiles in JSON (NIST's 800-53 catalog is ~10 MB; read whole).
  const frameworks = await pick(/^content\/frameworks\/[^/]+\.(ya?ml|json)$/i);
  const policies = await pick(/^content\/policies\/.+\.md$/i);
  const exceptions = await pick(/^content\/exceptions\/.+\.md$/i);
  const crosswalks = await pick(/^content\/crosswalks\/[^/]+\.ya?ml$/i);
  const crosswalkData = await pick(/^content\/crosswalks\/[^/]+\.json$/i);

  const evidenceFiles = await listFiles(root, rootReal, 'evidence', diagnostics);
  const folders = new Map<string, SourceFolder>();
  const looseEvidence: string[] = [];
  for (const rel of evidenceFiles) {
    const parts = rel.split('/');
    if (parts.length < 3) {
      looseEvidence.push(rel);
      continue;
    }
    const dir = `evidence/${parts[1]}`;
    let folder = folders.get(dir);
    if (!folder) {
      folder = { dir, files: [] };
      folders.set(dir, folder);
    }
    if (parts.length === 3 && parts[2] === 'source.yaml') {
      const cfg = await readText(root, rel, diagnostics);
      if (cfg) folder.config = cfg;
    } else {
      folder.files.push(rel);
    }
  }
  const sources = [...folders.values()].sort((a, b) => compareStrings(a.dir, b.dir));
  return { portal, frameworks, policies, exceptions, sources, looseEvidence, crosswalks, crosswalkData } as WorkspaceFiles;
}

/** Is `rel` (workspace-relative) a regular file inside `dirRel`, after resolving links? */
export async function resolveInside(root: string, dirRel: string, rel: string): Promise<{ ok: true; path: string } | { ok: false; reason: 'missing' | 'outside' }> {
  const rootReal = await realpath(root);
  const dirAbs = path.resolve(rootReal, dirRel);
  const target = path.resolve(dirAbs, rel);
  if (target !== dirAbs && !target.startsWith(dirAbs + path.sep)) return { ok: false, reason: 'outside' };
  try {
    const st = await lstat(target);
    const real = await realpath(target);
    if (!real.startsWith(dirAbs + path.sep)) return { ok: false, reason: 'outside' };
    if (!st.isFile() && !(st.isSymbolicLink() && (await stat(real)).isFile())) return { ok: false, reason: 'missing' };
    return { ok: true, path: toPosix(path.relative(rootReal, real)) };
  } catch {
    return { ok: false, reason: 'missing' };
  }
}
