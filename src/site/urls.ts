/**
 * This site's own URLs. The site may be served under a path prefix (Astro's `base`, from
 * BASE_PATH: "/" or "/gpt-inside-out/"), so every internal link, fetch and snippet is made here
 * rather than written as "/chapters/...". Paths are given as the site sees them ("/explore/",
 * "chapters/x/", "" for the home page) and come back with the prefix.
 */

/** The base path with exactly one trailing slash ("/" or "/gpt-inside-out/"). */
export function normalBase(base: string): string {
  const inner = base.split('/').filter(Boolean).join('/');
  return inner ? `/${inner}/` : '/';
}

/** The base this build was made with (Vite's import.meta.env.BASE_URL, "/" in plain Node). */
export const BASE: string = normalBase(import.meta.env?.BASE_URL ?? '/');

/** A site path with the base in front: withBase('/explore/') -> '/gpt-inside-out/explore/'. */
export function withBase(path: string, base: string = BASE): string {
  return normalBase(base) + path.replace(/^\/+/, '');
}

/** The same path as an absolute URL on `site` (an origin, e.g. SITE_URL): for previews, oEmbed and embeds. */
export function absoluteUrl(path: string, site: string | URL, base: string = BASE): string {
  return new URL(withBase(path, base), site).href;
}
