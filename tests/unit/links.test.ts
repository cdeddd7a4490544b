/** Link geometry: where a link's ends are drawn, which edges it joins, and the curve between them. */
import { describe, expect, it } from 'vitest';
import { cameraMatrices, frameBox, projectPoint, sceneRadius } from '../../src/scene/camera.ts';
import { blockById, layoutModel } from '../../src/scene/layout.ts';
import {
  chooseAnchors,
  cubicPath,
  edgeAnchors,
  endDirection,
  endFace,
  headPath,
  HEAD_LENGTH,
  linkCurve,
  liftOf,
  projectFace,
  sideAnchors,
  splitCubic,
  type Cubic,
  type Point,
  type ScreenRect,
} from '../../src/scene/links.ts';
import type { Highlight, SceneState, Vec3 } from '../../src/scene/types.ts';

const layout = layoutModel('nano', 6);
const byId = blockById(layout);
const LN = byId.get('h.0.ln_1')!;
const W = byId.get('h.0.attn.head0.q.weight')!;
const Q = byId.get('h.0.attn.head0.q')!;

const scene = (blocks: SceneState['blocks'] = {}, highlights: Highlight[] = []) => ({ blocks, highlights });

function bezier(c: Cubic, u: number): Point {
  const v = 1 - u;
  const w = [v * v * v, 3 * v * v * u, 3 * v * u * u, u * u * u];
  const ps = [c.p0, c.c1, c.c2, c.p1];
  return { x: ps.reduce((s, p, i) => s + p.x * w[i]!, 0), y: ps.reduce((s, p, i) => s + p.y * w[i]!, 0) };
}

const onEdge = (p: Point, r: ScreenRect) =>
  (Math.abs(p.x - r.x0) < 1e-9 || Math.abs(p.x - r.x1) < 1e-9 || Math.abs(p.y - r.y0) < 1e-9 || Math.abs(p.y - r.y1) < 1e-9) &&
  p.x >= r.x0 - 1e-9 && p.x <= r.x1 + 1e-9 && p.y >= r.y0 - 1e-9 && p.y <= r.y1 + 1e-9;

describe('endFace', () => {
  it('is the front face of the range at the block\'s place', () => {
    const f = endFace(LN, { rows: [0, 48], cols: [5, 6] }, scene())!;
    expect(f.min).toEqual([LN.position[0] + 5, LN.position[1] - 48, LN.position[2]]);
    expect(f.max).toEqual([LN.position[0] + 6, LN.position[1], LN.position[2]]);
    // No range: the whole block.
    const all = endFace(W, {}, scene())!;
    expect(all.max[0] - all.min[0]).toBe(W.cols.size);
    expect(all.max[1] - all.min[1]).toBe(W.rows.size);
  });

  it('follows the block\'s style offset and the lift of the highlight that carries the range', () => {
    const off: Vec3 = [79, -2, 0.5];
    const column: Highlight = { block: LN.id, cols: [5, 6], role: 'source', lift: [3, 0, 1] };
    const cell: Highlight = { block: LN.id, rows: [7, 8], cols: [5, 6], role: 'focus', lift: [2, 1, 2] };
    const s = scene({ [LN.id]: { offset: off } }, [column, cell]);
    const f = endFace(LN, { rows: [0, 48], cols: [5, 6] }, s)!;
    expect(f.min).toEqual([LN.position[0] + off[0] + 3 + 5, LN.position[1] + off[1] - 48, LN.position[2] + off[2] + 1]);
    // A cell inside both lifted ranges moves with the smaller one.
    const g = endFace(LN, { rows: [7, 8], cols: [5, 6] }, s)!;
    expect(g.max).toEqual([LN.position[0] + off[0] + 2 + 6, LN.position[1] + off[1] + 1 - 7, LN.position[2] + off[2] + 2]);
    // A range the lifted highlights do not contain stays in the block.
    const h = endFace(LN, { rows: [0, 48], cols: [4, 6] }, s)!;
    expect(h.min[0]).toBe(LN.position[0] + off[0] + 4);
    expect(liftOf(LN, [0, 1], [0, 1], [column, cell])).toBeNull();
  });

  it('is null for a hidden block or an empty range', () => {
    expect(endFace(LN, {}, scene({ [LN.id]: { opacity: 0 } }))).toBeNull();
    expect(endFace(LN, { rows: [3, 3] }, scene())).toBeNull();
  });
});

