/**
 * One diagnostic shape for every problem the project reports, in the spirit of
 * vfile-message: where (file, line, column or field), what (rule, message) and
 * how to fix it (hint). Diagnostics are collected, never thrown, so one run
 * reports every problem.
 */
import { detach } from '../util/memory.ts';
import { errorCatalogue, type RuleId } from './errors-data.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable rule id from the error catalogue, e.g. `unknown-control`. */
  rule: RuleId;
  severity: Severity;
  /** Path relative to the workspace root, with forward slashes. */
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Dotted field path inside the file, e.g. `controls.soc2[1]`. */
  field?: string;
  message: string;
  hint?: string;
}

export interface Location {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

/** Collects diagnostics; rule functions push into it instead of throwing. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  /** Report a catalogue rule at a location; message and hint come from the catalogue unless given. */
  report(
    rule: RuleId,
    at: Location,
    details: { message?: string; hint?: string; severity?: Severity; args?: Record<string, unknown> } = {},
  ): void {
    const entry = errorCatalogue[rule];
    const args = details.args ?? {};
    const d: Diagnostic = {
      rule,
      severity: details.severity ?? entry.severity,
      // Detached: a message quoting a cell of an export must not keep the export's text in memory.
      message: detach(details.message ?? entry.message(args)),
    };
    const hint = details.hint ?? entry.hint?.(args);
    if (hint) d.hint = detach(hint);
    if (at.file !== undefined) d.file = at.file;
    if (at.line !== undefined) d.line = at.line;
    if (at.column !== undefined) d.column = at.column;
    if (at.field !== undefined) d.field = at.field;
    this.items.push(d);
  }

  merge(other: Iterable<Diagnostic>): void {
    for (const d of other) this.items.push(d);
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** Stable order: by file, line, column, rule, message. */
  sorted(): Diagnostic[] {
    return sortDiagnostics(this.items);
  }
}

export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort(
    (a, b) =>
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      cmp(a.rule, b.rule) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
