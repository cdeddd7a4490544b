/**
 * The matrix-multiply moment: one output cell of a linear layer built in front of the reader,
 * product by product. The layer's input is first brought above its result (bringInputs), so the
 * picture is a matrix-product diagram: the weight row runs left to right into the result cell,
 * the input column top to bottom into it. The i-th weight and the i-th input are lifted out
 * together, the running sum grows in a callout joined to the result cell by a link, then the bias
 * is added and the cell holds its value.
 *
 * Every number comes from explainCell, so the last running sum is the number the cell shows and
 * its tooltip repeats. Works for any linear block of nano's layout (q/k/v of a head, the attention
 * and MLP projections, the MLP's first layer, the logits), including layers whose input is several
 * blocks stacked top to bottom (the attention projection reads the three head outputs).
 *
 * Exports helpers only, no director.
 */
import { easeCubicInOut } from 'd3-ease';
import { FOV_Y, frameBox } from '../../scene/camera.ts';
import { explainCell, formatNumber } from '../../scene/explain.ts';
import type { Block, BlockStyle, Callout, CameraState, Highlight, Link, LinkEnd, Vec3 } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import { arcVec, clamp, countAt } from '../beats.ts';
import { boxOf, type FrameOptions } from './common.ts';

export interface MomentOptions {
  /** Share of u spent on the products; the rest adds the bias, then holds the finished cell. */
  products?: number;
  /** Above 1 the first products take longer than the last, so the reader can see what happens before it speeds up. */
  linger?: number;
  /** How far the current weight cell is drawn out of its row (default: up, off the row). */
  weightLift?: Vec3;
  /** How far the current input cell is drawn out of its column (default: right, off the column). */
  inputLift?: Vec3;
  /** Callouts on the current weight and input cells (the running sum on the result is always shown). */
  operandCallouts?: boolean;
}

export interface MatmulMoment {
  highlights: Highlight[];
  callouts: Callout[];
  /** Weight row, input column and bias to the result cell; the result cell to callout 0 (the arithmetic). */
  links: Link[];
  /** Products added to the running sum so far, 0..n. */
  done: number;
  n: number;
  /** The running sum shown now (including the bias once added). */
  sum: number;
  /** The bias added at the end, or null for a layer without one. */
  bias: number | null;
  /** The cell's value. */
  value: number;
  /** The bias is in and the cell holds its value: the caller reveals it. */
  filled: boolean;
  describe: string;
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

/** formatNumber, but small products read as decimals (0.000159) rather than in e-notation. */
function fmt(x: number): string {
  const a = Math.abs(x);
  if (a === 0 || a >= 1e-3 || a < 1e-7) return formatNumber(x);
  return (x < 0 ? '−' : '') + String(Number(a.toPrecision(3)));
}

/** 12 -> "₁₂": indices of the products, counted from 1 as the reader counts. */
export function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => SUBSCRIPT[Number(d)]!);
}

/** Where product i's input sits: inputs are stacked top to bottom, so i runs down them in turn. */
function inputCell(inputs: readonly Block[], i: number): { block: string; row: number } {
  let rest = i;
  for (const b of inputs) {
    if (rest < b.rows.size) return { block: b.id, row: rest };
    rest -= b.rows.size;
  }
  throw new RangeError(`product ${i} is beyond the inputs (${inputs.map((b) => b.id).join(', ')})`);
}

/** The cells [from, to) of the stacked inputs' column `col`, one highlight per block touched. */
function inputRange(inputs: readonly Block[], col: number, from: number, to: number, role: Highlight['role']): Highlight[] {
  const out: Highlight[] = [];
  let top = 0;
  for (const b of inputs) {
    const a = Math.max(from, top) - top;
    const z = Math.min(to, top + b.rows.size) - top;
    if (z > a) out.push({ block: b.id, rows: [a, z], cols: [col, col + 1], role });
    top += b.rows.size;
  }
  return out;
}

/** Rows of space between a linear layer's input, brought above its result, and the result. */
export const INPUT_GAP = 4;

/**
 * Offsets that bring a linear layer's inputs above its result, as in a matrix-product diagram:
 * the input's columns stand over the result's columns (the same tokens), stacked top to bottom in
 * the order the products read them, INPUT_GAP rows above the result; the weights are already on
 * the result's left, row for row. u in 0..1 is how far along the way they are (eased), and the
 * blocks rise toward the viewer mid-way so they pass in front of whatever lies between.
 */
