/**
 * streamJsonArray (src/core/evidence/json-stream.ts): the elements of one list
 * of a JSON document read from a stream of byte chunks, without holding the
 * document. Checked against JSON.parse of the whole text, whatever the chunk
 * boundaries (inside multi-byte characters, inside escapes), and for every kind
 * of broken document: an error with a byte offset, never a short list read as
 * complete.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonStreamError, MAX_JSON_DEPTH, streamJsonArray } from '../../src/core/evidence/json-stream.ts';

const SEED = 20261128;
const enc = new TextEncoder();

/** The bytes in chunks of the given sizes (cycled); the sizes are never 0. */
async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [bytes.length || 1]): AsyncGenerator<Uint8Array> {
  let k = 0;
  for (let i = 0; i < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]!);
    yield bytes.slice(i, i + size);
    i += size;
  }
}

interface Outcome {
  values: unknown[];
  found: boolean;
  bytes: number;
  error?: JsonStreamError;
}

async function read(doc: string | Uint8Array, path: readonly string[] = [], sizes?: readonly number[]): Promise<Outcome> {
  const bytes = typeof doc === 'string' ? enc.encode(doc) : doc;
  const state = { found: false, bytes: 0 };
  const values: unknown[] = [];
  try {
    for await (const v of streamJsonArray(chunked(bytes, sizes), path, state)) values.push(v);
  } catch (e) {
    if (!(e instanceof JsonStreamError)) throw e;
    return { values, found: state.found, bytes: state.bytes, error: e };
  }
  return { values, found: state.found, bytes: state.bytes };
}

/** The list at `path` of JSON.parse(doc), the reference. */
function expected(doc: string, path: readonly string[]): unknown[] {
  let v: unknown = JSON.parse(doc.replace(/^\uFEFF/, ''));
  for (const k of path) v = (v as Record<string, unknown>)[k];
  return v as unknown[];
}

/** Every way of reading the same bytes: whole, byte by byte, and small irregular chunks. */
const CHUNKINGS: readonly (readonly number[] | undefined)[] = [undefined, [1], [2, 3, 1, 5], [7], [64, 1, 13]];

async function expectSameAsJsonParse(doc: string, path: readonly string[] = []): Promise<void> {
  const want = expected(doc, path);
  for (const sizes of CHUNKINGS) {
    const got = await read(doc, path, sizes);
    expect(got.error, `chunks ${sizes?.join(',') ?? 'whole'}`).toBeUndefined();
    expect(got.values, `chunks ${sizes?.join(',') ?? 'whole'}`).toEqual(want);
    expect(got.found).toBe(true);
    expect(got.bytes).toBe(enc.encode(doc).length);
  }
}

async function expectError(doc: string | Uint8Array, path: readonly string[] = []): Promise<JsonStreamError> {
  let first: JsonStreamError | undefined;
  for (const sizes of CHUNKINGS) {
    const got = await read(doc, path, sizes);
    expect(got.error, `chunks ${sizes?.join(',') ?? 'whole'}: ${typeof doc === 'string' ? doc.slice(0, 80) : 'bytes'}`).toBeInstanceOf(JsonStreamError);
    // The same error, at the same byte, whatever the chunks.
    if (first) expect([got.error!.message, got.error!.byteOffset]).toEqual([first.message, first.byteOffset]);
    first ??= got.error;
  }
  return first!;
}

