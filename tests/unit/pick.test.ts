/** Picking: rays against nano's layout, with styles, and rays unprojected from the screen. */
import { describe, expect, it } from 'vitest';
import { m4 } from 'twgl.js';
import { blockById, layoutModel } from '../../src/scene/layout.ts';
import { pickCell, rayFromScreen, type Ray } from '../../src/scene/pick.ts';
import type { SceneState, Vec3 } from '../../src/scene/types.ts';

const layout = layoutModel('nano', 6);
const byId = blockById(layout);

/** World centre of a cell on the block's front face. */
function cellCentre(id: string, row: number, col: number): Vec3 {
  const b = byId.get(id)!;
  return [b.position[0] + col + 0.5, b.position[1] - row - 0.5, b.position[2]];
}

function state(blocks: SceneState['blocks']): SceneState {
  return { camera: { target: [0, 0, 0], distance: 100, yaw: 0, pitch: 0 }, blocks, highlights: [], callouts: [] };
}

const towards = (from: Vec3, to: Vec3): Ray => {
  const d: Vec3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
  const n = Math.hypot(...d);
  return { origin: from, dir: [d[0] / n, d[1] / n, d[2] / n] };
};

describe('pickCell', () => {
  it('hits the cell straight ahead of a ray from +z', () => {
    const [x, y] = cellCentre('h.0.mlp.fc', 100, 3);
    expect(pickCell(layout, { origin: [x, y, 50], dir: [0, 0, -1] })).toEqual({ block: 'h.0.mlp.fc', row: 100, col: 3, distance: 50 });
    const [x2, y2] = cellCentre('h.1.attn.head2.scores', 4, 1);
    expect(pickCell(layout, { origin: [x2, y2, 10], dir: [0, 0, -1] })).toEqual({ block: 'h.1.attn.head2.scores', row: 4, col: 1, distance: 10 });
  });

  it('hits the same cell from an angle', () => {
    const target = cellCentre('h.2.attn.c_proj.weight', 17, 30);
    const origin: Vec3 = [target[0] + 20, target[1] - 10, target[2] + 40];
    const hit = pickCell(layout, towards(origin, target))!;
    expect(hit.block).toBe('h.2.attn.c_proj.weight');
    expect([hit.row, hit.col]).toEqual([17, 30]);
    expect(hit.distance).toBeCloseTo(Math.hypot(20, 10, 40), 9);
  });

  it('returns null for rays that miss every block', () => {
    expect(pickCell(layout, { origin: [5000, 0, 50], dir: [0, 0, -1] })).toBeNull();
    const [x, y] = cellCentre('embed', 0, 0);
    // Pointing away from the model.
    expect(pickCell(layout, { origin: [x, y, 50], dir: [0, 0, 1] })).toBeNull();
    // In the gap between two blocks: the spine column between embed and h.0.resid_1.
    expect(pickCell(layout, { origin: [3, -120, 50], dir: [0, 0, -1] })).toBeNull();
  });

  it('returns the nearer of two blocks on the ray, and maps side hits onto the grid', () => {
    // Along -x at row 10 of the MLP hidden layer: it meets h.0.mlp.fc (right side, last column)
    // before the bias and the weights behind it.
    const [, y] = cellCentre('h.0.mlp.fc', 10, 0);
    const ray: Ray = { origin: [300, y, -0.5], dir: [-1, 0, 0] };
    const fc = byId.get('h.0.mlp.fc')!;
    expect(pickCell(layout, ray)).toEqual({ block: 'h.0.mlp.fc', row: 10, col: 5, distance: 300 - (fc.position[0] + 6) });
    // Along +x from the far left: the weights' left side, column 0.
    const w = byId.get('h.0.mlp.c_fc.weight')!;
    expect(pickCell(layout, { origin: [-300, y, -0.5], dir: [1, 0, 0] })).toEqual({ block: 'h.0.mlp.c_fc.weight', row: 10, col: 0, distance: w.position[0] + 300 });
  });

  it('skips blocks with opacity 0', () => {
    const [, y] = cellCentre('h.0.mlp.fc', 10, 0);
    const ray: Ray = { origin: [300, y, -0.5], dir: [-1, 0, 0] };
    const hidden = state({ 'h.0.mlp.fc': { opacity: 0 } });
    expect(pickCell(layout, ray, hidden)).toMatchObject({ block: 'h.0.mlp.c_fc.bias', row: 10, col: 0 });
    const [x2, y2] = cellCentre('h.0.mlp.fc', 100, 3);
    expect(pickCell(layout, { origin: [x2, y2, 50], dir: [0, 0, -1] }, hidden)).toBeNull();
    // Faint but visible still picks.
    expect(pickCell(layout, { origin: [x2, y2, 50], dir: [0, 0, -1] }, state({ 'h.0.mlp.fc': { opacity: 0.1 } }))!.block).toBe('h.0.mlp.fc');
  });

  it('respects style offsets', () => {
    const [x, y] = cellCentre('h.0.mlp.fc', 100, 3);
    const moved = state({ 'h.0.mlp.fc': { offset: [100, 0, 3] } });
    // The old place is empty now; the new one is 3 units nearer the viewer.
    expect(pickCell(layout, { origin: [x, y, 50], dir: [0, 0, -1] }, moved)).toBeNull();
    expect(pickCell(layout, { origin: [x + 100, y, 50], dir: [0, 0, -1] }, moved)).toEqual({ block: 'h.0.mlp.fc', row: 100, col: 3, distance: 47 });
    // Lifted in front of another block, it wins over that block.
    const [gx, gy] = cellCentre('h.0.mlp.gelu', 20, 2);
    const lifted = state({ 'h.0.mlp.fc': { offset: [0, -193, 5] } });
    expect(pickCell(layout, { origin: [gx, gy, 50], dir: [0, 0, -1] }, lifted)).toEqual({ block: 'h.0.mlp.fc', row: 20, col: 2, distance: 45 });
  });
});

