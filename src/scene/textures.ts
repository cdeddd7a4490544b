/**
 * The value atlas: every number the scene shows, in one R32F texture the box shader reads with
 * texelFetch. Each block with a CellSource gets a rows x cols rectangle (one texel per cell, same
 * orientation as on screen). Weights are packed first, in texel rows [0, paramRows), and uploaded
 * once per layout; trace values follow and are re-uploaded, alone, whenever a new trace arrives.
 *
 * The texture object is created once per GL context; a layout needing a different size
 * re-specifies its storage in place, so the number of GPU objects never grows.
 *
 * One single-channel float texture needs four parameters and a texImage2D, so this file makes the
 * calls itself: twgl's texture helpers would bring their format tables along, about 6 KB gzip of
 * the page's 100 KB budget, for one texture.
 */
import { valuesLayout } from './companion.ts';
import { paramSpecs } from '../gpt/config.ts';
import type { Trace } from '../gpt/trace.ts';
import { MASKED_VALUE } from './shaders.ts';
import type { Block, ModelLayout } from './types.ts';

export interface AtlasSlot {
  /** Texel of cell (row 0, col 0); cell (r, c) is at (x + c, y + r). */
  x: number;
  y: number;
  /** 1 / the largest finite |value| in the block, so glyph sizes use the block's own range. */
  scale: number;
}

export interface AtlasPlan {
  layout: ModelLayout;
  width: number;
  height: number;
  /** Texel rows [0, paramRows) hold weights; [paramRows, height) trace values. */
  paramRows: number;
  slots: Map<string, AtlasSlot>;
}

/**
 * Shelf packing, weights first: blocks sorted tallest first fill rows of shelves left to right.
 * Throws naming the block when one is wider than the texture can be.
 */
export function planAtlas(layout: ModelLayout, maxWidth: number): AtlasPlan {
  const withData = layout.blocks.filter((b) => b.source !== null);
  const widest = withData.reduce((w, b) => Math.max(w, b.cols.size), 1);
  const width = Math.min(maxWidth, Math.max(256, 2 ** Math.ceil(Math.log2(widest))));
  const slots = new Map<string, AtlasSlot>();
  let y = 0;
  const pack = (blocks: Block[]) => {
    const sorted = [...blocks].sort((a, b) => b.rows.size - a.rows.size || a.id.localeCompare(b.id));
    let x = 0;
    let shelf = 0;
    for (const b of sorted) {
      if (b.cols.size > width) {
        throw new Error(`block ${b.id} has ${b.cols.size} columns: more than the ${width}-texel value atlas can hold`);
      }
      if (x + b.cols.size > width) {
        y += shelf;
        x = 0;
        shelf = 0;
      }
      slots.set(b.id, { x, y, scale: 1 });
      x += b.cols.size;
      shelf = Math.max(shelf, b.rows.size);
    }
    y += shelf;
  };
  pack(withData.filter((b) => b.source!.from === 'param'));
  const paramRows = y;
  pack(withData.filter((b) => b.source!.from === 'trace'));
  return { layout, width, height: Math.max(1, y), paramRows, slots };
}

/** Offsets of each parameter tensor inside the packed parameter buffer (see paramSpecs). */
function paramOffsets(layout: ModelLayout): Map<string, number> {
  return new Map(paramSpecs(valuesLayout(layout).config).map((s) => [s.name, s.offset]));
}

/**
 * Writes the values of every block reading from `from` into `data` (width x height texels) and
 * updates their slots' scales. A missing tensor is an error naming the block and tensor.
 */
