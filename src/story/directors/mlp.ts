/**
 * Chapter 7, the MLP of layer 1: layer norm 2, the expansion to 4C, GELU on every cell, the
 * projection back to C, and the addition to the residual stream; then the whole block.
 *
 * Each computing step shows the whole operation first (the block filling), then closes in on one
 * cell of it framed with its operands: the input column stands above the result and the row of
 * weights runs into it from the left (a matrix-product diagram), arrows join them to the result
 * and the result to the callout that names the parts of its sum. Blocks a step moves (the residual
 * stream beside a layer norm, GELU beside its input, the old residual beside the new one) move
 * back at the start of the next step.
 */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import { beat, lerp, lerpCamera, lerpVec } from '../beats.ts';
import { cell, cols, computedUpTo, lastCol, rows, whole } from './common.ts';
import { zoomAbout } from './camera-paths.ts';
import { besideNorm, layerNormStep } from './norm-step.ts';
import { blockOf, calloutWidth, cellEnd, cellsBox, end, fitBox, fixed, link, narrow, num, PHONE_TIGHT, visibleFrom, pinAt, ppuOf, productsOf, sayAt, unionOf, valueAt } from './forward-sweep.ts';
import { layerBlockIds, lnBlockIds, lnId } from '../../scene/ids.ts';
import type { Callout, Highlight, HighlightRole, Link, Range, Vec3 } from '../../scene/types.ts';
import { grouped } from '../../scene/numbers.ts';

const L = layerBlockIds(0);
const LN = lnBlockIds(lnId(0, 'ln_2'));

/** The channel the projection and the residual steps follow (0-based; the prose calls it channel 1). */
export const MLP_CHANNEL = 0;
/** The hidden unit the expansion works through (0-based: the first). */
const HIDDEN = 0;
/** The hidden units the GELU step shows, 0-based: the prose quotes units 19 and 42. */
const GELU_ROWS = [18, 41] as const;
/**
 * The expansion's close-up: the foot of the normalized column (`input` rows) above the first
 * `rows` rows of the weights, the bias and the result, so the 192-row blocks show across about
 * half the stage (they read as tall blocks, not as a strip) at a legible cell size.
 */
const EXPAND_NEAR = { desktop: { input: 24, rows: 34 }, phone: { input: 20, rows: 30 } } as const;
/** Rows above the projection weights' top edge where the line with its result sits (a phone's writes the sum in three lines, upward from there). */
const SUM_RISE = { desktop: 8, phone: 2 } as const;
/** The projection's close-up turns this way (radians): the weights' far left recedes. */
const PROJECT_YAW = 0.08;
/** Px between a callout and what it sits beside. */
const GAP_PX = 10;

/** Where GELU's output sits while it is compared with its input: two cells right of the pre-activation block, rows level. */
function geluBeside(ctx: DirectorContext): Vec3 {
  const fc = blockOf(ctx.layout, L.fc);
  const g = blockOf(ctx.layout, L.gelu);
  return [fc.position[0] + fc.size[0] + 2 - g.position[0], fc.position[1] - g.position[1], 0];
}

/** Where the old residual stream sits while it is added: three cells right of the new one, rows level. */
function oldBesideNew(ctx: DirectorContext): Vec3 {
  const r1 = blockOf(ctx.layout, L.resid1);
  const r2 = blockOf(ctx.layout, L.resid2);
  return [r2.position[0] + r2.size[0] + 3 - r1.position[0], r2.position[1] - r1.position[1], 0];
}

/** The centre of a cell, world units. */
function centre(ctx: DirectorContext, id: string, row: number, col: number, offset: Vec3 = [0, 0, 0]): Vec3 {
  const b = blockOf(ctx.layout, id);
  return [b.position[0] + col + 0.5 + offset[0], b.position[1] - row - 0.5 + offset[1], offset[2]];
}

/**
 * Cells at the end of a long operand that links start from: the overlay anchors an arrow on the
 * middle of an edge of the range's screen box, and a whole 48- or 192-cell row seen in
 * perspective has a box much taller than one row. The last few cells sit next to the result.
 */
const TAIL = 8;

/**
 * One cell of a linear layer as a sum, "dot product … + bias … = …", in the free corner of the
 * matrix-product diagram: above the weights, left of the input column standing over the result
 * (right-aligned at world x `right`, its last line `rise` units above the weights' top edge).
 */
function sumCallouts(ctx: DirectorContext, ppu: number, weight: string, right: number, rise: number, parts: readonly string[], maxPx: number): Callout[] {
  const w = blockOf(ctx.layout, weight);
  return sayAt(ctx.layout, ppu, weight, right - GAP_PX / ppu, w.position[1] + rise, parts, { side: 'left', maxPx, upward: true });
}