describe('rayFromScreen', () => {
  const aspect = 16 / 9;
  const eye = [40, -300, 400];
  const target = [-20, -350, 0];
  const view = m4.inverse(m4.lookAt(eye, target, [0, 1, 0]));
  const viewProj = m4.multiply(m4.perspective(Math.PI / 4, aspect, 1, 5000), view);
  const inv = m4.inverse(viewProj);

  it('passes through the world point drawn at that pixel, starting at the near plane', () => {
    const p = cellCentre('h.0.attn.c_proj.weight', 20, 40);
    const ndc = m4.transformPoint(viewProj, p);
    const ray = rayFromScreen(ndc[0]!, ndc[1]!, inv);
    expect(Math.hypot(...ray.dir)).toBeCloseTo(1, 6);
    // Distance from p to the ray's line.
    const d = [p[0] - ray.origin[0], p[1] - ray.origin[1], p[2] - ray.origin[2]];
    const along = d[0]! * ray.dir[0] + d[1]! * ray.dir[1] + d[2]! * ray.dir[2];
    expect(along).toBeGreaterThan(0);
    const off = Math.hypot(d[0]! - along * ray.dir[0], d[1]! - along * ray.dir[1], d[2]! - along * ray.dir[2]);
    // twgl's matrices are float32: a few thousandths of a cell at this distance.
    expect(off).toBeLessThan(0.02);
    // The origin is on the near plane, 1 unit in front of the eye.
    const o = ray.origin;
    expect(Math.hypot(o[0] - eye[0]!, o[1] - eye[1]!, o[2] - eye[2]!)).toBeGreaterThanOrEqual(1 - 1e-6);
    expect(pickCell(layout, ray)).toMatchObject({ block: 'h.0.attn.c_proj.weight', row: 20, col: 40 });
  });

  it('accepts plain arrays and rejects matrices of the wrong size', () => {
    const ray = rayFromScreen(0, 0, Array.from(inv));
    const toTarget = [target[0]! - eye[0]!, target[1]! - eye[1]!, target[2]! - eye[2]!];
    const n = Math.hypot(...toTarget);
    for (let i = 0; i < 3; i++) expect(ray.dir[i]).toBeCloseTo(toTarget[i]! / n, 4);
    expect(() => rayFromScreen(0, 0, [1, 0, 0, 1])).toThrow(/4 entries: expected 16/);
  });
});
