/**
 * The contract between the pure scene code (layout, picking, tooltips), the directors that
 * choreograph the article, and the WebGL renderer. Everything here is plain data: a frame is
 * drawn from a ModelLayout (computed when the model or input changes) plus a SceneState
 * (computed fresh every frame by a director or by the explore view), never mutated in place.
 *
 * World coordinates: x to the right, y up, z toward the viewer. The model reads top to bottom:
 * data flows toward -y. A block's grid faces +z: its columns run along +x and its rows along -y.
 */
import type { GPTConfig } from '../gpt/config.ts';
import type { Companion } from './companion.ts';

export type Vec3 = [number, number, number];

/** Blue weights, green activations, and a third colour for aggregates (layer-norm mean/rstd, softmax max/sum). */
export type BlockKind = 'weight' | 'activation' | 'aggregate';

export type ModelId = 'nano' | 'gpt2-small' | 'gpt2-xl' | 'gpt3';

/** One displayed axis of a block: its symbol as the article uses it ('T', 'C', 'hs', '4C', 'V', '3C') and its length. */
export interface Axis {
  name: string;
  size: number;
}

/**
 * Where the number in cell (row, col) of a block comes from:
 *   value = tensor.data[offset + row * rowStride + col * colStride]
 * `from: 'trace'` names a trace tensor (src/gpt/trace.ts, e.g. 'h.0.attn.q'); `from: 'param'` names
 * a minGPT parameter (src/gpt/config.ts paramSpecs, e.g. 'transformer.h.0.attn.c_attn.weight').
 */
export interface CellSource {
  from: 'trace' | 'param';
  tensor: string;
  offset: number;
  rowStride: number;
  colStride: number;
}

export interface Block {
  /** Stable, readable id used by directors and tests, e.g. 'h.1.attn.head2.q', 'h.0.ln_1.gamma', 'embed'. */
  id: string;
  kind: BlockKind;
  /** Reader-facing name, e.g. "Query weights, head 3". */
  label: string;
  /** What part of the model the block belongs to: 'input', 'embedding', 'ln_1', 'attention', 'projection', 'ln_2', 'mlp', 'ln_f', 'lm_head', 'output'. */
  stage: string;
  layer: number | null;
  head: number | null;
  /** Displayed grid: rows run down the screen, columns across. */
  rows: Axis;
  cols: Axis;
  /** null for render-only models (GPT-2, GPT-3), whose values we do not have. */
  source: CellSource | null;
  /** Top-left-front corner in world units. */
  position: Vec3;
  /** World extents: x = cols * cell, y = rows * cell, z = depth. */
  size: Vec3;
  /** Ids of the blocks this block is computed from (for hover and for directors). */
  inputs: string[];
}

/**
 * An arrow from `from` to `to`: a residual-stream segment (the spine) or a data-flow arrow between
 * stages. Ends are in layout coordinates; the renderer adds the BlockStyle offset of `fromBlock`
 * to `from` and of `toBlock` to `to`, so arrows follow blocks a director moves.
 */
export interface SpineSegment {
  from: Vec3;
  to: Vec3;
  label?: string;
  fromBlock?: string;
  toBlock?: string;
  /** false for the inner runs of a bent path (no arrowhead); default true. */
  head?: boolean;
}

export interface ModelLayout {
  model: ModelId;
  config: GPTConfig;
  /** Columns shown for sequence tensors: the real number of tokens (6 inputs + outputs so far). */
  T: number;
  /** World size of one cell (the same for every model, so sizes compare truly). */
  cell: number;
  blocks: Block[];
  spine: SpineSegment[];
  bounds: { min: Vec3; max: Vec3 };
  /** Parameter count computed from the config. */
  params: number;
  /** Multiply-adds per generated token at full context, computed from the config. */
  flopsPerToken: number;
  /** A smaller model drawn at this one's foot, at the same scale (src/scene/companion.ts). */
  companion?: Companion;
}

/** Orbit camera: looks at target from `distance`, rotated by yaw (around y) and pitch (around x), radians. */
export interface CameraState {
  target: Vec3;
  distance: number;
  yaw: number;
  pitch: number;
}

/** A half-open range [start, end) of rows or columns. */
export type Range = [number, number];

/** Colour roles shared by the renderer, the labels and the article text (same colours in both). */
export type HighlightRole = 'focus' | 'source' | 'result' | 'muted';

export interface BlockStyle {
  /** 0 hides the block; default 1. */
  opacity?: number;
  /** Added to the block's position (world units). */
  offset?: Vec3;
  /**
   * How much of the block is filled with its values, column by column: `cols` whole columns,
   * then `rows` cells of the next column. Unfilled cells are drawn empty. Default: all.
   */
  reveal?: { cols: number; rows?: number };
}

export interface Highlight {
  block: string;
  /** Default: all rows / all columns. */
  rows?: Range;
  cols?: Range;
  role: HighlightRole;
  /** Draw this sub-range lifted out of its block by this offset (a "split" of the block). */
  lift?: Vec3;
  /** With `lift`: draw a lifted copy and leave the block whole (no hole where it came from). */
  copy?: boolean;
}

/** A short text pinned to one cell (or the block when row/col are omitted), e.g. a running sum. */
export interface Callout {
  block: string;
  row?: number;
  col?: number;
  text: string;
  role?: HighlightRole;
  /** Which side of its cell the text sits on (default 'right'): 'left' keeps it off a matrix to the cell's right. */
  side?: 'right' | 'left';
}

/**
 * One end of a link: a cell range of a block (at its drawn place, offsets and lifts included), or
 * the callout with the same `callout` index in SceneState.callouts.
 */
export type LinkEnd = { block: string; rows?: Range; cols?: Range } | { callout: number };

/**
 * A curved arrow that joins an operand to what it makes (an input row to a result cell, a result
 * cell to the callout that shows its arithmetic). Drawn in the DOM overlay above the canvas.
 */
export interface Link {
  from: LinkEnd;
  to: LinkEnd;
  role?: HighlightRole;
  /** 0..1: how much of the arrow is drawn, from its start (for animating it in); default 1. */
  progress?: number;
  /**
   * Leave and reach both ends from this side, so the arrow arcs around the blocks between them
   * (e.g. 'right' for two cells one above the other with other blocks in between); default: the
   * nearest facing edges.
   */
  bow?: 'left' | 'right' | 'up' | 'down';
}

export interface SceneState {
  camera: CameraState;
  /** Per-block style by id; a block not listed is drawn fully, at its place. */
  blocks: Record<string, BlockStyle>;
  highlights: Highlight[];
  callouts: Callout[];
  /** Arrows from operands to results and callouts; default none. */
  links?: Link[];
  /** 0..1: how strongly everything not highlighted is dimmed. */
  dim?: number;
}

/** Which cell of which block a pointer is over. */
export interface CellHit {
  block: string;
  row: number;
  col: number;
  /** Distance along the ray, world units. */
  distance: number;
}
