/**
 * OSCAL catalogs and profiles (JSON) as frameworks: a file in
 * content/frameworks/ ending `.json` becomes a Catalog in our schema
 * (src/core/schemas/catalog.ts). Pure: texts in, catalogs and located
 * diagnostics out. The mapping is documented in docs/oscal.md.
 *
 * - Framework id: the file name without `.json`; name and version from `metadata`.
 * - Groups become families (nested groups keep their parent); a control of
 *   class `category` with child controls (the CSF convention) is a family too.
 * - Controls and their enhancements (`controls[].controls[]`) are flattened;
 *   withdrawn ones (`props: name=status, value=withdrawn`) are skipped.
 * - Display ids: the control's `label` prop (`AC-2(1)`, `GV.OC-01`; `Title (03.01.01)`
 *   gives `03.01.01`), else the SP 800-53 form of the id (`ac-2.1` -> `AC-2(1)`), else the id.
 * - Description: the statement prose, item labels kept (`a.`, `1.`), parameters
 *   as placeholders in the NIST style (`[Assignment: organization-defined frequency]`).
 * - A profile is resolved against the catalog (or profile) its import names, when
 *   that file is in content/frameworks/ (matched by file name, see `catalogNameKey`).
 *
 * Readers are lenient where NIST's own files are (unknown fields, newlines in
 * labels) and strict where it matters: a control without id or title, a duplicate
 * id, a profile whose catalog is missing or that selects unknown controls are errors.
 */
import type { DiagnosticBag, Location } from '../diagnostics/diagnostic.ts';
import { catalogSchema, type Catalog, type CatalogControl } from '../schemas/catalog.ts';
import type { TextFile } from '../workspace.ts';
import { catalogNameKey, displayIdFromOscal, frameworkIdFromPath, rememberOscalIds, type OscalControlIds } from './ids.ts';
import { jsonSyntaxErrorLocation, jsonSyntaxErrorText, locateJsonPath, type JsonPath } from '../parse/json-locate.ts';

/** Files in content/frameworks/ that are read as OSCAL. */
export function isOscalFrameworkFile(path: string): boolean {
  return /\.json$/i.test(path);
}

type Obj = Record<string, unknown>;
type Family = Catalog['families'][number];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

export interface ImportedFramework {
  file: string;
  kind: 'catalog' | 'profile';
  catalog: Catalog;
  /** Withdrawn controls (and CSF categories) left out. */
  withdrawn: number;
  /** For a profile: the files it was resolved against. */
  resolvedFrom: string[];
}

/** One control (or grouping control) of a catalog, in document order. */
interface Entry {
  oscalId: string;
  displayId: string;
  raw: Obj;
  family?: string;
  /** OSCAL id of the parent control (for `with-child-controls`). */
  parent?: string;
  withdrawn: boolean;
  /** A CSF-style category: a family, not a control. */
  grouping: boolean;
  path: JsonPath;
}

/** What a catalog (or a resolved profile) offers: families, controls, parameters. */
interface Source {
  families: Family[];
  entries: Entry[];
  params: Map<string, Obj>;
}

interface Parsed {
  file: TextFile;
  doc: Obj;
  kind: 'catalog' | 'profile';
  root: Obj;
}

interface Ctx {
  diagnostics: DiagnosticBag;
  files: Map<string, Parsed>;
  /** Results per file: a Source, or null when the file had errors. */
  sources: Map<string, { source: Source; withdrawn: number; resolvedFrom: string[] } | null>;
}

/**
 * Imports every OSCAL file among `files` (all of content/frameworks/*.json, so
 * that profiles can find their catalogs). Returns the frameworks that are valid,
 * by file path; problems go to `diagnostics` with rule `catalog-invalid`.
 */
