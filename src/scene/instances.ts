/**
 * SceneState -> instance data (pure, no GL).
 *
 * Boxes: every block becomes one instance; each highlight that does not cover its whole block
 * adds one more instance for its sub-range, drawn over the block (or displaced by `lift`, leaving a
 * hole in the block where it came from). Instances are split into three lists drawn in order:
 * opaque blocks, highlight overlays (pulled forward with a polygon offset), and translucent blocks
 * (no depth writes). Blocks are drawn as slabs SLAB_CELLS cells deep (the layout's blocks are one
 * cell deep; picking uses the front face, which is the same), so they read as solids from an
 * oblique camera.
 *
 * Arrows: the residual spine and the data-flow arrows, each end moved by its block's offset,
 * faded with the dim of the blocks it joins, hidden with them.
 *
 * Layout of one instance: BOX_STRIDE / SPINE_STRIDE floats, see shaders.ts.
 */
import { KIND_INDEX, ROLE_INDEX } from './palette.ts';
import { samePlaces } from './same.ts';
import { BOX_STRIDE, SPINE_STRIDE } from './shaders.ts';
import type { Block, Highlight, ModelLayout, Range, SceneState, SpineSegment, Vec3 } from './types.ts';

/** Depth of a drawn block, in cells: enough for its side faces to show from an overview camera. */
export const SLAB_CELLS = 3;

/** What the builder needs to know about a block's values on the GPU. */
export interface ValueLookup {
  slot(blockId: string): { x: number; y: number; scale: number } | undefined;
  hasValues(block: Block): boolean;
  /**
   * Changes whenever an answer above would: the builder then asks again. Without it the builder
   * asks every build.
   */
  readonly version?: number;
}

export interface InstanceLists {
  opaque: Float32Array;
  overlay: Float32Array;
  translucent: Float32Array;
  counts: { opaque: number; overlay: number; translucent: number };
}

/** Grows on demand and hands out filled prefixes, so steady frames allocate nothing new. */
class FloatList {
  data: Float32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float32Array(capacity);
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const grown = new Float32Array(Math.max(this.data.length * 2, this.length + extra));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

const NO_HOLE = [0, 0, 0, 0] as const;
const NO_OFFSET: Vec3 = [0, 0, 0];
const NO_HIGHLIGHTS: readonly Highlight[] = [];
/** "Everything revealed": more columns than any block has. */
const ALL_COLUMNS = 1e9;

export class InstanceBuilder {
  private readonly lists = { opaque: new FloatList(64 * BOX_STRIDE), overlay: new FloatList(16 * BOX_STRIDE), translucent: new FloatList(16 * BOX_STRIDE) };
  /** Highlights by block, the lists emptied and refilled by each build (a frame allocates none). */
  private readonly byBlock = new Map<string, Highlight[]>();
  /** Scratch for one instance's fields, copied into the lists by write(). */
  private readonly pos: Vec3 = [0, 0, 0];
  private readonly size: Vec3 = [0, 0, 0];
  private readonly at: Vec3 = [0, 0, 0];
  private readonly sub: Vec3 = [0, 0, 0];
  private readonly range: [number, number, number, number] = [0, 0, 0, 0];
  private readonly atlas: [number, number, number, number] = [0, 0, 0, 0];
  private readonly style: [number, number, number, number] = [0, 0, 0, 0];
  private readonly reveal: [number, number] = [0, 0];
  private readonly hole: [number, number, number, number] = [0, 0, 0, 0];

  /** Each block's atlas fields (x, y, has values, scale), in layout order, and what they were asked of. */
  private slots = new Float32Array(0);
  private readonly slotsFor: { layout: ModelLayout | null; values: ValueLookup | null; version: number | undefined } = { layout: null, values: null, version: undefined };

  private slotsOf(layout: ModelLayout, values: ValueLookup): Float32Array {
    const k = this.slotsFor;
    if (k.layout === layout && k.values === values && values.version !== undefined && k.version === values.version) return this.slots;
    k.layout = layout;
    k.values = values;
    k.version = values.version;
    if (this.slots.length !== 4 * layout.blocks.length) this.slots = new Float32Array(4 * layout.blocks.length);
    layout.blocks.forEach((b, i) => {
      const slot = values.slot(b.id);
      if (slot && values.hasValues(b)) this.slots.set([slot.x, slot.y, 1, slot.scale], 4 * i);
      else this.slots.set([0, 0, 0, 1], 4 * i);
    });
    return this.slots;
  }

