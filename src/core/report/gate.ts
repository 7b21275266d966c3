/**
 * The CI gate: a pure check of report.json (and the diff against a baseline)
 * against the `gate:` rules of portal.yaml. Every breach names the control or
 * item, the reason and the file to fix.
 */
import type { PortalConfig } from '../schemas/portal.ts';
import type { Changes } from './changes.ts';
import type { Report } from './report.ts';

export type GateRule = 'status' | 'min-score' | 'expired-exception' | 'stale-evidence' | 'overdue-review' | 'regression';

export interface GateBreach {
  rule: GateRule;
  message: string;
  /** The file a person edits to fix it (policy, exception, source), when there is one. */
  file?: string;
  framework?: string;
  control?: string;
}

export interface GateResult {
  ok: boolean;
  breaches: GateBreach[];
  /** One line per rule that was checked. */
  checked: string[];
}

export function evaluateGate(report: Report, gate: PortalConfig['gate'], changes?: Changes): GateResult {
  const breaches: GateBreach[] = [];
  const checked: string[] = [];
  const policyFile = new Map(report.policies.map((p) => [p.id, p.file]));

  for (const fw of report.frameworks) {
    const statuses = new Set([...(gate.failOn['*'] ?? []), ...(gate.failOn[fw.id] ?? [])]);
    if (statuses.size) {
      checked.push(`${fw.id}: no control ${[...statuses].join(' or ')}`);
      for (const c of fw.controls) {
        if (!statuses.has(c.status as never)) continue;
        const file = fileToFix(report, c, policyFile);
        breaches.push({
          rule: 'status',
          framework: fw.id,
          control: c.id,
          message: `${fw.id} ${c.id} (${c.title}) is ${c.status}: ${c.reasons.join(', ') || 'no reason recorded'}`,
          ...(file ? { file } : {}),
        });
      }
    }
    const min = gate.minScore[fw.id] ?? gate.minScore['*'];
    if (min !== undefined) {
      checked.push(`${fw.id}: score at least ${(min * 100).toFixed(1)}%`);
      if (fw.summary.score < min) {
        breaches.push({ rule: 'min-score', framework: fw.id, message: `${fw.id} score ${(fw.summary.score * 100).toFixed(1)}% is below the minimum ${(min * 100).toFixed(1)}%` });
      }
    }
  }
  if (gate.expiredExceptions) {
    checked.push('no expired exception');
    for (const e of report.exceptions.filter((x) => !x.active)) {
      breaches.push({ rule: 'expired-exception', message: `exception ${e.id} expired on ${e.expires}`, file: e.file });
    }
  }
  if (gate.staleEvidence) {
    checked.push('no stale evidence source');
    for (const s of report.sources.filter((x) => x.stale)) {
      breaches.push({ rule: 'stale-evidence', message: `evidence source ${s.id} is stale (collected ${s.collectedAt ?? 'at an unknown time'}, maximum age ${s.maxAge})`, ...(s.files[0] ? { file: s.files[0].path } : {}) });
    }
  }
  if (gate.overdueReviews) {
    checked.push('no policy overdue for review');
    for (const p of report.policies.filter((x) => x.overdue)) {
      breaches.push({ rule: 'overdue-review', message: `policy ${p.id} was due for review on ${p.reviewDue}`, file: p.file });
    }
  }
  if (gate.regressions) {
    checked.push(changes ? 'no regression against the baseline' : 'no regression (no baseline given: skipped)');
    for (const c of changes?.controls.filter((x) => x.regression) ?? []) {
      breaches.push({
        rule: 'regression',
        framework: c.framework,
        control: c.id,
        message: `${c.framework} ${c.id} went from ${c.from} to ${c.to}${c.reasonsAdded.length ? ` (${c.reasonsAdded.join(', ')})` : ''}`,
      });
    }
  }
  return { ok: breaches.length === 0, breaches, checked };
}

/** The file a person would open first: failing or stale evidence, the covering policy, or the policies folder. */
function fileToFix(report: Report, c: Report['frameworks'][number]['controls'][number], policyFile: Map<string, string>): string | undefined {
  const sourceFile = (ids: string[]) => report.sources.find((s) => ids.includes(s.id))?.files[0]?.path;
  if (c.reasons.includes('failing-evidence')) return sourceFile(c.evidence.sources);
  if (c.reasons.includes('no-policy')) return 'content/policies/';
  if (c.reasons.includes('stale-evidence')) return sourceFile(c.evidence.staleSources);
  return c.policies.map((id) => policyFile.get(id)).find(Boolean);
}
