/**
 * Faults: builds killed part-way, and evidence paths that cannot be read.
 *
 * The example workspace (content/ and evidence/ of the repository, copied to a
 * temp folder) is built once into a temp COMPLIANCE_OUT. Then `build` is
 * started into the same COMPLIANCE_OUT and killed with SIGKILL (its whole
 * process group, as a CI cancel would) at seeded random points between 100 ms
 * and the full build time: each time the previous output must be exactly as
 * it was (same file hashes), and a normal build afterwards must succeed and,
 * with the same COMPLIANCE_NOW, give the same report.json and set of files.
 */
import { cleanEnv } from '../helpers/cli.ts';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_NOW, parseOutput, REPO_ROOT } from '../helpers/bad-corpus.ts';

const SEED = 7;
const KILLS = 3;

let base: string;
let workspace: string;
let out: string;
/** Where the builds' own temp folders go (os.tmpdir() of the child), to see what a kill leaves behind. */
let childTmp: string;
let before: Map<string, string>;
let fullBuildMs = 0;
/** Every build this file started, to remove what a killed one leaves in the project (.cache/build-<pid>). */
const startedPids: number[] = [];

async function hashTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const ent of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!ent.isFile()) continue;
    const abs = path.join(ent.parentPath, ent.name);
    files.set(path.relative(dir, abs), createHash('sha256').update(await readFile(abs)).digest('hex'));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface Build {
  pid: number;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

function startBuild(ws: string): Build {
  const started = performance.now();
  const child = spawn('node', [path.join(REPO_ROOT, 'scripts/build.ts')], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      COMPLIANCE_WORKSPACE: ws,
      COMPLIANCE_OUT: out,
      COMPLIANCE_NOW: CORPUS_NOW,
      COMPLIANCE_CACHE: 'off',
      TMPDIR: childTmp,
    }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  startedPids.push(child.pid!);
  const done = new Promise<Awaited<Build['done']>>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Math.round(performance.now() - started) })),
  );
  return { pid: child.pid!, done };
}

/** SIGKILL to the process group that startBuild created (the build and anything it spawned, e.g. Pagefind). */
function killBuild(b: Build): void {
  try {
    process.kill(-b.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Folders beside COMPLIANCE_OUT other than the output itself (staging or old copies). */
async function besideOut(): Promise<string[]> {
  return (await readdir(path.dirname(out))).filter((n) => n !== path.basename(out)).sort();
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'faults-'));
  workspace = path.join(base, 'ws');
  out = path.join(base, 'out', 'site');
  childTmp = path.join(base, 'tmp');
  await mkdir(path.dirname(out), { recursive: true });
  await mkdir(childTmp);
  await cp(path.join(REPO_ROOT, 'content'), path.join(workspace, 'content'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'evidence'), path.join(workspace, 'evidence'), { recursive: true });
  const first = await startBuild(workspace).done;
  expect(first.status, first.stderr).toBe(0);
  fullBuildMs = first.ms;
  before = await hashTree(out);
  expect(before.has('report.json')).toBe(true);
  expect(before.size).toBeGreaterThan(50);
}, 180_000);

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
  // Only the folders of builds this file started (by pid), never other builds' folders.
  for (const pid of startedPids) await rm(path.join(REPO_ROOT, '.cache', `build-${pid}`), { recursive: true, force: true });
});

/** What a build with this pid leaves behind when it cannot clean up: its staging folder in the project. */
const projectStaging = (pid: number) => path.join(REPO_ROOT, '.cache', `build-${pid}`);

