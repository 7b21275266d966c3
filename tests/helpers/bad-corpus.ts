/**
 * The bad-input corpus (tests/fixtures/bad/<case>/): each case is a small
 * workspace plus expected.json. This module copies a case into a temp folder,
 * applies the runtime-only parts (symlinks, FIFOs, permissions, generated
 * large files: nothing of that is committed), runs the real CLIs in a child
 * process and parses what they print.
 */
import { cleanEnv } from './cli.ts';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BAD_DIR = path.join(REPO_ROOT, 'tests/fixtures/bad');
export const CORPUS_NOW = '2026-11-28T00:00:00Z';

/** Runtime-only set-ups, by name (expected.json `setup`). */
export const setups = [
  'portal-directory',
  'portal-fifo',
  'evidence-fifo',
  'symlink-outside',
  'symlink-inside',
  'symlink-loop',
  'chmod-000',
  'csv-500mb-line',
  'csv-2mb-cell',
] as const;
export type SetupName = (typeof setups)[number];

export interface ExpectedDiagnostic {
  rule: string;
  /** Workspace-relative path as printed, or `<workspace>`. */
  file: string;
  line?: number;
  column?: number;
  field?: string;
  /** Default: error. Listed warnings must appear; unlisted warnings are allowed. */
  severity?: 'error' | 'warning';
  messageIncludes?: string;
  hintIncludes?: string;
}

export interface CaseExpectation {
  /** What the case is and why this outcome is the right one. */
  description: string;
  exit: 0 | 2;
  /** Every error expected (exactly these), and the warnings that must appear. */
  diagnostics: ExpectedDiagnostic[];
  setup?: SetupName;
  /** Lines check prints on success (row counts, scores). */
  stdoutIncludes?: string[];
  /** Also run `build`: it must exit 2 and leave no report.json. */
  build?: boolean;
  /** Kill the CLI after this long (default 60 s). */
  timeoutMs?: number;
  /** A known defect: the case is kept and expected to fail until the core is fixed (`it.fails`). */
  bug?: string;
  /**
   * A known defect limited to hints: some expected errors print no hint. The case's own test skips the
   * hint check and a separate `it.fails` test asserts it, so the rest of the case stays checked.
   */
  knownMissingHints?: string;
}

export function listCases(): string[] {
  return readdirSync(BAD_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(BAD_DIR, d.name, 'expected.json')))
    .map((d) => d.name)
    .sort();
}

export function readExpectation(name: string): CaseExpectation {
  return JSON.parse(readFileSync(path.join(BAD_DIR, name, 'expected.json'), 'utf8')) as CaseExpectation;
}

