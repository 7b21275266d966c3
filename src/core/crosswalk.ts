/**
 * Crosswalks: "control X of one framework covers controls Y of another".
 * Policies and evidence of X then count for Y, one hop only and always shown
 * as "via crosswalk". Unknown ids and cycles are errors.
 */
import type { ControlIndex } from './catalog/index.ts';
import type { DiagnosticBag } from './diagnostics/diagnostic.ts';
import { parseYaml, validateWith, type ParsedYaml } from './parse/yaml.ts';
import { crosswalkSchema, flatCrosswalkSchema, oscalMappingSchema, type Relationship } from './schemas/crosswalk.ts';
import { compareStrings } from './util/suggest.ts';

export interface CrosswalkEdge {
  /** Control key (`framework::id`) whose coverage counts... */
  from: string;
  /** ...for this control. */
  to: string;
  relationship: Relationship;
  crosswalk: string;
  informative: boolean;
}

export interface CrosswalkFile {
  path: string;
  text: string;
}

interface Entry {
  from: string;
  to: string[];
  relationship: Relationship;
  /** For messages: where the entry is. */
  at: { line?: number; column?: number; field: string };
}

/**
 * Reads crosswalk definitions (YAML; JSON files they point to are looked up in `files` by path)
 * and returns the edges between known controls. `enabled` limits built-in crosswalks to those
 * portal.yaml names; workspace crosswalks are always on.
 */
export function resolveCrosswalks(
  definitions: readonly CrosswalkFile[],
  jsonFiles: ReadonlyMap<string, string>,
  index: ControlIndex,
  diagnostics: DiagnosticBag,
): CrosswalkEdge[] {
  const edges: CrosswalkEdge[] = [];
  const ids = new Map<string, string>();
  for (const def of definitions) {
    const parsed = parseYaml({ file: def.path, text: def.text }, diagnostics);
    if (!parsed.ok) continue;
    const cw = validateWith(crosswalkSchema, parsed, def.path, diagnostics);
    if (!cw) continue;
    if (ids.has(cw.id)) {
      diagnostics.report('duplicate-id', { file: def.path, ...parsed.locate(['id']), field: 'id' }, { args: { kind: 'crosswalk', id: cw.id, other: ids.get(cw.id) } });
      continue;
    }
    ids.set(cw.id, def.path);
    let ok = true;
    for (const side of ['from', 'to'] as const) {
      if (!index.hasFramework(cw[side])) {
        ok = false;
        diagnostics.report('unknown-framework', { file: def.path, ...parsed.locate([side]), field: side }, {
          args: { id: cw[side], suggestion: index.suggestFramework(cw[side]), known: index.frameworkIds().join(', ') },
        });
      }
    }
    if (!ok) continue;
    const entries = cw.mappings ? inlineEntries(cw.mappings, cw.relationship, parsed) : fileEntries(cw, def.path, jsonFiles, parsed, diagnostics);
    for (const e of entries) {
      const from = index.resolve(cw.from, e.from);
      if (!from) {
        diagnostics.report('unknown-control', { file: def.path, line: e.at.line, column: e.at.column, field: e.at.field }, {
          args: { id: e.from, framework: cw.from, suggestion: index.suggestControl(cw.from, e.from) },
        });
        continue;
      }
      for (const t of e.to) {
        const to = index.resolve(cw.to, t);
        if (!to) {
          diagnostics.report('unknown-control', { file: def.path, line: e.at.line, column: e.at.column, field: e.at.field }, {
            args: { id: t, framework: cw.to, suggestion: index.suggestControl(cw.to, t) },
          });
          continue;
        }
        edges.push({ from: from.key, to: to.key, relationship: e.relationship, crosswalk: cw.id, informative: cw.informative });
      }
    }
  }
  reportCycles(edges, definitions, ids, diagnostics);
  return edges.sort((a, b) => compareStrings(a.to, b.to) || compareStrings(a.from, b.from) || compareStrings(a.crosswalk, b.crosswalk));
}

