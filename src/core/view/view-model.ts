/**
 * The view model: everything the pages show, computed once per build from the
 * report, the workspace and the evidence summaries. Pages only read it.
 * Links are relative to the site root (no leading slash); pages add the base.
 */
import { renderMarkdown, type TocEntry } from '../parse/markdown.ts';
import type { Changes } from '../report/changes.ts';
import type { Report } from '../report/report.ts';
import type { FailingSample, PopulationSample, SourceSummary } from '../evidence/ingest.ts';
import { controlStatuses, priorityRank, reasonCodes, reasonText, type ControlStatus, type Reason } from '../status/compute-status.ts';
import { compareIds, compareStrings } from '../util/suggest.ts';
import type { Workspace } from '../workspace.ts';

export const statusLabels: Record<ControlStatus, { label: string; icon: string }> = {
  passing: { label: 'Passing', icon: '✓' },
  failing: { label: 'Failing', icon: '✗' },
  stale: { label: 'Stale', icon: '◷' },
  excepted: { label: 'Excepted', icon: '⚑' },
  gap: { label: 'Gap', icon: '○' },
  'not-applicable': { label: 'Not applicable', icon: '–' },
};

export const reasonLabels: Record<Reason, string> = {
  'failing-evidence': 'Failing evidence',
  'no-policy': 'No policy',
  'no-evidence': 'No evidence',
  'evidence-not-evaluated': 'Evidence not evaluated',
  'stale-evidence': 'Stale evidence',
  'policy-review-overdue': 'Policy review overdue',
  excepted: 'Excepted',
  'expired-exception': 'Expired exception',
  'policy-only': 'Policy only',
  'not-applicable': 'Not applicable',
};

export interface LinkRef {
  id: string;
  title: string;
  href: string;
}

export interface ControlLink extends LinkRef {
  framework: string;
  status: ControlStatus;
}

export interface ControlSourceEvidence {
  source: LinkRef & { tool: string };
  pass: number;
  fail: number;
  notEvaluated: number;
  collectedAt?: string;
  stale: boolean;
  checks: { check: string; title?: string; pass: number; fail: number; notEvaluated: number; failing: FailingSample[] }[];
}

export interface ControlView {
  key: string;
  framework: string;
  frameworkName: string;
  id: string;
  slug: string;
  href: string;
  title: string;
  description?: string;
  pointsOfFocus: string[];
  family?: string;
  familyTitle?: string;
  status: ControlStatus;
  reasons: { code: Reason; label: string; text: string }[];
  priority: string;
  policies: LinkRef[];
  otherPolicies: LinkRef[];
  evidence: { pass: number; fail: number; excepted: number; notEvaluated: number; collectedAt?: string };
  sources: ControlSourceEvidence[];
  exceptions: (LinkRef & { expires: string; active: boolean; daysLeft: number })[];
  notApplicableReason?: string;
  policyOnly: boolean;
  /** Failing results with no exception, across sources (orders the gaps). */
  failingCount: number;
  via: (Report['frameworks'][number]['controls'][number]['via'][number] & { fromLink: ControlLink })[];
}

export interface FrameworkView {
  id: string;
  name: string;
  version: string;
  href: string;
  counts: Record<ControlStatus, number>;
  applicable: number;
  total: number;
  score: number;
  scorePercent: string;
  families: { id: string; title: string }[];
  controls: ControlView[];
}

export interface PolicyView {
  id: string;
  href: string;
  title: string;
  type: string;
  status: string;
  owner: string;
  approver?: string;
  version: string;
  effective: string;
  lastReviewed: string;
  reviewInterval: string;
  reviewDue: string;
  overdue: boolean;
  dueSoon: boolean;
  priority: string;
  summary?: string;
  file: string;
  html: string;
  toc: TocEntry[];
  controls: ControlLink[];
  /** Controls it names in frameworks that are not in scope. */
  outOfScope: string[];
  /** Who acknowledged the current version, per acknowledgements source. */
  acknowledgements: { source: LinkRef; version: string; roster?: LinkRef; rosterSize: number; acknowledged: string[]; missing: string[] }[];
  /** Changes to the file from git (newest first); empty when the workspace is not a git repository. */
  history: { commit: string; date: string; author: string; message: string }[];
}

