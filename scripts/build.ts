/**
 * npm run build: check the workspace, ingest evidence, compute statuses, then
 * build the static portal and write report.json. Invalid input fails the
 * build (exit 2) with the same messages as `check`; failing controls do not.
 *
 * The site is built into a staging folder and swapped into place at the end,
 * so an interrupted build never leaves a half-written dist/.
 */
import { constants, existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gitHistory } from '../src/core/load/git-fs.ts';
import { runPipeline } from '../src/core/load/pipeline-fs.ts';
import { artifactWriters, evidenceDownloadPath } from '../src/core/report/artifacts.ts';
import { baselineSchema, diffReports, type Changes } from '../src/core/report/changes.ts';
import { forAudience, type Audience } from '../src/core/view/audience.ts';
import { buildViewModel, storeViewModel, type ViewModel } from '../src/core/view/view-model.ts';
import { findingsPageParts } from '../src/core/view/findings-html.ts';
import { findingsPageRef } from '../src/core/load/findings-fs.ts';
import { buildKey, isUpToDate, recordOutput } from './lib/up-to-date.ts';
import { buildNow, cacheDir, enableCompileCache, outDir, phaseTimer, printDiagnostics, PROJECT_ROOT, workerCount, workspaceRoot } from './lib/cli.ts';

enableCompileCache();

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    baseline: { type: 'string' },
    audience: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
const base = args.base ?? process.env.COMPLIANCE_BASE ?? '/';
if (!base.startsWith('/')) {
  process.stderr.write(`--base must be an absolute path such as /compliance/ (got ${base})\n`);
  process.exit(2);
}

const audience = (args.audience ?? process.env.COMPLIANCE_AUDIENCE ?? 'internal') as Audience;
if (audience !== 'internal' && audience !== 'public') {
  process.stderr.write(`--audience must be internal (everything, the default) or public (a trust-center build without internal policies, exceptions and sources); got ${audience}\n`);
  process.exit(2);
}

const started = performance.now();
const phase = phaseTimer();
const root = workspaceRoot();
const out = outDir();
const now = buildNow();

