/**
 * The article in a real browser: every chapter page loads cleanly, scrolling moves the active
 * step and the picture, a deep link shows the same picture as scrolling there, and the reader's
 * input in the tokens chapter changes what the generation chapter reports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageDiff, openPage, REPO_ROOT, useSite, type CanvasStats } from './harness.ts';
import { SLUGS, activeStep, modelReady, pictureScrolledTo, scrollGradually, scrollToY, settledCanvas, waitForStep } from './reading-helpers.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';
import { REHEARSAL_PASSES, REHEARSAL_TIMES } from '../../src/story/rehearsal.ts';

const site = useSite();
const slugs = SLUGS;

describe('chapter pages', () => {
  for (const slug of slugs) {
    it(`/chapters/${slug}/ loads without errors, and scrolling moves the active step and the picture`, async () => {
      const p = await site.open(`/chapters/${slug}/`, { viewport: { width: 1280, height: 800 } });
      await modelReady(p.page);
      const steps = await p.page.$$eval('[data-step]', (els) => els.map((e) => ({ id: e.id, top: e.getBoundingClientRect().top + window.scrollY })));
      expect(steps.length).toBeGreaterThan(1);
      const seen: string[] = [];
      const pictures: CanvasStats[] = [];
      for (const step of steps) {
        // Put the step's middle on the reading line (60% down the viewport).
        const box = await p.page.$eval(`#${step.id}`, (e) => ({ top: e.getBoundingClientRect().top + window.scrollY, height: e.getBoundingClientRect().height }));
        await scrollToY(p.page, box.top + box.height / 2 - 0.6 * 800);
        await p.page.waitForFunction((id) => document.querySelector('[aria-current="step"]')?.id === id, step.id, { timeout: 5000 });
        seen.push((await activeStep(p.page))!);
        pictures.push(await settledCanvas(p.page));
      }
      expect(seen).toEqual(steps.map((s) => s.id));
      for (const pic of pictures) expect(pic.nonBackgroundFraction, 'the canvas is blank').toBeGreaterThan(0.002);
      const changes = pictures.slice(1).map((pic, i) => imageDiff(pictures[i]!, pic, { tolerance: 8 }));
      expect(Math.max(...changes), 'the picture never changed while scrolling').toBeGreaterThan(0.01);
      expect(p.problems()).toEqual([]);
      await p.close();
    });
  }

  it('a chapter reloaded at its third step shows the same picture as one scrolled there', async () => {
    const slug = slugs.find((s) => s !== 'welcome') ?? slugs[0]!;
    const deep = await site.open(`/chapters/${slug}/`, { viewport: { width: 1280, height: 800 } });
    await modelReady(deep.page);
    const third = await deep.page.$$eval('[data-step]', (els) => els[2]?.id ?? els[els.length - 1]!.id);
    await deep.close();

    const linked = await site.open(`/chapters/${slug}/#${third}`, { viewport: { width: 1280, height: 800 } });
    await modelReady(linked.page);
    const y = await linked.page.evaluate(() => window.scrollY);
    expect(await activeStep(linked.page)).toBe(third);
    const a = await settledCanvas(linked.page);

    const b = await pictureScrolledTo(site, `/chapters/${slug}/`, y, third, { width: 1280, height: 800 });
    expect(imageDiff(a, b, { tolerance: 2 })).toBeLessThan(0.001);
    expect(linked.problems()).toEqual([]);
    await linked.close();
  });
});

describe('words that name a block', () => {
  it('are underlined in their block\'s colour and highlight the block while hovered', async () => {
    const p = await site.open('/chapters/embedding/', { viewport: { width: 1280, height: 800 } });
    await modelReady(p.page);
    const ref = p.page.locator('.step .ref[data-block="wte"]').first();
    await ref.scrollIntoViewIfNeeded();
    await p.page.evaluate(() => window.scrollBy(0, -100));
    await p.page.mouse.move(5, 5);
    const before = await settledCanvas(p.page);
    expect(await ref.getAttribute('class')).toMatch(/ref-weight/);
    await ref.hover();
    await expect(ref.getAttribute('class')).resolves.toMatch(/ref-active/);
    const during = await settledCanvas(p.page);
    expect(imageDiff(before, during, { tolerance: 8 }), 'hovering the word changed nothing in the picture').toBeGreaterThan(0.005);
    await p.page.mouse.move(5, 5);
    const after = await settledCanvas(p.page);
    expect(imageDiff(before, after, { tolerance: 2 })).toBeLessThan(0.001);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('the reader input', () => {
  it.runIf(slugs.includes('tokens') && slugs.includes('generation'))(
    'changing the letters in the tokens chapter changes the output the generation chapter shows',
    async () => {
      const p = await site.open('/', { viewport: { width: 1280, height: 800 } });
      await modelReady(p.page);
      await p.page.waitForFunction(() => document.documentElement.dataset.generated === 'ABBBCC');
      const outputSpans = p.page.locator('#generation .val[data-q="output"]');
      expect(await outputSpans.count()).toBeGreaterThan(0);
      expect(await outputSpans.first().textContent()).toBe('ABBBCC');

      const field = p.page.locator('#tokens form.reader-input input[name="input"]');
      await field.fill('ACBACB');
      await p.page.waitForFunction(() => document.documentElement.dataset.generated === 'AABBCC');
      expect(await outputSpans.first().textContent()).toBe('AABBCC');
      expect(new URL(p.page.url()).searchParams.get('input')).toBe('ACBACB');

      // A wrong letter gets an inline message and changes nothing.
      await field.fill('ACBXCB');
      await p.page.locator('#tokens form.reader-input button').click();
      await expect(p.page.locator('#tokens .input-message').first().textContent()).resolves.toMatch(/not A, B or C/);
      expect(await outputSpans.first().textContent()).toBe('AABBCC');
      expect(p.problems()).toEqual([]);
      await p.close();
    },
  );
});

describe('steps rehearsed in idle time', () => {
  it('runs every step of the page ahead of the reader, changes nothing on the page, and leaves the next frames as they would be', async () => {
    const vp = { width: 1280, height: 800 };
    const p = await openPage(site.browser, 'about:blank', { viewport: vp });
    // Idle callbacks wait until the test lets them run.
    await p.context.addInitScript(() => {
      const held: IdleRequestCallback[] = [];
      const w = window as unknown as { requestIdleCallback: (f: IdleRequestCallback) => number; __held: IdleRequestCallback[] };
      w.__held = held;
      w.requestIdleCallback = (f) => held.push(f);
    });
    const ids = await (async () => {
      const probe = await site.open('/chapters/self-attention/', { viewport: vp });
      const all = await probe.page.$$eval('[data-step]', (els) => els.map((e) => e.id));
      await probe.close();
      return all;
    })();
    await p.page.goto(site.url(`/chapters/self-attention/#${ids[2]}`));
    await modelReady(p.page);
    type Hooked = { __scene: SceneTestHook; __held: IdleRequestCallback[] };
    await p.page.waitForFunction(() => (window as unknown as Hooked).__held.length > 0);
    expect(await p.page.evaluate(() => (window as unknown as Hooked).__scene.rehearsal())).toEqual({ count: 0, done: false });
    const before = await settledCanvas(p.page);
    const domBefore = await p.page.$eval('[data-scene]', (e) => e.innerHTML);

    // Let idle time come until the rehearsal is over.
    await p.page.waitForFunction(
      () => {
        const w = window as unknown as Hooked;
        for (const f of w.__held.splice(0)) f({ timeRemaining: () => 50, didTimeout: false });
        return w.__scene.rehearsal()!.done;
      },
      undefined,
      { polling: 50, timeout: 20_000 },
    );
    const { count } = (await p.page.evaluate(() => (window as unknown as Hooked).__scene.rehearsal()))!;
    // Every step of the chapter, at each rehearsed moment, each pass.
    expect(count).toBe(ids.length * REHEARSAL_TIMES.length * REHEARSAL_PASSES);
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await p.page.$eval('[data-scene]', (e) => e.innerHTML)).toBe(domBefore);
    expect(imageDiff(before, await settledCanvas(p.page))).toBe(0);

    // The next step looks as it does for a reader who opened the page afresh and scrolled there.
    const next = ids[3]!;
    const y = await p.page.$eval(`#${next}`, (e) => e.getBoundingClientRect().top + scrollY + e.getBoundingClientRect().height / 2 - 0.6 * innerHeight);
    await scrollGradually(p.page, y);
    await waitForStep(p.page, next);
    const after = await settledCanvas(p.page);
    const reference = await pictureScrolledTo(site, `/chapters/self-attention/#${ids[2]}`, await p.page.evaluate(() => scrollY), next, vp);
    expect(imageDiff(after, reference, { tolerance: 2 })).toBeLessThan(0.001);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('the test hook', () => {
  it('is test code: no script of the site holds it, and a page not driven by automation hands nothing over', async () => {
    // The hook's own methods, by name, are in no file the site serves.
    const dist = resolve(REPO_ROOT, process.env.E2E_DIST ?? 'dist', '_astro');
    const scripts = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(5);
    for (const f of scripts) expect(/blocksOnScreen|rangeOnScreen|orbitFrames/.exec(readFileSync(join(dist, f), 'utf8'))?.[0] ?? null, f).toBeNull();

    // Under automation (the harness), the page hands its sources over and the hook appears.
    const p = await site.open('/chapters/tokens/', { viewport: { width: 1280, height: 800 } });
    await modelReady(p.page);
    expect(await p.page.evaluate(() => typeof (window as unknown as { __scene?: SceneTestHook }).__scene?.state)).toBe('function');
    // A reader's browser (navigator.webdriver false): the same page leaves window as it was.
    await p.context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
    await p.page.reload();
    await modelReady(p.page);
    expect(await p.page.evaluate(() => ({ webdriver: navigator.webdriver, hook: typeof (window as unknown as { __scene?: unknown }).__scene }))).toEqual({ webdriver: false, hook: 'undefined' });
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});
