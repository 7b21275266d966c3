/** validateWorkspace (src/core/workspace.ts): every problem collected, located and explained. */
import { describe, expect, it } from 'vitest';
import { validateWorkspace } from '../../src/core/workspace.ts';
import { brief, builtInCatalogs, exceptionFile, loadMemoryWorkspace, policyFile, portalFile, validWorkspace } from '../helpers/fixtures.ts';

const miniCatalog = (text?: string) => ({
  path: 'content/frameworks/mini.yaml',
  text:
    text ??
    ['id: mini', 'name: Mini', 'version: 1', 'families:', '  - { id: FAM, title: Family }', 'controls:', '  - { id: M1, title: One, family: FAM }', '  - { id: M2, title: Two }', ''].join('\n'),
});

describe('a valid workspace', () => {
  it('loads policies, exceptions and sources, sorted by id, with field lines', async () => {
    const ws = await validWorkspace({
      policies: [policyFile({ id: 'POL-B', controls: { soc2: ['CC6.2'] } }), policyFile({ id: 'POL-A', controls: { soc2: ['cc6.1', 'CC6.1'] } })],
      exceptions: [exceptionFile({ id: 'EXC-1', controls: { soc2: ['cc7.1 '] } })],
      sources: [
        {
          dir: 'evidence/okta',
          config: { path: 'evidence/okta/source.yaml', text: 'format: csv\ntool: Okta\nfiles: "*.csv"\nfields:\n  check: { value: mfa }\n  result: { column: MFA, pass: [y], fail: [n] }\n' },
          files: ['evidence/okta/users.csv', 'evidence/okta/README.md', 'evidence/okta/old/users.csv'],
        },
      ],
      looseEvidence: ['evidence/notes.txt'],
    });
    expect(ws.portal.organization).toBe('Test Co');
    expect(ws.portalFile).toBe('content/portal.yaml');
    expect(ws.policies.map((p) => p.data.id)).toEqual(['POL-A', 'POL-B']);
    // Loose ids resolve to the catalog's spelling, once.
    expect(ws.policies[0]!.controlKeys).toEqual(['soc2::CC6.1']);
    expect(ws.policies[0]!.lines).toMatchObject({ id: 2, title: 3, lastReviewed: 8, reviewInterval: 9, controls: 10 });
    expect(ws.policies[0]!.body).toBe('\nBody text.\n');
    // Exceptions keep canonical ids, so that ingestion matches them.
    expect(ws.exceptions[0]!.controlKeys).toEqual(['soc2::CC7.1']);
    expect(ws.exceptions[0]!.data.controls).toEqual({ soc2: ['CC7.1'] });
    expect(ws.sources).toHaveLength(1);
    expect(ws.sources[0]).toMatchObject({
      id: 'okta',
      dir: 'evidence/okta',
      configFile: 'evidence/okta/source.yaml',
      files: ['evidence/okta/users.csv'],
      otherFiles: ['evidence/okta/README.md', 'evidence/okta/old/users.csv'],
    });
    expect(ws.unclaimed).toEqual(['evidence/notes.txt']);
    expect(ws.index.scope).toEqual(['soc2']);
  });

  it('a source without files: uses the adapter default globs', async () => {
    const ws = await validWorkspace({
      sources: [
        {
          dir: 'evidence/reviews',
          config: { path: 'evidence/reviews/source.yaml', text: 'format: attestation\ntool: Reviews\n' },
          files: ['evidence/reviews/q3.md', 'evidence/reviews/2026/q1.md', 'evidence/reviews/attachments/signoff.csv'],
        },
      ],
    });
    expect(ws.sources[0]!.files).toEqual(['evidence/reviews/2026/q1.md', 'evidence/reviews/q3.md']);
    expect(ws.sources[0]!.otherFiles).toEqual(['evidence/reviews/attachments/signoff.csv']);
  });

  it('a custom catalog adds a framework', async () => {
    const ws = await validWorkspace({ portal: { frameworks: ['soc2', 'mini'] }, frameworks: [miniCatalog()], policies: [policyFile({ controls: { mini: ['m1'] } })] });
    expect(ws.index.scope).toEqual(['soc2', 'mini']);
    expect(ws.policies[0]!.controlKeys).toEqual(['mini::M1']);
    expect(ws.index.controls('mini').map((c) => c.key)).toEqual(['mini::M1', 'mini::M2']);
  });
});

