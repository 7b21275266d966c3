/**
 * Fixture workspaces (tests/fixtures/<case>/) through the whole pipeline on disk.
 * Valid fixtures are compared with their golden expected/report.json; regenerate with
 *   UPDATE=1 npx vitest run tests/unit/fixtures.test.ts
 * and review the diff by hand: a golden file is only as good as its review.
 * Invalid fixtures assert the exact list of diagnostics (severity, rule, file, line, column).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline, type PipelineResult } from '../../src/core/load/pipeline-fs.ts';
import type { ControlStatus } from '../../src/core/status/compute-status.ts';
import { FIXTURE_NOW, FIXTURES_DIR } from '../helpers/fixtures.ts';

const UPDATE = process.env.UPDATE === '1';
const now = new Date(FIXTURE_NOW);

const run = (name: string): Promise<PipelineResult> => runPipeline({ root: path.join(FIXTURES_DIR, name), now });

/** `severity rule file:line:col` of every diagnostic, in report order. */
function located(result: PipelineResult): string[] {
  return result.diagnostics.sorted().map((d) => `${d.severity} ${d.rule} ${d.file ?? '<workspace>'}:${d.line ?? '-'}:${d.column ?? '-'}`);
}

/** Control id -> "status reasons" for one framework of the report. */
function statuses(result: PipelineResult, framework: string): Record<string, string> {
  const fw = result.report!.frameworks.find((f) => f.id === framework)!;
  return Object.fromEntries(fw.controls.map((c) => [c.id, [c.status, ...c.reasons].join(' ')]));
}

async function expectGolden(name: string, result: PipelineResult): Promise<void> {
  const file = path.join(FIXTURES_DIR, name, 'expected/report.json');
  const actual = `${JSON.stringify(result.report, null, 2)}\n`;
  if (UPDATE) {
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8').catch(() => {
    throw new Error(`${path.relative(process.cwd(), file)} is missing: run UPDATE=1 npx vitest run tests/unit/fixtures.test.ts and review it`);
  });
  expect(actual).toBe(expected);
}

describe('valid fixtures match their golden report', () => {
  it.each(['minimal', 'no-evidence', 'stale-evidence', 'exceptions'])('%s', async (name) => {
    const result = await run(name);
    expect(result.diagnostics.errors).toEqual([]);
    expect(result.report).toBeDefined();
    await expectGolden(name, result);
    // Same inputs, same now: same bytes.
    expect(JSON.stringify((await run(name)).report)).toBe(JSON.stringify(result.report));
    // Nothing lost: every row of every source is accounted for.
    for (const s of result.report!.sources) {
      expect(s.rows.total).toBe(s.rows.mapped + s.rows.unmapped + s.rows.notEvaluated + s.rows.skipped);
      expect(s.rows.total).toBe(s.files.reduce((n, f) => n + f.rows, 0) + s.rows.skipped);
    }
  });
});

