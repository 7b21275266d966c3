/**
 * The single data entry point for pages: the view model, read once per build.
 * Pages import from here and never read files or run the status engine.
 */
import { readViewModel } from './view-model-fs.ts';

export const model = readViewModel();

/** A site-root-relative path (`controls/soc2/cc6-1/`) with the configured base. */
export function href(path: string): string {
  // The base comes with the model (set by the build), never from the process environment.
  const base = model.site.base.endsWith('/') ? model.site.base : `${model.site.base}/`;
  return `${base}${path.replace(/^\/+/, '')}`;
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  return iso.length > 10 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

export const number = (n: number) => n.toLocaleString('en-US');