describe('duplicate ids', () => {
  it('a policy id used twice: reported at the second file, naming the first; the first is kept', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({
      policies: [policyFile({ id: 'POL-AC', title: 'First' }, 'access-control'), policyFile({ id: 'POL-AC', title: 'Second' }, 'access-control-v2')],
    });
    expect(brief(diagnostics.items, true)).toEqual(['error duplicate-id content/policies/access-control-v2.md:2:5']);
    expect(diagnostics.items[0]!.message).toBe('The policy id `POL-AC` is already used by content/policies/access-control.md.');
    expect(diagnostics.items[0]!.field).toBe('id');
    expect(workspace!.policies.map((p) => p.data.title)).toEqual(['First']);
  });

  // Regression test (was a bug, fixed): (src/core/workspace.ts, parsePolicies/parseExceptions): a file whose id is a duplicate is skipped before its
  // `controls` are resolved, so its unknown framework and control ids are only reported after the id is fixed (one
  // run does not report every problem). Fix: call resolveMap() for the duplicate too (then `continue`).
  it('a duplicate policy still has its control ids checked', async () => {
    const { diagnostics } = await loadMemoryWorkspace({
      policies: [policyFile({ id: 'POL-AC' }, 'a'), policyFile({ id: 'POL-AC', controls: { soc2: ['CC6.l'] } }, 'b')],
    });
    expect(diagnostics.sorted().map((d) => d.rule)).toEqual(['duplicate-id', 'unknown-control']);
  });

  it('an exception id used twice', async () => {
    const { diagnostics } = await loadMemoryWorkspace({
      exceptions: [exceptionFile({ id: 'EXC-1', controls: { soc2: ['CC6.1'] } }, 'a'), exceptionFile({ id: 'EXC-1', controls: { soc2: ['CC6.2'] } }, 'b')],
    });
    expect(brief(diagnostics.items)).toEqual(['error duplicate-id content/exceptions/b.md:2']);
    expect(diagnostics.items[0]!.message).toMatch(/^The exception id `EXC-1` is already used by content\/exceptions\/a\.md\.$/);
  });

  it('a custom catalog reusing a built-in framework id, and duplicate control ids', async () => {
    const { diagnostics } = await loadMemoryWorkspace({
      frameworks: [
        { path: 'content/frameworks/soc2.yaml', text: 'id: soc2\nname: Mine\nversion: "1"\ncontrols:\n  - { id: X, title: x }\n' },
        miniCatalog(['id: mini', 'name: Mini', 'version: 1', 'controls:', '  - { id: M1, title: One }', '  - { id: M1, title: Again }', ''].join('\n')),
      ],
    });
    expect(brief(diagnostics.sorted(), true)).toEqual(['error duplicate-id content/frameworks/mini.yaml:6:11', 'error duplicate-id content/frameworks/soc2.yaml:1:5']);
    expect(diagnostics.sorted()[1]!.message).toBe('The framework id `soc2` is already used by <built-in>/soc2.yaml.');
  });

  it('a catalog family that is not listed gets a suggestion', async () => {
    const text = ['id: mini', 'name: Mini', 'version: 1', 'families:', '  - { id: FAM, title: F }', 'controls:', '  - { id: M1, title: a, family: FAN }', ''].join('\n');
    const { diagnostics } = await loadMemoryWorkspace({ frameworks: [miniCatalog(text)] });
    expect(brief(diagnostics.items, true)).toEqual(['error catalog-invalid content/frameworks/mini.yaml:7:33']);
    expect(diagnostics.items[0]!.hint).toBe('Did you mean `FAM`?');
  });
});