export function importOscalFrameworks(files: readonly TextFile[], diagnostics: DiagnosticBag): Map<string, ImportedFramework> {
  const ctx: Ctx = { diagnostics, files: new Map(), sources: new Map() };
  for (const f of files) {
    const parsed = parseDocument(f, diagnostics);
    if (parsed) ctx.files.set(f.path, parsed);
  }
  const out = new Map<string, ImportedFramework>();
  for (const parsed of ctx.files.values()) {
    const id = frameworkIdFromPath(parsed.file.path);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      report(ctx, parsed.file, [], `The file name \`${parsed.file.path.split('/').pop()}\` does not make a framework id: the id is the file name without \`.json\`.`, 'Rename the file to letters, digits, `.`, `_` and `-` only, e.g. `nist-800-53-rev5.json`.');
      continue;
    }
    const result = sourceOf(ctx, parsed, []);
    if (!result) continue;
    const metadata = parsed.root.metadata as Obj;
    const ids = new Map<string, OscalControlIds>();
    const catalog = toCatalog(ctx, parsed, id, metadata, result.source, ids);
    if (!catalog) continue;
    rememberOscalIds(catalog, ids);
    out.set(parsed.file.path, { file: parsed.file.path, kind: parsed.kind, catalog, withdrawn: result.withdrawn, resolvedFrom: result.resolvedFrom });
  }
  return out;
}

function report(ctx: Pick<Ctx, 'diagnostics'>, file: TextFile, path: JsonPath, detail: string, hint?: string, severity?: 'warning'): void {
  const at: Location = { file: file.path, ...locateJsonPath(file.text, path) };
  if (path.length) at.field = fieldName(path);
  ctx.diagnostics.report('catalog-invalid', at, {
    args: { detail },
    hint: hint ?? 'Use an OSCAL catalog or profile in JSON as NIST publishes it (see docs/oscal.md).',
    ...(severity ? { severity } : {}),
  });
}

function fieldName(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** JSON text -> an OSCAL catalog or profile document, or located errors. */
function parseDocument(file: TextFile, diagnostics: DiagnosticBag): Parsed | undefined {
  const ctx = { diagnostics };
  if (file.text.trim() === '') {
    diagnostics.report('catalog-invalid', { file: file.path, line: 1, column: 1 }, { args: { detail: 'The file is empty.' }, hint: 'Download the OSCAL catalog or profile again.' });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(file.text);
  } catch (e) {
    const message = (e as Error).message;
    diagnostics.report('catalog-invalid', { file: file.path, ...jsonSyntaxErrorLocation(message, file.text) }, {
      args: { detail: `Invalid JSON: ${jsonSyntaxErrorText(message)}.` },
      hint: 'A file in content/frameworks/ ending `.json` must be an OSCAL catalog or profile in JSON; download it again if it is truncated.',
    });
    return undefined;
  }
  if (!isObj(doc)) {
    report(ctx, file, [], 'This JSON file is not an OSCAL document: expected an object with a `catalog` or `profile` member.');
    return undefined;
  }
  const kind = isObj(doc.catalog) ? 'catalog' : isObj(doc.profile) ? 'profile' : undefined;
  if (!kind) {
    const other = Object.keys(doc).find((k) => ['component-definition', 'system-security-plan', 'assessment-plan', 'assessment-results', 'plan-of-action-and-milestones', 'mapping-collection'].includes(k));
    report(
      ctx,
      file,
      [],
      other
        ? `This is an OSCAL ${other}, not a catalog or profile.`
        : `This JSON file is not an OSCAL catalog or profile: its top-level members are ${Object.keys(doc).length ? Object.keys(doc).slice(0, 4).map((k) => `\`${k}\``).join(', ') + (Object.keys(doc).length > 4 ? ', ...' : '') : 'missing'}, expected \`catalog\` or \`profile\`.`,
      'Only OSCAL catalogs and profiles can define frameworks. Custom frameworks in our own format are YAML files (see docs/workspace-format.md).',
    );
    return undefined;
  }
  const root = doc[kind] as Obj;
  const metadata = root.metadata;
  let ok = true;
  if (!isObj(metadata)) {
    report(ctx, file, [kind], `The ${kind} has no \`metadata\`.`);
    return undefined;
  }
  if (!str(metadata.title)) {
    report(ctx, file, [kind, 'metadata'], 'The metadata has no `title` (used as the framework name).');
    ok = false;
  }
  if (!str(metadata.version) && typeof metadata.version !== 'number') {
    report(ctx, file, [kind, 'metadata'], 'The metadata has no `version`.');
    ok = false;
  }
  return ok ? { file, doc, kind, root } : undefined;
}

