/**
 * npm run pdf: prints, with Playwright and Debian's Chromium, one PDF per
 * policy and one auditor packet per framework, from the print stylesheet of
 * the built site. Run `npm run build` first. Output: <site>/pdf/.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from '@playwright/test';
import type { Report } from '../src/core/report/report.ts';
import { slugify } from '../src/core/view/view-model.ts';
import { chromiumArgs, chromiumPath } from './lib/chromium.ts';
import { outDir } from './lib/cli.ts';
import { serveStatic } from './lib/static-server.ts';

const site = outDir();
const reportFile = path.join(site, 'report.json');
if (!existsSync(reportFile)) {
  process.stderr.write(`No built site at ${site}: run \`npm run build\` first.\n`);
  process.exit(2);
}
if (!existsSync(chromiumPath)) {
  process.stderr.write(`Chromium not found at ${chromiumPath}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.\n`);
  process.exit(2);
}
const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
const base = process.env.COMPLIANCE_BASE || '/';
const server = await serveStatic(site, base);
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const out = path.join(site, 'pdf');
await mkdir(path.join(out, 'policies'), { recursive: true });
await mkdir(path.join(out, 'frameworks'), { recursive: true });
const jobs = [
  ...report.policies.map((p) => ({ url: `policies/${slugify(p.id)}/`, file: path.join(out, 'policies', `${slugify(p.id)}.pdf`), title: `${p.title} (${p.id} v${p.version})` })),
  ...report.frameworks.map((f) => ({ url: `print/${f.id}/`, file: path.join(out, 'frameworks', `${f.id}-auditor-packet.pdf`), title: `${f.name} auditor packet` })),
];
try {
  const page = await browser.newPage();
  for (const job of jobs) {
    const res = await page.goto(server.url + job.url, { waitUntil: 'load' });
    if (!res?.ok()) throw new Error(`Could not open ${job.url}: HTTP ${res?.status()}`);
    await page.emulateMedia({ media: 'print' });
    await page.pdf({
      path: job.file,
      format: 'A4',
      printBackground: true,
      margin: { top: '18mm', bottom: '18mm', left: '14mm', right: '14mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;padding:0 14mm;color:#555;display:flex;justify-content:space-between"><span>${escapeHtml(report.organization)} · ${escapeHtml(job.title)}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    });
    process.stdout.write(`${path.relative(process.cwd(), job.file)}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}
process.stdout.write(`printed ${jobs.length} PDFs into ${path.relative(process.cwd(), out)}\n`);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
