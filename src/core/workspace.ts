/**
 * Validates a workspace read into memory (texts only, no disk): portal.yaml,
 * catalogs, policies, exceptions and source.yaml files. Every rule pushes
 * diagnostics; nothing throws for user mistakes, so one run reports every problem.
 */
import { pushAll } from './util/memory.ts';
import picomatch from 'picomatch';
import { ControlIndex, controlKey } from './catalog/index.ts';
import { resolveCrosswalks, type CrosswalkEdge } from './crosswalk.ts';
import { DiagnosticBag } from './diagnostics/diagnostic.ts';
import { adapterRegistry, knownFormats } from './evidence/registry.ts';
import { importOscalFrameworks, isOscalFrameworkFile } from './oscal/catalog-import.ts';
import { parseFrontmatter } from './parse/frontmatter.ts';
import { fieldName, parseYaml, validateWith, type ParsedYaml } from './parse/yaml.ts';
import { catalogSchema, type Catalog } from './schemas/catalog.ts';
import type { ControlsMap } from './schemas/common.ts';
import { exceptionFrontmatterSchema, type ExceptionFrontmatter } from './schemas/exception.ts';
import { policyFrontmatterSchema, policyHints, type PolicyFrontmatter } from './schemas/policy.ts';
import { portalSchema, type PortalConfig } from './schemas/portal.ts';
import { sourceSchema, type SourceConfig } from './schemas/source.ts';
import { closest, compareStrings } from './util/suggest.ts';

export interface TextFile {
  /** Workspace-relative path with forward slashes. */
  path: string;
  text: string;
}

export interface SourceFolder {
  /** Workspace-relative folder, e.g. `evidence/okta-mfa`. */
  dir: string;
  config?: TextFile;
  /** Every file in the folder (recursive), workspace-relative, excluding source.yaml. */
  files: string[];
}

/** The workspace as read from disk by load/workspace-fs.ts. */
export interface WorkspaceFiles {
  portal?: TextFile;
  frameworks: TextFile[];
  policies: TextFile[];
  exceptions: TextFile[];
  sources: SourceFolder[];
  /** Files directly in evidence/ (outside any source folder). */
  looseEvidence: string[];
  /** content/crosswalks/*.yaml definitions and the JSON files they may point to. */
  crosswalks?: TextFile[];
  crosswalkData?: TextFile[];
}

/** 1-based line of each top-level frontmatter key, for located messages. */
export type FieldLines = Record<string, number>;

export interface PolicyDoc {
  file: string;
  lines: FieldLines;
  data: PolicyFrontmatter;
  body: string;
  bodyLine: number;
  /** Known control keys this policy names (any framework, in scope or not). */
  controlKeys: string[];
}

export interface ExceptionDoc {
  file: string;
  lines: FieldLines;
  data: ExceptionFrontmatter;
  body: string;
  controlKeys: string[];
}

export interface SourceDoc {
  id: string;
  dir: string;
  configFile: string;
  config: SourceConfig;
  /** Files this source reads, sorted. */
  files: string[];
  /** Files in the folder that the source does not read (attachments may still claim them). */
  otherFiles: string[];
}

export interface Workspace {
  portal: PortalConfig;
  portalFile: string;
  index: ControlIndex;
  policies: PolicyDoc[];
  exceptions: ExceptionDoc[];
  sources: SourceDoc[];
  /** Files in evidence/ outside any usable source. */
  unclaimed: string[];
  /** Coverage that flows between frameworks (one hop). */
  crosswalks: CrosswalkEdge[];
}

export interface LoadResult {
  workspace?: Workspace;
  diagnostics: DiagnosticBag;
}