export interface SourceView {
  id: string;
  href: string;
  title: string;
  tool: string;
  format: string;
  description?: string;
  collectedAt?: string;
  freshUntil?: string;
  maxAge: string;
  stale: boolean;
  files: Report['sources'][number]['files'];
  rows: Report['sources'][number]['rows'];
  resources: number;
  resourcesApproximate: boolean;
  checks: (Report['sources'][number]['checks'][number] & { controlLinks: ControlLink[] })[];
  /** Pages of findings (all rows), 0 when rows were not kept. */
  findingPages: number;
  sample?: PopulationSample;
}

export interface GapGroup {
  reason: Reason;
  label: string;
  text: string;
  controls: ControlView[];
}

/** Which evidence sources (tools) support which policies: controls of the policy with results from the source. */
export interface ToolsCoverage {
  sources: LinkRef[];
  policies: { policy: LinkRef; bySource: Record<string, string[]>; enforced: boolean }[];
}

export interface ViewModel {
  site: { title: string; organization: string; generatedAt: string; inputsDigest: string; base: string };
  statuses: { id: ControlStatus; label: string; icon: string }[];
  frameworks: FrameworkView[];
  controls: ControlView[];
  policies: PolicyView[];
  sources: SourceView[];
  gaps: GapGroup[];
  gapCount: number;
  unmapped: (Report['unmappedChecks'][number] & { sourceHref: string })[];
  exceptions: (Report['exceptions'][number] & { href?: string; controlLinks: ControlLink[] })[];
  reviewsDue: PolicyView[];
  unclaimedFiles: string[];
  coverage: ToolsCoverage;
  /** Present when the build had a baseline. */
  changes?: Changes & { controlHrefs: Record<string, string> };
}

/** URL-safe slug for an id: lower case, runs of other characters become `-`. */
export function slugify(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'item';
}

export interface ViewModelInput {
  report: Report;
  workspace: Workspace;
  sources: readonly SourceSummary[];
  /** Diff against a baseline report (build --baseline). */
  changes?: Changes;
  /** The site's base path, e.g. `/compliance/` (default `/`). */
  base?: string;
  /** Git history per workspace-relative file (optional). */
  history?: ReadonlyMap<string, { commit: string; date: string; author: string; message: string }[]>;
}

