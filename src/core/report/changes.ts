/**
 * What changed since the last build: a pure diff of two report.json documents.
 * The nightly job passes yesterday's report as the baseline; the gate's
 * regression rule reads the same diff.
 */
import { z } from 'astro/zod';
import type { ControlStatus } from '../status/compute-status.ts';
import { compareIds, compareStrings } from '../util/suggest.ts';
import type { Report } from './report.ts';

/** Worst first: a move to a lower rank is a regression. */
export const STATUS_RANK: Record<ControlStatus, number> = {
  failing: 0,
  gap: 1,
  stale: 2,
  excepted: 3,
  passing: 4,
  'not-applicable': 5,
};

export interface ControlChange {
  framework: string;
  id: string;
  title: string;
  from: ControlStatus | 'absent';
  to: ControlStatus | 'absent';
  /** Reasons that appeared and disappeared: the "why". */
  reasonsAdded: string[];
  reasonsRemoved: string[];
  regression: boolean;
}

export interface Changes {
  schemaVersion: 1;
  baselineGeneratedAt: string;
  generatedAt: string;
  controls: ControlChange[];
  failingChecks: { new: { source: string; check: string; fail: number }[]; resolved: { source: string; check: string; fail: number }[] };
  policies: {
    added: string[];
    removed: string[];
    /** Version changed. */
    changed: { id: string; from: string; to: string }[];
    approved: string[];
    retired: string[];
  };
  sources: { added: string[]; removed: string[]; wentStale: string[]; cameBack: string[] };
  regressions: number;
}

/** The minimum shape a baseline must have; anything else is rejected with a clear message. */
export const baselineSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  frameworks: z.array(
    z.object({
      id: z.string(),
      controls: z.array(z.object({ id: z.string(), title: z.string(), status: z.enum(['passing', 'failing', 'stale', 'excepted', 'gap', 'not-applicable']), reasons: z.array(z.string()) })),
    }),
  ),
  policies: z.array(z.object({ id: z.string(), status: z.string(), version: z.string() })),
  sources: z.array(
    z.object({
      id: z.string(),
      stale: z.boolean(),
      checks: z.array(z.object({ check: z.string(), fail: z.number(), error: z.number().default(0), exceptedInTool: z.number().default(0) })),
    }),
  ),
});
export type Baseline = z.output<typeof baselineSchema>;

const failing = (c: { fail: number; error?: number; exceptedInTool?: number }) => c.fail + (c.error ?? 0) + (c.exceptedInTool ?? 0);

export function diffReports(previous: Baseline, current: Report): Changes {
  const controls: ControlChange[] = [];
  const prevControls = new Map<string, Baseline['frameworks'][number]['controls'][number]>();
  for (const fw of previous.frameworks) for (const c of fw.controls) prevControls.set(`${fw.id}::${c.id}`, c);
  const seen = new Set<string>();
  for (const fw of current.frameworks) {
    for (const c of fw.controls) {
      const key = `${fw.id}::${c.id}`;
      seen.add(key);
      const before = prevControls.get(key);
      if (before && before.status === c.status) continue;
      const from = before?.status ?? 'absent';
      controls.push({
        framework: fw.id,
        id: c.id,
        title: c.title,
        from,
        to: c.status,
        reasonsAdded: c.reasons.filter((r) => !before?.reasons.includes(r)),
        reasonsRemoved: (before?.reasons ?? []).filter((r) => !(c.reasons as string[]).includes(r)),
        regression: from !== 'absent' && STATUS_RANK[c.status] < STATUS_RANK[from],
      });
    }
  }
  for (const [key, before] of prevControls) {
    if (seen.has(key)) continue;
    const [framework, id] = [key.slice(0, key.indexOf('::')), key.slice(key.indexOf('::') + 2)];
    controls.push({ framework, id, title: before.title, from: before.status, to: 'absent', reasonsAdded: [], reasonsRemoved: before.reasons, regression: false });
  }
  controls.sort((a, b) => compareStrings(a.framework, b.framework) || compareIds(a.id, b.id));

  const checkFails = (r: { sources: { id: string; checks: { check: string; fail: number; error?: number; exceptedInTool?: number }[] }[] }) => {
    const m = new Map<string, number>();
    for (const s of r.sources) for (const c of s.checks) if (failing(c) > 0) m.set(`${s.id}\u0000${c.check}`, failing(c));
    return m;
  };
  const before = checkFails(previous);
  const after = checkFails(current);
  const split = (k: string) => ({ source: k.slice(0, k.indexOf('\u0000')), check: k.slice(k.indexOf('\u0000') + 1) });
  const newFails = [...after].filter(([k]) => !before.has(k)).map(([k, fail]) => ({ ...split(k), fail }));
  const resolved = [...before].filter(([k]) => !after.has(k)).map(([k, fail]) => ({ ...split(k), fail }));
  const byCheck = (a: { source: string; check: string }, b: { source: string; check: string }) => compareStrings(a.source, b.source) || compareIds(a.check, b.check);

  const prevPolicies = new Map(previous.policies.map((p) => [p.id, p]));
  const curPolicies = new Map(current.policies.map((p) => [p.id, p]));
  const prevSources = new Map(previous.sources.map((s) => [s.id, s]));
  const curSources = new Map(current.sources.map((s) => [s.id, s]));
  const sorted = (xs: Iterable<string>) => [...xs].sort(compareStrings);

  const result: Changes = {
    schemaVersion: 1,
    baselineGeneratedAt: previous.generatedAt,
    generatedAt: current.generatedAt,
    controls,
    failingChecks: { new: newFails.sort(byCheck), resolved: resolved.sort(byCheck) },
    policies: {
      added: sorted([...curPolicies.keys()].filter((id) => !prevPolicies.has(id))),
      removed: sorted([...prevPolicies.keys()].filter((id) => !curPolicies.has(id))),
      changed: [...curPolicies.values()]
        .filter((p) => prevPolicies.has(p.id) && prevPolicies.get(p.id)!.version !== p.version)
        .map((p) => ({ id: p.id, from: prevPolicies.get(p.id)!.version, to: p.version }))
        .sort((a, b) => compareStrings(a.id, b.id)),
      approved: sorted([...curPolicies.values()].filter((p) => p.status === 'approved' && prevPolicies.has(p.id) && prevPolicies.get(p.id)!.status !== 'approved').map((p) => p.id)),
      retired: sorted([...curPolicies.values()].filter((p) => p.status === 'retired' && prevPolicies.get(p.id)?.status !== 'retired').map((p) => p.id)),
    },
    sources: {
      added: sorted([...curSources.keys()].filter((id) => !prevSources.has(id))),
      removed: sorted([...prevSources.keys()].filter((id) => !curSources.has(id))),
      wentStale: sorted([...curSources.values()].filter((s) => s.stale && prevSources.has(s.id) && !prevSources.get(s.id)!.stale).map((s) => s.id)),
      cameBack: sorted([...curSources.values()].filter((s) => !s.stale && prevSources.get(s.id)?.stale === true).map((s) => s.id)),
    },
    regressions: controls.filter((c) => c.regression).length,
  };
  return result;
}
