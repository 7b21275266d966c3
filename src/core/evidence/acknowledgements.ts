/**
 * Acknowledgement coverage: after every source is read, each acknowledgements
 * source is compared with its roster (everyone who must acknowledge). Roster
 * members without an acknowledgement of a policy's current version become
 * failures of `acknowledgement:<policy>` for the controls that check maps to
 * (once: someone who acknowledged an older version is already a failing row).
 * They are not rows of any file, so row accounting is unchanged; the check
 * records them as `missingFromRoster`.
 */
import type { ControlIndex } from '../catalog/index.ts';
import { compareStrings } from '../util/suggest.ts';
import type { PolicyDoc, SourceDoc } from '../workspace.ts';
import { ACK_PREFIX } from './adapters/acknowledgements.ts';
import { controlsForCheck, type AcknowledgementCoverage, type SourceSummary } from './ingest.ts';

const norm = (s: string) => s.trim().toLowerCase();

export function applyAcknowledgements(sources: SourceSummary[], docs: readonly SourceDoc[], policies: readonly PolicyDoc[], controls: ControlIndex): void {
  const byId = new Map(sources.map((s) => [s.id, s]));
  const approved = new Map(policies.filter((p) => p.data.status === 'approved').map((p) => [p.data.id, p]));
  for (const doc of docs) {
    if (doc.config.format !== 'acknowledgements') continue;
    const summary = byId.get(doc.id);
    if (!summary || summary.failed) continue;
    const roster = doc.config.roster ? byId.get(doc.config.roster) : undefined;
    const rosterNames = roster?.resourceNames ?? [];
    const acks = summary.acknowledgements ?? [];
    const policyIds = doc.config.policies ?? [...new Set(acks.map((a) => a.policy))].filter((id) => approved.has(id)).sort(compareStrings);
    const coverage: AcknowledgementCoverage[] = [];
    for (const pid of policyIds) {
      const policy = approved.get(pid);
      if (!policy) continue;
      const version = policy.data.version;
      const current = new Map<string, string>();
      for (const a of acks) if (a.policy === pid && a.version.trim() === version) current.set(norm(a.person), a.person);
      const missing = rosterNames.filter((n) => !current.has(norm(n)));
      coverage.push({ policy: pid, version, ...(roster ? { roster: roster.id } : {}), rosterSize: rosterNames.length, acknowledged: [...current.values()].sort(compareStrings), missing });
      // People who acknowledged an older version already count as a failing row; the others are added here.
      const withRow = new Set(acks.filter((a) => a.policy === pid).map((a) => norm(a.person)));
      const unsigned = missing.filter((n) => !withRow.has(norm(n)));
      if (!unsigned.length) continue;
      const check = `${ACK_PREFIX}${pid}`;
      const keys = controlsForCheck(doc.config, controls, check);
      let cs = summary.checks.find((c) => c.check === check);
      if (!cs) {
        cs = { check, pass: 0, fail: 0, error: 0, notEvaluated: 0, exceptedInTool: 0, controls: keys, failing: [] };
        summary.checks.push(cs);
        summary.checks.sort((a, b) => compareStrings(a.check, b.check));
      }
      cs.fail += unsigned.length;
      cs.missingFromRoster = unsigned.length;
      for (const person of unsigned.slice(0, Math.max(0, 10 - cs.failing.length))) {
        cs.failing.push({ resource: person, result: 'fail', message: `has not acknowledged version ${version}`, file: roster!.files[0]?.path ?? doc.configFile });
      }
      const freshUntil = [summary.freshUntil, roster?.freshUntil].filter((x): x is string => !!x).sort()[0] ?? '';
      const collectedAt = [summary.collectedAt, roster?.collectedAt].filter((x): x is string => !!x).sort()[0] ?? '';
      for (const k of keys) {
        const ce = (summary.controls[k] ??= { pass: 0, fail: 0, notEvaluated: 0, failByExceptions: {}, checks: [], freshUntil, collectedAt });
        ce.fail += unsigned.length;
        ce.failByExceptions[''] = (ce.failByExceptions[''] ?? 0) + unsigned.length;
        if (!ce.checks.includes(check)) ce.checks = [...ce.checks, check].sort(compareStrings);
        if (freshUntil && (!ce.freshUntil || freshUntil < ce.freshUntil)) ce.freshUntil = freshUntil;
      }
    }
    summary.acknowledgementCoverage = coverage;
  }
}