/** A serializer with random whitespace between tokens, random \u escapes and exponent forms of numbers. */
function serialize(v: unknown, rnd: () => number): string {
  const ws = () => (rnd() < 0.3 ? [' ', '\n', '\r\n', '\t', '  '][Math.floor(rnd() * 5)]! : '');
  const str = (s: string) => {
    if (rnd() < 0.5) return JSON.stringify(s);
    let out = '"';
    for (const ch of JSON.stringify(s).slice(1, -1).match(/\\u[0-9a-f]{4}|\\.|[^]/gu) ?? []) {
      // (a whole code point: a surrogate pair is never split into an escape and a lone half)
      out += ch.length === 1 && rnd() < 0.3 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
    return `${out}"`;
  };
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') return rnd() < 0.3 && v !== 0 ? v.toExponential() : JSON.stringify(v);
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => `${ws()}${serialize(x, rnd)}${ws()}`).join(',')}${ws()}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{${ws()}${entries.map(([k, x]) => `${ws()}${str(k)}${ws()}:${ws()}${serialize(x, rnd)}${ws()}`).join(',')}${ws()}}`;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VARIED = `[
  {"id": 1, "title": "quote \\" backslash \\\\ slash \\/ e-acute \\u00e9 é", "tags": ["[", "]", "{", "}", ",", ":", "\\"]}"]},
  {"emoji": "😀 \\ud83d\\ude00", "cjk": "東京", "controls": "\\b\\f\\n\\r\\t\\u0000\\u001f", "lone": "\\ud800"},
  {"n": [0, -0, 1e3, 1E+3, -1.5e-3, 12345678901234567890, 0.1, 1e400, -2.5E2], "b": [true, false, null]},
  {"nested": [[[], [{}], [[[1, [2, [3]]]]]]], "empty": {}, "__proto__": {"polluted": true}, "constructor": 1},
  "a string element", 42, -0.5e1, null, true, false, [], {}, [["x"]],
  {"a\\u0062": "key with an escape", "": "empty key", "long": "${'x'.repeat(5000)}"}
]
`;

describe('streamJsonArray: the same values as JSON.parse', () => {
  it('a varied document, whatever the chunks', async () => {
    await expectSameAsJsonParse(VARIED);
  });

  it('whitespace everywhere, and none at all', async () => {
    await expectSameAsJsonParse(' \r\n\t[ \n 1 \t, \r\n {\n"a"\r:\t[ ]\n} , [ ] ,"x" ] \n\r\t ');
    await expectSameAsJsonParse('[1,{"a":[]},[],"x"]');
  });

  it('empty lists', async () => {
    await expectSameAsJsonParse('[]');
    await expectSameAsJsonParse('[ \n ]');
    await expectSameAsJsonParse('{"Findings": []}', ['Findings']);
  });

  it('elements that are not objects are yielded as they are (callers check their type)', async () => {
    const got = await read('[1, "a", null, true, [2], {}, -3.5e2]');
    expect(got.values).toEqual([1, 'a', null, true, [2], {}, -350]);
  });

  it('__proto__ keys are own properties, never a prototype', async () => {
    const got = await read('[{"__proto__": {"polluted": true}, "a": 1}]', [], [1]);
    const el = got.values[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(el)).toBe(Object.prototype);
    expect(Object.hasOwn(el, '__proto__')).toBe(true);
    expect((el as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('a byte-order mark at the start is skipped', async () => {
    await expectSameAsJsonParse('\uFEFF[1, {"a": "é"}]');
    // Two as well (as before, with stream-json), but not one after whitespace.
    expect((await read('\uFEFF\uFEFF[1]', [], [1])).values).toEqual([1]);
    expect((await read('\uFEFF \uFEFF[1]')).error?.byteOffset).toBe(4);
    const bom = await read('\uFEFF{"Findings": [1]}', ['Findings'], [1]);
    expect(bom.values).toEqual([1]);
  });

  it('random documents, random whitespace, escapes and chunk boundaries (inside characters and escapes)', async () => {
    const units = [fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', ':', '/', 'é', '😀', '東', '\n', '\t', '\u0000', '\u2028', '\uFEFF', 'a', 'b', ' '), 'grapheme', 'binary'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...units).chain((unit) => fc.array(fc.jsonValue({ maxDepth: 4, stringUnit: unit }), { maxLength: 12 })),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        fc.boolean(),
        async (list, sizes, seed, underKey) => {
          const rnd = prng(seed);
          const inner = serialize(list, rnd);
          const doc = underKey ? `{"before": ${serialize({ x: list }, rnd)}, "Findings": ${inner}, "after": [${inner}]}` : inner;
          const path = underKey ? ['Findings'] : [];
          const want = expected(doc, path);
          for (const s of [sizes, [1]]) {
            const got = await read(doc, path, s);
            expect(got.error).toBeUndefined();
            expect(got.values).toEqual(want);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a large document in 64 KiB chunks, with elements spanning chunks', async () => {
    const rnd = prng(SEED);
    const list = Array.from({ length: 400 }, (_, i) => ({ i, text: 'ü\\"'.repeat(Math.floor(rnd() * 2000)), nested: { a: [i, { b: 'x'.repeat(i * 10) }] } }));
    const doc = JSON.stringify(list, null, 2);
    const got = await read(doc, [], [65536, 4093, 1]);
    expect(got.values).toEqual(list);
  });

  it('an element bigger than many chunks', async () => {
    const big = { s: 'é'.repeat(300_000), a: Array.from({ length: 20_000 }, (_, i) => i) };
    const doc = JSON.stringify([1, big, 2]);
    const got = await read(doc, [], [1000, 999]);
    expect(got.values).toEqual([1, big, 2]);
  });
});

describe('streamJsonArray: the list at a path', () => {
  it('under a key, with other large keys before and after', async () => {
    const other = { text: 'y'.repeat(60_000), deep: [[[{ a: '[{"Findings": [1]}]' }]]], Findings: ['not this one'] };
    const doc = JSON.stringify({ Meta: other, Findings: [{ id: 1 }, { id: 2 }], NextToken: 'abc', Tail: other });
    await expectSameAsJsonParse(doc, ['Findings']);
  });

  it('a nested path', async () => {
    await expectSameAsJsonParse('{"b": [9], "a": {"x": 1, "b": [1, 2], "c": {"b": [3]}}}', ['a', 'b']);
  });

  it('a key written with escapes matches', async () => {
    const got = await read('{"Find\\u0069ngs": [1, 2]}', ['Findings'], [1]);
    expect([got.values, got.found]).toEqual([[1, 2], true]);
  });

  it('a missing key: found stays false, no error, nothing yielded', async () => {
    for (const [doc, path] of [
      ['{"x": [1, 2]}', ['Findings']],
      ['{}', ['Findings']],
      ['{"a": {"c": [1]}}', ['a', 'b']],
      ['{"a": [{"b": [1]}]}', ['a', 'b']], // keys inside lists are not on the path
      ['{"a": 5}', ['a', 'b']],
      ['[{"Findings": [1]}]', ['Findings']],
      ['42', ['Findings']],
      [`{"x": "${'z'.repeat(100_000)}", "findings": [1], "FINDINGS": [2]}`, ['Findings']],
    ] as const) {
      for (const sizes of CHUNKINGS) {
        const got = await read(doc, path, sizes);
        expect([got.error, got.found, got.values], doc.slice(0, 40)).toEqual([undefined, false, []]);
      }
    }
  });

  it('a key given twice on the path: both lists, in order', async () => {
    const got = await read('{"Findings": [1], "x": 0, "Findings": [2, 3]}', ['Findings'], [1]);
    expect(got.values).toEqual([1, 2, 3]);
    const nested = await read('{"a": {"b": [1]}, "a": {"b": [2]}}', ['a', 'b']);
    expect(nested.values).toEqual([1, 2]);
  });

  it('found is set as soon as the value at the path is met', async () => {
    expect((await read('{"Findings": []}', ['Findings'])).found).toBe(true);
    expect((await read('[]')).found).toBe(true);
  });

  it('a value at the path that is not a list is an error', async () => {
    for (const [doc, path, at] of [
      ['{"a": 1}', [], 0],
      ['42', [], 0],
      ['"x"', [], 0],
      ['  null', [], 2],
      ['{"Findings": {"a": 1}}', ['Findings'], 13],
      ['{"Findings": null}', ['Findings'], 13],
      ['{"Findings":"[1]"}', ['Findings'], 12],
      ['{"Findings": {}, "Findings": [1]}', ['Findings'], 13],
    ] as const) {
      const e = await expectError(doc, path);
      expect([e.message, e.byteOffset], doc).toEqual(['expected a list at this place in the document', at]);
      expect((await read(doc, path)).found).toBe(true);
    }
  });
});

describe('streamJsonArray: broken documents are errors', () => {
  it('an empty or blank document is truncated', async () => {
    for (const doc of ['', ' ', '\n\t ', '\uFEFF']) {
      const e = await expectError(doc);
      expect(e.message, JSON.stringify(doc)).toMatch(/truncated/);
    }
  });

  it('cut at any byte: a truncation error at the end (or an encoding error inside a character), never a short list read as complete', async () => {
    const docs: [string, string[]][] = [
      [VARIED.replace(/x{5000}/, 'xyz').trimEnd(), []],
      [JSON.stringify({ Meta: { a: [1, 'x'], b: null }, Findings: [{ id: 'é😀', n: -1.5e-3 }, [true, false], 'x\\"y', 12], Next: 'z' }), ['Findings']],
      ['{"a": {"b": [1, {"c": "d"}]}, "e": 1.5e+10}', ['a', 'b']],
    ];
    for (const [doc, path] of docs) {
      const bytes = enc.encode(doc);
      const whole = expected(doc, path);
      for (let cut = 0; cut < bytes.length; cut++) {
        const part = bytes.subarray(0, cut);
        for (const sizes of [undefined, [3]]) {
          const got = await read(part, path, sizes);
          expect(got.error, `cut at ${cut}`).toBeInstanceOf(JsonStreamError);
          const insideCharacter = cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80;
          if (insideCharacter) expect(got.error!.message).toMatch(/UTF-8/);
          else {
            expect(got.error!.message, `cut at ${cut}`).toMatch(/truncated/);
            expect(got.error!.byteOffset).toBe(cut);
          }
          // What was yielded before the error is a prefix of the list, never something else.
          expect(got.values.length).toBeLessThan(whole.length + 1);
          expect(got.values).toEqual(whole.slice(0, got.values.length));
        }
      }
    }
  });

  it('a document cut in its trailing whitespace is complete', async () => {
    const got = await read('[1, 2]\n  ');
    expect(got.error).toBeUndefined();
    const cut = await read('[1, 2]\n');
    expect(cut.values).toEqual([1, 2]);
  });

  it('garbage between elements', async () => {
    for (const [doc, at] of [
      ['[1 2]', 3],
      ['[1,,2]', 3],
      ['[,1]', 1],
      ['[1,2,]', 5],
      ['[{"a":1} {"b":2}]', 9],
      ['[{"a":1}x{"b":2}]', 8],
      ['[1;2]', 2],
      ['["a" "b"]', 5],
      ['[1,\f2]', 3],
      ['[1,\u00a02]', 3],
      ['[1,\uFEFF2]', 3],
      ['[1}', 2],
    ] as const) {
      const e = await expectError(doc);
      expect([e.byteOffset, /truncated/.test(e.message)], doc).toEqual([at, false]);
    }
  });

  it('invalid JSON inside an element, located at the offending byte', async () => {
    for (const [doc, at] of [
      ['[{"a":01}]', 7],
      ['[{"a":1.}]', 8],
      ['[{"a":-}]', 7],
      ['[{"a":.5}]', 6],
      ['[{"a":1e}]', 8],
      ['[{"a":+1}]', 6],
      ['[{"a":"\\x"}]', 8],
      ['[{"a":"\\u12g4"}]', 11],
      ['[{"a":"tab\there"}]', 10],
      ['[{"a":1]', 7],
      ['[{"a" 1}]', 6],
      ['[{"a":1,}]', 8],
      ['[{a:1}]', 2],
      ['[[1,]]', 4],
      ['[nul]', 4],
      ['[tru, 1]', 4],
      ['[NaN]', 1],
      ['[Infinity]', 1],
      ["['x']", 1],
      ['[1x]', 2],
      ['[{"a":truex}]', 10],
      ['["\\u123"]', 7],
    ] as const) {
      const e = await expectError(doc);
      expect([e.byteOffset, /truncated/.test(e.message)], doc).toEqual([at, false]);
    }
  });

  it('garbage in the skeleton around the list, before or after it', async () => {
    for (const [doc, at] of [
      ['{"x" 1, "Findings": [1]}', 5],
      ['{"x": tru, "Findings": [1]}', 9],
      ['{x: 1, "Findings": [1]}', 1],
      ['{"x": 1, "Findings": [1],}', 25],
      ['{"Findings": [1], "x": [1 2]}', 26],
      ['{"Findings": [1], "x": "a\\qb"}', 26],
      ['{"Findings": [1]]', 16],
      ['{"Findings": [1], "x": "\\u123"}', 29],
    ] as const) {
      const e = await expectError(doc, ['Findings']);
      expect([e.byteOffset, /truncated/.test(e.message)], doc).toEqual([at, false]);
    }
  });

  it('trailing garbage after the document', async () => {
    for (const [doc, path, at] of [
      ['[1, 2] x', [], 7],
      ['[1][2]', [], 3],
      ['[1] {}', [], 4],
      ['{"Findings": [1]} 5', ['Findings'], 18],
      ['{"a": 1}}', ['Findings'], 8],
      ['{"Findings": [1]}\n\u0000', ['Findings'], 18],
    ] as const) {
      const e = await expectError(doc, path);
      expect([e.byteOffset, /truncated/.test(e.message)], doc).toEqual([at, false]);
    }
  });

  it('the byte offset counts UTF-8 bytes (and a byte-order mark)', async () => {
    const doc = '\uFEFF{"é😀": "東京", "Findings": ["ü", 1 x]}';
    const e = await expectError(doc, ['Findings']);
    expect(e.byteOffset).toBe(enc.encode(doc.slice(0, doc.indexOf('x'))).length);
    expect(e.message).toBe("unexpected 'x': expected ',' or ']'");
    // Inside an element that spans chunks too.
    const inner = `[{"a": "${'é'.repeat(1000)}", "b": tru}]`;
    const e2 = await expectError(inner);
    expect(e2.byteOffset).toBe(enc.encode(inner.slice(0, inner.indexOf('}'))).length);
  });

  it('the byte offset is exact wherever the chunks split the characters around the error', async () => {
    const doc = '["é😀東", 1 x😀é東, 2]';
    const bytes = enc.encode(doc);
    const at = enc.encode(doc.slice(0, doc.indexOf('x'))).length;
    for (let size = 1; size <= bytes.length; size++) {
      for (const sizes of [[size], [size, 1], [1, size]]) {
        const got = await read(bytes, [], sizes);
        expect([got.error?.byteOffset, got.values], `chunks ${sizes.join(',')}`).toEqual([at, ['é😀東', 1]]);
      }
    }
  });

  it('invalid UTF-8 and NUL bytes are errors at their byte', async () => {
    const bad = Uint8Array.from([...enc.encode('[{"a": "ok"}, "'), 0xc0, 0xaf, ...enc.encode('"]')]);
    const e = await expectError(bad);
    expect([e.message, e.byteOffset]).toEqual(['invalid UTF-8 byte sequence at byte 15 (line 1)', 15]);
    const nul = await expectError(Uint8Array.from([...enc.encode('[1, '), 0, ...enc.encode('2]')]));
    expect(nul.byteOffset).toBe(4);
    expect(nul.message).toMatch(/NUL byte/);
  });

  it(`nesting deeper than ${MAX_JSON_DEPTH} levels around the list is refused`, async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // The root object is one level: 127 more are accepted, 128 more are not.
    const ok = await read(`{"x": ${nest(MAX_JSON_DEPTH - 1)}, "Findings": [1]}`, ['Findings']);
    expect([ok.error, ok.values]).toEqual([undefined, [1]]);
    for (const doc of [`{"x": ${nest(MAX_JSON_DEPTH)}, "Findings": [1]}`, `{"Findings": [1], "x": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`]) {
      const e = await expectError(doc, ['Findings']);
      expect(e.message).toMatch(/nests more than 128 levels/);
      expect(e.byteOffset).toBe(doc.indexOf('"x"') + 5 + (doc.startsWith('{"x"') ? MAX_JSON_DEPTH - 1 : (MAX_JSON_DEPTH - 1) * 5));
    }
  });

  it('elements themselves may nest deeper (a finding with deep resource details, as in the bad-input corpus)', async () => {
    const deep = '{"a":'.repeat(1000) + '1' + '}'.repeat(1000);
    const got = await read(`{"Findings": [${deep}, [${'['.repeat(300)}${']'.repeat(300)}]]}`, ['Findings'], [100]);
    expect(got.error).toBeUndefined();
    expect(got.values).toHaveLength(2);
  });
});

describe('streamJsonArray: streaming', () => {
  it('yields elements as they are read, and stops reading when the caller stops', async () => {
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield enc.encode('[{"a": 1}, ');
        pulled++;
        yield enc.encode('{"b": 2}, ');
        pulled++;
        for (;;) yield enc.encode('{"c": 3}, ');
      } finally {
        closed = true;
      }
    }
    const seen: unknown[] = [];
    for await (const v of streamJsonArray(source(), [])) {
      seen.push(v);
      if (seen.length === 1) expect(pulled).toBe(0);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
    expect(closed).toBe(true);
  });

  it('counts the bytes it reads in state.bytes', async () => {
    const state = { found: false, bytes: 0 };
    for await (const _ of streamJsonArray(chunked(enc.encode('[1, "é"]'), [1]), [], state)) void _;
    expect(state).toEqual({ found: true, bytes: 9 });
  });

  it('an error of the source other than encoding is passed on as it is', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield enc.encode('[1, ');
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const seen: unknown[] = [];
    await expect(async () => {
      for await (const v of streamJsonArray(failing(), [])) seen.push(v);
    }).rejects.toMatchObject({ code: 'EIO' });
    expect(seen).toEqual([1]);
  });
});
