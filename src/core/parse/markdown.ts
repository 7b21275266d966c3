/**
 * Policy Markdown -> safe HTML with heading ids and a table of contents.
 * GFM (tables, task lists, autolinks). Raw HTML is dropped and the result is
 * sanitised to GitHub's allow-list: policy text is trusted, but never executable.
 */
import type { Element, Root } from 'hast';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import rehypeSlug from 'rehype-slug';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

export interface TocEntry {
  depth: 2 | 3;
  id: string;
  text: string;
}

export interface RenderedMarkdown {
  html: string;
  toc: TocEntry[];
}

function textOf(node: Element | Root | { type: string; value?: string; children?: unknown[] }): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node && Array.isArray(node.children)) return node.children.map((c) => textOf(c as Element)).join('');
  return '';
}

/** Collects h2/h3 headings (after rehype-slug gave them ids) into the TOC. */
function rehypeToc(toc: TocEntry[]) {
  return () => (tree: Root) => {
    const walk = (node: Root | Element) => {
      for (const child of node.children) {
        if (child.type !== 'element') continue;
        if ((child.tagName === 'h2' || child.tagName === 'h3') && typeof child.properties.id === 'string') {
          toc.push({ depth: child.tagName === 'h2' ? 2 : 3, id: child.properties.id, text: textOf(child) });
        }
        walk(child);
      }
    };
    walk(tree);
  };
}

export interface RenderOptions {
  /**
   * Render raw HTML written in the Markdown (portal.yaml `markdown.rawHtml: true`). It still goes
   * through the same sanitiser: allowed tags such as <details> or <kbd> stay, scripts, event
   * handlers and javascript: URLs never do. Off by default: raw HTML is dropped.
   */
  rawHtml?: boolean;
}

export function renderMarkdown(markdown: string, options: RenderOptions = {}): RenderedMarkdown {
  const toc: TocEntry[] = [];
  const base = unified().use(remarkParse).use(remarkGfm);
  const withHtml = options.rawHtml ? base.use(remarkRehype, { allowDangerousHtml: true }).use(rehypeRaw) : base.use(remarkRehype);
  const file = withHtml
    .use(rehypeSanitize)
    .use(rehypeSlug)
    .use(rehypeToc(toc))
    .use(rehypeStringify)
    .processSync(markdown);
  return { html: String(file), toc };
}