  /** Builds the three lists; the returned arrays are views valid until the next call. */
  build(layout: ModelLayout, state: Omit<SceneState, 'camera'>, values: ValueLookup): InstanceLists {
    const { opaque, overlay, translucent } = this.lists;
    opaque.length = overlay.length = translucent.length = 0;
    const byBlock = this.byBlock;
    for (const list of byBlock.values()) list.length = 0;
    for (const h of state.highlights) {
      const list = byBlock.get(h.block);
      if (list) list.push(h);
      else byBlock.set(h.block, [h]);
    }
    const { pos, size, at, sub, range, atlas, style: look, reveal } = this;
    const dim = clamp01(state.dim ?? 0);
    const slots = this.slotsOf(layout, values);
    let blockIndex = -1;

    for (const b of layout.blocks) {
      blockIndex++;
      const style = state.blocks[b.id];
      const opacity = clamp01(style?.opacity ?? 1);
      if (opacity <= 0) continue;
      const offset = style?.offset ?? NO_OFFSET;
      set3(pos, b.position[0] + offset[0], b.position[1] + offset[1], b.position[2] + offset[2]);
      const highlights = byBlock.get(b.id) ?? NO_HIGHLIGHTS;
      let whole: Highlight | undefined;
      let lifted: Highlight | undefined;
      for (const h of highlights) {
        if (!whole && !h.lift && isWhole(h, b)) whole = h;
        if (!lifted && h.lift && !h.copy) lifted = h;
      }
      let hole: readonly number[] = NO_HOLE;
      if (lifted) {
        const [r0, r1] = rowsOf(lifted, b);
        const [c0, c1] = colsOf(lifted, b);
        hole = set4(this.hole, r0, r1, c0, c1);
      }
      reveal[0] = style?.reveal ? style.reveal.cols : ALL_COLUMNS;
      reveal[1] = style?.reveal ? (style.reveal.rows ?? 0) : 0;
      const bi = 4 * blockIndex;
      set4(atlas, slots[bi]!, slots[bi + 1]!, slots[bi + 2]!, slots[bi + 3]!);
      const kind = KIND_INDEX[b.kind];
      const baseRole = whole ? ROLE_INDEX[whole.role] : 0;
      const baseDim = whole ? roleDim(whole, dim) : dim;
      const base = opacity < 1 ? translucent : opaque;
      set3(size, b.size[0], b.size[1], Math.max(b.size[2], SLAB_CELLS * layout.cell));
      write(base, pos, size, set4(range, 0, 0, b.rows.size, b.cols.size), atlas, set4(look, kind, opacity, baseDim, baseRole), reveal, hole);

      const cellW = b.size[0] / Math.max(1, b.cols.size);
      const cellH = b.size[1] / Math.max(1, b.rows.size);
      for (const h of highlights) {
        if (h === whole) continue;
        const [r0, r1] = rowsOf(h, b);
        const [c0, c1] = colsOf(h, b);
        if (r1 <= r0 || c1 <= c0) continue;
        const lift = h.lift ?? NO_OFFSET;
        set3(at, pos[0] + c0 * cellW + lift[0], pos[1] - r0 * cellH + lift[1], pos[2] + lift[2]);
        set3(sub, (c1 - c0) * cellW, (r1 - r0) * cellH, size[2]);
        write(opacity < 1 ? translucent : overlay, at, sub, set4(range, r0, c0, r1 - r0, c1 - c0), atlas, set4(look, kind, opacity, roleDim(h, dim), ROLE_INDEX[h.role]), reveal, NO_HOLE);
      }
    }
    return {
      opaque: opaque.data.subarray(0, opaque.length),
      overlay: overlay.data.subarray(0, overlay.length),
      translucent: translucent.data.subarray(0, translucent.length),
      counts: { opaque: opaque.length / BOX_STRIDE, overlay: overlay.length / BOX_STRIDE, translucent: translucent.length / BOX_STRIDE },
    };
  }
}

function set3(v: Vec3, x: number, y: number, z: number): Vec3 {
  v[0] = x;
  v[1] = y;
  v[2] = z;
  return v;
}

function set4<T extends [number, number, number, number]>(v: T, a: number, b: number, c: number, d: number): T {
  v[0] = a;
  v[1] = b;
  v[2] = c;
  v[3] = d;
  return v;
}

function write(
  list: FloatList,
  pos: Vec3,
  size: Vec3,
  range: readonly number[],
  atlas: readonly number[],
  style: readonly number[],
  reveal: readonly number[],
  hole: readonly number[],
): void {
  list.reserve(BOX_STRIDE);
  const d = list.data;
  let i = list.length;
  d[i++] = pos[0]; d[i++] = pos[1]; d[i++] = pos[2];
  d[i++] = size[0]; d[i++] = size[1]; d[i++] = size[2];
  d[i++] = range[0]!; d[i++] = range[1]!; d[i++] = range[2]!; d[i++] = range[3]!;
  d[i++] = atlas[0]!; d[i++] = atlas[1]!; d[i++] = atlas[2]!; d[i++] = atlas[3]!;
  d[i++] = style[0]!; d[i++] = style[1]!; d[i++] = style[2]!; d[i++] = style[3]!;
  d[i++] = reveal[0]!; d[i++] = reveal[1]!; d[i++] = 0; d[i++] = 0;
  d[i++] = hole[0]!; d[i++] = hole[1]!; d[i++] = hole[2]!; d[i++] = hole[3]!;
  list.length = i;
}

/** A muted highlight is half-dimmed even when nothing else is; other roles are never dimmed. */
function roleDim(h: Highlight, dim: number): number {
  return h.role === 'muted' ? Math.max(dim, 0.5) : 0;
}

function clampRange(r: Range | undefined, size: number): [number, number] {
  if (!r) return [0, size];
  const a = Math.max(0, Math.min(size, Math.floor(r[0])));
  const b = Math.max(a, Math.min(size, Math.floor(r[1])));
  return [a, b];
}

function rowsOf(h: Highlight, b: Block): [number, number] {
  return clampRange(h.rows, b.rows.size);
}

function colsOf(h: Highlight, b: Block): [number, number] {
  return clampRange(h.cols, b.cols.size);
}

function isWhole(h: Highlight, b: Block): boolean {
  const [r0, r1] = rowsOf(h, b);
  const [c0, c1] = colsOf(h, b);
  return r0 === 0 && c0 === 0 && r1 === b.rows.size && c1 === b.cols.size;
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

/**
 * How an arrow is drawn: width in cells, kept between minPixels and maxPixels on screen (visible
 * from afar, never a slab close up), strength 0..1 (mix from the ground to the arrow colour), and
 * the on-screen cell size (pixels) below which it fades out (0: never).
 */
export interface ArrowLook {
  width: number;
  minPixels: number;
  maxPixels: number;
  strength: number;
  fadeBelowCellPx: number;
}

/** The residual spine: the widest, darkest arrows, the stream everything else joins; always drawn. */
export const SPINE_LOOK: ArrowLook = Object.freeze({ width: 1.2, minPixels: 2, maxPixels: 12, strength: 0.72, fadeBelowCellPx: 0 });
/**
 * Data flow between stages: thinner and lighter, so it guides without competing with the cells;
 * gone once a cell is under a quarter of a pixel (nano seen whole keeps it, GPT-3 does not).
 */
export const FLOW_LOOK: ArrowLook = Object.freeze({ width: 0.45, minPixels: 1.5, maxPixels: 5, strength: 0.5, fadeBelowCellPx: 0.25 });
/** How strong a hop between the columns of a folded model is drawn, relative to its look. */
const HOP_STRENGTH = 0.35;
/** How much a fully dimmed arrow fades toward the ground (blocks fade by 0.78). */
const ARROW_DIM = 0.85;

export class ArrowBuilder {
  private readonly list = new FloatList(128 * SPINE_STRIDE);
  /** Per-block dim from the highlights, reused between builds. */
  private readonly blockDim = new Map<string, number>();
  /** What the last build was for (its per-block dims in lastDim), and what it returned. */
  private readonly lastDim = new Map<string, number>();
  private readonly key: { layout: ModelLayout | null; groups: unknown; blocks: SceneState['blocks'] | null; dim: number } = { layout: null, groups: null, blocks: null, dim: NaN };
  private result: { data: Float32Array; count: number } = { data: new Float32Array(0), count: 0 };

  /** Arrow instances for `groups` (segments and their look); the returned view is valid until the next call. */
  build(layout: ModelLayout, groups: readonly { segments: readonly SpineSegment[]; look: ArrowLook }[], state: Omit<SceneState, 'camera'>): { data: Float32Array; count: number } {
    const list = this.list;
    const dim = clamp01(state.dim ?? 0);
    const blockDim = this.blockDim;
    const lastDim = this.lastDim;
    lastDim.clear();
    for (const [k, v] of blockDim) lastDim.set(k, v);
    blockDim.clear();
    // A block with any emphasised range keeps its arrows bright; a muted one fades at least halfway.
    for (const h of state.highlights) blockDim.set(h.block, Math.min(blockDim.get(h.block) ?? 1, roleDim(h, dim)));
    // Highlights that move within their blocks (a sweep across cells) leave every arrow as it was.
    const k = this.key;
    if (k.layout === layout && k.groups === groups && samePlaces(k.blocks, state.blocks) && k.dim === dim && sameMap(lastDim, blockDim)) {
      k.blocks = state.blocks;
      return this.result;
    }
    k.layout = layout;
    k.groups = groups;
    k.blocks = state.blocks;
    k.dim = dim;
    list.length = 0;
    for (const { segments, look } of groups) {
      for (const s of segments) {
        const opacity = Math.min(opacityOf(state, s.fromBlock), opacityOf(state, s.toBlock));
        if (opacity <= 0) continue;
        const fade = 1 - ARROW_DIM * Math.max(this.dimOf(s.fromBlock, dim), this.dimOf(s.toBlock, dim));
        const a = s.fromBlock !== undefined ? state.blocks[s.fromBlock]?.offset : undefined;
        const b = s.toBlock !== undefined ? state.blocks[s.toBlock]?.offset : undefined;
        list.reserve(SPINE_STRIDE);
        const d = list.data;
        let i = list.length;
        const fx = s.from[0] + (a?.[0] ?? 0);
        const tx = s.to[0] + (b?.[0] ?? 0);
        // A hop from the foot of one column of a folded model to the top of the next crosses the
        // drawing: a faint hairline that says "continued there", not a second stream.
        // Spine segments are vertical everywhere else; flows may run sideways.
        const hop = look === SPINE_LOOK && Math.abs(tx - fx) > layout.cell;
        d[i++] = fx; d[i++] = s.from[1] + (a?.[1] ?? 0); d[i++] = s.from[2] + (a?.[2] ?? 0);
        d[i++] = tx; d[i++] = s.to[1] + (b?.[1] ?? 0); d[i++] = s.to[2] + (b?.[2] ?? 0);
        d[i++] = look.width * layout.cell; d[i++] = hop ? 1 : look.minPixels; d[i++] = hop ? 1.5 : look.maxPixels; d[i++] = look.strength * fade * opacity * (hop ? HOP_STRENGTH : 1);
        d[i++] = s.head === false || hop ? 0 : 1; d[i++] = look.fadeBelowCellPx;
        list.length = i;
      }
    }
    this.result = { data: list.data.subarray(0, list.length), count: list.length / SPINE_STRIDE };
    return this.result;
  }

  private dimOf(id: string | undefined, dim: number): number {
    return id === undefined ? dim : (this.blockDim.get(id) ?? dim);
  }
}

function sameMap(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function opacityOf(state: Omit<SceneState, 'camera'>, id: string | undefined): number {
  return id === undefined ? 1 : clamp01(state.blocks[id]?.opacity ?? 1);
}
