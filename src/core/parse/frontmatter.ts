/**
 * The one frontmatter parse path (policies, exceptions, attestations; CLI and
 * site alike): gray-matter splits the file, `yaml` parses the frontmatter with
 * positions so that every field error points at its line.
 */
import matter from 'gray-matter';
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import { parseYaml, type ParsedYaml } from './yaml.ts';

export interface Frontmatter {
  parsed: ParsedYaml;
  /** Markdown body after the closing fence. */
  body: string;
  /** 1-based line in the file where the body starts. */
  bodyLine: number;
}

// gray-matter only splits here; YAML is parsed by `yaml` (positions, YAML 1.2 core schema, alias limits).
const SPLIT_ONLY = { engines: { yaml: { parse: () => ({}), stringify: () => '' } } };

export function parseFrontmatter(file: string, text: string, diagnostics: DiagnosticBag): Frontmatter | undefined {
  // Windows line endings: `\r` would otherwise end up in the last value of each line.
  const src = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  if (!/^---[ \t]*\r?\n/.test(src)) {
    diagnostics.report('frontmatter-missing', { file, line: 1, column: 1 });
    return undefined;
  }
  if (!/\r?\n---[ \t]*(\r?\n|$)/.test(src.slice(3))) {
    diagnostics.report('frontmatter-unclosed', { file, line: 1, column: 1 });
    return undefined;
  }
  const split = matter(src, SPLIT_ONLY as never);
  // `split.matter` begins right after the opening `---`, so its first line is line 1 of the file.
  const parsed = parseYaml({ file, text: split.matter, lineOffset: 1 }, diagnostics);
  if (parsed.ok && (parsed.value === null || parsed.value === undefined)) {
    parsed.value = {};
  }
  const fmLines = split.matter.split('\n').length; // includes the opening fence's line
  return { parsed, body: split.content, bodyLine: fmLines + 2 };
}
