/**
 * Remark plugin: a root-relative link in chapter Markdown ("[explorer](/explore/)") points at this
 * site, so it gets the site's base path ("/gpt-inside-out/explore/" when the site is served under
 * one). Links to other origins, fragments and relative links are left alone.
 */
import type { Root, RootContent } from 'mdast';
import { withBase } from '../site/urls.ts';

export interface BaseLinkOptions {
  /** Astro's `base`, e.g. "/" or "/gpt-inside-out/". */
  base: string;
}

export function remarkBaseLinks(options: BaseLinkOptions) {
  return (tree: Root) => {
    const visit = (node: Root | RootContent) => {
      if ((node.type === 'link' || node.type === 'definition') && node.url.startsWith('/') && !node.url.startsWith('//')) {
        node.url = withBase(node.url, options.base);
      }
      if ('children' in node) for (const child of node.children) visit(child);
    };
    visit(tree);
  };
}
