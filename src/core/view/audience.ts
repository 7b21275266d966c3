/**
 * The public (trust-center) variant of a build: statuses stay as computed from
 * every input, but nothing marked `visibility: internal` (policies, exceptions,
 * evidence sources) is published: no text, file, resource name or hash.
 */
import type { SourceSummary } from '../evidence/ingest.ts';
import type { Report } from '../report/report.ts';
import type { Workspace } from '../workspace.ts';

export type Audience = 'internal' | 'public';

export interface AudienceInput {
  report: Report;
  workspace: Workspace;
  sources: readonly SourceSummary[];
}

export function forAudience(input: AudienceInput, audience: Audience): AudienceInput {
  if (audience === 'internal') return input;
  const { report, workspace, sources } = input;
  const hiddenPolicies = new Set(workspace.policies.filter((p) => p.data.visibility === 'internal').map((p) => p.data.id));
  const hiddenExceptions = new Set(workspace.exceptions.filter((e) => e.data.visibility === 'internal').map((e) => e.data.id));
  const hiddenSources = new Set(workspace.sources.filter((s) => s.config.visibility === 'internal').map((s) => s.id));
  const keepPolicy = (id: string) => !hiddenPolicies.has(id);
  const keepSource = (id: string) => !hiddenSources.has(id);
  const keepException = (id: string) => !hiddenExceptions.has(id);

  const filtered: Report = {
    ...report,
    frameworks: report.frameworks.map((fw) => ({
      ...fw,
      controls: fw.controls.map((c) => ({
        ...c,
        policies: c.policies.filter(keepPolicy),
        evidence: { ...c.evidence, sources: c.evidence.sources.filter(keepSource), staleSources: c.evidence.staleSources.filter(keepSource) },
        exceptions: c.exceptions.filter(keepException),
        expiredExceptions: c.expiredExceptions.filter(keepException),
        via: c.via.map((v) => ({ ...v, policies: v.policies.filter(keepPolicy) })),
      })),
    })),
    policies: report.policies.filter((p) => keepPolicy(p.id)),
    exceptions: report.exceptions.filter((e) => keepException(e.id)),
    sources: report.sources.filter((s) => keepSource(s.id)),
    unmappedChecks: report.unmappedChecks.filter((u) => keepSource(u.source)),
    unclaimedFiles: [],
    // Diagnostics name files and values of internal inputs: only the counts are public.
    diagnostics: { errors: report.diagnostics.errors, warnings: report.diagnostics.warnings, items: [] },
  };
  return {
    report: filtered,
    workspace: {
      ...workspace,
      policies: workspace.policies.filter((p) => keepPolicy(p.data.id)),
      exceptions: workspace.exceptions.filter((e) => keepException(e.data.id)),
      sources: workspace.sources.filter((s) => keepSource(s.id)),
      unclaimed: [],
    },
    sources: sources.filter((s) => keepSource(s.id)),
  };
}
