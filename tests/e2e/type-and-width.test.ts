/**
 * Type and page width in the browser. On a 390 x 844 phone no page is wider than the screen, also
 * with a font a little wider than the test browser's (real phones' system fonts are). Scene labels
 * are 11 px or more, inside the drawing, clear of each other, and their boxes hold their text (the
 * layer measures text to place it); the model's name is a caption above the drawing, not on it.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSite } from './harness.ts';
import { modelReady, settledCanvas, SLUGS } from './reading-helpers.ts';

const site = useSite();
const PHONE = { width: 390, height: 844 };

/** Page width against the screen's, as laid out now, and with every letter 0.04 em apart and a long caption. */
async function widths(page: Page): Promise<{ plain: number; wide: number; screen: number; culprits: string[] }> {
  return page.evaluate(() => {
    const plain = document.documentElement.scrollWidth;
    // CSSOM, which the page's CSP allows (an injected <style> would be refused).
    document.body.style.letterSpacing = '0.04em';
    // And a caption far longer than the screen (GPT-3's is long): it is cut, the page does not grow.
    const caption = document.querySelector<HTMLElement>('.scene-caption');
    const text = caption?.textContent ?? '';
    if (caption) caption.textContent = 'GPT-3 (175B) · 174,604,259,328 parameters · '.repeat(4);
    const wide = document.documentElement.scrollWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5 && !el.closest('[data-scene]'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    document.body.style.letterSpacing = '';
    if (caption) caption.textContent = text;
    return { plain, wide, screen: innerWidth, culprits };
  });
}

describe('page width on a phone', () => {
  const paths = ['/', ...SLUGS.map((s) => `/chapters/${s}/`), '/explore/', ...SLUGS.map((s) => `/embed/${s}/`)];
  it(`no horizontal overflow at 390x844 on ${paths.length} pages`, async () => {
    const wide: string[] = [];
    for (const path of paths) {
      const p = await site.open(path, { viewport: PHONE });
      const w = await widths(p.page);
      expect(w.plain, `${path} is ${w.plain} px wide on a ${w.screen} px screen`).toBeLessThanOrEqual(w.screen);
      if (w.wide > w.screen) wide.push(`${path}: ${w.wide} px (${w.culprits.join(', ')})`);
      await p.close();
    }
    expect(wide, 'pages wider than the screen with a slightly wider font').toEqual([]);
  });
});

interface LabelBox {
  text: string;
  fontPx: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  overflowPx: number;
}

async function labelsOf(page: Page): Promise<{ labels: LabelBox[]; stage: DOMRect; caption: { text: string; bottom: number } }> {
  return page.evaluate(() => {
    const root = document.querySelector('[data-scene]')!;
    const canvas = root.querySelector('canvas')!.getBoundingClientRect();
    const caption = document.querySelector('.scene-caption')!;
    const labels = [...root.querySelectorAll<HTMLElement>('.scene-labels > *')]
      .filter((el) => getComputedStyle(el).display !== 'none')
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent ?? '', fontPx: parseFloat(getComputedStyle(el).fontSize), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, overflowPx: el.scrollWidth - el.clientWidth };
      });
    return { labels, stage: canvas.toJSON() as DOMRect, caption: { text: caption.textContent ?? '', bottom: caption.getBoundingClientRect().bottom } };
  });
}

function expectReadable(where: string, got: Awaited<ReturnType<typeof labelsOf>>): void {
  const { labels, stage, caption } = got;
  expect(labels.length, `${where}: some labels`).toBeGreaterThan(0);
  for (const l of labels) {
    expect(l.fontPx, `${where}: "${l.text}" font`).toBeGreaterThanOrEqual(11);
    expect(l.overflowPx, `${where}: "${l.text}" overflows its box`).toBeLessThanOrEqual(0);
    expect(l.x0 >= stage.left - 0.5 && l.y0 >= stage.top - 0.5 && l.x1 <= stage.right + 0.5 && l.y1 <= stage.bottom + 0.5, `${where}: "${l.text}" cut by the stage edge`).toBe(true);
    expect(l.text.includes('gpt-nano'), `${where}: the model's name is drawn on the canvas`).toBe(false);
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      const apart = a.x1 <= b.x0 + 1 || b.x1 <= a.x0 + 1 || a.y1 <= b.y0 + 1 || b.y1 <= a.y0 + 1;
      expect(apart, `${where}: "${a.text}" overlaps "${b.text}"`).toBe(true);
    }
  }
  expect(caption.text, `${where}: caption`).toMatch(/^gpt-nano .* · 85,728 parameters/);
  expect(caption.bottom, `${where}: the caption sits above the drawing`).toBeLessThanOrEqual(stage.top + 0.5);
}

describe('scene type', () => {
  for (const viewport of [{ width: 1280, height: 800 }, PHONE]) {
    const size = `${viewport.width}x${viewport.height}`;
    it(`/explore/ at ${size}, still and while orbiting`, async () => {
      const p = await site.open('/explore/', { viewport, reducedMotion: 'reduce' });
      await p.page.evaluate(() => window.__scene.ready);
      await settledCanvas(p.page);
      expectReadable(`explore ${size}`, await labelsOf(p.page));
      await p.page.evaluate(() => window.__scene.orbitFrames(20, 0.03));
      expectReadable(`explore ${size} orbited`, await labelsOf(p.page));
      await p.close();
    });

    for (const [chapter, step] of [
      ['output', 'output-softmax'],
      ['self-attention', 'self-attention-one-cell'],
    ]) {
      it(`${step} at ${size}`, async () => {
        const p = await site.open(`/chapters/${chapter}/#${step}`, { viewport, reducedMotion: 'reduce' });
        await modelReady(p.page);
        await settledCanvas(p.page);
        expectReadable(`${step} ${size}`, await labelsOf(p.page));
        await p.close();
      });
    }
  }
});