/** Validates everything it can; returns a workspace when portal.yaml and catalogs are usable. */
export function validateWorkspace(files: WorkspaceFiles, builtInCatalogs: readonly TextFile[], diagnostics = new DiagnosticBag(), builtInCrosswalks: readonly TextFile[] = []): LoadResult {
  const catalogs = parseCatalogs(builtInCatalogs, files.frameworks, diagnostics);
  const portalResult = parsePortal(files.portal, diagnostics);
  const scope = portalResult?.portal.frameworks ?? [];
  const index = new ControlIndex(catalogs, scope);
  if (portalResult) checkPortalIds(portalResult, index, diagnostics);

  const resolveMap = makeMapResolver(index, diagnostics);
  const policies = parsePolicies(files.policies, resolveMap, diagnostics);
  const exceptions = parseExceptions(files.exceptions, resolveMap, diagnostics);
  const { sources, unclaimed } = parseSources(files, resolveMap, diagnostics);

  if (!portalResult) return { diagnostics };
  const crosswalks = resolveCrosswalks(
    [...selectBuiltInCrosswalks(portalResult, builtInCrosswalks, diagnostics), ...(files.crosswalks ?? [])],
    new Map((files.crosswalkData ?? []).map((f) => [f.path, f.text])),
    index,
    diagnostics,
  );
  return {
    diagnostics,
    workspace: {
      portal: portalResult.portal,
      portalFile: portalResult.file,
      index,
      policies,
      exceptions,
      sources,
      unclaimed,
      crosswalks,
    },
  };
}

