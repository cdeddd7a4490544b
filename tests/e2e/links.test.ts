/**
 * Links in the browser: a step whose director joins operands to a result (the matrix-multiply
 * moment of the self-attention chapter, at its end) draws one visible arrow per link, in its role's
 * colour, each with an end on the result cell where the canvas draws it and, for the arithmetic,
 * an end on the callout's box as laid out on the page.
 */
import { describe, expect, it } from 'vitest';
import { screenshotImage, useSite } from './harness.ts';
import { modelReady, settledCanvas } from './reading-helpers.ts';
import { ROLE_HEX } from '../../src/scene/palette.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';

declare global {
  interface Window {
    __scene: SceneTestHook;
  }
}

const site = useSite();
const STEP = 'self-attention-one-cell';

interface DrawnPath {
  d: string;
  stroke: string;
  start: { x: number; y: number };
  end: { x: number; y: number };
  mid: { x: number; y: number };
}

describe('links', () => {
  it(`${STEP} at its end: arrows from the weight row, the input column and the bias to the result cell, and from it to the arithmetic`, async () => {
    const p = await site.open(`/chapters/self-attention/#${STEP}`, { viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await modelReady(p.page);
    await settledCanvas(p.page);
    const state = await p.page.evaluate(() => window.__scene.state());
    const links = state?.links ?? [];
    expect(links.length, 'the step has links').toBeGreaterThanOrEqual(4);
    const result = links.find((l) => 'callout' in l.to)!.from as { block: string; rows: [number, number]; cols: [number, number] };
    const cell = await p.page.evaluate(([b, r, c]) => window.__scene.cellScreenPosition(b as string, r as number, c as number), [result.block, result.rows[0], result.cols[0]] as const);
    expect(cell).not.toBeNull();

    // Path ends and midpoints in the stage's CSS px (the overlay covers the stage, origin at its corner).
    const paths: DrawnPath[] = await p.page.$$eval('.scene-links g', (groups) =>
      groups
        .filter((g) => (g as SVGGElement).style.display !== 'none')
        .map((g) => {
          const line = g.querySelectorAll('path')[1] as SVGPathElement;
          const len = line.getTotalLength();
          const at = (s: number) => {
            const q = line.getPointAtLength(s);
            return { x: q.x, y: q.y };
          };
          return { d: line.getAttribute('d') ?? '', stroke: line.getAttribute('stroke') ?? '', start: at(0), end: at(len), mid: at(len / 2) };
        }),
    );
    expect(paths.length, 'one drawn arrow per link').toBe(links.length);

    // Every link of this step touches the result cell: three arrive at it, one leaves it. Its ends sit
    // on the cell's edge, so within a cell (about 10 px here) of where the canvas draws its centre.
    const near = (a: { x: number; y: number }, b: { x: number; y: number }, r: number) => Math.hypot(a.x - b.x, a.y - b.y) <= r;
    for (const path of paths) expect(near(path.start, cell!, 12) || near(path.end, cell!, 12), `an end of ${path.d} on the result cell at ${JSON.stringify(cell)}`).toBe(true);

    // The arithmetic's arrow ends on the callout's box as the page lays it out.
    const box = await p.page.$eval('.scene-root', (root) => {
      const r = root.getBoundingClientRect();
      const el = [...root.querySelectorAll<HTMLElement>('.scene-label.callout')].find((e) => e.textContent?.startsWith('dot product'))!;
      const c = el.getBoundingClientRect();
      return { x0: c.left - r.left, y0: c.top - r.top, x1: c.right - r.left, y1: c.bottom - r.top, text: el.textContent };
    });
    expect(box.text).toMatch(/^dot product −?\d\.\d+ \+ bias −?\d\.\d+ = −?\d\.\d+$/);
    const toCallout = paths.filter((q) => q.stroke.toLowerCase() === ROLE_HEX.result);
    const inside = (q: { x: number; y: number }) => q.x >= box.x0 - 3 && q.x <= box.x1 + 3 && q.y >= box.y0 - 3 && q.y <= box.y1 + 3;
    expect(toCallout.some((q) => inside(q.end)), `an arrow ends on the callout box ${JSON.stringify(box)}`).toBe(true);

    // Visible: the page's pixels at each arrow's midpoint are its stroke colour (the halo keeps them so over cells).
    const image = await screenshotImage(p.page, '.scene-root');
    for (const path of paths) {
      const want = [1, 3, 5].map((k) => parseInt(path.stroke.slice(k, k + 2), 16));
      // The closest pixel within one of the midpoint: a 2 px line at a fractional position is
      // anti-aliased over its neighbours.
      let best = Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const i = ((Math.round(path.mid.y) + dy) * image.width + Math.round(path.mid.x) + dx) * 4;
          best = Math.min(best, Math.max(...want.map((v, k) => Math.abs(v - image.data[i + k]!))));
        }
      }
      expect(best, `pixels at the middle of ${path.d} vs ${path.stroke}`).toBeLessThan(40);
    }
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});
