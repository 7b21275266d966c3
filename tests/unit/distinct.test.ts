/** The fixed-memory distinct counter behind each source's resource count (core/evidence/distinct.ts). */
import { describe, expect, it } from 'vitest';
import { DistinctCounter, EXACT_LIMIT } from '../../src/core/evidence/distinct.ts';
import { hash53 } from '../../src/core/evidence/ingest.ts';

const hashes = (from: number, to: number, prefix = 'arn:aws:s3:::bucket-') => Array.from({ length: to - from }, (_, i) => hash53(`${prefix}${from + i}`));

function counterOf(values: number[]): DistinctCounter {
  const c = new DistinctCounter();
  for (const v of values) c.add(v);
  return c;
}

describe('DistinctCounter', () => {
  it('is exact up to the limit, duplicates included', () => {
    const values = hashes(0, EXACT_LIMIT);
    const c = counterOf([...values, ...values.slice(0, 500)]);
    expect(c.count()).toEqual({ value: EXACT_LIMIT, approximate: false });
    expect(counterOf([]).count()).toEqual({ value: 0, approximate: false });
  });

  it('estimates large counts within 3% (standard error 0.8%), in fixed memory', () => {
    for (const n of [EXACT_LIMIT + 1, 50_000, 400_000]) {
      const c = counterOf(hashes(0, n));
      const { value, approximate } = c.count();
      expect(approximate).toBe(true);
      expect(Math.abs(value - n) / n).toBeLessThan(0.03);
      const state = c.toJSON();
      expect('sketch' in state && Buffer.from(state.sketch, 'base64').length).toBe(16384);
    }
  });

  it('merging gives the same state whatever the split and the order (parallel = serial)', () => {
    const all = hashes(0, 30_000);
    const serial = counterOf(all).toJSON();
    // Three files: one over the limit on its own, two small ones whose union crosses it only with the first.
    const parts = [all.slice(0, 12_000), all.slice(12_000, 21_000), all.slice(21_000)];
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const merged = new DistinctCounter();
      for (const i of order) merged.merge(counterOf(parts[i]!).toJSON());
      expect(merged.toJSON()).toEqual(serial);
    }
    // Two exact halves whose union crosses the limit become the same sketch as one pass.
    const small = hashes(0, EXACT_LIMIT + 10);
    const a = counterOf(small.slice(0, 6000)).toJSON();
    const b = counterOf(small.slice(4000)).toJSON();
    expect('exact' in a && 'exact' in b).toBe(true);
    const m = new DistinctCounter();
    m.merge(b);
    m.merge(a);
    expect(m.toJSON()).toEqual(counterOf(small).toJSON());
    // Exact unions stay exact and count overlaps once.
    const e = new DistinctCounter();
    e.merge(counterOf(hashes(0, 300)).toJSON());
    e.merge(counterOf(hashes(200, 400)).toJSON());
    expect(e.count()).toEqual({ value: 400, approximate: false });
  });

  it('rejects a sketch of the wrong size instead of counting garbage', () => {
    expect(() => new DistinctCounter().merge({ sketch: Buffer.alloc(10).toString('base64') })).toThrow(/sketch of 10 bytes/);
  });
});