export function bringInputs(ctx: DirectorContext, blockId: string, u: number): Record<string, BlockStyle> {
  const byId = (id: string) => ctx.layout.blocks.find((b) => b.id === id)!;
  const result = byId(blockId);
  const inputs = result.inputs.map(byId).filter((b) => b.kind !== 'weight');
  const e = easeCubicInOut(Math.max(0, Math.min(1, u)));
  const out: Record<string, BlockStyle> = {};
  let top = result.position[1] + INPUT_GAP + inputs.reduce((h, b) => h + b.rows.size, 0);
  for (const b of inputs) {
    const d: Vec3 = [result.position[0] - b.position[0], top - b.position[1], 0];
    top -= b.rows.size;
    if (e > 0) out[b.id] = { offset: arcVec([0, 0, 0], d, e, 3) };
  }
  return out;
}

/**
 * Cell (row, col) of linear block `blockId` computed as u goes 0 -> 1: products one by one (slow
 * at first, then faster), the bias, then the finished cell. Pure in (ctx, arguments).
 *
 * The picture assumes the inputs stand above the result (bringInputs, or a layout that puts them
 * there): links run from the weight row and from the input column to the result cell, from the
 * bias to it, and from it to the callout with the arithmetic, which sits left of the input column
 * (the free corner of the diagram, above the weights).
 */
export function matmulMoment(ctx: DirectorContext, blockId: string, row: number, col: number, u: number, opts: MomentOptions = {}): MatmulMoment {
  const e = explainCell(ctx.layout, blockId, row, col, ctx.trace, ctx.params);
  if (e.formula.kind !== 'matmul') throw new Error(`block "${blockId}" is not a linear layer (its cells are ${e.formula.kind})`);
  const { products, bias } = e.formula;
  const n = products.length;
  const byId = (id: string) => ctx.layout.blocks.find((b) => b.id === id)!;
  const block = byId(blockId);
  const operands = block.inputs.map(byId);
  const weight = operands.find((b) => b.kind === 'weight' && b.cols.size > 1)!;
  const biasBlock = operands.find((b) => b.kind === 'weight' && b.cols.size === 1) ?? null;
  const inputs = operands.filter((b) => b.kind !== 'weight');
  const lastInput = inputs[inputs.length - 1]!;

  const share = opts.products ?? 0.8;
  const weightLift = opts.weightLift ?? [0, 1.4, 0.6];
  const inputLift = opts.inputLift ?? [1.4, 0, 0.6];
  // While the products run, `done` counts the products in the sum and the newest one is lifted out.
  const running = u > 0 && u < share;
  const done = u <= 0 ? 0 : running ? Math.min(n, 1 + countAt(n, Math.pow(u / share, opts.linger ?? 1.8))) : n;
  const current = running ? done - 1 : -1;
  const biasAt = share + 0.06;
  const biasIn = bias !== null && u >= biasAt;
  const filled = u >= (bias === null ? share + 0.04 : biasAt + 0.04);
  let sum = 0;
  for (let i = 0; i < done; i++) sum += products[i]![0] * products[i]![1];
  const beforeBias = sum;
  if (biasIn) sum += bias!;

  // Pairs already in the sum take the result's colour, the newest pair is lifted out in the focus
  // colour, and the pairs still to come keep the source colour.
  const highlights: Highlight[] = [];
  const w = (cols: [number, number], role: Highlight['role'], lifted?: Vec3): Highlight => ({ block: weight.id, rows: [row, row + 1], cols, role, ...(lifted ? { lift: lifted } : {}) });
  const inSum = current >= 0 ? current : done;
  if (inSum > 0) highlights.push(w([0, inSum], 'result'), ...inputRange(inputs, col, 0, inSum, 'result'));
  if (current >= 0) {
    const at = inputCell(inputs, current);
    highlights.push(w([current, current + 1], 'focus', weightLift), { block: at.block, rows: [at.row, at.row + 1], cols: [col, col + 1], role: 'focus', lift: inputLift });
  }
  const rest = current >= 0 ? current + 1 : done;
  if (rest < n) highlights.push(w([rest, n], 'source'), ...inputRange(inputs, col, rest, n, 'source'));
  if (biasBlock) highlights.push({ block: biasBlock.id, rows: [row, row + 1], role: biasIn ? 'result' : done === n ? 'focus' : 'source' });
  highlights.push({ block: blockId, rows: [row, row + 1], cols: [col, col + 1], role: 'result' });

  const value = e.value;
  // The arithmetic sits left of the input column, level with its last row (just above the result),
  // and the product being added left of the input it reads, a few rows higher so the two never meet.
  const callouts: Callout[] = [];
  const total = (text: string) => callouts.push({ block: lastInput.id, row: lastInput.rows.size - 1, col: 0, text, role: 'result', side: 'left' });
  if (biasIn) total(`dot product ${fmt(beforeBias)} + bias ${fmt(bias!)} = ${fmt(value)}`);
  else if (filled) total(`dot product = ${fmt(value)}`);
  else if (done === 0) total(`${n} products${bias !== null ? ' + bias' : ''} = ?`);
  else if (done === n && bias !== null) total(`dot product ${fmt(sum)}; next, + bias ${fmt(bias)}`);
  else total(`sum of ${done} product${done === 1 ? '' : 's'}: ${fmt(sum)}`);
  if (current >= 0 && (opts.operandCallouts ?? true)) {
    const [wi, xi] = products[current]!;
    const k = subscript(current + 1);
    const pin = inputCell(inputs, Math.min(current, n - 3));
    callouts.push({ block: pin.block, row: pin.row, col: 0, text: `w${k}·x${k} = ${fmt(wi)} × ${fmt(xi)} = ${fmt(wi * xi)}`, role: 'focus', side: 'left' });
  }

  const cell: LinkEnd = { block: blockId, rows: [row, row + 1], cols: [col, col + 1] };
  const grow = clamp(u / 0.06);
  const links: Link[] = [
    { from: { block: weight.id, rows: [row, row + 1] }, to: cell, role: 'source', progress: grow },
    { from: { block: lastInput.id, cols: [col, col + 1] }, to: cell, role: 'source', progress: grow },
  ];
  // The bias sits on the weight row's way to the result: its arrow arcs under the row, so the two
  // arrows stay apart instead of one drawn over the other.
  if (biasBlock && done === n) links.push({ from: { block: biasBlock.id, rows: [row, row + 1] }, to: cell, role: biasIn ? 'result' : 'focus', progress: clamp((u - share) / (biasAt - share)), bow: 'down' });
  links.push({ from: cell, to: { callout: 0 }, role: 'result', progress: grow });
  // The weight being multiplied, to the product it makes (the input sits level with that callout).
  if (current >= 0 && callouts.length > 1) links.push({ from: { block: weight.id, rows: [row, row + 1], cols: [current, current + 1] }, to: { callout: 1 }, role: 'focus' });

  const describe = filled
    ? `${e.title}, ${e.where}: ${n} products of a weight and an input${bias !== null ? ` give the dot product ${fmt(beforeBias)}; plus the bias ${fmt(bias)}` : ''}, the cell is ${fmt(value)}.`
    : current >= 0
      ? `${e.title}, ${e.where}: product ${current + 1} of ${n}, ${fmt(products[current]![0])} × ${fmt(products[current]![1])}; the running sum is ${fmt(sum)}.`
      : `${e.title}, ${e.where}: a row of ${n} weights meets a column of ${n} inputs.`;
  return { highlights, callouts, links, done, n, sum, bias, value, filled, describe };
}

