/** Frontmatter of content/policies/**\/*.md: one policy, standard or procedure per file. */
import { z } from 'astro/zod';
import { controlsMapSchema, dateSchema, durationSchema, idSchema, visibilitySchema } from './common.ts';

export const policyStatuses = ['draft', 'approved', 'retired'] as const;
export const priorities = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof priorities)[number];

export const policyFrontmatterSchema = z.strictObject({
  /** Unique id, e.g. `POL-AC`. Used in URLs and reports. */
  id: idSchema,
  /** Title shown in the portal. */
  title: z.string().min(1),
  /** What kind of document this is. */
  type: z.enum(['policy', 'standard', 'procedure']).default('policy'),
  /** Role accountable for the document, e.g. `Head of Security`. */
  owner: z.string().min(1),
  /** Who approved the current version. */
  approver: z.string().min(1).optional(),
  /** Only `approved` documents cover controls. */
  status: z.enum(policyStatuses),
  /** Version as text, e.g. "2.1" (quote it in YAML, or 2.10 becomes 2.1). */
  version: z.string({ error: 'must be text' }).min(1),
  /** Date from which this version applies (YYYY-MM-DD). */
  effective: dateSchema,
  /** Date of the last review (YYYY-MM-DD). */
  lastReviewed: dateSchema,
  /** How often the document must be reviewed: `12 months`, `1 year`, `P1Y`. */
  reviewInterval: durationSchema,
  /** Orders the gaps and remediation queue. */
  priority: z.enum(priorities).default('medium'),
  /** One sentence shown in lists. */
  summary: z.string().optional(),
  /** Controls this document covers: framework id -> control ids. */
  controls: controlsMapSchema.default({}),
  /** Free-form tags. */
  tags: z.array(z.string()).default([]),
  /** `internal` documents are left out of public builds. */
  visibility: visibilitySchema,
});

export type PolicyFrontmatter = z.output<typeof policyFrontmatterSchema>;

export const policyHints: Record<string, string> = {
  version: 'Quote the version so YAML keeps it as text: version: "2.1".',
  status: 'Use draft, approved or retired.',
  priority: 'Use critical, high, medium or low.',
};