export interface PreparedCase {
  root: string;
  /** Run the CLI as this user (uid, gid): set when a case needs a user that permissions apply to. */
  runAs?: { uid: number; gid: number };
  /** Set when this machine cannot reproduce the case (printed, never silent). */
  skipReason?: string;
  cleanup(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Copies a case into a fresh temp folder (without expected.json) and applies its runtime set-up. */
export async function prepareCase(name: string, expectation: CaseExpectation): Promise<PreparedCase> {
  const base = await mkdtemp(path.join(tmpdir(), `bad-corpus-${name}-`));
  const root = path.join(base, 'ws');
  await cp(path.join(BAD_DIR, name), root, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
  const cleanup = async () => {
    await chmod(path.join(root, 'evidence/okta/users.csv'), 0o644).catch(() => {});
    await rm(base, { recursive: true, force: true });
  };
  let skipReason: string | undefined;
  let runAs: PreparedCase['runAs'];
  const at = (rel: string) => path.join(root, rel);
  switch (expectation.setup) {
    case undefined:
      break;
    case 'portal-directory':
      await mkdir(at('content/portal.yaml'), { recursive: true });
      break;
    case 'portal-fifo':
      execFileSync('mkfifo', [at('content/portal.yaml')]);
      break;
    case 'evidence-fifo':
      execFileSync('mkfifo', [at('evidence/okta/export.csv')]);
      break;
    case 'symlink-outside': {
      // A real file outside the workspace (beside it, in the case's temp folder).
      await writeFile(path.join(base, 'outside.csv'), 'Login,MFA Enrolled\nmallory@example.com,TRUE\n');
      await symlink(path.join(base, 'outside.csv'), at('evidence/okta/users.csv'));
      break;
    }
    case 'symlink-inside':
      await symlink('../../exports/users.csv', at('evidence/okta/users.csv'));
      break;
    case 'symlink-loop':
      await symlink('loop.csv', at('evidence/okta/loop.csv'));
      break;
    case 'chmod-000':
      await chmod(at('evidence/okta/users.csv'), 0o000);
      if (isRoot()) {
        // Permissions do not stop root: run the CLI as `nobody` instead (setpriv, util-linux), else skip.
        if (hasSetpriv() && nobodyCanRun()) {
          runAs = { uid: 65534, gid: 65534 };
          await chmodTree(base, (p) => p !== at('evidence/okta/users.csv'));
        } else if (hasSetpriv()) {
          skipReason = `user nobody cannot read this checkout (${REPO_ROOT}, e.g. inside a mode-700 folder from mktemp -d), so the CLI cannot run as nobody; CI's checkout is readable, where this case runs`;
        } else skipReason = 'running as root without setpriv: file permissions do not stop root from reading, so chmod 000 cannot make a file unreadable (the FIFO case covers an unreadable evidence path)';
      }
      break;
    case 'csv-500mb-line':
      await writeBigLine(at('evidence/okta/users.csv'), 500 * 1024 * 1024);
      break;
    case 'csv-2mb-cell':
      await writeBigCell(at('evidence/okta/users.csv'), 2 * 1024 * 1024);
      break;
  }
  return { root, cleanup, ...(skipReason ? { skipReason } : {}), ...(runAs ? { runAs } : {}) };
}

/** Whether user `nobody` can read the CLI in this checkout (every parent folder searchable). */
function nobodyCanRun(): boolean {
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', path.join(REPO_ROOT, 'scripts/check.ts')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function hasSetpriv(): boolean {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes a folder tree readable (and folders searchable) by every user, except the paths `keep` rejects. */
async function chmodTree(dir: string, keep: (p: string) => boolean): Promise<void> {
  await chmod(dir, 0o755);
  for (const ent of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(ent.parentPath, ent.name);
    if (!keep(p) || ent.isSymbolicLink()) continue;
    await chmod(p, ent.isDirectory() ? 0o755 : 0o644);
  }
}

/** `Login,MFA Enrolled` then one data line of `bytes` bytes (a single cell), written in 8 MiB chunks. */
async function writeBigLine(file: string, bytes: number): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.write('Login,MFA Enrolled\n');
    const chunk = Buffer.alloc(8 * 1024 * 1024, 'a');
    for (let left = bytes; left > 0; left -= chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, left));
    await fh.write(',TRUE\n');
  } finally {
    await fh.close();
  }
}

/** A normal export whose second row has a `bytes`-long quoted cell (with commas and newlines inside). */
async function writeBigCell(file: string, bytes: number): Promise<void> {
  const unit = 'x,y\nz '; // delimiters and line breaks inside a quoted cell
  const cell = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
  await writeFile(file, `Login,MFA Enrolled,Note\nada@example.com,TRUE,short\nbob@example.com,FALSE,"${cell}"\ncarol@example.com,TRUE,short\n`);
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** Peak resident set size of the CLI process (KiB), when measured. */
  peakRssKb?: number;
}

/** Writes the process's peak RSS (process.resourceUsage().maxRSS, KiB) to $BAD_CORPUS_RSS_FILE at exit. */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs"; process.on("exit", () => { try { writeFileSync(process.env.BAD_CORPUS_RSS_FILE, String(process.resourceUsage().maxRSS)); } catch {} });',
)}`;

/**
 * Runs `node scripts/<script>` against a workspace, as a user would (Node 24 first on PATH),
 * with a hard timeout (SIGKILL of the process group it started).
 */
export async function runCli(
  script: 'check.ts' | 'build.ts',
  workspace: string,
  options: { timeoutMs?: number; env?: Record<string, string>; measureRss?: boolean; runAs?: { uid: number; gid: number } } = {},
): Promise<CliResult> {
  const rssFile = options.measureRss ? path.join(await mkdtemp(path.join(tmpdir(), 'bad-corpus-rss-')), 'rss') : undefined;
  const args = [...(rssFile ? ['--import', RSS_PRELOAD] : []), path.join(REPO_ROOT, 'scripts', script)];
  const started = performance.now();
  const [command, argv] = options.runAs
    ? ['setpriv', [`--reuid=${options.runAs.uid}`, `--regid=${options.runAs.gid}`, '--clear-groups', 'node', ...args]]
    : ['node', args];
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv({
      COMPLIANCE_WORKSPACE: workspace,
      COMPLIANCE_NOW: CORPUS_NOW,
      COMPLIANCE_CACHE: 'off',
      // Node's own compile cache (about a fifth less CPU per start); it changes nothing the CLI does.
      ...(options.runAs ? { HOME: tmpdir() } : { NODE_COMPILE_CACHE: path.join(tmpdir(), 'bad-corpus-node-compile-cache') }),
      ...(rssFile ? { BAD_CORPUS_RSS_FILE: rssFile } : {}),
      ...options.env,
    }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // Peak RSS from /proc while it runs (survives a SIGKILL), and exactly at a normal exit (preload).
  let procPeakKb = 0;
  const poll = rssFile
    ? setInterval(() => {
        const m = /VmHWM:\s+(\d+) kB/.exec(readProcStatus(child.pid));
        if (m) procPeakKb = Math.max(procPeakKb, Number(m[1]));
      }, 100)
    : undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, options.timeoutMs ?? 60_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  const result: CliResult = { status, signal, stdout, stderr, ms: Math.round(performance.now() - started), timedOut };
  if (rssFile) {
    const kb = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
    const peak = Math.max(Number.isFinite(kb) ? kb : 0, procPeakKb);
    if (peak > 0) result.peakRssKb = peak;
    await rm(path.dirname(rssFile), { recursive: true, force: true });
  }
  return result;
}

function readProcStatus(pid: number | undefined): string {
  try {
    return pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  } catch {
    return '';
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface PrintedDiagnostic {
  raw: string;
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  rule: string;
  field?: string;
  message: string;
  hint?: string;
}

/** `file:line:col  severity rule [field]: message  (hint)` */
const LINE_RE = /^(.+?)(?::(\d+))?(?::(\d+))?  (error|warning) ([a-z0-9-]+)(?: \[(.*?)\])?: (.*)$/s;

/** Parses one printed diagnostic line; undefined when the line does not have the diagnostic shape. */
export function parseDiagnosticLine(raw: string): PrintedDiagnostic | undefined {
  const m = LINE_RE.exec(raw);
  if (!m) return undefined;
  let message = m[7]!;
  let hint: string | undefined;
  const h = message.lastIndexOf('  (');
  if (h !== -1 && message.endsWith(')')) {
    hint = message.slice(h + 3, -1);
    message = message.slice(0, h);
  }
  const d: PrintedDiagnostic = { raw, file: m[1]!, severity: m[4] as 'error' | 'warning', rule: m[5]!, message };
  if (m[2]) d.line = Number(m[2]);
  if (m[3]) d.column = Number(m[3]);
  if (m[6] !== undefined) d.field = m[6];
  if (hint !== undefined) d.hint = hint;
  return d;
}

export interface ParsedOutput {
  diagnostics: PrintedDiagnostic[];
  /** Lines of stderr that are neither a diagnostic nor one of the CLI's own summary lines. */
  strayLines: string[];
  /** Lines that look like a stack trace or an uncaught exception. */
  crashLines: string[];
}

const SUMMARY_LINES = [/^\d+ errors?, \d+ warnings?$/, /^check failed: fix the errors above \(workspace: .*\)$/, /^build failed: fix the errors above \(workspace: .*\)$/];

export function parseOutput(result: Pick<CliResult, 'stdout' | 'stderr'>): ParsedOutput {
  const diagnostics: PrintedDiagnostic[] = [];
  const strayLines: string[] = [];
  const crashLines: string[] = [];
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    if (/^\s{4}at /.test(line) || /^\w*Error:/.test(line) || /^node:internal/.test(line) || /Uncaught|FATAL ERROR|heap out of memory/.test(line)) crashLines.push(line);
  }
  for (const line of result.stderr.split('\n')) {
    if (line === '') continue;
    const d = parseDiagnosticLine(line);
    if (d) diagnostics.push(d);
    else if (!SUMMARY_LINES.some((re) => re.test(line))) strayLines.push(line);
  }
  return { diagnostics, strayLines, crashLines };
}

/** Does a printed diagnostic satisfy an expected one? */
export function matches(exp: ExpectedDiagnostic, d: PrintedDiagnostic): boolean {
  if (d.rule !== exp.rule || d.file !== exp.file || d.severity !== (exp.severity ?? 'error')) return false;
  if (exp.line !== undefined && d.line !== exp.line) return false;
  if (exp.column !== undefined && d.column !== exp.column) return false;
  if (exp.field !== undefined && d.field !== exp.field) return false;
  if (exp.messageIncludes !== undefined && !d.message.includes(exp.messageIncludes)) return false;
  if (exp.hintIncludes !== undefined && !(d.hint ?? '').includes(exp.hintIncludes)) return false;
  return true;
}

export interface Comparison {
  /** Expected diagnostics with no printed match. */
  missing: ExpectedDiagnostic[];
  /** Printed errors that no expected diagnostic accounts for. */
  unexpectedErrors: PrintedDiagnostic[];
}

/** One-to-one matching of expected to printed diagnostics (greedy, most specific expectation first). */
export function compareDiagnostics(expected: readonly ExpectedDiagnostic[], printed: readonly PrintedDiagnostic[]): Comparison {
  const used = new Set<number>();
  const missing: ExpectedDiagnostic[] = [];
  const specificity = (e: ExpectedDiagnostic) => [e.line, e.column, e.field, e.messageIncludes, e.hintIncludes].filter((v) => v !== undefined).length;
  for (const exp of [...expected].sort((a, b) => specificity(b) - specificity(a))) {
    const i = printed.findIndex((d, idx) => !used.has(idx) && matches(exp, d));
    if (i === -1) missing.push(exp);
    else used.add(i);
  }
  const unexpectedErrors = printed.filter((d, i) => d.severity === 'error' && !used.has(i));
  return { missing, unexpectedErrors };
}

/** An error printed without a line or field, although it is about a text file (where a position could be given). */
export function lacksLocation(d: PrintedDiagnostic): boolean {
  if (d.severity !== 'error') return false;
  if (d.file === '<workspace>') return true;
  if (d.line !== undefined || d.field !== undefined) return false;
  // Whole-file facts have no better position than the file itself.
  const wholeFile = ['io-error', 'path-outside-workspace', 'portal-missing', 'source-config-missing', 'workspace-missing'];
  return !wholeFile.includes(d.rule);
}

export function describeDiagnostic(e: ExpectedDiagnostic): string {
  return `${e.file}${e.line !== undefined ? `:${e.line}` : ''}  ${e.severity ?? 'error'} ${e.rule}${e.field !== undefined ? ` [${e.field}]` : ''}${e.messageIncludes ? ` ~"${e.messageIncludes}"` : ''}${e.hintIncludes ? ` (~"${e.hintIncludes}")` : ''}`;
}
