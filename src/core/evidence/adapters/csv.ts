/**
 * `format: csv`: any CSV export (IdP, HR, MDM, ticketing...). Streams with
 * papaparse (rows as arrays, one header index), decodes strict UTF-8 on the way.
 */
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { closest } from '../../util/suggest.ts';
import { decodeUtf8, DecodeError } from '../decode.ts';
import { compileWhere, indexHeader, normaliseHeader, resultClassifier, validRegex } from '../fields.ts';
import type { AdapterContext, EvidenceAdapter, EvidenceRecord } from '../types.ts';
import type { FieldSpec } from '../../schemas/source.ts';

/** At most this many row-level warnings per file; the rest are counted in one line. */
export const MAX_ROW_WARNINGS = 20;

export interface CsvStreamHandlers {
  /** First non-empty row. Return false to stop reading. */
  header(cells: string[], line: number): boolean;
  /** Every other row: its cells, and the 1-based line where it starts. */
  row(cells: string[], line: number): void;
}

/**
 * Streams CSV rows with their line numbers. Resolves when done; parse problems
 * (unclosed quotes, bad encoding) are reported as `evidence-parse` errors.
 */
/** A CSV line (outside quoted cells) longer than this is refused: it is not an export, and it would exhaust memory. */
export const MAX_CSV_LINE_CHARS = 32 * 1024 * 1024;

class LineTooLongError extends Error {
  readonly line: number;
  constructor(line: number) {
    super(`line ${line} is longer than ${MAX_CSV_LINE_CHARS / 1024 / 1024} MiB characters`);
    this.line = line;
  }
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter that splits the header line into the most cells (outside quotes); ',' when none does. */
export function detectDelimiter(headerLine: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const ch of headerLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Decoded text with two guards: the first line is read ahead to pick the delimiter,
 * and a line (counted outside nothing: any run without a line break) longer than
 * MAX_CSV_LINE_CHARS stops the read.
 */
async function guardedText(chunks: AsyncIterable<Uint8Array>): Promise<{ delimiter: string; text: AsyncGenerator<string>; sawQuote: () => boolean }> {
  const source = decodeUtf8(chunks)[Symbol.asyncIterator]();
  const head: string[] = [];
  let headText = '';
  let done = false;
  while (!headText.includes('\n') && headText.length <= MAX_CSV_LINE_CHARS) {
    const next = await source.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headText += next.value;
  }
  const firstLine = headText.split('\n', 1)[0] ?? '';
  // Whether any text handed to the parser so far had a double quote (then cells may hold line breaks).
  let quote = false;
  async function* text(): AsyncGenerator<string> {
    let line = 1;
    let sinceBreak = 0;
    const check = (t: string) => {
      let i = t.indexOf('\n');
      if (i === -1) {
        sinceBreak += t.length;
      } else {
        let last = -1;
        while (i !== -1) {
          if (sinceBreak + (i - last - 1) > MAX_CSV_LINE_CHARS) throw new LineTooLongError(line);
          line++;
          sinceBreak = 0;
          last = i;
          i = t.indexOf('\n', i + 1);
        }
        sinceBreak = t.length - last - 1;
      }
      if (sinceBreak > MAX_CSV_LINE_CHARS) throw new LineTooLongError(line);
    };
    for (const t of head) {
      check(t);
      if (!quote && t.includes('"')) quote = true;
      yield t;
    }
    if (done) return;
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      check(next.value);
      if (!quote && next.value.includes('"')) quote = true;
      yield next.value;
    }
  }
  return { delimiter: detectDelimiter(firstLine.replace(/^\uFEFF/, '')), text: text(), sawQuote: () => quote };
}

/**
 * Streams CSV rows with their line numbers. Resolves when done; parse problems
 * (unclosed quotes, bad encoding, absurdly long lines) are reported as errors.
 */
export async function streamCsv(
  chunks: AsyncIterable<Uint8Array>,
  ctx: Pick<AdapterContext, 'file' | 'diagnostics'>,
  handlers: CsvStreamHandlers,
  options: { delimiter?: string } = {},
): Promise<void> {
  let guarded: Awaited<ReturnType<typeof guardedText>>;
  try {
    guarded = await guardedText(chunks);
  } catch (e) {
    if (reportReadError(e, ctx)) return;
    throw e;
  }
  return new Promise((resolve) => {
    let line = 1;
    let sawHeader = false;
    let stopped = false;
    const input = Readable.from(guarded.text, { objectMode: true });
    const finish = () => {
      if (!sawHeader && !stopped) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
          args: { detail: 'the file is empty (no header row)', hint: 'Re-export the file; an empty export is never read as zero findings.' },
        });
      }
      resolve();
    };
    const noErrors: Papa.ParseError[] = [];
    // Rows come a parsed chunk at a time (papaparse's `chunk` callback): one call and one result object per
    // chunk instead of per row, which was a measurable share of the time and garbage on million-row exports.
    const handleRow = (cells: string[], errors: readonly Papa.ParseError[], parser: Papa.Parser): void => {
      const rowLine = line;
      // A cell can hold a line break only if it was quoted: until the file has shown a quote, no cell is scanned.
      let newlines = 0;
      if (guarded.sawQuote()) {
        for (const c of cells) {
          let i = c.indexOf('\n');
          while (i !== -1) {
            newlines++;
            i = c.indexOf('\n', i + 1);
          }
        }
      }
      line += 1 + newlines;
      for (const err of errors) {
        if (err.code === 'UndetectableDelimiter') continue;
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: rowLine }, {
          args: { detail: `${err.message} (${err.code})`, hint: 'Check the quoting on this line: a quote opened in a cell must be closed, and quotes inside a quoted cell are doubled ("").' },
        });
        if (err.type === 'Quotes') {
          stopped = true;
          parser.abort();
          return;
        }
      }
      if (cells.length === 1 && cells[0] === '') return; // blank line
      if (!sawHeader) {
        sawHeader = true;
        if (!handlers.header(cells, rowLine)) {
          stopped = true;
          parser.abort();
        }
        return;
      }
      handlers.row(cells, rowLine);
    };
    Papa.parse<string[]>(input as unknown as File, {
      header: false,
      delimiter: options.delimiter ?? guarded.delimiter,
      skipEmptyLines: false,
      chunk: (results, parser) => {
        const rows = results.data;
        if (results.errors.length === 0 && sawHeader && !guarded.sawQuote()) {
          // The common case, inline: clean rows after the header, no quote seen so far (one line per row).
          for (let r = 0; r < rows.length; r++) {
            const cells = rows[r]!;
            const rowLine = line++;
            if (cells.length === 1 && cells[0] === '') continue; // blank line
            handlers.row(cells, rowLine);
          }
          return;
        }
        if (results.errors.length === 0) {
          for (let r = 0; r < rows.length && !stopped; r++) handleRow(rows[r]!, noErrors, parser);
          return;
        }
        const byRow = new Map<number, Papa.ParseError[]>();
        for (const e of results.errors) {
          const r = e.row ?? 0;
          const list = byRow.get(r);
          if (list) list.push(e);
          else byRow.set(r, [e]);
        }
        for (let r = 0; r < rows.length && !stopped; r++) handleRow(rows[r]!, byRow.get(r) ?? noErrors, parser);
      },
      complete: () => finish(),
      error: (err: Error) => {
        if (!reportReadError(err, ctx)) ctx.diagnostics.report('io-error', { file: ctx.file }, { args: { detail: err.message } });
        stopped = true;
        resolve();
      },
    });
  });
}

