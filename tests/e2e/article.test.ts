/**
 * The article in a real browser: every chapter page loads cleanly, scrolling moves the active
 * step and the picture, a deep link shows the same picture as scrolling there, and the reader's
 * input in the tokens chapter changes what the generation chapter reports.
 */
import { describe, expect, it } from 'vitest';
import { imageDiff, useSite, type CanvasStats } from './harness.ts';
import { SLUGS, activeStep, modelReady, pictureScrolledTo, scrollToY, settledCanvas } from './reading-helpers.ts';

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
