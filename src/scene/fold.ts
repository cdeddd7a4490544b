/**
 * The whole model, folded to fit a stage: every model is far taller than wide (nano 412 x 2,273
 * units, GPT-3 62,582 x 19.2 million), so seen whole at its true layout it is a strip a few percent
 * of the stage wide. A fold cuts the model between its parts (the embeddings, each layer, the
 * output head) and stands the pieces side by side in columns, read like a newspaper: down the
 * first column, then down the next. Blocks keep their true shapes and their places within their
 * part; only whole parts move, by a BlockStyle offset, so a director can slide them into place
 * and the arrows that join the parts (spine and flows follow offsets) show the order.
 *
 * Pure and cached: the same layout and column count give the same object, so the renderer sees
 * unchanged styles and uploads nothing.
 */
import type { BlockStyle, ModelLayout, Vec3 } from './types.ts';

/** One part of the model: the embeddings (index 0), layer l (index l + 1), the output head (last). */
export interface FoldPart {
  name: string;
  blocks: string[];
  top: number;
  bottom: number;
  /** Horizontal extent of the part's blocks. */
  left: number;
  right: number;
}

export interface Fold {
  columns: number;
  /** Offset of every block (world units), by id. */
  offsets: Record<string, Vec3>;
  /** The same offsets as block styles, ready for a SceneState. */
  styles: Record<string, BlockStyle>;
  /** Bounds of the folded drawing. */
  bounds: { min: Vec3; max: Vec3 };
  /** Which column each part went to, in part order. */
  columnOf: number[];
  parts: FoldPart[];
}

/**
 * Parts of the model in reading order, with their extents: the embeddings, then each layer's
 * attention half (layer norm 1, heads, projection, first residual) and MLP half (layer norm 2,
 * MLP, second residual), then the output head and the softmax. Halves rather than whole layers give the fold
 * enough places to cut to fit stages of every shape.
 */
export function foldParts(layout: ModelLayout): FoldPart[] {
  const L = layout.config.n_layer;
  const part = (name: string): FoldPart => ({ name, blocks: [], top: -Infinity, bottom: Infinity, left: Infinity, right: -Infinity });
  const parts: FoldPart[] = [part('Embedding')];
  for (let l = 0; l < L; l++) parts.push(part(`Layer ${l + 1}, attention`), part(`Layer ${l + 1}, MLP`));
  parts.push(part('Output head'), part('Softmax'));
  // Layer-less blocks above the first layer are the embeddings; below it, the output head (the
  // final layer norm, the lm head and the logits) and the softmax, apart: with a 50,257-token
  // vocabulary each is as tall as several layers.
  const firstLayerTop = Math.max(...layout.blocks.filter((b) => b.layer === 0).map((b) => b.position[1]));
  for (const b of layout.blocks) {
    const mlpHalf = b.stage === 'ln_2' || b.stage === 'mlp';
    const i = b.layer !== null ? 1 + 2 * b.layer + (mlpHalf ? 1 : 0) : b.position[1] > firstLayerTop ? 0 : b.stage === 'output' ? 2 * L + 2 : 2 * L + 1;
    const p = parts[i]!;
    p.blocks.push(b.id);
    p.top = Math.max(p.top, b.position[1]);
    p.bottom = Math.min(p.bottom, b.position[1] - b.size[1]);
    p.left = Math.min(p.left, b.position[0]);
    p.right = Math.max(p.right, b.position[0] + b.size[0]);
  }
  return parts.filter((p) => p.blocks.length > 0);
}

/**
 * Splits heights (in order) into `n` contiguous runs with the smallest tallest run (each run's
 * height counts a `gap` between consecutive parts). Returns the run index of every part.
 */
export function balancedRuns(heights: readonly number[], n: number, gap: number): number[] {
  const k = Math.max(1, Math.min(n, heights.length));
  const fits = (limit: number): number[] | null => {
    const out: number[] = [];
    let run = 0;
    let used = 0;
    for (const h of heights) {
      const need = used === 0 ? h : used + gap + h;
      if (need <= limit) used = need;
      else {
        run++;
        used = h;
        if (h > limit || run >= k) return null;
      }
      out.push(run);
    }
    return out;
  };
  let lo = Math.max(...heights);
  let hi = heights.reduce((s, h) => s + h, 0) + gap * heights.length;
  let best = fits(hi)!;
  for (let i = 0; i < 48 && hi - lo > 1e-6 * hi; i++) {
    const mid = (lo + hi) / 2;
    const r = fits(mid);
    if (r) {
      best = r;
      hi = mid;
    } else lo = mid;
  }
  return best;
}