/** Extra world units around a framed box; negative values crop. */
export interface Room {
  left?: number;
  right?: number;
  top?: number;
  bottom?: number;
}

/**
 * Like common.ts frame(), with room added around the blocks: callouts are pinned to a cell and run
 * to its right, so a close-up of a block's last column needs space beyond the block's edge.
 */
export function frameWithRoom(ctx: DirectorContext, ids: readonly string[], room: Room, opts: FrameOptions = {}): CameraState {
  const { min, max } = boxOf(ctx.layout, ids);
  min[0] -= room.left ?? 0;
  max[0] += room.right ?? 0;
  max[1] += room.top ?? 0;
  min[1] -= room.bottom ?? 0;
  const cam = frameBox(min, max, ctx.viewport.width, ctx.viewport.height, opts.yaw ?? -0.18, opts.pitch ?? 0.1);
  return { ...cam, distance: cam.distance * (opts.zoom ?? 1) };
}

/**
 * Cell size (CSS px, at the camera's target) a close-up aims for: 10 px on a desktop stage, 6 on
 * a phone's, plus 12-20% for perspective (cells toward the frame's far side are drawn smaller).
 */
export function minCellPx(ctx: DirectorContext): number {
  return ctx.viewport.width < 600 ? 6 * 1.2 : 10 * 1.12;
}

/** CSS px per world unit (one cell) at a camera's target on this stage. */
export function cellPx(ctx: DirectorContext, cam: CameraState): number {
  return ctx.viewport.height / (2 * Math.tan(FOV_Y / 2) * cam.distance);
}

/** How far a close-up may move in past its framing margin (frameBox leaves 12%) to reach minCellPx. */
const MAX_ZOOM_IN = 0.9;

/**
 * The first of `cams` (widest view first) whose cells reach minCellPx on this stage, moving in
 * (into the frame's margin, at most MAX_ZOOM_IN) when that is all it takes; else the last one as
 * close as allowed. A phone's stage gets the tighter crop a desktop does not need.
 */
export function firstLegible(ctx: DirectorContext, ...cams: CameraState[]): CameraState {
  const need = minCellPx(ctx);
  const closer = (c: CameraState) => ({ ...c, distance: c.distance * Math.max(MAX_ZOOM_IN, Math.min(1, cellPx(ctx, c) / need)) });
  const fits = cams.find((c) => cellPx(ctx, c) / MAX_ZOOM_IN >= need);
  return closer(fits ?? cams[cams.length - 1]!);
}
