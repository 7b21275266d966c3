/** Frontmatter of an attestation file (format: attestation): a person vouches for a control. */
import { z } from 'astro/zod';
import { controlsMapSchema, dateSchema, durationSchema } from './common.ts';

export const attestationSchema = z.strictObject({
  /** What was attested, e.g. `Q3 2026 privileged access review`. */
  title: z.string().min(1),
  /** Controls this attestation is evidence for. */
  controls: controlsMapSchema.refine((m) => Object.values(m).some((l) => l.length > 0), { message: 'must name at least one control' }),
  /** The outcome. */
  result: z.enum(['pass', 'fail']),
  /** Who attests (name and role). */
  attestedBy: z.string().min(1),
  /** When (YYYY-MM-DD). */
  date: dateSchema,
  /** How long the attestation stays fresh, e.g. `90d`; replaces the source's maxAge. */
  validFor: durationSchema.optional(),
  /** Supporting files, relative to the source folder (hashed like any evidence). */
  attachments: z.array(z.string().min(1)).default([]),
});
export type Attestation = z.output<typeof attestationSchema>;
