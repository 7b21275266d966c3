/**
 * npm run pdf, for real: Chromium prints one PDF per policy and an auditor packet per framework
 * from the built site; the PDFs are read back with poppler's pdfinfo and pdftotext.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, REPO_ROOT, test } from './test-utils.ts';

const tool = (name: string) => ['/usr/bin/' + name, '/usr/local/bin/' + name].find((p) => existsSync(p));

test('prints policies and auditor packets with the expected pages and text', async ({ site }) => {
  test.setTimeout(180_000);
  const pdfinfo = tool('pdfinfo');
  const pdftotext = tool('pdftotext');
  if (!pdfinfo || !pdftotext) throw new Error('pdfinfo/pdftotext not found: install Debian\'s poppler-utils (.ci/run does).');
  const run = spawnSync('node', ['scripts/pdf.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}`, COMPLIANCE_OUT: site.outDir },
  });
  expect(run.status, run.stderr).toBe(0);
  const pages = (file: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync(pdfinfo, [file], { encoding: 'utf8' }))![1]);
  const text = (file: string) => execFileSync(pdftotext, ['-layout', file, '-'], { encoding: 'utf8' });

  expect(run.stdout).toContain(`printed ${site.report.policies.length + site.report.frameworks.length} PDFs`);
  const ac = path.join(site.outDir, 'pdf/policies/pol-ac.pdf');
  expect(pages(ac)).toBeGreaterThanOrEqual(2);
  expect(pages(ac)).toBeLessThanOrEqual(8);
  const acText = text(ac);
  expect(acText).toContain('Access Control Policy');
  expect(acText).toMatch(/Head of Security/);
  expect(acText).not.toMatch(/Skip to content|Dashboard\s+Frameworks/); // no site navigation in print

  for (const fw of site.report.frameworks) {
    const file = path.join(site.outDir, `pdf/frameworks/${fw.id}-auditor-packet.pdf`);
    const n = pages(file);
    // Cover and matrix, then every control with its evidence summary: at least a page per ~8 controls.
    expect(n).toBeGreaterThanOrEqual(Math.ceil(fw.controls.length / 8));
    expect(n).toBeLessThanOrEqual(fw.controls.length * 2);
    const t = text(file);
    expect(t).toContain(`${fw.name}: auditor packet`);
    expect(t).toContain(site.report.inputsDigest);
    const failing = fw.controls.find((c) => c.status === 'failing');
    if (failing) expect(t).toContain(failing.title.slice(0, 30));
  }
});
