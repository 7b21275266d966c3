/**
 * `format: attestation`: Markdown files whose frontmatter records a person's
 * attestation (an access review, a restore test). One file is one record.
 */
import { parseFrontmatter } from '../../parse/frontmatter.ts';
import { validateWith } from '../../parse/yaml.ts';
import { attestationSchema } from '../../schemas/attestation.ts';
import { addDuration, startOfDateUtc } from '../../util/time.ts';
import { readAllText, DecodeError } from '../decode.ts';
import type { EvidenceAdapter, EvidenceRecord } from '../types.ts';

export const attestationAdapter: EvidenceAdapter = {
  format: 'attestation',
  description: 'Markdown attestations: frontmatter with controls, result, attestedBy, date, validFor, attachments.',
  defaultFiles: ['*.md', '**/*.md'],
  async read(chunks, ctx) {
    let text: string;
    try {
      text = await readAllText(chunks);
    } catch (e) {
      if (e instanceof DecodeError) {
        ctx.diagnostics.report('encoding-invalid', { file: ctx.file, line: e.line }, { args: { detail: e.message } });
        return;
      }
      throw e;
    }
    const fm = parseFrontmatter(ctx.file, text, ctx.diagnostics);
    if (!fm || !fm.parsed.ok) return;
    const att = validateWith(attestationSchema, fm.parsed, ctx.file, ctx.diagnostics);
    if (!att) return;
    const attachments: string[] = [];
    for (const [i, rel] of att.attachments.entries()) {
      const at = { file: ctx.file, ...fm.parsed.locate(['attachments', i]), field: `attachments[${i}]` };
      const resolved = await ctx.resolveAttachment?.(rel);
      if (!resolved) continue;
      if (!resolved.ok) {
        if (resolved.reason === 'outside') ctx.diagnostics.report('path-outside-workspace', at, { args: { what: `The attachment \`${rel}\``, target: rel } });
        else ctx.diagnostics.report('attachment-missing', at, { args: { path: rel } });
        continue;
      }
      attachments.push(resolved.path);
    }
    const stem = ctx.file.split('/').pop()!.replace(/\.md$/i, '');
    const record: EvidenceRecord = {
      check: `attestation:${stem}`,
      result: att.result,
      rawResult: att.result,
      title: att.title,
      resource: att.attestedBy,
      message: fm.body.trim().split('\n')[0]?.slice(0, 300) ?? '',
      collectedAt: startOfDateUtc(att.date).toISOString(),
      controls: att.controls,
      line: 1,
    };
    if (att.validFor) record.freshUntil = addDuration(startOfDateUtc(att.date), att.validFor.value).toISOString();
    ctx.meta.collectedAt = record.collectedAt!;
    ctx.meta.collectedAtFrom = 'attestation date';
    ctx.meta.attachments = attachments;
    ctx.emit(record);
  },
};