export const mlp: ChapterDirector = {
  chapter: 'mlp',
  model: 'nano',
  overviews: ['block'],
  steps: {
    ln2: (ctx, t) => layerNormStep(ctx, t, LN, L.resid1, 'Layer norm 2, after attention,'),

    expand: (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const r = HIDDEN;
      const back = beat(t, 0, 0.25);
      const fill = beat(t, 0.22, 0.23);
      const zoom = beat(t, 0.6, 0.2);
      const join = beat(t, 0.74, 0.14);
      const blocks = computedUpTo(lay, L.fc, fill);
      blocks[L.resid1] = { offset: lerpVec(besideNorm(lay, L.resid1, LN.out), [0, 0, 0], back) };
      const { bias, products, value } = productsOf(ctx, L.fc, r, T);
      const dot = value - bias;
      const tall = blockOf(lay, L.fc).rows.size;
      const howMany = `${tall} numbers per letter, from ${ctx.config.n_embd}`;
      const norm = unionOf(cellsBox(lay, LN.mean), cellsBox(lay, LN.out));
      const far = fitBox(ctx, unionOf(norm, cellsBox(lay, L.cFcWeight), cellsBox(lay, L.fc)), { right: calloutWidth(howMany) + GAP_PX });
      const C = blockOf(lay, L.cFcWeight).cols.size;
      const part = narrow(ctx) ? EXPAND_NEAR.phone : EXPAND_NEAR.desktop;
      const near = fitBox(ctx, unionOf(cellsBox(lay, LN.out, [C - part.input, C]), cellsBox(lay, L.cFcWeight, [0, part.rows]), cellsBox(lay, L.fc, [0, part.rows])), narrow(ctx) ? PHONE_TIGHT : { yaw: -0.1, pitch: 0.06 });
      const camera = zoomAbout(far, near, centre(ctx, L.fc, r, T), zoom);

      // Once the camera is close, the input column is lit as far as the stage shows it.
      const highlights: Highlight[] = [{ block: LN.out, rows: [zoom >= 1 ? visibleFrom(ctx, near, LN.out, 'y') : 0, C], cols: [T, T + 1], role: 'source' }];
      const callouts: Callout[] = [];
      let links: Link[] = [];
      if (fill >= 1 && zoom < 0.5) {
        highlights.push(cols(L.fc, [T, T + 1], 'result'));
        const fc = blockOf(lay, L.fc);
        callouts.push({ ...pinAt(lay, ppuOf(ctx, far), L.fc, fc.position[0] + fc.size[0] + GAP_PX / ppuOf(ctx, far), fc.position[1] - tall + 0.5), text: howMany, role: 'result' });
      }
      if (zoom >= 0.5) {
        highlights.push(rows(L.cFcWeight, [r, r + 1], 'source'), cell(L.cFcBias, r, 0, 'source'), cell(L.fc, r, T, 'result'));
        const ppu = ppuOf(ctx, near);
        const gammaX = blockOf(lay, LN.gamma).position[0];
        const room = (gammaX - blockOf(lay, L.cFcWeight).position[0]) * ppu - 2 * GAP_PX;
        if (join >= 1) callouts.push(...sumCallouts(ctx, ppu, L.cFcWeight, gammaX, 12, [`dot product ${num(dot)}`, `+ bias ${num(bias)}`, `= ${num(value)}`], room));
        const result = cellEnd(L.fc, r, T);
        links = [
          ...link(end(LN.out, [C - TAIL, C], [T, T + 1]), result, join, 'source'),
          ...link(end(L.cFcWeight, [r, r + 1], [C - TAIL, C]), result, join, 'source'),
          ...(callouts.length ? link(result, { callout: callouts.length - 1 }, 1, 'result') : []),
        ];
      }
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: lerp(0, 0.55, zoom),
        describe: `The expansion multiplies each normalized column by ${tall} rows of ${products.length} weights, giving ${tall} numbers per letter; hidden unit ${r + 1} of the last letter is the dot product of its row with the column, ${num(dot)}, plus its bias ${num(bias)}: ${num(value)}.`,
      };
    },

    gelu: (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const slide = beat(t, 0.05, 0.3);
      const fill = beat(t, 0.36, 0.22);
      const zoom = beat(t, 0.6, 0.2);
      const side = geluBeside(ctx);
      const blocks = computedUpTo(lay, L.gelu, fill);
      blocks[L.gelu] = { ...blocks[L.gelu], offset: lerpVec([0, 0, 0], side, slide) };
      const texts = GELU_ROWS.map((r) => {
        const x = valueAt(ctx, L.fc, r, T);
        const y = valueAt(ctx, L.gelu, r, T);
        return `${num(x)} × gate ${num(y / x)} = ${num(y)}`;
      });
      const room = Math.max(...texts.map(calloutWidth)) + GAP_PX;
      const [lo, hi] = [GELU_ROWS[0] - 6, GELU_ROWS[GELU_ROWS.length - 1] + 7];
      const far = fitBox(ctx, unionOf(cellsBox(lay, L.cFcBias), cellsBox(lay, L.fc), cellsBox(lay, L.gelu, undefined, undefined, side)));
      const near = fitBox(ctx, unionOf(cellsBox(lay, L.cFcBias, [lo, hi]), cellsBox(lay, L.fc, [lo, hi]), cellsBox(lay, L.gelu, [lo, hi], undefined, side)), { right: room });
      const mid = centre(ctx, L.gelu, (lo + hi) / 2, T, side);
      const camera = zoomAbout(far, near, mid, zoom);

      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (fill >= 1 && zoom < 0.5) highlights.push(cols(L.fc, [T, T + 1], 'source'), cols(L.gelu, [T, T + 1], 'result'));
      const ppu = ppuOf(ctx, near);
      const g = blockOf(lay, L.gelu);
      GELU_ROWS.forEach((r, i) => {
        const shown = beat(t, 0.76 + i * 0.08, 0.08);
        if (shown <= 0) return;
        highlights.push(cell(L.fc, r, T, 'source'), cell(L.gelu, r, T, 'result'));
        links.push(...link(cellEnd(L.fc, r, T), cellEnd(L.gelu, r, T), shown, 'source'));
        if (shown >= 1) {
          // Beside GELU's block, level with the cell: the arrow from the input ends next to it.
          const x = g.position[0] + side[0] + g.size[0] + GAP_PX / ppu;
          callouts.push({ ...pinAt(lay, ppu, L.gelu, x, g.position[1] + side[1] - r - 0.5, 'right', side), text: texts[i]!, role: 'result' });
        }
      });
      const said = GELU_ROWS.map((r) => `hidden unit ${r + 1}: ${num(valueAt(ctx, L.fc, r, T))} becomes ${num(valueAt(ctx, L.gelu, r, T))}`);
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: lerp(0, 0.5, zoom),
        describe: `GELU is applied to every one of the ${ctx.config.n_embd * 4 * ctx.trace.ids.length} hidden numbers, each multiplied by a gate that opens as the number grows; the output is drawn beside its input. In the last column, ${said.join('; ')}.`,
      };
    },

    project: (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const ch = MLP_CHANNEL;
      const back = beat(t, 0, 0.28);
      const run = beat(t, 0.28, 0.36);
      const zoom = beat(t, 0.66, 0.2);
      const fill = beat(t, 0.82, 0.14);
      const { bias, products, value } = productsOf(ctx, L.mlpProj, ch, T);
      const n = products.length;
      const k = Math.round(run * n);
      const partial = bias + products.slice(0, k).reduce((s, [a, b]) => s + a * b, 0);
      const dot = value - bias;
      const blocks = computedUpTo(lay, L.mlpProj, fill);
      if (run >= 1 && fill < 1) blocks[L.mlpProj] = { reveal: { cols: T, rows: ch + 1 } };
      blocks[L.gelu] = { offset: lerpVec(geluBeside(ctx), [0, 0, 0], back) };

      const far = fitBox(ctx, unionOf(cellsBox(lay, L.gelu), cellsBox(lay, L.mlpCProjWeight), cellsBox(lay, L.mlpProj)));
      const tail = n - 40;
      // The whole result block, the right end of the weights and the foot of GELU's column. Turned
      // so that the weights' left part, off the stage, recedes: turned the other way, its near end
      // would reach below the frame. A phone's stage writes the sum in a column, which starts lower
      // (SUM_RISE) and needs a little room above.
      const down = blockOf(lay, L.mlpProj).rows.size;
      const near = fitBox(ctx, unionOf(cellsBox(lay, L.gelu, [n - 8, n]), cellsBox(lay, L.mlpCProjWeight, [0, down], [tail, n]), cellsBox(lay, L.mlpProj, [0, down])), { right: GAP_PX, yaw: PROJECT_YAW, pitch: 0.04, ...(narrow(ctx) && { above: 20, fill: 0.99 }) });
      const camera = zoomAbout(far, near, centre(ctx, L.mlpProj, ch, T), zoom);

      const highlights: Highlight[] = [];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      const result = cellEnd(L.mlpProj, ch, T);
      if (run > 0) {
        // Once the camera is close, the row and column are lit as far as the stage shows them.
        const [fromCol, fromRow] = zoom >= 1 ? [visibleFrom(ctx, near, L.mlpCProjWeight, 'x'), visibleFrom(ctx, near, L.gelu, 'y')] : [0, 0];
        highlights.push(
          { block: L.mlpCProjWeight, rows: [ch, ch + 1], cols: [fromCol, Math.max(1, k)], role: 'source' },
          { block: L.gelu, rows: [fromRow, Math.max(1, k)], cols: [T, T + 1], role: 'source' },
          cell(L.mlpCProjBias, ch, 0, 'source'),
          cell(L.mlpProj, ch, T, 'result'),
        );
        if (k < n) {
          // The pair being multiplied now, each with an arrow into the cell.
          const j = Math.max(0, k - 1);
          links.push(...link(cellEnd(L.mlpCProjWeight, ch, j), result, 1, 'source'), ...link(cellEnd(L.gelu, j, T), result, 1, 'source'));
        } else {
          links.push(...link(end(L.mlpCProjWeight, [ch, ch + 1], [n - TAIL, n]), result, 1, 'source'), ...link(end(L.gelu, [n - TAIL, n], [T, T + 1]), result, 1, 'source'));
        }
        const ppu = ppuOf(ctx, camera);
        const biasX = blockOf(lay, L.mlpCProjBias).position[0];
        const room = (biasX - blockOf(lay, L.mlpCProjWeight).position[0] - (zoom < 1 ? 0 : tail)) * ppu - 2 * GAP_PX;
        const parts = k < n ? [`bias ${num(bias)}`, `+ ${k} of ${n} products`, `= ${num(partial)}`] : [`dot product ${num(dot)}`, `+ bias ${num(bias)}`, `= ${num(value)}`];
        callouts.push(...sumCallouts(ctx, ppu, L.mlpCProjWeight, biasX, narrow(ctx) ? SUM_RISE.phone : SUM_RISE.desktop, parts, room));
        links.push(...link(result, { callout: callouts.length - 1 }, 1, 'result'));
      }
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: lerp(0, 0.55, zoom),
        describe: `The projection shrinks each column back to ${ctx.config.n_embd} channels: channel ${ch + 1} of the last letter is the dot product of its row of ${n} weights with the column of GELU outputs, ${num(dot)}, plus its bias ${num(bias)}: ${num(value)}.`,
      };
    },

    add: (ctx, t) => {
      const lay = ctx.layout;
      const T = lastCol(ctx);
      const ch = MLP_CHANNEL;
      const slide = beat(t, 0.06, 0.34);
      const fill = beat(t, 0.42, 0.3);
      const join = beat(t, 0.62, 0.2);
      const side = oldBesideNew(ctx);
      // A copy of the old stream slides down beside the new one (the block itself stays on the
      // spine, so the residual arrows keep their straight path).
      const offset = lerpVec([0, 0, 0], side, slide);
      const blocks = computedUpTo(lay, L.resid2, fill);
      const lifted = (rows?: Range, cols?: Range, role: HighlightRole = 'source', dz = 0): Highlight => ({ block: L.resid1, ...(rows && { rows }), ...(cols && { cols }), role, lift: [offset[0], offset[1], offset[2] + dz], copy: true });
      const a = valueAt(ctx, L.resid1, ch, T);
      const b = valueAt(ctx, L.mlpProj, ch, T);
      const c = valueAt(ctx, L.resid2, ch, T);
      // Three decimals, as the prose quotes them.
      const parts = [`stream ${fixed(a, 3)}`, `+ MLP ${fixed(b, 3)}`, `= ${fixed(c, 3)}`];
      const box = unionOf(cellsBox(lay, L.mlpCProjBias), cellsBox(lay, L.mlpProj), cellsBox(lay, L.resid2), cellsBox(lay, L.resid1, undefined, undefined, side));
      // The sum goes above the blocks on one line; a phone's stage is too narrow for that line over
      // them, so there it is written in a column right of the old stream.
      const camera = narrow(ctx) ? fitBox(ctx, box, { right: Math.max(...parts.map(calloutWidth)) + GAP_PX }) : fitBox(ctx, box, { above: GAP_PX + 24 });
      const ppu = ppuOf(ctx, camera);

      const highlights: Highlight[] = [cols(L.mlpProj, [T, T + 1], 'source'), lifted(undefined, undefined, 'muted'), lifted(undefined, [T, T + 1], 'source', 0.01)];
      const callouts: Callout[] = [];
      const links: Link[] = [];
      if (fill > 0) highlights.push(cols(L.resid2, [T, T + 1], 'result'));
      if (join > 0) {
        highlights.push(cell(L.mlpProj, ch, T, 'focus'), lifted([ch, ch + 1], [T, T + 1], 'focus', 0.02), cell(L.resid2, ch, T, 'result'));
        const result = cellEnd(L.resid2, ch, T);
        links.push(...link(cellEnd(L.mlpProj, ch, T), result, join, 'source'), ...link(cellEnd(L.resid1, ch, T), result, join, 'source'));
        if (join >= 1) {
          // Above the three blocks, ending over the old stream's right edge: the worked channel is their top row.
          const r1 = blockOf(lay, L.resid1);
          const right = r1.position[0] + r1.size[0] + side[0];
          const top = r1.position[1] + side[1];
          callouts.push(
            ...(narrow(ctx)
              ? sayAt(lay, ppu, L.resid2, right + GAP_PX / ppu, top - 0.5, parts, { maxPx: 0 })
              : sayAt(lay, ppu, L.resid2, right, top + (GAP_PX + 10) / ppu, parts, { side: 'left', upward: true })),
          );
          links.push(...link(result, { callout: callouts.length - 1 }, 1, 'result'));
        }
      }
      return {
        camera,
        blocks,
        highlights,
        callouts,
        links,
        dim: lerp(0, 0.5, slide),
        describe: `The MLP's output is added to the residual stream, cell by cell; a copy of the old stream is drawn beside the new one. In channel ${ch + 1} of the last letter, ${num(a)} + ${num(b)} = ${num(c)}.`,
      };
    },

    block: (ctx, t) => {
      const lay = ctx.layout;
      const layer = lay.blocks.filter((b) => b.layer === 0);
      const attention = layer.filter((b) => ['ln_1', 'attention', 'projection'].includes(b.stage));
      const mlpPart = layer.filter((b) => ['ln_2', 'mlp'].includes(b.stage));
      const weightsOf = (bs: typeof layer) => bs.filter((b) => b.kind === 'weight').reduce((s, b) => s + b.rows.size * b.cols.size, 0);
      const wAttn = weightsOf(attention);
      const wMlp = weightsOf(mlpPart);
      const back = beat(t, 0, 0.3);
      const pull = beat(t, 0.05, 0.45);
      const attn = beat(t, 0.4, 0.05);
      const mlpOn = beat(t, 0.62, 0.05);
      const near = fitBox(ctx, unionOf(cellsBox(lay, L.mlpProj), cellsBox(lay, L.resid2), cellsBox(lay, L.resid1, undefined, undefined, oldBesideNew(ctx))));
      const far = fitBox(ctx, unionOf(...layer.map((b) => cellsBox(lay, b.id))), narrow(ctx) ? { yaw: -0.16, pitch: 0.12, fill: 0.99 } : { yaw: -0.32, pitch: 0.2, fill: 0.92 });
      const ppu = ppuOf(ctx, far);
      const highlights: Highlight[] = [whole(L.resid1, 'result'), whole(L.resid2, 'result')];
      const callouts: Callout[] = [];
      if (attn > 0) {
        for (const b of attention) highlights.push(whole(b.id, mlpOn > 0 ? 'muted' : 'focus'));
        // Above the first head's query weights: open space right of the spine.
        const q = blockOf(lay, attention.find((b) => b.stage === 'attention')!.id);
        callouts.push({ ...pinAt(lay, ppu, q.id, q.position[0], q.position[1] + (GAP_PX + 10) / ppu), text: `attention: ${grouped(wAttn)} weights`, role: 'source' });
      }
      if (mlpOn > 0) {
        for (const b of mlpPart) highlights.push(whole(b.id, 'focus'));
        // Above the projection weights, the widest block of the MLP, in open space left of GELU.
        const w = blockOf(lay, L.mlpCProjWeight);
        callouts.push({ ...pinAt(lay, ppu, w.id, w.position[0], w.position[1] + (GAP_PX + 10) / ppu), text: `MLP: ${grouped(wMlp)} weights`, role: 'focus' });
      }
      return {
        camera: lerpCamera(near, far, pull),
        blocks: computedUpTo(lay, L.resid2),
        highlights: back < 1 ? [{ block: L.resid1, role: 'muted', lift: lerpVec(oldBesideNew(ctx), [0, 0, 0], back), copy: true }, ...highlights] : highlights,
        callouts,
        dim: lerp(0, 0.45, attn),
        describe: `One whole transformer block: attention (${grouped(wAttn)} weights) and the MLP (${grouped(wMlp)} weights), each adding its result to the residual stream.`,
      };
    },
  },
};