/** Reports decoding and size problems of a CSV read; false for anything else. */
function reportReadError(e: unknown, ctx: Pick<AdapterContext, 'file' | 'diagnostics'>): boolean {
  if (e instanceof DecodeError) {
    ctx.diagnostics.report('encoding-invalid', { file: ctx.file, line: e.line }, { args: { detail: e.message } });
    return true;
  }
  if (e instanceof LineTooLongError) {
    ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: e.line }, {
      args: { detail: e.message, hint: 'This is not a CSV export (or a line break is missing): re-export the file; no single row of a real export is this long.' },
    });
    return true;
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) {
    const message = (e as Error).message;
    ctx.diagnostics.report('io-error', { file: ctx.file }, { args: { detail: message.startsWith(code) ? message : `${code}: ${message}` } });
    return true;
  }
  return false;
}

type CellGetter = (cells: string[]) => string | undefined;

function compileField(
  spec: FieldSpec | undefined,
  name: string,
  find: (column: string) => number | undefined,
  missing: (field: string, column: string) => void,
): CellGetter | undefined {
  if (!spec) return undefined;
  if (spec.value !== undefined) {
    const v = spec.value;
    return () => v;
  }
  if (spec.column !== undefined) {
    const idx = find(spec.column);
    if (idx === undefined) {
      missing(name, spec.column);
      return undefined;
    }
    return (cells) => cells[idx];
  }
  return undefined;
}

