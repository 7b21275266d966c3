/**
 * Property-based invariants of the status engine, over random small
 * workspaces: real validation (validateWorkspace over in-memory texts and the
 * built-in soc2 catalog), real ingestion (ingestSource over generated CSV
 * bytes, split into random chunks), the real computeStatus and buildReport.
 * Seeded, so a failure is reproducible; fast-check prints the shrunk
 * counterexample and the seed.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../src/core/diagnostics/diagnostic.ts';
import { ingestSource, type EvidenceFileHandle, type SourceSummary } from '../../src/core/evidence/ingest.ts';
import { readBuiltInCatalogs } from '../../src/core/load/catalogs-fs.ts';
import { buildReport } from '../../src/core/report/report.ts';
import { computeStatus, type ControlResult, type ControlStatus } from '../../src/core/status/compute-status.ts';
import { validateWorkspace, type TextFile, type Workspace } from '../../src/core/workspace.ts';

const SEED = 20261128;
const RUNS = 100;
const NOW = new Date('2026-11-28T00:00:00Z');

/** The controls the generated workspaces play with (soc2 in scope). */
const CONTROLS = ['CC6.1', 'CC6.2', 'CC6.3', 'CC7.1', 'CC7.2', 'CC8.1'] as const;
const CHECKS = ['chk-a', 'chk-b', 'chk-c', 'chk-d'] as const;
/** Checks that no rule maps, and the empty check id (not evaluated). */
const OTHER_CHECKS = ['unmapped-x', ''] as const;
const RESULTS = ['PASS', 'FAIL', 'ERROR', 'N/A', '', 'SKIP'] as const;
/** Resources with delimiters, quotes, and multi-byte UTF-8 (split across chunks by the generator). */
const RESOURCES = ['r1', 'r2', 'zoë', '東京-1', 'a,b', 'q"x', 'line\nbreak'] as const;

/** failing < gap < stale < excepted < passing; not-applicable stands apart. */
const RANK: Record<Exclude<ControlStatus, 'not-applicable'>, number> = { failing: 0, gap: 1, stale: 2, excepted: 3, passing: 4 };

interface Row {
  check: string;
  result: (typeof RESULTS)[number];
  resource: string;
}
interface SourceModel {
  collectedAt: string;
  /** Rows with result SKIP are filtered out by a `where:` when set. */
  filterSkips: boolean;
  rows: Row[];
}
interface Model {
  /** check -> controls (an empty list: no map rule). */
  mapping: Record<string, string[]>;
  policies: { controls: string[]; status: 'approved' | 'draft'; lastReviewed: string }[];
  exceptions: { controls: string[]; expires: string; checks?: string[] }[];
  notApplicable: string[];
  policyOnly: string[];
  sources: SourceModel[];
}

const subset = (min = 0) => fc.subarray([...CONTROLS], { minLength: min });
const rowArb: fc.Arbitrary<Row> = fc.record({
  check: fc.constantFrom<string>(...CHECKS, ...CHECKS, ...OTHER_CHECKS),
  result: fc.constantFrom(...RESULTS),
  resource: fc.constantFrom(...RESOURCES),
});
const sourceArb: fc.Arbitrary<SourceModel> = fc.record({
  collectedAt: fc.constantFrom('2026-11-27T00:00:00Z', '2026-09-01T00:00:00Z'),
  filterSkips: fc.boolean(),
  rows: fc.array(rowArb, { maxLength: 14 }),
});
const modelArb = (opts: { exceptionsExpired?: boolean } = {}): fc.Arbitrary<Model> =>
  fc
    .record({
      mapping: fc.record(Object.fromEntries(CHECKS.map((c) => [c, subset()])) as Record<string, fc.Arbitrary<string[]>>),
      policies: fc.array(
        fc.record({
          controls: subset(1),
          status: fc.constantFrom<'approved' | 'draft'>('approved', 'approved', 'draft'),
          lastReviewed: fc.constantFrom('2026-06-01', '2025-06-01'),
        }),
        { maxLength: 3 },
      ),
      exceptions: fc.array(
        fc.record(
          {
            controls: subset(1),
            expires: opts.exceptionsExpired ? fc.constant('2026-10-31') : fc.constantFrom('2026-10-31', '2027-03-31'),
            checks: fc.subarray([...CHECKS], { minLength: 1 }),
          },
          { requiredKeys: ['controls', 'expires'] },
        ),
        { maxLength: 2 },
      ),
      notApplicable: fc.subarray([...CONTROLS], { maxLength: 1 }),
      policyOnly: fc.subarray([...CONTROLS], { maxLength: 2 }),
      sources: fc.array(sourceArb, { minLength: 1, maxLength: 3 }),
    })
    .map((m) => ({ ...m, policyOnly: m.policyOnly.filter((c) => !m.notApplicable.includes(c)) }));

