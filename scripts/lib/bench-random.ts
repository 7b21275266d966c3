/**
 * Seeded randomness and synthetic text for the workspace generator
 * (scripts/generate-workspace.ts). No Math.random: the same seed gives the
 * same bytes. Text is assembled from short generic word lists written for
 * this project; it quotes no framework, vendor or standard.
 */

/** A seeded PRNG (sfc32) over a 32-bit seed and a label, so independent streams do not shift each other. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, label = '') {
    // cyrb128-style mixing of the seed and the label into four words.
    let h1 = 1779033703 ^ seed, h2 = 3144134277 ^ Math.imul(seed, 31), h3 = 1013904242, h4 = 2773480762;
    const text = `${seed}:${label}`;
    for (let i = 0; i < text.length; i++) {
      const k = text.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    this.a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
    this.b = (h2 ^ h1) >>> 0;
    this.c = (h3 ^ h1) >>> 0;
    this.d = (h4 ^ h1) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    const t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const r = (t + this.d) | 0;
    this.c = (this.c + r) | 0;
    return (r >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  /** `n` distinct elements in a random order (all of them when n >= length). */
  sample<T>(list: readonly T[], n: number): T[] {
    const copy = [...list];
    const out: T[] = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]!);
    return out;
  }

  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }

  /** Picks by weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i]!;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  hex(len: number): string {
    let s = '';
    while (s.length < len) s += ((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, len);
  }
}

/** A stable 32-bit hash of an integer and a salt (for resource ids that must not cost a PRNG draw). */
export function mix32(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder), summing exactly to `total`. */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!weights.length) throw new Error('apportion: no weights');
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]!++;
  return out;
}

const SUBJECTS = ['The platform team', 'Every system owner', 'The security office', 'Each engineering group', 'The service desk', 'Line managers', 'The data protection lead', 'Site reliability engineers', 'The internal audit function', 'Product owners'];
const VERBS = ['reviews', 'records', 'approves', 'monitors', 'documents', 'tests', 'restricts', 'rotates', 'encrypts', 'retains', 'reports', 'verifies'];
const OBJECTS = ['privileged accounts', 'configuration changes', 'backup copies', 'audit logs', 'vendor contracts', 'access requests', 'encryption keys', 'network rules', 'incident tickets', 'asset inventories', 'software releases', 'training records', 'customer data exports', 'service accounts'];
const QUALIFIERS = ['at least once a quarter', 'before changes reach production', 'within five business days', 'using the approved tooling', 'as described in the runbook', 'and keeps the evidence for a year', 'whenever a role changes', 'against the current baseline', 'with a named approver', 'and escalates exceptions to the risk committee'];

/** One generic sentence. */
export function sentence(r: Rng): string {
  return `${r.pick(SUBJECTS)} ${r.pick(VERBS)} ${r.pick(OBJECTS)} ${r.pick(QUALIFIERS)}.`;
}

export function paragraph(r: Rng, sentences: number): string {
  return Array.from({ length: sentences }, () => sentence(r)).join(' ');
}

const TITLE_WORDS = ['Access', 'Account', 'Asset', 'Audit', 'Backup', 'Baseline', 'Boundary', 'Change', 'Configuration', 'Continuity', 'Cryptographic', 'Data', 'Detection', 'Device', 'Identity', 'Incident', 'Integrity', 'Inventory', 'Key', 'Logging', 'Media', 'Monitoring', 'Network', 'Patch', 'Personnel', 'Physical', 'Privacy', 'Recovery', 'Release', 'Remote', 'Retention', 'Review', 'Risk', 'Session', 'Supplier', 'Training', 'Vulnerability', 'Wireless'];
const TITLE_TAILS = ['management', 'review', 'handling', 'protection', 'monitoring', 'enforcement', 'planning', 'verification', 'separation', 'reporting', 'hardening', 'governance', 'testing', 'authorisation', 'tracking'];

export function title(r: Rng): string {
  return `${r.pick(TITLE_WORDS)} ${r.pick(TITLE_TAILS)}`;
}

const RISK_PARTS = [
  'an attacker who reaches the resource can read data that should stay private',
  'misconfigured resources are a common starting point for incidents',
  'the exposure grows with every copy of the data',
  'detection depends on logs that this setting controls',
  'recovery takes longer when the setting is missing',
  'auditors ask for this setting in most assessments',
  'a single mistake here affects every tenant of the account',
  'the setting is cheap to enable and hard to retrofit later',
];

/**
 * A long free-text block (risk or remediation prose) of at least `length`
 * characters with `; ` separators and, when `lines`, embedded line breaks and
 * quotes, as Prowler's long cells have. Cut to exactly `length`.
 */
export function longText(r: Rng, length: number, lines = true): string {
  if (length <= 0) return '';
  let s = '';
  let n = 0;
  while (s.length < length) {
    let part = r.pick(RISK_PARTS);
    if (lines && n % 5 === 4) part += '.\nSee the "remediation" notes';
    s += (s ? '; ' : '') + part;
    n++;
  }
  return s.slice(0, length);
}

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ines', 'Jonas', 'Kwame', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wei', 'Yara', 'Zoë'];
const LAST = ['Abe', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Silva', 'Tanaka', 'Unger', 'Vogel', 'Weber', 'Yilmaz', 'Zhang'];

/** A person name chosen by index (no PRNG draw): `i` maps to a stable name. */
export function personName(i: number): string {
  const h = mix32(i, 0x5eed);
  return `${FIRST[h % FIRST.length]} ${LAST[(h >>> 8) % LAST.length]}`;
}

export const ROLES = ['Head of Security', 'Chief Information Security Officer', 'IT Operations Manager', 'Head of People', 'VP Engineering', 'Data Protection Officer', 'Head of Infrastructure', 'Compliance Manager', 'Chief Technology Officer', 'Head of Legal'];
