/**
 * Distinct counts in fixed memory, for "how many resources does this source cover".
 *
 * Exact up to EXACT_LIMIT distinct values, then a HyperLogLog sketch of 2^14 one-byte registers
 * (16 KiB, standard error about 0.8%). Memory no longer grows with the evidence: a set of every
 * resource hash of a 5-million-row export cost tens of megabytes per file and per worker thread,
 * and as many again to send it to the main thread and to cache it.
 *
 * Both forms merge as a union, and the result depends only on the set of values added, never on
 * the order or on how files were split between worker threads: a sketch's registers are the
 * maximum over the values, and an exact set becomes a sketch exactly when the union of the values
 * outgrows the limit. Row accounting never depends on this: it stays exact.
 *
 * Values are 53-bit hashes (hash53 in ingest.ts): the low 14 bits choose the register, the other 39
 * bits give the rank.
 */

/** Counted exactly up to this many distinct values. */
export const EXACT_LIMIT = 10_000;
const P = 14;
const M = 1 << P;
const TWO_32 = 4294967296;

/** The serialisable form (worker threads send it, the cache stores it). */
export type DistinctState = { exact: number[] } | { sketch: string };

export class DistinctCounter {
  private exact: Set<number> | undefined = new Set();
  private registers: Uint8Array | undefined;

  add(hash: number): void {
    if (this.exact) {
      this.exact.add(hash);
      if (this.exact.size > EXACT_LIMIT) this.toSketch();
      return;
    }
    this.addToSketch(hash);
  }

  merge(state: DistinctState): void {
    if ('exact' in state) {
      for (const h of state.exact) this.add(h);
      return;
    }
    if (this.exact) this.toSketch();
    const other = Buffer.from(state.sketch, 'base64');
    if (other.length !== M) throw new Error(`Distinct-count sketch of ${other.length} bytes; expected ${M}`);
    const regs = this.registers!;
    for (let i = 0; i < M; i++) if (other[i]! > regs[i]!) regs[i] = other[i]!;
  }

  /** The count, and whether it is an estimate (more than EXACT_LIMIT distinct values). */
  count(): { value: number; approximate: boolean } {
    if (this.exact) return { value: this.exact.size, approximate: false };
    const regs = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      sum += 2 ** -regs[i]!;
      if (regs[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / M);
    let estimate = (alpha * M * M) / sum;
    // Small-range correction (linear counting); 53-bit hashes need no large-range correction.
    if (estimate <= 2.5 * M && zeros > 0) estimate = M * Math.log(M / zeros);
    return { value: Math.round(estimate), approximate: true };
  }

  toJSON(): DistinctState {
    if (this.exact) return { exact: [...this.exact].sort((a, b) => a - b) };
    return { sketch: Buffer.from(this.registers!).toString('base64') };
  }

  private toSketch(): void {
    this.registers = new Uint8Array(M);
    for (const h of this.exact ?? []) this.addToSketch(h);
    this.exact = undefined;
  }

  private addToSketch(hash: number): void {
    const index = hash % M;
    const w = Math.floor(hash / M); // the remaining 39 bits
    const hi = Math.floor(w / TWO_32); // 7 bits
    const leadingZeros = hi > 0 ? Math.clz32(hi) - 25 : 7 + Math.clz32(w % TWO_32);
    const rank = leadingZeros + 1;
    if (rank > this.registers![index]!) this.registers![index] = rank;
  }
}
