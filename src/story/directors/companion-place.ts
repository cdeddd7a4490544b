/**
 * Moving nano where a director wants it when it stands beside a big model (src/scene/companion.ts):
 * one offset for all its blocks, to the foot of a folded drawing or anywhere else. Kept apart from
 * the pair itself so only the chapters that move it carry this.
 */
import { add, GAP } from '../../scene/companion.ts';
import type { BlockStyle, ModelLayout, Vec3 } from '../../scene/types.ts';

/** The gap between a big model's right edge and its companion, world units. */
export function companionGap(pair: ModelLayout): number {
  const c = pair.companion;
  return c ? GAP * (c.layout.bounds.max[0] - c.layout.bounds.min[0]) : 0;
}

/** The offset that moves the companion of `pair` so its left edge is at x = `left` and its bottom at y = `bottom`. */
export function companionOffset(pair: ModelLayout, left: number, bottom: number): Vec3 {
  const c = pair.companion;
  if (!c) throw new Error(`the ${pair.model} layout has no companion`);
  return [left - (c.layout.bounds.min[0] + c.at[0]), bottom - (c.layout.bounds.min[1] + c.at[1]), 0];
}

/** The same offset for every companion block, as block styles (a new object: for moves; `companionStyles` caches). */
export function offsetStyles(pair: ModelLayout, offset: Vec3): Record<string, BlockStyle> {
  const c = pair.companion;
  const styles: Record<string, BlockStyle> = {};
  if (c) for (const b of c.layout.blocks) styles[c.prefix + b.id] = { offset };
  return styles;
}

const placed = new WeakMap<ModelLayout, Map<string, Record<string, BlockStyle>>>();

/**
 * Styles that stand the companion of `pair` at the foot of the big model drawn within `bounds`
 * (e.g. a fold's): its bottom on their bottom, the gap right of their right edge. Cached per pair
 * and bounds.
 */
export function companionStyles(pair: ModelLayout, bounds: { min: Vec3; max: Vec3 }): Record<string, BlockStyle> {
  if (!pair.companion) return {};
  const key = `${bounds.min.join(',')}:${bounds.max.join(',')}`;
  let byBounds = placed.get(pair);
  if (!byBounds) placed.set(pair, (byBounds = new Map()));
  const hit = byBounds.get(key);
  if (hit) return hit;
  const styles = offsetStyles(pair, footOffset(pair, bounds));
  if (byBounds.size >= 8) byBounds.clear();
  byBounds.set(key, styles);
  return styles;
}

/** The offset of `companionStyles(pair, bounds)`. */
export function footOffset(pair: ModelLayout, bounds: { min: Vec3; max: Vec3 }): Vec3 {
  return companionOffset(pair, bounds.max[0] + companionGap(pair), bounds.min[1]);
}

/** The companion's box in the pair when moved by `offset`. */
export function companionBox(pair: ModelLayout, offset: Vec3): { min: Vec3; max: Vec3 } {
  const c = pair.companion;
  if (!c) throw new Error(`the ${pair.model} layout has no companion`);
  const shift = add(c.at, offset);
  return { min: add(c.layout.bounds.min, shift), max: add(c.layout.bounds.max, shift) };
}