describe('unknown frameworks and controls, with suggestions', () => {
  it('in a policy: CC6.l -> CC6.1, soc-2 -> soc2; the known ids still count', async () => {
    const text = [
      '---',
      'id: POL-1',
      'title: T',
      'owner: O',
      'status: approved',
      'version: "1"',
      'effective: 2026-01-01',
      'lastReviewed: 2026-06-01',
      'reviewInterval: 1 year',
      'controls:',
      '  soc2: [CC6.2, CC6.l]', // 11
      '  soc-2: [CC6.1]', // 12
      '  mini: [M1]', // 13
      '---',
      '',
    ].join('\n');
    const { workspace, diagnostics } = await loadMemoryWorkspace({ policies: [{ path: 'content/policies/p.md', text }] });
    const items = diagnostics.sorted();
    expect(items.map((d) => `${d.rule} ${d.line}:${d.column} ${d.field} | ${d.hint}`)).toEqual([
      'unknown-control 11:17 controls.soc2[1] | Did you mean `CC6.1`?',
      'unknown-framework 12:3 controls.soc-2 | Did you mean `soc2`?',
      'unknown-framework 13:3 controls.mini | Known frameworks: iso27001-2022, nist-csf-2.0, soc2. Add a custom catalog in content/frameworks/ for others.',
    ]);
    expect(items[0]!.message).toBe('Unknown control `CC6.l` in framework `soc2`.');
    expect(items[1]!.message).toBe('Unknown framework `soc-2`.');
    expect(workspace!.policies[0]!.controlKeys).toEqual(['soc2::CC6.2']);
  });

  it('a far-off control id gets no guess, only a pointer to the list', async () => {
    const { diagnostics } = await loadMemoryWorkspace({ policies: [policyFile({ controls: { soc2: ['ZZZ-999'] } })] });
    expect(diagnostics.items).toHaveLength(1);
    expect(diagnostics.items[0]!.rule).toBe('unknown-control');
    expect(diagnostics.items[0]!.hint).toBe("See the framework's control list on the portal or in its catalog file.");
  });

  it('ISO ids: a.8.5 is A.8.5, but A.8.05 is unknown', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({ portal: { frameworks: ['iso27001-2022'] }, policies: [policyFile({ controls: { 'iso27001-2022': ['a.8.5', 'A.8.05'] } })] });
    expect(diagnostics.items.map((d) => `${d.rule} ${d.field}`)).toEqual(['unknown-control controls.iso27001-2022[1]']);
    expect(diagnostics.items[0]!.hint).toMatch(/^Did you mean `A\.8\.1?5`\?$/);
    expect(workspace!.policies[0]!.controlKeys).toEqual(['iso27001-2022::A.8.5']);
  });

  it('in an exception', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({ exceptions: [exceptionFile({ controls: { soc2: ['CC7.1', 'CC7.l'] } })] });
    expect(diagnostics.items.map((d) => `${d.rule} ${d.file}:${d.line} ${d.hint}`)).toEqual(['unknown-control content/exceptions/EXC-1.md:6 Did you mean `CC7.1`?']);
    expect(workspace!.exceptions[0]!.controlKeys).toEqual(['soc2::CC7.1']);
  });

  it('in portal.yaml: frameworks, notApplicable and policyOnly', async () => {
    const portal = {
      path: 'content/portal.yaml',
      text: [
        'organization: Acme', // 1
        'frameworks: [soc2, soc-2]', // 2
        'notApplicable:', // 3
        '  soc2:', // 4
        '    CC6.l: "typo"', // 5
        '  iso27001: { A.7.6: "no offices" }', // 6
        'policyOnly:', // 7
        '  soc2: [CC1.1, CC1.l]', // 8
        '',
      ].join('\n'),
    };
    const { workspace, diagnostics } = await loadMemoryWorkspace({ portal });
    expect(diagnostics.sorted().map((d) => `${d.rule} ${d.line}:${d.column} | ${d.hint}`)).toEqual([
      'unknown-framework 2:20 | Did you mean `soc2`?',
      'unknown-control 5:5 | Did you mean `CC6.1`?',
      'unknown-framework 6:3 | Did you mean `iso27001-2022`?',
      'unknown-control 8:17 | Did you mean `CC1.1`?',
    ]);
    expect(diagnostics.sorted().slice(0, 3).map((d) => d.field)).toEqual(['frameworks[1]', 'notApplicable.soc2.CC6.l', 'notApplicable.iso27001']);
    // Unknown frameworks are left out of scope, never assessed as empty.
    expect(workspace!.index.scope).toEqual(['soc2']);
  });

  it('in a source.yaml map', async () => {
    const text = ['format: csv', 'tool: t', 'fields:', '  check: { column: C }', '  result: { column: R, pass: [y], fail: [n] }', 'map:', '  - check: x', '    controls: { soc2: [CC6.l], soc-2: [CC6.1] }', ''].join('\n');
    const { diagnostics } = await loadMemoryWorkspace({ sources: [{ dir: 'evidence/s', config: { path: 'evidence/s/source.yaml', text }, files: ['evidence/s/a.csv'] }] });
    expect(diagnostics.sorted().map((d) => `${d.rule} ${d.line}:${d.column} | ${d.hint}`)).toEqual(['unknown-control 8:24 | Did you mean `CC6.1`?', 'unknown-framework 8:32 | Did you mean `soc2`?']);
  });

  // Regression test (was a bug, fixed): (src/core/workspace.ts, makeMapResolver and checkPortalIds): two field paths break the notation of every
  // other diagnostic (`controls.soc2[1]`): map rules give `map.0.controls.soc2[0]` (built with
  // `[...path, fw].join('.')`), and an unknown id in portal.yaml policyOnly gives `policyOnly.soc2.CC1.l` (built as
  // `${section}.${fw}.${id}` for both sections). Fix: use fieldName() from parse/yaml.ts, e.g.
  // fieldName([...path, fw, i]), and `policyOnly.${fw}[${i}]` for policyOnly entries.
  it('source.yaml map diagnostics use the usual field notation', async () => {
    const text = ['format: csv', 'tool: t', 'fields:', '  check: { column: C }', '  result: { column: R, pass: [y], fail: [n] }', 'map:', '  - check: x', '    controls: { soc2: [CC6.l] }', ''].join('\n');
    const { diagnostics } = await loadMemoryWorkspace({ sources: [{ dir: 'evidence/s', config: { path: 'evidence/s/source.yaml', text }, files: ['evidence/s/a.csv'] }] });
    expect(diagnostics.items[0]!.field).toBe('map[0].controls.soc2[0]');
  });

  it('portal.yaml policyOnly diagnostics use the usual field notation', async () => {
    const { diagnostics } = await loadMemoryWorkspace({ portal: { policyOnly: { soc2: ['CC1.1', 'CC1.l'] } } });
    expect(diagnostics.items[0]!.field).toBe('policyOnly.soc2[1]');
  });
});

