/**
 * A copy of a string that shares no memory with the text it was cut from.
 *
 * V8 represents a substring (a CSV cell from papaparse, a trimmed value, a template string
 * built from one) as a view into its parent: a 1 MB chunk of the export. Keeping one small cell
 * (a check id as a Map key, a failing resource in a sample, a diagnostic naming a value) keeps the
 * whole chunk alive. Measured on a 74 MB Prowler export: 58 MB of chunks retained by a result whose
 * JSON is 1 MB, and the build's memory growing with the size of the evidence. Everything ingestion
 * keeps beyond the current row goes through here; rows that are only counted never do (no cost per row).
 */
export function detach(s: string): string;
export function detach(s: string | undefined): string | undefined;
export function detach(s: string | undefined): string | undefined {
  // Concatenation then slice makes V8 flatten into a new sequential string of this length alone.
  return s === undefined ? undefined : (` ${s}`).slice(1);
}

/**
 * Appends every item of `items` to `target`. Not `target.push(...items)`: a spread passes each
 * item as an argument, and a list of a few hundred thousand (a JSON export's records, a roster)
 * overflows the stack.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
