/** The zod schemas of every workspace file: defaults, wrong types, unknown keys, dates and durations. */
import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../../src/core/diagnostics/diagnostic.ts';
import { parseYaml, validateWith } from '../../src/core/parse/yaml.ts';
import { attestationSchema } from '../../src/core/schemas/attestation.ts';
import { catalogSchema } from '../../src/core/schemas/catalog.ts';
import { durationSchema, idSchema } from '../../src/core/schemas/common.ts';
import { exceptionFrontmatterSchema } from '../../src/core/schemas/exception.ts';
import { policyFrontmatterSchema, policyHints } from '../../src/core/schemas/policy.ts';
import { portalSchema } from '../../src/core/schemas/portal.ts';
import { sourceSchema } from '../../src/core/schemas/source.ts';
import type { z } from 'astro/zod';

/** Validates YAML text with a schema the way the workspace does; returns the value and the diagnostics. */
function check<S extends z.ZodType>(schema: S, text: string, hints?: Record<string, string>) {
  const diagnostics = new DiagnosticBag();
  const parsed = parseYaml({ file: 'f.yaml', text }, diagnostics);
  const value = parsed.ok ? validateWith(schema, parsed, 'f.yaml', diagnostics, hints ? { hints } : {}) : undefined;
  return {
    value,
    diagnostics: diagnostics.sorted(),
    summary: diagnostics.sorted().map((d) => `${d.rule} ${d.line}:${d.column} ${d.field ?? ''}`.trim()),
  };
}

const policyBase = {
  id: 'POL-AC',
  title: 'Access Control Policy',
  owner: 'Head of Security',
  status: 'approved',
  version: '3.0',
  effective: '2026-02-01',
  lastReviewed: '2026-01-20',
  reviewInterval: '12 months',
};

