/**
 * One pass over a workspace on disk: read and validate content, ingest every
 * evidence source (in parallel), compute statuses and the report. Used by
 * `check`, `build` and the tests; the site reads the result, never the disk.
 */
import { createHash } from 'node:crypto';
import { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { applyAcknowledgements } from '../evidence/acknowledgements.ts';
import { fileSettings, mergeSource, type SourceSummary } from '../evidence/ingest.ts';
import { buildReport, type Report } from '../report/report.ts';
import { computeStatus, type StatusResult } from '../status/compute-status.ts';
import { compareStrings } from '../util/suggest.ts';
import { validateWorkspace, type Workspace, type WorkspaceFiles } from '../workspace.ts';
import { readBuiltInCatalogs, readBuiltInCrosswalks } from './catalogs-fs.ts';
import { writeFindingsIndex } from './findings-fs.ts';
import { ingestFiles, type PoolStats } from './ingest-pool-fs.ts';
import { readWorkspaceFiles } from './workspace-fs.ts';

export interface PipelineResult {
  diagnostics: DiagnosticBag;
  workspace?: Workspace;
  files?: WorkspaceFiles;
  sources?: SourceSummary[];
  /** How ingestion went: files, cache hits, worker threads. */
  ingestStats?: PoolStats;
  status?: StatusResult;
  report?: Report;
}

export interface PipelineOptions {
  root: string;
  now: Date;
  /** Write every row as paginated files into this folder (for the findings pages). */
  findingsDir?: string;
  /** Population sample size per source (0: none). */
  sampleSize?: number;
  /** Content-addressed cache of ingested evidence (incremental builds); none: no cache. */
  cacheDir?: string;
  /** Worker threads for ingestion (0: inline); default: automatic. */
  workers?: number;
  /** Called as each step ends (COMPLIANCE_TIMINGS). */
  phase?: (name: string) => void;
}

export async function runPipeline({ root, now, findingsDir, sampleSize = 0, cacheDir, workers, phase = () => {} }: PipelineOptions): Promise<PipelineResult> {
  const diagnostics = new DiagnosticBag();
  const files = await readWorkspaceFiles(root, diagnostics);
  if (!files) return { diagnostics };
  const builtIn = await readBuiltInCatalogs();
  const { workspace } = validateWorkspace(files, builtIn, diagnostics, await readBuiltInCrosswalks());
  if (!workspace) return { diagnostics, files };
  phase('read and validate the workspace');

  const exceptions = workspace.exceptions.map((e) => e.data);
  const sampling = { size: workspace.portal.sampling?.size ?? sampleSize, ...(workspace.portal.sampling?.seed ? { seed: workspace.portal.sampling.seed } : {}) };
  const rosters = new Set(workspace.sources.map((s) => s.config.roster).filter((r): r is string => !!r));
  const policyVersions = Object.fromEntries(workspace.policies.filter((p) => p.data.status === 'approved').map((p) => [p.data.id, p.data.version]));
  const settings = workspace.sources.map((s) => ({
    ...fileSettings({ id: s.id, dir: s.dir, configFile: s.configFile, config: s.config, defaultMaxAge: workspace.portal.evidence.maxAge }, sampling),
    ...(s.config.format === 'acknowledgements' ? { policyVersions } : {}),
    ...(rosters.has(s.id) ? { keepResources: true } : {}),
  }));
  const jobs = workspace.sources.flatMap((s, i) => s.files.map((file) => ({ file, settings: settings[i]! })));
  const { results, stats } = await ingestFiles(jobs, {
    root,
    controls: workspace.index,
    exceptions,
    pages: findingsDir !== undefined,
    ...(findingsDir ? { findingsDir } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    ...(workers !== undefined ? { workers } : {}),
  });
  phase(`ingest evidence (${stats.files} files, ${stats.cached} from cache, ${stats.workers} worker threads)`);
  let next = 0;
  const sources = workspace.sources.map((s, i) => {
    const files = results.slice(next, next + s.files.length);
    next += s.files.length;
    return mergeSource(settings[i]!, files, workspace.index, diagnostics);
  });
  applyAcknowledgements(sources, workspace.sources, workspace.policies, workspace.index);
  if (findingsDir) {
    writeFindingsIndex(findingsDir, Object.fromEntries(sources.map((s) => [s.id, s.findingPageList ?? []])));
  }

  // Every file in evidence/ is read by a source, used as an attachment, or reported.
  const attachments = new Set(sources.flatMap((s) => s.files.flatMap((f) => f.attachments.map((a) => a.path))));
  const unclaimed = [...workspace.unclaimed, ...workspace.sources.flatMap((s) => s.otherFiles)]
    .filter((f) => !attachments.has(f))
    .sort(compareStrings);
  for (const f of unclaimed) diagnostics.report('file-unclaimed', { file: f });

  phase('merge sources');
  const status = computeStatus({ workspace, sources, now });
  diagnostics.merge(status.notices);

  const contentFiles = [files.portal, ...files.frameworks, ...files.policies, ...files.exceptions, ...(files.crosswalks ?? []), ...(files.crosswalkData ?? []), ...files.sources.map((s) => s.config)].filter(
    (f): f is NonNullable<typeof f> => !!f,
  );
  const contentHashes = contentFiles.map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.text).digest('hex') }));
  const report = buildReport({ workspace, sources, status, now, diagnostics: diagnostics.sorted(), contentHashes, unclaimed });
  phase('statuses and report');
  return { diagnostics, workspace, files, sources, status, report, ingestStats: stats };
}
