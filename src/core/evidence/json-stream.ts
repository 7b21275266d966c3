/**
 * Streaming JSON for large exports: yields the elements of one array (at the
 * top level, or under a path of object keys such as ["Findings"]) without
 * holding the document. Truncated or invalid JSON is an error, never an
 * empty list.
 *
 * Why a hand-written scanner: the generic token-stream parser used before
 * (stream-json) turned every string, number and bracket into a JavaScript
 * token object and reassembled the values from them, about 8-15 MB/s: 4.3 to
 * 7.6 s of CPU for a 64 MB Prowler OCSF export (33,031 findings) that
 * `JSON.parse` reads whole in 0.6 s. Here the text is scanned once, tracking
 * only string/escape state and bracket depth (with indexOf from quote to quote
 * inside strings), to find where each element of the list begins and ends, and
 * the element's text is handed to the native `JSON.parse`: 0.5 to 0.8 s of CPU
 * for that file, most of it in JSON.parse, with less memory than before.
 * tests/unit/json-stream.test.ts pins the contract.
 *
 * Everything outside the elements (the skeleton: the objects on the path, the
 * list's commas and brackets, values under other keys, which may be large) is
 * checked character by character by a small state machine that knows the whole
 * JSON grammar, so that garbage is never accepted silently and nothing outside
 * the elements is kept. An element that `JSON.parse` refuses is scanned again
 * by the same state machine, to say what is wrong and at which byte.
 */
import type { AdapterContext } from './types.ts';
import { decodeUtf8, DecodeError } from './decode.ts';

export class JsonStreamError extends Error {
  readonly byteOffset: number;
  constructor(message: string, byteOffset: number) {
    super(message);
    this.byteOffset = byteOffset;
  }
}

/**
 * Deepest nesting accepted around the list: the objects on the path and the
 * values skipped under other keys. Deeper documents are rejected. The elements
 * themselves are not limited (a finding may carry deeply nested resource
 * details): they are read by `JSON.parse`, which does not recurse on the stack,
 * and the scan here keeps only a depth counter.
 */
export const MAX_JSON_DEPTH = 128;

/** The message of the error for a document whose value at the path is not a list. */
const NOT_A_LIST = 'expected a list at this place in the document';

// Character codes.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = 0xfeff;
const LOWER_U = 0x75;
/** The characters allowed after a backslash, other than u: " \ / b f n r t. */
const ESCAPES = new Set([QUOTE, BACKSLASH, SLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]);

// Kinds of open containers on the scanner's stack.
const ARRAY = 0;
const OBJECT = 1;
/** An object on the path: its keys are compared with the path. */
const PATH_OBJECT = 2;
/** The list whose elements are yielded. */
const TARGET_ARRAY = 3;

// Scanner states. Between tokens:
/** A value is required: start of the document, after ':', after ',' in a list. */
const S_VALUE = 0;
/** After '[': a value or ']'. */
const S_VALUE_OR_CLOSE = 1;
/** After '{': a key or '}'. */
const S_KEY_OR_CLOSE = 2;
/** After ',' in an object: a key. */
const S_KEY = 3;
/** After a key: ':'. */
const S_COLON = 4;
/** After a value inside a container: ',' or the closing bracket. */
const S_AFTER_VALUE = 5;
/** After the document's value: only whitespace may follow. */
const S_DONE = 6;
// Inside tokens:
const S_STRING = 7;
/** After a backslash in a string. */
const S_STRING_ESCAPE = 8;
/** Inside the four hex digits of a \u escape. */
const S_STRING_HEX = 9;
const S_NUMBER = 10;
/** Inside true, false or null. */
const S_LITERAL = 11;
/** Inside an element of the target list (fast scan, see scanElement). */
const S_ELEMENT = 12;

// Parts of a number (S_NUMBER), after: '-'; a leading 0; integer digits; '.';
// fraction digits; 'e'; the exponent's sign; exponent digits.
const N_MINUS = 0;
const N_ZERO = 1;
const N_INT = 2;
const N_DOT = 3;
const N_FRAC = 4;
const N_EXP_MARK = 5;
const N_EXP_SIGN = 6;
const N_EXP = 7;

