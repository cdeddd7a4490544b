/**
 * The article when things go wrong or go away: no WebGL, a lost WebGL context, a blocked WASM
 * engine or weights file, no network after loading. And what it must never do: fetch from
 * another origin, or trip its own Content-Security-Policy (tooltips and labels included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { imageDiff, launchBrowser, useSite, type CanvasStats, loseAndRestoreContext, NO_WEBGL } from './harness.ts';
import { CANVAS, SLUGS, modelReady, openRecorded, recorded, scrollToY, scrollYFor, settledCanvas, stepIds, waitForStep } from './reading-helpers.ts';

const site = useSite();
const DESKTOP = { width: 1280, height: 800 };
const CHAPTER = SLUGS.includes('embedding') ? 'embedding' : SLUGS[1]!;
/** The chapter whose picture holds the GELU block, for the tooltip's curve. */
const MLP = SLUGS.includes('mlp') ? 'mlp' : CHAPTER;

/** Scrolls through every step of the page; returns one settled picture per step. */
async function readThrough(page: Page): Promise<CanvasStats[]> {
  const pictures: CanvasStats[] = [];
  for (const id of await stepIds(page)) {
    await scrollToY(page, await scrollYFor(page, id));
    await waitForStep(page, id);
    pictures.push(await settledCanvas(page));
  }
  return pictures;
}

const changedSomewhere = (pics: CanvasStats[]) => Math.max(...pics.slice(1).map((p, i) => imageDiff(pics[i]!, p, { tolerance: 8 })));

describe('without WebGL', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ args: NO_WEBGL });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const path of ['/', `/chapters/${CHAPTER}/`]) {
    it(`${path}: all of the text, and the notice where the scene would be`, async () => {
      const p = await openRecorded(browser, site.url(path), { viewport: DESKTOP });
      const notice = p.page.locator('.stage .scene-fallback[role="status"]');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.textContent()).toMatch(/WebGL2 is not available/);
      expect(await p.page.locator(CANVAS).isVisible()).toBe(false);
      const steps = await p.page.$$eval('[data-step]', (els) => els.map((e) => ({ id: e.id, text: (e as HTMLElement).innerText.trim(), shown: e.getBoundingClientRect().height > 0 })));
      expect(steps.length).toBeGreaterThan(1);
      for (const s of steps) {
        expect(s.shown, `step ${s.id} is not rendered`).toBe(true);
        expect(s.text.length, `step ${s.id} has no text`).toBeGreaterThan(20);
      }
      // The model still runs: the numbers in the prose are computed.
      await modelReady(p.page);
      expect((await recorded(p.page)).csp).toEqual([]);
      expect(p.problems()).toEqual([]);
      await p.close();
    });
  }
});

