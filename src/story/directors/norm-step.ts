/**
 * A layer norm at work on the last column, shared by the MLP chapter (layer norm 2) and the
 * output chapter (the final layer norm). The residual block it reads slides down beside its
 * output, rows level, so each channel's number before the norm sits next to the number after it;
 * arrows run from the input column to its mean and 1/σ, and from those to the output column.
 * The next step slides the residual block back (`besideNorm` gives the offset to undo).
 */
import type { Highlight, Vec3 } from '../../scene/types.ts';
import { beat, clamp, lerp, lerpCamera, lerpVec } from '../beats.ts';
import type { DirectorContext, StepScene } from '../director.ts';
import { cell, cols, lastCol, whole } from './common.ts';
import { blockOf, calloutWidth, cellEnd, cellsBox, end, fillRun, fitBox, link, narrow, num, pinAt, ppuOf, unionOf, valueAt } from './forward-sweep.ts';
import type { ModelLayout } from '../../scene/types.ts';

export interface NormIds {
  mean: string;
  rstd: string;
  gamma: string;
  beta: string;
  out: string;
}

/** Cells between the layer norm's output and the residual block slid beside it. */
const GAP = 2;

/** The offset that puts residual block `input` GAP cells right of the layer norm's output `out`, rows level. */
export function besideNorm(layout: ModelLayout, input: string, out: string): Vec3 {
  const a = blockOf(layout, input);
  const b = blockOf(layout, out);
  return [b.position[0] + b.size[0] + GAP - a.position[0], b.position[1] - a.position[1], 0];
}

/** Px between a callout and the block it explains. */
const ROOM = 10;

export function layerNormStep(ctx: DirectorContext, t: number, ln: NormIds, input: string, what: string): StepScene {
  const L = ctx.layout;
  const T = lastCol(ctx);
  const side = besideNorm(L, input, ln.out);
  const slide = beat(t, 0.06, 0.3);
  const u = beat(t, 0.36, 0.5);
  const { blocks } = fillRun(L, ln.mean, ln.out, u);
  const offset = lerpVec([0, 0, 0], side, slide);
  blocks[input] = { ...blocks[input], offset };
  const [uMean, uRstd, uOut] = [clamp(3 * u), clamp(3 * u - 1), clamp(3 * u - 2)];
  const mean = valueAt(ctx, ln.mean, 0, T);
  const rstd = valueAt(ctx, ln.rstd, 0, T);
  const C = blockOf(L, input).rows.size;

  // The texts, left of the mean and 1/σ rows (right of them runs the arrow from the input column).
  const texts = narrow(ctx) ? [`mean ${num(mean)} · 1/σ ${num(rstd)}`] : [`mean of ${C} = ${num(mean)}`, `1/σ = ${num(rstd)}`];
  const room = Math.max(...texts.map(calloutWidth)) + ROOM;
  const parts = [cellsBox(L, ln.mean), cellsBox(L, ln.rstd), cellsBox(L, ln.gamma), cellsBox(L, ln.beta), cellsBox(L, ln.out)];
  const wide = fitBox(ctx, unionOf(cellsBox(L, input), ...parts), { left: room });
  const tight = fitBox(ctx, unionOf(cellsBox(L, input, undefined, undefined, side), ...parts), { left: room });
  const camera = lerpCamera(wide, tight, slide);

  const column = end(input, undefined, [T, T + 1]);
  const highlights: Highlight[] = [cols(input, [T, T + 1], 'source')];
  if (uMean > 0) highlights.push(cell(ln.mean, 0, T, 'focus'));
  if (uRstd > 0) highlights.push(cell(ln.rstd, 0, T, 'focus'));
  if (uOut > 0) highlights.push(whole(ln.gamma, 'source'), whole(ln.beta, 'source'), cols(ln.out, [T, T + 1], 'result'));
  const links = [
    ...link(column, cellEnd(ln.mean, 0, T), uMean, 'source'),
    ...link(column, cellEnd(ln.rstd, 0, T), uRstd, 'source'),
    ...link(cellEnd(ln.rstd, 0, T), end(ln.out, undefined, [T, T + 1]), uOut, 'result'),
  ];
  const ppu = ppuOf(ctx, tight);
  const left = blockOf(L, ln.mean).position[0] - ROOM / ppu;
  const rowY = (id: string) => blockOf(L, id).position[1] - 0.5;
  const callouts = [];
  if (uMean >= 1) callouts.push({ ...pinAt(L, ppu, ln.mean, left, rowY(ln.mean), 'left'), text: texts[0]!, role: 'focus' as const });
  if (uRstd >= 1 && texts[1]) callouts.push({ ...pinAt(L, ppu, ln.rstd, left, rowY(ln.rstd), 'left'), text: texts[1], role: 'focus' as const });
  return {
    camera,
    blocks,
    highlights,
    callouts,
    links,
    dim: lerp(0, 0.55, slide),
    describe: `${what} normalizes each column of the residual stream, drawn here beside its result: for the last letter the mean of its ${C} numbers is ${num(mean)} and 1/σ is ${num(rstd)}, and each number becomes (number − mean) × 1/σ, then × γ + β.`,
  };
}