/** What the document ends in the middle of, per state, for the "truncated" message. */
const ENDS_INSIDE: Record<number, string> = {
  [S_VALUE]: 'expected a value',
  [S_VALUE_OR_CLOSE]: 'expected a value',
  [S_KEY_OR_CLOSE]: 'expected an object key',
  [S_KEY]: 'expected an object key',
  [S_COLON]: "expected ':'",
  [S_STRING]: 'inside a string',
  [S_STRING_ESCAPE]: 'inside a string',
  [S_STRING_HEX]: 'inside a string',
  [S_NUMBER]: 'inside a number',
  [S_LITERAL]: 'inside true, false or null',
  [S_ELEMENT]: 'inside an element of the list',
};

const isWhitespace = (c: number): boolean => c === SPACE || c === LF || c === CR || c === TAB;
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** Characters a number or a literal is made of: an element of these ends at the first other character. */
const isBareword = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === MINUS || c === PLUS || c === DOT;
const LITERALS: Record<number, string> = { 0x74: 'true', 0x66: 'false', 0x6e: 'null' };

/** A character for a message: printable ASCII as itself, anything else as U+XXXX (never raw control bytes). */
function show(text: string, i: number): string {
  const cp = text.codePointAt(i) ?? 0;
  return cp > 0x20 && cp < 0x7f ? `'${String.fromCharCode(cp)}'` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Bytes at the end of the stream read so far that belong to a character not yet complete (the decoder holds them back). */
function pendingUtf8(tail: readonly number[]): number {
  for (let k = 1; k <= tail.length; k++) {
    const b = tail[tail.length - k]!;
    if ((b & 0xc0) !== 0x80) {
      const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return len > k ? k : 0;
    }
  }
  return 0;
}

/** What Scanner.next returns when the current piece of text is used up. */
const NEED_MORE: unique symbol = Symbol('need more text');

/**
 * The resumable scanner: text is pushed piece by piece (`push`), `next` runs
 * until an element of the target list is complete (and returns it) or the piece
 * is used up (NEED_MORE), `finish` checks that the document is complete. Its
 * state survives any split between pieces: inside a string, an escape, a
 * number, a literal, a key on the path or an element.
 */
class Scanner {
  private readonly path: readonly string[];
  private readonly found: (() => void) | undefined;
  /** Apply MAX_JSON_DEPTH (not when re-scanning one element to locate an error). */
  private readonly limitDepth: boolean;

  // The current piece of text and where it ends in the byte stream.
  private text = '';
  private pos = 0;
  private byteEnd = 0;
  private started = false;

  private state = S_VALUE;
  /** Open containers (ARRAY, OBJECT, PATH_OBJECT, TARGET_ARRAY). */
  private readonly stack: number[] = [];
  private stringIsKey = false;
  private hexLeft = 0;
  private numberPart = N_MINUS;
  private literal = '';
  private literalAt = 0;

  // The key being read in an object on the path (only those keys are kept, to compare with the path).
  private keyCapture = false;
  private keyStart = 0;
  private keyParts: string[] = [];
  private keyLength = 0;
  /** The last key read in the innermost object on the path equals the path's key at that level. */
  private keyMatches = false;

  // The element being scanned (S_ELEMENT).
  private elStart = 0;
  /** Its text in earlier pieces, when it spans pieces. */
  private elParts: string[] = [];
  private elDepth = 0;
  private elInString = false;
  private elBareword = false;
  /** Characters of the next piece that belong to an escape begun at the end of the previous one. */
  private elCarry = 0;
  /** Where the next quote and backslash are in the piece (see scanElement). */
  private nextQuote = -1;
  private nextBackslash = -1;

  constructor(path: readonly string[], found: (() => void) | undefined, limitDepth: boolean) {
    this.path = path;
    this.found = found;
    this.limitDepth = limitDepth;
  }

  /** A scanner that checks one element of a list, to locate why JSON.parse refused it. */
  static forElement(): Scanner {
    const s = new Scanner([], undefined, false);
    s.stack.push(ARRAY);
    s.started = true;
    return s;
  }

  /** The next piece of text; `byteEnd` is the byte offset in the stream just after it. */
  push(text: string, byteEnd: number): void {
    if (this.keyCapture) this.keyStart = 0;
    if (this.state === S_ELEMENT) this.elStart = 0;
    this.text = text;
    this.byteEnd = byteEnd;
    this.nextQuote = -1;
    this.nextBackslash = -1;
    this.pos = this.elCarry;
    this.elCarry = 0;
    if (!this.started) {
      this.started = true;
      // decodeUtf8 drops a byte-order mark; a second one at the very start was accepted before too.
      if (text.charCodeAt(0) === BOM) this.pos = 1;
    }
  }

  /** Byte offset of character `i` of the current piece. */
  private byteAt(i: number): number {
    return this.byteEnd - Buffer.byteLength(this.text.slice(i), 'utf8');
  }

  private fail(i: number, message: string): JsonStreamError {
    return new JsonStreamError(message, this.byteAt(i));
  }

  private unexpected(i: number, expected: string): JsonStreamError {
    return this.fail(i, `unexpected ${show(this.text, i)}: expected ${expected}`);
  }

  private top(): number {
    return this.stack.length ? this.stack[this.stack.length - 1]! : -1;
  }

  private open(kind: number, i: number): void {
    if (this.limitDepth && this.stack.length >= MAX_JSON_DEPTH) throw this.fail(i, `the document nests more than ${MAX_JSON_DEPTH} levels deep`);
    this.stack.push(kind);
  }

  private afterValue(): void {
    this.state = this.stack.length ? S_AFTER_VALUE : S_DONE;
  }

  /** A value begins with character `c` at `i`, where a value is expected. True when it is an element of the target list. */
  private beginValue(c: number, i: number): boolean {
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE && c !== MINUS && !isDigit(c) && !LITERALS[c]) throw this.unexpected(i, 'a value');
    const top = this.top();
    if (top === TARGET_ARRAY) {
      this.state = S_ELEMENT;
      this.elStart = i;
      this.elParts = [];
      this.elDepth = 0;
      this.elInString = false;
      this.elBareword = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
      return true;
    }
    // Is this value on the path? The document itself when the path begins there, or the value of the path's key in an object on the path.
    const onPath = top === -1 || (top === PATH_OBJECT && this.keyMatches);
    if (onPath && this.stack.length === this.path.length) {
      this.found?.();
      if (c !== OPEN_BRACKET) throw this.fail(i, NOT_A_LIST);
      this.open(TARGET_ARRAY, i);
      this.state = S_VALUE_OR_CLOSE;
      return false;
    }
    if (c === OPEN_BRACE) {
      this.open(onPath ? PATH_OBJECT : OBJECT, i);
      this.state = S_KEY_OR_CLOSE;
    } else if (c === OPEN_BRACKET) {
      this.open(ARRAY, i);
      this.state = S_VALUE_OR_CLOSE;
    } else if (c === QUOTE) {
      this.stringIsKey = false;
      this.state = S_STRING;
    } else if (c === MINUS || isDigit(c)) {
      this.state = S_NUMBER;
      this.numberPart = c === MINUS ? N_MINUS : c === ZERO ? N_ZERO : N_INT;
    } else {
      this.state = S_LITERAL;
      this.literal = LITERALS[c]!;
      this.literalAt = 1;
    }
    return false;
  }

  private beginKey(i: number): void {
    this.state = S_STRING;
    this.stringIsKey = true;
    this.keyMatches = false;
    this.keyCapture = this.top() === PATH_OBJECT;
    if (this.keyCapture) {
      this.keyStart = i + 1;
      this.keyParts = [];
      this.keyLength = 0;
    }
  }

  /** The string ending at `i` (its closing quote) is complete. */
  private endString(i: number): void {
    if (!this.stringIsKey) {
      this.afterValue();
      return;
    }
    this.state = S_COLON;
    if (!this.keyCapture) return;
    this.keyCapture = false;
    const raw = this.keyParts.join('') + this.text.slice(this.keyStart, i);
    const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    this.keyMatches = key === this.path[this.stack.length - 1];
  }

  /**
   * Runs until an element of the target list is complete (returned) or the
   * current piece is used up (NEED_MORE).
   */
  next(): unknown {
    const t = this.text;
    const n = t.length;
    let i = this.pos;
    for (;;) {
      if (this.state === S_ELEMENT) {
        // (Even when i is at the end of the piece: what the element has in this piece is kept.)
        const end = this.scanElement(i);
        if (end === -1) {
          this.pos = n;
          return NEED_MORE;
        }
        this.pos = end;
        this.afterValue();
        return this.parseElement(end);
      }
      if (i >= n) break;
      const c = t.charCodeAt(i);
      switch (this.state) {
        case S_VALUE:
        case S_VALUE_OR_CLOSE:
          if (isWhitespace(c)) break;
          if (c === CLOSE_BRACKET && this.state === S_VALUE_OR_CLOSE) {
            this.stack.pop();
            this.afterValue();
            break;
          }
          if (this.beginValue(c, i)) continue; // an element: its scan starts at its first character
          break;
        case S_KEY_OR_CLOSE:
        case S_KEY:
          if (isWhitespace(c)) break;
          if (c === QUOTE) this.beginKey(i);
          else if (c === CLOSE_BRACE && this.state === S_KEY_OR_CLOSE) {
            this.stack.pop();
            this.afterValue();
          } else throw this.unexpected(i, this.state === S_KEY ? 'an object key (a string)' : "an object key (a string) or '}'");
          break;
        case S_COLON:
          if (isWhitespace(c)) break;
          if (c !== COLON) throw this.unexpected(i, "':' after an object key");
          this.state = S_VALUE;
          break;
        case S_AFTER_VALUE: {
          if (isWhitespace(c)) break;
          const inObject = this.top() === OBJECT || this.top() === PATH_OBJECT;
          if (c === COMMA) this.state = inObject ? S_KEY : S_VALUE;
          else if (c === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
            this.stack.pop();
            this.afterValue();
          } else throw this.unexpected(i, inObject ? "',' or '}'" : "',' or ']'");
          break;
        }
        case S_DONE:
          if (!isWhitespace(c)) throw this.fail(i, `unexpected ${show(t, i)} after the end of the JSON document`);
          break;
        case S_STRING: {
          // Skip the plain characters of the string in one go.
          let d = c;
          while (d !== QUOTE && d !== BACKSLASH && d >= SPACE) {
            if (++i === n) return this.pieceUsedUp();
            d = t.charCodeAt(i);
          }
          if (d === QUOTE) this.endString(i);
          else if (d === BACKSLASH) this.state = S_STRING_ESCAPE;
          else throw this.fail(i, `unexpected ${show(t, i)} inside a string (control characters must be escaped)`);
          break;
        }
        case S_STRING_ESCAPE:
          if (c === LOWER_U) {
            this.state = S_STRING_HEX;
            this.hexLeft = 4;
          } else if (ESCAPES.has(c)) this.state = S_STRING;
          else throw this.fail(i, `invalid escape in a string: a backslash followed by ${show(t, i)}`);
          break;
        case S_STRING_HEX:
          if (!isHex(c)) throw this.fail(i, `unexpected ${show(t, i)}: expected a hex digit of a \\u escape in a string`);
          if (--this.hexLeft === 0) this.state = S_STRING;
          break;
        case S_NUMBER:
          if (!this.numberChar(c, i)) continue; // the number ended before `c`: read `c` again in the new state
          break;
        case S_LITERAL:
          if (c !== this.literal.charCodeAt(this.literalAt)) throw this.unexpected(i, `\`${this.literal}\``);
          if (++this.literalAt === this.literal.length) this.afterValue();
          break;
      }
      i++;
    }
    return this.pieceUsedUp();
  }

  /** The current piece is used up: keep what spans into the next one. */
  private pieceUsedUp(): typeof NEED_MORE {
    this.pos = this.text.length;
    if (this.keyCapture) {
      const part = this.text.slice(this.keyStart);
      this.keyLength += part.length;
      // A key more than six times as long as the path's key cannot equal it (\uXXXX is the longest form of a character).
      if (this.keyLength > 6 * (this.path[this.stack.length - 1]?.length ?? 0)) this.keyCapture = false;
      else this.keyParts.push(part);
    }
    return NEED_MORE;
  }

  /** One character of a number; false when the number ended before it. */
  private numberChar(c: number, i: number): boolean {
    switch (this.numberPart) {
      case N_MINUS:
        if (!isDigit(c)) throw this.unexpected(i, "a digit after '-'");
        this.numberPart = c === ZERO ? N_ZERO : N_INT;
        return true;
      case N_DOT:
        if (!isDigit(c)) throw this.unexpected(i, "a digit after '.' in a number");
        this.numberPart = N_FRAC;
        return true;
      case N_EXP_MARK:
        if (c === PLUS || c === MINUS) this.numberPart = N_EXP_SIGN;
        else if (isDigit(c)) this.numberPart = N_EXP;
        else throw this.unexpected(i, 'the digits of an exponent');
        return true;
      case N_EXP_SIGN:
        if (!isDigit(c)) throw this.unexpected(i, 'the digits of an exponent');
        this.numberPart = N_EXP;
        return true;
    }
    // A complete number so far (N_ZERO, N_INT, N_FRAC, N_EXP): more of it, or its end.
    if (isDigit(c) && this.numberPart !== N_ZERO) return true;
    if (c === DOT && (this.numberPart === N_ZERO || this.numberPart === N_INT)) {
      this.numberPart = N_DOT;
      return true;
    }
    if ((c === 0x65 || c === 0x45) && this.numberPart !== N_EXP) {
      this.numberPart = N_EXP_MARK;
      return true;
    }
    this.afterValue();
    return false;
  }

  /**
   * The fast path: finds the end of the element that began at `elStart`,
   * tracking only strings, escapes and bracket depth (JSON.parse checks the
   * rest). Returns the index just after the element, or -1 when it continues
   * in the next piece.
   */
  private scanElement(from: number): number {
    const t = this.text;
    const n = t.length;
    let i = from;
    if (this.elBareword) {
      // A number or a literal: it ends at the first character that cannot be part of one.
      while (i < n && isBareword(t.charCodeAt(i))) i++;
      if (i < n) return i;
      return this.elementContinues();
    }
    let depth = this.elDepth;
    let inString = this.elInString;
    // Inside strings, jump from quote to quote with indexOf (native and fast on long texts). `quote` and
    // `backslash` are the next ones in the piece at or after some earlier index (n: none left); they stay
    // valid while they are at or after i, so that the piece is not searched again and again (a piece
    // without any backslash, or a string full of escapes).
    let quote = this.nextQuote;
    let backslash = this.nextBackslash;
    while (i < n) {
      if (inString) {
        if (quote < i) {
          quote = t.indexOf('"', i);
          if (quote === -1) quote = n;
        }
        if (backslash < i) {
          backslash = t.indexOf('\\', i);
          if (backslash === -1) backslash = n;
        }
        if (backslash < quote) {
          i = backslash + 2; // skip the escaped character (it may be the first of the next piece)
          continue;
        }
        if (quote === n) {
          i = n;
          break;
        }
        inString = false;
        i = quote + 1;
        if (depth === 0) break; // an element that is a string
        continue;
      }
      const c = t.charCodeAt(i++);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) break;
    }
    this.nextQuote = quote;
    this.nextBackslash = backslash;
    if (depth === 0 && !inString) return i;
    this.elDepth = depth;
    this.elInString = inString;
    this.elCarry = i - n; // 1 when the piece ends with a backslash: the escaped character starts the next piece
    return this.elementContinues();
  }

  private elementContinues(): -1 {
    this.elParts.push(this.text.slice(this.elStart));
    return -1;
  }

  /** JSON.parse of the element that ends just before `end` in the current piece. */
  private parseElement(end: number): unknown {
    const last = this.text.slice(this.elStart, end);
    const text = this.elParts.length ? this.elParts.join('') + last : last;
    this.elParts = [];
    try {
      return JSON.parse(text);
    } catch (e) {
      throw this.elementError(text, end, e as Error);
    }
  }

  /** Why JSON.parse refused an element: scan it again with the full grammar, to name the problem and its byte. */
  private elementError(text: string, end: number, parseError: Error): JsonStreamError {
    const endByte = this.byteAt(end);
    // With the character that follows the element (a number or a literal ends at it), to say what was expected there.
    const following = end < this.text.length ? String.fromCodePoint(this.text.codePointAt(end)!) : '';
    const check = Scanner.forElement();
    check.push(text + following, endByte + Buffer.byteLength(following, 'utf8'));
    try {
      check.next();
    } catch (e) {
      if (e instanceof JsonStreamError) return e;
      throw e;
    }
    return new JsonStreamError(`invalid element of the list (${parseError.message})`, endByte - Buffer.byteLength(text, 'utf8'));
  }

  /** The input has ended: the document must be complete. `bytes` is the length of the stream. */
  finish(bytes: number): void {
    if (this.state === S_DONE) return;
    // A number is complete only when something follows it, or here at the end of the document.
    if (this.state === S_NUMBER && !this.stack.length && (this.numberPart === N_ZERO || this.numberPart === N_INT || this.numberPart === N_FRAC || this.numberPart === N_EXP)) return;
    let what = ENDS_INSIDE[this.state];
    if (this.state === S_AFTER_VALUE) what = this.top() === OBJECT || this.top() === PATH_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'";
    throw new JsonStreamError(`the document ends early (${what ?? 'expected more'}): the file looks truncated`, bytes);
  }
}