// ---------------------------------------------------------------- texts

const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
const csvText = (rows: readonly Row[]) => ['Check,Result,Resource', ...rows.map((r) => [r.check, r.result, r.resource].map(q).join(','))].join('\n') + '\n';
const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

function portalText(m: Model): string {
  const lines = ['organization: Property Co', 'frameworks: [soc2]'];
  if (m.notApplicable.length) lines.push('notApplicable:', '  soc2:', ...m.notApplicable.map((c) => `    ${JSON.stringify(c)}: "Out of scope for the test"`));
  if (m.policyOnly.length) lines.push('policyOnly:', `  soc2: ${list(m.policyOnly)}`);
  return `${lines.join('\n')}\n`;
}

function sourceYaml(m: Model, s: SourceModel): string {
  const rules = Object.entries(m.mapping).filter(([, cs]) => cs.length);
  return [
    'format: csv',
    'tool: Generated',
    'files: "*.csv"',
    'delimiter: ","',
    `collectedAt: ${s.collectedAt}`,
    'maxAge: 30d',
    'fields:',
    '  check: { column: Check }',
    '  result: { column: Result, pass: [PASS], fail: [FAIL], error: [ERROR] }',
    '  resource: { column: Resource }',
    ...(s.filterSkips ? ['where:', '  - { column: Result, notEquals: [SKIP] }'] : []),
    rules.length ? 'map:' : 'map: []',
    ...rules.map(([check, cs]) => `  - { check: ${check}, controls: { soc2: ${list(cs)} } }`),
  ].join('\n') + '\n';
}

interface Texts {
  portal: TextFile;
  policies: TextFile[];
  exceptions: TextFile[];
  sources: { dir: string; config: TextFile; csv: { path: string; text: string }[] }[];
}

/** The workspace's files; `split[i]` cuts source i's rows into that many CSV files. */
function texts(m: Model, split: readonly number[] = []): Texts {
  return {
    portal: { path: 'content/portal.yaml', text: portalText(m) },
    policies: m.policies.map((p, i) => ({
      path: `content/policies/pol-${i + 1}.md`,
      text: `---\nid: POL-${i + 1}\ntitle: Policy ${i + 1}\nowner: CISO\nstatus: ${p.status}\nversion: "1.0"\neffective: 2026-01-01\nlastReviewed: ${p.lastReviewed}\nreviewInterval: 12 months\ncontrols: { soc2: ${list(p.controls)} }\n---\n\nText.\n`,
    })),
    exceptions: m.exceptions.map((e, i) => ({
      path: `content/exceptions/EXC-${i + 1}.md`,
      text: `---\nid: EXC-${i + 1}\ncontrols: { soc2: ${list(e.controls)} }\n${e.checks ? `checks: ${list(e.checks)}\n` : ''}reason: Accepted for the test\napprovedBy: CISO\nexpires: ${e.expires}\n---\n\nText.\n`,
    })),
    sources: m.sources.map((s, i) => {
      const dir = `evidence/src-${i + 1}`;
      const parts = Math.max(1, split[i] ?? 1);
      const per = Math.ceil(s.rows.length / parts) || 1;
      const csv = Array.from({ length: parts }, (_, k) => ({ path: `${dir}/part-${k + 1}.csv`, text: csvText(s.rows.slice(k * per, (k + 1) * per)) }));
      return { dir, config: { path: `${dir}/source.yaml`, text: sourceYaml(m, s) }, csv };
    }),
  };
}

// ---------------------------------------------------------------- pipeline (in memory)

let soc2Catalog: TextFile[];
beforeAll(async () => {
  soc2Catalog = (await readBuiltInCatalogs()).filter((f) => f.path.endsWith('/soc2.yaml'));
  expect(soc2Catalog).toHaveLength(1);
});