export function buildViewModel({ report, workspace, sources, history, changes, base }: ViewModelInput): ViewModel {
  const index = workspace.index;
  const sourceById = new Map(sources.map((s) => [s.id, s]));
  const policyTitle = new Map(workspace.policies.map((p) => [p.data.id, p.data.title]));
  const policyLink = (id: string): LinkRef => ({ id, title: policyTitle.get(id) ?? id, href: `policies/${slugify(id)}/` });
  const sourceLink = (id: string) => {
    const s = sourceById.get(id);
    return { id, title: s?.title ?? id, tool: s?.tool ?? '', href: `evidence/${slugify(id)}/` };
  };

  // Slugs, unique within a framework.
  const slugs = new Map<string, string>();
  for (const fw of report.frameworks) {
    const used = new Set<string>();
    for (const c of fw.controls) {
      let slug = slugify(c.id);
      for (let n = 2; used.has(slug); n++) slug = `${slugify(c.id)}-${n}`;
      used.add(slug);
      slugs.set(`${fw.id}::${c.id}`, slug);
    }
  }
  const controlHref = (key: string) => {
    const fw = key.slice(0, key.indexOf('::'));
    return `controls/${fw}/${slugs.get(key) ?? slugify(key.slice(fw.length + 2))}/`;
  };
  const statusByKey = new Map<string, ControlStatus>();
  for (const fw of report.frameworks) for (const c of fw.controls) statusByKey.set(`${fw.id}::${c.id}`, c.status);
  const controlLink = (key: string): ControlLink => {
    const fw = key.slice(0, key.indexOf('::'));
    const id = key.slice(fw.length + 2);
    return { id, framework: fw, title: index.resolve(fw, id)?.title ?? id, href: controlHref(key), status: statusByKey.get(key) ?? 'gap' };
  };
  const exceptionDoc = new Map(report.exceptions.map((e) => [e.id, e]));

  const frameworks: FrameworkView[] = report.frameworks.map((fw) => {
    const catalog = index.catalogs.get(fw.id)!;
    const familyTitle = new Map(catalog.families.map((f) => [f.id, f.title]));
    const controls: ControlView[] = fw.controls.map((c) => {
      const key = `${fw.id}::${c.id}`;
      const ref = index.resolve(fw.id, c.id);
      const perSource: ControlSourceEvidence[] = [];
      for (const sid of [...new Set([...c.evidence.sources, ...sources.filter((s) => s.controls[key]).map((s) => s.id)])].sort(compareStrings)) {
        const s = sourceById.get(sid);
        const ce = s?.controls[key];
        if (!s || !ce) continue;
        const entry: ControlSourceEvidence = {
          source: sourceLink(sid),
          pass: ce.pass,
          fail: ce.fail,
          notEvaluated: ce.notEvaluated,
          stale: c.evidence.staleSources.includes(sid),
          checks: s.checks
            .filter((ch) => ch.controls.includes(key))
            .map((ch) => {
              const out: ControlSourceEvidence['checks'][number] = { check: ch.check, pass: ch.pass, fail: ch.fail + ch.error + ch.exceptedInTool, notEvaluated: ch.notEvaluated, failing: ch.failing };
              if (ch.title) out.title = ch.title;
              return out;
            }),
        };
        if (ce.collectedAt) entry.collectedAt = ce.collectedAt;
        perSource.push(entry);
      }
      const view: ControlView = {
        key,
        framework: fw.id,
        frameworkName: fw.name,
        id: c.id,
        slug: slugs.get(key)!,
        href: controlHref(key),
        title: c.title,
        pointsOfFocus: ref?.pointsOfFocus ?? [],
        status: c.status,
        reasons: c.reasons.map((r) => ({ code: r, label: reasonLabels[r], text: reasonText[r] })),
        priority: c.priority,
        policies: c.policies.map(policyLink),
        otherPolicies: (workspace.policies.filter((p) => p.controlKeys.includes(key) && !c.policies.includes(p.data.id)).map((p) => p.data.id)).map(policyLink),
        evidence: { pass: c.evidence.pass, fail: c.evidence.fail, excepted: c.evidence.excepted, notEvaluated: c.evidence.notEvaluated },
        sources: perSource,
        exceptions: [...c.exceptions, ...c.expiredExceptions].map((id) => {
          const e = exceptionDoc.get(id);
          return { id, title: e?.title ?? id, href: `exceptions/#${slugify(id)}`, expires: e?.expires ?? '', active: e?.active ?? false, daysLeft: e?.daysLeft ?? 0 };
        }),
        policyOnly: c.policyOnly,
        failingCount: c.evidence.fail,
        via: c.via.map((v) => ({ ...v, fromLink: controlLink(v.from) })),
      };
      if (ref?.description) view.description = ref.description;
      if (c.family) {
        view.family = c.family;
        const ft = familyTitle.get(c.family);
        if (ft) view.familyTitle = ft;
      }
      if (c.evidence.collectedAt) view.evidence.collectedAt = c.evidence.collectedAt;
      if (c.notApplicableReason !== undefined) view.notApplicableReason = c.notApplicableReason;
      return view;
    });
    const familyIds = [...new Set(controls.map((c) => c.family).filter((f): f is string => !!f))];
    return {
      id: fw.id,
      name: fw.name,
      version: fw.version,
      href: `frameworks/${fw.id}/`,
      counts: fw.summary.counts,
      applicable: fw.summary.applicable,
      total: fw.summary.total,
      score: fw.summary.score,
      scorePercent: `${(fw.summary.score * 100).toFixed(1)}%`,
      families: familyIds.map((id) => ({ id, title: familyTitle.get(id) ?? id })),
      controls,
    };
  });
  const controls = frameworks.flatMap((f) => f.controls);

  const policies: PolicyView[] = workspace.policies.map((p) => {
    const r = report.policies.find((x) => x.id === p.data.id)!;
    const rendered = renderMarkdown(p.body, { rawHtml: workspace.portal.markdown.rawHtml });
    const view: PolicyView = {
      id: p.data.id,
      href: `policies/${slugify(p.data.id)}/`,
      title: p.data.title,
      type: p.data.type,
      status: p.data.status,
      owner: p.data.owner,
      version: p.data.version,
      effective: p.data.effective,
      lastReviewed: p.data.lastReviewed,
      reviewInterval: p.data.reviewInterval.text,
      reviewDue: r.reviewDue,
      overdue: r.overdue,
      dueSoon: r.dueSoon,
      priority: p.data.priority,
      file: p.file,
      html: rendered.html,
      toc: rendered.toc,
      controls: p.controlKeys.filter((k) => index.inScope(k)).map(controlLink),
      outOfScope: p.controlKeys.filter((k) => !index.inScope(k)),
      history: history?.get(p.file) ?? [],
      acknowledgements: sources.flatMap((s) =>
        (s.acknowledgementCoverage ?? [])
          .filter((a) => a.policy === p.data.id)
          .map((a) => ({
            source: { id: s.id, title: s.title, href: `evidence/${slugify(s.id)}/` },
            version: a.version,
            ...(a.roster ? { roster: { id: a.roster, title: sourceById.get(a.roster)?.title ?? a.roster, href: `evidence/${slugify(a.roster)}/` } } : {}),
            rosterSize: a.rosterSize,
            acknowledged: a.acknowledged,
            missing: a.missing,
          })),
      ),
    };
    if (p.data.approver) view.approver = p.data.approver;
    if (p.data.summary) view.summary = p.data.summary;
    return view;
  });

  const sourceViews: SourceView[] = report.sources.map((s) => {
    const view: SourceView = {
      id: s.id,
      href: `evidence/${slugify(s.id)}/`,
      title: s.title,
      tool: s.tool,
      format: s.format,
      maxAge: s.maxAge,
      stale: s.stale,
      files: s.files,
      rows: s.rows,
      resources: s.resources,
      resourcesApproximate: s.resourcesApproximate === true,
      checks: s.checks.map((c) => ({ ...c, controlLinks: c.controls.map(controlLink) })),
      findingPages: sourceById.get(s.id)?.findingPages ?? 0,
    };
    const sample = sourceById.get(s.id)?.sample;
    if (sample) view.sample = sample;
    const summary = sourceById.get(s.id);
    if (summary?.description) view.description = summary.description;
    if (s.collectedAt) view.collectedAt = s.collectedAt;
    if (s.freshUntil) view.freshUntil = s.freshUntil;
    return view;
  });

  // Gaps: every control that is not passing (and applicable), grouped by each reason,
  // ordered by the highest priority of the policies involved, then failing results, then id.
  const notPassing = controls.filter((c) => c.status !== 'passing' && c.status !== 'not-applicable');
  const order = (a: ControlView, b: ControlView) =>
    priorityRank(a.priority as never) - priorityRank(b.priority as never) ||
    b.failingCount - a.failingCount ||
    compareStrings(a.framework, b.framework) ||
    compareIds(a.id, b.id);
  const gapReasons = reasonCodes.filter((r) => r !== 'not-applicable' && r !== 'policy-only');
  const gaps: GapGroup[] = gapReasons
    .map((reason) => ({
      reason,
      label: reasonLabels[reason],
      text: reasonText[reason],
      controls: notPassing.filter((c) => c.reasons.some((r) => r.code === reason)).sort(order),
    }))
    .filter((g) => g.controls.length > 0);

  const approved = policies.filter((p) => p.status === 'approved');
  const coverage: ToolsCoverage = {
    sources: sourceViews.map((sv) => ({ id: sv.id, title: sv.title, href: sv.href })),
    policies: approved.map((p) => {
      const bySource: Record<string, string[]> = {};
      for (const c of p.controls) {
        const key = `${c.framework}::${c.id}`;
        for (const sv of sources) {
          const ce = sv.controls[key];
          if (ce && ce.pass + ce.fail > 0) (bySource[sv.id] ??= []).push(`${c.framework} ${c.id}`);
        }
      }
      return { policy: { id: p.id, title: p.title, href: p.href }, bySource, enforced: Object.keys(bySource).length > 0 };
    }),
  };

  const changesView = changes ? { ...changes, controlHrefs: Object.fromEntries(changes.controls.filter((c) => c.to !== 'absent').map((c) => [`${c.framework}::${c.id}`, controlHref(`${c.framework}::${c.id}`)])) } : undefined;

  return {
    ...(changesView ? { changes: changesView } : {}),
    coverage,
    site: {
      title: workspace.portal.title ?? `${workspace.portal.organization} Compliance Portal`,
      organization: workspace.portal.organization,
      generatedAt: report.generatedAt,
      inputsDigest: report.inputsDigest,
      base: base ?? '/',
    },
    statuses: controlStatuses.map((id) => ({ id, ...statusLabels[id] })),
    frameworks,
    controls,
    policies,
    sources: sourceViews,
    gaps,
    gapCount: notPassing.length,
    unmapped: report.unmappedChecks.map((u) => ({ ...u, sourceHref: `evidence/${slugify(u.source)}/` })),
    exceptions: report.exceptions.map((e) => ({ ...e, controlLinks: e.controls.filter((k) => index.inScope(k)).map(controlLink)})),
    reviewsDue: policies.filter((p) => p.overdue || p.dueSoon).sort((a, b) => compareStrings(a.reviewDue, b.reviewDue)),
    unclaimedFiles: report.unclaimedFiles,
  };
}

