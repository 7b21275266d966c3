/**
 * Every rule of the status engine (src/core/status/compute-status.ts), one
 * table row per condition. Inputs are real: policies and exceptions are
 * Markdown parsed by validateWorkspace against the built-in catalogs; only the
 * evidence summaries are hand-made, so each rule is tested in isolation.
 */
import { describe, expect, it } from 'vitest';
import type { ControlEvidence } from '../../src/core/evidence/ingest.ts';
import {
  computeStatus,
  controlStatuses,
  reasonCodes,
  statusFromReasons,
  type ControlResult,
  type ControlStatus,
  type Reason,
  type StatusResult,
} from '../../src/core/status/compute-status.ts';
import { controlEvidence, exceptionFile, policyFile, sourceSummary, validWorkspace } from '../helpers/fixtures.ts';

const NOW = '2026-11-28T00:00:00Z';
const KEY = 'soc2::CC6.1';

/** Fresh, passing evidence (stale from 2026-12-20). */
const PASS: Partial<ControlEvidence> = { pass: 3 };

interface Case {
  name: string;
  portal?: Record<string, unknown>;
  /** Policies (fields over the defaults); default: one approved policy covering CC6.1. */
  policies?: Record<string, unknown>[];
  exceptions?: Record<string, unknown>[];
  /** Evidence for CC6.1, one entry per source. */
  evidence?: Partial<ControlEvidence>[];
  /** Evidence for CC6.1 in a source that had errors. */
  failedEvidence?: Partial<ControlEvidence>;
  now?: string;
  status: ControlStatus;
  reasons: Reason[];
  also?: Partial<ControlResult>;
}

const covering = { controls: { soc2: ['CC6.1'] } };

async function run(c: Omit<Case, 'name' | 'status' | 'reasons'>): Promise<{ control: ControlResult; result: StatusResult }> {
  const workspace = await validWorkspace({
    portal: { ...c.portal },
    policies: (c.policies ?? [{}]).map((p, i) => policyFile({ id: `POL-${i + 1}`, ...covering, ...p })),
    exceptions: (c.exceptions ?? []).map((e, i) => exceptionFile({ id: `EXC-${i + 1}`, ...covering, ...e })),
  });
  const sources = (c.evidence ?? []).map((e, i) => sourceSummary(`src-${i + 1}`, { [KEY]: controlEvidence(e) }));
  if (c.failedEvidence) sources.push(sourceSummary('broken', { [KEY]: controlEvidence(c.failedEvidence) }, { failed: true }));
  const result = computeStatus({ workspace, sources, now: new Date(c.now ?? NOW) });
  const control = result.frameworks.find((f) => f.id === 'soc2')!.controls.find((x) => x.key === KEY)!;
  return { control, result };
}

