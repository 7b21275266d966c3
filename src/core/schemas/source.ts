/** evidence/<source>/source.yaml: how to read one tool's exports and map them to controls. */
import { z } from 'astro/zod';
import { controlsMapSchema, durationSchema, instantSchema, visibilitySchema } from './common.ts';

const textList = z.array(z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]));

/**
 * Where a value comes from: a constant (`value`), a CSV column (`column`), or a
 * JSON path (`path`, relative to the record; `$.` starts at the document root).
 */
export const fieldSpecSchema = z
  .strictObject({
    /** A constant for every row. */
    value: z.union([z.string(), z.number().transform(String)]).optional(),
    /** CSV column name (matched ignoring case, BOM, surrounding spaces and `[Required]`-style suffixes). */
    column: z.string().min(1).optional(),
    /** JSON path, e.g. `check_id`, `resource.arn`, `$.generatedAt`. */
    path: z.string().min(1).optional(),
  })
  .refine((f) => [f.value, f.column, f.path].filter((v) => v !== undefined).length === 1, {
    message: 'must have exactly one of `value`, `column` or `path`',
    params: { hint: 'e.g. check: { value: okta-mfa-enrolled } or resource: { column: Login }' },
  });
export type FieldSpec = z.output<typeof fieldSpecSchema>;

/** The result field: where it comes from and which values mean pass, fail or error; other values are not evaluated. */
export const resultSpecSchema = z
  .strictObject({
    value: z.union([z.string(), z.number().transform(String)]).optional(),
    column: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    /** Values that mean pass (compared ignoring case and surrounding spaces). */
    pass: textList.default([]),
    /** Values that mean fail. */
    fail: textList.default([]),
    /** Values that mean the tool could not evaluate and reported an error (counted as fail). */
    error: textList.default([]),
    /** A comparison instead of lists: these values pass, any other non-empty value fails (e.g. `2sv Enrolled` equals `True`). */
    equals: z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]).transform((v) => [v]).or(textList).optional(),
  })
  .refine((f) => [f.value, f.column, f.path].filter((v) => v !== undefined).length === 1, {
    message: 'must have exactly one of `value`, `column` or `path`',
    params: { hint: 'e.g. result: { column: MFA Enrolled, pass: ["TRUE"], fail: ["FALSE"] }' },
  })
  .refine((f) => f.pass.length + f.fail.length > 0 || f.value !== undefined || (f.equals?.length ?? 0) > 0, {
    message: 'must list the values that mean `pass` and `fail`',
    params: { hint: 'e.g. result: { column: Status, pass: ["PASS"], fail: ["FAIL"] }; other values count as not evaluated.' },
  });
export type ResultSpec = z.output<typeof resultSpecSchema>;

/** A row filter: rows that do not match every condition are skipped (and counted as skipped). */
export const whereConditionSchema = z
  .strictObject({
    column: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    /** Keep rows whose value is one of these (case-insensitive). */
    equals: z.union([z.string().transform((v) => [v]), textList]).optional(),
    /** Keep rows whose value is none of these (case-insensitive). */
    notEquals: z.union([z.string().transform((v) => [v]), textList]).optional(),
    /** Keep rows whose value matches this regular expression. */
    matches: z.string().min(1).optional(),
  })
  .refine((w) => (w.column ? 1 : 0) + (w.path ? 1 : 0) === 1, { message: 'needs exactly one of `column` or `path`' })
  .refine((w) => w.equals || w.notEquals || w.matches, { message: 'needs `equals`, `notEquals` or `matches`', params: { hint: 'e.g. where: [{ column: Status, equals: [ACTIVE] }]' } });
export type WhereCondition = z.output<typeof whereConditionSchema>;

