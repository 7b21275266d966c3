/**
 * Dates, durations and "now". Everything time-dependent in the core takes `now`
 * as an argument; only the CLI edge reads the clock (see resolveNow).
 */

export const DAY_MS = 86_400_000;

/** A calendar duration, e.g. `30d`, `12 months`, `P1Y`. */
export interface Duration {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
}

const UNIT_WORDS: Record<string, keyof Duration> = {
  y: 'years', yr: 'years', yrs: 'years', year: 'years', years: 'years',
  mo: 'months', mon: 'months', month: 'months', months: 'months',
  w: 'weeks', wk: 'weeks', week: 'weeks', weeks: 'weeks',
  d: 'days', day: 'days', days: 'days',
  h: 'hours', hr: 'hours', hour: 'hours', hours: 'hours',
  min: 'minutes', minute: 'minutes', minutes: 'minutes',
};

const ISO_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?)?$/;

/**
 * Parses `30d`, `7 days`, `12 months`, `1 year`, `2w`, `24h` or ISO 8601 (`P1Y`, `P90D`, `PT12H`).
 * Returns undefined when the text is not a positive duration.
 */
export function parseDuration(text: string): Duration | undefined {
  const t = text.trim();
  const iso = ISO_DURATION.exec(t.toUpperCase());
  if (iso) {
    const [, y, mo, w, d, h, mi] = iso;
    const out: Duration = {};
    if (y) out.years = Number(y);
    if (mo) out.months = Number(mo);
    if (w) out.weeks = Number(w);
    if (d) out.days = Number(d);
    if (h) out.hours = Number(h);
    if (mi) out.minutes = Number(mi);
    return isPositive(out) ? out : undefined;
  }
  const m = /^(\d+)\s*([a-z]+)$/i.exec(t);
  if (!m) return undefined;
  const unit = UNIT_WORDS[m[2]!.toLowerCase()];
  if (!unit) return undefined;
  const out: Duration = { [unit]: Number(m[1]) };
  return isPositive(out) ? out : undefined;
}

function isPositive(d: Duration): boolean {
  return Object.values(d).some((v) => typeof v === 'number' && v > 0);
}

export const DURATION_HINT = 'Write a duration like `30d`, `12 months`, `1 year` or ISO 8601 `P1Y`.';

/**
 * Adds a duration to an instant, in UTC whatever the machine's time zone: months and
 * years keep the day of the month where it exists, else the month's last day
 * (Jan 31 + 1 month = Feb 28); weeks, days, hours and minutes are exact.
 */
export function addDuration(at: Date, d: Duration): Date {
  const r = new Date(at.getTime());
  const months = (d.years ?? 0) * 12 + (d.months ?? 0);
  if (months) {
    const day = r.getUTCDate();
    r.setUTCDate(1);
    r.setUTCMonth(r.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
    r.setUTCDate(Math.min(day, lastDay));
  }
  const ms = ((d.weeks ?? 0) * 7 + (d.days ?? 0)) * DAY_MS + (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000;
  return new Date(r.getTime() + ms);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = DATE_ONLY.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** Midnight UTC at the start of a YYYY-MM-DD date. */
export function startOfDateUtc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The first instant after a YYYY-MM-DD date (dates are inclusive: a thing "until 2027-03-31" holds all that day). */
export function endOfDateUtc(date: string): Date {
  return new Date(startOfDateUtc(date).getTime() + DAY_MS);
}

/** YYYY-MM-DD of an instant in UTC. */
export function toDateString(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Parses an ISO 8601 date or date-time; a date alone means midnight UTC. */
export function parseInstant(text: string): Date | undefined {
  const t = text.trim();
  if (DATE_ONLY.test(t)) return isCalendarDate(t) ? startOfDateUtc(t) : undefined;
  // Require an ISO-like shape: Date.parse alone accepts far too much.
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(t)) return undefined;
  const datePart = t.slice(0, 10);
  if (!isCalendarDate(datePart)) return undefined;
  // Without an offset a time is read as UTC, never as the build machine's zone.
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t) ? t : `${t}Z`;
  const dt = new Date(withZone.replace(' ', 'T'));
  return Number.isNaN(dt.getTime()) ? undefined : dt;
}

/** Whole days from `from` to `to` (negative when `to` is earlier), floored. */
export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

export type NowResult = { ok: true; now: Date; from: 'COMPLIANCE_NOW' | 'SOURCE_DATE_EPOCH' | 'clock' } | { ok: false; variable: string; value: string };

/**
 * The build's "now": COMPLIANCE_NOW (ISO 8601), else SOURCE_DATE_EPOCH (Unix seconds), else the clock.
 * The clock is passed in so that this stays pure.
 */
export function resolveNow(env: Record<string, string | undefined>, clock: () => Date): NowResult {
  const explicit = env.COMPLIANCE_NOW?.trim();
  if (explicit) {
    const at = parseInstant(explicit);
    return at ? { ok: true, now: at, from: 'COMPLIANCE_NOW' } : { ok: false, variable: 'COMPLIANCE_NOW', value: explicit };
  }
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (epoch) {
    const at = new Date(Number(epoch) * 1000);
    if (!/^\d+$/.test(epoch) || Number.isNaN(at.getTime())) return { ok: false, variable: 'SOURCE_DATE_EPOCH', value: epoch };
    return { ok: true, now: at, from: 'SOURCE_DATE_EPOCH' };
  }
  return { ok: true, now: clock(), from: 'clock' };
}
