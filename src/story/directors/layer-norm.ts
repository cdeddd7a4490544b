/**
 * Chapter 4, layer norm: one column of the input embedding through layer 1's first layer norm,
 * with its running sums, its mean and 1/std, each cell normalized, scaled by γ, shifted by β,
 * then every column.
 *
 * Layer norm works on a copy of the residual stream, so the picture lifts a copy of the column
 * out of the input embedding and stands it left of γ and β, level with the layer norm's output:
 * every channel's arithmetic then reads along one row (x, γ, β, output), with the column's mean
 * and 1/std just above the output. The residual column itself stays where it is.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import type { Callout, CameraState, Highlight, Link, Vec3 } from '../../scene/types.ts';
import { beat, countAt, lerp, lerpCamera } from '../beats.ts';
import { cell, cols, whole } from './common.ts';
import { blockOf, computedThrough, fit, fixed, num, param, plain, traced, tracedColumn, visiting } from './column-focus.ts';
import { equation, fitRegions, narrow, pinAbove, pinRight, pxPerUnit, type Region } from './stage-fit.ts';
import { LN_EPS } from '../../gpt/config.ts';
import { lnBlockIds, TOP_IDS } from '../../scene/ids.ts';

const LN = lnBlockIds('h.0.ln_1');
const EMBED = TOP_IDS.embed;
/** The column followed through the chapter: the reader's first letter. */
const P = 0;
/** How strongly the blocks around the subject are faded. */
const DIM = 0.6;
/** Copies stand this far in front of their blocks, so they pass over what they cross. */
const FRONT = 0.4;
/** Room kept right of the layer norm for the callouts, CSS px (a narrow stage gets stacked callouts). */
const ROOM = { wide: 330, narrow: 175 };
/** Room kept above the framed blocks for their labels, CSS px (none on a phone, where every pixel goes to the cells). */
const labelRoom = (ctx: DirectorContext) => (narrow(ctx) ? 0 : 30);

/** Two significant digits and a true minus sign, for ranges on a phone's narrow stage. */
function rough(x: number): string {
  const s = String(Number(x.toPrecision(2)));
  return s.startsWith('-') ? '−' + s.slice(1) : s;
}

/** Everything the chapter's numbers come from, for column p. */
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

/**
 * Where a copy of embedding column `col` stands: 'gap' just left of the input embedding (where it
 * is first made), 'single' alone just left of γ, level with the layer norm's output, or 'all'
 * there beside the other columns' copies (the last one nearest γ). Returns the lift from its place.
 */
type Place = 'gap' | 'single' | 'all';
function placeOf(ctx: DirectorContext, col: number, place: Place): Vec3 {
  const e = blockOf(ctx, EMBED);
  if (place === 'gap') return [-3 - col, 0, FRONT];
  const gammaX = blockOf(ctx, LN.gamma).position[0];
  const x = place === 'all' ? gammaX - 2 - ctx.trace.ids.length + col : gammaX - 3;
  return [x - e.position[0] - col, blockOf(ctx, LN.out).position[1] - e.position[1], FRONT];
}

/** The lift of a copy flying from place `a` (null: from the column itself) to `b` as u goes 0 -> 1, rising toward the viewer on the way. */
function flight(ctx: DirectorContext, col: number, a: Place | null, b: Place, u: number): Vec3 {
  const from: Vec3 = a ? placeOf(ctx, col, a) : [0, 0, 0];
  const to = placeOf(ctx, col, b);
  const k = Math.min(1, Math.max(0, u));
  const rise = Math.sin(Math.PI * k) * 3;
  return [lerp(from[0], to[0], k), lerp(from[1], to[1], k), lerp(from[2], to[2], k) + rise];
}

/** The copy of embedding column `col`, lifted by `lift`. */
function copyColumn(col: number, lift: Vec3, role: Highlight['role'] = 'source', rows?: [number, number]): Highlight {
  return { block: EMBED, cols: [col, col + 1], rows, role, lift, copy: true };
}

/** One cell of a copied column, drawn just in front of it. */
function copyCell(row: number, col: number, lift: Vec3, role: Highlight['role'] = 'focus'): Highlight {
  return { block: EMBED, rows: [row, row + 1], cols: [col, col + 1], role, lift: [lift[0], lift[1], lift[2] + 0.02], copy: true };
}

