/**
 * Label placement (src/scene/placement.ts): given the rectangles of what is drawn, every box it
 * accepts lies inside the stage and overlaps no block and no other label; it prefers the sides it
 * is asked for, slides and steps past what is in the way, and drops a label when there is no room.
 */
import { describe, expect, it } from 'vitest';
import { ABOVE, BELOW, LEFT, MARGIN, Placer, RectList, RIGHT, type PlaceRequest, type Rect, type Side } from '../../src/scene/placement.ts';
import { mulberry32 } from '../../src/gpt/random.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): Rect => ({ x0, y0, x1, y1 });

function request(owner: Rect, w: number, h: number, opts: Partial<PlaceRequest> = {}): PlaceRequest {
  return { w, h, owner, sides: [ABOVE, LEFT, BELOW, RIGHT], alongX: NaN, alongY: NaN, gap: 3, slide: Infinity, both: false, reach: 0, ...opts };
}

const overlaps = (a: Rect, b: Rect): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const inside = (a: Rect, w: number, h: number): boolean => a.x0 >= MARGIN && a.y0 >= MARGIN && a.x1 <= w - MARGIN && a.y1 <= h - MARGIN;

function placer(width: number, height: number, obstacles: Rect[]): Placer {
  const p = new Placer();
  p.begin(width, height);
  for (const o of obstacles) p.obstacles.add(o.x0, o.y0, o.x1, o.y1);
  return p;
}

describe('RectList filed in bands', () => {
  it('finds the same first overlapping rectangle as a plain scan, for rectangles on, across and off the stage', () => {
    const rand = mulberry32(7);
    for (let round = 0; round < 20; round++) {
      const banded = new RectList(true);
      const plain = new RectList();
      const n = 10 + Math.floor(rand() * 300);
      for (let i = 0; i < n; i++) {
        const x = rand() * 1400 - 60;
        // Mostly small boxes, some tall ones (a column of blocks), a few far off the stage.
        const y = rand() * 1000 - 100 + (rand() < 0.03 ? 5000 * (rand() - 0.5) : 0);
        const w = rand() * 200;
        const h = rand() < 0.1 ? rand() * 900 : rand() * 40;
        banded.add(x, y, x + w, y + h);
        plain.add(x, y, x + w, y + h);
      }
      let hits = 0;
      for (let q = 0; q < 400; q++) {
        const x = rand() * 1300;
        const y = rand() * 900 - 20;
        const box: [number, number, number, number] = [x, y, x + 20 + rand() * 150, y + 10 + rand() * 30];
        const want = plain.hit(...box);
        expect(banded.hit(...box)).toBe(want);
        if (want >= 0) hits++;
      }
      expect(hits).toBeGreaterThan(0);
      // Rectangles added after a test are found by the next one.
      banded.add(0, 0, 2000, 2000);
      plain.add(0, 0, 2000, 2000);
      expect(banded.hit(1990, 1990, 1995, 1995)).toBe(plain.n - 1);
    }
  });
});

