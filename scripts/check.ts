/**
 * npm run check: validate the workspace and its evidence, print every problem
 * as `file:line:col  message  (hint)`. Exit 0 when clean (warnings allowed), 2 on errors.
 */
import { runPipeline } from '../src/core/load/pipeline-fs.ts';
import { buildNow, cacheDir, enableCompileCache, phaseTimer, printDiagnostics, workerCount, workspaceRoot } from './lib/cli.ts';

enableCompileCache();

const root = workspaceRoot();
const now = buildNow();
const cache = cacheDir();
const workers = workerCount();
const result = await runPipeline({ root, now, phase: phaseTimer(), ...(cache ? { cacheDir: cache } : {}), ...(workers !== undefined ? { workers } : {}) });
printDiagnostics(result.diagnostics.items);
if (result.diagnostics.hasErrors) {
  process.stderr.write(`check failed: fix the errors above (workspace: ${root})\n`);
  process.exit(2);
}
const r = result.report!;
const lines = r.frameworks.map((f) => `  ${f.id}: ${f.summary.counts.passing}/${f.summary.applicable} passing (${(f.summary.score * 100).toFixed(1)}%), ${f.summary.counts.failing} failing, ${f.summary.counts.gap} gaps`);
process.stdout.write(`check passed: ${r.policies.length} policies, ${r.sources.length} evidence sources, ${r.sources.reduce((n, s) => n + s.rows.total, 0)} evidence rows\n${lines.join('\n')}\n`);
