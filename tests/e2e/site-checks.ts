/**
 * Checks on a built site in a directory, without a browser: every page's link-preview tags
 * (canonical, Open Graph, Twitter card) are absolute URLs under the site's root that resolve to
 * files in the build, preview pictures have the size the tags declare, oEmbed JSON names real
 * files, the sitemap lists every page, and every root-relative href/src carries the base path.
 * Shared by site.test.ts (the default build) and basepath.test.ts (a build under a sub-path).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { SLUGS } from './reading-helpers.ts';
import { imageSize } from '../../src/site/og.ts';

/** Every .html file under `dir`, as paths relative to it with "/" separators. */
export function htmlPages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.html')) out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** The attribute values of the <meta>/<link> tags in `html` that match `attr`=`key`. */
export function tagValues(html: string, tag: 'meta' | 'link', attr: string, key: string, value: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))) {
    const attrs = Object.fromEntries([...m[0].matchAll(/([a-z:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    if (attrs[attr] === key && attrs[value] !== undefined) out.push(attrs[value].replace(/&amp;/g, '&'));
  }
  return out;
}

function one(html: string, tag: 'meta' | 'link', attr: string, key: string, value: string, where: string): string {
  const all = tagValues(html, tag, attr, key, value);
  expect(all, `${where}: <${tag} ${attr}="${key}">`).toHaveLength(1);
  return all[0]!;
}

export interface BuiltSite {
  dir: string;
  /** The site's absolute root URL, base path included, e.g. https://example.org/gpt-inside-out/. */
  root: string;
}

/** The file in the build that an absolute URL under `root` names (a directory URL names its index.html). */
export function fileFor(site: BuiltSite, url: string, where: string): string {
  expect(url.startsWith(site.root), `${where}: ${url} is not under ${site.root}`).toBe(true);
  const path = decodeURIComponent(new URL(url).pathname).slice(new URL(site.root).pathname.length);
  const file = join(site.dir, path.endsWith('/') || path === '' ? join(path, 'index.html') : path);
  expect(existsSync(file), `${where}: ${url} names ${file}, which the build lacks`).toBe(true);
  return file;
}

/** The site path of a page file: "chapters/x/index.html" -> "chapters/x/". */
function pagePath(file: string): string {
  return file.replace(/(^|\/)index\.html$/, '$1');
}

/** Runs every check; `root` is what the build's pages must use as their absolute root. */
export function checkBuiltSite(site: BuiltSite): void {
  const pages = htmlPages(site.dir);
  const base = new URL(site.root).pathname;
  expect(pages).toContain('404.html');
  for (const slug of SLUGS) expect(pages, slug).toContain(`chapters/${slug}/index.html`);

  const indexable: string[] = [];
  for (const page of pages) {
    const html = readFileSync(join(site.dir, page), 'utf8');
    const own = site.root + pagePath(page);
    if (page === '404.html') {
      expect(tagValues(html, 'meta', 'name', 'robots', 'content'), page).toEqual(['noindex']);
      expect(tagValues(html, 'link', 'rel', 'canonical', 'href'), page).toEqual([]);
      expect(tagValues(html, 'meta', 'property', 'og:url', 'content'), page).toEqual([]);
    } else {
      const canonical = one(html, 'link', 'rel', 'canonical', 'href', page);
      fileFor(site, canonical, `${page} canonical`);
      expect(one(html, 'meta', 'property', 'og:url', 'content', page)).toBe(canonical);
      // An embed names its chapter page; every other page names itself.
      const embed = /^embed\/([^/]+)\//.exec(page);
      expect(canonical, page).toBe(embed ? `${site.root}chapters/${embed[1]}/` : own);
      if (!embed) indexable.push(own);
    }
    for (const p of ['og:title', 'og:description', 'og:image:alt']) expect(one(html, 'meta', 'property', p, 'content', page).length, `${page} ${p}`).toBeGreaterThan(10);
    expect(one(html, 'meta', 'name', 'twitter:card', 'content', page)).toBe('summary_large_image');
    const image = one(html, 'meta', 'property', 'og:image', 'content', page);
    expect(one(html, 'meta', 'name', 'twitter:image', 'content', page)).toBe(image);
    const size = imageSize(readFileSync(fileFor(site, image, `${page} og:image`)));
    expect(size, `${page}: ${image} is not a PNG or JPEG`).not.toBeNull();
    expect([size!.width, size!.height], `${page}: ${image} size`).toEqual([
      Number(one(html, 'meta', 'property', 'og:image:width', 'content', page)),
      Number(one(html, 'meta', 'property', 'og:image:height', 'content', page)),
    ]);
    const chapter = /^chapters\/([^/]+)\//.exec(page)?.[1];
    if (chapter) expect(image, page).toBe(`${site.root}og/${chapter}.jpg`);

    const icon = one(html, 'link', 'rel', 'icon', 'href', page);
    expect(readFileSync(fileFor(site, new URL(icon, site.root).href, `${page} icon`), 'utf8')).toMatch(/^<svg [^>]*viewBox/);

    // Every root-relative link, script and stylesheet carries the base path and names a file.
    for (const m of html.matchAll(/\b(?:href|src)="(\/[^"]*)"/g)) {
      const ref = m[1]!.replace(/&amp;/g, '&');
      expect(ref.startsWith(base), `${page}: "${ref}" lacks the base path ${base}`).toBe(true);
      fileFor(site, new URL(ref.replace(/[?#].*$/, ''), site.root).href, `${page} link`);
    }
  }

  for (const slug of SLUGS) checkOembed(site, slug);
  checkSitemap(site, indexable);
}

function checkOembed(site: BuiltSite, slug: string): void {
  const where = `chapters/${slug}/`;
  const html = readFileSync(join(site.dir, 'chapters', slug, 'index.html'), 'utf8');
  const links = tagValues(html, 'link', 'type', 'application/json+oembed', 'href');
  expect(links, where).toEqual([`${site.root}oembed/${slug}.json`]);
  const body = JSON.parse(readFileSync(fileFor(site, links[0]!, `${where} oEmbed`), 'utf8')) as Record<string, unknown>;
  expect(body.provider_url).toBe(site.root);
  const thumb = imageSize(readFileSync(fileFor(site, String(body.thumbnail_url), `${where} thumbnail`)));
  expect([thumb?.width, thumb?.height], `${where} thumbnail size`).toEqual([body.thumbnail_width, body.thumbnail_height]);
  const srcs = [...String(body.html).matchAll(/\bsrc="([^"]+)"/g)].map((m) => m[1]!);
  expect(srcs, `${where} oEmbed html`).toEqual([`${site.root}embed/${slug}/`, `${site.root}embed.js`]);
  for (const src of srcs) fileFor(site, src, `${where} oEmbed html`);
}

function checkSitemap(site: BuiltSite, pages: string[]): void {
  const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
  const index = locs(readFileSync(join(site.dir, 'sitemap-index.xml'), 'utf8'));
  expect(index.length, 'sitemap-index.xml lists no sitemap').toBeGreaterThan(0);
  const listed = index.flatMap((url) => locs(readFileSync(fileFor(site, url, 'sitemap-index.xml'), 'utf8')));
  expect([...listed].sort(), 'the sitemap lists every page and nothing else').toEqual([...pages].sort());
}