describe('Placer', () => {
  it('puts a name above its block, starting at the block’s left edge, a gap away', () => {
    const block = rect(100, 100, 300, 200);
    const p = placer(800, 600, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 120, 15), out)).toBe(true);
    expect(out).toEqual(rect(100, 82, 220, 97));
  });

  it('tries the next side when the first is covered by another block, and never overlaps it', () => {
    const block = rect(100, 100, 300, 200);
    const above = rect(80, 40, 320, 98);
    const p = placer(800, 600, [block, above]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 60, 15), out)).toBe(true);
    // Left of the block, top-aligned with it.
    expect(out).toEqual(rect(37, 100, 97, 115));
    expect(overlaps(out, above) || overlaps(out, block)).toBe(false);
  });

  it('slides a second name along the edge past the first instead of stacking them', () => {
    const block = rect(100, 100, 400, 200);
    const p = placer(800, 600, [block]);
    const a = rect(0, 0, 0, 0);
    const b = rect(0, 0, 0, 0);
    expect(p.place(request(block, 80, 15), a)).toBe(true);
    expect(p.place(request(block, 80, 15), b)).toBe(true);
    expect(b.y0).toBe(a.y0);
    expect(b.x0).toBeGreaterThanOrEqual(a.x1);
    expect(overlaps(a, b)).toBe(false);
  });

  it('never cuts a label at the stage edge: a block at the top edge is named below or beside it', () => {
    const block = rect(0, 0, 300, 100);
    const p = placer(400, 300, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 120, 15), out)).toBe(true);
    expect(inside(out, 400, 300)).toBe(true);
    expect(out.y0).toBeGreaterThanOrEqual(block.y1);
  });

  it('clamps along the edge into the stage when the block starts off screen', () => {
    const block = rect(-200, 100, 150, 200);
    const p = placer(400, 300, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 120, 15), out)).toBe(true);
    expect(out.x0).toBe(MARGIN);
    expect(out.y1).toBe(97);
  });

  it('drops a label when there is no free room beside its block', () => {
    // The block fills the stage but for a strip too thin for text.
    const block = rect(10, 10, 390, 290);
    const p = placer(400, 300, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 60, 15), out)).toBe(false);
    expect(p.labels.n).toBe(0);
  });

  it('drops a label wider than the stage', () => {
    const block = rect(100, 100, 150, 150);
    const p = placer(200, 300, [block]);
    expect(p.place(request(block, 260, 15), rect(0, 0, 0, 0))).toBe(false);
  });

  it('keeps a name touching its block: it does not slide past the block’s end', () => {
    const block = rect(100, 100, 140, 200);
    // Something sits above the block and beyond, and left, right and below are walled off.
    const walls = [rect(90, 60, 400, 98), rect(0, 90, 98, 300), rect(142, 90, 400, 300), rect(90, 202, 150, 300)];
    const p = placer(400, 300, [block, ...walls]);
    expect(p.place(request(block, 40, 15), rect(0, 0, 0, 0))).toBe(false);
  });

  it('moves a callout beside its cell’s row, and past a neighbouring block within reach', () => {
    const block = rect(100, 100, 200, 300);
    // Taller than the callout can slide: it has to step outward past it.
    const neighbour = rect(203, 0, 260, 600);
    const p = placer(800, 600, [block, neighbour]);
    const out = rect(0, 0, 0, 0);
    const q = request(block, 90, 19, { sides: [RIGHT, LEFT] as Side[], alongY: 150, gap: 6, slide: 80, both: true, reach: 200 });
    expect(p.place(q, out)).toBe(true);
    expect(out.x0).toBeGreaterThanOrEqual(neighbour.x1);
    // Centred on the cell's row.
    expect(Math.abs((out.y0 + out.y1) / 2 - 150)).toBeLessThanOrEqual(0.5);
  });

  it('slides a callout both ways along its side past other callouts', () => {
    const block = rect(100, 100, 200, 300);
    const p = placer(800, 600, [block]);
    const boxes: Rect[] = [];
    for (let i = 0; i < 3; i++) {
      const out = rect(0, 0, 0, 0);
      expect(p.place(request(block, 90, 19, { sides: [RIGHT], alongY: 200, gap: 6, slide: 80, both: true, reach: 0 }), out)).toBe(true);
      boxes.push(out);
    }
    expect(boxes.every((b) => b.x0 === 206)).toBe(true);
    // The first on the row, the next two the nearest free spots below and above it.
    expect(boxes[0]!.y0).toBe(191);
    expect(boxes.some((b) => b.y1 <= 191) && boxes.some((b) => b.y0 >= 210)).toBe(true);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(overlaps(boxes[i]!, boxes[j]!)).toBe(false);
  });

  it('fixed(): takes an exact box only when it is free; over a block only when allowed (a token on its cell)', () => {
    const block = rect(100, 100, 200, 200);
    const p = placer(400, 300, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.fixed(140, 140, 10, 10, out)).toBe(false);
    expect(p.fixed(140, 140, 10, 10, out, true)).toBe(true);
    expect(p.fixed(145, 145, 10, 10, out, true)).toBe(false);
    expect(p.fixed(395, 10, 10, 10, out)).toBe(false);
  });

  it('for random blocks and labels, everything it places is inside the stage and overlaps nothing', () => {
    const rand = mulberry32(12);
    for (let trial = 0; trial < 60; trial++) {
      const W = 300 + Math.floor(rand() * 900);
      const H = 300 + Math.floor(rand() * 600);
      const blocks: Rect[] = [];
      for (let i = 0; i < 25; i++) {
        const x = rand() * W * 1.2 - W * 0.1;
        const y = rand() * H * 1.2 - H * 0.1;
        blocks.push(rect(x, y, x + 5 + rand() * 150, y + 5 + rand() * 150));
      }
      const p = placer(W, H, blocks);
      const placed: Rect[] = [];
      let dropped = 0;
      for (let i = 0; i < 60; i++) {
        const owner = blocks[i % blocks.length]!;
        const callout = i % 4 === 0;
        const q = request(owner, 20 + rand() * 160, 15 + rand() * 6, callout ? { sides: [RIGHT, LEFT, ABOVE, BELOW], alongY: (owner.y0 + owner.y1) / 2, both: true, slide: 80, reach: 150 } : {});
        const out = rect(0, 0, 0, 0);
        if (p.place(q, out)) placed.push(out);
        else dropped++;
      }
      for (const a of placed) {
        expect(inside(a, W, H)).toBe(true);
        for (const b of blocks) expect(overlaps(a, b)).toBe(false);
      }
      for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i]!, placed[j]!)).toBe(false);
      expect(placed.length + dropped).toBe(60);
    }
  });
});

describe('placement sides', () => {
  it('below and right mirror above and left', () => {
    const block = rect(100, 100, 200, 200);
    const p = placer(800, 600, [block]);
    const out = rect(0, 0, 0, 0);
    expect(p.place(request(block, 50, 10, { sides: [BELOW] }), out)).toBe(true);
    expect(out).toEqual(rect(100, 203, 150, 213));
    expect(p.place(request(block, 50, 10, { sides: [RIGHT] }), out)).toBe(true);
    expect(out).toEqual(rect(203, 100, 253, 110));
  });
});