function validate(t: Texts, order: { reverse?: boolean } = {}): Workspace {
  const maybe = <T>(xs: T[]) => (order.reverse ? [...xs].reverse() : xs);
  const diagnostics = new DiagnosticBag();
  const { workspace } = validateWorkspace(
    {
      portal: t.portal,
      frameworks: [],
      policies: maybe(t.policies),
      exceptions: maybe(t.exceptions),
      sources: maybe(t.sources.map((s) => ({ dir: s.dir, config: s.config, files: maybe(s.csv.map((c) => c.path)) }))),
      looseEvidence: [],
    },
    soc2Catalog,
    diagnostics,
  );
  if (!workspace || diagnostics.hasErrors) throw new Error(`generated workspace is invalid:\n${diagnostics.items.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`).join('\n')}`);
  return workspace;
}

/** A file handle over in-memory bytes, cut into chunks at the given fractions (multi-byte characters may be split). */
function memoryFile(pathName: string, text: string, cuts: readonly number[] = []): EvidenceFileHandle {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].filter((n) => n > 0 && n < bytes.length).sort((a, b) => a - b);
  return {
    path: pathName,
    async *open() {
      let prev = 0;
      for (const n of [...at, bytes.length]) {
        yield bytes.subarray(prev, n);
        prev = n;
      }
    },
  };
}

async function ingestAll(ws: Workspace, t: Texts, cuts: readonly number[] = []): Promise<{ sources: SourceSummary[]; diagnostics: DiagnosticBag }> {
  const diagnostics = new DiagnosticBag();
  const byPath = new Map(t.sources.flatMap((s) => s.csv.map((c) => [c.path, c.text] as const)));
  const sources: SourceSummary[] = [];
  for (const s of ws.sources) {
    sources.push(
      await ingestSource(
        {
          id: s.id,
          dir: s.dir,
          configFile: s.configFile,
          config: s.config,
          files: s.files.map((p) => memoryFile(p, byPath.get(p)!, cuts)),
          resolveAttachment: async () => ({ ok: false, reason: 'missing' }),
          defaultMaxAge: ws.portal.evidence.maxAge,
        },
        { controls: ws.index, exceptions: ws.exceptions.map((e) => e.data), diagnostics },
      ),
    );
  }
  return { sources, diagnostics };
}

async function run(m: Model, opts: { split?: number[]; cuts?: number[]; reverse?: boolean } = {}) {
  const t = texts(m, opts.split);
  const workspace = validate(t, { reverse: opts.reverse ?? false });
  const { sources, diagnostics } = await ingestAll(workspace, t, opts.cuts);
  expect(diagnostics.errors.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`)).toEqual([]);
  const status = computeStatus({ workspace, sources, now: NOW });
  return { workspace, sources, status, diagnostics };
}

function controlsOf(status: ReturnType<typeof computeStatus>): Map<string, ControlResult> {
  const soc2 = status.frameworks.find((f) => f.id === 'soc2')!;
  return new Map(soc2.controls.filter((c) => (CONTROLS as readonly string[]).includes(c.id)).map((c) => [c.id, c]));
}

/** What a control's outcome is made of, without samples (which follow file order by design). */
const outcome = (c: ControlResult) => ({ status: c.status, reasons: c.reasons, pass: c.evidence.pass, fail: c.evidence.fail, excepted: c.evidence.excepted, notEvaluated: c.evidence.notEvaluated, sources: c.evidence.sources, stale: c.evidence.staleSources, exceptions: c.exceptions, expired: c.expiredExceptions });

const params = (extra: Partial<fc.Parameters<unknown>> = {}) => ({ seed: SEED, numRuns: RUNS, ...extra });

// ---------------------------------------------------------------- properties