/** The families, controls and parameters a file offers (a profile: resolved). Memoised; `null` marks a file with errors. */
function sourceOf(ctx: Ctx, parsed: Parsed, stack: string[]): { source: Source; withdrawn: number; resolvedFrom: string[] } | undefined {
  const path = parsed.file.path;
  const known = ctx.sources.get(path);
  if (known !== undefined) return known ?? undefined;
  const result = parsed.kind === 'catalog' ? readCatalog(ctx, parsed) : resolveProfile(ctx, parsed, [...stack, path]);
  ctx.sources.set(path, result ?? null);
  return result;
}

function props(o: Obj): Obj[] {
  return arr(o.props).filter(isObj);
}

function hasProp(o: Obj, name: string, value: string): boolean {
  return props(o).some((p) => p.name === name && p.value === value);
}

function parts(o: Obj): Obj[] {
  return arr(o.parts).filter(isObj);
}

/** The display id of a group or control: see the module comment. */
function displayIdOf(o: Obj, oscalId: string | undefined): string | undefined {
  const labels = props(o).filter((p) => p.name === 'label' && typeof p.value === 'string');
  const label = (labels.find((p) => p.class === undefined) ?? labels[0])?.value as string | undefined;
  const title = typeof o.title === 'string' ? oneLine(o.title) : undefined;
  if (label) {
    const l = oneLine(label);
    const m = /^(.*\S)\s+\(([^()\s]+)\)$/.exec(l);
    if (m && title !== undefined && m[1] === title) return m[2];
    if (!/\s/.test(l)) return l;
  }
  return oscalId ? displayIdFromOscal(oscalId) : undefined;
}

