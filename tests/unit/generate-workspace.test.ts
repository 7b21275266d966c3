/**
 * The synthetic workspace generator of the scale benchmark
 * (scripts/lib/bench-workspace.ts, CLI scripts/generate-workspace.ts):
 * deterministic from its seed, in the real export shapes, and accepted by
 * `npm run check` with every generated row counted.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extraProwlerRow, generateWorkspace, MANIFEST, PROWLER_HEADER, type Manifest, type WorkspaceSpec } from '../../scripts/lib/bench-workspace.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';

const SPEC: WorkspaceSpec = { seed: 7, policies: 4, sources: 6, rows: 2400, sizeMb: 1.5 };

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'policy-portal-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Every file under `dir` (relative path -> SHA-256 of its bytes). */
async function digestTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const ent of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const abs = path.join(ent.parentPath, ent.name);
    out[path.relative(dir, abs)] = createHash('sha256').update(await readFile(abs)).digest('hex');
  }
  return out;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('generate-workspace', () => {
  let a: string;
  let manifest: Manifest;

  beforeAll(async () => {
    a = await tempDir();
    manifest = await generateWorkspace(a, SPEC);
  });

  it('the same seed gives the same bytes; another seed other bytes', async () => {
    const b = await tempDir();
    await generateWorkspace(b, SPEC);
    const treeA = await digestTree(a);
    expect(Object.keys(treeA).length).toBeGreaterThan(20);
    expect(await digestTree(b)).toEqual(treeA);
    const c = await tempDir();
    await generateWorkspace(c, { ...SPEC, seed: 8 });
    const treeC = await digestTree(c);
    const evidence = Object.keys(treeA).filter((f) => f.startsWith('evidence/') && !f.endsWith('source.yaml'));
    expect(evidence.length).toBeGreaterThan(8);
    expect(evidence.filter((f) => treeC[f] === treeA[f])).toEqual([]);
  });

  it('writes the formats asked for, with the rows and about the bytes asked for', async () => {
    expect(manifest.complete).toBe(true);
    expect(manifest.rows).toBe(SPEC.rows);
    expect(manifest.bytes / (SPEC.sizeMb * 1048576)).toBeGreaterThan(0.9);
    expect(manifest.bytes / (SPEC.sizeMb * 1048576)).toBeLessThan(1.1);
    expect(manifest.sources.map((s) => s.format).sort()).toEqual(['attestation', 'csv', 'prowler-csv', 'prowler-csv', 'prowler-ocsf', 'trivy']);
    expect(manifest.controls['nist-800-53-synthetic']).toBe(1200);
    const catalog = await readFile(path.join(a, 'content/frameworks/nist-800-53-synthetic.yaml'), 'utf8');
    expect(catalog).toMatch(/id: "[A-Z]{2}-\d+\(\d+\)"/);
    expect((await readdir(path.join(a, 'content/policies'))).length).toBe(SPEC.policies);
  });

  it('Prowler CSVs have the 42 columns of Prowler 5, quoted cells with `;` and line breaks, and as many rows as the manifest says', async () => {
    const prowler = manifest.sources.filter((s) => s.format === 'prowler-csv').flatMap((s) => s.files);
    let multiline = 0;
    for (const f of prowler) {
      const text = await readFile(path.join(a, f.path), 'utf8');
      expect(text.slice(0, text.indexOf('\n'))).toBe(PROWLER_HEADER);
      // Parsed by papaparse itself, not by the adapter under test.
      const parsed = Papa.parse<string[]>(text.trimEnd(), { delimiter: ';' });
      expect(parsed.errors).toEqual([]);
      expect(parsed.data.length - 1).toBe(f.rows);
      expect(parsed.data.every((row) => row.length === 42)).toBe(true);
      multiline += parsed.data.filter((row) => row.some((cell) => cell.includes('\n'))).length;
      expect(parsed.data.slice(1).every((row) => row[27]!.includes(';'))).toBe(true);
    }
    expect(multiline).toBeGreaterThan(0);
    const extra = Papa.parse<string[]>(extraProwlerRow(1, 1).trimEnd(), { delimiter: ';' });
    expect(extra.data[0]).toHaveLength(42);
  });

  it('refuses to write into a folder that is not a generated workspace, and leaves it alone', async () => {
    const other = await tempDir();
    await writeFile(path.join(other, 'notes.txt'), 'mine');
    await expect(generateWorkspace(other, SPEC)).rejects.toThrow(/not a generated workspace/);
    expect(await readdir(other)).toEqual(['notes.txt']);
    expect(await readFile(path.join(a, MANIFEST), 'utf8')).toMatch(/"complete": true/);
  });

  it('npm run check accepts the workspace and counts every generated row', { timeout: 180_000 }, async () => {
    const r = await run(process.execPath, ['scripts/check.ts'], {
      ...process.env,
      PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      COMPLIANCE_WORKSPACE: a,
      COMPLIANCE_NOW: '2026-11-28T00:00:00Z',
      COMPLIANCE_CACHE: 'off',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`check passed: ${SPEC.policies} policies, ${SPEC.sources} evidence sources, ${manifest.rows} evidence rows`);
  });
});
