/**
 * `format: csv`: any CSV export (IdP, HR, MDM, ticketing...). Streams with
 * papaparse (rows as arrays, one header index), decodes strict UTF-8 on the way.
 */
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { closest } from '../../util/suggest.ts';
import { decodeUtf8, DecodeError } from '../decode.ts';
import { compileWhere, indexHeader, normaliseHeader, resultClassifier, validRegex } from '../fields.ts';
import type { AdapterContext, EvidenceAdapter } from '../types.ts';
import type { FieldSpec } from '../../schemas/source.ts';

/** At most this many row-level warnings per file; the rest are counted in one line. */
export const MAX_ROW_WARNINGS = 20;

export interface CsvRow {
  cells: string[];
  /** 1-based line where the row starts. */
  line: number;
}

export interface CsvStreamHandlers {
  /** First non-empty row. Return false to stop reading. */
  header(cells: string[], line: number): boolean;
  row(row: CsvRow): void;
}

/**
 * Streams CSV rows with their line numbers. Resolves when done; parse problems
 * (unclosed quotes, bad encoding) are reported as `evidence-parse` errors.
 */
export function streamCsv(
  chunks: AsyncIterable<Uint8Array>,
  ctx: Pick<AdapterContext, 'file' | 'diagnostics'>,
  handlers: CsvStreamHandlers,
  options: { delimiter?: string } = {},
): Promise<void> {
  return new Promise((resolve) => {
    let line = 1;
    let sawHeader = false;
    let stopped = false;
    const input = Readable.from(decodeUtf8(chunks), { objectMode: true });
    const finish = () => {
      if (!sawHeader && !stopped) {
        ctx.diagnostics.report('evidence-parse', { file: ctx.file, line: 1, column: 1 }, {
          args: { detail: 'the file is empty (no header row)', hint: 'Re-export the file; an empty export is never read as zero findings.' },
        });
      }
      resolve();
    };
    Papa.parse<string[]>(input as unknown as File, {
      header: false,
      delimiter: options.delimiter ?? '',
      delimitersToGuess: [',', ';', '\t', '|'],
      skipEmptyLines: false,
      step: (results, parser) => {
        if (stopped) return;
        const cells = results.data;
        const rowLine = line;
        let newlines = 0;
        for (const c of cells) {
          let i = c.indexOf('\n');
          while (i !== -1) {
            newlines++;
            i = c.indexOf('\n', i + 1);
          }
        }
        line += 1 + newlines;
        for (const err of results.errors) {
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
        handlers.row({ cells, line: rowLine });
      },
      complete: () => finish(),
      error: (err: Error) => {
        if (err instanceof DecodeError) {
          ctx.diagnostics.report('encoding-invalid', { file: ctx.file, line: err.line }, { args: { detail: err.message } });
        } else {
          ctx.diagnostics.report('io-error', { file: ctx.file }, { args: { detail: err.message } });
        }
        stopped = true;
        resolve();
      },
    });
  });
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
      row({ cells, line }) {
        if (keep && !keep(cells)) {
          ctx.skip();
          return;
        }
        if (cells.length !== width) {
          warn(line, `This row has ${cells.length} cells; the header has ${width}.`, 'A cell with a delimiter or a line break inside must be quoted.');
        }
        const check = getCheck?.(cells)?.trim() ?? '';
        const raw = getResult?.(cells);
        const record = {
          check,
          result: classify(raw),
          line,
          ...(raw !== undefined ? { rawResult: raw } : {}),
        } as Parameters<AdapterContext['emit']>[0];
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
