/**
 * Chapter 4, layer norm: one column of the input embedding through layer 1's first layer norm,
 * with its running sums, its mean and 1/std, each cell normalized, scaled by γ, shifted by β,
 * then every column.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import type { Callout, CameraState, Highlight, Vec3 } from '../../scene/types.ts';
import { beat, countAt } from '../beats.ts';
import { cell, cols, frame, rows, whole } from './common.ts';
import { computedThrough, fit, num, operand, param, plain, scanRows, traced, tracedColumn, visiting } from './column-focus.ts';
import { LN_EPS } from '../../gpt/config.ts';
import { lnBlockIds, TOP_IDS } from '../../scene/ids.ts';

const LN = lnBlockIds('h.0.ln_1');
const EMBED = TOP_IDS.embed;
/** The column followed through the chapter: the reader's first letter. */
const P = 0;
/** A cell being worked on is drawn a little in front of its block. */
const LIFT: Vec3 = [0, 0, 0.6];

function statsCam(ctx: DirectorContext): CameraState {
  return frame(ctx, [EMBED, LN.mean, LN.rstd], { zoom: 1.06 });
}

function lnCam(ctx: DirectorContext): CameraState {
  return frame(ctx, [EMBED, LN.gamma, LN.out], { zoom: 1.1 });
}

/** Everything the chapter's numbers come from, for column P. */
function numbers(ctx: DirectorContext, p = P) {
  const x = tracedColumn(ctx, 'embed', p);
  const mean = traced(ctx, 'h.0.ln_1.mean', p);
  const rstd = traced(ctx, 'h.0.ln_1.rstd', p);
  const gamma = param(ctx, 'transformer.h.0.ln_1.weight');
  const beta = param(ctx, 'transformer.h.0.ln_1.bias');
  const out = tracedColumn(ctx, 'h.0.ln_1', p);
  const z = x.map((v) => (v - mean) * rstd);
  return { x, mean, rstd, gamma, beta, out, z };
}

function range(xs: ArrayLike<number>): { lo: number; hi: number; iLo: number; iHi: number } {
  let iLo = 0;
  let iHi = 0;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i]! < xs[iLo]!) iLo = i;
    if (xs[i]! > xs[iHi]!) iHi = i;
  }
  return { lo: xs[iLo]!, hi: xs[iHi]!, iLo, iHi };
}

/** The focus column of the embedding, the cell under the scan lifted out of it. */
function scanning(block: string, col: number, row: number | null): Highlight[] {
  const out: Highlight[] = [cols(block, [col, col + 1], 'source')];
  if (row !== null) out.push({ ...cell(block, row, col, 'focus'), lift: LIFT });
  return out;
}

