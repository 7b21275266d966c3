/**
 * `format: prowler-csv`: Prowler's CSV exports, streamed (they reach hundreds of
 * MB). The header says which of three shapes a file is:
 *
 * - Prowler 4/5 main output (`;`, 42+ columns): CHECK_ID, STATUS
 *   (PASS/FAIL/MANUAL), MUTED (True/False), TIMESTAMP, RESOURCE_UID,
 *   COMPLIANCE (`CIS-2.0: 1.20 | SOC2: cc_6_1, cc_7_2`), PROWLER_VERSION...
 * - Prowler 3 main output: ASSESSMENT_START_TIME, CHECK_ID, STATUS
 *   (PASS/FAIL/INFO, WARNING for allowlisted findings), RESOURCE_ARN /
 *   RESOURCE_ID, COMPLIANCE (same cell syntax); no MUTED column.
 * - A per-framework compliance CSV (`output/compliance/<name>_<framework>_<provider>.csv`):
 *   one row per requirement result, with REQUIREMENTS_ID, STATUS, CHECKID,
 *   MUTED, ASSESSMENTDATE, RESOURCEID and (Prowler 4.3+) FRAMEWORK. The
 *   record's check is the Prowler check; its tool reference is the requirement.
 */
import type { EvidenceAdapter, EvidenceRecord } from '../types.ts';
import { streamCsv } from './csv.ts';
import { detach } from '../../util/memory.ts';
import { parseComplianceCell, parseMuted, prowlerInstant, prowlerResult, rowDiagnostics, validateProwlerConfig, type ToolRefs } from './prowler.ts';

type Shape = 'v4' | 'v3' | 'compliance';

const SHAPE_NAMES: Record<Shape, string> = {
  v4: 'Prowler 4/5 CSV',
  v3: 'Prowler 3 CSV',
  compliance: 'Prowler compliance CSV',
};

/** Column names per shape; the first one present wins where several are listed. */
const COLUMNS: Record<Shape, { check: string; status: string; collected: string; muted?: string; resource: string[]; severity?: string; title?: string; message: string; compliance?: string; version?: string }> = {
  v4: { check: 'CHECK_ID', status: 'STATUS', collected: 'TIMESTAMP', muted: 'MUTED', resource: ['RESOURCE_UID', 'RESOURCE_NAME'], severity: 'SEVERITY', title: 'CHECK_TITLE', message: 'STATUS_EXTENDED', compliance: 'COMPLIANCE', version: 'PROWLER_VERSION' },
  v3: { check: 'CHECK_ID', status: 'STATUS', collected: 'ASSESSMENT_START_TIME', resource: ['RESOURCE_ARN', 'RESOURCE_ID', 'RESOURCE_NAME'], severity: 'SEVERITY', title: 'CHECK_TITLE', message: 'STATUS_EXTENDED', compliance: 'COMPLIANCE' },
  compliance: { check: 'CHECKID', status: 'STATUS', collected: 'ASSESSMENTDATE', muted: 'MUTED', resource: ['RESOURCEID', 'RESOURCENAME'], message: 'STATUSEXTENDED' },
};

/** Providers Prowler puts at the end of compliance file names (`soc2_aws.csv`). */
const PROVIDER_SUFFIX = /_(aws|azure|gcp|kubernetes|m365|microsoft365|github|googleworkspace|oraclecloud|oci|alibabacloud|nhn|mongodbatlas|iac|llm|okta)$/;

function headerName(cell: string): string {
  return cell.replace(/^\uFEFF/, '').trim().toUpperCase();
}

function detectShape(has: (name: string) => boolean): Shape | undefined {
  if (has('CHECK_ID') && has('STATUS') && has('TIMESTAMP')) return 'v4';
  if (has('CHECK_ID') && has('STATUS') && has('ASSESSMENT_START_TIME')) return 'v3';
  if (has('CHECKID') && has('STATUS') && (has('REQUIREMENTS_ID') || has('REQUIREMENTS_ATTRIBUTES_OBJETIVE_ID'))) return 'compliance';
  return undefined;
}

/** The file name without folders and `.csv`, lower case. */
function baseName(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.csv$/i, '').toLowerCase();
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The framework of a compliance CSV as Prowler names it in its other outputs
 * (`ISO27001-2022`, `CIS-2.0`, `SOC2`): the FRAMEWORK column carries the name
 * without the version, which only the file name (`..._iso27001_2022_aws.csv`)
 * carries. Without a FRAMEWORK column (before Prowler 4.3) the file name's
 * framework part (`iso27001_2022`) is used.
 */
