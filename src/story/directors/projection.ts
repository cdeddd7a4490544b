/**
 * Chapter 6, projection and the residual: layer 1's three head outputs slide together into one
 * column of C numbers per position, the output projection mixes them (one cell built product by
 * product), and the result is added, column by column, to the residual stream it branched from.
 *
 * The head outputs are moved with block offsets, not copied: the concatenation is exactly
 * "head h fills channels h·hs to h·hs + hs − 1", so stacking the blocks shows it literally. They
 * are stacked just above the projection's result, where a linear layer's input belongs.
 */
import { easeLinear } from 'd3-ease';
import { formatNumber } from '../../scene/explain.ts';
import { headBlockIds, layerBlockIds, lnId, TOP_IDS } from '../../scene/ids.ts';
import type { BlockStyle, Callout, CameraState, Highlight, Link, Vec3 } from '../../scene/types.ts';
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, clamp, countAt, lerpCamera } from '../beats.ts';
import { boxOf, cols, computedUpTo, frame, lastCol, whole } from './common.ts';
import { fitBox, narrow } from './forward-sweep.ts';
import { firstLegible, frameWithRoom, matmulMoment } from './matmul-moment.ts';

const HEADS = [0, 1, 2].map((h) => headBlockIds(0, h));
const L = layerBlockIds(0);
const PROJ = L.attnProj;
const RESID = L.resid1;
const EMBED = TOP_IDS.embed;
/** Rows of space between the stacked heads and the projection's result, room for a label. */
const STACK_GAP = 4;

const blockOf = (ctx: DirectorContext, id: string) => ctx.layout.blocks.find((b) => b.id === id)!;

/** Offset that moves head h's output into its place in the stack above the projection. */
function stackOffset(ctx: DirectorContext, h: number): Vec3 {
  const proj = blockOf(ctx, PROJ);
  const head = blockOf(ctx, HEADS[h]!.out);
  const top = proj.position[1] + STACK_GAP + proj.rows.size - h * head.rows.size;
  return [proj.position[0] - head.position[0], top - head.position[1], 0];
}

/** Styles for the heads at fraction u_h of the way into the stack. */
function stacked(ctx: DirectorContext, base: Record<string, BlockStyle>, u: readonly number[]): Record<string, BlockStyle> {
  const out = { ...base };
  HEADS.forEach((h, i) => {
    const o = stackOffset(ctx, i);
    const k = u[i] ?? 1;
    out[h.out] = { ...out[h.out], offset: [o[0] * k, o[1] * k, o[2] * k] };
  });
  return out;
}

/** One number of a [T][C] trace tensor. */
const at = (ctx: DirectorContext, name: string, t: number, c: number) => ctx.trace.tensors[name]!.data[t * ctx.config.n_embd + c]!;

/** The stack, the projection weights and the result, with room above for the stack (the arithmetic sits left of it). */
const projectFrame = (ctx: DirectorContext) => frameWithRoom(ctx, [L.attnCProjWeight, PROJ], { top: STACK_GAP + blockOf(ctx, PROJ).rows.size, right: 2 });

/**
 * The weights and the result with the stack's foot above them. A phone's stage is only just wide
 * enough for the 48 + 1 + 6 columns at a legible size: nearly head-on, with a thin margin.
 */
function closeOnWeights(ctx: DirectorContext): CameraState {
  if (!narrow(ctx)) return firstLegible(ctx, frameWithRoom(ctx, [L.attnCProjWeight, PROJ], { top: STACK_GAP + 2 }));
  const { min, max } = boxOf(ctx.layout, [L.attnCProjWeight, PROJ]);
  return fitBox(ctx, { min, max: [max[0], max[1] + STACK_GAP + 2, max[2]] }, { yaw: 0.02, pitch: 0.02, fill: 0.99 });
}

/** The projection and the residual stream side by side, with room on the right for the stream's column and the sum's callout. */
const addFrame = (ctx: DirectorContext) => frameWithRoom(ctx, [PROJ, RESID], { top: 2, right: 28, left: 1 });

