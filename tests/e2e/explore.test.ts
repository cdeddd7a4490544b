/**
 * /explore/ in real Chromium against the built site (run `npm run build` first): the scene draws,
 * hovering a cell explains the trace's exact number, the model and input controls change the
 * picture, the renderer survives a lost WebGL context, and the page degrades to text without
 * WebGL or with a bad ?input=.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { canvasStats, imageDiff, launchBrowser, openPage, useSite, loseAndRestoreContext, NO_WEBGL } from './harness.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';

const site = useSite();
const CANVAS = '#scene canvas';

declare global {
  interface Window {
    __scene: SceneTestHook;
  }
}

/** Waits for the first trace on screen, then for the camera to come to rest (no new frames for 250 ms). */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__scene !== undefined, null, { timeout: 30_000 });
  await page.evaluate(() => window.__scene.ready);
  let frames = -1;
  for (let i = 0; i < 40; i++) {
    const now = await page.evaluate(() => window.__scene.frames);
    if (now === frames) return;
    frames = now;
    await page.waitForTimeout(250);
  }
  throw new Error(`the scene kept drawing frames for 10 s (${frames} frames): it never settled`);
}

/** Frames the camera on one block (no easing) and waits for the frame that shows it. */
async function lookAt(page: Page, block: string, zoomOut = 1): Promise<void> {
  await page.evaluate(
    async ([id, k]) => {
      const c = window.__scene.frame(id as string);
      if (!c) throw new Error(`no block ${id}`);
      await window.__scene.setCamera({ ...c, distance: c.distance * (k as number) });
    },
    [block, zoomOut] as const,
  );
}