const cases: Case[] = [
  // not-applicable wins over everything
  {
    name: 'not-applicable: declared N/A, even with failing evidence and no policy',
    portal: { notApplicable: { soc2: { 'CC6.1': 'No logical access in scope' } } },
    policies: [],
    evidence: [{ pass: 1, fail: 2 }],
    status: 'not-applicable',
    reasons: ['not-applicable'],
    also: { notApplicableReason: 'No logical access in scope' },
  },
  {
    name: 'not-applicable: a loose id (cc6.1) in portal.yaml resolves to the control',
    portal: { notApplicable: { soc2: { 'cc6.1': 'Out of scope' } } },
    status: 'not-applicable',
    reasons: ['not-applicable'],
  },

  // failing
  { name: 'failing: one unexcepted fail among passes', evidence: [{ pass: 3, fail: 1 }], status: 'failing', reasons: ['failing-evidence'] },
  {
    name: 'failing: tool errors and un-honoured tool mutes arrive as plain fails ("" = no exception)',
    evidence: [{ pass: 5, fail: 2, failByExceptions: { '': 2 } }],
    status: 'failing',
    reasons: ['failing-evidence'],
    also: { evidence: { pass: 5, fail: 2, excepted: 0, notEvaluated: 0, sources: ['src-1'], staleSources: [], collectedAt: '2026-11-20T00:00:00.000Z' } },
  },
  {
    name: 'excepted: tool mutes honoured by the source (honorToolSuppressions) are excepted',
    evidence: [{ pass: 5, fail: 2, failByExceptions: { 'tool-suppression:src-1': 2 } }],
    status: 'excepted',
    reasons: ['excepted'],
    also: { exceptions: [], expiredExceptions: [] },
  },
  { name: 'failing: fails in one of two sources', evidence: [PASS, { fail: 1 }], status: 'failing', reasons: ['failing-evidence'] },

  // gap: no-policy
  { name: 'no-policy: no policy at all, passing evidence', policies: [], evidence: [PASS], status: 'gap', reasons: ['no-policy'] },
  {
    name: 'no-policy: a draft policy does not cover',
    policies: [{ status: 'draft' }],
    evidence: [PASS],
    status: 'gap',
    reasons: ['no-policy'],
    also: { policies: [], otherPolicies: ['POL-1'] },
  },
  { name: 'no-policy: a retired policy does not cover', policies: [{ status: 'retired' }], evidence: [PASS], status: 'gap', reasons: ['no-policy'] },
  {
    name: 'no-policy: an approved policy effective tomorrow does not cover yet',
    policies: [{ effective: '2026-11-29' }],
    evidence: [PASS],
    status: 'gap',
    reasons: ['no-policy'],
    also: { policies: [], otherPolicies: ['POL-1'] },
  },
  { name: 'passing: an approved policy effective today covers', policies: [{ effective: '2026-11-28' }], evidence: [PASS], status: 'passing', reasons: [], also: { policies: ['POL-1'] } },
  { name: 'no-policy: the approved policy names other controls only', policies: [{ controls: { soc2: ['CC6.2'] } }], evidence: [PASS], status: 'gap', reasons: ['no-policy'] },
  {
    name: 'no-policy: a policy naming the control in another framework does not cover it',
    portal: { frameworks: ['soc2', 'iso27001-2022'] },
    policies: [{ controls: { 'iso27001-2022': ['A.8.5'] } }],
    evidence: [PASS],
    status: 'gap',
    reasons: ['no-policy'],
  },

  // gap: no-evidence
  { name: 'no-evidence: covered by a policy, no evidence', status: 'gap', reasons: ['no-evidence'] },
  { name: 'no-evidence + no-policy: nothing at all', policies: [], status: 'gap', reasons: ['no-policy', 'no-evidence'] },
  {
    name: 'no-evidence: a source with errors never counts, even with passes',
    failedEvidence: { pass: 10 },
    status: 'gap',
    reasons: ['no-evidence'],
    also: { evidence: { pass: 0, fail: 0, excepted: 0, notEvaluated: 0, sources: [], staleSources: [] } },
  },
  { name: 'no-evidence: the fails of a source with errors are ignored too: still a gap, never passing', failedEvidence: { fail: 3 }, status: 'gap', reasons: ['no-evidence'] },

  // policyOnly
  { name: 'policy-only: an approved, effective policy suffices', portal: { policyOnly: { soc2: ['CC6.1'] } }, status: 'passing', reasons: ['policy-only'], also: { policyOnly: true } },
  { name: 'policy-only: without a policy it is a gap (no-policy)', portal: { policyOnly: { soc2: ['CC6.1'] } }, policies: [], status: 'gap', reasons: ['no-policy'] },
  { name: 'policy-only: a draft policy does not suffice', portal: { policyOnly: { soc2: ['CC6.1'] } }, policies: [{ status: 'draft' }], status: 'gap', reasons: ['no-policy'] },
  { name: 'policy-only: a future-effective policy does not suffice', portal: { policyOnly: { soc2: ['CC6.1'] } }, policies: [{ effective: '2027-01-01' }], status: 'gap', reasons: ['no-policy'] },
  {
    name: 'policy-only: evidence still counts when there is some (a fail fails)',
    portal: { policyOnly: { soc2: ['CC6.1'] } },
    evidence: [{ pass: 1, fail: 1 }],
    status: 'failing',
    reasons: ['failing-evidence'],
  },
  {
    name: 'policy-only: an overdue policy makes it stale',
    portal: { policyOnly: { soc2: ['CC6.1'] } },
    policies: [{ lastReviewed: '2025-06-01' }],
    status: 'stale',
    reasons: ['policy-review-overdue', 'policy-only'],
  },

  // stale-evidence: freshUntil <= now
  { name: 'stale-evidence: freshUntil exactly now is stale', evidence: [{ pass: 1, freshUntil: '2026-11-28T00:00:00.000Z' }], status: 'stale', reasons: ['stale-evidence'] },
  { name: 'passing: freshUntil 1 ms after now is fresh', evidence: [{ pass: 1, freshUntil: '2026-11-28T00:00:00.001Z' }], status: 'passing', reasons: [] },
  { name: 'stale-evidence: freshUntil long gone', evidence: [{ pass: 1, freshUntil: '2026-01-01T00:00:00.000Z' }], status: 'stale', reasons: ['stale-evidence'] },
  {
    name: 'stale-evidence: one stale source among fresh ones makes the control stale',
    evidence: [PASS, { pass: 1, freshUntil: '2026-11-01T00:00:00.000Z', collectedAt: '2026-10-02T00:00:00.000Z' }],
    status: 'stale',
    reasons: ['stale-evidence'],
    also: { evidence: { pass: 4, fail: 0, excepted: 0, notEvaluated: 0, sources: ['src-1', 'src-2'], staleSources: ['src-2'], collectedAt: '2026-10-02T00:00:00.000Z' } },
  },
  {
    name: 'passing: a stale source with only not-evaluated rows does not make it stale',
    evidence: [PASS, { pass: 0, notEvaluated: 4, freshUntil: '2026-11-01T00:00:00.000Z' }],
    status: 'passing',
    reasons: [],
  },
  { name: 'stale + failing: failing wins, both reasons listed', evidence: [{ pass: 1, fail: 1, freshUntil: '2026-11-01T00:00:00.000Z' }], status: 'failing', reasons: ['failing-evidence', 'stale-evidence'] },

  // policy-review-overdue: due = lastReviewed + interval, inclusive UTC day
  { name: 'review due today (start of day): not overdue', policies: [{ lastReviewed: '2025-11-28' }], evidence: [PASS], status: 'passing', reasons: [] },
  { name: 'review due today (last ms of the day): not overdue', policies: [{ lastReviewed: '2025-11-28' }], evidence: [PASS], now: '2026-11-28T23:59:59.999Z', status: 'passing', reasons: [] },
  { name: 'review due yesterday: overdue from the next day', policies: [{ lastReviewed: '2025-11-28' }], evidence: [PASS], now: '2026-11-29T00:00:00Z', status: 'stale', reasons: ['policy-review-overdue'] },
  { name: 'review interval 30d, due today: not overdue', policies: [{ lastReviewed: '2026-10-29', reviewInterval: '30d' }], evidence: [PASS], status: 'passing', reasons: [] },
  { name: 'review interval 30d, due yesterday: overdue', policies: [{ lastReviewed: '2026-10-28', reviewInterval: '30d' }], evidence: [PASS], status: 'stale', reasons: ['policy-review-overdue'] },
  { name: 'review interval P1Y, due yesterday: overdue', policies: [{ lastReviewed: '2025-11-27', reviewInterval: 'P1Y' }], evidence: [PASS], status: 'stale', reasons: ['policy-review-overdue'] },
  {
    name: 'one of two covering policies overdue: stale',
    policies: [{}, { lastReviewed: '2024-01-01' }],
    evidence: [PASS],
    status: 'stale',
    reasons: ['policy-review-overdue'],
    also: { policies: ['POL-1', 'POL-2'] },
  },
  {
    name: 'an old draft naming the control is never overdue and never covers',
    policies: [{}, { status: 'draft', lastReviewed: '2020-01-01' }],
    evidence: [PASS],
    status: 'passing',
    reasons: [],
    also: { policies: ['POL-1'], otherPolicies: ['POL-2'] },
  },

  // exceptions
  {
    name: 'excepted: every fail covered by an active exception',
    exceptions: [{}],
    evidence: [{ pass: 1, fail: 2, failByExceptions: { 'EXC-1': 2 } }],
    status: 'excepted',
    reasons: ['excepted'],
    also: { exceptions: ['EXC-1'], expiredExceptions: [], evidence: { pass: 1, fail: 0, excepted: 2, notEvaluated: 0, sources: ['src-1'], staleSources: [], collectedAt: '2026-11-20T00:00:00.000Z' } },
  },
  {
    name: 'excepted: the expiry date is inclusive (last ms of the day)',
    exceptions: [{ expires: '2026-11-28' }],
    evidence: [{ fail: 1, failByExceptions: { 'EXC-1': 1 } }],
    now: '2026-11-28T23:59:59.999Z',
    status: 'excepted',
    reasons: ['excepted'],
  },
  {
    name: 'expired-exception: the day after expiry the failures count again',
    exceptions: [{ expires: '2026-11-28' }],
    evidence: [{ fail: 1, failByExceptions: { 'EXC-1': 1 } }],
    now: '2026-11-29T00:00:00Z',
    status: 'failing',
    reasons: ['failing-evidence', 'expired-exception'],
    also: { exceptions: [], expiredExceptions: ['EXC-1'] },
  },
  {
    name: 'expired-exception: expired yesterday',
    exceptions: [{ expires: '2026-11-27' }],
    evidence: [{ pass: 4, fail: 1, failByExceptions: { 'EXC-1': 1 } }],
    status: 'failing',
    reasons: ['failing-evidence', 'expired-exception'],
  },
  {
    name: 'partly excepted: uncovered fails still fail, both reasons listed',
    exceptions: [{}],
    evidence: [{ fail: 2, failByExceptions: { 'EXC-1': 1, '': 1 } }],
    status: 'failing',
    reasons: ['failing-evidence', 'excepted'],
    also: { exceptions: ['EXC-1'] },
  },
  {
    name: 'excepted: a failure matched by an expired and an active exception is covered',
    exceptions: [{ expires: '2026-01-31' }, {}],
    evidence: [{ fail: 1, failByExceptions: { 'EXC-1,EXC-2': 1 } }],
    status: 'excepted',
    reasons: ['excepted'],
    also: { exceptions: ['EXC-2'], expiredExceptions: [] },
  },
  {
    name: 'expired-exception: an exception id the workspace no longer has never covers',
    evidence: [{ fail: 1, failByExceptions: { 'EXC-GONE': 1 } }],
    status: 'failing',
    reasons: ['failing-evidence', 'expired-exception'],
    also: { expiredExceptions: ['EXC-GONE'] },
  },
  {
    name: 'excepted + stale evidence: stale wins over excepted',
    exceptions: [{}],
    evidence: [{ fail: 1, failByExceptions: { 'EXC-1': 1 }, freshUntil: '2026-11-01T00:00:00.000Z' }],
    status: 'stale',
    reasons: ['stale-evidence', 'excepted'],
  },
  {
    name: 'excepted without a policy is still a gap',
    policies: [],
    exceptions: [{}],
    evidence: [{ fail: 1, failByExceptions: { 'EXC-1': 1 } }],
    status: 'gap',
    reasons: ['no-policy', 'excepted'],
  },

  // not-evaluated rows never make a control pass
  {
    name: 'not-evaluated only: a gap with no-evidence + evidence-not-evaluated',
    evidence: [{ pass: 0, notEvaluated: 7 }],
    status: 'gap',
    reasons: ['no-evidence', 'evidence-not-evaluated'],
    also: { evidence: { pass: 0, fail: 0, excepted: 0, notEvaluated: 7, sources: [], staleSources: [] } },
  },
  { name: 'not-evaluated only, no policy', policies: [], evidence: [{ notEvaluated: 2 }], status: 'gap', reasons: ['no-policy', 'no-evidence', 'evidence-not-evaluated'] },
  {
    name: 'not-evaluated only, even when stale: still a gap (not stale)',
    evidence: [{ notEvaluated: 2, freshUntil: '2026-01-01T00:00:00.000Z' }],
    status: 'gap',
    reasons: ['no-evidence', 'evidence-not-evaluated'],
  },
  { name: 'not-evaluated only on a policy-only control: the policy suffices', portal: { policyOnly: { soc2: ['CC6.1'] } }, evidence: [{ notEvaluated: 2 }], status: 'passing', reasons: ['evidence-not-evaluated', 'policy-only'] },
  { name: 'not-evaluated rows beside passes: passing', evidence: [{ pass: 1, notEvaluated: 9 }], status: 'passing', reasons: [] },

  // every condition is listed
  {
    name: 'every condition listed: fail + no policy + stale + expired exception',
    policies: [],
    exceptions: [{ expires: '2026-06-30' }],
    evidence: [{ pass: 1, fail: 2, failByExceptions: { 'EXC-1': 1, '': 1 }, freshUntil: '2026-11-27T00:00:00.000Z' }],
    status: 'failing',
    reasons: ['failing-evidence', 'no-policy', 'stale-evidence', 'expired-exception'],
  },
  {
    name: 'every condition listed: fail + overdue policy + partly excepted',
    policies: [{ lastReviewed: '2025-01-01' }],
    exceptions: [{}],
    evidence: [{ fail: 3, failByExceptions: { 'EXC-1': 2, '': 1 } }],
    status: 'failing',
    reasons: ['failing-evidence', 'policy-review-overdue', 'excepted'],
  },
  { name: 'passing: approved, in date, fresh passes only', evidence: [PASS], status: 'passing', reasons: [] },
];

