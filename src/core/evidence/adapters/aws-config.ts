/**
 * `format: aws-config`: AWS Config rule compliance exported with the AWS CLI or SDK.
 *
 * - `aws configservice get-compliance-details-by-config-rule` and
 *   `get-compliance-details-by-resource`: `{"EvaluationResults": [...]}`, one
 *   record per rule and resource (check = rule name, resource = `ResourceType/ResourceId`).
 * - `get-aggregate-compliance-details-by-config-rule`: `{"AggregateEvaluationResults": [...]}`,
 *   the same with the account and region in the message.
 * - `describe-compliance-by-config-rule`: `{"ComplianceByConfigRules": [...]}` (and the aggregate
 *   `AggregateComplianceByConfigRules`): a summary per rule, one record per rule without a resource.
 * - a bare list of either kind (`--query EvaluationResults`).
 *
 * Timestamps come in three styles (ISO strings, epoch seconds, epoch milliseconds):
 * all are normalised to ISO instants (see awsInstant).
 */
import type { EvidenceAdapter, EvidenceRecord, NormalisedResult } from '../types.ts';
import { awsInstant, isObject, rejectGenericOptions, recordWarnings, reportSniffFailure, sniffJson, streamListItems, text } from './asff.ts';

const COMPLIANCE_RESULT: Record<string, NormalisedResult> = {
  COMPLIANT: 'pass',
  NON_COMPLIANT: 'fail',
  // NOT_APPLICABLE: the resource is out of the rule's scope; INSUFFICIENT_DATA: the rule could not evaluate.
  NOT_APPLICABLE: 'not-evaluated',
  INSUFFICIENT_DATA: 'not-evaluated',
};

const LIST_KEYS = ['EvaluationResults', 'AggregateEvaluationResults', 'ComplianceByConfigRules', 'AggregateComplianceByConfigRules', 'ComplianceByResources'];

/** Times tried for an evaluation result's collection time, in order. */
const TIME_FIELDS = ['ResultRecordedTime', 'ConfigRuleInvokedTime'] as const;