export const mapRuleSchema = z.strictObject({
  /** Check id: exact, a glob such as `s3_*`, or a regular expression written `/^s3_.*$/`. */
  check: z.string().min(1),
  /** Optional: only results on resources matching this glob (or `/regex/`). */
  resource: z.string().min(1).optional(),
  /** Optional: only results with one of these severities (case-insensitive). */
  severity: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1))]).optional(),
  /** Controls that findings of matching checks are evidence for. */
  controls: controlsMapSchema,
});
export type MapRule = z.output<typeof mapRuleSchema>;

export const sourceSchema = z.strictObject({
  /** How the files are read: `csv`, `json`, `attestation` (and the tool formats). */
  format: z.string().min(1),
  /** The tool or system that produced the export, e.g. `Okta`. */
  tool: z.string().min(1),
  /** Display name; defaults to the tool. */
  title: z.string().optional(),
  /** What this evidence shows. */
  description: z.string().optional(),
  /** Which files in the folder belong to this source (globs); default: every file except source.yaml. */
  files: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)]).optional(),
  /** Freshness for this source, e.g. `7d`; overrides portal.yaml. */
  maxAge: durationSchema.optional(),
  /** When the export was collected (ISO 8601), unless `fields.collectedAt` says per row. */
  collectedAt: instantSchema.optional(),
  /** JSON only: where the records are, e.g. `$.users[*]`; default: the document if it is a list. */
  records: z.string().min(1).optional(),
  /** CSV only: the delimiter; default: detected from the header (`,`, `;`, tab, `|`). */
  delimiter: z.string().min(1).max(1).optional(),
  fields: z
    .strictObject({
      /** The check (test) id each row is a result of. */
      check: fieldSpecSchema.optional(),
      /** The result. */
      result: resultSpecSchema.optional(),
      /** The resource the result is about (user, bucket, host...). */
      resource: fieldSpecSchema.optional(),
      /** When the row was collected. */
      collectedAt: fieldSpecSchema.optional(),
      severity: fieldSpecSchema.optional(),
      title: fieldSpecSchema.optional(),
      message: fieldSpecSchema.optional(),
    })
    .default({}),
  /** Only rows matching every condition are evidence; the others are counted as skipped. */
  where: z.array(whereConditionSchema).default([]),
  /** Check id (exact, glob or /regex/) -> controls. */
  map: z.array(mapRuleSchema).default([]),
  /** Also map findings through the framework references the tool itself writes (Prowler COMPLIANCE, ASFF RelatedRequirements...). */
  useToolMappings: z.boolean().default(false),
  /** Count the tool's own mutes and suppressions as approved exceptions (default: they count as failures, shown as muted). */
  honorToolSuppressions: z.boolean().default(false),
  /** Vulnerability scanners: findings at or above this severity fail their check; lower ones are informational (not evaluated). */
  severityThreshold: z.enum(['critical', 'high', 'medium', 'low']).optional(),
  /** SARIF and other failure-only formats: the checks (rule ids) this source is expected to run. */
  expectedChecks: z.array(z.string().min(1)).optional(),
  /** Failure-only formats: an expected check with no result counts as a pass (never by default). */
  absenceMeansPass: z.boolean().default(false),
  /** format: acknowledgements — the columns of the export (matched like other CSV headers). */
  acknowledgements: z
    .strictObject({
      /** Who acknowledged (the same identity as the roster's resources, e.g. an email). */
      person: z.string().min(1).default('person'),
      /** The policy id, e.g. POL-AUP. */
      policy: z.string().min(1).default('policy'),
      /** The policy version acknowledged, e.g. "2.1". */
      version: z.string().min(1).default('version'),
      /** When (optional). */
      date: z.string().min(1).optional(),
    })
    .optional(),
  /** format: acknowledgements — the source whose resources are everyone who must acknowledge (e.g. the IdP export). */
  roster: z.string().min(1).optional(),
  /** format: acknowledgements — policies everyone must acknowledge; default: every policy named in the export. */
  policies: z.array(z.string().min(1)).optional(),
  /** `internal` sources are left out of public builds. */
  visibility: visibilitySchema,
});

export type SourceConfig = z.output<typeof sourceSchema>;