function inlineEntries(mappings: NonNullable<ReturnType<typeof crosswalkSchema.parse>['mappings']>, relationship: Relationship, parsed: ParsedYaml): Entry[] {
  return Object.entries(mappings).map(([from, v]) => {
    const at = { ...parsed.locate(['mappings', from], { key: true }), field: `mappings.${from}` };
    return Array.isArray(v) ? { from, to: v, relationship, at } : { from, to: v.controls, relationship: v.relationship, at };
  });
}

function fileEntries(
  cw: ReturnType<typeof crosswalkSchema.parse>,
  defPath: string,
  jsonFiles: ReadonlyMap<string, string>,
  parsed: ParsedYaml,
  diagnostics: DiagnosticBag,
): Entry[] {
  const dir = defPath.slice(0, defPath.lastIndexOf('/') + 1);
  const rel = cw.file!;
  const at = { ...parsed.locate(['file']), field: 'file' };
  if (rel.includes('..') || rel.startsWith('/')) {
    diagnostics.report('path-outside-workspace', { file: defPath, ...at }, { args: { what: `The crosswalk file \`${rel}\``, target: rel } });
    return [];
  }
  const text = jsonFiles.get(dir + rel);
  if (text === undefined) {
    diagnostics.report('io-error', { file: defPath, ...at }, { args: { detail: `the crosswalk file ${dir + rel} does not exist` } });
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    diagnostics.report('schema-invalid', { file: dir + rel, line: 1 }, { args: { detail: `Invalid JSON: ${(e as Error).message}` } });
    return [];
  }
  const format = cw.format ?? (json && typeof json === 'object' && 'mapping-collection' in json ? 'oscal-mapping' : 'flat');
  if (format === 'flat') {
    const flat = flatCrosswalkSchema.safeParse(json);
    if (!flat.success) {
      diagnostics.report('schema-invalid', { file: dir + rel, line: 1 }, { args: { detail: 'A flat crosswalk must be {"crosswalk": {"<from id>": ["<to id>", ...]}}.' } });
      return [];
    }
    return Object.entries(flat.data.crosswalk).map(([from, to]) => ({ from, to, relationship: cw.relationship, at: { field: `${rel}: crosswalk.${from}` } }));
  }
  const oscal = oscalMappingSchema.safeParse(json);
  if (!oscal.success) {
    const issue = oscal.error.issues[0];
    diagnostics.report('schema-invalid', { file: dir + rel, line: 1, field: issue?.path.join('.') }, { args: { detail: `Not an OSCAL mapping-collection: ${issue?.message ?? 'unknown shape'}.` } });
    return [];
  }
  const out: Entry[] = [];
  oscal.data['mapping-collection'].mappings.forEach((m, i) =>
    m.maps.forEach((map, j) => {
      for (const s of map.sources) {
        out.push({ from: s['id-ref'], to: map.targets.map((t) => t['id-ref']), relationship: map.relationship, at: { field: `${rel}: mappings[${i}].maps[${j}]` } });
      }
    }),
  );
  return out;
}

/** A cycle (A covers B covers ... A) is an error: coverage must flow one way. */
function reportCycles(edges: readonly CrosswalkEdge[], definitions: readonly CrosswalkFile[], ids: Map<string, string>, diagnostics: DiagnosticBag): void {
  const out = new Map<string, CrosswalkEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const state = new Map<string, 1 | 2>();
  const stack: CrosswalkEdge[] = [];
  const reported = new Set<string>();
  const visit = (node: string) => {
    state.set(node, 1);
    for (const e of out.get(node) ?? []) {
      const s = state.get(e.to);
      if (s === 1) {
        const start = stack.findIndex((x) => x.from === e.to);
        const cycle = [...stack.slice(start === -1 ? 0 : start), e];
        const key = cycle.map((c) => c.from).sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          const file = ids.get(e.crosswalk) ?? definitions[0]?.path;
          diagnostics.report('crosswalk-cycle', { ...(file ? { file } : {}), field: 'mappings' }, {
            args: { cycle: `${cycle.map((c) => c.from.replace('::', ' ')).join(' → ')} → ${e.to.replace('::', ' ')}` },
          });
        }
      } else if (s === undefined) {
        stack.push(e);
        visit(e.to);
        stack.pop();
      }
    }
    state.set(node, 2);
  };
  for (const node of [...out.keys()].sort(compareStrings)) if (!state.has(node)) visit(node);
}