describe('computeStatus: one rule per row (soc2 CC6.1)', () => {
  it.each(cases)('$name', async (c) => {
    const { control } = await run(c);
    expect(control.status).toBe(c.status);
    expect(control.reasons).toEqual(c.reasons);
    // The status is always the one the reasons decide.
    expect(statusFromReasons(control.reasons)).toBe(control.status);
    if (c.also) expect(control).toMatchObject(c.also);
  });

  it('every reason code is exercised by some row', () => {
    const seen = new Set(cases.flatMap((c) => c.reasons));
    expect([...reasonCodes].filter((r) => !seen.has(r))).toEqual([]);
    expect([...controlStatuses].filter((s) => !cases.some((c) => c.status === s))).toEqual([]);
  });
});

describe('statusFromReasons: worst first', () => {
  const table: [Reason[], ControlStatus][] = [
    [[], 'passing'],
    [['policy-only'], 'passing'],
    [['evidence-not-evaluated', 'policy-only'], 'passing'],
    [['excepted'], 'excepted'],
    [['stale-evidence', 'excepted'], 'stale'],
    [['policy-review-overdue'], 'stale'],
    [['no-evidence', 'stale-evidence'], 'gap'],
    [['no-policy', 'excepted'], 'gap'],
    [['no-policy', 'failing-evidence'], 'failing'],
    [['expired-exception', 'failing-evidence'], 'failing'],
    [['not-applicable', 'failing-evidence', 'no-policy'], 'not-applicable'],
  ];
  it.each(table)('%j -> %s', (reasons, status) => {
    expect(statusFromReasons(reasons)).toBe(status);
  });
});

