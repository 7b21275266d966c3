/**
 * `format: kube-bench`: kube-bench JSON (`kube-bench --json`).
 *
 * Shapes (detected, not configured):
 * - v0.5.0 and later: one object `{"Controls": [...], "Totals": {...}}`;
 * - older: a list of Controls sections, or one Controls object per target, several
 *   of them one after another in the same file (read as a stream of documents).
 *
 * Each `Controls[].tests[].results[]` entry is one record: check = `test_number`
 * (e.g. `1.1.1`), title = `test_desc`, message = `remediation`, resource = the
 * section's `node_type` (`master`, `node`, `etcd`...). Status PASS/FAIL are
 * pass/fail; WARN (manual or unscored checks) and INFO are not evaluated.
 *
 * kube-bench writes no collection time and no version of itself: set
 * `collectedAt:` in source.yaml. `Totals` are not checked against the results
 * (trimmed reports do not keep them in step). Outputs are small (a few hundred
 * checks), but the file is still streamed with the shared walker, which also
 * reads several documents in a row and locates errors by line.
 */
import type { AdapterContext, EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { describeJson, listField, shown, problemReporter, record, reportWalkError, text, walkJson, type MemberMode, type ProblemReporter } from './trivy.ts';

const STATUS: Record<string, NormalisedResult> = { PASS: 'pass', FAIL: 'fail', WARN: 'not-evaluated', INFO: 'not-evaluated' };

const HINT = 'Export with `kube-bench --json` (or `kube-bench run --json`), or check `format:` in source.yaml.';

/** Members of a root object worth reading: the wrapper's and a bare Controls section's. */
const MEMBERS = new Set(['Totals', 'id', 'version', 'detected_version', 'text', 'node_type', 'tests', 'total_pass', 'total_fail', 'total_warn', 'total_info']);

function select(key: string): MemberMode {
  if (key === 'Controls' || key === '') return 'items';
  return MEMBERS.has(key) ? 'value' : 'skip';
}

function readControls(c: unknown, field: string, line: number, ctx: AdapterContext, problems: ProblemReporter): void {
  const controls = record(c);
  if (!controls) {
    problems.error('Controls not an object', { line, field }, `\`${field}\` should be a Controls section (an object) but is ${describeJson(c)}`, HINT);
    return;
  }
  if (!('tests' in controls)) {
    problems.error('Controls without tests', { line, field }, `\`${field}\` has no \`tests\`: it is not a kube-bench Controls section`, HINT);
    return;
  }
  const nodeType = text(controls.node_type);
  listField(controls, 'tests', field, line, problems).forEach((g, i) => {
    const gField = `${field}.tests[${i}]`;
    const group = record(g);
    if (!group) {
      problems.error('test group not an object', { line, field: gField }, `\`${gField}\` should be an object but is ${describeJson(g)}`, HINT);
      return;
    }
    listField(group, 'results', gField, line, problems).forEach((r, j) => {
      const rField = `${gField}.results[${j}]`;
      const result = record(r);
      if (!result) {
        problems.error('result not an object', { line, field: rField }, `\`${rField}\` should be an object but is ${describeJson(r)}`, HINT);
        return;
      }
      const check = text(result.test_number);
      const status = text(result.status)?.toUpperCase();
      const rec: EvidenceRecord = { check: check ?? '', result: 'not-evaluated' };
      if (!check) {
        problems.warn('result without test_number', { line, field: rField }, `\`${rField}\` has no \`test_number\`; it is counted as not evaluated`);
      } else if (status && Object.hasOwn(STATUS, status)) {
        rec.result = STATUS[status]!;
      } else {
        problems.warn('unknown status', { line, field: `${rField}.status` }, `Status ${shown(result.status ?? null)} of test ${check} is not PASS, FAIL, WARN or INFO; it is counted as not evaluated`);
      }
      if (status) rec.rawResult = status;
      if (nodeType) rec.resource = nodeType;
      const title = text(result.test_desc);
      if (title) rec.title = title;
      const remediation = text(result.remediation);
      if (remediation) rec.message = remediation;
      ctx.emit(rec);
    });
  });
}

export const kubeBenchAdapter: EvidenceAdapter = {
  format: 'kube-bench',
  description: 'kube-bench JSON (`--json`): CIS Kubernetes Benchmark results per test.',
  defaultFiles: ['**/*.json'],
  async read(chunks, ctx) {
    const problems = problemReporter(ctx);
    let root: { type: string; line: number } | undefined;
    let members = new Map<string, unknown>();
    let wrapper = false;
    try {
      for await (const ev of walkJson(chunks, select, { multiDocument: true })) {
        switch (ev.kind) {
          case 'root':
            root = { type: ev.type, line: ev.line };
            members = new Map();
            wrapper = false;
            if (ev.type === 'scalar') {
              problems.error('not kube-bench', { line: ev.line, field: '(root)' }, `the document is ${describeJson(ev.value)}, not a kube-bench report`, HINT);
            }
            break;
          case 'member':
            if (ev.key === 'Controls') {
              wrapper = true;
              if (ev.value !== null) problems.error('Controls not a list', { line: ev.line, field: 'Controls' }, `\`Controls\` should be a list but is ${describeJson(ev.value)}`, HINT);
            } else if (!ev.skipped) members.set(ev.key, ev.value);
            break;
          case 'item':
            if (ev.key === 'Controls') wrapper = true;
            readControls(ev.value, ev.key === '' ? `[${ev.index}]` : `Controls[${ev.index}]`, ev.line, ctx, problems);
            break;
          case 'items-end':
            if (ev.key === 'Controls') wrapper = true;
            break;
          case 'end':
            if (root?.type !== 'object' || wrapper) break;
            if (members.has('tests')) {
              // One Controls section per document (kube-bench before v0.5.0).
              readControls(Object.fromEntries(members), '(root)', root.line, ctx, problems);
            } else {
              problems.error('not kube-bench', { line: root.line, field: '(root)' }, 'this is not a kube-bench JSON report: it has neither `Controls` nor `tests`', HINT);
            }
            break;
        }
      }
    } catch (e) {
      if (!reportWalkError(e, ctx)) throw e;
    } finally {
      problems.flush();
    }
  },
};