// The statuses of the golden reports, spelled out: what the rules say they must be.
describe('valid fixtures: statuses follow the rules', () => {
  it('minimal: policy-only, passing, no-evidence, not-applicable, and gaps for the rest', async () => {
    const r = await run('minimal');
    const s = statuses(r, 'soc2');
    expect(s['CC1.1']).toBe('passing policy-only');
    expect(s['CC6.1']).toBe('passing');
    expect(s['CC6.2']).toBe('gap no-evidence');
    expect(s['P3.2']).toBe('not-applicable not-applicable');
    const rest = Object.entries(s).filter(([id]) => !['CC1.1', 'CC6.1', 'CC6.2', 'P3.2'].includes(id));
    expect(rest.length).toBeGreaterThan(40);
    expect(rest.filter(([, v]) => v !== 'gap no-policy no-evidence')).toEqual([]);
    const summary = r.report!.frameworks[0]!.summary;
    expect(summary.counts).toMatchObject({ passing: 2, failing: 0, stale: 0, excepted: 0, 'not-applicable': 1 });
    expect(summary.applicable).toBe(summary.total - 1);
    expect(summary.score).toBe(Math.round((2 / summary.applicable) * 10_000) / 10_000);
    expect(r.report!.sources[0]!.rows).toEqual({ total: 4, mapped: 3, unmapped: 0, notEvaluated: 1, skipped: 0 });
    expect(r.diagnostics.items).toEqual([]);
  });

  it('no-evidence: every control is a gap; drafts and policy-only without a policy do not help', async () => {
    const r = await run('no-evidence');
    const s = statuses(r, 'soc2');
    expect(s['CC6.1']).toBe('gap no-evidence');
    expect(s['CC8.1']).toBe('gap no-policy no-evidence');
    expect(s['CC1.1']).toBe('gap no-policy');
    const summary = r.report!.frameworks[0]!.summary;
    expect(summary.counts.gap).toBe(summary.total);
    expect(summary.score).toBe(0);
    expect(r.report!.sources).toEqual([]);
    expect(r.report!.policies.map((p) => `${p.id} ${p.status} ${p.controls.join(',')}`)).toEqual(['POL-AC approved soc2::CC6.1', 'POL-CM draft soc2::CC8.1']);
  });

  it('stale-evidence: freshness boundaries, validFor and review dates', async () => {
    const r = await run('stale-evidence');
    expect(statuses(r, 'demo')).toEqual({
      D1: 'stale stale-evidence',
      D2: 'passing',
      D3: 'stale stale-evidence',
      D4: 'stale stale-evidence',
      D5: 'stale policy-review-overdue',
      D6: 'passing',
      D7: 'passing',
      D8: 'stale stale-evidence',
    });
    expect(r.report!.frameworks[0]!.summary).toEqual({
      counts: { passing: 3, failing: 0, stale: 5, excepted: 0, gap: 0, 'not-applicable': 0 },
      applicable: 8,
      total: 8,
      score: 0.375,
    });
    expect(Object.fromEntries(r.report!.sources.map((s) => [s.id, [s.stale, s.freshUntil]]))).toEqual({
      'fresh-scan': [false, '2026-12-25T00:00:00.000Z'],
      'old-scan': [true, '2026-10-31T00:00:00.000Z'],
      reviews: [true, '2026-10-30T00:00:00.000Z'],
      weekly: [true, '2026-11-28T00:00:00.000Z'],
    });
    expect(r.report!.policies.map((p) => `${p.id} due ${p.reviewDue} overdue=${p.overdue} soon=${p.dueSoon}`)).toEqual([
      'POL-DUE due 2026-11-28 overdue=false soon=true',
      'POL-MAIN due 2027-03-01 overdue=false soon=false',
      'POL-OLD due 2026-10-01 overdue=true soon=false',
    ]);
    expect(located(r)).toEqual(['warning review-due-soon content/policies/due-today.md:8:-', 'warning review-overdue content/policies/old.md:8:-']);
  });

  it('exceptions: active, partial, expiring today, expired, unused, tool errors', async () => {
    const r = await run('exceptions');
    expect(statuses(r, 'ops')).toEqual({
      X1: 'excepted excepted',
      X2: 'failing failing-evidence expired-exception',
      X3: 'failing failing-evidence excepted',
      X4: 'excepted excepted',
      X5: 'failing failing-evidence expired-exception',
      X6: 'passing',
      X7: 'failing failing-evidence',
    });
    expect(r.report!.exceptions.map((e) => `${e.id} active=${e.active} daysLeft=${e.daysLeft} matched=${e.matchedFailures}`)).toEqual([
      'EXC-1 active=true daysLeft=124 matched=2',
      'EXC-2 active=false daysLeft=-27 matched=1',
      'EXC-3 active=true daysLeft=65 matched=1',
      'EXC-4 active=true daysLeft=1 matched=1',
      'EXC-5 active=false daysLeft=0 matched=1',
      'EXC-6 active=true daysLeft=215 matched=0',
    ]);
    const fw = r.report!.frameworks[0]!;
    expect(fw.summary.counts).toEqual({ passing: 1, failing: 4, stale: 0, excepted: 2, gap: 0, 'not-applicable': 0 } satisfies Record<ControlStatus, number>);
    expect(fw.summary.score).toBe(0.1429);
    expect(fw.controls.find((c) => c.id === 'X3')!.evidence).toMatchObject({ pass: 1, fail: 1, excepted: 1 });
    expect(r.report!.unmappedChecks).toEqual([{ source: 'aws', check: 'ecr_repositories_scan_images_on_push_enabled', rows: 1, fail: 1 }]);
    expect(r.report!.sources[0]!.rows).toEqual({ total: 13, mapped: 11, unmapped: 1, notEvaluated: 1, skipped: 0 });
    expect(located(r)).toEqual([
      'warning exception-expired content/exceptions/EXC-2.md:8:-',
      'warning exception-expired content/exceptions/EXC-5.md:8:-',
      'warning exception-unused content/exceptions/EXC-6.md:3:-',
    ]);
  });
});

