/**
 * Embedding a chapter in another site. The iframe at /embed/<slug>/ tells its parent how tall it
 * would like to be with one postMessage, whenever its width changes:
 *
 *   { type: 'gpt-inside-out:resize', slug: 'embedding', height: 640 }
 *
 * public/embed.js (included by embedders) listens for it and sizes the matching iframe; when it
 * starts it greets every frame (HELLO_MESSAGE) so frames that spoke too early repeat. The
 * chapter scrolls inside its own frame, so the height is a comfortable reading window for the
 * width, not the length of the chapter.
 */

export const RESIZE_MESSAGE = 'gpt-inside-out:resize';
/**
 * Sent by public/embed.js to each frame once it listens: a frame that reported its height before
 * the (async) script arrived reports again, so the first message is never lost.
 */
export const HELLO_MESSAGE = 'gpt-inside-out:hello';

export interface ResizeMessage {
  type: typeof RESIZE_MESSAGE;
  slug: string;
  height: number;
}

/** Preferred iframe height (px) for a width: taller on narrow screens, where the stage sits above the text. */
export function preferredHeight(width: number): number {
  const h = width < 560 ? width * 1.6 : width * 0.62;
  return Math.round(Math.min(760, Math.max(480, h)));
}

/**
 * The HTML snippet an author pastes into their page. `root` is the absolute URL of this site's
 * home page, base path included (https://example.org/gpt-inside-out/): the snippet lives on
 * another origin, so both the frame and embed.js are named in full.
 */
export function embedSnippet(root: string, slug: string, title: string): string {
  const src = new URL(`embed/${slug}/`, root).href;
  const safeTitle = title.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${src}" title="${safeTitle}" width="100%" height="${preferredHeight(720)}" style="border:0;max-width:100%" loading="lazy"></iframe>\n<script src="${new URL('embed.js', root).href}" async></script>`;
}

/** In the embed page: report the preferred height to the parent now and whenever the width changes. */
export function reportSizeToParent(slug: string): void {
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    const height = preferredHeight(document.documentElement.clientWidth);
    if (height === last) return;
    last = height;
    const message: ResizeMessage = { type: RESIZE_MESSAGE, slug, height };
    // The height is not secret; any embedding page may size the frame.
    window.parent.postMessage(message, '*');
  };
  send();
  new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || (event.data as { type?: unknown } | null)?.type !== HELLO_MESSAGE) return;
    last = 0;
    send();
  });
}