/** Built-in crosswalks apply only when portal.yaml names them. */
function selectBuiltInCrosswalks({ portal, file, parsed }: PortalResult, builtIn: readonly TextFile[], diagnostics: DiagnosticBag): TextFile[] {
  const byId = new Map(builtIn.map((f) => [f.path.replace(/^.*\//, '').replace(/\.ya?ml$/, ''), f]));
  const out: TextFile[] = [];
  portal.crosswalks.forEach((id, i) => {
    const f = byId.get(id);
    if (f) out.push(f);
    else diagnostics.report('crosswalk-unknown', { file, ...parsed.locate(['crosswalks', i]), field: `crosswalks[${i}]` }, { args: { id, suggestion: closest(id, byId.keys()), known: [...byId.keys()].join(', ') || 'none' } });
  });
  return out;
}

function parseCatalogs(builtIn: readonly TextFile[], custom: readonly TextFile[], diagnostics: DiagnosticBag): Catalog[] {
  const out = new Map<string, { catalog: Catalog; file: string }>();
  // OSCAL catalogs and profiles (content/frameworks/*.json), imported together so that profiles find their catalogs.
  const oscal = importOscalFrameworks(custom.filter((f) => isOscalFrameworkFile(f.path)), diagnostics);
  for (const f of [...builtIn, ...custom]) {
    if (isOscalFrameworkFile(f.path)) {
      const imported = oscal.get(f.path)?.catalog;
      const prior = imported && out.get(imported.id);
      if (prior) diagnostics.report('duplicate-id', { file: f.path }, { args: { kind: 'framework', id: imported.id, other: prior.file }, hint: 'The framework id of an OSCAL file is its file name: rename one of the two files.' });
      else if (imported) out.set(imported.id, { catalog: imported, file: f.path });
      continue;
    }
    const parsed = parseYaml({ file: f.path, text: f.text }, diagnostics);
    if (!parsed.ok) continue;
    const catalog = validateWith(catalogSchema, parsed, f.path, diagnostics);
    if (!catalog) continue;
    const prior = out.get(catalog.id);
    if (prior) {
      diagnostics.report('duplicate-id', { file: f.path, ...parsed.locate(['id']), field: 'id' }, { args: { kind: 'framework', id: catalog.id, other: prior.file } });
      continue;
    }
    const seen = new Set<string>();
    const families = new Set(catalog.families.map((fam) => fam.id));
    catalog.controls.forEach((c, i) => {
      if (seen.has(c.id)) diagnostics.report('duplicate-id', { file: f.path, ...parsed.locate(['controls', i, 'id']), field: `controls[${i}].id` }, { args: { kind: 'control', id: c.id, other: 'an earlier control in this catalog' } });
      seen.add(c.id);
      if (c.family && families.size && !families.has(c.family)) {
        diagnostics.report('catalog-invalid', { file: f.path, ...parsed.locate(['controls', i, 'family']), field: `controls[${i}].family` }, {
          args: { detail: `Family \`${c.family}\` is not listed in \`families\`.` },
          hint: closest(c.family, families) ? `Did you mean \`${closest(c.family, families)}\`?` : 'Add it to `families` or fix the id.',
        });
      }
    });
    out.set(catalog.id, { catalog, file: f.path });
  }
  return [...out.values()].map((v) => v.catalog);
}

interface PortalResult {
  portal: PortalConfig;
  file: string;
  parsed: ParsedYaml;
}

function parsePortal(file: TextFile | undefined, diagnostics: DiagnosticBag): PortalResult | undefined {
  if (!file) {
    diagnostics.report('portal-missing', { file: 'content/portal.yaml' });
    return undefined;
  }
  const parsed = parseYaml({ file: file.path, text: file.text }, diagnostics);
  if (!parsed.ok) return undefined;
  const portal = validateWith(portalSchema, parsed, file.path, diagnostics);
  return portal ? { portal, file: file.path, parsed } : undefined;
}

function checkPortalIds({ portal, file, parsed }: PortalResult, index: ControlIndex, diagnostics: DiagnosticBag): void {
  portal.frameworks.forEach((fw, i) => {
    if (!index.hasFramework(fw)) {
      diagnostics.report('unknown-framework', { file, ...parsed.locate(['frameworks', i]), field: `frameworks[${i}]` }, {
        args: { id: fw, suggestion: index.suggestFramework(fw), known: index.frameworkIds().join(', ') },
      });
    }
  });
  const check = (section: 'notApplicable' | 'policyOnly', fw: string, id: string, path: PropertyKey[]) => {
    if (!index.hasFramework(fw)) {
      diagnostics.report('unknown-framework', { file, ...parsed.locate([section, fw], { key: true }), field: `${section}.${fw}` }, {
        args: { id: fw, suggestion: index.suggestFramework(fw), known: index.frameworkIds().join(', ') },
      });
      return false;
    }
    if (!index.resolve(fw, id)) {
      diagnostics.report('unknown-control', { file, ...parsed.locate(path, { key: section === 'notApplicable' }), field: fieldName(path) }, {
        args: { id, framework: fw, suggestion: index.suggestControl(fw, id) },
      });
      return false;
    }
    return true;
  };
  for (const section of ['failOn', 'minScore'] as const) {
    for (const fw of Object.keys(portal.gate[section])) {
      if (fw === '*' || index.hasFramework(fw)) continue;
      diagnostics.report('unknown-framework', { file, ...parsed.locate(['gate', section, fw], { key: true }), field: `gate.${section}.${fw}` }, {
        args: { id: fw, suggestion: index.suggestFramework(fw), known: `*, ${index.frameworkIds().join(', ')}` },
      });
    }
  }
  const na = new Set<string>();
  for (const [fw, entries] of Object.entries(portal.notApplicable)) {
    for (const id of Object.keys(entries)) {
      if (check('notApplicable', fw, id, ['notApplicable', fw, id])) na.add(controlKey(fw, index.resolve(fw, id)!.id));
    }
  }
  for (const [fw, ids] of Object.entries(portal.policyOnly)) {
    ids.forEach((id, i) => {
      if (!check('policyOnly', fw, id, ['policyOnly', fw, i])) return;
      if (na.has(controlKey(fw, index.resolve(fw, id)!.id))) {
        diagnostics.report('scope-conflict', { file, ...parsed.locate(['policyOnly', fw, i]), field: `policyOnly.${fw}[${i}]` }, { args: { id } });
      }
    });
  }
}

type MapResolver = (map: ControlsMap, file: string, parsed: ParsedYaml, path: PropertyKey[]) => string[];

/** Resolves a framework -> controls map to control keys, reporting unknown ids with suggestions. */
function makeMapResolver(index: ControlIndex, diagnostics: DiagnosticBag): MapResolver {
  return (map, file, parsed, path) => {
    const keys = new Set<string>();
    for (const [fw, ids] of Object.entries(map)) {
      if (!index.hasFramework(fw)) {
        diagnostics.report('unknown-framework', { file, ...parsed.locate([...path, fw], { key: true }), field: fieldName([...path, fw]) }, {
          args: { id: fw, suggestion: index.suggestFramework(fw), known: index.frameworkIds().join(', ') },
        });
        continue;
      }
      ids.forEach((id, i) => {
        const ref = index.resolve(fw, id);
        if (!ref) {
          diagnostics.report('unknown-control', { file, ...parsed.locate([...path, fw, i]), field: fieldName([...path, fw, i]) }, {
            args: { id, framework: fw, suggestion: index.suggestControl(fw, id) },
          });
          return;
        }
        keys.add(ref.key);
      });
    }
    return [...keys].sort(compareStrings);
  };
}

function parsePolicies(files: readonly TextFile[], resolveMap: MapResolver, diagnostics: DiagnosticBag): PolicyDoc[] {
  const out: PolicyDoc[] = [];
  const ids = new Map<string, string>();
  for (const f of files) {
    const fm = parseFrontmatter(f.path, f.text, diagnostics);
    if (!fm || !fm.parsed.ok) continue;
    const data = validateWith(policyFrontmatterSchema, fm.parsed, f.path, diagnostics, { hints: policyHints });
    if (!data) continue;
    const controlKeys = resolveMap(data.controls, f.path, fm.parsed, ['controls']);
    const other = ids.get(data.id);
    if (other) {
      diagnostics.report('duplicate-id', { file: f.path, ...fm.parsed.locate(['id']), field: 'id' }, { args: { kind: 'policy', id: data.id, other } });
      continue;
    }
    ids.set(data.id, f.path);
    out.push({ file: f.path, lines: fieldLines(fm.parsed, data), data, body: fm.body, bodyLine: fm.bodyLine, controlKeys });
  }
  return out.sort((a, b) => compareStrings(a.data.id, b.data.id));
}

function parseExceptions(files: readonly TextFile[], resolveMap: MapResolver, diagnostics: DiagnosticBag): ExceptionDoc[] {
  const out: ExceptionDoc[] = [];
  const ids = new Map<string, string>();
  for (const f of files) {
    const fm = parseFrontmatter(f.path, f.text, diagnostics);
    if (!fm || !fm.parsed.ok) continue;
    const data = validateWith(exceptionFrontmatterSchema, fm.parsed, f.path, diagnostics);
    if (!data) continue;
    const controlKeys = resolveMap(data.controls, f.path, fm.parsed, ['controls']);
    const other = ids.get(data.id);
    if (other) {
      diagnostics.report('duplicate-id', { file: f.path, ...fm.parsed.locate(['id']), field: 'id' }, { args: { kind: 'exception', id: data.id, other } });
      continue;
    }
    ids.set(data.id, f.path);
    // Canonical ids, so that ingestion matches exceptions written with loose ids (cc6.1).
    const canonical: ControlsMap = {};
    for (const k of controlKeys) {
      const i = k.indexOf('::');
      (canonical[k.slice(0, i)] ??= []).push(k.slice(i + 2));
    }
    out.push({ file: f.path, lines: fieldLines(fm.parsed, data), data: { ...data, controls: canonical }, body: fm.body, controlKeys });
  }
  return out.sort((a, b) => compareStrings(a.data.id, b.data.id));
}

function fieldLines(parsed: ParsedYaml, data: object): FieldLines {
  const out: FieldLines = {};
  for (const k of Object.keys(data)) out[k] = parsed.locate([k], { key: true }).line;
  return out;
}

/** Formats that honour `where:` row filters. */
const ROW_FILTER_FORMATS = new Set(['csv', 'json']);
/** Formats whose columns or paths come from `fields:`. */
const FIELD_FORMATS = new Set(['csv', 'json', 'summary']);

function parseSources(files: WorkspaceFiles, resolveMap: MapResolver, diagnostics: DiagnosticBag): { sources: SourceDoc[]; unclaimed: string[] } {
  const sources: SourceDoc[] = [];
  const unclaimed: string[] = [...files.looseEvidence];
  for (const folder of files.sources) {
    const id = folder.dir.split('/').pop()!;
    if (!folder.config) {
      diagnostics.report('source-config-missing', { file: folder.dir }, { args: { dir: folder.dir } });
      pushAll(unclaimed, folder.files);
      continue;
    }
    const configFile = folder.config.path;
    const parsed = parseYaml({ file: configFile, text: folder.config.text }, diagnostics);
    const config = parsed.ok ? validateWith(sourceSchema, parsed, configFile, diagnostics) : undefined;
    if (!config) {
      pushAll(unclaimed, folder.files);
      continue;
    }
    const adapter = adapterRegistry.get(config.format);
    if (!adapter) {
      diagnostics.report('unknown-format', { file: configFile, ...parsed.locate(['format']), field: 'format' }, {
        args: { format: config.format, suggestion: closest(config.format, knownFormats()), known: knownFormats().join(', ') },
      });
      pushAll(unclaimed, folder.files);
      continue;
    }
    // Generic options on tool formats would be silently ignored: refuse them.
    if (config.where.length && !ROW_FILTER_FORMATS.has(config.format)) {
      diagnostics.report('schema-invalid', { file: configFile, ...parsed.locate(['where'], { key: true }), field: 'where' }, {
        args: { detail: `\`where:\` is not supported by format \`${config.format}\`.`, hint: `Row filters apply to ${[...ROW_FILTER_FORMATS].join(' and ')} sources; filter the export in the tool instead, or map only the checks you want.` },
      });
    }
    if (Object.keys(config.fields).length && !FIELD_FORMATS.has(config.format)) {
      diagnostics.report('schema-invalid', { file: configFile, ...parsed.locate(['fields'], { key: true }), field: 'fields' }, {
        args: { detail: `Format \`${config.format}\` reads its own fields; \`fields:\` would be ignored.`, hint: 'Remove `fields:`; see docs/evidence-formats.md for what this format reads.' },
      });
    }
    const errorsBefore = diagnostics.errors.length;
    adapter.validateConfig?.(config, (field, message, hint) => {
      const path = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      diagnostics.report('schema-invalid', { file: configFile, ...parsed.locate(path), field }, { args: { detail: message, hint } });
    });
    config.map.forEach((rule, i) => {
      resolveMap(rule.controls, configFile, parsed, ['map', i, 'controls']);
      for (const key of ['check', 'resource'] as const) {
        const pattern = rule[key];
        const re = pattern ? /^\/(.+)\/([a-z]*)$/.exec(pattern) : null;
        if (!re) continue;
        try {
          new RegExp(re[1]!, re[2]!.replace(/[gy]/g, ''));
        } catch (e) {
          diagnostics.report('schema-invalid', { file: configFile, ...parsed.locate(['map', i, key]), field: `map[${i}].${key}` }, {
            args: { detail: `\`${pattern}\` is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')}).`, hint: 'Escape ( ) [ ] { } . * + ? with a backslash, or write a glob such as okta-* instead.' },
          });
        }
      }
    });
    if (diagnostics.errors.length > errorsBefore) {
      // The source cannot be read as configured: it is an error already, and its files are its own (not unclaimed).
      continue;
    }
    const patterns = config.files ?? adapter.defaultFiles;
    const isMatch = picomatch(patterns, { dot: false });
    const prefix = `${folder.dir}/`;
    const matched: string[] = [];
    const other: string[] = [];
    for (const p of folder.files) {
      const rel = p.slice(prefix.length);
      (isMatch(rel) ? matched : other).push(p);
    }
    if (matched.length === 0) {
      diagnostics.report('files-no-match', { file: configFile, ...parsed.locate(config.files ? ['files'] : ['format']), field: 'files' }, { args: { pattern: patterns.join(', ') } });
    }
    sources.push({ id, dir: folder.dir, configFile, config, files: matched.sort(compareStrings), otherFiles: other.sort(compareStrings) });
  }
  const ids = new Set(sources.map((s) => s.id));
  for (const s of sources) {
    const roster = s.config.roster;
    if (roster === undefined) continue;
    if (s.config.format !== 'acknowledgements') {
      diagnostics.report('schema-invalid', { file: s.configFile, field: 'roster' }, { args: { detail: '`roster:` applies to `format: acknowledgements` only.', hint: 'Remove it, or set format: acknowledgements.' } });
    } else if (!ids.has(roster)) {
      diagnostics.report('schema-invalid', { file: s.configFile, field: 'roster' }, {
        args: { detail: `No evidence source \`${roster}\` to use as the roster.`, hint: closest(roster, ids) ? `Did you mean \`${closest(roster, ids)}\`?` : `Sources: ${[...ids].join(', ')}.` },
      });
    }
  }
  return { sources: sources.sort((a, b) => compareStrings(a.id, b.id)), unclaimed: unclaimed.sort(compareStrings) };
}
