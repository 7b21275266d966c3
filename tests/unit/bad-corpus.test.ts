/**
 * The bad-input corpus: every case in tests/fixtures/bad/ is run through the
 * REAL `check` CLI (a child process, Node 24 first on PATH) and must give the
 * exit code and the exact errors its expected.json lists, each at its file and
 * line, each with a hint, and never a stack trace. A few cases also run
 * `build`, which must fail and leave the previous output as it was.
 *
 * Cases whose expected.json has `bug` are known defects of the core: they are
 * kept, run, and expected to fail (`it.fails`) until the core is fixed; the
 * `bug` text says what is wrong and where.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareDiagnostics,
  describeDiagnostic,
  lacksLocation,
  listCases,
  mapLimit,
  parseOutput,
  prepareCase,
  readExpectation,
  runCli,
  type CaseExpectation,
  type CliResult,
  type ParsedOutput,
} from '../helpers/bad-corpus.ts';

interface Outcome {
  expectation: CaseExpectation;
  check?: CliResult;
  parsed?: ParsedOutput;
  build?: { result: CliResult; reportBefore: string; reportAfter: string | undefined; leftovers: string[] };
  skipReason?: string;
  /** Set when preparing or running the case threw (a failure of the harness, reported by the case's test). */
  harnessError?: string;
}

const names = listCases();
const outcomes = new Map<string, Outcome>();
/** Heavy cases first, so that they overlap with the many small ones. */
const heavyFirst = [...names].sort((a, b) => Number(!!readExpectation(b).setup?.startsWith('csv-')) - Number(!!readExpectation(a).setup?.startsWith('csv-')) || (a < b ? -1 : 1));
const CONCURRENCY = Math.max(2, Math.min(4, os.availableParallelism()));

/** The sentinel a failed build must leave untouched in COMPLIANCE_OUT. */
const OLD_REPORT = `${JSON.stringify({ schemaVersion: 1, note: 'output of an earlier, successful build' }, null, 2)}\n`;

async function runCase(name: string): Promise<void> {
  const expectation = readExpectation(name);
  const outcome: Outcome = { expectation };
  outcomes.set(name, outcome);
  let prepared: Awaited<ReturnType<typeof prepareCase>>;
  try {
    prepared = await prepareCase(name, expectation);
  } catch (e) {
    outcome.harnessError = (e as Error).stack ?? String(e);
    return;
  }
  try {
    if (prepared.skipReason) {
      outcome.skipReason = prepared.skipReason;
      return;
    }
    const measureRss = expectation.setup === 'csv-500mb-line' || expectation.setup === 'csv-2mb-cell';
    outcome.check = await runCli('check.ts', prepared.root, {
      ...(expectation.timeoutMs ? { timeoutMs: expectation.timeoutMs } : {}),
      ...(prepared.runAs ? { runAs: prepared.runAs } : {}),
      measureRss,
    });
    outcome.parsed = parseOutput(outcome.check);
    if (expectation.build) {
      const outParent = await mkdtemp(path.join(os.tmpdir(), `bad-corpus-out-${name}-`));
      const out = path.join(outParent, 'site');
      await mkdir(out);
      await writeFile(path.join(out, 'report.json'), OLD_REPORT);
      try {
        const result = await runCli('build.ts', prepared.root, { env: { COMPLIANCE_OUT: out }, ...(expectation.timeoutMs ? { timeoutMs: expectation.timeoutMs } : {}) });
        const reportAfter = existsSync(path.join(out, 'report.json')) ? await readFile(path.join(out, 'report.json'), 'utf8') : undefined;
        const leftovers = (await readdir(outParent)).filter((n) => n !== 'site');
        outcome.build = { result, reportBefore: OLD_REPORT, reportAfter, leftovers };
      } finally {
        await rm(outParent, { recursive: true, force: true });
      }
    }
  } catch (e) {
    outcome.harnessError = (e as Error).stack ?? String(e);
  } finally {
    await prepared.cleanup();
  }
}

beforeAll(async () => {
  await mapLimit(heavyFirst, CONCURRENCY, runCase);
}, 600_000);

/** Control characters other than tab and newline: raw evidence bytes reaching the terminal. */
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function crashed(o: Outcome): string | undefined {
  const r = o.check;
  if (!r) return o.harnessError ? 'harness error' : undefined;
  if (r.timedOut) return `timed out after ${r.ms} ms (killed)`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.status !== 0 && r.status !== 2) return `exit code ${r.status}`;
  if (o.parsed?.crashLines.length) return `stack trace: ${o.parsed.crashLines[0]}`;
  return undefined;
}

