/**
 * Streaming JSON for large exports: yields the elements of one array (at the
 * top level, or under a path of object keys such as ["Findings"]) without
 * holding the document. Truncated or invalid JSON is an error, never an
 * empty list.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import type { AdapterContext } from './types.ts';
import { decodeUtf8, DecodeError } from './decode.ts';

export class JsonStreamError extends Error {
  readonly byteOffset: number;
  constructor(message: string, byteOffset: number) {
    super(message);
    this.byteOffset = byteOffset;
  }
}

/** Deepest nesting accepted; deeper documents are rejected rather than risk the stack. */
export const MAX_JSON_DEPTH = 128;

/**
 * Yields each element of the array at `path`. Resolves `found: false` through
 * `onDone` when the path does not lead to an array.
 */
export async function* streamJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  path: readonly string[],
  state: { found: boolean; bytes: number } = { found: false, bytes: 0 },
): AsyncGenerator<unknown> {
  let ended = false;
  // Bytes are decoded here, strictly (invalid UTF-8 or UTF-16 is an error), before the JSON parser sees them.
  async function* counted() {
    for await (const c of chunks) {
      state.bytes += c.length;
      yield c;
    }
    ended = true;
  }
  const decoded = async function* () {
    try {
      yield* decodeUtf8(counted());
    } catch (e) {
      if (e instanceof DecodeError) throw new JsonStreamError(e.message, e.byteOffset);
      throw e;
    }
  };
  const describe = (e: Error): string => {
    const m = e.message || String(e);
    if (/top-level object should be an array/i.test(m)) return 'expected a list at this place in the document';
    if (ended) return `the document ends early (${m.replace(/^Parser cannot parse input: /, '')}): the file looks truncated`;
    return m.replace(/^Parser cannot parse input: /, '');
  };
  const source = Readable.from(decoded());
  const stages: NodeJS.ReadWriteStream[] = [parser.asStream()];
  if (path.length) {
    stages.push(
      pick.asStream({
        filter: (stack: readonly (string | number | null)[]) => {
          const hit = stack.length === path.length && path.every((k, i) => stack[i] === k);
          if (hit) state.found = true;
          return hit;
        },
        maxDepth: MAX_JSON_DEPTH,
      }) as unknown as NodeJS.ReadWriteStream,
    );
  }
  const items = streamArray.asStream() as unknown as NodeJS.ReadWriteStream & AsyncIterable<{ key: number; value: unknown }>;
  stages.push(items);
  const done = pipeline(source, ...(stages as [NodeJS.ReadWriteStream])).catch((e: Error) => {
    throw new JsonStreamError(describe(e), state.bytes);
  });
  let failure: unknown;
  done.catch((e) => (failure = e));
  try {
    for await (const { value } of items) {
      if (!path.length) state.found = true;
      yield value;
    }
  } catch (e) {
    failure ??= new JsonStreamError(describe(e as Error), state.bytes);
  }
  try {
    await done;
  } catch (e) {
    failure ??= e;
  }
  if (failure) throw failure;
}

/** Reports a JsonStreamError as a located evidence-parse error. */
export function reportJsonStreamError(e: unknown, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>): boolean {
  if (!(e instanceof JsonStreamError)) return false;
  const truncated = /truncated/.test(e.message);
  ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: `byte ${e.byteOffset}` }, {
    args: {
      detail: `invalid JSON near byte ${e.byteOffset}: ${e.message}`,
      hint: truncated ? 'The file looks truncated: re-run the export; a partial file is never read as zero findings.' : 'Re-export the file from the tool; check that it is the format named in source.yaml.',
    },
  });
  return true;
}