describe('portal.yaml', () => {
  it('scope-conflict: a control both not applicable and policy-only (loose ids too)', async () => {
    const { diagnostics } = await loadMemoryWorkspace({
      portal: { path: 'content/portal.yaml', text: 'organization: A\nframeworks: [soc2]\nnotApplicable:\n  soc2: { CC6.1: "n/a" }\npolicyOnly:\n  soc2: [CC1.1, cc6.1]\n' },
    });
    expect(brief(diagnostics.items, true)).toEqual(['error scope-conflict content/portal.yaml:6:17']);
    expect(diagnostics.items[0]!.field).toBe('policyOnly.soc2[1]');
    expect(diagnostics.items[0]!.message).toBe('Control `cc6.1` is listed in both `notApplicable` and `policyOnly`.');
  });

  it('portal-missing: no workspace, but every other file is still checked', async () => {
    const r = validateWorkspace(
      { frameworks: [], policies: [policyFile({ status: 'active' })], exceptions: [], sources: [], looseEvidence: [] },
      await builtInCatalogs(),
    );
    expect(r.workspace).toBeUndefined();
    expect(brief(r.diagnostics.sorted())).toEqual(['error schema-invalid content/policies/pol-1.md:5', 'error portal-missing content/portal.yaml:-']);
  });

  it('an invalid portal.yaml: no workspace, every problem reported', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({
      portal: { path: 'content/portal.yaml', text: 'organization: A\nframeworks: soc2\n' },
      policies: [policyFile({ version: 2 })],
    });
    expect(workspace).toBeUndefined();
    expect(brief(diagnostics.sorted())).toEqual(['error schema-invalid content/policies/pol-1.md:6', 'error schema-invalid content/portal.yaml:2']);
  });

  it('a YAML syntax error in portal.yaml', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({ portal: { path: 'content/portal.yaml', text: 'organization: A\nframeworks: [soc2\nevidence: { maxAge: 30d }\n' } });
    expect(workspace).toBeUndefined();
    expect(brief(diagnostics.items, true)).toEqual(['error yaml-syntax content/portal.yaml:3:1']);
  });

  it('portalFile helper writes a valid portal', async () => {
    expect(portalFile().text).toBe('organization: Test Co\nframeworks: ["soc2"]\n');
  });
});

