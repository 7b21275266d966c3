/**
 * Line and column for JSON documents, which JSON.parse does not keep: the
 * position of a syntax error, and the position of a value named by its path
 * (`['catalog', 'groups', 3, 'controls', 0, 'id']`). Located only when a
 * problem is reported, so the common path (a valid 10 MB catalog) pays nothing.
 */

export interface LineColumn {
  line: number;
  column: number;
}

export type JsonPath = readonly (string | number)[];

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): LineColumn {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: end - last };
}

/** Where a JSON.parse error points: V8 writes `(line L column C)` or `at position N`. */
export function jsonSyntaxErrorLocation(message: string, text: string): LineColumn {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // V8 leaves the position out of some messages (`Unexpected token ','...`): find it ourselves.
  return lineColumnAt(text, pos ? Number(pos[1]) : firstJsonErrorOffset(text));
}

/** Offset of the first syntax error in a JSON text (a small strict recogniser, run only after JSON.parse failed). */
export function firstJsonErrorOffset(t: string): number {
  return scanJson(t, false).error ?? t.length;
}

/**
 * The first key that appears twice in one object. JSON.parse keeps the last one silently,
 * so `{"status": "FAIL", "status": "PASS"}` would read as a pass: evidence refuses that.
 */
export function firstDuplicateKey(t: string): { offset: number; key: string } | undefined {
  return scanJson(t, true).duplicate;
}

function scanJson(t: string, findDuplicates: boolean): { error?: number; duplicate?: { offset: number; key: string } } {
  let i = 0;
  let duplicate: { offset: number; key: string } | undefined;
  const ws = () => {
    while (i < t.length && (t[i] === ' ' || t[i] === '\t' || t[i] === '\n' || t[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    if (t[i] !== '"') fail();
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t.charCodeAt(i) < 0x20) fail();
      if (t[i] === '\\') {
        i++;
        if (t[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(t[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (depth: number): void => {
    // Deeper than any real document: stop here rather than exhaust the stack.
    if (depth > 1000) fail();
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') {
        i++;
        return;
      }
      const keys = findDuplicates ? new Set<string>() : undefined;
      for (;;) {
        ws();
        const keyStart = i;
        str();
        if (keys) {
          const key = t.slice(keyStart, i);
          if (keys.has(key)) {
            duplicate = { offset: keyStart, key: JSON.parse(key) as string };
            throw -1;
          }
          keys.add(key);
        }
        ws();
        if (t[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(t.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value(0);
    ws();
    if (i < t.length) fail();
  } catch (at) {
    if (at === -1 && duplicate) return { duplicate };
    if (typeof at === 'number') return { error: at };
    throw at;
  }
  return {};
}

/** JSON.parse's message without the position (the location is reported separately). */
export function jsonSyntaxErrorText(message: string): string {
  return message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
}

/**
 * Line and column of the value at `path` (for an object member: of its value;
 * `{ key: true }`: of the member name). Falls back to the deepest ancestor found,
 * so a missing field points at the object that should hold it.
 */
export function locateJsonPath(text: string, path: JsonPath, options: { key?: boolean } = {}): LineColumn {
  const s = new Scanner(text);
  s.ws();
  let at = s.i;
  for (let depth = 0; depth < path.length; depth++) {
    const seg = path[depth]!;
    const ch = text[s.i];
    let found = false;
    if (ch === '{' && typeof seg === 'string') {
      s.i++;
      s.ws();
      while (s.i < text.length && text[s.i] !== '}') {
        const keyStart = s.i;
        const key = s.string();
        s.ws();
        if (text[s.i] === ':') s.i++;
        s.ws();
        if (key === seg) {
          found = true;
          at = options.key && depth === path.length - 1 ? keyStart : s.i;
          break;
        }
        s.value();
        s.ws();
        if (text[s.i] === ',') s.i++;
        s.ws();
      }
    } else if (ch === '[' && typeof seg === 'number') {
      s.i++;
      s.ws();
      for (let n = 0; s.i < text.length && text[s.i] !== ']'; n++) {
        if (n === seg) {
          found = true;
          at = s.i;
          break;
        }
        s.value();
        s.ws();
        if (text[s.i] === ',') s.i++;
        s.ws();
      }
    }
    if (!found) break;
  }
  return lineColumnAt(text, at);
}

/** A forgiving JSON scanner that skips values (the text has already been parsed once). */
class Scanner {
  i = 0;
  private readonly t: string;
  constructor(text: string) {
    this.t = text;
  }

  ws(): void {
    while (this.i < this.t.length) {
      const c = this.t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  /** Reads a string at the cursor and returns its (unescaped) value. */
  string(): string {
    const start = this.i;
    if (this.t[this.i] !== '"') {
      this.value();
      return '';
    }
    this.i++;
    let escaped = false;
    while (this.i < this.t.length) {
      const c = this.t[this.i]!;
      this.i++;
      if (c === '\\') {
        escaped = true;
        this.i++;
      } else if (c === '"') break;
    }
    const raw = this.t.slice(start, this.i);
    if (!escaped) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }

  value(): void {
    const c = this.t[this.i];
    if (c === '"') {
      this.string();
      return;
    }
    if (c === '{' || c === '[') {
      // Skip to the matching bracket, stepping over strings.
      let depth = 0;
      while (this.i < this.t.length) {
        const ch = this.t[this.i]!;
        if (ch === '"') {
          this.string();
          continue;
        }
        if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            this.i++;
            return;
          }
        }
        this.i++;
      }
      return;
    }
    // Number or literal.
    while (this.i < this.t.length && !/[\s,\]}]/.test(this.t[this.i]!)) this.i++;
  }
}
