/**
 * The status engine: a pure function of the workspace, the evidence summaries
 * and `now`. Rules are documented in docs/status-rules.md; every rule has a
 * table-driven test in tests/unit/status.test.ts.
 */
import { DiagnosticBag, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { CrosswalkEdge } from '../crosswalk.ts';
import { TOOL_SUPPRESSION_PREFIX, type SourceSummary } from '../evidence/ingest.ts';
import type { Priority } from '../schemas/policy.ts';
import { compareIds, compareStrings } from '../util/suggest.ts';
import { addDuration, daysBetween, endOfDateUtc, startOfDateUtc, toDateString } from '../util/time.ts';
import type { ExceptionDoc, PolicyDoc, Workspace } from '../workspace.ts';

export const controlStatuses = ['passing', 'failing', 'stale', 'excepted', 'gap', 'not-applicable'] as const;
export type ControlStatus = (typeof controlStatuses)[number];

/** The one vocabulary of reasons (docs/status-rules.md). */
export const reasonCodes = [
  'not-applicable',
  'failing-evidence',
  'no-policy',
  'no-evidence',
  'evidence-not-evaluated',
  'stale-evidence',
  'policy-review-overdue',
  'excepted',
  'expired-exception',
  'policy-only',
] as const;
export type Reason = (typeof reasonCodes)[number];

/** Plain-language explanation of each reason, shown on the portal. */
export const reasonText: Record<Reason, string> = {
  'not-applicable': 'Declared not applicable in portal.yaml.',
  'failing-evidence': 'Evidence shows failures that no active exception covers.',
  'no-policy': 'No approved, effective policy covers this control.',
  'no-evidence': 'No evidence source reports a pass or fail result for this control.',
  'evidence-not-evaluated': 'Evidence exists, but none of it is a pass or fail result (info, skipped or manual rows).',
  'stale-evidence': 'Some of the evidence for this control is older than its maximum age.',
  'policy-review-overdue': 'A policy covering this control is past its review date.',
  excepted: 'Failures are covered by an approved, unexpired exception.',
  'expired-exception': 'An exception that covered failures here has expired.',
  'policy-only': 'An approved policy suffices for this control (policyOnly in portal.yaml).',
};

/** Decides the status from the reasons, worst first. */
export function statusFromReasons(reasons: readonly Reason[]): ControlStatus {
  if (reasons.includes('not-applicable')) return 'not-applicable';
  if (reasons.includes('failing-evidence')) return 'failing';
  if (reasons.includes('no-policy') || reasons.includes('no-evidence')) return 'gap';
  if (reasons.includes('stale-evidence') || reasons.includes('policy-review-overdue')) return 'stale';
  if (reasons.includes('excepted')) return 'excepted';
  return 'passing';
}

export interface ControlEvidenceTotals {
  pass: number;
  /** Failures no active exception covers (errors and tool mutes included). */
  fail: number;
  /** Failures covered by an active exception. */
  excepted: number;
  notEvaluated: number;
  /** Sources with results for this control, by id. */
  sources: string[];
  staleSources: string[];
  /** Oldest collection time among the evidence (ISO), if any. */
  collectedAt?: string;
}

export interface ControlResult {
  key: string;
  framework: string;
  id: string;
  title: string;
  family?: string;
  status: ControlStatus;
  reasons: Reason[];
  /** Approved, effective policies covering the control. */
  policies: string[];
  /** Other documents naming it (draft, retired, not yet effective). */
  otherPolicies: string[];
  /** Highest priority among covering (or naming) policies; orders the gaps. */
  priority: Priority;
  evidence: ControlEvidenceTotals;
  /** Active exceptions that cover failures here. */
  exceptions: string[];
  expiredExceptions: string[];
  notApplicableReason?: string;
  policyOnly: boolean;
  /** Coverage that came through crosswalks: never silent. */
  via: CrosswalkVia[];
}

export interface CrosswalkVia {
  /** The control whose policies and evidence count here (`framework::id`). */
  from: string;
  relationship: string;
  crosswalk: string;
  informative: boolean;
  /** What it brought: covering policies, evidence results. */
  policies: string[];
  evidence: boolean;
}

export interface PolicyResult {
  id: string;
  title: string;
  type: string;
  status: string;
  priority: Priority;
  owner: string;
  version: string;
  effective: string;
  lastReviewed: string;
  reviewDue: string;
  overdue: boolean;
  dueSoon: boolean;
  /** In-scope controls it names. */
  controls: string[];
}

export interface ExceptionResult {
  id: string;
  title: string;
  controls: string[];
  expires: string;
  active: boolean;
  /** Days from now to the end of the expiry date (negative when expired). */
  daysLeft: number;
  /** Failures whose scope this exception matches. */
  matchedFailures: number;
}

export interface FrameworkResult {
  id: string;
  name: string;
  version: string;
  counts: Record<ControlStatus, number>;
  applicable: number;
  /** passing / applicable, 0 to 1, rounded to 4 decimals; 0 when nothing is applicable. */
  score: number;
  controls: ControlResult[];
}

export interface UnmappedCheck {
  source: string;
  check: string;
  rows: number;
  fail: number;
}

export interface StatusResult {
  frameworks: FrameworkResult[];
  policies: PolicyResult[];
  exceptions: ExceptionResult[];
  unmappedChecks: UnmappedCheck[];
  /** Warnings about time: reviews due, exceptions expired, evidence from the future. */
  notices: Diagnostic[];
}

const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function higherPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] <= PRIORITY_RANK[b] ? a : b;
}