export function complianceFramework(file: string, frameworkColumn: string | undefined): string | undefined {
  const base = baseName(file);
  const fw = frameworkColumn?.trim();
  if (fw) {
    const key = fw.toLowerCase().replace(/[^a-z0-9.]+/g, '_');
    const m = new RegExp(`(?:^|_)${escapeRe(key)}_(\\d+(?:\\.\\d+)*)(?=_|$)`).exec(base);
    return m && !fw.endsWith(m[1]!) ? `${fw}-${m[1]}` : fw;
  }
  const underscore = base.indexOf('_');
  if (underscore === -1) return undefined;
  const stem = base.slice(underscore + 1).replace(PROVIDER_SUFFIX, '');
  return stem || undefined;
}

function headerHint(cells: string[], delimiter: string): string {
  const first = (cells[0] ?? '').replace(/^\uFEFF/, '').trim();
  if (first.startsWith('[') || first.startsWith('{')) return 'This looks like JSON: use `format: prowler-ocsf` for Prowler\'s `*.ocsf.json` output or `format: prowler-json` for Prowler 3 JSON.';
  if (cells.length === 1 && /[,\t|]/.test(first)) return `The header has a single column, so the file is not \`${delimiter}\`-delimited. Prowler writes \`;\`; if the file was re-saved with another delimiter, set \`delimiter:\` in source.yaml.`;
  return 'Point this source at Prowler\'s CSV output (`prowler <provider> -M csv`) or a file from its `compliance/` folder.';
}