describe('anchors and curves', () => {
  const cam = frameBox([W.position[0], Q.position[1] - Q.size[1], -1], [Q.position[0] + Q.size[0], LN.position[1], 0], 780, 800, -0.18, 0.1);
  const m = cameraMatrices(cam, 780, 800, sceneRadius(layout));
  const tmp = new Float32Array(3);
  const corner: Vec3 = [0, 0, 0];
  const rectOf = (f: { min: Vec3; max: Vec3 }) => projectFace(m, f, 780, 800, tmp, corner)!;

  it('projects a one-cell range around the projected centre of the cell', () => {
    const r = rectOf(endFace(Q, { rows: [0, 1], cols: [5, 6] }, scene())!);
    const p = new Float32Array(3);
    expect(projectPoint(m, [Q.position[0] + 5.5, Q.position[1] - 0.5, Q.position[2]], 780, 800, p)).toBe(true);
    expect(r.x1 - r.x0).toBeGreaterThan(5);
    expect(Math.abs((r.x0 + r.x1) / 2 - p[0]!)).toBeLessThan(0.5);
    expect(Math.abs((r.y0 + r.y1) / 2 - p[1]!)).toBeLessThan(0.5);
  });

  it('joins facing edge midpoints: a weight row to the result cell on its right', () => {
    const row = rectOf(endFace(W, { rows: [0, 1] }, scene())!);
    const cell = rectOf(endFace(Q, { rows: [0, 1], cols: [5, 6] }, scene())!);
    const [a, b] = chooseAnchors(row, cell);
    expect(a.n).toEqual({ x: 1, y: 0 });
    expect(b.n).toEqual({ x: -1, y: 0 });
    expect(onEdge(a.p, row) && onEdge(b.p, cell)).toBe(true);
    expect(edgeAnchors(row)).toContainEqual(a);
    // The column above the result (shifted to stand over it) comes in from the top.
    const col = rectOf(endFace(LN, { cols: [5, 6] }, scene({ [LN.id]: { offset: [Q.position[0] - LN.position[0], 0, 0] } }))!);
    const [c, d] = chooseAnchors(col, cell);
    expect(c.n).toEqual({ x: 0, y: 1 });
    expect(d.n).toEqual({ x: 0, y: -1 });
  });

  it('leaves and arrives along the edge normals, bowing away from the rectangles', () => {
    const a = { p: { x: 10, y: 100 }, n: { x: 0, y: -1 } };
    const b = { p: { x: 200, y: 100 }, n: { x: 0, y: -1 } };
    const c = linkCurve(a, b);
    expect(c.c1.x).toBe(10);
    expect(c.c1.y).toBeLessThan(100);
    expect(c.c2.x).toBe(200);
    // Both ends face up: the middle of the curve rises above them rather than running along the edge.
    expect(bezier(c, 0.5).y).toBeLessThan(100 - 10);
    const dir = endDirection(c);
    expect(dir.x).toBeCloseTo(0, 9);
    expect(dir.y).toBeCloseTo(1, 9);
  });

  it('arcs around what lies between two ends on one side when asked to (bow)', () => {
    const above = { x0: 100, y0: 0, x1: 110, y1: 100 };
    const below = { x0: 100, y0: 300, x1: 110, y1: 310 };
    const [a, b] = sideAnchors(above, below, 'right');
    expect(a.p).toEqual({ x: 110, y: 50 });
    expect(b.p).toEqual({ x: 110, y: 305 });
    const c = linkCurve(a, b, 40);
    // The arc stays right of both ends: it never crosses the column x = 100..110 between them.
    for (const u of [0.1, 0.3, 0.5, 0.7, 0.9]) expect(bezier(c, u).x).toBeGreaterThan(110);
    expect(c.c1.x - 110).toBe(40);
  });

  it('draws a growing part of the curve, arrowhead at its tip', () => {
    const c = linkCurve({ p: { x: 0, y: 0 }, n: { x: 1, y: 0 } }, { p: { x: 300, y: 120 }, n: { x: 0, y: -1 } });
    for (const u of [0.1, 0.5, 0.9]) {
      const part = splitCubic(c, u);
      const at = bezier(c, u);
      expect(part.p0).toEqual(c.p0);
      expect(part.p1.x).toBeCloseTo(at.x, 9);
      expect(part.p1.y).toBeCloseTo(at.y, 9);
      // The part is the same curve: its own midpoint lies on the whole one at u / 2.
      const mid = bezier(part, 0.5);
      const ref = bezier(c, u / 2);
      expect(mid.x).toBeCloseTo(ref.x, 9);
      expect(mid.y).toBeCloseTo(ref.y, 9);
    }
    expect(splitCubic(c, 1)).toBe(c);
    const head = headPath(c);
    expect(head.startsWith(`M300 120L`)).toBe(true);
    const nums = head.slice(1, -1).split(/[ L]/).map(Number);
    // The base of the head is HEAD_LENGTH back along the arrival direction (downward here: y - 8).
    expect((nums[2]! + nums[4]!) / 2).toBeCloseTo(300, 1);
    expect((nums[3]! + nums[5]!) / 2).toBeCloseTo(120 - HEAD_LENGTH, 1);
    expect(cubicPath(c)).toMatch(/^M0 0C[-\d. ]+ 300 120$/);
  });
});
