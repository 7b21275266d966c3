/**
 * npm run catalog:add -- <path-or-url> [--id <framework-id>] [--force]
 *
 * Adds an OSCAL catalog or profile (JSON) to the workspace as a framework:
 * validates it the way the build will (a profile must find its catalog in
 * content/frameworks/), writes it unchanged to content/frameworks/<id>.json and
 * says what to put in portal.yaml. Exit 0 when added (or already there), 2 on
 * invalid input. We ship no NIST text: download NIST's files yourself from the
 * NIST OSCAL content repository (https://github.com/usnistgov/oscal-content,
 * see https://pages.nist.gov/OSCAL/ and https://www.nist.gov/oscal). See docs/oscal.md.
 */
import { readdir, readFile, rename, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { DiagnosticBag } from '../src/core/diagnostics/diagnostic.ts';
import { readBuiltInCatalogs } from '../src/core/load/catalogs-fs.ts';
import { importOscalFrameworks } from '../src/core/oscal/catalog-import.ts';
import { suggestFrameworkId } from '../src/core/oscal/ids.ts';
import { printDiagnostics, workspaceRoot } from './lib/cli.ts';

const USAGE = `Usage: npm run catalog:add -- <file.json | https://...> [--id <framework-id>] [--force]

Adds an OSCAL catalog or profile in JSON to content/frameworks/ of the workspace
(COMPLIANCE_WORKSPACE, default: this repository). NIST publishes its catalogs and
baselines (SP 800-53, SP 800-171, CSF 2.0...) at https://github.com/usnistgov/oscal-content
under nist.gov/<publication>/json/. Add a catalog before the profiles that import it.

  --id <id>   framework id (default: from the file name, e.g. nist-sp-800-53-rev5-catalog)
  --force     replace a different file already saved under that id
`;

const MAX_BYTES = 64 * 1024 * 1024;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function fail(message: string, hint?: string): never {
  process.stderr.write(`catalog:add: ${message}\n${hint ? `  ${hint}\n` : ''}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { id: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
} catch (e) {
  fail((e as Error).message, USAGE);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (args.positionals.length !== 1) fail(args.positionals.length ? 'give one file or URL at a time.' : 'which file or URL?', USAGE);
const input = args.positionals[0]!;
const isUrl = /^https?:\/\//i.test(input);

const bytes = isUrl ? await download(input) : await readLocal(input);
let text: string;
try {
  text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
} catch {
  fail(`${input} is not UTF-8 text, so it is not an OSCAL JSON file.`);
}
if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

const id = args.values.id ?? suggestFrameworkId(isUrl ? new URL(input).pathname : input);
if (!ID.test(id)) fail(`\`${id}\` cannot be a framework id: use letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit.`, 'Choose one with --id, e.g. --id nist-800-53-rev5.');

const root = workspaceRoot();
const frameworksDir = path.join(root, 'content', 'frameworks');
const target = `content/frameworks/${id}.json`;
const builtIn = await readBuiltInCatalogs();
if (builtIn.some((f) => new RegExp(`^id:\\s*["']?${id.replace(/[.]/g, '\\.')}["']?\\s*$`, 'm').test(f.text))) {
  fail(`\`${id}\` is the id of a built-in framework.`, 'Choose another id with --id.');
}
let existingNames: string[] = [];
try {
  existingNames = (await readdir(frameworksDir)).sort();
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') fail(`cannot read ${frameworksDir}: ${(e as Error).message}`);
}
const yamlTwin = existingNames.find((n) => new RegExp(`^${id.replace(/[.]/g, '\\.')}\\.ya?ml$`, 'i').test(n));
if (yamlTwin) fail(`content/frameworks/${yamlTwin} already defines a framework file with the id \`${id}\`.`, 'Choose another id with --id.');

// Validate as the build will: together with the OSCAL files already in the workspace (a profile needs its catalog).
const others = [];
for (const n of existingNames.filter((n) => /\.json$/i.test(n) && `content/frameworks/${n}` !== target)) {
  others.push({ path: `content/frameworks/${n}`, text: await readFile(path.join(frameworksDir, n), 'utf8') });
}
const diagnostics = new DiagnosticBag();
const imported = importOscalFrameworks([...others, { path: target, text }], diagnostics).get(target);
const own = diagnostics.items.filter((d) => d.file === target).map((d) => ({ ...d, file: input }));
printDiagnostics(own);
if (!imported || own.some((d) => d.severity === 'error')) fail(`${input} was not added: fix the problems above.`);

const existing = existingNames.includes(`${id}.json`) ? await readFile(path.join(frameworksDir, `${id}.json`), 'utf8') : undefined;
const catalog = imported.catalog;
if (existing === text) {
  process.stdout.write(`${target} already holds this file (framework \`${id}\`, ${catalog.controls.length} controls); nothing to do.\n`);
} else {
  if (existing !== undefined && !args.values.force) fail(`${target} already exists with different content.`, 'Add --force to replace it, or choose another id with --id.');
  await mkdir(frameworksDir, { recursive: true });
  const tmp = path.join(frameworksDir, `.${id}.json.${process.pid}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, path.join(frameworksDir, `${id}.json`));
  const families = new Set(catalog.controls.map((c) => c.family).filter(Boolean)).size;
  process.stdout.write(
    [
      `Added framework \`${id}\` (OSCAL ${imported.kind}): ${catalog.name}, version ${catalog.version}`,
      `  ${catalog.controls.length} controls in ${families} families${imported.withdrawn ? ` (${imported.withdrawn} withdrawn left out)` : ''}`,
      ...(imported.resolvedFrom.length ? [`  resolved against ${imported.resolvedFrom.join(', ')}`] : []),
      `  written to ${target}`,
      '',
    ].join('\n'),
  );
}
const portalText = await readFile(path.join(root, 'content', 'portal.yaml'), 'utf8').catch(() => undefined);
process.stdout.write(portalAdvice(id, catalog.controls.slice(0, 2).map((c) => c.id), portalText));

/** What to add to portal.yaml (its current `frameworks` plus this one) and an example mapping. */
function portalAdvice(fw: string, examples: string[], portal: string | undefined): string {
  let inScope: string[] | undefined;
  try {
    const parsed = portal === undefined ? undefined : (YAML.parse(portal) as { frameworks?: unknown } | null);
    if (parsed && Array.isArray(parsed.frameworks)) inScope = parsed.frameworks.map(String);
  } catch {
    inScope = undefined;
  }
  const mapping = `and map policies to its controls, e.g. in a policy's frontmatter:\n  controls:\n    ${fw}: [${examples.join(', ')}]\n`;
  if (inScope?.includes(fw)) return `\`${fw}\` is already in scope in content/portal.yaml; map policies to its controls, e.g.:\n  controls:\n    ${fw}: [${examples.join(', ')}]\n`;
  return `To assess it, list it in content/portal.yaml:\n  frameworks: [${[...(inScope ?? []), fw].join(', ')}]\n${mapping}`;
}

async function readLocal(file: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path.resolve(file));
    if (buf.length > MAX_BYTES) fail(`${file} is larger than ${MAX_BYTES / 1024 / 1024} MB; that is not an OSCAL catalog.`);
    return buf;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    fail(err.code === 'ENOENT' ? `${file} does not exist.` : err.code === 'EISDIR' ? `${file} is a folder; give the catalog's JSON file.` : `cannot read ${file}: ${err.message}`);
  }
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    fail(`cannot download ${url}: ${cause ?? (e as Error).message}.`, 'Check the address and your connection, or download the file yourself and give its path.');
  }
  if (!res.ok) fail(`cannot download ${url}: HTTP ${res.status} ${res.statusText}.`, 'For NIST content, use the "Raw" link of the JSON file on GitHub (raw.githubusercontent.com/usnistgov/oscal-content/...).');
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_BYTES) fail(`${url} is larger than ${MAX_BYTES / 1024 / 1024} MB; that is not an OSCAL catalog.`);
  return buf;
}
