/** What every command shares: where the workspace is, what "now" is, how problems are printed. */
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticBag, type Diagnostic } from '../../src/core/diagnostics/diagnostic.ts';
import { formatDiagnostics } from '../../src/core/diagnostics/format.ts';
import { resolveNow } from '../../src/core/util/time.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node's on-disk compile cache for the modules loaded from here on (Astro, Pagefind) and for the evidence
 * worker threads, which inherit it through NODE_COMPILE_CACHE: a worker is ready in about 0.17 s instead of
 * 0.3 s. It lives beside the code it caches, in node_modules/.cache/node-compile-cache (NODE_COMPILE_CACHE
 * chooses another folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It never changes what a command
 * outputs, and never throws: a read-only node_modules only means no cache.
 */
export function enableCompileCache(env = process.env): void {
  const dir = env.NODE_COMPILE_CACHE?.trim() || path.join(PROJECT_ROOT, 'node_modules/.cache/node-compile-cache');
  const r = module.enableCompileCache?.(dir);
  if (r?.directory) env.NODE_COMPILE_CACHE = r.directory;
}

/** COMPLIANCE_WORKSPACE, else the repository root (the example workspace). */
export function workspaceRoot(env = process.env): string {
  const dir = env.COMPLIANCE_WORKSPACE?.trim();
  return dir ? path.resolve(dir) : PROJECT_ROOT;
}

/** COMPLIANCE_OUT, else the project's dist/. */
export function outDir(env = process.env): string {
  const dir = env.COMPLIANCE_OUT?.trim();
  return dir ? path.resolve(dir) : path.join(PROJECT_ROOT, 'dist');
}

/** The build's "now"; prints a located error and exits 2 when the variables are invalid. */
export function buildNow(env = process.env): Date {
  // The one place that reads the clock.
  const r = resolveNow(env, () => new Date());
  if (r.ok) return r.now;
  const bag = new DiagnosticBag();
  bag.report('now-invalid', {}, { args: { variable: r.variable, value: r.value } });
  printDiagnostics(bag.items);
  process.exit(2);
}

export function printDiagnostics(items: readonly Diagnostic[]): void {
  if (items.length === 0) return;
  const github = process.env.GITHUB_ACTIONS === 'true';
  const text = formatDiagnostics(items, { github });
  process.stderr.write(`${text}\n`);
}

/** The evidence cache (incremental builds): COMPLIANCE_CACHE_DIR, else node_modules/.cache/policy-portal; COMPLIANCE_CACHE=off turns it off. */
export function cacheDir(env = process.env): string | undefined {
  if (env.COMPLIANCE_CACHE === 'off' || env.COMPLIANCE_CACHE === '0') return undefined;
  return env.COMPLIANCE_CACHE_DIR?.trim() ? path.resolve(env.COMPLIANCE_CACHE_DIR) : path.join(PROJECT_ROOT, 'node_modules/.cache/policy-portal');
}

/** COMPLIANCE_WORKERS=<n> forces the number of ingestion worker threads (0: none). */
export function workerCount(env = process.env): number | undefined {
  const v = env.COMPLIANCE_WORKERS?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * COMPLIANCE_TIMINGS=1: one line per build phase on stderr (seconds since the start, the phase's
 * own seconds, resident memory), to see where a slow build goes. Off by default.
 */
export function phaseTimer(env = process.env): (phase: string) => void {
  if (!env.COMPLIANCE_TIMINGS || env.COMPLIANCE_TIMINGS === '0') return () => {};
  const start = performance.now();
  let last = start;
  return (phase) => {
    const t = performance.now();
    const mib = Math.round(process.memoryUsage.rss() / 2 ** 20);
    process.stderr.write(`timing: ${((t - start) / 1000).toFixed(1).padStart(6)}s  ${((t - last) / 1000).toFixed(1).padStart(6)}s  ${String(mib).padStart(5)} MiB rss  ${phase}\n`);
    last = t;
  };
}