describe('where the picture is drawn', () => {
  /** The picture of the chapter's second step, settled, with how the canvas answers a request for a context of its own. */
  async function secondStep(before?: (page: Page) => Promise<unknown>): Promise<{ picture: CanvasStats; handedOver: string; tip: string | null; problems: string[] }> {
    const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/`), { viewport: DESKTOP, before });
    await modelReady(p.page);
    const ids = await stepIds(p.page);
    await scrollToY(p.page, await scrollYFor(p.page, ids[1]!));
    await waitForStep(p.page, ids[1]!);
    const picture = await settledCanvas(p.page);
    // A canvas handed to a worker refuses to give the page a context of its own.
    const handedOver = await p.page.$eval(CANVAS, (c) => {
      try {
        (c as HTMLCanvasElement).getContext('2d');
        return 'the page can still draw on it';
      } catch (e) {
        return (e as Error).name;
      }
    });
    const tip = await p.page.evaluate(() => window.__scene.hoverCell('embed', 0, 0)?.text ?? null);
    const problems = [...p.problems(), ...(await recorded(p.page)).csp];
    await p.close();
    return { picture, handedOver, tip, problems };
  }

  it('a worker draws it: the page hands its canvas over, and the picture, hover and CSP are as before', async () => {
    const { picture, handedOver, tip, problems } = await secondStep();
    expect(handedOver).toBe('InvalidStateError');
    expect(picture.nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(tip).toMatch(/\d/);
    expect(problems).toEqual([]);
  });

  it('a browser that cannot hand a canvas to a worker draws the same picture on the page itself', async () => {
    const inWorker = await secondStep();
    const onPage = await secondStep((page) => page.context().addInitScript(() => delete (HTMLCanvasElement.prototype as Partial<HTMLCanvasElement>).transferControlToOffscreen));
    expect(onPage.handedOver).toBe('the page can still draw on it');
    expect(onPage.picture.nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(imageDiff(inWorker.picture, onPage.picture, { tolerance: 8 })).toBeLessThan(0.01);
    expect(onPage.tip).toBe(inWorker.tip);
    expect(onPage.problems).toEqual([]);
  });
});

describe('a lost WebGL context', () => {
  it('the article redraws within a second of restoreContext()', async () => {
    const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/`), { viewport: DESKTOP });
    await modelReady(p.page);
    const ids = await stepIds(p.page);
    await scrollToY(p.page, await scrollYFor(p.page, ids[1]!));
    await waitForStep(p.page, ids[1]!);
    const before = await settledCanvas(p.page);
    const ms = await loseAndRestoreContext(p.page);
    console.info(`article redrawn ${ms.toFixed(0)} ms after restoreContext()`);
    expect(ms).toBeLessThan(1000);
    const after = await settledCanvas(p.page);
    expect(after.nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(imageDiff(before, after, { tolerance: 8 })).toBeLessThan(0.01);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('a failing engine', () => {
  it('a blocked .wasm: the TypeScript engine computes the values, and a small notice says so', async () => {
    const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/`), {
      viewport: DESKTOP,
      before: (page) => page.context().route(/\.wasm$/, (r) => r.abort()),
    });
    await modelReady(p.page);
    const notice = p.page.locator('#engine-notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toMatch(/TypeScript/);
    expect(await p.page.locator('#scene-status').textContent()).toBe('');
    expect((await settledCanvas(p.page)).nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(p.pageErrors).toEqual([]);
    // The blocked request itself is the only thing reported.
    const unexpected = p.problems().filter((e) => !/\.wasm/.test(e) && !/Failed to load resource/.test(e));
    expect(unexpected).toEqual([]);
    expect(p.failedRequests.length).toBeGreaterThan(0);
    await p.close();
  });

  it('blocked weights: a clear notice, readable text, no uncaught errors', async () => {
    const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/`), {
      viewport: DESKTOP,
      before: (page) => page.context().route(/\.safetensors$/, (r) => r.abort()),
    });
    const status = p.page.locator('#scene-status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/could not load the model weights/);
    expect(await status.isVisible()).toBe(true);
    expect(await p.page.evaluate(() => document.documentElement.dataset.model)).toBeUndefined();
    const firstStep = p.page.locator('[data-step]').first();
    expect(await firstStep.isVisible()).toBe(true);
    expect((await firstStep.innerText()).length).toBeGreaterThan(20);
    // Scrolling still works and raises nothing.
    const ids = await stepIds(p.page);
    await scrollToY(p.page, await scrollYFor(p.page, ids[1]!));
    await waitForStep(p.page, ids[1]!);
    expect(p.pageErrors).toEqual([]);
    const unexpected = p.problems().filter((e) => !/\.safetensors/.test(e) && !/Failed to load resource/.test(e));
    expect(unexpected).toEqual([]);
    await p.close();
  });
});

describe('the network', () => {
  for (const path of ['/', `/chapters/${MLP}/`, '/explore/']) {
    it(`${path} fetches nothing from another origin and trips no CSP rule, tooltips included`, async () => {
      const requests: string[] = [];
      const p = await openRecorded(site.browser, site.url(path), {
        viewport: DESKTOP,
        before: async (page) => {
          page.on('request', (r) => requests.push(r.url()));
        },
      });
      if (path === '/explore/') await p.page.evaluate(() => window.__scene.ready);
      else await modelReady(p.page);
      await settledCanvas(p.page);
      // A real hover over the middle of the picture, then the GELU cell's tooltip with its SVG curve.
      const box = (await p.page.locator(CANVAS).boundingBox())!;
      await p.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await p.page.mouse.move(box.x + box.width / 2 + 3, box.y + box.height / 2 + 3);
      const gelu = await p.page.evaluate(() => window.__scene.hoverCell('h.1.mlp.gelu', 10, 4));
      expect(gelu?.text).toMatch(/GELU/);
      expect(await p.page.locator('.scene-tooltip svg.tt-gelu').count()).toBe(1);
      await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const foreign = requests.filter((u) => !u.startsWith(site.origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
      expect(foreign).toEqual([]);
      expect(requests.length).toBeGreaterThan(3);
      expect((await recorded(p.page)).csp).toEqual([]);
      expect(p.problems()).toEqual([]);
      await p.close();
    });
  }

  it('a loaded chapter keeps working offline: scrolling still changes the picture, with no errors', async () => {
    const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/`), { viewport: DESKTOP });
    await modelReady(p.page);
    await p.page.waitForFunction(() => document.documentElement.dataset.generated !== undefined, undefined, { timeout: 30_000 });
    await p.context.setOffline(true);
    const pictures = await readThrough(p.page);
    for (const pic of pictures) expect(pic.nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(changedSomewhere(pictures)).toBeGreaterThan(0.01);
    // The reader's letters still run through the model, offline.
    const field = p.page.locator('form.reader-input input[name="input"]');
    if ((await field.count()) > 0) {
      await field.first().fill('ACBACB');
      await p.page.waitForFunction(() => document.documentElement.dataset.generated === 'AABBCC', undefined, { timeout: 15_000 });
    }
    expect((await recorded(p.page)).csp).toEqual([]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});