export const layerNorm: ChapterDirector = {
  chapter: 'layer-norm',
  model: 'nano',
  steps: {
    column: (ctx, t) => {
      // A scan runs down the first column reading its values; then its smallest and largest are marked.
      const { x } = numbers(ctx);
      const C = x.length;
      const b = { scan: beat(t, 0.24, 0.5), ends: beat(t, 0.78, 0.12) };
      const r = b.scan > 0 && b.scan < 1 ? visiting(C, b.scan) : null;
      const callouts: Callout[] = [];
      if (r !== null) callouts.push({ block: EMBED, row: r, col: P, text: `channel ${r + 1}: ${num(x[r]!)}` });
      const { lo, hi, iLo, iHi } = range(x);
      if (b.ends > 0) {
        callouts.push(
          { block: EMBED, row: iLo, col: P, text: `smallest: ${num(lo)}`, role: 'source' },
          { block: EMBED, row: iHi, col: P, text: `largest: ${num(hi)}`, role: 'source' },
        );
      }
      return {
        camera: statsCam(ctx),
        blocks: computedThrough(ctx, EMBED),
        highlights: r !== null ? scanning(EMBED, P, r) : [{ ...cols(EMBED, [P, P + 1], 'focus'), lift: LIFT }],
        callouts,
        dim: 0.55,
        describe: `The first column of the input embedding: ${C} numbers between ${num(lo)} and ${num(hi)}, about to go through layer norm.`,
      };
    },
    mean: (ctx, t) => {
      // A running total down the column, then divided by 48 into the mean cell.
      const { x, mean } = numbers(ctx);
      const C = x.length;
      const b = { sum: beat(t, 0.24, 0.5), done: beat(t, 0.78, 0.1) };
      const k = countAt(C, b.sum);
      let total = 0;
      for (let i = 0; i < k; i++) total += x[i]!;
      const highlights: Highlight[] = [cols(EMBED, [P, P + 1], 'muted')];
      const callouts: Callout[] = [];
      if (k > 0 && b.done <= 0) {
        highlights.push({ block: EMBED, rows: [0, k], cols: [P, P + 1], role: 'source' });
        callouts.push({ block: EMBED, row: k - 1, col: P, text: `sum of ${k}: ${num(total)}` });
      }
      if (b.done > 0) {
        highlights.push(cols(EMBED, [P, P + 1], 'source'), { ...cell(LN.mean, 0, P, 'result'), lift: LIFT });
        callouts.push({ block: LN.mean, row: 0, col: P, text: fit(ctx, `mean = ${num(total)} / ${C} = `, 'mean = ') + num(mean), role: 'result' });
      }
      return {
        camera: statsCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: b.done > 0 ? P + 1 : 0 }),
        highlights,
        callouts,
        dim: 0.55,
        describe: `The ${C} numbers of the first column add up to ${num(total)}; divided by ${C}, the mean is ${num(mean)}.`,
      };
    },
    spread: (ctx, t) => {
      // A running total of squared distances from the mean, then the variance and one over its root.
      const { x, mean, rstd } = numbers(ctx);
      const C = x.length;
      const b = { sum: beat(t, 0.24, 0.5), done: beat(t, 0.78, 0.1) };
      const k = countAt(C, b.sum);
      let total = 0;
      for (let i = 0; i < k; i++) total += (x[i]! - mean) ** 2;
      const variance = total / C;
      const highlights: Highlight[] = [cell(LN.mean, 0, P, 'source')];
      const callouts: Callout[] = [];
      if (k > 0 && b.done <= 0) {
        const r = k - 1;
        highlights.push({ block: EMBED, rows: [0, k], cols: [P, P + 1], role: 'source' });
        callouts.push({ block: EMBED, row: r, col: P, text: fit(ctx, `(${num(x[r]!)} − ${operand(mean)})² … `, '') + `sum of ${k}: ${num(total)}` });
      }
      if (b.done > 0) {
        highlights.push(cols(EMBED, [P, P + 1], 'source'), { ...cell(LN.rstd, 0, P, 'result'), lift: LIFT });
        callouts.push({ block: LN.rstd, row: 0, col: P, text: fit(ctx, `variance ${plain(variance)}; 1/√(${plain(variance)} + ${plain(LN_EPS)}) = ${num(rstd)}`, `1/std = ${num(rstd)}`), role: 'result' });
      }
      return {
        camera: statsCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: P + 1, [LN.rstd]: b.done > 0 ? P + 1 : 0 }),
        highlights,
        callouts,
        dim: 0.55,
        describe: `The squared distances from the mean average to a variance of ${plain(variance)}; one over the standard deviation is ${num(rstd)}.`,
      };
    },
    normalize: (ctx, t) => {
      // Down the column, each value has the mean taken off and is multiplied by 1/std.
      const { x, mean, rstd, z } = numbers(ctx);
      const C = x.length;
      const n = scanRows(C, beat(t, 0.24, 0.4), beat(t, 0.66, 0.28));
      const r = n > 0 && n <= C ? n - 1 : null;
      const highlights: Highlight[] = [...scanning(EMBED, P, r), cell(LN.mean, 0, P, 'source'), cell(LN.rstd, 0, P, 'source'), cols(LN.out, [P, P + 1], 'muted')];
      const callouts: Callout[] = r !== null ? [{ block: EMBED, row: r, col: P, text: fit(ctx, `channel ${r + 1}: (${num(x[r]!)} − ${operand(mean)}) × ${num(rstd)} = `, 'normalized: ') + num(z[r]!) }] : [];
      const zr = range(z);
      return {
        camera: lnCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: P + 1, [LN.rstd]: P + 1, [LN.out]: 0 }),
        highlights,
        callouts,
        dim: 0.55,
        describe: `Each value of the column minus the mean ${num(mean)}, times ${num(rstd)}: channel 1 becomes ${num(z[0]!)}; the normalized column runs from ${num(zr.lo)} to ${num(zr.hi)}.`,
      };
    },
    scale: (ctx, t) => {
      // Down the γ column: each normalized value times its channel's learned scale.
      const { z, gamma } = numbers(ctx);
      const C = z.length;
      const n = scanRows(C, beat(t, 0.24, 0.4), beat(t, 0.66, 0.24));
      const r = n > 0 ? n - 1 : null;
      const g = range(gamma);
      const highlights: Highlight[] = [whole(LN.gamma, 'source'), cols(LN.out, [P, P + 1], 'muted')];
      const callouts: Callout[] = [];
      if (r !== null && n < C) {
        highlights.push({ ...rows(LN.gamma, [r, r + 1], 'focus'), lift: LIFT });
        callouts.push({ block: LN.gamma, row: r, col: 0, text: fit(ctx, `channel ${r + 1}: ${num(z[r]!)} × γ ${num(gamma[r]!)} = `, '× γ = ') + num(z[r]! * gamma[r]!) });
      }
      if (beat(t, 0.9, 0.06) > 0) callouts.push({ block: LN.gamma, row: C - 1, col: 0, text: `γ from ${num(g.lo)} to ${num(g.hi)}`, role: 'source' });
      return {
        camera: lnCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: P + 1, [LN.rstd]: P + 1, [LN.out]: 0 }),
        highlights,
        callouts,
        dim: 0.55,
        describe: `Each channel is multiplied by its learned scale γ (from ${num(g.lo)} to ${num(g.hi)}); channel 1: ${num(z[0]!)} × ${num(gamma[0]!)} = ${num(z[0]! * gamma[0]!)}.`,
      };
    },
    shift: (ctx, t) => {
      // Down the β column, and the finished values land in the output column one by one.
      const { z, gamma, beta, out } = numbers(ctx);
      const C = z.length;
      const n = scanRows(C, beat(t, 0.24, 0.4), beat(t, 0.66, 0.24));
      const r = n > 0 ? n - 1 : null;
      const bRange = range(beta);
      const highlights: Highlight[] = [whole(LN.beta, 'source'), cols(LN.out, [P, P + 1], n >= C ? 'result' : 'muted')];
      const callouts: Callout[] = [];
      if (r !== null && n < C) {
        highlights.push({ ...rows(LN.beta, [r, r + 1], 'focus'), lift: LIFT }, { ...cell(LN.out, r, P, 'result'), lift: LIFT });
        callouts.push({ block: LN.out, row: r, col: P, text: fit(ctx, `channel ${r + 1}: ${num(z[r]! * gamma[r]!)} + β ${operand(beta[r]!)} = `, '+ β = ') + num(out[r]!), role: 'result' });
      }
      if (beat(t, 0.9, 0.06) > 0) callouts.push({ block: LN.beta, row: C - 1, col: 0, text: `β from ${num(bRange.lo)} to ${num(bRange.hi)}`, role: 'source' });
      return {
        camera: lnCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: P + 1, [LN.rstd]: P + 1, [LN.out]: [0, n] }),
        highlights,
        callouts,
        dim: 0.55,
        describe: `Each channel gets its learned shift β added and the result fills the layer norm's output; channel 1 ends at ${num(out[0]!)}.`,
      };
    },
    'all-columns': (ctx, t) => {
      // The other columns: their mean and 1/std, then their normalized values, cell by cell.
      const T = ctx.trace.ids.length;
      const C = ctx.config.n_embd;
      const u = beat(t, 0.24, 0.56);
      const n = countAt((T - 1) * C, u);
      const col = Math.min(T - 1, P + 1 + Math.floor(n / C));
      const done = u >= 1;
      const highlights: Highlight[] = done
        ? [whole(LN.out, 'result')]
        : [cols(EMBED, [col, col + 1], 'source'), cell(LN.mean, 0, col, 'source'), cell(LN.rstd, 0, col, 'source'), cols(LN.out, [col, col + 1], 'result')];
      const callouts: Callout[] = [];
      if (!done && u > 0) {
        callouts.push(
          { block: LN.mean, row: 0, col, text: `mean ${num(traced(ctx, 'h.0.ln_1.mean', col))}`, role: 'source' },
          { block: LN.rstd, row: 0, col, text: `1/std ${num(traced(ctx, 'h.0.ln_1.rstd', col))}`, role: 'source' },
        );
      }
      const before = range(ctx.trace.tensors[EMBED]!.data);
      const after = range(ctx.trace.tensors[LN.out]!.data);
      if (beat(t, 0.84, 0.1) > 0) {
        callouts.push(
          { block: EMBED, row: 0, col: T - 1, text: `in: ${num(before.lo)} to ${num(before.hi)}`, role: 'source' },
          { block: LN.out, row: 0, col: T - 1, text: `out: ${num(after.lo)} to ${num(after.hi)}`, role: 'result' },
        );
      }
      const fill = done ? T : col;
      return {
        camera: lnCam(ctx),
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: fill + (done ? 0 : 1), [LN.rstd]: fill + (done ? 0 : 1), [LN.out]: done ? [T, 0] : [col, n % C] }),
        highlights,
        callouts,
        dim: done ? 0.3 : 0.55,
        describe: `All ${T} columns normalized: the embedding's values (${num(before.lo)} to ${num(before.hi)}) come out between ${num(after.lo)} and ${num(after.hi)}.`,
      };
    },
  },
};
