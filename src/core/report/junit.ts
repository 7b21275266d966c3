/**
 * report.junit.xml: one test suite per framework, one test case per control,
 * so that any CI dashboard shows compliance. failing and gap are failures,
 * stale and excepted pass with a message, not-applicable is skipped.
 */
import type { Report } from './report.ts';

/** Escapes text for XML and drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function toJUnit(report: Report): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.frameworks.reduce((n, f) => n + f.controls.length, 0);
  const failures = report.frameworks.reduce((n, f) => n + f.summary.counts.failing + f.summary.counts.gap, 0);
  const skipped = report.frameworks.reduce((n, f) => n + f.summary.counts['not-applicable'], 0);
  lines.push(`<testsuites name="${xmlEscape(`${report.organization} compliance`)}" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}" time="0" timestamp="${xmlEscape(report.generatedAt)}">`);
  for (const fw of report.frameworks) {
    const c = fw.summary.counts;
    lines.push(`  <testsuite name="${xmlEscape(fw.name)}" id="${xmlEscape(fw.id)}" tests="${fw.controls.length}" failures="${c.failing + c.gap}" errors="0" skipped="${c['not-applicable']}" time="0" timestamp="${xmlEscape(report.generatedAt)}">`);
    lines.push(`    <properties><property name="score" value="${fw.summary.score}"/><property name="applicable" value="${fw.summary.applicable}"/></properties>`);
    for (const ctl of fw.controls) {
      const name = xmlEscape(`${ctl.id} ${ctl.title}`);
      const head = `    <testcase classname="${xmlEscape(fw.id)}" name="${name}" time="0"`;
      const why = ctl.reasons.join(', ');
      const detail = `status: ${ctl.status}\nreasons: ${why || 'none'}\npolicies: ${ctl.policies.join(', ') || 'none'}\nevidence: ${ctl.evidence.pass} pass, ${ctl.evidence.fail} fail, ${ctl.evidence.excepted} excepted, ${ctl.evidence.notEvaluated} not evaluated (${ctl.evidence.sources.join(', ') || 'no source'})`;
      if (ctl.status === 'failing' || ctl.status === 'gap') {
        lines.push(`${head}>`, `      <failure type="${ctl.status}" message="${xmlEscape(`${ctl.status}: ${why}`)}">${xmlEscape(detail)}</failure>`, '    </testcase>');
      } else if (ctl.status === 'not-applicable') {
        lines.push(`${head}>`, `      <skipped message="${xmlEscape(`not applicable: ${ctl.notApplicableReason ?? ''}`)}"/>`, '    </testcase>');
      } else if (ctl.status === 'stale' || ctl.status === 'excepted') {
        lines.push(`${head}>`, `      <system-out>${xmlEscape(`${ctl.status}: ${why}\n${detail}`)}</system-out>`, '    </testcase>');
      } else {
        lines.push(`${head}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
