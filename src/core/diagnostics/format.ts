/**
 * Prints diagnostics: one line per problem as `file:line:col  message  (hint)`,
 * or GitHub Actions workflow commands when running there.
 */
import type { Diagnostic } from './diagnostic.ts';
import { sortDiagnostics } from './diagnostic.ts';

/**
 * Messages quote untrusted evidence: control characters (line breaks, ANSI escapes, NUL)
 * and bidirectional overrides are shown escaped, so a value can never forge an output
 * line or recolour the terminal.
 */
export function safeText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export function formatLocation(d: Diagnostic): string {
  if (!d.file) return '<workspace>';
  let loc = safeText(d.file);
  if (d.line !== undefined) {
    loc += `:${d.line}`;
    if (d.column !== undefined) loc += `:${d.column}`;
  }
  return loc;
}

/** `file:line:col  message  (hint)` with the severity and rule id. */
export function formatDiagnostic(d: Diagnostic): string {
  const field = d.field ? ` [${safeText(d.field)}]` : '';
  const hint = d.hint ? `  (${safeText(d.hint)})` : '';
  return `${formatLocation(d)}  ${d.severity} ${d.rule}${field}: ${safeText(d.message)}${hint}`;
}

/** GitHub Actions annotation: `::error file=...,line=...,col=...,title=...::message`. */
export function formatGithubAnnotation(d: Diagnostic): string {
  const props: string[] = [];
  if (d.file) props.push(`file=${escapeProperty(safeText(d.file))}`);
  if (d.line !== undefined) props.push(`line=${d.line}`);
  if (d.column !== undefined) props.push(`col=${d.column}`);
  props.push(`title=${escapeProperty(d.rule)}`);
  const body = safeText(d.hint ? `${d.message} ${d.hint}` : d.message);
  return `::${d.severity} ${props.join(',')}::${escapeData(body)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface FormatOptions {
  github?: boolean;
}

export function formatDiagnostics(items: readonly Diagnostic[], options: FormatOptions = {}): string {
  const sorted = sortDiagnostics(items);
  const lines = sorted.map((d) => (options.github ? formatGithubAnnotation(d) : formatDiagnostic(d)));
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return lines.join('\n');
}
