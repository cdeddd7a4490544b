/**
 * Reading paths through the article in a real browser: deep links into the whole essay, the
 * address following the reader (and history back/forward), j/k stepping, a phone-sized screen,
 * reduced motion, the canvas's text alternative, and hostile or stale addresses.
 * (Chapter deep links and plain scrolling are in article.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { imageDiff, useSite } from './harness.ts';
import {
  SLUGS,
  activeStep,
  inViewport,
  modelReady,
  openRecorded,
  recorded,
  pictureScrolledTo,
  scrollToY,
  scrollYFor,
  settledCanvas,
  stepIds,
  waitForStep,
} from './reading-helpers.ts';

const site = useSite();
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** A chapter with several steps that is neither the first nor the essay's last. */
const CHAPTER = SLUGS.includes('embedding') ? 'embedding' : SLUGS[1]!;

describe('deep links into the essay', () => {
  it('/#<step> shows that step at once, with the picture scrolling there gives', async () => {
    const probe = await site.open('/', { viewport: DESKTOP });
    const ids = await stepIds(probe.page);
    await probe.close();
    // The chapter's third step: well down the essay, and not its chapter's first.
    const target = ids.filter((id) => id.startsWith(`${CHAPTER}-`))[2]!;
    expect(target, `chapter ${CHAPTER} has fewer than three steps`).toBeDefined();

    const linked = await openRecorded(site.browser, site.url(`/#${target}`), { viewport: DESKTOP });
    await modelReady(linked.page);
    await waitForStep(linked.page, target);
    const a = await settledCanvas(linked.page);
    // No frame ever showed an earlier step: aria-current went straight to the linked one.
    expect((await recorded(linked.page)).current).toEqual([target]);
    expect(a.nonBackgroundFraction, 'the canvas is blank').toBeGreaterThan(0.002);
    const y = await linked.page.evaluate(() => scrollY);

    const b = await pictureScrolledTo(site, '/', y, target, DESKTOP);
    expect(imageDiff(a, b, { tolerance: 2 })).toBeLessThan(0.001);
    expect(linked.problems()).toEqual([]);
    await linked.close();
  });
});