describe('policy frontmatter', () => {
  it('fills defaults', () => {
    const p = policyFrontmatterSchema.parse(policyBase);
    expect(p).toEqual({
      ...policyBase,
      reviewInterval: { text: '12 months', value: { months: 12 } },
      type: 'policy',
      priority: 'medium',
      controls: {},
      tags: [],
      visibility: 'public',
    });
  });

  it('keeps optional fields and turns numeric control ids into text', () => {
    const p = policyFrontmatterSchema.parse({ ...policyBase, approver: 'CISO', summary: 'S', type: 'standard', priority: 'critical', controls: { soc2: ['CC6.1'], custom: [12] }, tags: ['x'], visibility: 'internal' });
    expect(p).toMatchObject({ approver: 'CISO', summary: 'S', type: 'standard', priority: 'critical', controls: { soc2: ['CC6.1'], custom: ['12'] }, tags: ['x'], visibility: 'internal' });
  });

  it.each(['id', 'title', 'owner', 'status', 'version', 'effective', 'lastReviewed', 'reviewInterval'])('requires %s', (field) => {
    const input: Record<string, unknown> = { ...policyBase };
    delete input[field];
    const r = policyFrontmatterSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });

  it.each([
    ['status', 'active'],
    ['type', 'guideline'],
    ['priority', 'urgent'],
    ['visibility', 'secret'],
    ['effective', '2026-02-30'],
    ['effective', '2026-2-1'],
    ['lastReviewed', '01/20/2026'],
    ['reviewInterval', '12 mnths'],
    ['reviewInterval', 'yearly'],
    ['id', 'POL AC'],
    ['id', '-POL'],
    ['id', ''],
    ['title', ''],
    ['controls', ['CC6.1']],
    ['controls', { soc2: 'CC6.1' }],
    ['controls', { soc2: [''] }],
    ['tags', 'security'],
    ['version', 2.1],
    ['version', ''],
  ])('rejects %s = %j', (field, value) => {
    const r = policyFrontmatterSchema.safeParse({ ...policyBase, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });

  it('version written as a number: located error with the quote hint', () => {
    const text = ['id: POL-AC', 'title: T', 'owner: O', 'status: approved', 'version: 2.10', 'effective: 2026-02-01', 'lastReviewed: 2026-01-20', 'reviewInterval: 12 months', ''].join('\n');
    const r = check(policyFrontmatterSchema, text, policyHints);
    expect(r.summary).toEqual(['schema-invalid 5:10 version']);
    expect(r.diagnostics[0]!.hint).toBe('Quote the version so YAML keeps it as text: version: "2.1".');
  });

  it('unknown keys get a "did you mean"', () => {
    const text = ['id: POL-AC', 'title: T', 'owner: O', 'status: approved', 'version: "1"', 'effective: 2026-02-01', 'lastReviewed: 2026-01-20', 'reviewIntervall: 12 months', 'reviewInterval: 12 months', 'owners: X', 'summery: s', ''].join('\n');
    const r = check(policyFrontmatterSchema, text, policyHints);
    expect(r.diagnostics.map((d) => `${d.rule} ${d.line} ${d.field} ${d.hint}`)).toEqual([
      'unknown-key 8 reviewIntervall Did you mean `reviewInterval`?',
      'unknown-key 10 owners Did you mean `owner`?',
      'unknown-key 11 summery Did you mean `summary`?',
    ]);
    expect(r.value).toBeUndefined();
  });
});

describe('portal.yaml', () => {
  it('fills defaults', () => {
    // toMatchObject: other settings with their own defaults may be added to portal.yaml.
    expect(portalSchema.parse({ organization: 'Acme', frameworks: ['soc2'] })).toMatchObject({
      organization: 'Acme',
      frameworks: ['soc2'],
      evidence: { maxAge: { text: '30d', value: { days: 30 } } },
      reviewWarningDays: 30,
      notApplicable: {},
      policyOnly: {},
    });
  });

  it('parses evidence.maxAge as a duration', () => {
    expect(portalSchema.parse({ organization: 'A', frameworks: ['soc2'], evidence: { maxAge: 'P1Y' } }).evidence.maxAge).toEqual({ text: 'P1Y', value: { years: 1 } });
    expect(portalSchema.parse({ organization: 'A', frameworks: ['soc2'], evidence: {} }).evidence.maxAge).toEqual({ text: '30d', value: { days: 30 } });
  });

  it('rejects bad values with located diagnostics', () => {
    const text = [
      'organization: Acme', // 1
      'frameworks: []', // 2
      'evidence: { maxAge: 30 dayz }', // 3
      'reviewWarningDays: -1', // 4
      'notApplicable:', // 5
      '  soc2:', // 6
      '    CC6.1: ""', // 7
      'policyOnly:', // 8
      '  soc2: CC6.1', // 9
      'titel: x', // 10
      '',
    ].join('\n');
    const r = check(portalSchema, text);
    expect(r.summary).toEqual([
      'schema-invalid 2:13 frameworks',
      'schema-invalid 3:21 evidence.maxAge',
      'schema-invalid 4:20 reviewWarningDays',
      'schema-invalid 7:12 notApplicable.soc2.CC6.1',
      'schema-invalid 9:9 policyOnly.soc2',
      'unknown-key 10:1 titel',
    ]);
    expect(r.diagnostics[0]!.message).toBe('`frameworks`: must list at least one framework in scope');
    expect(r.diagnostics[3]!.message).toBe('`notApplicable.soc2.CC6.1`: needs a reason');
    expect(r.diagnostics[5]!.hint).toBe('Did you mean `title`?');
  });

  it('a whitespace-only not-applicable reason is no reason', () => {
    expect(portalSchema.safeParse({ organization: 'A', frameworks: ['soc2'], notApplicable: { soc2: { 'CC6.1': '   ' } } }).success).toBe(false);
  });

  it('requires organization and frameworks', () => {
    const r = check(portalSchema, 'title: Portal\n');
    expect(r.summary).toEqual(['schema-invalid 1:1 frameworks', 'schema-invalid 1:1 organization']);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['`frameworks` is required.', '`organization` is required.']);
  });
});

describe('exception frontmatter', () => {
  const base = { id: 'EXC-7', controls: { soc2: ['CC7.1'] }, reason: 'Legacy servers', approvedBy: 'CISO', expires: '2027-03-31' };

  it('fills defaults and keeps scopes', () => {
    expect(exceptionFrontmatterSchema.parse(base)).toEqual({ ...base, visibility: 'public' });
    const full = { ...base, title: 'T', checks: ['ec2_*'], resources: ['arn:aws:ec2:*:i-0legacy*'], approved: '2026-09-01', owner: 'SRE' };
    expect(exceptionFrontmatterSchema.parse(full)).toEqual({ ...full, visibility: 'public' });
  });

  it('an exception always expires', () => {
    const { expires: _omit, ...noExpiry } = base;
    const r = exceptionFrontmatterSchema.safeParse(noExpiry);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['expires']);
  });

  it.each([
    ['controls', {}],
    ['controls', { soc2: [] }],
    ['expires', '2027-02-29'],
    ['expires', 'never'],
    ['approved', '2026-13-01'],
    ['reason', ''],
    ['approvedBy', ''],
    ['checks', 'ec2_*'],
    ['resources', ['']],
  ])('rejects %s = %j', (field, value) => {
    const r = exceptionFrontmatterSchema.safeParse({ ...base, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });

  it('an empty controls map says it must name a control', () => {
    const r = check(exceptionFrontmatterSchema, 'id: EXC-1\ncontrols: { soc2: [] }\nreason: r\napprovedBy: CISO\nexpires: 2027-01-01\nexpiry: 2027-01-01\n');
    expect(r.summary).toEqual(['schema-invalid 2:11 controls', 'unknown-key 6:1 expiry']);
    expect(r.diagnostics[0]!.message).toBe('`controls`: must name at least one control');
    expect(r.diagnostics[1]!.hint).toBe('Did you mean `expires`?');
  });
});

describe('source.yaml', () => {
  it('fills defaults', () => {
    // toMatchObject: new settings with their own defaults may be added to source.yaml.
    expect(sourceSchema.parse({ format: 'csv', tool: 'Okta' })).toMatchObject({
      format: 'csv',
      tool: 'Okta',
      fields: {},
      map: [],
      useToolMappings: false,
      honorToolSuppressions: false,
      absenceMeansPass: false,
      visibility: 'public',
    });
  });

  it('normalises files, severity and result values to lists of text', () => {
    const s = sourceSchema.parse({
      format: 'csv',
      tool: 't',
      files: '*.csv',
      maxAge: '7d',
      collectedAt: '2026-11-27T02:00:00Z',
      fields: { check: { value: 7 }, result: { column: 'MFA', pass: [true, 1, 'yes'], fail: [false] } },
      map: [{ check: 'c', severity: 'HIGH', controls: { soc2: ['CC6.1'] } }],
    });
    expect(s.files).toEqual(['*.csv']);
    expect(s.maxAge).toEqual({ text: '7d', value: { days: 7 } });
    expect(s.fields.check).toEqual({ value: '7' });
    expect(s.fields.result).toEqual({ column: 'MFA', pass: ['true', '1', 'yes'], fail: ['false'], error: [] });
    expect(s.map[0]!.severity).toEqual(['HIGH']);
  });

  it('a field spec needs exactly one of value, column or path', () => {
    const text = ['format: csv', 'tool: t', 'fields:', '  check: { value: a, column: B }', '  resource: {}', '  result: { column: R }', ''].join('\n');
    const r = check(sourceSchema, text);
    expect(r.summary).toEqual(['schema-invalid 4:10 fields.check', 'schema-invalid 5:13 fields.resource', 'schema-invalid 6:11 fields.result']);
    expect(r.diagnostics[0]!.message).toBe('`fields.check`: must have exactly one of `value`, `column` or `path`');
    expect(r.diagnostics[0]!.hint).toMatch(/^e\.g\. check:/);
    expect(r.diagnostics[2]!.message).toBe('`fields.result`: must list the values that mean `pass` and `fail`');
  });

  it('collectedAt must be ISO 8601; durations must parse', () => {
    const r = check(sourceSchema, 'format: csv\ntool: t\ncollectedAt: last tuesday\nmaxAge: 7 dys\ndelimiter: ";;"\n');
    expect(r.summary).toEqual(['schema-invalid 3:14 collectedAt', 'schema-invalid 4:9 maxAge', 'schema-invalid 5:12 delimiter']);
    expect(r.diagnostics[0]!.hint).toMatch(/ISO 8601/);
    expect(r.diagnostics[1]!.message).toBe('`maxAge`: `7 dys` is not a duration');
  });

  it('an unknown key gets a "did you mean" (colectedAt -> collectedAt)', () => {
    const r = check(sourceSchema, 'format: csv\ntool: t\ncolectedAt: 2026-11-27T02:00:00Z\n');
    expect(r.summary).toEqual(['unknown-key 3:1 colectedAt']);
    expect(r.diagnostics[0]!.hint).toBe('Did you mean `collectedAt`?');
  });

  it.each([
    ['severityThreshold', 'severe'],
    ['files', []],
    ['useToolMappings', 'yes'],
    ['expectedChecks', 'a'],
    ['map', [{ check: 'c' }]],
    ['format', ''],
  ])('rejects %s = %j', (field, value) => {
    const r = sourceSchema.safeParse({ format: 'csv', tool: 't', [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe('attestation frontmatter', () => {
  const base = { title: 'Q3 access review', controls: { soc2: ['CC6.2'] }, result: 'pass', attestedBy: 'Jane Doe', date: '2026-10-05' };
  it('fills defaults and parses validFor', () => {
    expect(attestationSchema.parse(base)).toEqual({ ...base, attachments: [] });
    expect(attestationSchema.parse({ ...base, validFor: '90d' }).validFor).toEqual({ text: '90d', value: { days: 90 } });
  });
  it.each([
    ['result', 'passed'],
    ['date', '2026-09-31'],
    ['validFor', '3 quarters'],
    ['controls', {}],
    ['attachments', 'a.csv'],
  ])('rejects %s = %j', (field, value) => {
    const r = attestationSchema.safeParse({ ...base, [field]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });
});

describe('catalog', () => {
  it('needs controls and accepts numeric ids and versions', () => {
    expect(catalogSchema.parse({ id: 'x', name: 'X', version: 2022, controls: [{ id: 5, title: 'Five' }] })).toEqual({
      id: 'x',
      name: 'X',
      version: '2022',
      families: [],
      controls: [{ id: '5', title: 'Five' }],
    });
    const r = catalogSchema.safeParse({ id: 'x', name: 'X', version: '1', controls: [] });
    expect(r.error?.issues[0]?.message).toBe('must list at least one control');
  });
});

describe('shared field schemas', () => {
  it.each(['POL-AC', 'EXC-7', 'a.b_c-d', '9lives'])('id %s is valid', (id) => expect(idSchema.safeParse(id).success).toBe(true));
  it.each(['', ' POL', 'POL/AC', '_x', 'é', 'a b'])('id %j is invalid', (id) => expect(idSchema.safeParse(id).success).toBe(false));

  it.each([
    ['30d', { days: 30 }],
    ['12 months', { months: 12 }],
    ['P1Y', { years: 1 }],
  ])('duration %s', (text, value) => {
    expect(durationSchema.parse(text)).toEqual({ text, value });
  });

  it('a bad duration carries the duration hint', () => {
    const r = durationSchema.safeParse('12 mnths');
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0] as { message: string; params?: { hint?: string } };
    expect(issue.message).toBe('`12 mnths` is not a duration');
    expect(issue.params?.hint).toMatch(/30d.*12 months.*P1Y/);
  });

  it('a non-text duration is a type error', () => {
    expect(durationSchema.safeParse(30).error?.issues[0]?.message).toBe('must be a duration such as 30d or 12 months');
  });
});
