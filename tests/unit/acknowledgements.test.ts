import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/core/load/pipeline-fs.ts';

function write(root: string, files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

const policy = (id: string, version: string) => `---
id: ${id}
title: ${id}
owner: CISO
status: approved
version: "${version}"
effective: 2026-01-01
lastReviewed: 2026-06-01
reviewInterval: 12 months
controls: { soc2: [CC2.2] }
---
Body.
`;

describe('format: acknowledgements', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ack-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  write(root, {
    'content/portal.yaml': 'organization: T\nframeworks: [soc2]\n',
    'content/policies/aup.md': policy('POL-AUP', '2.0'),
    'content/policies/ac.md': policy('POL-AC', '1.0'),
    'evidence/idp/source.yaml': 'format: csv\ntool: IdP\ncollectedAt: 2026-11-27T00:00:00Z\nfields:\n  check: { value: account }\n  result: { column: Active, pass: [yes], fail: [no] }\n  resource: { column: Email }\n',
    'evidence/idp/users.csv': 'Email,Active\na@x,yes\nb@x,yes\nc@x,yes\nd@x,yes\n',
    'evidence/acks/source.yaml': [
      'format: acknowledgements',
      'tool: Signatures',
      'collectedAt: 2026-11-27T00:00:00Z',
      'acknowledgements: { person: Email, policy: Policy, version: Version, date: Date }',
      'roster: idp',
      'map:',
      '  - check: "acknowledgement:*"',
      '    controls: { soc2: [CC2.2] }',
      '',
    ].join('\n'),
    // a: current; B@X: current (case differs); c: an old version; d: nothing; zed: not in the roster; POL-XX: unknown policy.
    'evidence/acks/signed.csv': 'Email,Policy,Version,Date\na@x,POL-AUP,2.0,2026-02-01\nB@X,POL-AUP,2.0,2026-02-02\nc@x,POL-AUP,1.0,2025-02-01\nzed@x,POL-AUP,2.0,2026-02-03\na@x,POL-XX,1.0,2026-02-01\n',
  });

  it('passes current-version acknowledgements, fails old versions and roster members who never signed, once each', async () => {
    const r = await runPipeline({ root, now: new Date('2026-11-28T00:00:00Z') });
    expect(r.diagnostics.errors).toEqual([]);
    expect(r.diagnostics.warnings.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/No policy with the id `POL-XX`/)]));
    const acks = r.sources!.find((s) => s.id === 'acks')!;
    expect(acks.rows).toEqual({ total: 5, mapped: 4, unmapped: 0, notEvaluated: 1, skipped: 0 });
    const aup = acks.checks.find((c) => c.check === 'acknowledgement:POL-AUP')!;
    // a, B, zed pass; c fails (old version); d never signed: one more failure, not a row.
    expect([aup.pass, aup.fail, aup.missingFromRoster]).toEqual([3, 2, 1]);
    const cov = acks.acknowledgementCoverage!.find((c) => c.policy === 'POL-AUP')!;
    expect(cov.rosterSize).toBe(4);
    expect(cov.missing).toEqual(['c@x', 'd@x']);
    // POL-AC is named nowhere in the export and `policies:` is not set: not assessed.
    expect(acks.acknowledgementCoverage!.map((c) => c.policy)).toEqual(['POL-AUP']);
    const cc22 = r.report!.frameworks[0]!.controls.find((c) => c.id === 'CC2.2')!;
    expect(cc22.status).toBe('failing');
    expect(cc22.evidence.fail).toBe(2);
  });
});