function readCatalog(ctx: Ctx, parsed: Parsed): { source: Source; withdrawn: number; resolvedFrom: string[] } | undefined {
  const { file, root } = parsed;
  const families: Family[] = [];
  const familyIds = new Set<string>();
  const entries: Entry[] = [];
  const params = new Map<string, Obj>();
  let errors = 0;
  const fail = (path: JsonPath, detail: string, hint?: string) => {
    errors++;
    if (errors <= 20) report(ctx, file, path, detail, hint);
  };
  const addParams = (o: Obj) => {
    for (const p of arr(o.params)) {
      if (!isObj(p) || typeof p.id !== 'string') continue;
      params.set(p.id, p);
      // Older catalogs insert parameters by their alternative id (`ac-1_prm_1`).
      for (const alt of props(p)) if (alt.name === 'alt-identifier' && typeof alt.value === 'string' && !params.has(alt.value)) params.set(alt.value, p);
    }
  };
  addParams(root);

  // NIST's CSF 2.0 file of 2025-05 still lists the CSF 1.1 items that 2.0 withdrew, unmarked.
  // When a CSF file marks nothing withdrawn, a subcategory without implementation examples
  // and a category without statement prose are the withdrawn ones (this matches NIST's counts).
  const csfUnmarked = isCsf(root) && !anyWithdrawnMarker(root);
  const withdrawnOf = (c: Obj): boolean => {
    if (hasProp(c, 'status', 'withdrawn')) return true;
    if (!csfUnmarked) return false;
    if (c.class === 'subcategory') return !parts(c).some((p) => p.name === 'example');
    if (c.class === 'category') return !parts(c).some((p) => p.name === 'statement' && str(p.prose));
    return false;
  };

  const walkControls = (list: unknown, path: JsonPath, family: string | undefined, parent: string | undefined) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) return fail(path, '`controls` must be an array.');
    list.forEach((c, i) => {
      const p = [...path, i];
      if (!isObj(c)) return fail(p, 'A control must be an object.');
      const oscalId = str(c.id);
      if (!oscalId) return fail(p, 'This control has no `id`.');
      if (typeof c.title !== 'string' || !c.title.trim()) return fail([...p, 'title'], `Control \`${oscalId}\` has no \`title\`.`);
      addParams(c);
      const withdrawn = withdrawnOf(c);
      const grouping = c.class === 'category' && Array.isArray(c.controls) && c.controls.length > 0;
      const displayId = displayIdOf(c, oscalId)!;
      const entry: Entry = { oscalId, displayId, raw: c, withdrawn, grouping, path: p };
      if (family !== undefined) entry.family = family;
      if (parent !== undefined) entry.parent = parent;
      entries.push(entry);
      let childFamily = family;
      if (grouping && !withdrawn && !familyIds.has(displayId)) {
        familyIds.add(displayId);
        families.push({ id: displayId, title: oneLine(c.title), ...(family ? { parent: family } : {}) });
        childFamily = displayId;
      }
      walkControls(c.controls, [...p, 'controls'], childFamily, oscalId);
    });
  };
  const walkGroups = (list: unknown, path: JsonPath, parent: string | undefined) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) return fail(path, '`groups` must be an array.');
    list.forEach((g, i) => {
      const p = [...path, i];
      if (!isObj(g)) return fail(p, 'A group must be an object.');
      if (typeof g.title !== 'string' || !g.title.trim()) return fail([...p, 'title'], 'This group has no `title`.');
      if (hasProp(g, 'status', 'withdrawn')) return;
      addParams(g);
      const id = displayIdOf(g, str(g.id)) ?? oneLine(g.title);
      if (!familyIds.has(id)) {
        familyIds.add(id);
        families.push({ id, title: oneLine(g.title), ...(parent ? { parent } : {}) });
      }
      walkControls(g.controls, [...p, 'controls'], id, undefined);
      walkGroups(g.groups, [...p, 'groups'], id);
    });
  };
  walkGroups(root.groups, [parsed.kind, 'groups'], undefined);
  walkControls(root.controls, [parsed.kind, 'controls'], undefined, undefined);
  if (errors > 20) report(ctx, file, [], `${errors - 20} more problems in this catalog.`);
  if (errors) return undefined;

  // OSCAL ids are unique in a valid catalog; display ids must be too.
  const seen = new Map<string, Entry>();
  for (const e of entries) {
    const prior = seen.get(e.displayId);
    if (prior) {
      report(ctx, file, [...e.path, 'id'], `Control \`${e.oscalId}\` has the id \`${e.displayId}\`, which control \`${prior.oscalId}\` already uses.`, 'Each control needs its own id (its `label` prop, else its `id`).');
      errors++;
    }
    seen.set(e.displayId, e);
  }
  if (errors) return undefined;
  const withdrawn = entries.filter((e) => e.withdrawn && !e.grouping).length;
  return { source: { families, entries, params }, withdrawn, resolvedFrom: [] };
}

function isCsf(root: Obj): boolean {
  const m = isObj(root.metadata) ? root.metadata : {};
  return props(m).some((p) => p.name === 'framework-identifier' && p.value === 'CSF');
}

function anyWithdrawnMarker(root: Obj): boolean {
  const visit = (list: unknown): boolean =>
    arr(list).some((c) => isObj(c) && (hasProp(c, 'status', 'withdrawn') || visit(c.controls) || visit(c.groups)));
  return visit(root.groups) || visit(root.controls);
}