describe('framework roll-up', () => {
  const mini = {
    path: 'content/frameworks/mini.yaml',
    text: [
      'id: mini',
      'name: Mini framework',
      'version: "1"',
      'controls:',
      '  - { id: M1, title: One }',
      '  - { id: M2, title: Two }',
      '  - { id: M3, title: Three }',
      '  - { id: M4, title: Four }',
      '  - { id: M10, title: Ten }',
      '',
    ].join('\n'),
  };

  async function rollUp(evidence: Record<string, Partial<ControlEvidence>>, portal: Record<string, unknown> = {}) {
    const workspace = await validWorkspace({
      portal: { frameworks: ['mini'], ...portal },
      frameworks: [mini],
      policies: [policyFile({ controls: { mini: ['M1', 'M2', 'M3', 'M4', 'M10'] } })],
    });
    const controls = Object.fromEntries(Object.entries(evidence).map(([k, v]) => [`mini::${k}`, controlEvidence(v)]));
    return computeStatus({ workspace, sources: [sourceSummary('s', controls)], now: new Date(NOW) }).frameworks[0]!;
  }

  it('counts each status, excludes not-applicable from the score, rounds to 4 decimals', async () => {
    const fw = await rollUp({ M1: { pass: 1 }, M2: { fail: 1 }, M10: { pass: 2, freshUntil: '2026-11-01T00:00:00.000Z' } }, { notApplicable: { mini: { M4: 'Not relevant' } } });
    expect(fw.counts).toEqual({ passing: 1, failing: 1, stale: 1, excepted: 0, gap: 1, 'not-applicable': 1 });
    expect(fw.applicable).toBe(4);
    expect(fw.score).toBe(0.25);
    // Natural order of control ids, not lexical (M10 after M4).
    expect(fw.controls.map((c) => `${c.id}:${c.status}`)).toEqual(['M1:passing', 'M2:failing', 'M3:gap', 'M4:not-applicable', 'M10:stale']);
    expect(fw.name).toBe('Mini framework');
    expect(fw.version).toBe('1');
  });

  it('score 1/3 -> 0.3333 and 2/3 -> 0.6667', async () => {
    const na = { notApplicable: { mini: { M4: 'n/a', M10: 'n/a' } } };
    expect((await rollUp({ M1: { pass: 1 } }, na)).score).toBe(0.3333);
    expect((await rollUp({ M1: { pass: 1 }, M2: { pass: 1 } }, na)).score).toBe(0.6667);
    expect((await rollUp({ M1: { pass: 1 }, M2: { pass: 1 }, M3: { pass: 1 } }, na)).score).toBe(1);
  });

  it('score is 0 when nothing is applicable', async () => {
    const fw = await rollUp({ M1: { pass: 1 } }, { notApplicable: { mini: { M1: 'a', M2: 'b', M3: 'c', M4: 'd', M10: 'e' } } });
    expect(fw.applicable).toBe(0);
    expect(fw.score).toBe(0);
    expect(fw.counts['not-applicable']).toBe(5);
  });

  it('counts always add up to the number of controls', async () => {
    const fw = await rollUp({ M1: { pass: 1 }, M2: { notEvaluated: 1 }, M3: { fail: 1 } });
    const sum = Object.values(fw.counts).reduce((a, b) => a + b, 0);
    expect(sum).toBe(fw.controls.length);
    expect(fw.controls).toHaveLength(5);
  });

  it('only frameworks in scope are rolled up, in portal order', async () => {
    const workspace = await validWorkspace({ portal: { frameworks: ['iso27001-2022', 'soc2'] } });
    const r = computeStatus({ workspace, sources: [], now: new Date(NOW) });
    expect(r.frameworks.map((f) => f.id)).toEqual(['iso27001-2022', 'soc2']);
  });
});