/** Height of the tallest column for an assignment of parts to columns. */
function tallest(heights: readonly number[], columnOf: readonly number[], gap: number): number {
  const used: number[] = [];
  columnOf.forEach((c, i) => (used[c] = used[c] === undefined ? heights[i]! : used[c]! + gap + heights[i]!));
  return Math.max(...used);
}

/**
 * A cut between a layer's attention half and its MLP half splits one layer over two columns:
 * move the cut to the nearer layer boundary (either way) when that makes the tallest column at
 * most 15% taller, so a reader finds each layer whole where it can be.
 */
function keepLayersWhole(parts: readonly FoldPart[], heights: readonly number[], columnOf: number[], gap: number): number[] {
  const out = [...columnOf];
  const limit = 1.15 * tallest(heights, columnOf, gap);
  for (let i = 1; i < parts.length; i++) {
    if (out[i] === out[i - 1] || !parts[i]!.name.endsWith(', MLP')) continue;
    const later = [...out];
    later[i] = out[i - 1]!; // the MLP half joins its attention half
    const earlier = [...out];
    earlier[i - 1] = out[i]!; // the attention half joins its MLP half
    const options = [later, earlier].filter((o) => tallest(heights, o, gap) <= limit && o[0] === 0);
    options.sort((a, b) => tallest(heights, a, gap) - tallest(heights, b, gap));
    if (options[0]) out.splice(0, out.length, ...options[0]);
  }
  return out;
}

const cache = new WeakMap<ModelLayout, Map<number, Fold>>();
const stageCache = new WeakMap<ModelLayout, Map<number, Fold>>();

/** The layout folded into `columns` columns (1 = as laid out). */
export function foldLayout(layout: ModelLayout, columns: number): Fold {
  let byCount = cache.get(layout);
  if (!byCount) cache.set(layout, (byCount = new Map()));
  const hit = byCount.get(columns);
  if (hit) return hit;

  const parts = foldParts(layout);
  // Gaps in proportion to the model (a layer's width), so the fold looks the same at every scale.
  const layerWidth = Math.max(...parts.slice(1, -1).map((p) => p.right - p.left), 1);
  const colGap = 0.2 * layerWidth;
  const rowGap = (0.02 * (layout.bounds.max[1] - layout.bounds.min[1])) / Math.max(1, columns);
  const heights = parts.map((p) => p.top - p.bottom);
  const columnOf = keepLayersWhole(parts, heights, balancedRuns(heights, columns, rowGap), rowGap);
  const n = Math.max(...columnOf) + 1;
  // Each column starts a gap right of the one before, measured on the parts it actually holds
  // (a wide token table in the first column does not push every column apart).
  const shiftX: number[] = [];
  let right = -Infinity;
  for (let c = 0; c < n; c++) {
    const inCol = parts.filter((_, i) => columnOf[i] === c);
    const left = Math.min(...inCol.map((p) => p.left));
    shiftX[c] = c === 0 ? 0 : right + colGap - left;
    right = Math.max(...inCol.map((p) => p.right)) + shiftX[c]!;
  }
  const offsets: Record<string, Vec3> = {};
  const styles: Record<string, BlockStyle> = {};
  const used: number[] = [];
  const top = layout.bounds.max[1];
  let bottom = top;
  parts.forEach((p, i) => {
    const c = columnOf[i]!;
    const y = used[c] === undefined ? top : used[c]! - rowGap;
    const offset: Vec3 = [shiftX[c]!, y - p.top, 0];
    used[c] = p.bottom + offset[1];
    bottom = Math.min(bottom, used[c]!);
    for (const id of p.blocks) {
      offsets[id] = offset;
      if (offset[0] !== 0 || offset[1] !== 0) styles[id] = { offset };
    }
  });
  const fold: Fold = {
    columns: n,
    offsets,
    styles,
    bounds: {
      min: [Math.min(...parts.map((p) => p.left)), bottom, layout.bounds.min[2]],
      max: [right, top, layout.bounds.max[2]],
    },
    columnOf,
    parts,
  };
  byCount.set(columns, fold);
  return fold;
}

