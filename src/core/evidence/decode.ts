/** Byte streams to text: strict UTF-8 (invalid bytes are an error, never silently replaced). */

export class DecodeError extends Error {
  readonly byteOffset: number;
  /** 1-based line of the offending byte. */
  readonly line: number;
  readonly kind: 'utf16' | 'invalid-utf8' | 'nul';
  constructor(kind: 'utf16' | 'invalid-utf8' | 'nul', byteOffset: number, line = 1) {
    super(
      kind === 'utf16'
        ? 'the file is UTF-16 encoded'
        : kind === 'nul'
          ? `a NUL byte at byte ${byteOffset} (line ${line}): the file is binary, UTF-16 without a byte-order mark, or damaged`
          : `invalid UTF-8 byte sequence at byte ${byteOffset} (line ${line})`,
    );
    this.kind = kind;
    this.byteOffset = byteOffset;
    this.line = line;
  }
}

/** Index of the first byte that breaks UTF-8 in `b` (a whole sequence of complete characters expected), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function countNewlines(b: Uint8Array, end = b.length): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, Math.min(end, b.length));
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Decodes UTF-8 chunk by chunk; strips a BOM; throws DecodeError (with byte and line) on UTF-16 or invalid bytes. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let offset = 0;
  let lines = 0;
  let first = true;
  // The last bytes of the previous chunk, to locate an error in a character split across chunks.
  let carry: Uint8Array = new Uint8Array(0);
  const locate = (chunk: Uint8Array): DecodeError => {
    const joined = new Uint8Array(carry.length + chunk.length);
    joined.set(carry);
    joined.set(chunk, carry.length);
    let bad = firstInvalidUtf8(joined);
    if (bad === -1) bad = joined.length;
    const abs = offset - carry.length + bad;
    const line = lines - countNewlines(carry) + countNewlines(joined, bad) + 1;
    return new DecodeError('invalid-utf8', abs, line);
  };
  for await (const chunk of chunks) {
    if (first && chunk.length >= 2) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) throw new DecodeError('utf16', 0);
    }
    // NUL bytes are never text: refuse them rather than read `TR\0UE` as some other value.
    const nul = chunk.indexOf(0);
    if (nul !== -1) throw new DecodeError('nul', offset + nul, lines + countNewlines(chunk, nul) + 1);
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw locate(chunk);
    }
    offset += chunk.length;
    lines += countNewlines(chunk);
    carry = chunk.subarray(Math.max(0, chunk.length - 3));
    if (text) yield text;
  }
  try {
    decoder.decode();
  } catch {
    throw locate(new Uint8Array(0));
  }
}

/** Whole text of a small file (JSON documents, Markdown attestations). */
export async function readAllText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const t of decodeUtf8(chunks)) out += t;
  return out;
}