export const prowlerCsvAdapter: EvidenceAdapter = {
  format: 'prowler-csv',
  description: 'Prowler CSV: the main output of Prowler 3, 4 and 5 (`;`-delimited) or one of its per-framework compliance CSVs.',
  defaultFiles: ['**/*.csv'],
  validateConfig(source, report) {
    validateProwlerConfig(source, report, { csv: true });
  },
  async read(chunks, ctx) {
    const delimiter = ctx.source.delimiter ?? ';';
    const issues = rowDiagnostics(ctx);
    let width = 0;
    let shape: Shape | undefined;
    let idx = new Map<string, number>();
    const col = (name: string | undefined) => (name === undefined ? undefined : idx.get(name));
    let c: {
      check: number; status: number; collected: number; muted?: number; resource: number[]; severity?: number; title?: number; message?: number;
      compliance?: number; version?: number; requirement?: number; framework?: number;
    } | undefined;
    const frameworks = new Map<string, string | undefined>();
    const complianceCells = new Map<string, ToolRefs>();
    let rowCells: string[] = [];
    const cell = (i: number | undefined) => (i === undefined ? undefined : rowCells[i]);
    let lastCollectedRaw: string | undefined | null = null;
    let lastCollected: string | undefined;
    let lastStatus: string | undefined | null = null; // null: no row yet
    let lastMutedRaw: string | undefined;
    let lastMuted: boolean | undefined = false;
    let lastResult: ReturnType<typeof prowlerResult> = { result: 'not-evaluated', known: true };
    let missingFramework = false;
    let rows = 0;
    let collectedColumn = '';
    let headerLine = 1;

    await streamCsv(chunks, ctx, {
      header(cells, line) {
        headerLine = line;
        width = cells.length;
        idx = new Map();
        cells.forEach((cell, i) => {
          const n = headerName(cell);
          if (!idx.has(n)) idx.set(n, i);
        });
        shape = detectShape((n) => idx.has(n));
        if (!shape) {
          let found = cells.slice(0, 8).map((x) => headerName(x)).filter(Boolean).join(', ');
          if (found.length > 200) found = `${found.slice(0, 200)}...`;
          ctx.diagnostics.report('evidence-parse', { file: ctx.file, line, column: 1 }, {
            args: {
              detail: `the header is not a Prowler CSV header: expected CHECK_ID, STATUS and TIMESTAMP (Prowler 4/5), CHECK_ID, STATUS and ASSESSMENT_START_TIME (Prowler 3) or CHECKID, STATUS and REQUIREMENTS_ID (a Prowler compliance CSV); found ${found ? `${found}${cells.length > 8 ? ', ...' : ''}` : 'no columns'}`,
              hint: headerHint(cells, delimiter),
            },
          });
          return false;
        }
        const names = COLUMNS[shape];
        c = {
          check: col(names.check)!,
          status: col(names.status)!,
          collected: col(names.collected)!,
          resource: names.resource.map((n) => col(n)).filter((i): i is number => i !== undefined),
        };
        const optional = { muted: names.muted, severity: names.severity, title: names.title, message: names.message, compliance: names.compliance, version: names.version } as const;
        for (const [k, n] of Object.entries(optional)) {
          const i = col(n);
          if (i !== undefined) (c as Record<string, unknown>)[k] = i;
        }
        if (shape === 'compliance') {
          const req = col('REQUIREMENTS_ID') ?? col('REQUIREMENTS_ATTRIBUTES_OBJETIVE_ID');
          if (req !== undefined) c.requirement = req;
          const fw = col('FRAMEWORK');
          if (fw !== undefined) c.framework = fw;
        }
        collectedColumn = names.collected;
        return true;
      },
      row(cells, line) {
        if (!c || !shape) return;
        rows++;
        if (cells.length !== width) {
          issues.error({ line }, `this row has ${cells.length} cells; the ${SHAPE_NAMES[shape]} header has ${width}`,
            cells.length < width
              ? 'A row cut short: if it is the last row, the file looks truncated; re-run the export (a partial file is never read as zero findings).'
              : 'A cell with `;` or a line break inside must be quoted; re-export the file from Prowler instead of editing it.');
          ctx.emit({ check: '', result: 'not-evaluated', line });
          return;
        }
        rowCells = cells;
        const check = cell(c.check)?.trim() ?? '';
        const status = cell(c.status);
        const mutedRaw = cell(c.muted);
        // STATUS and MUTED repeat a few words: the last pair answers without parsing them again.
        if (status !== lastStatus || mutedRaw !== lastMutedRaw) {
          lastStatus = status;
          lastMutedRaw = mutedRaw;
          lastMuted = parseMuted(mutedRaw);
          lastResult = prowlerResult(status, lastMuted ?? false);
        }
        if (lastMuted === undefined) {
          issues.warn({ line, field: 'MUTED' }, `MUTED is \`${mutedRaw}\`, not True or False; the row is read as not muted.`);
        }
        const { result, known } = lastResult;
        if (!known) {
          issues.warn({ line, field: 'STATUS' }, `STATUS \`${status ?? ''}\` is not PASS, FAIL or MANUAL; the row is counted as not evaluated.`);
        }
        if (!check) issues.warn({ line, field: COLUMNS[shape].check }, 'This row has no check id; it is counted as not evaluated.');
        const rec: EvidenceRecord = { check, result, line };
        if (status !== undefined && status.trim()) rec.rawResult = status.trim();
        for (const i of c.resource) {
          const v = cells[i]?.trim();
          if (v) {
            rec.resource = v;
            break;
          }
        }
        const severity = cell(c.severity)?.trim();
        if (severity) rec.severity = severity;
        const title = cell(c.title)?.trim();
        if (title) rec.title = title;
        const message = cell(c.message)?.trim();
        if (message) rec.message = message;
        const collectedRaw = cell(c.collected);
        if (collectedRaw !== lastCollectedRaw) {
          lastCollectedRaw = collectedRaw;
          lastCollected = prowlerInstant(collectedRaw);
        }
        const collected = lastCollected;
        if (collected) {
          rec.collectedAt = collected;
          ctx.meta.collectedAtFrom ??= `column ${collectedColumn}`;
        }
        let refs: ToolRefs = [];
        if (shape === 'compliance') {
          const requirement = cell(c.requirement)?.trim();
          const fwCell = cell(c.framework)?.trim() ?? '';
          let framework = frameworks.get(fwCell);
          if (!frameworks.has(fwCell)) {
            framework = complianceFramework(ctx.file, fwCell || undefined);
            frameworks.set(detach(fwCell), framework);
          }
          if (requirement && framework) refs = [{ framework, control: requirement }];
          else if (requirement && !missingFramework) {
            missingFramework = true;
            issues.warn({ line, field: 'FRAMEWORK' }, 'This compliance CSV has no FRAMEWORK column and its file name does not say the framework; its requirement references are left out.', 'Keep Prowler\'s file name (`<output>_<framework>_<provider>.csv`), or use `map:` rules.');
          }
        } else {
          // Rows of one check repeat one compliance cell: parsed once, and the same array handed out
          // (ingestion then maps a (check, references) pair once).
          const text = cell(c.compliance) ?? '';
          let parsed = complianceCells.get(text);
          if (!parsed) {
            if (complianceCells.size >= 4096) complianceCells.clear();
            const own = detach(text);
            complianceCells.set(own, (parsed = parseComplianceCell(own)));
          }
          refs = parsed;
        }
        if (refs.length) rec.toolRefs = refs;
        if (!ctx.meta.toolVersion) {
          const version = cell(c.version)?.trim();
          if (version) ctx.meta.toolVersion = detach(version);
        }
        ctx.emit(rec);
      },
    }, { delimiter });
    if (shape && rows === 0) {
      ctx.diagnostics.report('evidence-record-invalid', { file: ctx.file, line: headerLine }, {
        args: { detail: `The ${SHAPE_NAMES[shape]} has a header but no findings.`, hint: 'Prowler writes a file only when it has findings: check that the scan completed.' },
      });
    }
    issues.finish();
  },
};