/** The bottom of a fold's last column, world units. */
export function lastColumnBottom(fold: Fold): number {
  const last = fold.columns - 1;
  let bottom = Infinity;
  fold.parts.forEach((p, i) => {
    if (fold.columnOf[i] === last) bottom = Math.min(bottom, p.bottom + fold.offsets[p.blocks[0]!]![1]);
  });
  return bottom;
}

/**
 * The fold that fills the stage best: fitted to the stage (limiting side at 90%), the drawing
 * should span at least half the stage's width and 70% of its height, so each column count is
 * scored by the worse of its width share / 0.5 and its height share / 0.7, and the best kept.
 * An oblique camera shows a little less width than a face-on one: widths count at 90%.
 */
export function foldForStage(layout: ModelLayout, stageAspect: number): Fold {
  // Directors ask every frame: remember the answer per layout and stage shape.
  let byAspect = stageCache.get(layout);
  if (!byAspect) stageCache.set(layout, (byAspect = new Map()));
  const key = Math.round(stageAspect * 1000);
  const known = byAspect.get(key);
  if (known) return known;
  const parts = foldParts(layout).length;
  let best = foldLayout(layout, 1);
  let bestScore = -Infinity;
  for (let n = 1; n <= parts; n++) {
    const f = foldLayout(layout, n);
    if (f.columns !== n) continue;
    const r = (0.9 * (f.bounds.max[0] - f.bounds.min[0])) / (f.bounds.max[1] - f.bounds.min[1]);
    const wShare = r > stageAspect ? 0.9 : (0.9 * r) / stageAspect;
    const hShare = r > stageAspect ? (0.9 * stageAspect) / r : 0.9;
    const score = Math.min(wShare / 0.5, hShare / 0.7);
    if (score > bestScore + 1e-9) {
      best = f;
      bestScore = score;
    }
  }
  byAspect.set(key, best);
  return best;
}

/**
 * Block styles u of the way (0..1) from one fold to another; null stands for the model as laid
 * out (no offsets). Ends return the folds' own cached styles, so a held view uploads nothing.
 */
export function foldStyles(from: Fold | null, to: Fold | null, u: number): Record<string, BlockStyle> {
  if (u >= 1) return to?.styles ?? NONE;
  if (u <= 0) return from?.styles ?? NONE;
  const ids = new Set([...Object.keys(from?.styles ?? {}), ...Object.keys(to?.styles ?? {})]);
  const out: Record<string, BlockStyle> = {};
  for (const id of ids) {
    const p = from?.offsets[id] ?? ZERO;
    const q = to?.offsets[id] ?? ZERO;
    out[id] = { offset: [p[0] + (q[0] - p[0]) * u, p[1] + (q[1] - p[1]) * u, p[2] + (q[2] - p[2]) * u] };
  }
  return out;
}

const ZERO: Vec3 = [0, 0, 0];
const NONE: Record<string, BlockStyle> = Object.freeze({}) as Record<string, BlockStyle>;

/**
 * A copy of the layout with the fold built into its positions, for views that stay folded while
 * the reader moves around (/explore/): picking, labels and framing then need no offsets.
 */
export function bakeFold(layout: ModelLayout, fold: Fold): ModelLayout {
  const shift = (p: Vec3, o: Vec3 | undefined): Vec3 => (o ? [p[0] + o[0], p[1] + o[1], p[2] + o[2]] : p);
  // Arrow ends move with the blocks they name; unnamed ends with the part whose height range holds them.
  const offsetAt = (block: string | undefined, y: number): Vec3 | undefined => {
    if (block !== undefined) return fold.offsets[block];
    const i = fold.parts.findIndex((p) => y <= p.top + 1e-6 && y >= p.bottom - 1e-6);
    return i < 0 ? undefined : fold.offsets[fold.parts[i]!.blocks[0]!];
  };
  return {
    ...layout,
    blocks: layout.blocks.map((b) => ({ ...b, position: shift(b.position, fold.offsets[b.id]) })),
    spine: layout.spine.map((s) => ({ ...s, from: shift(s.from, offsetAt(s.fromBlock, s.from[1])), to: shift(s.to, offsetAt(s.toBlock, s.to[1])) })),
    bounds: fold.bounds,
  };
}