describe('the address follows the reader', () => {
  it('after scrolling, location.hash is the active step', async () => {
    const p = await site.open(`/chapters/${CHAPTER}/`, { viewport: DESKTOP });
    await modelReady(p.page);
    expect(new URL(p.page.url()).hash, 'a plain visit gained a hash before any scrolling').toBe('');
    const entries = await p.page.evaluate(() => history.length);
    const ids = await stepIds(p.page);
    for (const id of [ids[1]!, ids[ids.length - 1]!, ids[0]!]) {
      await scrollToY(p.page, await scrollYFor(p.page, id));
      await waitForStep(p.page, id);
      await expect.poll(() => p.page.evaluate(() => location.hash)).toBe(`#${id}`);
    }
    // replaceState, not pushState: scrolling adds no history entries.
    expect(await p.page.evaluate(() => history.length)).toBe(entries);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('back after a table-of-contents link returns to where the reader was; forward goes again', async () => {
    const p = await site.open('/', { viewport: DESKTOP });
    await modelReady(p.page);
    const before = { y: await p.page.evaluate(() => scrollY), step: await activeStep(p.page) };
    await p.page.locator(`#contents a[href="#${CHAPTER}"]`).click();
    await p.page.waitForFunction((id) => document.querySelector('[aria-current="step"]')?.id.startsWith(`${id}-`), CHAPTER);
    // The address then follows the step (replaceState on the new entry).
    await p.page.waitForFunction((id) => location.hash.startsWith(`#${id}-`), CHAPTER);
    const after = { y: await p.page.evaluate(() => scrollY), step: await activeStep(p.page) };
    expect(after.y).toBeGreaterThan(before.y + 500);

    await p.page.goBack();
    await p.page.waitForFunction((y) => Math.abs(scrollY - y) < 2, before.y);
    await waitForStep(p.page, before.step!);
    await p.page.goForward();
    await p.page.waitForFunction((y) => Math.abs(scrollY - y) < 2, after.y);
    await waitForStep(p.page, after.step!);
    expect(p.problems()).toEqual([]);
    await p.close();
  });

  it('j and k move one step down and up', async () => {
    const p = await site.open(`/chapters/${CHAPTER}/`, { viewport: DESKTOP });
    await modelReady(p.page);
    const ids = await stepIds(p.page);
    await scrollToY(p.page, await scrollYFor(p.page, ids[1]!));
    await waitForStep(p.page, ids[1]!);
    await p.page.keyboard.press('j');
    await waitForStep(p.page, ids[2]!);
    await p.page.keyboard.press('j');
    await waitForStep(p.page, ids[3] ?? ids[2]!);
    await p.page.keyboard.press('k');
    await waitForStep(p.page, ids[2]!);
    await p.page.keyboard.press('k');
    await waitForStep(p.page, ids[1]!);
    // The step is focused, so a screen reader follows the keyboard too.
    expect(await p.page.evaluate(() => document.activeElement?.id)).toBe(ids[1]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('a phone (390 x 844)', () => {
  for (const path of ['/', `/chapters/${CHAPTER}/`]) {
    it(`${path}: no sideways scrolling; the active step and the picture share the screen; a tap explains a cell`, async () => {
      const p = await site.open(path, { viewport: PHONE, hasTouch: true });
      await modelReady(p.page);
      expect(await p.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      const ids = (await stepIds(p.page)).filter((id) => id.startsWith(`${CHAPTER}-`));
      const step = ids[1]!;
      await scrollToY(p.page, await scrollYFor(p.page, step));
      await waitForStep(p.page, step);
      expect(await inViewport(p.page, `#${step}`), 'the active step is off screen').toBe(true);
      expect(await inViewport(p.page, '.scene-canvas'), 'the canvas is off screen').toBe(true);
      // Its text is readable, not hidden under the sticky stage.
      const clear = await p.page.$eval(`#${step}`, (e) => {
        const stage = document.querySelector('.stage')!.getBoundingClientRect();
        return e.getBoundingClientRect().bottom > stage.bottom + 40;
      });
      expect(clear, 'the active step is covered by the stage').toBe(true);
      expect(await p.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      await settledCanvas(p.page);
      const at = await p.page.evaluate(() => {
        const s = window.__scene.state();
        const h = s?.highlights[0];
        const block = h?.block ?? 'wte';
        const row = h?.rows ? h.rows[0] : 0;
        const col = h?.cols ? h.cols[0] : 0;
        return window.__scene.cellScreenPosition(block, row, col);
      });
      expect(at, 'no cell of the picture is on screen').not.toBeNull();
      const box = (await p.page.locator('.scene-canvas').boundingBox())!;
      const y0 = await p.page.evaluate(() => scrollY);
      await p.page.touchscreen.tap(box.x + at!.x, box.y + at!.y);
      await p.page.locator('.scene-tooltip').waitFor({ state: 'visible', timeout: 5000 });
      expect(await p.page.locator('.scene-tooltip').textContent()).not.toBe('');
      expect(await p.page.evaluate(() => scrollY), 'the tap scrolled the page').toBe(y0);
      expect(p.problems()).toEqual([]);
      await p.close();
    });
  }
});

describe('reduced motion', () => {
  it('a step shows its end state wherever the reading line is inside it', async () => {
    const p = await site.open(`/chapters/${CHAPTER}/`, { viewport: DESKTOP, reducedMotion: 'reduce' });
    await modelReady(p.page);
    const ids = await stepIds(p.page);
    const step = ids[2] ?? ids[1]!;
    await scrollToY(p.page, await scrollYFor(p.page, step, 0.05));
    await waitForStep(p.page, step);
    const early = await settledCanvas(p.page);
    await scrollToY(p.page, await scrollYFor(p.page, step, 0.95));
    await waitForStep(p.page, step);
    const late = await settledCanvas(p.page);
    expect(early.nonBackgroundFraction).toBeGreaterThan(0.002);
    expect(imageDiff(early, late, { tolerance: 2 })).toBeLessThan(0.001);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('the text alternative of the canvas', () => {
  it('#scene-description (aria-live polite) describes every step of the essay, with numbers', async () => {
    const p = await site.open('/', { viewport: DESKTOP });
    await modelReady(p.page);
    const live = p.page.locator('#scene-description');
    expect(await live.getAttribute('aria-live')).toBe('polite');
    let previous = '';
    for (const id of await stepIds(p.page)) {
      await scrollToY(p.page, await scrollYFor(p.page, id));
      await waitForStep(p.page, id);
      // A live region is only announced when its text changes.
      await expect.poll(() => live.textContent(), { message: `step ${id}` }).not.toBe(previous);
      previous = (await live.textContent())!;
      // It says where the reader is, then what the picture shows, with at least one number.
      const [, where, what] = /^(.*?, step \d+ of \d+\.) (.+)$/.exec(previous) ?? [];
      expect(where, `step ${id}: ${previous}`).toBeDefined();
      expect(what, `step ${id}`).toMatch(/\d/);
    }
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});

describe('bad addresses', () => {
  const cases: [string, RegExp][] = [
    ['?input=ABCABCABC', /Ignored \?input="ABCABCABC": Use exactly 6 letters/],
    ['?input=ABXABC', /Letter 3 \("X"\) is not A, B or C/],
    ['?input=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', /Ignored \?input="<img src=x onerror=alert\(1\)>"/],
    [`?input=${'B'.repeat(5000)}`, /Ignored \?input="B{40}…": Use exactly 6 letters \(you have 5000\)/],
    ['?zoom=3&temperature=1e999', /unknown address parameters "zoom", "temperature"/],
    ['#nope', /no step "nope"/i],
  ];
  for (const [suffix, message] of cases) {
    it(`${suffix.slice(0, 40)} is ignored with a notice in text, never HTML`, async () => {
      const dialogs: string[] = [];
      const p = await openRecorded(site.browser, site.url(`/chapters/${CHAPTER}/${suffix}`), {
        viewport: DESKTOP,
        before: async (page) => {
          page.on('dialog', (d) => {
            dialogs.push(d.message());
            void d.dismiss();
          });
        },
      });
      await modelReady(p.page);
      const notice = p.page.locator('#reader-notice');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.textContent()).toMatch(message);
      expect(await notice.evaluate((e) => e.children.length), 'the notice holds elements').toBe(0);
      expect(await p.page.locator('img').count(), 'an element was injected').toBe(0);
      // The default letters run instead.
      await p.page.waitForFunction(() => document.documentElement.dataset.generated === 'ABBBCC', undefined, { timeout: 30_000 });
      expect(dialogs).toEqual([]);
      expect((await recorded(p.page)).csp).toEqual([]);
      expect(p.problems()).toEqual([]);
      await p.close();
    });
  }
});