/**
 * Yields each element of the array at `path` (object keys from the top; [] for
 * the document itself), in document order, as JSON.parse gives it, each as soon
 * as it is read. Sets `state.found` when the value at the path is met; a path
 * that leads nowhere ends the generator normally with `found` false. A key
 * given twice on the path yields the elements of both lists. The value at the
 * path being something else than a list ('expected a list at this place in the
 * document'), invalid JSON anywhere in the document, a truncated document
 * (/truncated/, at the byte where it ends) and invalid UTF-8 are a
 * JsonStreamError at a byte offset of the stream; elements read before the
 * error have been yielded. Other errors of `chunks` (I/O) are passed on as they
 * are. `state.bytes` counts the bytes read.
 */
export async function* streamJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  path: readonly string[],
  state: { found: boolean; bytes: number } = { found: false, bytes: 0 },
): AsyncGenerator<unknown> {
  let bytes = 0;
  /** The last (up to) three bytes read, to know how many the decoder holds back. */
  let tail: number[] = [];
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const c of chunks) {
      state.bytes += c.length;
      bytes += c.length;
      tail = c.length >= 3 ? [c[c.length - 3]!, c[c.length - 2]!, c[c.length - 1]!] : [...tail, ...c].slice(-3);
      yield c;
    }
  }
  const scanner = new Scanner(path, () => (state.found = true), true);
  try {
    // Bytes are decoded here, strictly (invalid UTF-8 or UTF-16 is an error), before the scanner sees them.
    for await (const text of decodeUtf8(counted())) {
      // decodeUtf8 yields the text of each chunk as it is read: the text ends where the bytes read so far end,
      // less those of a character split across chunks.
      scanner.push(text, bytes - pendingUtf8(tail));
      for (let v = scanner.next(); v !== NEED_MORE; v = scanner.next()) yield v;
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new JsonStreamError(e.message, e.byteOffset);
    throw e;
  }
  scanner.finish(bytes);
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
