/**
 * The built site as a link preview, a crawler and a static host see it (no browser): preview
 * tags, pictures, oEmbed and sitemap (site-checks.ts), and the 404 page for unknown addresses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, serveDist } from './harness.ts';
import { checkBuiltSite, tagValues } from './site-checks.ts';
import { SLUGS } from './reading-helpers.ts';

const dir = resolve(REPO_ROOT, process.env.E2E_DIST ?? 'dist');

describe('the built site', () => {
  it('has preview tags with absolute URLs that resolve in the build, sized pictures, oEmbed and a full sitemap', () => {
    // The root the build was made for (SITE_URL + BASE_PATH), as the home page states it.
    const [root] = tagValues(readFileSync(join(dir, 'index.html'), 'utf8'), 'link', 'rel', 'canonical', 'href');
    expect(root).toMatch(/^https?:\/\/[^/]+\/(.+\/)?$/);
    checkBuiltSite({ dir, root: root! });
  });

  it('ships the shaders without their comments (the glsl-compact build step)', () => {
    const scripts = readdirSync(join(dir, '_astro')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, '_astro', f), 'utf8'));
    const withShaders = scripts.filter((s) => s.includes('#version 300 es'));
    expect(withShaders).toHaveLength(1);
    const glsl = [...withShaders[0]!.matchAll(/`#version 300 es[\s\S]*?`/g)].map((m) => m[0]);
    expect(glsl.length).toBe(6);
    for (const src of glsl) {
      expect(src).toContain('void main()');
      expect(src).not.toMatch(/\/\/|\/\*|\n[ \t]/);
    }
  });

  it('answers an unknown address with the 404 page, which leads back to every chapter', async () => {
    const server = await serveDist(dir);
    try {
      for (const path of ['/no-such-page/', '/chapters/no-such-chapter/', '/deep/er/still.html']) {
        const res = await fetch(server.origin + path);
        expect(res.status, path).toBe(404);
        const html = await res.text();
        expect(html, path).toMatch(/<h1\b[^>]*>No page here<\/h1>/);
        for (const slug of SLUGS) expect(html, `${path} links ${slug}`).toContain(`href="/chapters/${slug}/"`);
      }
    } finally {
      await server.close();
    }
  });
});