describe('invalid fixtures: the exact diagnostics, and nothing counts as passing', () => {
  it('missing-evidence: a pattern that matches nothing, a folder without source.yaml, loose files', async () => {
    const r = await run('missing-evidence');
    expect(located(r)).toEqual([
      'warning file-unclaimed evidence/README.md:-:-',
      'error files-no-match evidence/okta/source.yaml:4:8',
      'warning file-unclaimed evidence/okta/users.tsv:-:-',
      'error source-config-missing evidence/siem:-:-',
      'warning file-unclaimed evidence/siem/alerts.json:-:-',
    ]);
    expect(r.diagnostics.sorted()[1]!.message).toBe('The pattern `*.csv` matches no evidence file in this source folder.');
    // A source without data is never passing: the controls it maps are gaps.
    expect(statuses(r, 'soc2')).toMatchObject({ 'CC6.1': 'gap no-evidence', 'CC7.2': 'gap no-evidence' });
    expect(r.report!.sources.map((s) => [s.id, s.files.length, s.rows.total])).toEqual([['okta', 0, 0]]);
    expect(r.report!.unclaimedFiles).toEqual(['evidence/README.md', 'evidence/okta/users.tsv', 'evidence/siem/alerts.json']);
  });

  it('malformed-frontmatter: every broken file reported on its line; the valid policy still loads', async () => {
    const r = await run('malformed-frontmatter');
    expect(located(r)).toEqual([
      'error frontmatter-missing content/exceptions/EXC-1.md:1:1',
      'error yaml-syntax content/exceptions/EXC-2.md:7:1',
      'error yaml-syntax content/policies/colon-in-title.md:3:8',
      'error frontmatter-missing content/policies/no-frontmatter.md:1:1',
      'error yaml-syntax content/policies/unclosed-list.md:11:15',
      'error frontmatter-unclosed content/policies/unclosed.md:1:1',
    ]);
    expect(r.diagnostics.items.find((d) => d.file === 'content/exceptions/EXC-2.md')!.message).toBe('Invalid YAML: Map keys must be unique.');
    expect(r.report!.policies.map((p) => p.id)).toEqual(['POL-AC']);
    expect(r.report!.exceptions).toEqual([]);
    expect(statuses(r, 'soc2')['CC6.1']).toBe('gap no-evidence');
  });

  it('malformed-csv: parse errors, a missing column and bad encoding fail their sources; row warnings do not', async () => {
    const r = await run('malformed-csv');
    expect(located(r)).toEqual([
      'warning evidence-record-invalid evidence/github/members.csv:3:-',
      'error evidence-column-missing evidence/hr/background.csv:1:-',
      'error encoding-invalid evidence/hr/latin1.csv:2:-',
      'error evidence-parse evidence/okta/users.csv:4:-',
    ]);
    const [, missing, , parse] = r.diagnostics.sorted();
    expect(missing!.hint).toBe('Did you mean `Background Chk`?');
    expect(parse!.message).toMatch(/^Cannot parse evidence: Quoted field unterminated/);
    const s = statuses(r, 'soc2');
    // okta read two passing rows before the broken line: they never count.
    expect(s['CC6.1']).toBe('gap no-evidence');
    expect(s['CC1.4']).toBe('gap no-evidence');
    // A source with row warnings only still counts (the build fails on the other sources' errors).
    expect(s['CC6.3']).toBe('passing');
    expect(r.report!.sources.map((src) => [src.id, src.rows.total])).toEqual([
      ['github', 2],
      ['hr', 0],
      ['okta', 2],
    ]);
  });

  it('broken: every problem in every file, each once, located', async () => {
    const r = await run('broken');
    expect(located(r)).toEqual([
      'error schema-invalid content/exceptions/EXC-1.md:2:1',
      'error frontmatter-unclosed content/exceptions/EXC-2.md:1:1',
      'error unknown-key content/policies/access-control.md:4:1',
      'error schema-invalid content/policies/backup.md:7:12',
      'error schema-invalid content/policies/encryption.md:6:10',
      'error yaml-syntax content/policies/hr-security.md:3:8',
      'error unknown-control content/policies/incident.md:11:17',
      'error unknown-framework content/policies/incident.md:12:3',
      'error schema-invalid content/policies/logging.md:9:17',
      'error duplicate-id content/policies/retired/incident-2025.md:2:5',
      'error evidence-column-missing evidence/github/members.csv:1:-',
      'warning file-unclaimed evidence/hr/background.csv:-:-',
      'error unknown-key evidence/hr/source.yaml:3:1',
      'error evidence-parse evidence/okta/users.csv:3:-',
      'warning file-unclaimed evidence/scanner/findings.csv:-:-',
      'error unknown-format evidence/scanner/source.yaml:1:9',
    ]);
    const hints = Object.fromEntries(r.diagnostics.sorted().map((d) => [`${d.file}:${d.rule}`, d.hint]));
    expect(hints['content/policies/access-control.md:unknown-key']).toBe('Did you mean `title`?');
    expect(hints['content/policies/encryption.md:schema-invalid']).toMatch(/Quote the version/);
    expect(hints['content/policies/incident.md:unknown-control']).toBe('Did you mean `CC7.1`?');
    expect(hints['content/policies/incident.md:unknown-framework']).toBe('Did you mean `soc2`?');
    expect(hints['evidence/hr/source.yaml:unknown-key']).toBe('Did you mean `collectedAt`?');
    expect(hints['evidence/scanner/source.yaml:unknown-format']).toBe('Did you mean `csv`?');
    // Every diagnostic has a file and a message (hints: see the next test).
    for (const d of r.diagnostics.items) {
      expect(d.file).toBeTruthy();
      expect(d.message.length).toBeGreaterThan(10);
    }
    expect(r.diagnostics.items.filter((d) => !d.hint).map((d) => `${d.file} ${d.field}`)).toEqual([]);
    expect(r.report!.diagnostics).toMatchObject({ errors: 14, warnings: 2 });
    // Nothing from the broken workspace passes.
    expect(r.report!.frameworks[0]!.summary.counts.passing).toBe(0);
  });

  // Regression test (was a bug, fixed): (src/core/parse/yaml.ts, validateWith/describeIssue): a missing required field is reported without any hint
  // ("`expires` is required." in content/exceptions/EXC-1.md), against the rule that every problem says how to fix
  // it. Fix: when the issue is a missing field (invalid_type with undefined input), fall back to a hint such as
  // "Add `expires:` to the frontmatter" (ideally with an example value from the schema's JSDoc/params).
  it('broken: every diagnostic carries a hint', async () => {
    const r = await run('broken');
    expect(r.diagnostics.items.filter((d) => !d.hint)).toEqual([]);
  });
});