export const projection: ChapterDirector = {
  chapter: 'projection',
  model: 'nano',
  // The residual step shows the whole attention sub-block and the spine it hangs off, not one block's cells.
  overviews: ['residual'],
  steps: {
    concatenate: (ctx, t) => {
      const hs = ctx.config.n_embd / ctx.config.n_head;
      const move = HEADS.map((_, h) => beat(t, 0.24 + 0.1 * h, 0.45));
      const camera = lerpCamera(frameWithRoom(ctx, [HEADS[0]!.out, HEADS[2]!.out], { left: 6, right: 14, top: 4, bottom: 4 }), projectFrame(ctx), beat(t, 0.3, 0.6));
      const highlights: Highlight[] = HEADS.map((h, i) => whole(h.out, move[i]! > 0 && move[i]! < 1 ? 'focus' : 'source'));
      const callouts: Callout[] = HEADS.map((h, i) => ({
        block: h.out,
        text: move[i]! >= 1 ? `channels ${i * hs + 1}–${(i + 1) * hs}` : `head ${i + 1}`,
        role: 'source',
      }));
      return {
        camera,
        blocks: stacked(ctx, computedUpTo(ctx.layout, HEADS[2]!.out), move),
        highlights,
        callouts,
        dim: 0.4,
        describe: `The ${HEADS.length} head outputs of layer 1, ${hs} numbers per position each, stack into one column of ${ctx.config.n_embd} numbers per position above the output projection.`,
      };
    },

    project: (ctx, t) => {
      const T = ctx.layout.T;
      const last = lastCol(ctx);
      const C = ctx.config.n_embd;
      const hs = C / ctx.config.n_head;
      const early = beat(t, 0.22, 0.1, easeLinear);
      const m = matmulMoment(ctx, PROJ, 0, last, beat(t, 0.34, 0.5, easeLinear), { linger: 2.2 });
      const rest = beat(t, 0.88, 0.08, easeLinear);
      const reveal = early < 1 ? { cols: countAt(last, early) } : { cols: last, rows: m.filled ? Math.max(1, countAt(C, rest)) : 0 };
      const done = rest >= 1;
      const highlights: Highlight[] = done ? [cols(PROJ, [last, last + 1], 'result'), whole(L.attnCProjWeight, 'source')] : m.highlights;
      // The finished column's first number stays where the arithmetic was, left of the stack's foot.
      const callouts: Callout[] = done ? [{ block: HEADS[2]!.out, row: hs - 1, col: 0, text: `${formatNumber(m.value)}, and ${T * C - 1} more like it`, role: 'result', side: 'left' }] : m.callouts;
      const links: Link[] = done ? [{ from: { block: PROJ, rows: [0, 1], cols: [last, last + 1] }, to: { callout: 0 }, role: 'result' }] : m.links;
      return {
        // Then the camera comes down onto the weights and the result, the stack's foot still in view.
        camera: lerpCamera(projectFrame(ctx), closeOnWeights(ctx), beat(t, 0.86, 0.12)),
        blocks: stacked(ctx, { ...computedUpTo(ctx.layout, HEADS[2]!.out), [PROJ]: { reveal } }, [1, 1, 1]),
        highlights,
        callouts,
        links,
        dim: 0.5,
        describe: done ? `The output projection of every position is computed: ${C} numbers per column, each a row of ${C} weights times the stacked heads plus a bias.` : m.describe,
      };
    },

    add: (ctx, t) => {
      const T = ctx.layout.T;
      const C = ctx.config.n_embd;
      const u = beat(t, 0.22, 0.74, easeLinear);
      const c = Math.min(T - 1, Math.floor(u * T));
      const v = u * T - c; // progress within column c
      const last = c === T - 1;
      const proj = blockOf(ctx, PROJ);
      const resid = blockOf(ctx, RESID);
      const embed = blockOf(ctx, EMBED);
      // A copy of the stream's column comes down the spine to stand just right of the stream's new
      // block, level with it; then both columns slide onto it and the sum appears. The last column's
      // operands stay where they met it, joined to the sum by links, so the end of the step shows
      // the addition it describes.
      const parkY = resid.position[1] - embed.position[1];
      const beside = resid.position[0] + T + 1 - (embed.position[0] + c);
      const slide = beat(v, 0, 0.4);
      const merge = last ? 0 : beat(v, 0.45, 0.2);
      const summed = u >= 1 || v >= 0.65;
      const embedLift: Vec3 = [beside * beat(v, 0, 0.08) * (1 - merge), parkY * slide, 0.6];
      const projLift: Vec3 = [(resid.position[0] - proj.position[0]) * merge, 0, 0.6];
      // Channel 1, the one the prose works through.
      const r = 0;
      const e = at(ctx, 'embed', c, r);
      const p = at(ctx, 'h.0.attn.proj', c, r);
      const sum = at(ctx, 'h.0.resid_1', c, r);
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const column = (block: string) => ({ block, rows: [0, C] as [number, number], cols: [c, c + 1] as [number, number] });
      if (u > 0 && (!summed || last)) {
        highlights.push(
          { ...column(EMBED), role: 'source', lift: embedLift, copy: true },
          { block: EMBED, rows: [r, r + 1], cols: [c, c + 1], role: 'focus', lift: [embedLift[0], embedLift[1], embedLift[2] + 0.1], copy: true },
          // The whole column first (its place in the block is left empty), then its marked channel just in front of it.
          { ...column(PROJ), role: 'source', lift: projLift },
          { block: PROJ, rows: [r, r + 1], cols: [c, c + 1], role: 'focus', lift: [projLift[0], projLift[1], projLift[2] + 0.1] },
        );
      }
      if (u > 0) {
        highlights.push(cols(RESID, [c, c + 1], 'result'), { block: RESID, rows: [r, r + 1], cols: [c, c + 1], role: 'focus' });
        callouts.push({ block: RESID, row: r, col: c, text: summed ? `stream ${formatNumber(e)} + attention ${formatNumber(p)} = ${formatNumber(sum)}` : `stream ${formatNumber(e)}, attention ${formatNumber(p)}`, role: 'result' });
        const grow = clamp(slide * 2);
        links.push({ from: column(EMBED), to: column(RESID), role: 'source', progress: grow }, { from: column(PROJ), to: column(RESID), role: 'source', progress: grow });
      }
      const shown = u >= 1 ? T : c + (summed ? 1 : 0);
      return {
        camera: addFrame(ctx),
        blocks: stacked(ctx, { ...computedUpTo(ctx.layout, PROJ), [RESID]: { reveal: { cols: shown } } }, [1, 1, 1]),
        highlights,
        callouts,
        links,
        dim: 0.45,
        describe: `Position ${c + 1}: the stream's column (the embedding) plus the attention output gives the new stream; in channel ${r + 1}, ${formatNumber(e)} + ${formatNumber(p)} = ${formatNumber(sum)}.`,
      };
    },

    residual: (ctx, t) => {
      const last = lastCol(ctx);
      const home = 1 - beat(t, 0.22, 0.3);
      // The path one column takes through the attention sub-block: off the spine, through the heads, back onto it.
      const path: string[][] = [
        [EMBED],
        [lnId(0, 'ln_1')],
        HEADS.flatMap((h) => [h.q.out, h.k.out, h.v.out]),
        HEADS.flatMap((h) => [h.scores, h.probs]),
        HEADS.map((h) => h.out),
        [PROJ],
        [RESID],
      ];
      const u = beat(t, 0.3, 0.5, easeLinear);
      const k = Math.min(path.length - 1, countAt(path.length, u));
      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      if (u < 1) {
        for (const id of path[k]!) highlights.push(whole(id, 'focus'));
      } else {
        highlights.push(whole(EMBED, 'source'), whole(PROJ, 'source'), whole(RESID, 'result'));
      }
      const e = at(ctx, 'embed', last, 0);
      const p = at(ctx, 'h.0.attn.proj', last, 0);
      if (u >= 1) {
        callouts.push(
          { block: EMBED, row: 0, col: last, text: `stream, channel 1: ${formatNumber(e)}`, role: 'source' },
          { block: RESID, row: 0, col: last, text: `+ attention ${formatNumber(p)} = ${formatNumber(at(ctx, 'h.0.resid_1', last, 0))}`, role: 'result' },
        );
      }
      return {
        camera: frame(ctx, [EMBED, L.attnCProjWeight, RESID, HEADS[2]!.out], { zoom: 1.02 }),
        blocks: stacked(ctx, computedUpTo(ctx.layout, RESID), [home, home, home]),
        highlights,
        callouts,
        dim: 0.45,
        describe:
          u < 1
            ? 'A column leaves the residual stream, passes through the layer norm and the three heads, and its projection comes back to be added to the stream.'
            : `The residual stream carries the embedding forward and attention adds to it: for channel 1 of the last position, ${formatNumber(e)} + ${formatNumber(p)} = ${formatNumber(at(ctx, 'h.0.resid_1', last, 0))}.`,
      };
    },
  },
};
