/**
 * The site built for a sub-path (BASE_PATH=/gpt-inside-out/, SITE_URL=https://example.org, as a
 * GitHub Pages project site is) and served only under that path: the reading paths work there
 * (the whole essay with the reader's letters, a deep link to a step, an embed on another origin,
 * /explore/?input=), every preview tag and link carries the prefix, and unknown addresses get the
 * 404 page. Any URL still made as "/..." fails: the server answers it with 404, which the page
 * records as a failed request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT, decodePng, imageStats, serveDist, useSite, type StaticServer } from './harness.ts';
import { CANVAS, SLUGS, openRecorded, waitForStep } from './reading-helpers.ts';
import { checkBuiltSite } from './site-checks.ts';
import { waitForPicture } from '../../scripts/lib/step-pages.ts';
import { DEFAULT_INPUT } from '../../src/story/input.ts';

const BASE = '/gpt-inside-out/';
const ROOT = `https://example.org${BASE}`;
const dir = mkdtempSync(join(tmpdir(), 'dist-base-'));
const hostDir = mkdtempSync(join(tmpdir(), 'base-embed-host-'));
let host: StaticServer;

// Registered before useSite's hook, so the build exists when the server starts.
beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', dir], {
    cwd: REPO_ROOT,
    env: { ...buildEnv(), BASE_PATH: BASE, SITE_URL: 'https://example.org' },
    maxBuffer: 64 * 1024 * 1024,
  });
  host = await serveDist(hostDir);
}, 300_000);
afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

/**
 * This process's environment without what vitest adds for its own Vite (BASE_URL=/, MODE, DEV,
 * PROD, SSR, NODE_ENV=test): a build would take them over its own configuration.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'NODE_ENV']) delete env[key];
  return env;
}

const site = useSite({ dist: dir, base: BASE });
const slug = SLUGS.includes('mlp') ? 'mlp' : SLUGS[Math.min(1, SLUGS.length - 1)]!;

/** The chapter's step ids, from its built page. */
function stepsOf(chapter: string): string[] {
  const html = readFileSync(join(dir, 'chapters', chapter, 'index.html'), 'utf8');
  return [...html.matchAll(/<section class="step"[^>]*\bid="([^"]+)"/g)].map((m) => m[1]!);
}

async function ink(page: Page): Promise<number> {
  const png = await page.locator(CANVAS).first().screenshot();
  return imageStats(decodePng(png), [241, 240, 236], 6).nonBackgroundFraction;
}

describe(`a build for ${ROOT}`, () => {
  it('names every page, picture, oEmbed file and sitemap entry under the sub-path', () => {
    checkBuiltSite({ dir, root: ROOT });
  });

  it('the whole essay loads under the sub-path and computes the reader\'s letters', async () => {
    const input = ['ACBBCA', 'BCAACB'].find((x) => x !== (DEFAULT_INPUT as string))!;
    const p = await openRecorded(site.browser, site.url(`/?input=${input}`), { viewport: { width: 1280, height: 800 } });
    await waitForPicture(p.page, true);
    // Numbers in the prose were recomputed by the engine (worker, WASM and weights all under the base).
    await expect.poll(() => p.page.locator('[data-q="input"]').first().textContent()).toBe(input);
    expect(await p.page.evaluate(() => document.documentElement.dataset.model)).toBe('ready');
    expect(await ink(p.page)).toBeGreaterThan(0.01);
    // Internal links keep the prefix (and the reader's letters).
    const hrefs = await p.page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.startsWith(BASE), href).toBe(true);
    expect(await p.page.evaluate(() => window.__recorded.csp)).toEqual([]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('a deep link opens a chapter at its step; its links lead on under the sub-path', async () => {
    const steps = stepsOf(slug);
    const target = steps[Math.min(2, steps.length - 1)]!;
    const p = await openRecorded(site.browser, site.url(`/chapters/${slug}/#${target}`), { viewport: { width: 1280, height: 800 } });
    await waitForStep(p.page, target, 30_000);
    await waitForPicture(p.page, true);
    expect(new URL(p.page.url()).hash).toBe(`#${target}`);
    await Promise.all([p.page.waitForURL(`**${BASE}#${slug}`), p.page.click('.chapter-nav a[href*="#"]')]);
    // The essay opened at that chapter.
    await p.page.waitForFunction(
      (id) => {
        const box = document.getElementById(id)?.getBoundingClientRect();
        return box !== undefined && box.top < innerHeight && box.bottom > 0;
      },
      slug,
      { timeout: 30_000 },
    );
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('the embed snippet from a chapter page works on another origin', async () => {
    const page = await openRecorded(site.browser, site.url(`/chapters/${slug}/`));
    const snippet = await page.page.locator('[data-embed-share] textarea').inputValue();
    await page.close();
    expect(snippet).toContain(`src="${site.origin}${BASE}embed/${slug}/"`);
    expect(snippet).toContain(`src="${site.origin}${BASE}embed.js"`);
    writeFileSync(join(hostDir, 'post.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title><link rel="icon" href="data:,"></head><body>${snippet}</body></html>`);
    expect(host.origin).not.toBe(site.origin);
    const p = await openRecorded(site.browser, `${host.origin}/post.html`, { viewport: { width: 1280, height: 900 } });
    let frame: Frame | undefined;
    await expect.poll(() => (frame = p.page.frames().find((f) => f.url().includes(`${BASE}embed/${slug}/`))) !== undefined, { timeout: 30_000 }).toBe(true);
    await frame!.waitForFunction(() => document.documentElement.dataset.model === 'ready', undefined, { timeout: 30_000 });
    // embed.js (from the sub-path) sized the frame from the frame's own message.
    await expect.poll(() => p.page.locator('iframe').getAttribute('data-gpt-inside-out'), { timeout: 10_000 }).toBe(slug);
    expect(await frame!.locator('.embed-source a').getAttribute('href')).toBe(`${BASE}chapters/${slug}/`);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('/explore/?input= sorts the given letters', async () => {
    const p = await openRecorded(site.browser, site.url('/explore/?input=BBCAAC'));
    await expect.poll(() => p.page.locator('#sorted').textContent(), { timeout: 30_000 }).toBe('AABBCC');
    expect(await p.page.locator('h1 a').getAttribute('href')).toBe(BASE);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('serves the 404 page, with links under the sub-path, for unknown addresses inside and outside it', async () => {
    for (const url of [site.url('/no-such-page/'), `${site.origin}/chapters/${slug}/`]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(404);
      const html = await res.text();
      expect(html, url).toContain(`href="${BASE}chapters/${slug}/"`);
      expect(html, url).toContain(`href="${BASE}favicon.svg"`);
    }
    expect((await fetch(`${site.origin}${BASE.slice(0, -1)}`, { redirect: 'manual' })).headers.get('location')).toBe(BASE);
  });
});