/**
 * The view model as the build hands it to Astro: frameworks, gap groups and due reviews hold the
 * same control and policy objects as `controls` and `policies`, which plain JSON would write out
 * once per reference (316 MB instead of about 90 MB for the enterprise benchmark, and as many
 * copies in memory once parsed). Here they are written once and referenced by key.
 */
export interface StoredViewModel extends Omit<ViewModel, 'frameworks' | 'gaps' | 'reviewsDue'> {
  frameworks: (Omit<FrameworkView, 'controls'> & { controls: string[] })[];
  gaps: (Omit<GapGroup, 'controls'> & { controls: string[] })[];
  reviewsDue: string[];
}

export function storeViewModel(model: ViewModel): StoredViewModel {
  return {
    ...model,
    frameworks: model.frameworks.map((f) => ({ ...f, controls: f.controls.map((c) => c.key) })),
    gaps: model.gaps.map((g) => ({ ...g, controls: g.controls.map((c) => c.key) })),
    reviewsDue: model.reviewsDue.map((p) => p.id),
  };
}

export function loadViewModel(stored: StoredViewModel): ViewModel {
  const controls = new Map(stored.controls.map((c) => [c.key, c]));
  const policies = new Map(stored.policies.map((p) => [p.id, p]));
  const control = (k: string) => {
    const c = controls.get(k);
    if (!c) throw new Error(`view model: no control ${k}`);
    return c;
  };
  return {
    ...stored,
    frameworks: stored.frameworks.map((f) => ({ ...f, controls: f.controls.map(control) })),
    gaps: stored.gaps.map((g) => ({ ...g, controls: g.controls.map(control) })),
    reviewsDue: stored.reviewsDue.map((id) => {
      const p = policies.get(id);
      if (!p) throw new Error(`view model: no policy ${id}`);
      return p;
    }),
  };
}