export function fillAtlas(
  plan: AtlasPlan,
  from: 'param' | 'trace',
  values: { trace: Trace | null; params: Float32Array | null },
  data: Float32Array,
): void {
  const offsets = from === 'param' ? paramOffsets(plan.layout) : null;
  for (const b of plan.layout.blocks) {
    const src = b.source;
    if (!src || src.from !== from) continue;
    const slot = plan.slots.get(b.id)!;
    let tensor: Float32Array;
    let base = src.offset;
    if (from === 'param') {
      if (!values.params) continue;
      const at = offsets!.get(src.tensor);
      if (at === undefined) throw new Error(`block ${b.id} reads parameter ${src.tensor}, which the model does not have`);
      tensor = values.params;
      base += at;
    } else {
      if (!values.trace) continue;
      const t = values.trace.tensors[src.tensor];
      if (!t) throw new Error(`block ${b.id} reads trace tensor ${src.tensor}, which the trace does not have`);
      tensor = t.data;
    }
    let maxAbs = 0;
    for (let r = 0; r < b.rows.size; r++) {
      const row = (slot.y + r) * plan.width + slot.x;
      const at = base + r * src.rowStride;
      for (let c = 0; c < b.cols.size; c++) {
        const v = tensor[at + c * src.colStride];
        if (v === undefined) {
          throw new Error(`block ${b.id} cell (${r}, ${c}) is outside trace tensor ${src.tensor} (${tensor.length} values)`);
        }
        if (Number.isFinite(v)) {
          data[row + c] = v;
          if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
        } else {
          data[row + c] = MASKED_VALUE;
        }
      }
    }
    slot.scale = maxAbs > 0 ? 1 / maxAbs : 1;
  }
}

/** The GPU side: one texture, its CPU copy (for context restore), and the current plan. */
export class ValueAtlas {
  private gl: WebGL2RenderingContext;
  private tex: WebGLTexture;
  private plan: AtlasPlan | null = null;
  private data = new Float32Array(1);
  private texSize: [number, number] = [0, 0];
  private values: { trace: Trace | null; params: Float32Array | null } = { trace: null, params: null };
  /** Bumped on every upload, so the renderer knows when instance scales changed. */
  version = 0;

  constructor(gl: WebGL2RenderingContext) {
    this.gl = gl;
    this.tex = this.createTexture();
  }

  get texture(): WebGLTexture {
    return this.tex;
  }

  get layout(): ModelLayout | null {
    return this.plan?.layout ?? null;
  }

  get trace(): Trace | null {
    return this.values.trace;
  }

  slot(blockId: string): AtlasSlot | undefined {
    return this.plan?.slots.get(blockId);
  }

  /** Whether the block has values on the GPU (its source kind has been uploaded). */
  hasValues(block: Block): boolean {
    if (!block.source || !this.plan?.slots.has(block.id)) return false;
    return block.source.from === 'param' ? this.values.params !== null : this.values.trace !== null;
  }

  /** New layout and/or values; re-uploads only what changed. */
  set(layout: ModelLayout, trace: Trace | null, params: Float32Array | null): void {
    const layoutChanged = this.plan?.layout !== layout;
    const paramsChanged = layoutChanged || this.values.params !== params;
    const traceChanged = layoutChanged || this.values.trace !== trace;
    if (!paramsChanged && !traceChanged) return;
    if (layoutChanged) {
      const max = Math.min(4096, this.gl.getParameter(this.gl.MAX_TEXTURE_SIZE) as number);
      this.plan = planAtlas(layout, max);
      this.data = new Float32Array(this.plan.width * this.plan.height);
    }
    this.values = { trace, params };
    const plan = this.plan!;
    if (paramsChanged) fillAtlas(plan, 'param', this.values, this.data);
    if (traceChanged) fillAtlas(plan, 'trace', this.values, this.data);
    if (layoutChanged || paramsChanged) this.uploadAll();
    else this.uploadRows(plan.paramRows, plan.height);
    this.version++;
  }

  /** After a context restore: a new texture holding the same values. */
  restore(gl: WebGL2RenderingContext): void {
    this.gl = gl;
    this.tex = this.createTexture();
    this.texSize = [0, 0];
    if (this.plan) this.uploadAll();
    this.version++;
  }

  dispose(): void {
    this.gl.deleteTexture(this.tex);
  }

  private createTexture(): WebGLTexture {
    const gl = this.gl;
    const tex = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, 1, 1, 0, gl.RED, gl.FLOAT, new Float32Array(1));
    return tex;
  }

  private uploadAll(): void {
    const gl = this.gl;
    const plan = this.plan!;
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, plan.width, plan.height, 0, gl.RED, gl.FLOAT, this.data);
    this.texSize = [plan.width, plan.height];
  }

  /** Texel rows [from, to) only: the trace part, after a new trace. */
  private uploadRows(from: number, to: number): void {
    const gl = this.gl;
    const plan = this.plan!;
    if (to <= from) return;
    if (this.texSize[0] !== plan.width || this.texSize[1] !== plan.height) return this.uploadAll();
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, from, plan.width, to - from, gl.RED, gl.FLOAT, this.data.subarray(from * plan.width, to * plan.width));
  }
}
