/**
 * Reproducible population sampling for auditors: a seeded reservoir sample
 * (Algorithm R) over a source's rows in reading order. Same rows and seed,
 * same sample; memory is the sample size, whatever the population.
 */

/** sfc32, a small fast PRNG with a 128-bit state, seeded from a string. */
export function seededRandom(seed: string): () => number {
  // cyrb128 hash of the seed into four 32-bit words.
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0, b = (h2 ^ h1) >>> 0, c = (h3 ^ h1) >>> 0, d = (h4 ^ h1) >>> 0;
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
}

export class Reservoir<T> {
  readonly items: { index: number; item: T }[] = [];
  private seen = 0;
  private readonly random: () => number;
  readonly size: number;

  constructor(size: number, seed: string) {
    this.size = size;
    this.random = seededRandom(seed);
  }

  /** Offers the next item of the population; `make` is called only when it is kept. */
  offer(make: () => T): void {
    const index = this.seen++;
    if (this.items.length < this.size) {
      this.items.push({ index, item: make() });
      return;
    }
    const j = Math.floor(this.random() * (index + 1));
    if (j < this.size) this.items[j] = { index, item: make() };
  }

  get population(): number {
    return this.seen;
  }

  /** The sample in population order. */
  result(): { index: number; item: T }[] {
    return [...this.items].sort((a, b) => a.index - b.index);
  }
}
