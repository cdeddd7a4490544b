/**
 * A small model standing at a big one's foot, at the same scale: the scale chapter and /explore/
 * draw GPT-2 and GPT-3 with nano beside them, so the reader sees the sorter they followed number by
 * number next to the models they are compared with, one cell one number in both.
 *
 * The pair is one ModelLayout: the big model's blocks as they are, then the small model's under
 * ids prefixed with `nano/` (its inputs and arrows renamed alike), moved so that its bottom sits on
 * the big model's bottom, a gap to the right of it. Everything that reads a layout (renderer,
 * picking, labels, arrows) draws the pair without knowing; what needs the small model's own ids
 * (its values, explaining a cell) finds them through `layout.companion`. A director that moves the
 * big model (a fold) moves the small one with one offset for all its blocks
 * (src/story/directors/companion-place.ts).
 */
import type { Callout, ModelLayout, SpineSegment, Vec3 } from './types.ts';

/** Prefix of the companion's block ids in the pair's layout. */
export const COMPANION_PREFIX = 'nano/';

export interface Companion {
  layout: ModelLayout;
  prefix: string;
  /** Where the companion's blocks were moved from their own layout (world units). */
  at: Vec3;
}

/** Gap between the big model's right edge and the companion, in widths of the companion. */
export const GAP = 2;

const pairs = new WeakMap<ModelLayout, WeakMap<ModelLayout, ModelLayout>>();

/** Where the companion stands: the gap right of x = `right`, its bottom at y = `bottom`. */
export interface Foot {
  right: number;
  bottom: number;
}

/**
 * `big` with `small` standing at its foot: by default the bottom right of `big`'s bounds; a
 * folded drawing passes the bottom of its last column. Cached: the same pair gives the same object
 * (so `foot` must follow from `big`).
 */
export function withCompanion(big: ModelLayout, small: ModelLayout, foot?: Foot): ModelLayout {
  let bySmall = pairs.get(big);
  if (!bySmall) pairs.set(big, (bySmall = new WeakMap()));
  let pair = bySmall.get(small);
  if (!pair) bySmall.set(small, (pair = pairOf(big, small, foot ?? { right: big.bounds.max[0], bottom: big.bounds.min[1] })));
  return pair;
}

function pairOf(big: ModelLayout, small: ModelLayout, foot: Foot): ModelLayout {
  const prefix = COMPANION_PREFIX;
  const width = small.bounds.max[0] - small.bounds.min[0];
  const at: Vec3 = [foot.right + GAP * width - small.bounds.min[0], foot.bottom - small.bounds.min[1], big.bounds.max[2] - small.bounds.max[2]];
  const blocks = small.blocks.map((b) => ({ ...b, id: prefix + b.id, inputs: b.inputs.map((i) => prefix + i), position: add(b.position, at) }));
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    min[i] = Math.min(big.bounds.min[i]!, small.bounds.min[i]! + at[i]!);
    max[i] = Math.max(big.bounds.max[i]!, small.bounds.max[i]! + at[i]!);
  }
  return {
    ...big,
    blocks: [...big.blocks, ...blocks],
    // The companion's spine without its step names: the labels name the big model's steps.
    spine: [...big.spine, ...companionSegments(small.spine, prefix, at, false)],
    bounds: { min, max },
    companion: { layout: small, prefix, at },
  };
}

/** Arrows of the companion's own layout moved and renamed into the pair (labels kept or dropped). */
export function companionSegments(segments: readonly SpineSegment[], prefix: string, at: Vec3, labels = true): SpineSegment[] {
  return segments.map((s) => {
    const out: SpineSegment = { ...s, from: add(s.from, at), to: add(s.to, at) };
    if (s.fromBlock !== undefined) out.fromBlock = prefix + s.fromBlock;
    if (s.toBlock !== undefined) out.toBlock = prefix + s.toBlock;
    if (!labels) delete out.label;
    return out;
  });
}

/** Whether a block id of the pair names a companion block, and its id in the companion's own layout. */
export function companionId(layout: ModelLayout, id: string): string | null {
  const c = layout.companion;
  return c && id.startsWith(c.prefix) ? id.slice(c.prefix.length) : null;
}

/** What names the companion in the picture (the label tree leaves it unnamed). */
export const COMPANION_NAME = 'gpt-nano, same scale';

/** A callout on the companion's first cell (its input row's top left): [] when the layout has none. */
export function companionCallout(layout: ModelLayout, text = COMPANION_NAME): Callout[] {
  const c = layout.companion;
  return c ? [{ block: c.prefix + c.layout.blocks[0]!.id, row: 0, col: 0, text, role: 'focus' }] : [];
}

/** The layout whose parameters the values shown belong to: the companion's when there is one (only nano has weights). */
export function valuesLayout(layout: ModelLayout): ModelLayout {
  return layout.companion?.layout ?? layout;
}

export function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}
