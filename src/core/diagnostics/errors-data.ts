/**
 * The error catalogue: every rule the project can report, with a permanent id,
 * a title, a message and a hint. Ids are part of the public contract (they
 * appear in `npm run check` output, report.json and GitHub annotations): never
 * rename one; add a new id instead. Documented in docs/diagnostics.md.
 */
import type { Severity } from './diagnostic.ts';

type Args = Record<string, unknown>;

export interface CatalogueEntry {
  title: string;
  severity: Severity;
  message: (args: Args) => string;
  hint?: (args: Args) => string | undefined;
}

const s = (v: unknown): string => String(v ?? '');
const didYouMean = (args: Args): string | undefined =>
  args.suggestion ? `Did you mean \`${s(args.suggestion)}\`?` : undefined;

export const errorCatalogue = {
  'workspace-missing': {
    title: 'Workspace folder not found',
    severity: 'error',
    message: (a) => `The workspace folder ${s(a.dir)} does not exist or is not a folder.`,
    hint: () => 'Set COMPLIANCE_WORKSPACE to a folder that holds content/ and evidence/, or unset it to use the repository root.',
  },
  'portal-missing': {
    title: 'portal.yaml not found',
    severity: 'error',
    message: () => 'content/portal.yaml is missing.',
    hint: () => 'Create content/portal.yaml with at least `organization:` and `frameworks: [soc2]`. See docs/workspace-format.md.',
  },
  'io-error': {
    title: 'File cannot be read',
    severity: 'error',
    message: (a) => `Cannot read this file: ${s(a.detail)}.`,
    hint: () => 'Check that the file exists, is a regular file and is readable by the user running the build.',
  },
  'path-outside-workspace': {
    title: 'Path leaves the workspace',
    severity: 'error',
    message: (a) => `${s(a.what)} points outside the workspace (${s(a.target)}).`,
    hint: () => 'Evidence and attachments must live inside the workspace; copy the file in instead of linking to it.',
  },
  'encoding-invalid': {
    title: 'File is not valid UTF-8',
    severity: 'error',
    message: (a) => `The file is not valid UTF-8 text${a.detail ? ` (${s(a.detail)})` : ''}.`,
    hint: () => 'Save or export the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)"); UTF-16 and legacy code pages are not read, so that no value is ever guessed.',
  },
  'yaml-syntax': {
    title: 'Invalid YAML',
    severity: 'error',
    message: (a) => `Invalid YAML: ${s(a.detail)}.`,
    hint: () => 'Check indentation and quoting on this line; quote values that contain `:` or start with `*`, `&`, `!`, `@` or a backtick.',
  },
  'frontmatter-missing': {
    title: 'Frontmatter missing',
    severity: 'error',
    message: () => 'The file has no YAML frontmatter.',
    hint: () => 'Start the file with a line `---`, then the YAML fields, then a closing `---` line.',
  },
  'frontmatter-unclosed': {
    title: 'Frontmatter not closed',
    severity: 'error',
    message: () => 'The frontmatter starts with `---` but has no closing `---` line.',
    hint: () => 'Add a line with only `---` after the last frontmatter field.',
  },
  'schema-invalid': {
    title: 'Invalid field',
    severity: 'error',
    message: (a) => s(a.detail),
    hint: (a) => (a.hint ? s(a.hint) : undefined),
  },
  'unknown-key': {
    title: 'Unknown field',
    severity: 'error',
    message: (a) => `Unknown field \`${s(a.key)}\`.`,
    hint: (a) => didYouMean(a) ?? `Remove it or check the spelling. Allowed fields: ${s(a.allowed)}.`,
  },
  'duplicate-id': {
    title: 'Duplicate id',
    severity: 'error',
    message: (a) => `The ${s(a.kind)} id \`${s(a.id)}\` is already used by ${s(a.other)}.`,
    hint: () => 'Ids must be unique across the workspace: rename one of them.',
  },
  'unknown-framework': {
    title: 'Unknown framework',
    severity: 'error',
    message: (a) => `Unknown framework \`${s(a.id)}\`.`,
    hint: (a) =>
      didYouMean(a) ??
      `Known frameworks: ${s(a.known)}. Add a custom catalog in content/frameworks/ for others.`,
  },
  'unknown-control': {
    title: 'Unknown control',
    severity: 'error',
    message: (a) => `Unknown control \`${s(a.id)}\` in framework \`${s(a.framework)}\`.`,
    hint: (a) => didYouMean(a) ?? `See the framework's control list on the portal or in its catalog file.`,
  },
  'scope-conflict': {
    title: 'Control both not applicable and policy-only',
    severity: 'error',
    message: (a) => `Control \`${s(a.id)}\` is listed in both \`notApplicable\` and \`policyOnly\`.`,
    hint: () => 'A control is either out of scope (notApplicable) or in scope (policyOnly): remove one of the two entries.',
  },
  'catalog-invalid': {
    title: 'Invalid framework catalog',
    severity: 'error',
    message: (a) => s(a.detail),
    hint: () => 'A catalog needs `id`, `name`, `version` and `controls` (each with `id` and `title`). See docs/workspace-format.md.',
  },
  'source-config-missing': {
    title: 'Evidence folder without source.yaml',
    severity: 'error',
    message: (a) => `The evidence folder ${s(a.dir)} has no source.yaml, so its files are not read.`,
    hint: () => 'Add a source.yaml that says the format and how rows map to controls, or move the files out of evidence/.',
  },
  'unknown-format': {
    title: 'Unknown evidence format',
    severity: 'error',
    message: (a) => `Unknown evidence format \`${s(a.format)}\`.`,
    hint: (a) => didYouMean(a) ?? `Supported formats: ${s(a.known)}.`,
  },
  'files-no-match': {
    title: 'Source has no files',
    severity: 'error',
    message: (a) => `The pattern \`${s(a.pattern)}\` matches no evidence file in this source folder.`,
    hint: () => 'Export the tool output into this folder, or fix `files:` in source.yaml. A source without data is never treated as passing.',
  },
  'file-unclaimed': {
    title: 'Evidence file not read',
    severity: 'warning',
    message: () => 'This file is in evidence/ but no source reads it.',
    hint: () => 'Widen `files:` in the source.yaml beside it, or move the file out of evidence/.',
  },
  'evidence-parse': {
    title: 'Evidence cannot be parsed',
    severity: 'error',
    message: (a) => `Cannot parse evidence: ${s(a.detail)}.`,
    hint: (a) => (a.hint ? s(a.hint) : 'Re-export the file from the tool; a partial file is never read as zero findings.'),
  },
  'evidence-column-missing': {
    title: 'Configured column not found',
    severity: 'error',
    message: (a) => `Column \`${s(a.column)}\` (for \`${s(a.field)}\`) is not in the header.`,
    hint: (a) => didYouMean(a) ?? `Columns in this file: ${s(a.columns)}.`,
  },
  'evidence-record-invalid': {
    title: 'Evidence row not usable',
    severity: 'warning',
    message: (a) => s(a.detail),
    hint: (a) => (a.hint ? s(a.hint) : undefined),
  },
  'collected-at-missing': {
    title: 'Collection time unknown',
    severity: 'error',
    message: () => 'The collection time of this evidence is unknown.',
    hint: () =>
      'Set `collectedAt:` in source.yaml (ISO 8601, e.g. 2026-11-20T02:00:00Z) or `fields.collectedAt` to a column or path. File modification times are never used: git does not keep them.',
  },
  'collected-at-invalid': {
    title: 'Collection time not a date',
    severity: 'error',
    message: (a) => `\`${s(a.value)}\` is not a valid date and time.`,
    hint: () => 'Use ISO 8601, e.g. 2026-11-20T02:00:00Z.',
  },
  'collected-in-future': {
    title: 'Evidence collected in the future',
    severity: 'warning',
    message: (a) => `The collection time ${s(a.value)} is after the build time ${s(a.now)}.`,
    hint: () => 'Check the clock of the exporting system or the collectedAt value; set COMPLIANCE_NOW when rebuilding the past.',
  },
  'map-rule-unused': {
    title: 'Mapping rule matches nothing',
    severity: 'warning',
    message: (a) => `The map rule for \`${s(a.check)}\` matches no check in this source's evidence.`,
    hint: () => 'Check the spelling of the check id or glob against the ids in the export.',
  },
  'attachment-missing': {
    title: 'Attachment not found',
    severity: 'error',
    message: (a) => `The attachment \`${s(a.path)}\` does not exist in this source folder.`,
    hint: () => 'Attachment paths are relative to the source folder and must stay inside it.',
  },
  'review-due-soon': {
    title: 'Policy review due soon',
    severity: 'warning',
    message: (a) => `The review of ${s(a.id)} is due on ${s(a.due)} (in ${s(a.days)} day${Number(a.days) === 1 ? '' : 's'}).`,
    hint: () => 'Review the policy and update `lastReviewed:`.',
  },
  'review-overdue': {
    title: 'Policy review overdue',
    severity: 'warning',
    message: (a) => `The review of ${s(a.id)} was due on ${s(a.due)}; controls it covers are stale.`,
    hint: () => 'Review the policy and update `lastReviewed:`.',
  },
  'exception-expired': {
    title: 'Exception expired',
    severity: 'warning',
    message: (a) => `Exception ${s(a.id)} expired on ${s(a.expires)}; it no longer covers failures.`,
    hint: () => 'Fix the failures, or renew the exception with a new `expires:` date and approval.',
  },
  'exception-unused': {
    title: 'Exception covers no failure',
    severity: 'warning',
    message: (a) => `Exception ${s(a.id)} matches no failing evidence.`,
    hint: () => 'Remove it if the risk is gone, or check its `controls`, `checks` and `resources`.',
  },
  'secret-in-evidence': {
    title: 'Credential in evidence',
    severity: 'warning',
    message: (a) => `A value that looks like a credential (${s(a.kinds)}) is in the ${s(a.field)} of this row; it is masked in the portal.`,
    hint: () => 'Rotate the credential if it is real, and fix the export so that it does not copy secrets. The raw file is not published for download while it contains such values.',
  },
  'crosswalk-cycle': {
    title: 'Crosswalk cycle',
    severity: 'error',
    message: (a) => `Crosswalk cycle: ${s(a.cycle)}.`,
    hint: () => 'Coverage flows one way: map from the framework you assess to the one you report on, and remove the reverse entry.',
  },
  'crosswalk-unknown': {
    title: 'Crosswalk not found',
    severity: 'error',
    message: (a) => `No crosswalk with the id \`${s(a.id)}\`.`,
    hint: (a) => (a.suggestion ? `Did you mean \`${s(a.suggestion)}\`?` : `Built-in crosswalks: ${s(a.known)}.`),
  },
  'now-invalid': {
    title: 'Invalid build time',
    severity: 'error',
    message: (a) => `${s(a.variable)}=${s(a.value)} is not a valid date.`,
    hint: () => 'Use an ISO 8601 date or time for COMPLIANCE_NOW, or Unix seconds for SOURCE_DATE_EPOCH.',
  },
} satisfies Record<string, CatalogueEntry>;

export type RuleId = keyof typeof errorCatalogue;