export const csvAdapter: EvidenceAdapter = {
  format: 'csv',
  description: 'Any CSV export: columns mapped to check, result and resource in source.yaml.',
  defaultFiles: ['**/*.csv'],
  validateConfig(source, report) {
    const f = source.fields;
    if (!f.check) report('fields.check', 'A csv source needs `fields.check`.', 'e.g. check: { value: okta-mfa-enrolled } or check: { column: Check ID }');
    if (!f.result) report('fields.result', 'A csv source needs `fields.result`.', 'e.g. result: { column: Status, pass: ["PASS"], fail: ["FAIL"] }');
    for (const [k, spec] of Object.entries(f)) {
      if (spec && 'path' in spec && spec.path !== undefined) report(`fields.${k}`, 'A csv source reads columns, not JSON paths.', `Use { column: <header> } for \`${k}\`.`);
    }
    source.where.forEach((w, i) => {
      if (w.path !== undefined) report(`where.${i}`, 'A csv source filters on columns, not JSON paths.', 'Use { column: <header>, equals: [...] }.');
      if (w.matches !== undefined && !validRegex(w.matches)) report(`where.${i}.matches`, `\`${w.matches}\` is not a valid regular expression.`, 'Escape special characters such as ( ) [ ] . with a backslash.');
    });
  },
  async read(chunks, ctx) {
    const f = ctx.source.fields;
    let getCheck: CellGetter | undefined;
    let getResult: CellGetter | undefined;
    let getResource: CellGetter | undefined;
    let getCollected: CellGetter | undefined;
    let getSeverity: CellGetter | undefined;
    let getTitle: CellGetter | undefined;
    let getMessage: CellGetter | undefined;
    const classify = f.result ? resultClassifier(f.result) : () => 'not-evaluated' as const;
    let keep: ((cells: string[]) => boolean) | undefined;
    let width = 0;
    let warnings = 0;
    const warn = (line: number, detail: string, hint?: string) => {
      warnings++;
      if (warnings <= MAX_ROW_WARNINGS) ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, line }, { args: { detail, hint } });
    };
    await streamCsv(chunks, ctx, {
      header(cells, line) {
        width = cells.length;
        const header = indexHeader(cells);
        let ok = true;
        const missing = (field: string, column: string) => {
          ok = false;
          if (header.ambiguous(column)) return; // reported once, as ambiguous, below
          ctx.diagnostics.report('evidence-column-missing', { file: ctx.file, line, field: `fields.${field}` }, {
            args: { column, field, suggestion: closest(column, header.names) ?? header.names.find((n) => closest(normaliseHeader(column), [normaliseHeader(n)])), columns: header.names.join(', ') },
          });
        };
        for (const spec of Object.values(f)) {
          const column = spec && 'column' in spec ? spec.column : undefined;
          if (column && header.ambiguous(column)) {
            ok = false;
            ctx.diagnostics.report('evidence-parse', { file: ctx.file, line }, {
              args: { detail: `the header has the column \`${column}\` more than once`, hint: 'Rename or remove the duplicate column so the mapping is unambiguous.' },
            });
          }
        }
        getCheck = compileField(f.check, 'check', header.find, missing);
        getResult = compileField(f.result, 'result', header.find, missing);
        getResource = compileField(f.resource, 'resource', header.find, missing);
        getCollected = compileField(f.collectedAt, 'collectedAt', header.find, missing);
        getSeverity = compileField(f.severity, 'severity', header.find, missing);
        getTitle = compileField(f.title, 'title', header.find, missing);
        getMessage = compileField(f.message, 'message', header.find, missing);
        ctx.source.where.forEach((w, i) => {
          if (w.column !== undefined && header.find(w.column) === undefined) missing(`where[${i}]`, w.column);
        });
        keep = compileWhere(ctx.source.where, (w) => {
          const idx = w.column !== undefined ? header.find(w.column) : undefined;
          return idx === undefined ? undefined : ((cells: string[]) => cells[idx]) as (row: never) => string | undefined;
        }) as ((cells: string[]) => boolean) | undefined;
        return ok;
      },
      row(cells, line) {
        if (keep && !keep(cells)) {
          ctx.skip();
          return;
        }
        if (cells.length !== width) {
          warn(line, `This row has ${cells.length} cells; the header has ${width}.`, 'A cell with a delimiter or a line break inside must be quoted.');
        }
        const check = getCheck?.(cells)?.trim() ?? '';
        const raw = getResult?.(cells);
        const record: EvidenceRecord = { check, result: classify(raw), line };
        if (raw !== undefined) record.rawResult = raw;
        const resource = getResource?.(cells);
        if (resource) record.resource = resource;
        const sev = getSeverity?.(cells);
        if (sev) record.severity = sev;
        const title = getTitle?.(cells);
        if (title) record.title = title;
        const message = getMessage?.(cells);
        if (message) record.message = message;
        const collected = getCollected?.(cells);
        if (collected) record.collectedAt = collected;
        if (!check) warn(line, 'This row has no check id; it is counted as not evaluated.');
        ctx.emit(record);
      },
    }, ctx.source.delimiter ? { delimiter: ctx.source.delimiter } : {});
    if (warnings > MAX_ROW_WARNINGS) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file }, {
        args: { detail: `${warnings - MAX_ROW_WARNINGS} more rows with problems in this file (only the first ${MAX_ROW_WARNINGS} are listed).` },
      });
    }
  },
};