describe('evidence folders', () => {
  it('reports folders without source.yaml, unknown formats, bad configs and globs that match nothing', async () => {
    const { workspace, diagnostics } = await loadMemoryWorkspace({
      sources: [
        { dir: 'evidence/a', files: ['evidence/a/x.csv'] },
        { dir: 'evidence/b', config: { path: 'evidence/b/source.yaml', text: 'format: cvs\ntool: t\n' }, files: ['evidence/b/x.csv'] },
        {
          dir: 'evidence/c',
          config: { path: 'evidence/c/source.yaml', text: 'format: csv\ntool: t\nfiles: "*.csv"\nfields:\n  check: { value: c }\n  result: { column: R, pass: [y], fail: [n] }\n' },
          files: ['evidence/c/x.txt'],
        },
        { dir: 'evidence/d', config: { path: 'evidence/d/source.yaml', text: 'format: json\ntool: t\nfields:\n  check: { column: C }\n' }, files: ['evidence/d/x.json'] },
        { dir: 'evidence/e', config: { path: 'evidence/e/source.yaml', text: 'format: csv\ntool: [t\n' }, files: ['evidence/e/x.csv'] },
      ],
    });
    const items = diagnostics.sorted();
    expect(items.map((d) => `${d.rule} ${d.file}:${d.line ?? '-'} ${d.field ?? ''}`.trim())).toEqual([
      'source-config-missing evidence/a:-',
      'unknown-format evidence/b/source.yaml:1 format',
      'files-no-match evidence/c/source.yaml:3 files',
      'schema-invalid evidence/d/source.yaml:4 fields.result',
      'schema-invalid evidence/d/source.yaml:4 fields.check',
      'yaml-syntax evidence/e/source.yaml:3',
    ]);
    expect(items[1]!.hint).toBe('Did you mean `csv`?');
    expect(items[2]!.message).toBe('The pattern `*.csv` matches no evidence file in this source folder.');
    // Files of unusable sources are unclaimed, never silently dropped.
    expect(workspace!.unclaimed).toEqual(['evidence/a/x.csv', 'evidence/b/x.csv', 'evidence/e/x.csv']);
    expect(workspace!.sources.map((s) => s.id)).toEqual(['c']);
  });

  it('files-no-match without `files:` points at the format line', async () => {
    const { diagnostics } = await loadMemoryWorkspace({
      sources: [{ dir: 'evidence/r', config: { path: 'evidence/r/source.yaml', text: 'tool: t\nformat: attestation\n' }, files: ['evidence/r/notes.txt'] }],
    });
    expect(brief(diagnostics.items)).toEqual(['error files-no-match evidence/r/source.yaml:2']);
    expect(diagnostics.items[0]!.message).toContain('`*.md, **/*.md`');
  });
});