const embedCells = (col: number, r0: number, r1: number) => ({ block: EMBED, rows: [r0, r1] as [number, number], cols: [col, col + 1] as [number, number] });
const at = (block: string, row: number, col: number) => ({ block, rows: [row, row + 1] as [number, number], cols: [col, col + 1] as [number, number] });

/** The layer norm's workspace: the copy, γ and β, the mean and 1/std, the output, room right for callouts. */
function lnCam(ctx: DirectorContext, all = false): CameraState {
  const regions: Region[] = [{ block: LN.mean }, { block: LN.out }, { block: EMBED, cols: [P, P + 1], lift: placeOf(ctx, P, all ? 'all' : 'single') }];
  return fitRegions(ctx, regions, { room: narrow(ctx) ? ROOM.narrow : ROOM.wide, roomAbove: labelRoom(ctx) });
}

/** The input embedding, with room left for the copy of its first column and right for callouts. */
function inputCam(ctx: DirectorContext): CameraState {
  // Room above for the label of the copy, on a phone too.
  return fitRegions(ctx, [{ block: EMBED }, { block: EMBED, cols: [P, P + 1], lift: placeOf(ctx, P, 'gap') }], { room: ROOM.narrow, roomAbove: Math.max(24, labelRoom(ctx)) });
}

/** Styles: embedding computed, the mean and 1/std filled through column `stats`, the output filled as given. */
function filled(ctx: DirectorContext, stats: number, out: number | [number, number] = 0) {
  return computedThrough(ctx, EMBED, { [LN.mean]: stats, [LN.rstd]: stats, [LN.out]: out });
}

