/**
 * Moving nano where a director wants it when it stands beside a big model (src/scene/companion.ts):
 * one offset for all its blocks, to the foot of a folded drawing or anywhere else. Kept apart from
 * the pair itself so only the chapters that move it carry this.
 */
import { add, GAP, type Foot } from '../../scene/companion.ts';
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

/** The same offset for every companion block, as block styles (a new object each call). */
export function offsetStyles(pair: ModelLayout, offset: Vec3): Record<string, BlockStyle> {
  const c = pair.companion;
  const styles: Record<string, BlockStyle> = {};
  if (c) for (const b of c.layout.blocks) styles[c.prefix + b.id] = { offset };
  return styles;
}

/** The offset that stands the companion of `pair` at `foot` (e.g. the bottom of a fold's last column): the gap right of it. */
export function footOffset(pair: ModelLayout, foot: Foot): Vec3 {
  return companionOffset(pair, foot.right + companionGap(pair), foot.bottom);
}

/** The companion's box in the pair when moved by `offset`. */
export function companionBox(pair: ModelLayout, offset: Vec3): { min: Vec3; max: Vec3 } {
  const c = pair.companion;
  if (!c) throw new Error(`the ${pair.model} layout has no companion`);
  const shift = add(c.at, offset);
  return { min: add(c.layout.bounds.min, shift), max: add(c.layout.bounds.max, shift) };
}