export function priorityRank(p: Priority): number {
  return PRIORITY_RANK[p];
}

export interface StatusInput {
  workspace: Pick<Workspace, 'portal' | 'index' | 'policies' | 'exceptions'> & { crosswalks?: readonly CrosswalkEdge[] };
  sources: readonly SourceSummary[];
  now: Date;
}

function reviewDue(p: PolicyDoc): string {
  return toDateString(addDuration(startOfDateUtc(p.data.lastReviewed), p.data.reviewInterval.value));
}

function exceptionActive(e: ExceptionDoc, now: Date): boolean {
  return now < endOfDateUtc(e.data.expires);
}

export function computeStatus({ workspace, sources, now }: StatusInput): StatusResult {
  const { portal, index, policies, exceptions } = workspace;
  const notices = new DiagnosticBag();
  const today = toDateString(now);

  // Policies: review due dates and coverage.
  const policyResults: PolicyResult[] = [];
  const overdueIds = new Set<string>();
  const coveringByControl = new Map<string, PolicyDoc[]>();
  const namingByControl = new Map<string, PolicyDoc[]>();
  for (const p of policies) {
    const due = reviewDue(p);
    const overdue = p.data.status === 'approved' && now >= endOfDateUtc(due);
    const daysToDue = daysBetween(now, endOfDateUtc(due));
    const dueSoon = p.data.status === 'approved' && !overdue && daysToDue <= portal.reviewWarningDays;
    if (overdue) {
      overdueIds.add(p.data.id);
      notices.report('review-overdue', { file: p.file, line: p.lines.lastReviewed, field: 'lastReviewed' }, { args: { id: p.data.id, due } });
    } else if (dueSoon) {
      notices.report('review-due-soon', { file: p.file, line: p.lines.lastReviewed, field: 'lastReviewed' }, { args: { id: p.data.id, due, days: daysToDue } });
    }
    const effective = p.data.effective <= today;
    const covers = p.data.status === 'approved' && effective;
    for (const k of p.controlKeys) {
      const map = covers ? coveringByControl : namingByControl;
      const list = map.get(k) ?? [];
      list.push(p);
      map.set(k, list);
    }
    policyResults.push({
      id: p.data.id,
      title: p.data.title,
      type: p.data.type,
      status: p.data.status,
      priority: p.data.priority,
      owner: p.data.owner,
      version: p.data.version,
      effective: p.data.effective,
      lastReviewed: p.data.lastReviewed,
      reviewDue: due,
      overdue,
      dueSoon,
      controls: p.controlKeys.filter((k) => index.inScope(k)),
    });
  }

  // Exceptions.
  const matched = new Map<string, number>();
  const activeIds = new Set(exceptions.filter((e) => exceptionActive(e, now)).map((e) => e.data.id));

  const usable = sources.filter((s) => !s.failed);
  const incomingByControl = new Map<string, CrosswalkEdge[]>();
  for (const e of workspace.crosswalks ?? []) incomingByControl.set(e.to, [...(incomingByControl.get(e.to) ?? []), e]);
  const frameworks: FrameworkResult[] = [];
  for (const fwId of index.scope) {
    const catalog = index.catalogs.get(fwId)!;
    const na = portal.notApplicable[fwId] ?? {};
    const naResolved = new Map<string, string>();
    for (const [id, reason] of Object.entries(na)) {
      const ref = index.resolve(fwId, id);
      if (ref) naResolved.set(ref.id, reason);
    }
    const policyOnly = new Set((portal.policyOnly[fwId] ?? []).map((id) => index.resolve(fwId, id)?.id).filter((x): x is string => !!x));
    const counts = Object.fromEntries(controlStatuses.map((s) => [s, 0])) as Record<ControlStatus, number>;
    const controls: ControlResult[] = [];
    for (const ref of index.controls(fwId)) {
      const incoming = incomingByControl.get(ref.key) ?? [];
      const own = coveringByControl.get(ref.key) ?? [];
      const via: CrosswalkVia[] = incoming.map((e) => ({
        from: e.from,
        relationship: e.relationship,
        crosswalk: e.crosswalk,
        informative: e.informative,
        policies: (coveringByControl.get(e.from) ?? []).map((p) => p.data.id).sort(compareStrings),
        evidence: usable.some((s) => (s.controls[e.from]?.pass ?? 0) + (s.controls[e.from]?.fail ?? 0) > 0),
      }));
      const covering = [...new Map([...own, ...incoming.flatMap((e) => coveringByControl.get(e.from) ?? [])].map((p) => [p.data.id, p])).values()];
      const evidenceKeys = [ref.key, ...incoming.map((e) => e.from)];
      const naming = namingByControl.get(ref.key) ?? [];
      let priority: Priority = 'low';
      for (const p of covering.length ? covering : naming) priority = higherPriority(priority, p.data.priority);
      if (!covering.length && !naming.length) priority = 'medium';
      const totals: ControlEvidenceTotals = { pass: 0, fail: 0, excepted: 0, notEvaluated: 0, sources: [], staleSources: [] };
      const applied = new Set<string>();
      const expired = new Set<string>();
      for (const s of usable) {
        for (const key of evidenceKeys) {
        const ce = s.controls[key];
        if (!ce) continue;
        totals.notEvaluated += ce.notEvaluated;
        if (ce.pass + ce.fail === 0) continue;
        if (!totals.sources.includes(s.id)) totals.sources.push(s.id);
        totals.pass += ce.pass;
        if (ce.freshUntil && now >= new Date(ce.freshUntil) && !totals.staleSources.includes(s.id)) totals.staleSources.push(s.id);
        if (ce.collectedAt && (!totals.collectedAt || ce.collectedAt < totals.collectedAt)) totals.collectedAt = ce.collectedAt;
        for (const [exKey, n] of Object.entries(ce.failByExceptions)) {
          const ids = exKey ? exKey.split(',') : [];
          for (const id of ids) matched.set(id, (matched.get(id) ?? 0) + n);
          const active = ids.filter((id) => activeIds.has(id) || id.startsWith(TOOL_SUPPRESSION_PREFIX));
          if (active.length) {
            totals.excepted += n;
            for (const id of active) if (!id.startsWith(TOOL_SUPPRESSION_PREFIX)) applied.add(id);
          } else {
            totals.fail += n;
            for (const id of ids) expired.add(id);
          }
        }
        }
      }
      const reasons: Reason[] = [];
      const naReason = naResolved.get(ref.id);
      const isPolicyOnly = policyOnly.has(ref.id);
      const hasEvidence = totals.pass + totals.fail + totals.excepted > 0;
      if (naReason !== undefined) {
        reasons.push('not-applicable');
      } else {
        if (totals.fail > 0) reasons.push('failing-evidence');
        if (!covering.length) reasons.push('no-policy');
        if (!hasEvidence && !isPolicyOnly) reasons.push('no-evidence');
        if (!hasEvidence && totals.notEvaluated > 0) reasons.push('evidence-not-evaluated');
        if (totals.staleSources.length) reasons.push('stale-evidence');
        if (covering.some((p) => overdueIds.has(p.data.id))) reasons.push('policy-review-overdue');
        if (totals.excepted > 0) reasons.push('excepted');
        if (expired.size) reasons.push('expired-exception');
        if (isPolicyOnly && !hasEvidence && covering.length) reasons.push('policy-only');
      }
      const status = statusFromReasons(reasons);
      counts[status]++;
      const result: ControlResult = {
        key: ref.key,
        framework: fwId,
        id: ref.id,
        title: ref.title,
        status,
        reasons,
        policies: covering.map((p) => p.data.id).sort(compareStrings),
        otherPolicies: naming.map((p) => p.data.id).sort(compareStrings),
        priority,
        evidence: { ...totals, sources: totals.sources.sort(compareStrings), staleSources: totals.staleSources.sort(compareStrings) },
        exceptions: [...applied].sort(compareStrings),
        expiredExceptions: [...expired].filter((id) => !applied.has(id)).sort(compareStrings),
        policyOnly: isPolicyOnly,
        via: via.filter((v) => v.policies.length > 0 || v.evidence),
      };
      if (ref.family) result.family = ref.family;
      if (naReason !== undefined) result.notApplicableReason = naReason;
      controls.push(result);
    }
    const applicable = controls.length - counts['not-applicable'];
    frameworks.push({
      id: fwId,
      name: catalog.name,
      version: catalog.version,
      counts,
      applicable,
      score: applicable ? Math.round((counts.passing / applicable) * 10_000) / 10_000 : 0,
      controls,
    });
  }

  const exceptionResults: ExceptionResult[] = exceptions.map((e) => {
    const active = activeIds.has(e.data.id);
    if (!active) notices.report('exception-expired', { file: e.file, line: e.lines.expires, field: 'expires' }, { args: { id: e.data.id, expires: e.data.expires } });
    else if (!matched.get(e.data.id)) notices.report('exception-unused', { file: e.file, line: e.lines.controls, field: 'controls' }, { args: { id: e.data.id } });
    return {
      id: e.data.id,
      title: e.data.title ?? e.data.reason,
      controls: e.controlKeys,
      expires: e.data.expires,
      active,
      daysLeft: daysBetween(now, endOfDateUtc(e.data.expires)),
      matchedFailures: matched.get(e.data.id) ?? 0,
    };
  });

  const unmappedChecks: UnmappedCheck[] = [];
  for (const s of usable) {
    for (const c of s.checks) {
      const evaluated = c.pass + c.fail + c.error + c.exceptedInTool;
      if (c.controls.length === 0 && evaluated > 0) {
        unmappedChecks.push({ source: s.id, check: c.check, rows: evaluated, fail: c.fail + c.error + c.exceptedInTool });
      }
    }
    for (const f of s.files) {
      if (f.collectedAt && new Date(f.collectedAt) > now) {
        notices.report('collected-in-future', { file: f.path }, { args: { value: f.collectedAt, now: now.toISOString() } });
      }
    }
  }
  unmappedChecks.sort((a, b) => b.fail - a.fail || compareStrings(a.source, b.source) || compareIds(a.check, b.check));

  return {
    frameworks,
    policies: policyResults,
    exceptions: exceptionResults,
    unmappedChecks,
    notices: notices.sorted(),
  };
}

