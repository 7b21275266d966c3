/** Shared field schemas: ids, dates, durations, framework -> controls maps. */
import { z } from 'astro/zod';
import { DURATION_HINT, isCalendarDate, parseDuration, parseInstant, type Duration } from '../util/time.ts';

/** An id usable in URLs and file names: letters, digits, `.`, `_`, `-`. */
export const idSchema = z
  .string()
  .min(1)
  .refine((s) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s), {
    message: 'must start with a letter or digit and contain only letters, digits, `.`, `_` and `-`',
    params: { hint: 'Use an id like POL-AC or EXC-7.' },
  });

/** A calendar date written YYYY-MM-DD (unquoted in YAML is fine). */
export const dateSchema = z.string({ error: 'must be a date written YYYY-MM-DD' }).refine(isCalendarDate, {
  message: 'must be a real calendar date written YYYY-MM-DD',
  params: { hint: 'Write dates as YYYY-MM-DD, e.g. 2026-02-01; check the day exists in that month.' },
});

/** An ISO 8601 date-time, e.g. 2026-11-20T02:00:00Z (a date alone means midnight UTC). */
export const instantSchema = z.string().refine((s) => parseInstant(s) !== undefined, {
  message: 'must be an ISO 8601 date or date-time, e.g. 2026-11-20T02:00:00Z',
  params: { hint: 'Use ISO 8601, e.g. 2026-11-20T02:00:00Z; a time without an offset is read as UTC.' },
});

export interface DurationValue {
  /** As written, e.g. `30d`. */
  text: string;
  value: Duration;
}

/** `30d`, `12 months`, `1 year`, `P1Y`... */
export const durationSchema = z.string({ error: 'must be a duration such as 30d or 12 months' }).transform((text, ctx): DurationValue => {
  const value = parseDuration(text);
  if (!value) {
    ctx.issues.push({ code: 'custom', message: `\`${text}\` is not a duration`, input: text, params: { hint: DURATION_HINT } });
    return z.NEVER;
  }
  return { text, value };
});

/** Framework id -> list of control ids, e.g. `{ soc2: [CC6.1], iso27001-2022: [A.8.5] }`. */
export const controlsMapSchema = z.record(
  z.string(),
  z.array(z.union([z.string(), z.number().transform(String)]).pipe(z.string().min(1)), {
    error: 'must be a list of control ids, e.g. [CC6.1, CC6.2]',
  }),
  { error: 'must map framework ids to lists of control ids, e.g. { soc2: [CC6.1] }' },
);
export type ControlsMap = z.output<typeof controlsMapSchema>;

/** Who may see a policy or source: `internal` ones are left out of a public build. */
export const visibilitySchema = z.enum(['public', 'internal']).default('public');