describe('policies, exceptions and notices', () => {
  it('reports review due dates, overdue and due-soon, with notices at lastReviewed', async () => {
    const workspace = await validWorkspace({
      portal: { reviewWarningDays: 10 },
      policies: [
        policyFile({ id: 'POL-OK', lastReviewed: '2026-06-01' }),
        policyFile({ id: 'POL-SOON', lastReviewed: '2025-12-05' }),
        policyFile({ id: 'POL-LATE', lastReviewed: '2025-11-27' }),
        policyFile({ id: 'POL-DRAFT', status: 'draft', lastReviewed: '2020-01-01' }),
      ],
    });
    const r = computeStatus({ workspace, sources: [], now: new Date(NOW) });
    const byId = Object.fromEntries(r.policies.map((p) => [p.id, p]));
    expect(byId['POL-OK']).toMatchObject({ reviewDue: '2027-06-01', overdue: false, dueSoon: false });
    expect(byId['POL-SOON']).toMatchObject({ reviewDue: '2026-12-05', overdue: false, dueSoon: true });
    expect(byId['POL-LATE']).toMatchObject({ reviewDue: '2026-11-27', overdue: true, dueSoon: false });
    // Drafts are never overdue or due.
    expect(byId['POL-DRAFT']).toMatchObject({ reviewDue: '2021-01-01', overdue: false, dueSoon: false });
    expect(r.notices.map((d) => `${d.rule} ${d.file}:${d.line} ${d.field}`)).toEqual([
      'review-overdue content/policies/pol-late.md:8 lastReviewed',
      'review-due-soon content/policies/pol-soon.md:8 lastReviewed',
    ]);
    expect(r.notices.every((d) => d.severity === 'warning')).toBe(true);
    expect(r.notices[1]!.message).toContain('2026-12-05');
  });

  it('lists the in-scope controls a policy names', async () => {
    const workspace = await validWorkspace({
      policies: [policyFile({ controls: { soc2: ['CC6.2', 'cc6.1'], 'iso27001-2022': ['A.8.5'] } })],
    });
    const r = computeStatus({ workspace, sources: [], now: new Date(NOW) });
    expect(r.policies[0]!.controls).toEqual(['soc2::CC6.1', 'soc2::CC6.2']);
  });

  it('exception results: active flag, days left to the end of the expiry day, matched failures, notices', async () => {
    const workspace = await validWorkspace({
      exceptions: [
        exceptionFile({ id: 'EXC-A', controls: { soc2: ['CC6.1'] }, expires: '2026-12-07' }),
        exceptionFile({ id: 'EXC-B', controls: { soc2: ['CC6.1'] }, expires: '2026-11-27' }),
        exceptionFile({ id: 'EXC-C', controls: { soc2: ['CC6.2'] }, expires: '2026-11-28', title: 'Unused one' }),
      ],
    });
    const sources = [
      sourceSummary('s1', { [KEY]: controlEvidence({ fail: 3, failByExceptions: { 'EXC-A': 2, 'EXC-B': 1 } }) }),
      sourceSummary('s2', { [KEY]: controlEvidence({ fail: 1, failByExceptions: { 'EXC-A': 1 } }) }),
    ];
    const r = computeStatus({ workspace, sources, now: new Date(NOW) });
    expect(r.exceptions).toEqual([
      { id: 'EXC-A', title: 'Accepted risk for the test', controls: ['soc2::CC6.1'], expires: '2026-12-07', active: true, daysLeft: 10, matchedFailures: 3 },
      { id: 'EXC-B', title: 'Accepted risk for the test', controls: ['soc2::CC6.1'], expires: '2026-11-27', active: false, daysLeft: 0, matchedFailures: 1 },
      { id: 'EXC-C', title: 'Unused one', controls: ['soc2::CC6.2'], expires: '2026-11-28', active: true, daysLeft: 1, matchedFailures: 0 },
    ]);
    expect(r.notices.map((d) => `${d.rule} ${d.file} ${d.field}`)).toEqual([
      'exception-expired content/exceptions/EXC-B.md expires',
      'exception-unused content/exceptions/EXC-C.md controls',
    ]);
    const control = r.frameworks[0]!.controls.find((c) => c.key === KEY)!;
    expect(control).toMatchObject({ status: 'failing', exceptions: ['EXC-A'], expiredExceptions: ['EXC-B'] });
    expect(control.evidence).toMatchObject({ fail: 1, excepted: 3, sources: ['s1', 's2'] });
  });

  it('evidence totals: sums sources, sorts their ids, keeps the oldest collection time', async () => {
    const workspace = await validWorkspace();
    const sources = [
      sourceSummary('zeta', { [KEY]: controlEvidence({ pass: 2, collectedAt: '2026-11-25T00:00:00.000Z' }) }),
      sourceSummary('alpha', { [KEY]: controlEvidence({ pass: 1, notEvaluated: 3, collectedAt: '2026-11-10T00:00:00.000Z' }) }),
    ];
    const c = computeStatus({ workspace, sources, now: new Date(NOW) }).frameworks[0]!.controls.find((x) => x.key === KEY)!;
    expect(c.evidence).toEqual({ pass: 3, fail: 0, excepted: 0, notEvaluated: 3, sources: ['alpha', 'zeta'], staleSources: [], collectedAt: '2026-11-10T00:00:00.000Z' });
  });

  it('unmapped checks: evaluated checks without controls, most failures first; failed sources left out', async () => {
    const workspace = await validWorkspace();
    const check = (c: string, counts: Partial<Record<'pass' | 'fail' | 'error' | 'notEvaluated' | 'exceptedInTool', number>>, controls: string[] = []) => ({
      check: c,
      pass: 0,
      fail: 0,
      error: 0,
      notEvaluated: 0,
      exceptedInTool: 0,
      controls,
      failing: [],
      ...counts,
    });
    const sources = [
      sourceSummary('a', {}, { checks: [check('c-pass', { pass: 4 }), check('c-fail', { fail: 1, error: 1, exceptedInTool: 1 }), check('c-info', { notEvaluated: 9 }), check('c-mapped', { fail: 5 }, [KEY])] }),
      sourceSummary('b', {}, { checks: [check('c-x', { fail: 1 })] }),
      sourceSummary('broken', {}, { failed: true, checks: [check('c-y', { fail: 50 })] }),
    ];
    const r = computeStatus({ workspace, sources, now: new Date(NOW) });
    expect(r.unmappedChecks).toEqual([
      { source: 'a', check: 'c-fail', rows: 3, fail: 3 },
      { source: 'b', check: 'c-x', rows: 1, fail: 1 },
      { source: 'a', check: 'c-pass', rows: 4, fail: 0 },
    ]);
  });

  it('warns about evidence collected after now', async () => {
    const workspace = await validWorkspace();
    const file = { path: 'evidence/s/a.csv', sha256: 'x', bytes: 1, rows: 1, attachments: [], failed: false };
    const sources = [
      sourceSummary('s', {}, { files: [{ ...file, collectedAt: '2026-11-28T00:00:00.001Z' }, { ...file, path: 'evidence/s/b.csv', collectedAt: '2026-11-28T00:00:00.000Z' }] }),
    ];
    const r = computeStatus({ workspace, sources, now: new Date(NOW) });
    expect(r.notices.map((d) => `${d.rule} ${d.file}`)).toEqual(['collected-in-future evidence/s/a.csv']);
  });

  it('is deterministic: same input, same output', async () => {
    const input = async () => ({
      workspace: await validWorkspace({ policies: [policyFile({}), policyFile({ id: 'POL-2', status: 'draft' })], exceptions: [exceptionFile({ controls: { soc2: ['CC6.1'] } })] }),
      sources: [sourceSummary('s', { [KEY]: controlEvidence({ fail: 1, failByExceptions: { 'EXC-1': 1 } }) })],
      now: new Date(NOW),
    });
    expect(JSON.stringify(computeStatus(await input()))).toBe(JSON.stringify(computeStatus(await input())));
  });
});
