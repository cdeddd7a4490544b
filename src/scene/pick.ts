/**
 * Which cell is under the pointer: a ray from the camera through the pointer, tested against every
 * block's box (slab method). Pure; the renderer supplies the inverse view-projection matrix.
 */
import { m4, v3 } from 'twgl.js';
import type { Block, CellHit, ModelLayout, SceneState, Vec3 } from './types.ts';

export interface Ray {
  origin: Vec3;
  /** Unit direction. */
  dir: Vec3;
}

/**
 * The ray through a point of the screen, given in normalized device coordinates (x, y in -1..1,
 * y up): from the near plane (z = -1) to the far plane (z = 1), unprojected by `invViewProj`
 * (column-major, as twgl's m4 and WebGL use).
 */
export function rayFromScreen(ndcX: number, ndcY: number, invViewProj: Float32Array | number[]): Ray {
  if (invViewProj.length !== 16) throw new RangeError(`inverse view-projection has ${invViewProj.length} entries: expected 16`);
  const near = m4.transformPoint(invViewProj, [ndcX, ndcY, -1]);
  const far = m4.transformPoint(invViewProj, [ndcX, ndcY, 1]);
  const dir = v3.normalize(v3.subtract(far, near));
  return { origin: [near[0]!, near[1]!, near[2]!], dir: [dir[0]!, dir[1]!, dir[2]!] };
}

/** Entry distance of the ray into the box [lo, hi], or null if it misses (or the box is behind). */
function hitBox(ray: Ray, lo: Vec3, hi: Vec3): number | null {
  let tNear = -Infinity;
  let tFar = Infinity;
  for (let i = 0; i < 3; i++) {
    const o = ray.origin[i]!;
    const d = ray.dir[i]!;
    if (d === 0) {
      if (o < lo[i]! || o > hi[i]!) return null;
      continue;
    }
    let t0 = (lo[i]! - o) / d;
    let t1 = (hi[i]! - o) / d;
    if (t0 > t1) [t0, t1] = [t1, t0];
    tNear = Math.max(tNear, t0);
    tFar = Math.min(tFar, t1);
    if (tNear > tFar) return null;
  }
  if (tFar < 0) return null;
  // A ray starting inside a box hits it where it starts.
  return Math.max(tNear, 0);
}

/** The block's box in world space, with its style offset: x right, y up (rows run down from the top), z toward the viewer (front face at position z). */
function boxOf(b: Block, offset: Vec3 | undefined): { lo: Vec3; hi: Vec3 } {
  const [ox, oy, oz] = offset ?? [0, 0, 0];
  const [x, y, z] = b.position;
  const [sx, sy, sz] = b.size;
  return { lo: [x + ox, y + oy - sy, z + oz - sz], hi: [x + ox + sx, y + oy, z + oz] };
}

/**
 * The nearest visible cell the ray hits. Blocks with style opacity 0 are skipped; style offsets move
 * the boxes. Row and column come from the hit point projected onto the block's grid (front face),
 * so a hit on a side face picks the cell in that row or column at the edge.
 */
export function pickCell(layout: ModelLayout, ray: Ray, state?: SceneState): CellHit | null {
  let best: CellHit | null = null;
  const cell = layout.cell;
  for (const b of layout.blocks) {
    const style = state?.blocks[b.id];
    if (style?.opacity === 0) continue;
    const { lo, hi } = boxOf(b, style?.offset);
    const t = hitBox(ray, lo, hi);
    if (t === null || (best && t >= best.distance)) continue;
    const px = ray.origin[0] + t * ray.dir[0];
    const py = ray.origin[1] + t * ray.dir[1];
    const col = Math.min(b.cols.size - 1, Math.max(0, Math.floor((px - lo[0]) / cell)));
    const row = Math.min(b.rows.size - 1, Math.max(0, Math.floor((hi[1] - py) / cell)));
    best = { block: b.id, row, col, distance: t };
  }
  return best;
}