export const awsConfigAdapter: EvidenceAdapter = {
  format: 'aws-config',
  description: 'AWS Config rule compliance (aws configservice get-compliance-details-by-config-rule / -by-resource, describe-compliance-by-config-rule).',
  defaultFiles: ['**/*.json'],
  validateConfig: rejectGenericOptions('aws-config', { csv: false }),
  async read(chunks, ctx) {
    const sniff = await sniffJson(chunks, LIST_KEYS);
    const exportHint = 'Export with `aws configservice get-compliance-details-by-config-rule --config-rule-name <rule> --output json` ({"EvaluationResults": [...]}) or `describe-compliance-by-config-rule` ({"ComplianceByConfigRules": [...]}).';
    let path: string[];
    if (sniff.first === '[') path = [];
    else if (sniff.key === 'ComplianceByResources') {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: 'ComplianceByResources' }, {
        args: { detail: 'this is `describe-compliance-by-resource` output, which does not say which rule each resource fails', hint: exportHint },
      });
      return;
    } else if (sniff.key) path = [sniff.key];
    else {
      reportSniffFailure(sniff, ctx, 'an `EvaluationResults` or `ComplianceByConfigRules` list', exportHint);
      return;
    }
    const listName = path[0] ?? '';
    const warnings = recordWarnings(ctx);
    let total = 0;
    let recognised = 0;
    let timed = 0;
    let badTimes = 0;
    const read = await streamListItems(sniff.replay, path, ctx, (item, index) => {
      total++;
      const field = `${listName}[${index}]`;
      if (!isObject(item)) {
        warnings.warn(field, `Record ${index + 1} is not an object; it is counted as not evaluated.`);
        ctx.emit({ check: '', result: 'not-evaluated' });
        return;
      }
      const identifier = isObject(item.EvaluationResultIdentifier) ? item.EvaluationResultIdentifier : undefined;
      const summary = !identifier && isObject(item.Compliance) ? item.Compliance : undefined;
      if (!identifier && !summary) {
        warnings.warn(field, `Record ${index + 1} is neither an evaluation result (EvaluationResultIdentifier) nor a rule summary (ConfigRuleName and Compliance); it is counted as not evaluated.`);
        ctx.emit({ check: '', result: 'not-evaluated' });
        return;
      }
      recognised++;
      const qualifier = identifier && isObject(identifier.EvaluationResultQualifier) ? identifier.EvaluationResultQualifier : {};
      const check = (identifier ? text(qualifier.ConfigRuleName) : text(item.ConfigRuleName)) ?? '';
      const raw = text(identifier ? item.ComplianceType : summary!.ComplianceType)?.toUpperCase();
      let result: NormalisedResult = 'not-evaluated';
      if (!raw) warnings.warn(`${field}.${identifier ? 'ComplianceType' : 'Compliance.ComplianceType'}`, `Record ${index + 1} has no compliance type; it is counted as not evaluated.`);
      else if (COMPLIANCE_RESULT[raw]) result = COMPLIANCE_RESULT[raw]!;
      else warnings.warn(`${field}.ComplianceType`, `Unknown compliance type \`${raw}\`; the record is counted as not evaluated.`, 'AWS Config compliance types are COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE and INSUFFICIENT_DATA.');
      if (!check) warnings.warn(`${field}${identifier ? '.EvaluationResultIdentifier.EvaluationResultQualifier' : ''}.ConfigRuleName`, `Record ${index + 1} has no ConfigRuleName; it is counted as not evaluated.`);
      const record: EvidenceRecord = { check, result: check ? result : 'not-evaluated' };
      if (raw) record.rawResult = raw;
      const where = [text(item.AccountId), text(item.AwsRegion)].filter((v): v is string => !!v);
      if (identifier) {
        const type = text(qualifier.ResourceType);
        const id = text(qualifier.ResourceId);
        const resource = type && id ? `${type}/${id}` : (id ?? type);
        if (resource) record.resource = resource;
        const parts = [text(item.Annotation), where.length ? `account ${where.join(' ')}` : undefined].filter((v): v is string => !!v);
        if (parts.length) record.message = parts.join('; ');
        let rawTime: unknown;
        for (const f of TIME_FIELDS) {
          if (item[f] !== undefined && item[f] !== null) {
            rawTime = item[f];
            break;
          }
        }
        rawTime ??= identifier.OrderingTimestamp;
        if (rawTime !== undefined && rawTime !== null) {
          const iso = awsInstant(rawTime);
          if (iso) {
            record.collectedAt = iso;
            timed++;
          } else {
            badTimes++;
            const f = TIME_FIELDS.find((k) => item[k] !== undefined && item[k] !== null) ?? 'EvaluationResultIdentifier.OrderingTimestamp';
            if (badTimes <= 5) ctx.diagnostics.report('collected-at-invalid', { file: ctx.file, field: `${field}.${f}` }, { args: { value: typeof rawTime === 'string' ? rawTime : JSON.stringify(rawTime) } });
          }
        }
      } else {
        // A rule summary: the rule's whole scope, no single resource and no timestamp.
        if (where.length) record.resource = where.join(':');
        const count = isObject(summary!.ComplianceContributorCount) ? summary!.ComplianceContributorCount : undefined;
        const capped = typeof count?.CappedCount === 'number' ? count.CappedCount : undefined;
        const parts = ['Summary per rule (describe-compliance-by-config-rule)'];
        if (capped !== undefined) parts.push(`${capped}${count?.CapExceeded === true ? '+' : ''} non-compliant resources`);
        if (where.length) parts.push(`account ${where.join(' ')}`);
        record.message = parts.join('; ');
      }
      ctx.emit(record);
    });
    warnings.flush();
    if (badTimes > 5) {
      ctx.diagnostics.report('collected-at-invalid', { file: ctx.file, field: `${listName}[*].ResultRecordedTime` }, { message: `${badTimes - 5} more records with an invalid time.` });
    }
    if (read && total > 0 && recognised === 0) {
      ctx.diagnostics.report('evidence-parse', { file: ctx.file, field: `${listName}[0]` }, {
        args: { detail: `none of the ${total} records is an AWS Config evaluation result or rule summary`, hint: exportHint },
      });
    }
    if (timed) ctx.meta.collectedAtFrom = 'ResultRecordedTime of each evaluation result';
  },
};