/** Candidate file names an import points to: its href, or the rlinks of the back-matter resource `#uuid` names. */
function importTargets(root: Obj, href: string): string[] {
  if (href.startsWith('#')) {
    const uuid = href.slice(1);
    const backMatter = isObj(root['back-matter']) ? root['back-matter'] : {};
    const res = arr(backMatter.resources).find((r) => isObj(r) && r.uuid === uuid) as Obj | undefined;
    if (!res) return [];
    return arr(res.rlinks)
      .filter(isObj)
      .map((l) => str(l.href))
      .filter((h): h is string => !!h);
  }
  return [href];
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function resolveProfile(ctx: Ctx, parsed: Parsed, stack: string[]): { source: Source; withdrawn: number; resolvedFrom: string[] } | undefined {
  const { file, root } = parsed;
  const imports = root.imports;
  if (!Array.isArray(imports) || imports.length === 0) {
    report(ctx, file, ['profile'], 'The profile has no `imports`: it must import at least one catalog.');
    return undefined;
  }
  const families: Family[] = [];
  const familyIds = new Set<string>();
  const entries: Entry[] = [];
  const taken = new Set<string>();
  const params = new Map<string, Obj>();
  const resolvedFrom: string[] = [];
  let withdrawn = 0;
  let ok = true;

  imports.forEach((imp, i) => {
    const p: JsonPath = ['profile', 'imports', i];
    if (!isObj(imp) || !str(imp.href)) {
      report(ctx, file, p, 'This import has no `href` naming the catalog it selects from.');
      ok = false;
      return;
    }
    const href = imp.href as string;
    const targets = importTargets(root, href);
    const keys = new Set(targets.map(catalogNameKey).filter(Boolean));
    const target = [...ctx.files.values()].find((f) => f.file.path !== file.path && keys.has(catalogNameKey(f.file.path)));
    if (!target) {
      const names = targets.map((t) => t.split(/[\\/]/).pop()!).filter((n, k, all) => all.indexOf(n) === k);
      const wanted = [...keys][0];
      report(
        ctx,
        file,
        [...p, 'href'],
        targets.length
          ? `This profile imports ${names.map((n) => `\`${n}\``).join(' / ')}, which is not in content/frameworks/.`
          : `This profile imports \`${href}\`, which names no resource in its back-matter.`,
        wanted
          ? `Download that catalog (NIST publishes theirs at https://github.com/usnistgov/oscal-content) and add it with \`npm run catalog:add -- <file>\`, so that it is saved as content/frameworks/${wanted}.json; or use the resolved-profile catalog NIST publishes beside the profile.`
          : 'Use a resolved-profile catalog instead, or fix the import.',
      );
      ok = false;
      return;
    }
    if (stack.includes(target.file.path)) {
      report(ctx, file, [...p, 'href'], `This profile imports itself through \`${target.file.path}\` (a cycle).`, 'Remove the cyclic import.');
      ok = false;
      return;
    }
    const src = sourceOf(ctx, target, stack);
    if (!src) {
      report(ctx, file, [...p, 'href'], `This profile imports ${target.file.path}, which has errors (see them above).`, 'Fix that file first.');
      ok = false;
      return;
    }
    resolvedFrom.push(target.file.path, ...src.resolvedFrom);
    for (const [k, v] of src.source.params) if (!params.has(k)) params.set(k, v);
    const byId = new Map(src.source.entries.map((e) => [e.oscalId, e]));
    const children = new Map<string, Entry[]>();
    for (const e of src.source.entries) if (e.parent) (children.get(e.parent) ?? children.set(e.parent, []).get(e.parent)!).push(e);
    const descendants = (id: string, into: Set<string>) => {
      for (const c of children.get(id) ?? []) {
        into.add(c.oscalId);
        descendants(c.oscalId, into);
      }
    };
    const select = (selectors: unknown, path: JsonPath): Set<string> => {
      const out = new Set<string>();
      arr(selectors).forEach((sel, j) => {
        if (!isObj(sel)) return;
        const withChildren = sel['with-child-controls'] === 'yes';
        const add = (id: string) => {
          out.add(id);
          if (withChildren) descendants(id, out);
        };
        const ids = arr(sel['with-ids']).filter((x): x is string => typeof x === 'string');
        const unknown = ids.filter((id) => !byId.has(id));
        if (unknown.length) {
          report(
            ctx,
            file,
            [...path, j, 'with-ids'],
            `${unknown.length} control id${unknown.length > 1 ? 's' : ''} selected here ${unknown.length > 1 ? 'are' : 'is'} not in ${target.file.path}: ${unknown.slice(0, 8).map((x) => `\`${x}\``).join(', ')}${unknown.length > 8 ? ', ...' : ''}.`,
            'The profile and the catalog are probably different releases: download both from the same release.',
          );
          ok = false;
        }
        ids.filter((id) => byId.has(id)).forEach(add);
        for (const m of arr(sel.matching)) {
          const pattern = isObj(m) ? str(m.pattern) : undefined;
          if (!pattern) continue;
          const re = globToRegExp(pattern);
          for (const e of src.source.entries) if (re.test(e.oscalId)) add(e.oscalId);
        }
      });
      return out;
    };
    let chosen: Set<string>;
    if (isObj(imp['include-all'])) chosen = new Set(byId.keys());
    else if (Array.isArray(imp['include-controls'])) chosen = select(imp['include-controls'], [...p, 'include-controls']);
    else {
      report(ctx, file, p, 'This import selects no controls: it needs `include-all` or `include-controls`.');
      ok = false;
      return;
    }
    for (const id of select(imp['exclude-controls'], [...p, 'exclude-controls'])) chosen.delete(id);
    for (const e of src.source.entries) {
      if (!chosen.has(e.oscalId) || taken.has(e.oscalId)) continue;
      taken.add(e.oscalId);
      entries.push(e);
      if (e.withdrawn && !e.grouping) withdrawn++;
    }
    for (const f of src.source.families) {
      if (!familyIds.has(f.id)) {
        familyIds.add(f.id);
        families.push(f);
      }
    }
  });
  if (!ok) return undefined;

  // Parameters the profile sets (label, values, select) replace the catalog's.
  const modify = isObj(root.modify) ? root.modify : {};
  for (const sp of arr(modify['set-parameters'])) {
    if (!isObj(sp) || typeof sp['param-id'] !== 'string') continue;
    const base = params.get(sp['param-id']) ?? { id: sp['param-id'] };
    const merged: Obj = { ...base };
    for (const k of ['label', 'values', 'select', 'guidelines', 'usage'] as const) if (sp[k] !== undefined) merged[k] = sp[k];
    params.set(sp['param-id'], merged);
  }
  const alters = arr(modify.alters).length;
  if (alters) {
    report(ctx, file, ['profile', 'modify', 'alters'], `This profile alters ${alters} control${alters > 1 ? 's' : ''}; the alterations are not applied (the catalog's text is shown).`, 'Use the resolved-profile catalog if the altered text matters.', 'warning');
  }
  // Keep only families that selected controls use, with their ancestors.
  const used = new Set<string>();
  const byFamily = new Map(families.map((f) => [f.id, f]));
  for (const e of entries) {
    if (e.withdrawn) continue;
    for (let f = e.grouping ? e.displayId : e.family; f && !used.has(f); f = byFamily.get(f)?.parent) used.add(f);
  }
  return { source: { families: families.filter((f) => used.has(f.id)), entries, params }, withdrawn, resolvedFrom: [...new Set(resolvedFrom)] };
}

/** A Source as a Catalog in our schema (validated by the real schema). */
function toCatalog(ctx: Ctx, parsed: Parsed, id: string, metadata: Obj, source: Source, ids: Map<string, OscalControlIds>): Catalog | undefined {
  const render = makeRenderer(source.params);
  const familyIds = new Set(source.families.map((f) => f.id));
  const controls: CatalogControl[] = [];
  for (const e of source.entries) {
    if (e.withdrawn || e.grouping) continue;
    const statement = parts(e.raw).find((p) => p.name === 'statement');
    const description = statement ? render.part(statement) : undefined;
    let title = oneLine(e.raw.title as string);
    // CSF subcategories are titled with their id; their statement says what they are.
    if ((title === e.displayId || title === e.oscalId) && description) title = shorten(description.split('\n')[0]!, 120);
    const control: CatalogControl = { id: e.displayId, title };
    if (e.family && familyIds.has(e.family)) control.family = e.family;
    if (description) control.description = description;
    const examples = parts(e.raw)
      .filter((p) => p.name === 'example' && typeof p.prose === 'string')
      .map((p) => render.text(p.prose as string))
      .filter(Boolean);
    if (examples.length) control.pointsOfFocus = examples;
    controls.push(control);
    ids.set(e.displayId, { controlId: e.oscalId, ...(statement && typeof statement.id === 'string' ? { statementId: statement.id } : {}) });
  }
  if (controls.length === 0) {
    report(ctx, parsed.file, [parsed.kind], `The ${parsed.kind} has no controls${source.entries.length ? ' that are not withdrawn' : ''}.`);
    return undefined;
  }
  const candidate = {
    id,
    name: oneLine(metadata.title as string),
    version: oneLine(String(metadata.version)),
    ...(publisherOf(metadata) ? { publisher: publisherOf(metadata) } : {}),
    families: source.families,
    controls,
  };
  const result = catalogSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    report(ctx, parsed.file, [], `The imported catalog is not usable: ${issue.path.join('.') || 'catalog'}: ${issue.message}.`);
    return undefined;
  }
  return result.data;
}

function publisherOf(metadata: Obj): string | undefined {
  const parties = arr(metadata.parties).filter(isObj);
  const rp = arr(metadata['responsible-parties']).filter(isObj).find((r) => r['role-id'] === 'publisher');
  const uuid = rp ? arr(rp['party-uuids'])[0] : undefined;
  const party = parties.find((p) => p.uuid === uuid);
  return party ? str(party.name) : undefined;
}

function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

/** Item labels as printed: `a.`, `1.`, `(a)`; id-like labels (`SR-03.01.01.c.01`, SP 800-171) become their last segment (`1.`). */
function itemLabel(label: string): string {
  const m = /^\S+\.([A-Za-z]|\d+)$/.exec(label);
  if (!m || label.length <= 4) return label;
  return `${/^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]}.`;
}

const INSERT = /\{\{\s*insert:\s*param\s*,\s*([^\s}]+)\s*\}\}/g;

/** Renders prose with parameters as placeholders, and statement parts as labelled lines. */
function makeRenderer(params: ReadonlyMap<string, Obj>) {
  const param = (id: string, depth: number): string => {
    const p = params.get(id);
    if (!p) return `[Assignment: ${id}]`;
    const values = arr(p.values).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    if (values.length) return values.map(oneLine).join(', ');
    if (isObj(p.select)) {
      const choices = arr(p.select.choice).filter((c): c is string => typeof c === 'string').map((c) => text(c, depth + 1));
      const many = p.select['how-many'] === 'one-or-more' ? ' (one or more)' : '';
      return `[Selection${many}: ${choices.join('; ')}]`;
    }
    const usage = str(p.usage);
    if (usage && /^organization-defined\b/i.test(oneLine(usage))) return `[Assignment: ${oneLine(usage)}]`;
    const label = str(p.label);
    if (label) return `[Assignment: ${/^organization-defined\b/i.test(oneLine(label)) ? '' : 'organization-defined '}${oneLine(label)}]`;
    const guidelines = arr(p.guidelines).filter(isObj).map((g) => str(g.prose)).filter((g): g is string => !!g);
    return `[Assignment: ${guidelines.length ? oneLine(guidelines.join(' ')) : id}]`;
  };
  const text = (prose: string, depth = 0): string => oneLine(depth > 4 ? prose : prose.replace(INSERT, (_, id: string) => param(id, depth)));
  const part = (p: Obj): string | undefined => {
    const lines: string[] = [];
    const visit = (q: Obj) => {
      const label = props(q).find((x) => x.name === 'label' && typeof x.value === 'string')?.value as string | undefined;
      const prose = typeof q.prose === 'string' ? text(q.prose) : '';
      const line = [label ? itemLabel(oneLine(label)) : '', prose].filter(Boolean).join(' ');
      if (prose) lines.push(line);
      for (const child of parts(q)) visit(child);
    };
    visit(p);
    return lines.length ? lines.join('\n') : undefined;
  };
  return { text, part };
}
