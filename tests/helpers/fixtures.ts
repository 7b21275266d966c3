/**
 * Builders for core tests: in-memory workspaces (real parsers, real built-in
 * catalogs), frontmatter text, hand-made evidence summaries, temp folders.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticBag, type Diagnostic } from '../../src/core/diagnostics/diagnostic.ts';
import type { ControlEvidence, SourceSummary } from '../../src/core/evidence/ingest.ts';
import { readBuiltInCatalogs } from '../../src/core/load/catalogs-fs.ts';
import { validateWorkspace, type LoadResult, type SourceFolder, type TextFile, type Workspace } from '../../src/core/workspace.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES_DIR = path.join(REPO_ROOT, 'tests/fixtures');
/** The reference "now" of every fixture and golden report. */
export const FIXTURE_NOW = '2026-11-28T00:00:00Z';

let builtIns: Promise<TextFile[]> | undefined;
/** The shipped catalogs (src/catalogs), read once. */
export function builtInCatalogs(): Promise<TextFile[]> {
  builtIns ??= readBuiltInCatalogs();
  return builtIns;
}

/** A YAML document from a plain object: JSON flow values are valid YAML, one key per line. */
export function yamlLines(fields: Record<string, unknown>): string[] {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'string' && /^[A-Za-z][\w .-]*$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v) ? v : JSON.stringify(v)}`);
}

/** A Markdown file with frontmatter built from `fields`; the first field is on line 2. */
export function frontmatter(fields: Record<string, unknown>, body = 'Body text.\n'): string {
  return ['---', ...yamlLines(fields), '---', '', body].join('\n');
}

export const POLICY_DEFAULTS = {
  id: 'POL-1',
  title: 'Test policy',
  owner: 'Head of Security',
  status: 'approved',
  version: '1.0',
  effective: '2026-01-01',
  lastReviewed: '2026-06-01',
  reviewInterval: '12 months',
} as const;

export function policyFile(fields: Record<string, unknown>, name?: string): TextFile {
  const merged = { ...POLICY_DEFAULTS, ...fields };
  return { path: `content/policies/${name ?? String(merged.id).toLowerCase()}.md`, text: frontmatter(merged) };
}

export const EXCEPTION_DEFAULTS = {
  id: 'EXC-1',
  reason: 'Accepted risk for the test',
  approvedBy: 'CISO',
  expires: '2027-03-31',
} as const;

export function exceptionFile(fields: Record<string, unknown>, name?: string): TextFile {
  const merged = { ...EXCEPTION_DEFAULTS, ...fields };
  return { path: `content/exceptions/${name ?? String(merged.id)}.md`, text: frontmatter(merged) };
}

export function portalFile(fields: Record<string, unknown> = {}): TextFile {
  const merged = { organization: 'Test Co', frameworks: ['soc2'], ...fields };
  return { path: 'content/portal.yaml', text: `${yamlLines(merged).join('\n')}\n` };
}

export interface MemoryWorkspace {
  portal?: TextFile | Record<string, unknown>;
  policies?: TextFile[];
  exceptions?: TextFile[];
  frameworks?: TextFile[];
  sources?: SourceFolder[];
  looseEvidence?: string[];
}

/** Runs the real validateWorkspace over in-memory files and the built-in catalogs. */
export async function loadMemoryWorkspace(input: MemoryWorkspace = {}): Promise<LoadResult & { diagnostics: DiagnosticBag }> {
  const portal = input.portal === undefined ? portalFile() : 'path' in input.portal && 'text' in input.portal ? (input.portal as TextFile) : portalFile(input.portal);
  return validateWorkspace(
    {
      portal,
      frameworks: input.frameworks ?? [],
      policies: input.policies ?? [],
      exceptions: input.exceptions ?? [],
      sources: input.sources ?? [],
      looseEvidence: input.looseEvidence ?? [],
    },
    await builtInCatalogs(),
  );
}

/** Like loadMemoryWorkspace, but fails the test unless the workspace is valid. */
export async function validWorkspace(input: MemoryWorkspace = {}): Promise<Workspace> {
  const r = await loadMemoryWorkspace(input);
  if (r.diagnostics.hasErrors || !r.workspace) {
    throw new Error(`expected a valid workspace, got:\n${r.diagnostics.items.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`).join('\n')}`);
  }
  return r.workspace;
}

/** Diagnostics reduced to what a test compares: rule, file, line (and column when asked). */
export function brief(items: readonly Diagnostic[], withColumn = false): string[] {
  return items.map((d) => `${d.severity} ${d.rule} ${d.file ?? '-'}:${d.line ?? '-'}${withColumn ? `:${d.column ?? '-'}` : ''}`);
}

/** Evidence for one control as ingest would summarise it. */
export function controlEvidence(partial: Partial<ControlEvidence> = {}): ControlEvidence {
  const fail = partial.fail ?? 0;
  return {
    pass: 0,
    fail,
    notEvaluated: 0,
    failByExceptions: fail ? { '': fail } : {},
    checks: ['check-1'],
    freshUntil: '2026-12-20T00:00:00.000Z',
    collectedAt: '2026-11-20T00:00:00.000Z',
    ...partial,
  };
}

/** A hand-made source summary with evidence per control key (`soc2::CC6.1`). */
export function sourceSummary(id: string, controls: Record<string, ControlEvidence>, extra: Partial<SourceSummary> = {}): SourceSummary {
  return {
    id,
    dir: `evidence/${id}`,
    format: 'csv',
    tool: 'test',
    title: id,
    visibility: 'public',
    maxAge: '30d',
    files: [],
    rows: { total: 0, mapped: 0, unmapped: 0, notEvaluated: 0, skipped: 0 },
    resources: 0,
    resourcesApproximate: false,
    checks: [],
    controls,
    failed: false,
    ...extra,
  };
}

/** A fresh temp folder with `files` (relative path -> content) written into it. */
export async function tempWorkspace(files: Record<string, string | Uint8Array>): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'policy-portal-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Every file under `dir`, as relative path -> SHA-256 of its bytes (to compare two builds). */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ent of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const full = path.join(ent.parentPath, ent.name);
    out[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}
