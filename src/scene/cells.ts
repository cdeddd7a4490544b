/**
 * From a block's cell to the number it shows: the one place that applies a CellSource, shared by
 * the renderer's value upload, the tooltips and the tests, so they cannot disagree.
 */
import { paramSpecs } from '../gpt/config.ts';
import { traceSpecs, type Trace } from '../gpt/trace.ts';
import type { Block, ModelLayout } from './types.ts';

/** Named parameter views, as src/gpt/reference.ts paramViews() returns them. */
export type ParamViews = ReadonlyMap<string, ArrayLike<number>>;

/** A layout's blocks by id: made once per layout (layouts do not change) and shared by every reader. */
export function blockById(layout: ModelLayout): ReadonlyMap<string, Block> {
  let map = byLayout.get(layout);
  if (!map) {
    map = new Map<string, Block>();
    for (const b of layout.blocks) map.set(b.id, b);
    byLayout.set(layout, map);
  }
  return map;
}

const byLayout = new WeakMap<ModelLayout, Map<string, Block>>();

/** Index into the source tensor's flat data of cell (row, col); throws for render-only blocks and cells outside the grid. */
export function cellIndex(block: Block, row: number, col: number): number {
  const s = block.source;
  if (!s) throw new Error(`block "${block.id}" has no values: it is drawn only (source null)`);
  if (!Number.isInteger(row) || row < 0 || row >= block.rows.size) {
    throw new RangeError(`row ${row} of block "${block.id}": expected an integer in 0..${block.rows.size - 1}`);
  }
  if (!Number.isInteger(col) || col < 0 || col >= block.cols.size) {
    throw new RangeError(`column ${col} of block "${block.id}": expected an integer in 0..${block.cols.size - 1}`);
  }
  return s.offset + row * s.rowStride + col * s.colStride;
}

/** The exact number cell (row, col) of `block` shows, read from the trace or the parameters. */
export function readCell(block: Block, row: number, col: number, trace: Trace, params: ParamViews): number {
  const i = cellIndex(block, row, col);
  const s = block.source!;
  const data: ArrayLike<number> | undefined = s.from === 'trace' ? trace.tensors[s.tensor]?.data : params.get(s.tensor);
  if (!data) throw new Error(`block "${block.id}" reads ${s.from} tensor "${s.tensor}", which is missing`);
  if (i >= data.length) {
    throw new RangeError(`block "${block.id}" cell (${row}, ${col}) reads index ${i} of "${s.tensor}", which has ${data.length} values (trace for a different T?)`);
  }
  return data[i]!;
}

/** Flat length of every tensor a nano layout's CellSources may name (trace tensors for its T, and parameters), for range checks. */
export function sourceTensorSizes(layout: ModelLayout): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const s of traceSpecs(layout.config, layout.T)) sizes.set(s.name, s.shape.reduce((a, b) => a * b, 1));
  for (const p of paramSpecs(layout.config)) sizes.set(p.name, p.size);
  return sizes;
}
