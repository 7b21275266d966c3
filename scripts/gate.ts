/**
 * npm run gate: checks dist/report.json (or --report <file>) against the
 * `gate:` rules in content/portal.yaml. Exit 0 when the rules hold, 1 when
 * they do not, 2 when the report, the baseline or the configuration is invalid.
 * With --baseline <previous report.json> (or COMPLIANCE_BASELINE) the
 * regression rule compares against it; else it reads changes.json beside the report.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DiagnosticBag } from '../src/core/diagnostics/diagnostic.ts';
import { parseYaml, validateWith } from '../src/core/parse/yaml.ts';
import { baselineSchema, diffReports, type Changes } from '../src/core/report/changes.ts';
import { evaluateGate } from '../src/core/report/gate.ts';
import type { Report } from '../src/core/report/report.ts';
import { portalSchema } from '../src/core/schemas/portal.ts';
import { outDir, printDiagnostics, workspaceRoot } from './lib/cli.ts';

const { values: args } = parseArgs({ options: { report: { type: 'string' }, baseline: { type: 'string' } } });
const reportFile = path.resolve(args.report ?? path.join(outDir(), 'report.json'));
const baselineFile = args.baseline ?? process.env.COMPLIANCE_BASELINE;
const github = process.env.GITHUB_ACTIONS === 'true';

function invalid(message: string): never {
  process.stderr.write(`gate: ${message}\n`);
  process.exit(2);
}

async function readJson(file: string, what: string): Promise<unknown> {
  if (!existsSync(file)) invalid(`${what} ${file} not found${what === 'report' ? ': run `npm run build` first, or pass --report <file>' : ''}.`);
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    return invalid(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

const raw = await readJson(reportFile, 'report');
const shape = baselineSchema.safeParse(raw);
if (!shape.success) invalid(`${reportFile} is not a report.json of schemaVersion 1 (${shape.error.issues[0]?.path.join('.')}: ${shape.error.issues[0]?.message}).`);
const report = raw as Report;

const portalFile = path.join(workspaceRoot(), 'content/portal.yaml');
const diagnostics = new DiagnosticBag();
const parsed = parseYaml({ file: 'content/portal.yaml', text: existsSync(portalFile) ? await readFile(portalFile, 'utf8') : '' }, diagnostics);
const portal = parsed.ok ? validateWith(portalSchema, parsed, 'content/portal.yaml', diagnostics) : undefined;
if (!portal || diagnostics.hasErrors) {
  printDiagnostics(diagnostics.items);
  invalid('the gate configuration in content/portal.yaml is invalid.');
}

let changes: Changes | undefined;
if (baselineFile) {
  const base = baselineSchema.safeParse(await readJson(path.resolve(baselineFile), 'baseline'));
  if (!base.success) invalid(`baseline ${baselineFile} is not a report.json of schemaVersion 1 (${base.error.issues[0]?.path.join('.')}: ${base.error.issues[0]?.message}).`);
  changes = diffReports(base.data, report);
} else {
  const beside = path.join(path.dirname(reportFile), 'changes.json');
  if (existsSync(beside)) changes = (await readJson(beside, 'changes')) as Changes;
}

const result = evaluateGate(report, portal.gate, changes);
if (result.checked.length === 0) {
  process.stdout.write('gate: no rules set (add `gate:` to content/portal.yaml); passing.\n');
  process.exit(0);
}
for (const b of result.breaches) {
  const where = b.file ? `${b.file}: ` : '';
  process.stdout.write(`✗ [${b.rule}] ${where}${b.message}\n`);
  if (github) {
    const props = [b.file ? `file=${b.file}` : '', `title=compliance gate: ${b.rule}`].filter(Boolean).join(',');
    process.stdout.write(`::error ${props}::${b.message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  }
}
process.stdout.write(`\nRules checked:\n${result.checked.map((c) => `  - ${c}`).join('\n')}\n`);
process.stdout.write(result.ok ? 'gate: passed\n' : `gate: FAILED with ${result.breaches.length} breach${result.breaches.length === 1 ? '' : 'es'}\n`);
process.exit(result.ok ? 0 : 1);