await recoverInterruptedBuilds();
const work = path.join(PROJECT_ROOT, '.cache', `build-${process.pid}`, 'work');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const findingsDir = path.join(work, 'findings');
const cache = cacheDir();
const workers = workerCount();
const result = await runPipeline({ root, now, findingsDir, sampleSize: 25, phase, ...(cache ? { cacheDir: cache } : {}), ...(workers !== undefined ? { workers } : {}) });
printDiagnostics(result.diagnostics.items);
if (result.diagnostics.hasErrors || !result.report || !result.workspace || !result.sources) {
  process.stderr.write(`build failed: fix the errors above (workspace: ${root})\n`);
  await rm(path.dirname(work), { recursive: true, force: true });
  process.exit(2);
}
const { report, workspace, sources } = forAudience({ report: result.report, workspace: result.workspace, sources: result.sources }, audience);
const history = await gitHistory(root, 'content/policies');
let changes: Changes | undefined;
const baselineFile = args.baseline ?? process.env.COMPLIANCE_BASELINE;
if (baselineFile) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.resolve(baselineFile), 'utf8'));
  } catch (e) {
    process.stderr.write(`build failed: the baseline ${baselineFile} cannot be read as JSON (${(e as Error).message}).\n`);
    process.exit(2);
  }
  const base = baselineSchema.safeParse(parsed);
  if (!base.success) {
    process.stderr.write(`build failed: the baseline ${baselineFile} is not a report.json of schemaVersion 1 (${base.error.issues[0]?.path.join('.')}: ${base.error.issues[0]?.message}).\n`);
    process.exit(2);
  }
  changes = diffReports(base.data, report);
}
// Same inputs, now, options and code as the build that wrote the output, and the output untouched:
// that output is what this build would write, byte for byte (see scripts/lib/up-to-date.ts).
const key = cache ? await buildKey({ report, history, changes: changes ?? null, base, audience }) : undefined;
if (cache && key && !args.force && (await isUpToDate(cache, out, key))) {
  await rm(path.dirname(work), { recursive: true, force: true });
  phase('up to date');
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${path.relative(process.cwd(), out) || out} is up to date${ingestNote(' (', ')')}: same inputs, time, options and code as the build that wrote it; checked in ${secs}s (--force writes it again)\n${summaryLines()}\n`);
  process.exit(0);
}
const model = buildViewModel({ report, workspace, sources, history, base, ...(changes ? { changes } : {}) });

// Astro must build inside the project (its prerender chunks resolve packages from node_modules and live in
// <outDir>/.prerender only when outDir is inside the working directory), so the site is staged in .cache/
// and moved next to the output at the end.
const staging = path.join(PROJECT_ROOT, '.cache', `build-${process.pid}`, 'site');
const beside = `${out}.staging-${process.pid}`;
try {
  const modelFile = path.join(work, 'view-model.json');
  await writeFile(modelFile, JSON.stringify(storeViewModel(model)));
  phase('view model');
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.dirname(out), { recursive: true });

  process.env.COMPLIANCE_VIEW_MODEL = modelFile;
  process.env.COMPLIANCE_SITE_OUT = staging;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const { build } = await import('astro');
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  try {
    await build({ root: PROJECT_ROOT, outDir: staging, base, logLevel: process.env.COMPLIANCE_VERBOSE ? 'info' : 'warn' });
  } finally {
    process.chdir(cwd);
  }
  phase('astro build');

  // Pagefind (its own process) indexes the policy and control pages while the findings pages are written.
  const search = buildSearchIndex(staging);
  search.catch(() => {});
  await writeFindingsPages(staging, model, findingsDir);
  phase('findings pages');
  await search;
  phase('search index (pagefind, alongside the findings pages)');
  await writeFile(path.join(staging, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (changes) await writeFile(path.join(staging, 'changes.json'), `${JSON.stringify(changes, null, 2)}\n`);
  for (const writer of artifactWriters) {
    for (const artifact of writer({ report, model, workspace, sources })) {
      const target = path.join(staging, artifact.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, artifact.content);
    }
  }
  // Raw evidence, downloadable as read: copies (copy-on-write clones where the file system allows),
  // never links, so that later edits of the workspace cannot change a published file.
  for (const s of sources) {
    for (const f of s.files.flatMap((file) => (file.secrets ? [] : [file.path, ...file.attachments.map((a) => a.path)]))) {
      const target = path.join(staging, evidenceDownloadPath(f));
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(path.join(root, f), target, constants.COPYFILE_FICLONE);
    }
  }

  phase('artifacts and evidence downloads');
  // Move the complete site next to the output (a rename when on the same file system), then swap:
  // the previous output stays intact until the new one is complete.
  await rename(staging, beside).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EXDEV') throw e;
    await cp(staging, beside, { recursive: true });
  });
  const old = `${out}.old-${process.pid}`;
  await rename(out, old).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rename(beside, out);
  await rm(old, { recursive: true, force: true });
  if (cache && key) await recordOutput(cache, out, key);
  phase('swap into place');
} finally {
  await rm(path.dirname(staging), { recursive: true, force: true });
  await rm(beside, { recursive: true, force: true });
}

const secs = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`built ${path.relative(process.cwd(), out) || out} in ${secs}s${ingestNote(' (', ')')}\n${summaryLines()}\n`);

function summaryLines(): string {
  return report.frameworks.map((f) => `  ${f.id}: ${(f.summary.score * 100).toFixed(1)}% passing, ${f.summary.counts.failing} failing, ${f.summary.counts.gap} gaps`).join('\n');
}

function ingestNote(open: string, close: string): string {
  const st = result.ingestStats;
  return st ? `${open}${st.files} evidence files, ${st.cached} from cache${st.workers ? `, ${st.workers} worker threads` : ''}${close}` : '';
}

/** Full-text search over policies and controls with Pagefind, written into <site>/pagefind/. */
async function buildSearchIndex(site: string): Promise<void> {
  const pagefind = await import('pagefind');
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
  // Policies and controls are what people search; findings pages would only bloat the index.
  const added = await index.addDirectory({ path: site, glob: '{policies,controls}/**/*.html' });
  if (added.errors.length) throw new Error(`Pagefind indexing failed: ${added.errors.join('; ')}`);
  const written = await index.writeFiles({ outputPath: path.join(site, 'pagefind') });
  if (written.errors.length) throw new Error(`Pagefind could not write its index: ${written.errors.join('; ')}`);
  await pagefind.close();
}

/**
 * A build killed part-way leaves its scratch folder in .cache/ and, if it died between the
 * two renames of the swap, the previous output as `<out>.old-<pid>`: clean the first, restore the second.
 */
async function recoverInterruptedBuilds(): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const cache = path.join(PROJECT_ROOT, '.cache');
  for (const name of await readdir(cache).catch(() => [] as string[])) {
    const m = /^build-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await rm(path.join(cache, name), { recursive: true, force: true });
  }
  const parent = path.dirname(out);
  const base = path.basename(out);
  const leftovers = (await readdir(parent).catch(() => [] as string[])).filter((n) => {
    const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(old|staging)-(\\d+)$`).exec(n);
    return m && !alive(Number(m[2]));
  });
  for (const n of leftovers.sort()) {
    const full = path.join(parent, n);
    if (n.includes('.old-') && !existsSync(out)) await rename(full, out);
    else await rm(full, { recursive: true, force: true });
  }
}

/**
 * Every row of every source as paginated pages: the page shell Astro rendered once, with one
 * page of rows as the worker threads wrote them (core/load/findings-fs.ts). The rows' bytes are
 * copied as they are, never decoded; a few pages are written at a time.
 */
async function writeFindingsPages(site: string, model: ViewModel, findingsDir: string): Promise<void> {
  const shellDir = path.join(site, 'findings-template');
  const shell = await readFile(path.join(shellDir, 'index.html'), 'utf8');
  await rm(shellDir, { recursive: true, force: true });
  const link = (p: string) => `${model.site.base.replace(/\/?$/, '/')}${p}`;
  const jobs = model.sources.flatMap((s) => Array.from({ length: s.findingPages }, (_, i) => ({ s, page: i + 1 })));
  let next = 0;
  const writeOne = async ({ s, page }: (typeof jobs)[number]) => {
    const ref = findingsPageRef(findingsDir, s.id, page);
    const [before, after] = findingsPageParts(shell, { sourceTitle: s.title, sourceHref: link(s.href), pageHref: (n) => link(`${s.href}findings/${n}/`), page, pages: s.findingPages, file: ref.file, first: ref.first, rows: ref.rows, total: s.rows.total - s.rows.skipped, skipped: s.rows.skipped });
    const dir = path.join(site, s.href, 'findings', String(page));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'index.html'), Buffer.concat([Buffer.from(before), await readFile(ref.path), Buffer.from(after)]));
  };
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < jobs.length) await writeOne(jobs[next++]!);
    }),
  );
}
