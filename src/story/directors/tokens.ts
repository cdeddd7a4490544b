/** Chapter 2, tokens: the sorting task, the three-token vocabulary, the reader's letters, one column per token, room for the outputs. */
import { CAMERA_MOVE, type ChapterDirector, type DirectorContext } from '../director.ts';
import type { CameraState, Callout, Highlight, Link } from '../../scene/types.ts';
import { beat, countAt, lerpCamera } from '../beats.ts';
import { computedUpTo, folded, mergeStyles, whole } from './common.ts';
import { blockOf, fit, letter, visiting } from './column-focus.ts';
import { fitRegions, narrow, pinAbove, pinCentre, pxPerUnit } from './stage-fit.ts';
import { foldStyles } from '../../scene/fold.ts';
import { TOP_IDS } from '../../scene/ids.ts';

const TOKENS = TOP_IDS.tokens;
/** Room kept above the input row for the callouts written over it, CSS px. */
const CALLOUT_ROOM = 48;
/** How strongly the blocks around the subject are faded. */
const DIM = 0.6;

/**
 * The input row and the free columns kept for the model's letters, with the tops of the tables
 * below for context and room above for the callouts.
 */
function strip(ctx: DirectorContext): CameraState {
  const wte = blockOf(ctx, TOP_IDS.wte);
  const tokens = blockOf(ctx, TOKENS);
  const left = wte.position[0] - tokens.position[0];
  // As many rows below as keep the framed box the stage's shape, so the strip sits at the top with the tables under it.
  const below = Math.max(7, ((ctx.config.block_size - left) * ctx.viewport.height) / Math.max(1, ctx.viewport.width) - 1.5);
  return fitRegions(ctx, [{ block: TOKENS, rows: [0, below], cols: [left, ctx.config.block_size] }], { yaw: -0.12, pitch: 0.08, roomAbove: CALLOUT_ROOM });
}

/**
 * The top of the columns: the input row and as far down the blocks below it as the stage can
 * show with cells still big enough to see (about 12 px on a desktop stage, 6.5 on a phone's).
 */
function columnTop(ctx: DirectorContext): { cam: CameraState; bottom: number } {
  const minCell = narrow(ctx) ? 6.5 : 12;
  const rows = Math.min(ctx.config.n_embd * 2 + 4, (ctx.viewport.height * 0.86 - CALLOUT_ROOM) / minCell);
  const wte = blockOf(ctx, TOP_IDS.wte);
  const tokens = blockOf(ctx, TOKENS);
  const embed = blockOf(ctx, TOP_IDS.embed);
  const cam = fitRegions(ctx, [{ block: TOKENS, rows: [0, rows], cols: [wte.position[0] - tokens.position[0], embed.position[0] + embed.size[0] - tokens.position[0]] }], { yaw: -0.14, pitch: 0.08, roomAbove: CALLOUT_ROOM });
  // The lowest world y still on the stage (a few px of slack), measured on the plane of the blocks' faces.
  const ppu = pxPerUnit(ctx, cam);
  return { cam, bottom: cam.target[1] - (ctx.viewport.height / 2 - 8) / ppu };
}

/** Blocks drawn one token wide per position, top to bottom: where a column can be followed. */
const COLUMN_BLOCKS = [TOKENS, TOP_IDS.tokEmb, TOP_IDS.posEmb, TOP_IDS.embed, 'h.0.ln_1.mean', 'h.0.ln_1.rstd', 'h.0.ln_1'];

function sortedInput(ctx: DirectorContext): string {
  return [...ctx.trace.ids].sort((a, b) => a - b).map(letter).join('');
}

