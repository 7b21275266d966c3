/** Dates, durations and the build's "now" (src/core/util/time.ts). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  daysBetween,
  endOfDateUtc,
  isCalendarDate,
  parseDuration,
  parseInstant,
  resolveNow,
  startOfDateUtc,
  toDateString,
} from '../../src/core/util/time.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';

const clock = () => new Date('2030-01-01T00:00:00Z');

describe('parseDuration', () => {
  it.each([
    ['30d', { days: 30 }],
    ['30 d', { days: 30 }],
    [' 7 days ', { days: 7 }],
    ['1 day', { days: 1 }],
    ['12 months', { months: 12 }],
    ['6mo', { months: 6 }],
    ['1 year', { years: 1 }],
    ['2 YEARS', { years: 2 }],
    ['2w', { weeks: 2 }],
    ['24h', { hours: 24 }],
    ['90 min', { minutes: 90 }],
    ['P1Y', { years: 1 }],
    ['p1y', { years: 1 }],
    ['P90D', { days: 90 }],
    ['P1M', { months: 1 }],
    ['PT1M', { minutes: 1 }],
    ['PT12H', { hours: 12 }],
    ['P1Y2M3W4DT5H6M', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6 }],
  ])('%j -> %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['12 mnths', '', '   ', 'd', '30', '0d', '0 months', 'P0D', 'P', 'PT', 'P1S', 'PT1S', '-5d', '1.5d', '30 days ago', 'P1Y junk', 'forever', '1y2m'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('addDuration', () => {
  const at = (s: string) => new Date(s);
  it.each([
    ['2026-01-20T00:00:00Z', { months: 12 }, '2027-01-20T00:00:00.000Z'],
    ['2026-01-31T00:00:00Z', { months: 1 }, '2026-02-28T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', { years: 1 }, '2025-02-28T00:00:00.000Z'],
    ['2026-11-21T00:00:00Z', { days: 7 }, '2026-11-28T00:00:00.000Z'],
    ['2026-11-27T02:00:00Z', { hours: 24 }, '2026-11-28T02:00:00.000Z'],
    ['2026-12-31T00:00:00Z', { weeks: 1 }, '2027-01-07T00:00:00.000Z'],
  ])('%s + %j = %s', (from, d, to) => {
    expect(addDuration(at(from), d).toISOString()).toBe(to);
  });
});

describe('calendar dates', () => {
  it.each(['2026-02-28', '2028-02-29', '2026-12-31', '2000-02-29'])('%s is a date', (s) => expect(isCalendarDate(s)).toBe(true));
  it.each(['2026-02-30', '2026-02-29', '1900-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '26-01-01', '2026-01-01T00:00:00Z', ' 2026-01-01', 'today'])(
    '%s is not a date',
    (s) => expect(isCalendarDate(s)).toBe(false),
  );

  it('start and end of a date are UTC midnights; end is the next day (inclusive dates)', () => {
    expect(startOfDateUtc('2026-11-28').toISOString()).toBe('2026-11-28T00:00:00.000Z');
    expect(endOfDateUtc('2026-11-28').toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(endOfDateUtc('2026-12-31').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(endOfDateUtc('2028-02-28').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('toDateString is the UTC date', () => {
    expect(toDateString(new Date('2026-11-28T23:59:59.999Z'))).toBe('2026-11-28');
    expect(toDateString(new Date('2026-11-28T23:30:00-05:00'))).toBe('2026-11-29');
  });

  it('daysBetween floors whole days and is negative backwards', () => {
    const now = new Date('2026-11-28T00:00:00Z');
    expect(daysBetween(now, new Date('2026-11-29T00:00:00Z'))).toBe(1);
    expect(daysBetween(now, new Date('2026-11-28T23:59:59Z'))).toBe(0);
    expect(daysBetween(now, new Date('2026-11-27T00:00:00Z'))).toBe(-1);
    expect(daysBetween(now, new Date('2026-11-27T12:00:00Z'))).toBe(-1);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T02:00:00Z', '2026-11-20T02:00:00.000Z'],
    ['2026-11-20T02:00Z', '2026-11-20T02:00:00.000Z'],
    ['2026-11-20T02:00:00.123Z', '2026-11-20T02:00:00.123Z'],
    ['2026-11-20T02:00:00+01:00', '2026-11-20T01:00:00.000Z'],
    ['2026-11-20T02:00:00-05:30', '2026-11-20T07:30:00.000Z'],
    // No offset: read as UTC, never as the build machine's zone.
    ['2026-11-20T02:00:00', '2026-11-20T02:00:00.000Z'],
    ['2026-11-20 02:00', '2026-11-20T02:00:00.000Z'],
    ['  2026-11-20T02:00:00Z  ', '2026-11-20T02:00:00.000Z'],
  ])('%j -> %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-02-30',
    '2026-02-30T00:00:00Z',
    '2026-11-20T25:00:00Z',
    '2026-11-20T02:61:00Z',
    '20/11/2026',
    'Nov 20 2026',
    '2026-11-20T02',
    '1700000000',
    'garbage',
    '',
    '2026-11-20T02:00:00 UTC',
  ])('%j is rejected', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});

describe('resolveNow', () => {
  it('uses COMPLIANCE_NOW first (ISO date or date-time)', () => {
    expect(resolveNow({ COMPLIANCE_NOW: '2026-11-28T00:00:00Z', SOURCE_DATE_EPOCH: '1' }, clock)).toEqual({ ok: true, now: new Date('2026-11-28T00:00:00Z'), from: 'COMPLIANCE_NOW' });
    expect(resolveNow({ COMPLIANCE_NOW: '2026-11-28' }, clock)).toEqual({ ok: true, now: new Date('2026-11-28T00:00:00Z'), from: 'COMPLIANCE_NOW' });
    expect(resolveNow({ COMPLIANCE_NOW: ' 2026-11-28T10:00:00+02:00 ' }, clock)).toEqual({ ok: true, now: new Date('2026-11-28T08:00:00Z'), from: 'COMPLIANCE_NOW' });
  });

  it('then SOURCE_DATE_EPOCH (Unix seconds)', () => {
    expect(resolveNow({ SOURCE_DATE_EPOCH: '1795824000' }, clock)).toEqual({ ok: true, now: new Date('2026-11-28T00:00:00Z'), from: 'SOURCE_DATE_EPOCH' });
    expect(resolveNow({ COMPLIANCE_NOW: '', SOURCE_DATE_EPOCH: '0' }, clock)).toEqual({ ok: true, now: new Date(0), from: 'SOURCE_DATE_EPOCH' });
  });

  it('then the clock', () => {
    expect(resolveNow({}, clock)).toEqual({ ok: true, now: clock(), from: 'clock' });
    expect(resolveNow({ COMPLIANCE_NOW: '   ', SOURCE_DATE_EPOCH: '' }, clock)).toEqual({ ok: true, now: clock(), from: 'clock' });
  });

  it('rejects invalid values, naming the variable (no fallback to the clock)', () => {
    expect(resolveNow({ COMPLIANCE_NOW: 'garbage' }, clock)).toEqual({ ok: false, variable: 'COMPLIANCE_NOW', value: 'garbage' });
    expect(resolveNow({ COMPLIANCE_NOW: '2026-02-30' }, clock)).toEqual({ ok: false, variable: 'COMPLIANCE_NOW', value: '2026-02-30' });
    // An invalid COMPLIANCE_NOW is an error even when SOURCE_DATE_EPOCH is fine.
    expect(resolveNow({ COMPLIANCE_NOW: 'tomorrow', SOURCE_DATE_EPOCH: '1795824000' }, clock)).toMatchObject({ ok: false, variable: 'COMPLIANCE_NOW' });
    for (const bad of ['-1', '1.5', '1e9', 'abc', '2026-11-28']) {
      expect(resolveNow({ SOURCE_DATE_EPOCH: bad }, clock)).toEqual({ ok: false, variable: 'SOURCE_DATE_EPOCH', value: bad });
    }
  });

  // Regression test (was a bug, fixed): (src/core/util/time.ts, resolveNow, SOURCE_DATE_EPOCH branch): a digits-only epoch too large for a
  // Date (more than 8.64e12 seconds) is accepted as { ok: true, now: Invalid Date }; the first toISOString()
  // later throws a RangeError with a stack trace instead of the now-invalid diagnostic.
  it('rejects a SOURCE_DATE_EPOCH beyond the range of dates', () => {
    expect(resolveNow({ SOURCE_DATE_EPOCH: '99999999999999' }, clock)).toEqual({ ok: false, variable: 'SOURCE_DATE_EPOCH', value: '99999999999999' });
  });
});

describe('independence from the machine time zone', () => {
  /** Runs the real time.ts in a child Node with the given TZ and returns its results. */
  function inZone(tz: string): Record<string, string> {
    const timeTs = path.join(REPO_ROOT, 'src/core/util/time.ts');
    const script = `
      const t = await import(${JSON.stringify(timeTs)});
      const out = {
        endOfDate: t.endOfDateUtc('2026-03-08').toISOString(),
        plus6Months: t.addDuration(t.startOfDateUtc('2026-03-01'), { months: 6 }).toISOString(),
        plus1Month: t.addDuration(t.startOfDateUtc('2026-01-31'), { months: 1 }).toISOString(),
        plus1Day: t.addDuration(t.startOfDateUtc('2026-10-25'), { days: 1 }).toISOString(),
        noOffset: t.parseInstant('2026-11-20T02:00:00').toISOString(),
      };
      process.stdout.write(JSON.stringify(out));`;
    const node = path.join(REPO_ROOT, 'node_modules/.bin/node');
    const stdout = execFileSync(node, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    return JSON.parse(stdout) as Record<string, string>;
  }

  const expected = {
    endOfDate: '2026-03-09T00:00:00.000Z',
    plus6Months: '2026-09-01T00:00:00.000Z',
    plus1Month: '2026-02-28T00:00:00.000Z',
    plus1Day: '2026-10-26T00:00:00.000Z',
    noOffset: '2026-11-20T02:00:00.000Z',
  };

  it('gives UTC results when the machine runs in UTC', { timeout: 60_000 }, () => {
    expect(inZone('UTC')).toEqual(expected);
  });

  // Regression test (was a bug, fixed): (src/core/util/time.ts, addDuration and endOfDateUtc): date-fns `add` does calendar arithmetic in the
  // machine's local time zone. With TZ=America/New_York, endOfDateUtc('2026-03-08') is 2026-03-08T23:00Z (DST
  // change) and 2026-03-01 + 6 months is 2026-08-28T23:00Z, so review due dates, exception expiry and evidence
  // freshness depend on where the build runs (not deterministic). Fix: do the arithmetic in UTC
  // (Date.UTC/setUTCMonth/setUTCDate, or @date-fns/utc's UTCDate).
  it('gives the same results in America/New_York', { timeout: 60_000 }, () => {
    expect(inZone('America/New_York')).toEqual(expected);
  });

  it('gives the same results in Europe/Berlin', { timeout: 60_000 }, () => {
    expect(inZone('Europe/Berlin')).toEqual(expected);
  });
});