afterAll(() => {
  const rows = names.map((name) => {
    const o = outcomes.get(name);
    const e = o?.expectation ?? readExpectation(name);
    const crash = o ? crashed(o) : 'not run';
    const missingLoc = o?.parsed?.diagnostics.filter(lacksLocation) ?? [];
    const falsePass = o?.check?.status === 0 && e.exit === 2;
    return { name, e, o, crash, missingLoc, falsePass };
  });
  const ran = rows.filter((r) => r.o?.check);
  const lines = [
    '',
    'bad-input corpus summary',
    '------------------------',
    `cases: ${names.length}; tried: ${ran.length}; skipped: ${rows.filter((r) => r.o?.skipReason).length}; expected exit 0: ${rows.filter((r) => r.e.exit === 0).length}, exit 2: ${rows.filter((r) => r.e.exit === 2).length}; known bugs (it.fails): ${rows.filter((r) => r.e.bug).length}`,
    `crashes (timeout, signal, stack trace, other exit code): ${rows.filter((r) => r.crash).length}${rows.filter((r) => r.crash).map((r) => `\n  - ${r.name}: ${r.crash}`).join('')}`,
    `false passes (exit 0 where 2 is expected): ${rows.filter((r) => r.falsePass).length}${rows.filter((r) => r.falsePass).map((r) => `\n  - ${r.name}`).join('')}`,
    `errors without a line or field: ${rows.reduce((n, r) => n + r.missingLoc.length, 0)}${rows.filter((r) => r.missingLoc.length).map((r) => `\n  - ${r.name}: ${r.missingLoc.map((d) => `${d.file} ${d.rule}`).join('; ')}`).join('')}`,
    `slowest: ${[...ran].sort((a, b) => b.o!.check!.ms - a.o!.check!.ms).slice(0, 3).map((r) => `${r.name} ${r.o!.check!.ms} ms`).join(', ')}`,
    ...ran.filter((r) => r.o!.check!.peakRssKb).map((r) => `peak RSS of check for ${r.name}: ${Math.round(r.o!.check!.peakRssKb! / 1024)} MiB in ${r.o!.check!.ms} ms (${r.o!.check!.timedOut ? 'killed at the timeout' : `exit ${r.o!.check!.status}`})`),
    ...rows.filter((r) => r.o?.skipReason).map((r) => `skipped ${r.name}: ${r.o!.skipReason}`),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});

describe('bad-input corpus (tests/fixtures/bad, real CLI)', () => {
  it('has at least 60 cases, each with a description', () => {
    expect(names.length).toBeGreaterThanOrEqual(60);
    for (const n of names) expect(readExpectation(n).description.length, n).toBeGreaterThan(10);
  });

  for (const name of names) {
    const expectation = readExpectation(name);
    // BUG cases: expected to fail until the core is fixed (see `bug` in their expected.json).
    const test = expectation.bug ? it.fails : it;
    test(`${name}${expectation.bug ? ' [BUG, see expected.json]' : ''}: ${expectation.description}`, (ctx) => {
      const o = outcomes.get(name);
      expect(o, 'case did not run').toBeDefined();
      if (o!.skipReason) {
        process.stdout.write(`skipping ${name}: ${o!.skipReason}\n`);
        ctx.skip();
        return;
      }
      expect(o!.harnessError, 'the harness failed to prepare or run the case').toBeUndefined();
      const r = o!.check!;
      const parsed = o!.parsed!;
      const output = `--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
      // Never hang, never crash, never a stack trace.
      expect(crashed(o!), output).toBeUndefined();
      expect(r.status, output).toBe(expectation.exit);
      // Every output line is a diagnostic or one of the CLI's own lines; no raw control characters.
      expect(parsed.strayLines, output).toEqual([]);
      expect(`${r.stdout}${r.stderr}`.split('\n').filter((l) => CONTROL_CHARS.test(l)).map((l) => JSON.stringify(l)), 'output lines with control characters').toEqual([]);
      // The count line agrees with the lines printed (an evidence value cannot add lines).
      const counts = /^(\d+) errors?, (\d+) warnings?$/m.exec(r.stderr);
      if (parsed.diagnostics.length || expectation.exit === 2) {
        expect(counts, output).not.toBeNull();
        expect(Number(counts![1]) + Number(counts![2]), `diagnostic lines vs. the count line\n${output}`).toBe(parsed.diagnostics.length);
      }
      // Exactly the expected errors, at their file and line; the listed warnings too.
      const cmp = compareDiagnostics(expectation.diagnostics, parsed.diagnostics);
      expect(cmp.missing.map(describeDiagnostic), `expected diagnostics not printed\n${output}`).toEqual([]);
      expect(cmp.unexpectedErrors.map((d) => d.raw), 'errors the case does not expect').toEqual([]);
      // Every error says how to fix it (checked in its own test below when hints are a known gap).
      if (!expectation.knownMissingHints) expect(parsed.diagnostics.filter((d) => d.severity === 'error' && !d.hint).map((d) => d.raw), 'errors without a hint').toEqual([]);
      for (const s of expectation.stdoutIncludes ?? []) expect(r.stdout, output).toContain(s);
      if (expectation.exit === 0) expect(r.stdout, output).toMatch(/^check passed:/);
      else expect(r.stderr, output).toMatch(/check failed: fix the errors above/);

      if (expectation.build) {
        const b = o!.build!;
        const bout = `--- build stdout\n${b.result.stdout}--- build stderr\n${b.result.stderr}`;
        expect(b.result.timedOut || b.result.signal, bout).toBeFalsy();
        expect(b.result.status, bout).toBe(2);
        expect(parseOutput(b.result).crashLines, bout).toEqual([]);
        expect(b.result.stderr, bout).toMatch(/build failed: fix the errors above/);
        // No new report.json (so none can claim a passing control from the bad source): the old one stays.
        expect(b.reportAfter).toBe(b.reportBefore);
        expect(b.leftovers, 'staging folders left beside COMPLIANCE_OUT').toEqual([]);
        // The build prints the same errors as check.
        const built = compareDiagnostics(expectation.diagnostics.filter((d) => (d.severity ?? 'error') === 'error'), parseOutput(b.result).diagnostics);
        expect(built.missing.map(describeDiagnostic), bout).toEqual([]);
      }
    });

    if (expectation.knownMissingHints) {
      // BUG (see knownMissingHints in the case's expected.json): some errors print no hint.
      it.fails(`${name}: every error has a hint`, () => {
        const parsed = outcomes.get(name)?.parsed;
        expect(parsed).toBeDefined();
        expect(parsed!.diagnostics.filter((d) => d.severity === 'error' && !d.hint).map((d) => d.raw)).toEqual([]);
      });
    }
  }
});
