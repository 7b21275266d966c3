/** content/portal.yaml: the workspace's settings. */
import { z } from 'astro/zod';
import { durationSchema } from './common.ts';

export const portalSchema = z.strictObject({
  /** Organisation name shown on every page. */
  organization: z.string().min(1),
  /** Site title; defaults to "<organization> Compliance Portal". */
  title: z.string().min(1).optional(),
  /** Frameworks in scope, by id (built-in: soc2, iso27001-2022, nist-csf-2.0; or a custom catalog's id). */
  frameworks: z.array(z.string().min(1)).min(1, { message: 'must list at least one framework in scope' }),
  /** Evidence defaults. */
  evidence: z
    .strictObject({
      /** How old evidence may be before it is stale, e.g. `30d`. */
      maxAge: durationSchema.default({ text: "30d", value: { days: 30 } }),
    })
    .default({ maxAge: { text: '30d', value: { days: 30 } } }),
  /** Policy Markdown rendering. */
  markdown: z
    .strictObject({
      /** Render raw HTML in policies (still sanitised to a safe allow-list); default: raw HTML is dropped. */
      rawHtml: z.boolean().default(false),
    })
    .default({ rawHtml: false }),
  /** Built-in crosswalks to apply, by id (e.g. `soc2-to-iso27001-2022`); crosswalks in content/crosswalks/ always apply. */
  crosswalks: z.array(z.string().min(1)).default([]),
  /** Population sampling for auditors: rows drawn per evidence source, reproducibly. */
  sampling: z
    .strictObject({
      /** Rows per source (0 turns sampling off). */
      size: z.number().int().min(0).max(10_000).default(25),
      /** Seed of the random draw; change it to draw a new sample. Default: `sample:<source id>`. */
      seed: z.string().min(1).optional(),
    })
    .optional(),
  /** Rules for `npm run gate` (CI): when the compliance state fails the job. */
  gate: z
    .strictObject({
      /** Fail on controls in these statuses; key: framework id or `*` for every framework. */
      failOn: z.record(z.string(), z.array(z.enum(['failing', 'gap', 'stale', 'excepted']))).default({}),
      /** Minimum score per framework (passing / applicable), 0 to 1. */
      minScore: z.record(z.string(), z.number().min(0).max(1)).default({}),
      /** Fail when an exception has expired. */
      expiredExceptions: z.boolean().default(false),
      /** Fail when an evidence source is stale. */
      staleEvidence: z.boolean().default(false),
      /** Fail when a policy is overdue for review. */
      overdueReviews: z.boolean().default(false),
      /** Fail when a control's status got worse than in the baseline report. */
      regressions: z.boolean().default(false),
    })
    .default({ failOn: {}, minScore: {}, expiredExceptions: false, staleEvidence: false, overdueReviews: false, regressions: false }),
  /** Policies: warn this many days before a review falls due. */
  reviewWarningDays: z.number().int().nonnegative().default(30),
  /** Framework id -> control id -> reason. Not-applicable controls are out of scope; a reason is required. */
  notApplicable: z
    .record(z.string(), z.record(z.string(), z.string().trim().min(1, { message: 'needs a reason' }), { error: 'must map control ids to reasons' }))
    .default({}),
  /** Framework id -> control ids for which an approved, in-date policy suffices (no evidence needed). */
  policyOnly: z.record(z.string(), z.array(z.string().min(1))).default({}),
});

export type PortalConfig = z.output<typeof portalSchema>;
