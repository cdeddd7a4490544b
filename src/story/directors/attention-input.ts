/**
 * Where layer 1's layer-norm output stands while head 1 turns its columns into queries, keys and
 * values (self-attention chapter): beside the three weight blocks, then at the one-cell matrix
 * product, then home again; and the cameras that frame it there. All pure.
 */
import { easeCubicInOut } from 'd3-ease';
import { headBlockIds } from '../../scene/ids.ts';
import type { BlockStyle, Callout, CameraState, Vec3 } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import { arcVec, clamp } from '../beats.ts';
import { blockOf, cellsBox, fitBox, PHONE_TIGHT } from './forward-sweep.ts';
import { bringInputs, firstLegible, frameWithRoom, INPUT_GAP } from './matmul-moment.ts';
import { narrow, pinAbove, pxPerUnit } from './stage-fit.ts';

/** The layer-norm output head 1 reads, and head 1's blocks. */
export const LN = 'h.0.ln_1';
export const H0 = headBlockIds(0, 0);

export const HOME: Vec3 = [0, 0, 0];
/** Columns between the layer-norm output standing beside the weights and the weights' left edge (desktop). */
const BESIDE_GAP = 2;
/** On a phone: columns of the weights left visible between the layer-norm output, in front of them, and the bias (while the three vectors are made; while one cell is made). */
const PHONE_SHOWN = 20;
const PHONE_SHOWN_ONE_CELL = 2;
/** On a phone: how far (world units) the layer-norm output stands in front of the weights it covers. */
const PHONE_FRONT = 2;

/**
 * Where the layer-norm output stands while its columns become queries, keys and values: level with
 * the three weight blocks (from the query weights' third row down to the value weights' last), so
 * input, weights and results share one short frame. On a desktop stage it stands just left of the
 * weights; a phone's stage only has room for the weights' right part at a legible size, so there it
 * stands in front of the weights, `shown` columns left of the bias. An offset from its place.
 */
export function besideWeights(ctx: DirectorContext, shown = PHONE_SHOWN): Vec3 {
  const ln = blockOf(ctx.layout, LN);
  const w = blockOf(ctx.layout, H0.q.weight);
  const y = w.position[1] - 2 - ln.position[1];
  if (!narrow(ctx)) return [w.position[0] - BESIDE_GAP - ln.size[0] - ln.position[0], y, 0];
  const bias = blockOf(ctx.layout, H0.q.bias);
  return [bias.position[0] - shown - ln.size[0] - ln.position[0], y, PHONE_FRONT];
}

/**
 * Where the layer-norm output stands while one cell of the query is built: above the query on a
 * desktop stage (the matrix-product diagram: the row runs left to right, the column top to bottom,
 * into the result); a phone's stage is too short for the column above the weights at a legible
 * size, so there it stays in front of them, moved next to the result, and the arrows do the joining.
 */
export function oneCellPlace(ctx: DirectorContext): Vec3 {
  return narrow(ctx) ? besideWeights(ctx, PHONE_SHOWN_ONE_CELL) : (bringInputs(ctx, H0.q.out, 1)[LN]!.offset as Vec3);
}

/** Block styles plus the layer-norm output on its way from `from` to `to` (u: how far along; it rises toward the viewer mid-way, passing in front of what lies between). */
export function withInput(styles: Record<string, BlockStyle>, from: Vec3, to: Vec3, u: number): Record<string, BlockStyle> {
  const e = easeCubicInOut(clamp(u));
  const offset = arcVec(from, to, e, 3);
  return offset.every((x) => x === 0) ? styles : { ...styles, [LN]: { ...styles[LN], offset } };
}

/** The frame around the layer-norm output beside the weights and the three results, with room for the results' labels (a phone's: the weights' right part). */
export function besideFrame(ctx: DirectorContext): CameraState {
  const ln = blockOf(ctx.layout, LN);
  const w = blockOf(ctx.layout, H0.q.weight);
  const left = w.position[0] - (ln.position[0] + besideWeights(ctx)[0]) + 2;
  if (narrow(ctx)) return fitBox(ctx, { min: [w.position[0] - left, w.position[1] - 50, -1], max: [w.position[0] + 58, w.position[1] + 4, PHONE_FRONT] }, { ...PHONE_TIGHT, right: 40 });
  return firstLegible(ctx, frameWithRoom(ctx, [H0.q.weight, H0.v.out], { left, top: 3, right: 5 }));
}

/**
 * The matrix-product diagram of the query: on a desktop stage the input above it and the weights on
 * its left; on a phone's, the weights whole (the prose names them), the input in front of them and
 * room above for the arithmetic, seen nearly head-on so no cell shrinks below the rest.
 */
export const oneCellFrame = (ctx: DirectorContext): CameraState => {
  const w = blockOf(ctx.layout, H0.q.weight);
  if (narrow(ctx)) return fitBox(ctx, { min: [w.position[0], w.position[1] - 50, -1], max: [w.position[0] + 58, w.position[1], PHONE_FRONT] }, { yaw: 0.02, pitch: 0.02, fill: 0.99, above: 64 });
  return firstLegible(ctx, frameWithRoom(ctx, [H0.q.weight, H0.q.out], { top: INPUT_GAP + ctx.config.n_embd }, { yaw: -0.08, pitch: 0.04 }));
};

/**
 * On a phone the input stands in front of the weights, so the arithmetic (which the diagram puts
 * left of the input column) goes above the weights instead, in lines from their left edge: the
 * running sum nearest them, the product being added above it.
 */
export function arithmeticAbove(ctx: DirectorContext, callouts: readonly Callout[]): Callout[] {
  if (!narrow(ctx)) return [...callouts];
  const ppu = pxPerUnit(ctx, oneCellFrame(ctx));
  return callouts.map((c, i) => ({ ...c, block: H0.q.weight, ...pinAbove(0, 1, ppu, c.text, { align: 'left', gap: 16 + i * 24 }), side: 'right' as const }));
}

/** The three weight blocks and their results, with the bottom of the input above them (a phone's stage: the results and the input in front of the weights' right end, with room for the results' labels). */
export function qkvFrame(ctx: DirectorContext): CameraState {
  if (!narrow(ctx)) return firstLegible(ctx, frameWithRoom(ctx, [H0.q.weight, H0.v.out], { top: INPUT_GAP + 10, right: 9 }));
  const x = blockOf(ctx.layout, LN).position[0] + oneCellPlace(ctx)[0];
  const box = cellsBox(ctx.layout, H0.v.out);
  return fitBox(ctx, { min: [x - 4, box.min[1], box.min[2]], max: [box.max[0], blockOf(ctx.layout, H0.q.out).position[1] + 1, PHONE_FRONT] }, { ...PHONE_TIGHT, right: 90 });
}
