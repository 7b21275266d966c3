/** A control catalog (framework): built-in (src/catalogs/) or custom (content/frameworks/*.yaml). */
import { z } from 'astro/zod';
import { idSchema } from './common.ts';

export const catalogControlSchema = z.strictObject({
  /** Control id as the framework writes it, e.g. `CC6.1`, `A.8.5`, `GV.OC-01`. */
  id: z.union([z.string(), z.number().transform(String)]).pipe(z.string().min(1)),
  /** Short title. */
  title: z.string().min(1),
  /** Family or group id (one of `families`), e.g. `CC6`. */
  family: z.string().optional(),
  /** What the control asks for. */
  description: z.string().optional(),
  /** Points of focus or guidance, as short phrases. */
  pointsOfFocus: z.array(z.string()).optional(),
});

export const catalogFamilySchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  /** Parent family, for nested groupings (e.g. a CSF category under its function). */
  parent: z.string().optional(),
});

export const catalogSchema = z.strictObject({
  /** Framework id used everywhere else, e.g. `soc2`. */
  id: idSchema,
  name: z.string().min(1),
  version: z.union([z.string(), z.number().transform(String)]),
  /** Who wrote the text of this catalog. */
  publisher: z.string().optional(),
  families: z.array(catalogFamilySchema).default([]),
  controls: z.array(catalogControlSchema).min(1, { message: 'must list at least one control' }),
});

export type Catalog = z.output<typeof catalogSchema>;
export type CatalogControl = z.output<typeof catalogControlSchema>;