describe('faults: interrupted builds', () => {
  it(`a build killed at ${KILLS} random points leaves the previous output intact, and the next build succeeds`, async () => {
    let x = SEED;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const log: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const snapshot = await hashTree(out);
      const delay = Math.round(100 + rnd() * Math.max(0, fullBuildMs - 100));
      const b = startBuild(workspace);
      const finished = await Promise.race([b.done.then(() => true), sleep(delay).then(() => false)]);
      if (!finished) killBuild(b);
      const r = await b.done;
      log.push(`kill ${k + 1}: after ${delay} ms of a ${fullBuildMs} ms build -> ${finished ? `finished first (exit ${r.status})` : `killed (${r.signal})`}`);
      expect(existsSync(out), `${log.join('\n')}\nCOMPLIANCE_OUT is gone`).toBe(true);
      if (finished) {
        // The build won the race: it must have completed normally and replaced the output whole.
        expect(r.status, r.stderr).toBe(0);
        expect([...(await hashTree(out)).keys()]).toEqual([...snapshot.keys()]);
      } else {
        // Intact: the very same files, byte for byte.
        expect(await hashTree(out), log.join('\n')).toEqual(snapshot);
      }
      const next = await startBuild(workspace).done;
      expect(next.status, `${log.join('\n')}\n${next.stderr}`).toBe(0);
      expect(parseOutput(next).crashLines).toEqual([]);
      const after = await hashTree(out);
      // Same inputs, same now: the same report and the same set of files (pages are compared by path only,
      // so that a concurrent edit of the site templates in a working copy does not look like a fault).
      expect([...after.keys()], 'a normal build after the kill gives the same files').toEqual([...before.keys()]);
      expect(after.get('report.json'), 'a normal build after the kill gives the same report.json').toBe(before.get('report.json'));
    }
    process.stdout.write(`${log.join('\n')}\n`);
  }, 300_000);

  // BUG: scripts/build.ts stages the site in <project>/.cache/build-<pid>/site (and briefly `${out}.staging-<pid>`)
  // and its work files in mkdtemp(os.tmpdir()/policy-portal-*); after a SIGKILL nothing removes them, and later
  // builds only remove their own pid's folders, so every interrupted build leaves a full copy of the site (and the
  // findings pages) behind, in the project's .cache/ and in the temp folder. Suggested fix: at start, take a lock
  // file beside COMPLIANCE_OUT (or in .cache/) and remove `.cache/build-*`, `${out}.staging-*`, `${out}.old-*`
  // (restoring `${out}.old-*` first when `out` is missing: a kill between the two renames of the swap leaves no
  // output at all) whose pid is not a running build; and keep the work folder under .cache/build-<pid>/ too.
  it('a build killed during the site build leaves no staging or temp folders behind once the next build ran', async () => {
    const snapshot = await hashTree(out);
    const b = startBuild(workspace);
    // Kill as soon as the build's staging folder exists (during the Astro build): a deterministic point.
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline && !existsSync(projectStaging(b.pid))) await sleep(25);
    expect(existsSync(projectStaging(b.pid)), 'the build never created its staging folder').toBe(true);
    killBuild(b);
    await b.done;
    expect(await hashTree(out)).toEqual(snapshot);
    const next = await startBuild(workspace).done;
    expect(next.status, next.stderr).toBe(0);
    expect(existsSync(projectStaging(b.pid)), `${projectStaging(b.pid)} left behind`).toBe(false);
    expect(await besideOut(), 'folders left beside COMPLIANCE_OUT').toEqual([]);
    expect(await readdir(childTmp), 'temp folders left by the killed build').toEqual([]);
  }, 300_000);
});

describe('faults: evidence paths that cannot be read', () => {
  async function brokenCopy(name: string, damage: (ws: string) => Promise<void> | void): Promise<string> {
    const ws = path.join(base, name);
    await cp(workspace, ws, { recursive: true });
    await damage(ws);
    return ws;
  }

  it('a FIFO among the evidence files fails the build with a located error; no report.json is written, the old output stays', async () => {
    const snapshot = await hashTree(out);
    const ws = await brokenCopy('fifo', (w) => {
      execFileSync('mkfifo', [path.join(w, 'evidence/okta-mfa/export.csv')]);
    });
    const r = await startBuild(ws).done;
    expect(r.status, r.stderr).toBe(2);
    const d = parseOutput(r).diagnostics.filter((x) => x.severity === 'error');
    expect(d.map((x) => `${x.file} ${x.rule}`)).toEqual(['evidence/okta-mfa/export.csv io-error']);
    expect(d[0]!.message).toMatch(/not a regular file/);
    expect(d[0]!.hint).toBeTruthy();
    expect(parseOutput(r).crashLines).toEqual([]);
    expect(await hashTree(out)).toEqual(snapshot);
    expect(await besideOut()).toEqual([]);
  }, 120_000);

  it('a folder where the evidence file was fails the build (the source has no data, never zero findings); the old output stays', async () => {
    const snapshot = await hashTree(out);
    const ws = await brokenCopy('folder', async (w) => {
      const f = path.join(w, 'evidence/okta-mfa/users.csv');
      await rm(f);
      await mkdir(f);
      await cp(path.join(workspace, 'evidence/okta-mfa/users.csv'), path.join(f, 'part-1'));
    });
    const r = await startBuild(ws).done;
    expect(r.status, r.stderr).toBe(2);
    const errors = parseOutput(r).diagnostics.filter((x) => x.severity === 'error');
    const filesLine = (await readFile(path.join(ws, 'evidence/okta-mfa/source.yaml'), 'utf8')).split('\n').findIndex((l) => l.startsWith('files:')) + 1;
    expect(filesLine).toBeGreaterThan(0);
    expect(errors.map((x) => `${x.file}:${x.line} ${x.rule} [${x.field}]`)).toEqual([`evidence/okta-mfa/source.yaml:${filesLine} files-no-match [files]`]);
    expect(await hashTree(out)).toEqual(snapshot);
    expect(await besideOut()).toEqual([]);
  }, 120_000);
});
