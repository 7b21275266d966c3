/** Frontmatter of content/exceptions/**\/*.md: an approved risk acceptance. */
import { z } from 'astro/zod';
import { controlsMapSchema, dateSchema, idSchema, visibilitySchema } from './common.ts';

export const exceptionFrontmatterSchema = z.strictObject({
  /** Unique id, e.g. `EXC-7`. */
  id: idSchema,
  /** Short title; defaults to the reason. */
  title: z.string().min(1).optional(),
  /** Controls whose failures this exception accepts. */
  controls: controlsMapSchema.refine((m) => Object.values(m).some((l) => l.length > 0), {
    message: 'must name at least one control',
  }),
  /** Optional: only failures of these check ids (exact or glob). */
  checks: z.array(z.string().min(1)).optional(),
  /** Optional: only failures on these resources (globs, e.g. `arn:aws:ec2:*:i-0abc*`). */
  resources: z.array(z.string().min(1)).optional(),
  /** Why the risk is accepted. */
  reason: z.string().min(1),
  /** Who accepted the risk. */
  approvedBy: z.string().min(1),
  /** When it was approved (YYYY-MM-DD). */
  approved: dateSchema.optional(),
  /** Last day the exception counts (inclusive, UTC). Required: exceptions always expire. */
  expires: dateSchema,
  /** Who tracks the remediation. */
  owner: z.string().min(1).optional(),
  visibility: visibilitySchema,
});

export type ExceptionFrontmatter = z.output<typeof exceptionFrontmatterSchema>;