export const layerNorm: ChapterDirector = {
  chapter: 'layer-norm',
  model: 'nano',
  steps: {
    column: (ctx, t) => {
      // A scan reads the first column's values; its extremes are marked; then a copy of it is made for the layer norm.
      const { x } = numbers(ctx);
      const C = x.length;
      const cam = inputCam(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const e = blockOf(ctx, EMBED);
      const b = { scan: beat(t, 0.24, 0.34), ends: beat(t, 0.6, 0.1), copy: beat(t, 0.74, 0.18) };
      const highlights: Highlight[] = [cols(EMBED, [P, P + 1], 'focus')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const r = b.scan > 0 && b.scan < 1 ? visiting(C, b.scan) : null;
      if (r !== null) {
        highlights.push({ ...cell(EMBED, r, P, 'focus'), lift: [0, 0, FRONT] });
        callouts.push({ block: EMBED, ...pinRight(e, r, ppu), text: `channel ${r + 1}: ${num(x[r]!)}`, role: 'focus' });
        links.push({ from: embedCells(P, r, r + 1), to: { callout: 0 }, role: 'focus' });
      }
      const { lo, hi, iLo, iHi } = range(x);
      if (b.ends > 0) {
        highlights.push({ ...cell(EMBED, iLo, P, 'source'), lift: [0, 0, FRONT] }, { ...cell(EMBED, iHi, P, 'source'), lift: [0, 0, FRONT] });
        callouts.push(
          { block: EMBED, ...pinRight(e, iLo, ppu), text: `smallest: ${num(lo)} (channel ${iLo + 1})`, role: 'source' },
          { block: EMBED, ...pinRight(e, iHi, ppu), text: `largest: ${num(hi)} (channel ${iHi + 1})`, role: 'source' },
        );
        links.push({ from: embedCells(P, iLo, iLo + 1), to: { callout: callouts.length - 2 }, role: 'source', progress: b.ends }, { from: embedCells(P, iHi, iHi + 1), to: { callout: callouts.length - 1 }, role: 'source', progress: b.ends });
      }
      if (b.copy > 0) {
        const lift = flight(ctx, P, null, 'gap', b.copy);
        const text = fit(ctx, 'copy for the layer norm', 'copy');
        highlights.push(copyColumn(P, lift, 'focus'));
        callouts.push({ block: EMBED, ...pinAbove(0, P + lift[0], ppu, text, { gap: 6, align: 'left' }), text, role: 'focus' });
      }
      return {
        camera: cam,
        blocks: computedThrough(ctx, EMBED),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The first column of the input embedding: ${C} numbers between ${num(lo)} and ${num(hi)}. Layer norm works on a copy of it; the column in the residual stream stays as it is.`,
      };
    },
    mean: (ctx, t) => {
      // A running total down the copy, then divided by 48 into the mean cell.
      const { x, mean } = numbers(ctx);
      const C = x.length;
      const cam = lnCam(ctx);
      const mb = blockOf(ctx, LN.mean);
      const ppu = pxPerUnit(ctx, cam);
      // The copy made in the previous step flies down to the layer norm while the camera follows.
      const lift = flight(ctx, P, 'gap', 'single', beat(t, 0.02, 0.26));
      const b = { sum: beat(t, 0.32, 0.44), done: beat(t, 0.8, 0.1) };
      const k = countAt(C, b.sum);
      let total = 0;
      for (let i = 0; i < k; i++) total += x[i]!;
      const highlights: Highlight[] = [copyColumn(P, lift, 'muted')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (k > 0 && b.done <= 0) {
        highlights.push(copyColumn(P, lift, 'source', [0, k]));
        callouts.push({ block: LN.mean, ...pinRight(mb, 0, ppu), text: `sum of ${k} channel${k > 1 ? 's' : ''}: ${num(total)}`, role: 'source' });
        links.push({ from: embedCells(P, k - 1, k), to: { callout: 0 }, role: 'source' });
      }
      if (b.done > 0) {
        highlights.push(copyColumn(P, lift, 'source'), { ...cell(LN.mean, 0, P, 'result'), lift: [0, 0, FRONT] });
        callouts.push(...equation(ctx, cam, mb, 0, [`sum ${num(total)}`, `÷ ${C}`, `= mean ${fixed(mean, 5)}`], 'result'));
        links.push({ from: embedCells(P, 0, C), to: at(LN.mean, 0, P), role: 'source', progress: b.done }, { from: at(LN.mean, 0, P), to: { callout: callouts.length - 1 }, role: 'result', progress: b.done });
      }
      return {
        camera: cam,
        blocks: filled(ctx, b.done > 0 ? P + 1 : 0),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The ${C} numbers of the first column add up to ${num(total)}; divided by ${C}, the mean is ${fixed(mean, 5)}.`,
      };
    },
    spread: (ctx, t) => {
      // A running total of squared distances from the mean, then the variance and one over its root.
      const { x, mean, rstd } = numbers(ctx);
      const C = x.length;
      const cam = lnCam(ctx);
      const rb = blockOf(ctx, LN.rstd);
      const ppu = pxPerUnit(ctx, cam);
      const lift = placeOf(ctx, P, 'single');
      const b = { sum: beat(t, 0.24, 0.5), done: beat(t, 0.78, 0.1) };
      const k = countAt(C, b.sum);
      let total = 0;
      for (let i = 0; i < k; i++) total += (x[i]! - mean) ** 2;
      const variance = total / C;
      const highlights: Highlight[] = [copyColumn(P, lift, 'muted'), cell(LN.mean, 0, P, 'source')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (k > 0 && b.done <= 0) {
        highlights.push(copyColumn(P, lift, 'source', [0, k]));
        callouts.push({ block: LN.rstd, ...pinRight(rb, 0, ppu), text: fit(ctx, `(x − mean)² summed over ${k} channel${k > 1 ? 's' : ''}: ${plain(total)}`, `squares of ${k} summed: ${plain(total)}`), role: 'source' });
        links.push({ from: embedCells(P, k - 1, k), to: { callout: 0 }, role: 'source' }, { from: at(LN.mean, 0, P), to: { callout: 0 }, role: 'source' });
      }
      if (b.done > 0) {
        highlights.push(copyColumn(P, lift, 'source'), { ...cell(LN.rstd, 0, P, 'result'), lift: [0, 0, FRONT] });
        const parts = [`variance ${plain(variance)}`, `1/√(${plain(variance)} + ${plain(LN_EPS)})`, `= 1/std ${fixed(rstd, 2)}`];
        callouts.push(...equation(ctx, cam, rb, 0, { line: `variance ${plain(variance)}; 1/√(${plain(variance)} + ${plain(LN_EPS)}) = 1/std ${fixed(rstd, 2)}`, parts }, 'result'));
        links.push(
          { from: embedCells(P, 0, C), to: at(LN.rstd, 0, P), role: 'source', progress: b.done },
          { from: at(LN.mean, 0, P), to: at(LN.rstd, 0, P), role: 'source', progress: b.done },
          { from: at(LN.rstd, 0, P), to: { callout: callouts.length - 1 }, role: 'result', progress: b.done },
        );
      }
      return {
        camera: cam,
        blocks: computedThrough(ctx, EMBED, { [LN.mean]: P + 1, [LN.rstd]: b.done > 0 ? P + 1 : 0, [LN.out]: 0 }),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The squared distances from the mean average to a variance of ${plain(variance)}; one over the standard deviation is ${fixed(rstd, 2)}.`,
      };
    },
    normalize: (ctx, t) => {
      // Channel 1 worked out: its value minus the mean, times 1/std; then what that does to the whole column.
      const { x, mean, rstd, z } = numbers(ctx);
      const C = x.length;
      const cam = lnCam(ctx);
      const ln = blockOf(ctx, LN.out);
      const ppu = pxPerUnit(ctx, cam);
      const lift = placeOf(ctx, P, 'single');
      const b = { first: beat(t, 0.24, 0.3), all: beat(t, 0.7, 0.2) };
      const highlights: Highlight[] = [copyColumn(P, lift, 'source'), cell(LN.mean, 0, P, 'source'), cell(LN.rstd, 0, P, 'source'), cols(LN.out, [P, P + 1], 'muted')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (b.first > 0) {
        highlights.push(copyCell(0, P, lift));
        const parts = [`x ${fixed(x[0]!, 4)}`, `− mean ${fixed(mean, 4)}`, `× 1/std ${fixed(rstd, 2)}`, `= ${fixed(z[0]!, 2)}`];
        callouts.push(...equation(ctx, cam, ln, 0, { line: `channel 1: (x ${fixed(x[0]!, 4)} − mean ${fixed(mean, 4)}) × 1/std ${fixed(rstd, 2)} = ${fixed(z[0]!, 2)}`, parts }, 'focus'));
        const last = callouts.length - 1;
        links.push(
          { from: embedCells(P, 0, 1), to: { callout: last }, role: 'source', progress: b.first },
          { from: at(LN.mean, 0, P), to: { callout: last }, role: 'source', progress: b.first },
          { from: at(LN.rstd, 0, P), to: { callout: last }, role: 'source', progress: b.first },
        );
      }
      if (b.all > 0) {
        const m = z.reduce((s, v) => s + v, 0) / C;
        const sd = Math.sqrt(z.reduce((s, v) => s + (v - m) ** 2, 0) / C);
        const text = `all ${C} channels normalized: mean ${fixed(m, 4)}, spread ${fixed(sd, 4)}`;
        callouts.push({ block: LN.out, ...pinRight(ln, C - 6, ppu), text: fit(ctx, text, `mean ${fixed(m, 4)}, spread ${fixed(sd, 4)}`), role: 'result' });
        links.push({ from: embedCells(P, 0, C), to: { callout: callouts.length - 1 }, role: 'result', progress: b.all });
      }
      const zr = range(z);
      return {
        camera: cam,
        blocks: filled(ctx, P + 1),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Each value of the column minus the mean ${fixed(mean, 4)}, times ${fixed(rstd, 2)}: channel 1 becomes ${fixed(z[0]!, 2)}; the normalized column runs from ${num(zr.lo)} to ${num(zr.hi)}.`,
      };
    },
    scale: (ctx, t) => {
      // Each normalized value times its channel's learned scale γ, shown for channel 1; then γ's range.
      const { z, gamma } = numbers(ctx);
      const C = z.length;
      const cam = lnCam(ctx);
      const ln = blockOf(ctx, LN.out);
      const ppu = pxPerUnit(ctx, cam);
      const lift = placeOf(ctx, P, 'single');
      const b = { first: beat(t, 0.24, 0.3), range: beat(t, 0.7, 0.2) };
      const g = range(gamma);
      const highlights: Highlight[] = [copyColumn(P, lift, 'muted'), whole(LN.gamma, 'source'), cols(LN.out, [P, P + 1], 'muted')];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (b.first > 0) {
        highlights.push({ ...cell(LN.gamma, 0, 0, 'focus'), lift: [0, 0, FRONT] });
        const parts = [`normalized ${fixed(z[0]!, 2)}`, `× γ ${num(gamma[0]!)}`, `= ${num(z[0]! * gamma[0]!)}`];
        callouts.push(...equation(ctx, cam, ln, 0, { line: `channel 1: normalized ${fixed(z[0]!, 2)} × γ ${num(gamma[0]!)} = ${num(z[0]! * gamma[0]!)}`, parts }, 'focus'));
        links.push({ from: at(LN.gamma, 0, 0), to: { callout: callouts.length - 1 }, role: 'source', progress: b.first });
      }
      if (b.range > 0) {
        const text = fit(ctx, `γ, all ${C} channels: from ${num(g.lo)} to ${num(g.hi)}`, `γ: ${num(g.lo)} to ${num(g.hi)}`);
        callouts.push({ block: LN.out, ...pinRight(ln, C - 6, ppu), text, role: 'source' });
        links.push({ from: { block: LN.gamma, rows: [C - 8, C] }, to: { callout: callouts.length - 1 }, role: 'source', progress: b.range });
      }
      return {
        camera: cam,
        blocks: filled(ctx, P + 1),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Each channel is multiplied by its learned scale γ (from ${num(g.lo)} to ${num(g.hi)}); channel 1: ${fixed(z[0]!, 2)} × ${num(gamma[0]!)} = ${num(z[0]! * gamma[0]!)}.`,
      };
    },
    shift: (ctx, t) => {
      // β added: channel 1 lands in the output column, then the rest of the column fills; then β's range.
      const { z, gamma, beta, out } = numbers(ctx);
      const C = z.length;
      const cam = lnCam(ctx);
      const ln = blockOf(ctx, LN.out);
      const ppu = pxPerUnit(ctx, cam);
      const lift = placeOf(ctx, P, 'single');
      const b = { first: beat(t, 0.24, 0.26), rest: beat(t, 0.54, 0.28), range: beat(t, 0.86, 0.1) };
      const n = b.first > 0 ? 1 + countAt(C - 1, b.rest) : 0;
      const bRange = range(beta);
      const highlights: Highlight[] = [copyColumn(P, lift, 'muted'), whole(LN.beta, 'source'), { block: LN.out, rows: [0, Math.max(n, 1)], cols: [P, P + 1], role: n > 0 ? 'result' : 'muted' }];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (n > 0) {
        highlights.push({ ...cell(LN.beta, 0, 0, 'focus'), lift: [0, 0, FRONT] }, { ...cell(LN.gamma, 0, 0, 'source'), lift: [0, 0, FRONT] }, cell(LN.out, 0, P, 'focus'));
        const scaled = z[0]! * gamma[0]!;
        const parts = [`scaled ${num(scaled)}`, `+ β ${num(beta[0]!)}`, `= output ${fixed(out[0]!, 4)}`];
        callouts.push(...equation(ctx, cam, ln, 0, { line: `channel 1: scaled ${num(scaled)} + β ${num(beta[0]!)} = output ${fixed(out[0]!, 4)}`, parts }, 'result'));
        links.push(
          { from: at(LN.gamma, 0, 0), to: at(LN.out, 0, P), role: 'source', progress: b.first },
          { from: at(LN.beta, 0, 0), to: at(LN.out, 0, P), role: 'source', progress: b.first },
          { from: at(LN.out, 0, P), to: { callout: callouts.length - 1 }, role: 'result', progress: b.first },
        );
      }
      if (b.range > 0) {
        const text = fit(ctx, `β, all ${C} channels: from ${num(bRange.lo)} to ${num(bRange.hi)}`, `β: ${num(bRange.lo)} to ${num(bRange.hi)}`);
        callouts.push({ block: LN.out, ...pinRight(ln, C - 6, ppu), text, role: 'source' });
        links.push({ from: { block: LN.beta, rows: [C - 8, C] }, to: { callout: callouts.length - 1 }, role: 'source', progress: b.range });
      }
      return {
        camera: cam,
        blocks: filled(ctx, P + 1, [0, n]),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `Each channel gets its learned shift β added and the result fills the layer norm's output; channel 1 ends at ${fixed(out[0]!, 4)}.`,
      };
    },
    'all-columns': (ctx, t) => {
      // The other columns are copied over beside the first and go through the same recipe with their own mean and 1/std.
      const T = ctx.trace.ids.length;
      const C = ctx.config.n_embd;
      const cam = lnCam(ctx, true);
      const ln = blockOf(ctx, LN.out);
      const mb = blockOf(ctx, LN.mean);
      const ppu = pxPerUnit(ctx, cam);
      const b = { make: beat(t, 0, 0.3), fill: beat(t, 0.3, 0.5), end: beat(t, 0.84, 0.1) };
      const n = countAt((T - 1) * C, b.fill);
      const col = Math.min(T - 1, P + 1 + Math.floor(n / C));
      const done = b.fill >= 1;
      const highlights: Highlight[] = [];
      // Column P slides over to make room; the others fly in from the residual stream.
      const first = placeOf(ctx, P, 'single');
      const wide = placeOf(ctx, P, 'all');
      const slide: Vec3 = [lerp(first[0], wide[0], b.make), first[1], first[2]];
      highlights.push(copyColumn(P, slide, 'source'));
      for (let c = P + 1; c < T; c++) highlights.push(copyColumn(c, flight(ctx, c, null, 'all', b.make), c === col && !done ? 'focus' : 'source'));
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (b.fill > 0 && !done) {
        highlights.push(cell(LN.mean, 0, col, 'source'), cell(LN.rstd, 0, col, 'source'), cols(LN.out, [col, col + 1], 'result'));
        const text = fit(ctx, `position ${col + 1}: mean ${num(traced(ctx, 'h.0.ln_1.mean', col))}, 1/std ${num(traced(ctx, 'h.0.ln_1.rstd', col))}`, `mean ${num(traced(ctx, 'h.0.ln_1.mean', col))}, 1/std ${num(traced(ctx, 'h.0.ln_1.rstd', col))}`);
        callouts.push({ block: LN.mean, ...pinRight(mb, 0.5, ppu, { gap: 10 }), text, role: 'source' });
        links.push({ from: embedCells(col, 0, C), to: at(LN.mean, 0, col), role: 'source' }, { from: at(LN.rstd, 0, col), to: { block: LN.out, rows: [0, 1], cols: [col, col + 1] }, role: 'source' });
      }
      if (done) highlights.push(whole(LN.out, 'result'));
      if (b.end > 0) {
        const xs = ctx.trace.tensors[EMBED]!.data;
        const ys = ctx.trace.tensors[LN.out]!.data;
        const before = range(xs);
        const after = range(ys);
        highlights.push(copyCell(0, P, wide), cell(LN.out, 0, P, 'focus'));
        const one = fit(ctx, `position 1, channel 1: ${fixed(traced(ctx, EMBED, P, 0), 4)} in, ${fixed(traced(ctx, LN.out, P, 0), 2)} out`, `${fixed(traced(ctx, EMBED, P, 0), 4)} in, ${fixed(traced(ctx, LN.out, P, 0), 2)} out`);
        const span = fit(ctx, `every column: ${num(before.lo)}…${num(before.hi)} in, ${num(after.lo)}…${num(after.hi)} out`, `in ${rough(before.lo)}…${rough(before.hi)}, out ${rough(after.lo)}…${rough(after.hi)}`);
        callouts.push({ block: LN.out, ...pinRight(ln, 0, ppu), text: one, role: 'result' }, { block: LN.out, ...pinRight(ln, C - 6, ppu), text: span, role: 'result' });
        links.push(
          { from: embedCells(P, 0, 1), to: at(LN.out, 0, P), role: 'source', progress: b.end },
          { from: at(LN.out, 0, P), to: { callout: callouts.length - 2 }, role: 'result', progress: b.end },
        );
      }
      const stats = done ? T : col + 1;
      const before = range(ctx.trace.tensors[EMBED]!.data);
      const after = range(ctx.trace.tensors[LN.out]!.data);
      return {
        camera: lerpCamera(lnCam(ctx), cam, b.make),
        blocks: filled(ctx, b.fill > 0 ? stats : P + 1, done ? [T, 0] : b.fill > 0 ? [col, n % C] : [P + 1, 0]),
        highlights,
        callouts,
        links,
        dim: done ? 0.45 : DIM,
        describe: `All ${T} columns normalized, each with its own mean and 1/std: the embedding's values (${num(before.lo)} to ${num(before.hi)}) come out between ${num(after.lo)} and ${num(after.hi)}; position 1, channel 1 goes from ${fixed(traced(ctx, EMBED, P, 0), 4)} to ${fixed(traced(ctx, LN.out, P, 0), 2)}.`,
      };
    },
  },
};