describe('/explore/', () => {
  it('draws a non-blank scene with no console errors', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const stats = await canvasStats(p.page, CANVAS);
    expect(stats.width).toBeGreaterThan(600);
    expect(stats.nonBackgroundFraction).toBeGreaterThan(0.05);
    expect(stats.distinctColors).toBeGreaterThan(50);
    expect(await p.page.locator('#sorted').textContent()).toBe('ABBBCC');
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('hovering a cell shows the trace value and its formula', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const cell = ['h.0.attn.head0.q', 3, 2] as const;
    await lookAt(p.page, cell[0], 1.6);
    const at = await p.page.evaluate(([b, r, c]) => window.__scene.cellScreenPosition(b, r, c), cell);
    expect(at).not.toBeNull();
    const box = (await p.page.locator(CANVAS).boundingBox())!;
    await p.page.mouse.move(box.x + at!.x, box.y + at!.y);
    const tip = p.page.locator('.scene-tooltip');
    await tip.waitFor({ state: 'visible' });

    const expected = await p.page.evaluate(([b, r, c]) => window.__scene.value(b, r, c), cell);
    expect(expected).not.toBeNull();
    // The tooltip carries the exact number, and prints a float32 that reads back to the same bits.
    expect(Number(await tip.locator('.tt-value').getAttribute('data-value'))).toBe(expected);
    const exact = (await tip.locator('.tt-exact').textContent())!.replace('float32 ', '');
    expect(Math.fround(Number(exact))).toBe(expected);
    const text = (await tip.textContent())!;
    expect(text).toContain('Query vectors, head 1, layer 1');
    expect(text).toMatch(/position 3 \(A\)/);
    expect(text).toMatch(/Σ 48 products/);
    // The hovered cell's sources are highlighted: the state carries them as 'source' highlights.
    const roles = await p.page.evaluate(() => window.__scene.state()!.highlights.map((h) => `${h.block}:${h.role}`));
    expect(roles).toContain('h.0.attn.head0.q:focus');
    expect(roles).toContain('h.0.attn.head0.q.weight:source');
    expect(roles).toContain('h.0.ln_1:source');

    // A GELU cell adds the curve.
    const gelu = await p.page.evaluate(() => window.__scene.hoverCell('h.1.mlp.gelu', 10, 4));
    expect(gelu?.text).toMatch(/GELU/);
    expect(await p.page.locator('.scene-tooltip svg.tt-gelu').count()).toBe(1);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('switching models changes the picture', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const before = await canvasStats(p.page, CANVAS);
    await p.page.selectOption('#model', 'gpt2-small');
    await settle(p.page);
    const after = await canvasStats(p.page, CANVAS);
    const diff = imageDiff(before, after, { tolerance: 8 });
    console.info(`model switch changed ${(diff * 100).toFixed(1)}% of pixels`);
    expect(diff).toBeGreaterThan(0.05);
    expect(await p.page.locator('#model-params').textContent()).toBe('124,439,808 parameters');
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('a big model has nano standing at its foot, at the same scale and with its real numbers', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const cell = ['h.0.attn.head0.q', 3, 2] as const;
    const own = await p.page.evaluate(([b, r, c]) => window.__scene.value(b, r, c), cell);
    expect(own).not.toBeNull();
    await p.page.selectOption('#model', 'gpt2-small');
    await settle(p.page);
    const [, r, c] = cell;
    const inPair = await p.page.evaluate(([b, r, c]) => window.__scene.value(b, r, c), [`nano/${cell[0]}`, r, c] as const);
    expect(inPair).toBe(own);
    // Hovering it explains nano's cell, its sources highlighted under the companion's ids.
    const tip = await p.page.evaluate(([b, r, c]) => window.__scene.hoverCell(b, r, c), [`nano/${cell[0]}`, r, c] as const);
    expect(tip?.value).toBe(own);
    expect(tip?.text).toContain('gpt-nano: Query vectors, head 1, layer 1');
    const roles = await p.page.evaluate(() => window.__scene.state()!.highlights.map((h) => `${h.block}:${h.role}`));
    expect(roles).toContain('nano/h.0.attn.head0.q.weight:source');
    // In the whole view it stands on the stage, right of GPT-2 small's last column.
    const box = (await p.page.locator(CANVAS).boundingBox())!;
    const nanoAt = await p.page.evaluate(() => window.__scene.cellScreenPosition('nano/probs', 0, 0));
    // The bottom right cell of the output head, GPT-2 small's last column.
    const headAt = await p.page.evaluate(() => window.__scene.cellScreenPosition('lm_head', 50256, 767));
    expect(nanoAt).not.toBeNull();
    expect(nanoAt!.x).toBeGreaterThan(headAt!.x);
    expect(nanoAt!.x).toBeLessThan(box.width);
    expect(nanoAt!.y).toBeLessThan(box.height);
    // Its bottom level with the bottom of that column (both end in their next-token probabilities).
    const nanoFoot = await p.page.evaluate(() => window.__scene.cellScreenPosition('nano/probs', 2, 0));
    const bigFoot = await p.page.evaluate(() => window.__scene.cellScreenPosition('probs', 50256, 0));
    expect(Math.abs(nanoFoot!.y - bigFoot!.y)).toBeLessThan(4);
    expect(await p.page.locator('main').textContent()).toContain('the sorter stands at the same scale');
    // ...and named in the picture, until the reader picks nano again.
    const named = p.page.locator('.scene-labels >> text=gpt-nano, same scale');
    await named.waitFor({ state: 'visible' });
    await p.page.selectOption('#model', 'nano');
    await settle(p.page);
    await named.waitFor({ state: 'hidden' });
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('new letters update the cells in place and the output is the sorted letters', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    await lookAt(p.page, 'h.0.ln_2', 0.8);
    const probe = ['h.0.resid_1', 5, 4] as const;
    const oldValue = await p.page.evaluate(([b, r, c]) => window.__scene.value(b, r, c), probe);
    const before = await canvasStats(p.page, CANVAS);
    const frames = await p.page.evaluate(() => window.__scene.frames);
    const weightFetches = () => p.page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.safetensors')).length);
    const fetchedBefore = await weightFetches();

    // A wrong letter: an inline message, nothing re-runs.
    await p.page.fill('#letters', 'ABXCBA');
    await expect.poll(() => p.page.locator('#letters-message').textContent()).toMatch(/letter 3 .*"X"/i);
    expect(await p.page.locator('#sorted').textContent()).toBe('ABBBCC');
    await p.page.fill('#letters', 'ABC');
    await expect.poll(() => p.page.locator('#letters-message').textContent()).toMatch(/exactly 6 letters/);

    await p.page.fill('#letters', 'CCABAB');
    await expect.poll(() => p.page.locator('#sorted').textContent(), { timeout: 10_000 }).toBe('AABBCC');
    expect(await p.page.locator('#letters-message').textContent()).toBe('');
    await settle(p.page);
    expect(await p.page.evaluate(() => window.__scene.frames)).toBeGreaterThan(frames);
    const newValue = await p.page.evaluate(([b, r, c]) => window.__scene.value(b, r, c), probe);
    expect(newValue).not.toBe(oldValue);
    const after = await canvasStats(p.page, CANVAS);
    const diff = imageDiff(before, after, { tolerance: 8 });
    console.info(`input change changed ${(diff * 100).toFixed(1)}% of pixels`);
    expect(diff).toBeGreaterThan(0.005);
    // Same page: the worker and the weights were not reloaded.
    expect(await weightFetches()).toBe(fetchedBefore);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('a camera that comes back after the blocks changed is drawn again, not taken for the frame before', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const hl = { block: 'h.0.ln_1', role: 'focus' as const };
    // Camera A with no highlight; then B with a highlight (new instances); then A again, same highlight.
    await p.page.evaluate(async () => {
      const a = window.__scene.frame('h.0.ln_1')!;
      window.__scene.setScene({ highlights: [] });
      await window.__scene.setCamera(a);
    });
    await p.page.evaluate(async (h) => {
      const b = window.__scene.frame('h.0.mlp.c_fc.weight')!;
      window.__scene.setScene({ highlights: [h] });
      await window.__scene.setCamera(b);
    }, hl);
    await p.page.evaluate(async () => window.__scene.setCamera(window.__scene.frame('h.0.ln_1')!));
    const back = await canvasStats(p.page, CANVAS);
    // The same picture drawn from scratch on a fresh page.
    const q = await site.open('/explore/');
    await settle(q.page);
    await q.page.evaluate(async (h) => {
      window.__scene.setScene({ highlights: [h] });
      await window.__scene.setCamera(window.__scene.frame('h.0.ln_1')!);
    }, hl);
    const fresh = await canvasStats(q.page, CANVAS);
    expect(imageDiff(back, fresh, { tolerance: 2 })).toBeLessThan(0.001);
    expect(p.problems()).toEqual([]);
    await p.close();
    await q.close();
  });

  it('recovers from a lost WebGL context within a second', async () => {
    const p = await site.open('/explore/');
    await settle(p.page);
    const before = await canvasStats(p.page, CANVAS);
    const resources = await p.page.evaluate(() => window.__scene.resources());
    const ms = await loseAndRestoreContext(p.page);
    console.info(`redrawn ${ms.toFixed(0)} ms after restoreContext()`);
    expect(ms).toBeLessThan(1000);
    const after = await canvasStats(p.page, CANVAS);
    expect(after.nonBackgroundFraction).toBeGreaterThan(0.05);
    expect(imageDiff(before, after, { tolerance: 8 })).toBeLessThan(0.01);
    expect(await p.page.evaluate(() => window.__scene.resources())).toEqual(resources);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('ignores a bad ?input= with a visible notice, never as HTML', async () => {
    const p = await site.open('/explore/?input=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&zoom=3');
    await settle(p.page);
    const notice = p.page.locator('#url-notice');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toMatch(/Ignored \?input="<img src=x onerror=alert\(1\)>"/);
    expect(await notice.textContent()).toMatch(/unknown address parameter "zoom"/);
    expect(await p.page.locator('img').count()).toBe(0);
    expect(await p.page.inputValue('#letters')).toBe('CBABBC');
    expect(p.problems()).toEqual([]);
    await p.close();

    const good = await site.open('/explore/?input=BBCAAC');
    await expect.poll(() => good.page.locator('#sorted').textContent(), { timeout: 15_000 }).toBe('AABBCC');
    expect(await good.page.locator('#url-notice').isVisible()).toBe(false);
    await good.close();
  });
});

describe('/explore/ without WebGL', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ args: NO_WEBGL });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the message instead of the canvas and keeps the text working', async () => {
    const p = await openPage(browser, site.url('/explore/'));
    const fallback = p.page.locator('#scene .scene-fallback[role="status"]');
    await fallback.waitFor({ state: 'visible' });
    expect(await fallback.textContent()).toMatch(/WebGL2 is not available/);
    expect(await p.page.locator(CANVAS).isVisible()).toBe(false);
    expect(await p.page.locator('.explore-text').isVisible()).toBe(true);
    // Nothing is drawn over the message, and a tool waiting for a drawn frame is not left waiting.
    await p.page.evaluate(() => window.__scene.settle());
    expect(await p.page.locator('#scene .scene-labels > *:visible').count()).toBe(0);
    // The model still runs in its worker: the output is text, not a drawing.
    await expect.poll(() => p.page.locator('#sorted').textContent(), { timeout: 15_000 }).toBe('ABBBCC');
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});
