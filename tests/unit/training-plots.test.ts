/**
 * The training chapter's plots: SVG with named axes, tick labels and the curves, drawn for the
 * box they are shown in, with the checkpoint in the picture marked.
 */
import { describe, expect, it } from 'vitest';
import { accuracySvg, lossSvg, LOSS_WINDOW, NARROW, WIDE, windowMeans } from '../../src/story/training/plots.ts';

const losses = Array.from({ length: 400 }, (_, i) => 1.1 * Math.exp(-i / 60));
const accuracy = [0, 50, 100, 150].map((iteration, k) => ({ iteration, correct: [0, 300, 700, 729][k]!, total: 729 }));

describe('training plots', () => {
  it('average the batch losses over windows of LOSS_WINDOW iterations', () => {
    const means = windowMeans([1, 3, undefined as unknown as number, 5], 2);
    expect(means).toEqual([[2, 2], [4, 5]]);
    expect(windowMeans(losses, LOSS_WINDOW)).toHaveLength(400 / LOSS_WINDOW);
  });

  for (const size of [WIDE, NARROW]) {
    it(`draw both plots with axes, labels and a marker at ${size.width} x ${size.height}`, () => {
      const loss = lossSvg({ iters: 2000, losses, accuracy, marker: 150 }, size);
      expect(loss).toMatch(/<text class="axis-name"[^>]*>iteration<\/text>/);
      expect(loss).toMatch(/>loss<\/text>/);
      expect(loss).toMatch(/class="loss-line" d="M/);
      expect(loss).toMatch(/class="marker"/);
      expect(loss).toContain('>2000</text>');
      const acc = accuracySvg({ iters: 2000, losses, accuracy, marker: null }, size);
      expect(acc).toMatch(/Inputs sorted/);
      expect(acc).toContain('>729</text>');
      expect((acc.match(/class="acc-dot"/g) ?? []).length).toBe(4);
      expect(acc).not.toMatch(/class="marker"/);
      // Every coordinate inside the box.
      for (const m of (loss + acc).matchAll(/\b(x1?|x2|cx)="([-\d.]+)"/g)) expect(Number(m[2])).toBeLessThanOrEqual(size.width);
    });
  }
});