describe('status invariants (fast-check, seeded)', () => {
  it('adding a failing result never improves a control (an exception-covered failure may only end a no-evidence gap, as documented)', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb(), fc.nat(), fc.constantFrom(...CHECKS), fc.constantFrom(...RESOURCES), fc.constantFrom<'FAIL' | 'ERROR'>('FAIL', 'ERROR'), async (m, which, check, resource, result) => {
        const before = controlsOf((await run(m)).status);
        const i = which % m.sources.length;
        const more: Model = { ...m, sources: m.sources.map((s, k) => (k === i ? { ...s, rows: [...s.rows, { check, result, resource }] } : s)) };
        const after = controlsOf((await run(more)).status);
        for (const id of CONTROLS) {
          const b = before.get(id)!;
          const a = after.get(id)!;
          if (b.status === 'not-applicable' || a.status === 'not-applicable') {
            expect(a.status).toBe(b.status);
            continue;
          }
          const mapped = m.mapping[check]!.includes(id);
          if (!mapped) {
            expect(outcome(a)).toEqual(outcome(b));
            continue;
          }
          if (a.evidence.fail > b.evidence.fail) {
            // The new failure is not covered by an active exception: the control fails, whatever it was.
            expect(a.status).toBe('failing');
          } else {
            // Covered by an active exception. docs/status-rules.md: excepted results count as evidence, so
            // a control that had none (gap, `no-evidence`) may move up; anything else must not improve.
            expect(a.evidence.excepted).toBe(b.evidence.excepted + 1);
            const endedNoEvidenceGap = b.reasons.includes('no-evidence') && !a.reasons.includes('no-evidence');
            if (!endedNoEvidenceGap) expect(RANK[a.status as keyof typeof RANK]).toBeLessThanOrEqual(RANK[b.status as keyof typeof RANK]);
            expect(a.status).not.toBe('passing');
          }
        }
      }),
      params(),
    );
  });

  it('an expired exception never hides a failure', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb({ exceptionsExpired: true }), async (m) => {
        const { status } = await run(m);
        const controls = controlsOf(status);
        for (const id of CONTROLS) {
          const c = controls.get(id)!;
          // Oracle from the model: a FAIL or ERROR row (not filtered out) of a check mapped to the control.
          const failures = m.sources.flatMap((s) => s.rows.filter((r) => (r.result === 'FAIL' || r.result === 'ERROR') && r.check && m.mapping[r.check]?.includes(id))).length;
          if (c.status === 'not-applicable') continue;
          expect(c.evidence.excepted).toBe(0);
          expect(c.exceptions).toEqual([]);
          expect(c.evidence.fail).toBe(failures);
          if (failures > 0) expect(c.status).toBe('failing');
        }
        for (const e of status.exceptions) expect(e.active).toBe(false);
      }),
      params(),
    );
  });

  it('row counts add up, per source and against the generated rows', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb(), async (m) => {
        const { sources } = await run(m);
        sources.forEach((s, i) => {
          const rows = m.sources[i]!.rows;
          const filter = m.sources[i]!.filterSkips;
          const skipped = filter ? rows.filter((r) => r.result === 'SKIP').length : 0;
          const kept = rows.filter((r) => !(filter && r.result === 'SKIP'));
          const evaluated = kept.filter((r) => r.check !== '' && (r.result === 'PASS' || r.result === 'FAIL' || r.result === 'ERROR'));
          const mapped = evaluated.filter((r) => (m.mapping[r.check] ?? []).length > 0).length;
          expect(s.rows).toEqual({ total: rows.length, mapped, unmapped: evaluated.length - mapped, notEvaluated: kept.length - evaluated.length, skipped });
          expect(s.rows.total).toBe(s.rows.mapped + s.rows.unmapped + s.rows.notEvaluated + s.rows.skipped);
          expect(s.files.reduce((n, f) => n + f.rows, 0)).toBe(rows.length - skipped);
        });
      }),
      params(),
    );
  });

  it('removing a source never turns a gap into passing', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb().filter((m) => m.sources.length > 1), fc.nat(), async (m, which) => {
        const { workspace, sources } = await run(m);
        const before = controlsOf(computeStatus({ workspace, sources, now: NOW }));
        const fewer = sources.filter((_, k) => k !== which % sources.length);
        const after = controlsOf(computeStatus({ workspace, sources: fewer, now: NOW }));
        for (const id of CONTROLS) {
          if (before.get(id)!.status === 'gap') expect(after.get(id)!.status).not.toBe('passing');
        }
      }),
      params(),
    );
  });

  it('status does not depend on file order, row order, how rows are split into files, or chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArb(),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        fc.nat(),
        async (m, split, cuts, seed) => {
          const base = await run(m);
          // Shuffle every source's rows with a seeded Fisher-Yates.
          let x = seed || 1;
          const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
          const shuffled: Model = {
            ...m,
            sources: m.sources.map((s) => {
              const rows = [...s.rows];
              for (let k = rows.length - 1; k > 0; k--) {
                const j = Math.floor(rnd() * (k + 1));
                [rows[k], rows[j]] = [rows[j]!, rows[k]!];
              }
              return { ...s, rows };
            }),
          };
          const other = await run(shuffled, { split, cuts, reverse: true });
          const a = controlsOf(base.status);
          const b = controlsOf(other.status);
          for (const id of CONTROLS) expect(outcome(b.get(id)!)).toEqual(outcome(a.get(id)!));
          expect(other.sources.map((s) => s.rows)).toEqual(base.sources.map((s) => s.rows));
          expect(other.status.unmappedChecks).toEqual(base.status.unmappedChecks);
          expect(other.status.exceptions).toEqual(base.status.exceptions);
          expect(other.sources.map((s) => s.resources)).toEqual(base.sources.map((s) => s.resources));
        },
      ),
      params(),
    );
  });

  it('computeStatus and buildReport give identical results across runs with the same now', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), async (m, cuts) => {
        const reports: string[] = [];
        for (let k = 0; k < 2; k++) {
          // Second run: same inputs, different chunk boundaries (the bytes, hashes and rows are the same).
          const { workspace, sources, status, diagnostics } = await run(m, k ? { cuts } : {});
          const again = computeStatus({ workspace, sources, now: new Date(NOW.getTime()) });
          expect(again).toEqual(status);
          reports.push(JSON.stringify(buildReport({ workspace, sources, status, now: NOW, diagnostics: diagnostics.sorted(), contentHashes: [], unclaimed: [] })));
        }
        expect(reports[1]).toBe(reports[0]);
      }),
      params(),
    );
  });
});