export const tokens: ChapterDirector = {
  chapter: 'tokens',
  model: 'nano',
  overviews: ['your-letters'],
  steps: {
    task: (ctx, t) => {
      // The input is read left to right, then the sorted answer is written out letter by letter.
      const T = ctx.trace.ids.length;
      const cam = strip(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const read = beat(t, 0.15, 0.4);
      const write = beat(t, 0.55, 0.35);
      const k = visiting(T, read);
      const highlights: Highlight[] = read > 0 && read < 1 ? [{ block: TOKENS, cols: [k, k + 1], role: 'focus' }] : [];
      if (write > 0) highlights.push(whole(TOKENS, 'source'));
      const shown = countAt(T, write);
      const text = `sorted: ${sortedInput(ctx).slice(0, shown)}`;
      const callouts: Callout[] = shown > 0 ? [{ block: TOKENS, ...pinAbove(0, (T + ctx.config.block_size - 1) / 2, ppu, `sorted: ${sortedInput(ctx)}`, { gap: 10 }), text, role: 'result' }] : [];
      const links: Link[] = shown > 0 ? [{ from: { block: TOKENS }, to: { callout: 0 }, role: 'result', progress: write }] : [];
      return {
        camera: cam,
        blocks: computedUpTo(ctx.layout, TOKENS),
        highlights,
        callouts,
        links,
        dim: DIM,
        describe: `The six input letters ${ctx.choices.input} at the top of the model; sorted they read ${sortedInput(ctx)}.`,
      };
    },
    vocabulary: (ctx, t) => {
      // Each letter in turn is looked up in the vocabulary and gets its id written above it.
      const ids = ctx.trace.ids;
      const V = ctx.config.vocab_size;
      const cam = strip(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const u = beat(t, 0.2, 0.7);
      const k = visiting(ids.length, u);
      const legend = fit(ctx, 'vocabulary: ', '') + Array.from({ length: V }, (_, v) => `${letter(v)} = ${v}`).join(', ');
      const callouts: Callout[] = [{ block: TOKENS, ...pinAbove(0, ids.length, ppu, legend, { gap: 10, align: 'left' }), text: legend, role: 'source' }];
      ids.slice(0, u > 0 ? k + 1 : 0).forEach((id, col) => {
        const text = fit(ctx, `id ${id}`, String(id));
        callouts.push({ block: TOKENS, ...pinAbove(0, col, ppu, text), text, role: col === k && u < 1 ? 'focus' : 'result' });
      });
      return {
        camera: cam,
        blocks: computedUpTo(ctx.layout, TOKENS),
        highlights: u > 0 && u < 1 ? [{ block: TOKENS, cols: [k, k + 1], role: 'focus' }] : [whole(TOKENS, 'result')],
        callouts,
        dim: DIM,
        describe: `The letters ${ctx.choices.input} become the token ids ${ids.join(', ')} (A is 0, B is 1, C is 2).`,
      };
    },
    'your-letters': (ctx, t) => {
      // The camera pulls back while the model folds into columns that fill the stage; then the
      // reader's letters flow down through every block, down to the prediction of the next letter.
      const { fold, camera } = folded(ctx);
      const pull = beat(t, 0.05, 0.35);
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.4, 0.55);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      const place = foldStyles(null, fold, pull);
      return {
        camera: lerpCamera(strip(ctx), camera, pull),
        blocks: u >= 1 ? place : mergeStyles(place, computedUpTo(ctx.layout, current.id, u * flow.length - k)),
        highlights: u > 0 && u < 1 ? [whole(current.id, 'focus')] : [whole(TOKENS, 'focus')],
        describe: `Your letters ${ctx.choices.input} enter at the top and every block below is computed from them, down to the prediction of the next letter (the whole model, folded into ${fold.columns} columns that read top to bottom).`,
      };
    },
    columns: (ctx, t) => {
      // One position at a time, the same column lights up in every block it passes through (as far down as the stage shows).
      const T = ctx.trace.ids.length;
      const { cam, bottom } = columnTop(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const u = beat(t, 0.22, 0.72);
      const k = visiting(T, u);
      const highlights: Highlight[] = [];
      for (const id of COLUMN_BLOCKS) {
        const b = blockOf(ctx, id);
        const shown = Math.min(b.rows.size, Math.floor(b.position[1] - bottom));
        if (shown > 0) highlights.push({ block: id, rows: [0, shown], cols: [k, k + 1], role: 'focus' });
      }
      const text = `position ${k + 1}: ${letter(ctx.trace.ids[k]!)}`;
      return {
        camera: cam,
        // The fold of the previous step opens back into the model as laid out while the camera moves in.
        blocks: foldStyles(folded(ctx).fold, null, beat(t, 0, CAMERA_MOVE)),
        highlights,
        callouts: u > 0 ? [{ block: TOKENS, ...pinAbove(0, k, ppu, text), text, role: 'focus' }] : [],
        dim: DIM,
        describe: `Position ${k + 1} of ${T} (${letter(ctx.trace.ids[k]!)}) is one column, followed down from the input through the token and position embeddings into the input embedding, and on down the model.`,
      };
    },
    appending: (ctx, t) => {
      // The model's letters take the free columns one by one; the last answer is never read back.
      const T = ctx.trace.ids.length;
      const S = ctx.config.block_size;
      const free = S - T;
      const out = ctx.generation?.tokens ?? null;
      const cam = strip(ctx);
      const ppu = pxPerUnit(ctx, cam);
      const u = beat(t, 0.25, 0.6);
      const appended = countAt(free, u);
      const callouts: Callout[] = [];
      const links: Link[] = [];
      for (let i = 0; i < appended; i++) {
        const text = fit(ctx, `${T + i + 1}: `, '') + (out ? letter(out[i]!) : '?');
        callouts.push({ block: TOKENS, ...pinCentre(0, T + i, ppu, text), text, role: 'result' });
      }
      // The newest letter is predicted from the token before its slot: the last input letter, then each answer in turn.
      if (appended > 0 && appended < free) {
        links.push({ from: appended === 1 ? { block: TOKENS, cols: [T - 1, T] } : { callout: appended - 2 }, to: { callout: appended - 1 }, role: 'result' });
      }
      const last = beat(t, 0.88, 0.08);
      if (last > 0) {
        const text = `last answer: ${out ? letter(out[free]!) : '?'}`;
        callouts.push({ block: TOKENS, ...pinAbove(0, T + 1, ppu, text, { gap: 10, align: 'left' }), text, role: 'muted' });
        links.push({ from: { callout: appended - 1 }, to: { callout: callouts.length - 1 }, role: 'muted', progress: last });
      }
      const outText = out ? out.map(letter).join('') : 'still being computed';
      return {
        camera: cam,
        blocks: computedUpTo(ctx.layout, TOKENS),
        highlights: [whole(TOKENS, 'source')],
        callouts,
        links,
        dim: DIM,
        describe: `Six input columns, then room for ${free} more: the model's answers (${outText}) are appended one at a time, up to ${S} tokens.`,
      };
    },
  },
};
