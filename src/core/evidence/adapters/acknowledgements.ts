/**
 * `format: acknowledgements`: a CSV of (person, policy id, policy version, date) from an HR
 * or e-signature export. Each row becomes a result of the check `acknowledgement:<policy id>`
 * for that person: ingestion turns it into a pass when the version is the policy's current
 * version and a fail otherwise; people of the `roster:` source who did not acknowledge the
 * current version are added as failures after ingestion (core/evidence/acknowledgements.ts).
 */
import { closest } from '../../util/suggest.ts';
import { indexHeader } from '../fields.ts';
import type { EvidenceAdapter } from '../types.ts';
import { streamCsv } from './csv.ts';

export const ACK_PREFIX = 'acknowledgement:';

export const acknowledgementsAdapter: EvidenceAdapter = {
  format: 'acknowledgements',
  description: 'Policy acknowledgements (person, policy, version, date) from an HR or e-signature export.',
  defaultFiles: ['**/*.csv'],
  validateConfig(source, report) {
    if (source.fields.check || source.fields.result) report('fields', 'An acknowledgements source has fixed fields: use `acknowledgements:` to name the columns.', 'e.g. acknowledgements: { person: Email, policy: Policy, version: Version, date: Signed }');
  },
  async read(chunks, ctx) {
    const cols = ctx.source.acknowledgements ?? { person: 'person', policy: 'policy', version: 'version' };
    let idx: { person: number; policy: number; version: number; date?: number } | undefined;
    await streamCsv(chunks, ctx, {
      header(cells, line) {
        const h = indexHeader(cells);
        const find = (field: string, column: string) => {
          const i = h.find(column);
          if (i === undefined) {
            ctx.diagnostics.report('evidence-column-missing', { file: ctx.file, line, field: `acknowledgements.${field}` }, {
              args: { column, field, suggestion: closest(column, h.names), columns: h.names.join(', ') },
            });
          }
          return i;
        };
        const person = find('person', cols.person);
        const policy = find('policy', cols.policy);
        const version = find('version', cols.version);
        const date = cols.date ? find('date', cols.date) : undefined;
        if (person === undefined || policy === undefined || version === undefined || (cols.date && date === undefined)) return false;
        idx = { person, policy, version, ...(date !== undefined ? { date } : {}) };
        return true;
      },
      row(cells, line) {
        const person = cells[idx!.person]?.trim() ?? '';
        const policy = cells[idx!.policy]?.trim() ?? '';
        const version = cells[idx!.version]?.trim() ?? '';
        const date = idx!.date !== undefined ? cells[idx!.date]?.trim() : undefined;
        ctx.emit({
          check: policy ? `${ACK_PREFIX}${policy}` : '',
          // Decided against the policy's current version during ingestion; a row without a person or version never passes.
          result: person && version ? 'pass' : 'not-evaluated',
          rawResult: version,
          resource: person,
          message: `acknowledged version ${version || '(none)'}${date ? ` on ${date}` : ''}`,
          line,
        });
      },
    });
  },
};
