/** Byte streams to text: strict UTF-8 (invalid bytes are an error, never silently replaced). */

export class DecodeError extends Error {
  readonly byteOffset: number;
  readonly kind: 'utf16' | 'invalid-utf8';
  constructor(kind: 'utf16' | 'invalid-utf8', byteOffset: number) {
    super(kind === 'utf16' ? 'the file is UTF-16 encoded' : `invalid UTF-8 byte sequence near byte ${byteOffset}`);
    this.kind = kind;
    this.byteOffset = byteOffset;
  }
}

/** Decodes UTF-8 chunk by chunk; strips a BOM; throws DecodeError on UTF-16 or invalid bytes. */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let offset = 0;
  let first = true;
  for await (const chunk of chunks) {
    if (first && chunk.length >= 2) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) throw new DecodeError('utf16', 0);
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new DecodeError('invalid-utf8', offset);
    }
    offset += chunk.length;
    if (text) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new DecodeError('invalid-utf8', offset);
  }
  if (tail) yield tail;
}

/** Whole text of a small file (JSON documents, Markdown attestations). */
export async function readAllText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const t of decodeUtf8(chunks)) out += t;
  return out;
}
