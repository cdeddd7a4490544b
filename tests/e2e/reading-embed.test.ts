/**
 * Embedding a chapter on someone else's site: a host page served from a second origin frames
 * /embed/<slug>/ and loads /embed.js; each frame draws its scene with one WebGL context and gets
 * its height from the frame's message, down to 320 px wide. And oEmbed discovery on every chapter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { decodePng, imageStats, serveDist, useSite, type StaticServer } from './harness.ts';
import { SLUGS, openRecorded } from './reading-helpers.ts';
import { preferredHeight } from '../../src/story/embed.ts';

const site = useSite();
let host: StaticServer;
let hostDir: string;

beforeAll(async () => {
  hostDir = mkdtempSync(join(tmpdir(), 'embed-host-'));
  host = await serveDist(hostDir);
});
afterAll(async () => {
  await host?.close();
  rmSync(hostDir, { recursive: true, force: true });
});

interface Embed {
  slug: string;
  width: number;
}

/**
 * Writes a host page. `lateScript` adds embed.js only after the frames have loaded and spoken, as
 * an async script on a slow page would: the frames must then report their height again.
 */
function hostPage(name: string, embeds: Embed[], lateScript: boolean): string {
  const frames = embeds
    .map((e) => `<iframe src="${site.origin}/embed/${e.slug}/" title="${e.slug}" width="${e.width}" height="300" style="border:0;width:${e.width}px"></iframe>`)
    .join('\n');
  const script = lateScript
    ? `<script>
        let loaded = 0;
        for (const f of document.querySelectorAll('iframe')) f.addEventListener('load', () => {
          if (++loaded < ${embeds.length}) return;
          setTimeout(() => {
            const s = document.createElement('script');
            s.src = ${JSON.stringify(`${site.origin}/embed.js`)};
            document.body.append(s);
          }, 1500);
        });
      </script>`
    : `<script src="${site.origin}/embed.js" async></script>`;
  writeFileSync(
    join(hostDir, `${name}.html`),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog</title><link rel="icon" href="data:,">
<style>body{margin:8px;font-family:sans-serif}.row{display:flex;gap:16px;align-items:flex-start}</style></head>
<body><h1>A blog post that embeds a chapter</h1><div class="row">${frames}</div>${script}</body></html>`,
  );
  return `${host.origin}/${name}.html`;
}

function frameOf(page: Page, slug: string): Frame {
  const f = page.frames().find((x) => x.url().includes(`/embed/${slug}/`));
  if (!f) throw new Error(`no frame for /embed/${slug}/ (frames: ${page.frames().map((x) => x.url()).join(', ')})`);
  return f;
}

/** Share of the frame's canvas (as composited on the host page) that is not white. */
async function inkInFrame(page: Page, frame: Frame): Promise<number> {
  const box = await frame.locator('.scene-canvas').boundingBox();
  if (!box || box.width < 10 || box.height < 10) throw new Error(`the canvas in ${frame.url()} has no box`);
  const png = await page.screenshot({ clip: box });
  return imageStats(decodePng(png), [255, 255, 255], 4).nonBackgroundFraction;
}

async function embedReady(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => document.documentElement.dataset.model === 'ready', undefined, { timeout: 30_000 });
}

describe('an embed on another origin', () => {
  const slug = SLUGS.includes('embedding') ? 'embedding' : SLUGS[0]!;

  it('draws its scene and is sized by its own message', async () => {
    const url = hostPage('one', [{ slug, width: 720 }], false);
    expect(new URL(url).origin).not.toBe(site.origin);
    const p = await openRecorded(site.browser, url, { viewport: { width: 1280, height: 900 } });
    const frame = frameOf(p.page, slug);
    await embedReady(frame);
    const iframe = p.page.locator('iframe');
    await expect.poll(() => iframe.getAttribute('data-gpt-inside-out')).toBe(slug);
    expect((await iframe.boundingBox())!.height).toBe(preferredHeight(720));
    await expect.poll(() => inkInFrame(p.page, frame), { timeout: 10_000 }).toBeGreaterThan(0.002);
    expect(await frame.evaluate(() => window.__recorded.contexts)).toBe(1);
    expect(await frame.evaluate(() => window.__recorded.csp)).toEqual([]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('two embeds on one page each draw, with one WebGL context each; 320 px wide still fits', async () => {
    const second = SLUGS.find((s) => s !== slug && s !== 'welcome') ?? SLUGS[0]!;
    const url = hostPage('two', [{ slug, width: 720 }, { slug: second, width: 320 }], true);
    const p = await openRecorded(site.browser, url, { viewport: { width: 1280, height: 900 } });
    const frames = [frameOf(p.page, slug), frameOf(p.page, second)];
    for (const f of frames) await embedReady(f);
    // embed.js came late: its greeting made each frame report again.
    const heights = [preferredHeight(720), preferredHeight(320)];
    for (const [i, s] of [slug, second].entries()) {
      const iframe = p.page.locator(`iframe[title="${s}"]`);
      await expect.poll(() => iframe.getAttribute('data-gpt-inside-out'), { timeout: 10_000 }).toBe(s);
      expect((await iframe.boundingBox())!.height).toBe(heights[i]);
    }
    for (const f of frames) {
      await expect.poll(() => inkInFrame(p.page, f), { timeout: 10_000 }).toBeGreaterThan(0.002);
      expect(await f.evaluate(() => window.__recorded.contexts), f.url()).toBe(1);
    }
    const narrow = frames[1]!;
    const fits = () => narrow.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(await narrow.evaluate(() => innerWidth)).toBe(320);
    let w = await fits();
    expect(w.scroll, 'horizontal scroll inside the 320 px embed').toBeLessThanOrEqual(w.client);
    // Still true further down, where the prose holds formulas and inputs.
    await narrow.evaluate(() => window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' }));
    w = await fits();
    expect(w.scroll, 'horizontal scroll inside the 320 px embed, further down').toBeLessThanOrEqual(w.client);
    expect(await p.page.evaluate(() => window.__recorded.contexts), 'the host page made a context').toBe(0);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('oEmbed discovery', () => {
  it('every chapter links its oEmbed JSON: version 1.0, rich, with the embed iframe', async () => {
    for (const slug of SLUGS) {
      const html = await (await fetch(site.url(`/chapters/${slug}/`))).text();
      const links = [...html.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]).filter((l) => /rel="alternate"/.test(l) && /type="application\/json\+oembed"/.test(l));
      expect(links, `/chapters/${slug}/`).toHaveLength(1);
      const href = /href="([^"]+)"/.exec(links[0]!)![1]!;
      // The link is absolute on SITE_URL (which this test server is not): fetch its path here.
      expect(href).toMatch(/^https?:\/\//);
      const res = await fetch(site.url(new URL(href).pathname));
      expect(res.status, href).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.version).toBe('1.0');
      expect(body.type).toBe('rich');
      expect(typeof body.width).toBe('number');
      expect(typeof body.height).toBe('number');
      expect(body.html).toMatch(new RegExp(`<iframe src="[^"]*/embed/${slug}/"`));
      // The framed page exists.
      expect((await fetch(site.url(`/embed/${slug}/`))).status).toBe(200);
    }
  });
});
