/** content/crosswalks/*.yaml: a control in one framework is covered by controls in another. */
import { z } from 'astro/zod';
import { idSchema } from './common.ts';

/** OSCAL 1.2 mapping relationship types. */
export const relationships = ['equivalent-to', 'equal-to', 'subset-of', 'superset-of', 'intersects-with'] as const;
export type Relationship = (typeof relationships)[number];

const targetList = z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)]);

export const crosswalkSchema = z.strictObject({
  /** Unique id, e.g. `soc2-to-iso27001-2022`. */
  id: idSchema,
  title: z.string().min(1).optional(),
  /** Framework whose policies and evidence count for the other. */
  from: z.string().min(1),
  /** Framework that receives coverage. */
  to: z.string().min(1),
  /** How the `from` control relates to the `to` controls unless an entry says otherwise. */
  relationship: z.enum(relationships).default('intersects-with'),
  /** True for a mapping meant as guidance (shown as informative). */
  informative: z.boolean().default(false),
  /** Who wrote the mapping. */
  publisher: z.string().optional(),
  /** The mapping inline: `from` control id -> `to` control ids (or { controls, relationship }). */
  mappings: z
    .record(z.string(), z.union([targetList, z.strictObject({ controls: targetList, relationship: z.enum(relationships) })]))
    .optional(),
  /** Or: a JSON file beside this one: `flat` ({ "crosswalk": { "AC-1": ["A.5.1"] } }) or an OSCAL 1.2 `mapping-collection`. */
  file: z.string().min(1).optional(),
  format: z.enum(['flat', 'oscal-mapping']).optional(),
}).refine((c) => (c.mappings ? 1 : 0) + (c.file ? 1 : 0) === 1, { message: 'needs exactly one of `mappings` or `file`', params: { hint: 'Write the mapping inline under `mappings:`, or point `file:` to a JSON crosswalk beside this file.' } });

export type CrosswalkConfig = z.output<typeof crosswalkSchema>;

/** The flat JSON crosswalk shape. */
export const flatCrosswalkSchema = z.object({ crosswalk: z.record(z.string(), z.array(z.string())) });

/** The part of an OSCAL 1.2 mapping-collection we read. */
export const oscalMappingSchema = z.object({
  'mapping-collection': z.object({
    mappings: z.array(
      z.object({
        maps: z.array(
          z.object({
            relationship: z.enum(relationships),
            sources: z.array(z.object({ type: z.string(), 'id-ref': z.string() })),
            targets: z.array(z.object({ type: z.string(), 'id-ref': z.string() })),
          }),
        ),
      }),
    ),
  }),
});
