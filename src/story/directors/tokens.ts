/** Chapter 2, tokens: the sorting task, the three-token vocabulary, the reader's letters, one column per token, room for the outputs. */
import type { ChapterDirector, DirectorContext } from '../director.ts';
import type { CameraState, Callout, Highlight } from '../../scene/types.ts';
import { beat, countAt, lerpCamera } from '../beats.ts';
import { ALL_COMPUTED, computedUpTo, frame, overview, whole } from './common.ts';
import { fit, frameRegions, letter, visiting } from './column-focus.ts';
import { TOP_IDS } from '../../scene/ids.ts';

/** Input columns plus the five kept free for the model's own letters. */
function strip(ctx: DirectorContext): CameraState {
  // Rows below the strip are included so the strip sits high, with the empty embedding underneath.
  return frameRegions(ctx, [{ block: TOP_IDS.tokens, rows: [-2, 7], cols: [-1, ctx.config.block_size] }], { zoom: 1.15, yaw: -0.12, pitch: 0.08 });
}

/** The top of the model, where every token's column starts. */
function top(ctx: DirectorContext): CameraState {
  return frame(ctx, [TOP_IDS.tokens, TOP_IDS.wpe, TOP_IDS.embed, 'h.0.ln_1'], { zoom: 1.05 });
}

/** Blocks drawn one token wide per position, top to bottom: where a column can be followed. */
const COLUMN_BLOCKS = [TOP_IDS.tokens, TOP_IDS.tokEmb, TOP_IDS.posEmb, TOP_IDS.embed, 'h.0.ln_1.mean', 'h.0.ln_1.rstd', 'h.0.ln_1'];

function sortedInput(ctx: DirectorContext): string {
  return [...ctx.trace.ids].sort((a, b) => a - b).map(letter).join('');
}

export const tokens: ChapterDirector = {
  chapter: 'tokens',
  model: 'nano',
  steps: {
    task: (ctx, t) => {
      // The input is read left to right, then the sorted answer is written out letter by letter.
      const T = ctx.trace.ids.length;
      const read = beat(t, 0.15, 0.4);
      const write = beat(t, 0.55, 0.35);
      const k = visiting(T, read);
      const highlights: Highlight[] = read > 0 && read < 1 ? [{ block: TOP_IDS.tokens, cols: [k, k + 1], role: 'focus' }] : [];
      if (write > 0) highlights.push(whole(TOP_IDS.tokens, 'source'));
      const shown = countAt(T, write);
      const callouts: Callout[] = shown > 0 ? [{ block: TOP_IDS.tokens, row: 0, col: T, text: `sorted: ${sortedInput(ctx).slice(0, shown)}`, role: 'result' }] : [];
      return {
        camera: strip(ctx),
        blocks: computedUpTo(ctx.layout, TOP_IDS.tokens),
        highlights,
        callouts,
        dim: 0.6,
        describe: `The six input letters ${ctx.choices.input} at the top of the model; sorted they read ${sortedInput(ctx)}.`,
      };
    },
    vocabulary: (ctx, t) => {
      // Each letter in turn is looked up in the vocabulary and gets its id written beside it.
      const ids = ctx.trace.ids;
      const u = beat(t, 0.2, 0.7);
      const k = visiting(ids.length, u);
      const callouts: Callout[] = ids.slice(0, u > 0 ? k + 1 : 0).map((id, col) => ({ block: TOP_IDS.tokens, row: -0.7, col, text: fit(ctx, `id ${id}`, String(id)), role: col === k && u < 1 ? 'focus' : 'result' }));
      return {
        camera: strip(ctx),
        blocks: computedUpTo(ctx.layout, TOP_IDS.tokens),
        highlights: u > 0 && u < 1 ? [{ block: TOP_IDS.tokens, cols: [k, k + 1], role: 'focus' }] : [whole(TOP_IDS.tokens, 'result')],
        callouts,
        dim: 0.6,
        describe: `The letters ${ctx.choices.input} become the token ids ${ids.join(', ')} (A is 0, B is 1, C is 2).`,
      };
    },
    'your-letters': (ctx, t) => {
      // The reader's letters flow down through every block while the camera pulls back to the whole model.
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.25, 0.7);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      return {
        camera: lerpCamera(top(ctx), overview(ctx), beat(t, 0.3, 0.6)),
        blocks: u >= 1 ? ALL_COMPUTED : computedUpTo(ctx.layout, current.id, u * flow.length - k),
        highlights: u > 0 && u < 1 ? [whole(current.id, 'focus')] : [whole(TOP_IDS.tokens, 'focus')],
        describe: `Your letters ${ctx.choices.input} enter at the top and every block below is computed from them, down to the prediction of the next letter.`,
      };
    },
    columns: (ctx, t) => {
      // One position at a time, the same column lights up in every block it passes through.
      const T = ctx.trace.ids.length;
      const u = beat(t, 0.22, 0.72);
      const k = visiting(T, u);
      const highlights: Highlight[] = COLUMN_BLOCKS.map((id) => ({ block: id, cols: [k, k + 1], role: 'focus' }));
      return {
        camera: top(ctx),
        blocks: ALL_COMPUTED,
        highlights,
        callouts: [{ block: TOP_IDS.tokens, row: 0, col: k, text: `position ${k + 1}: ${letter(ctx.trace.ids[k]!)}`, role: 'focus' }],
        dim: 0.55,
        describe: `Position ${k + 1} of ${T} (${letter(ctx.trace.ids[k]!)}) is one column, followed down through the embedding and the first layer norm.`,
      };
    },
    appending: (ctx, t) => {
      // The model's letters take the free columns one by one; the last answer is never read back.
      const T = ctx.trace.ids.length;
      const free = ctx.config.block_size - T;
      const out = ctx.generation?.tokens ?? null;
      const u = beat(t, 0.25, 0.6);
      const appended = countAt(free, u);
      const callouts: Callout[] = [];
      for (let i = 0; i < appended; i++) {
        callouts.push({ block: TOP_IDS.tokens, row: -0.7, col: T + i, text: fit(ctx, `${T + i + 1}: `, '') + (out ? letter(out[i]!) : '?'), role: 'result' });
      }
      const last = beat(t, 0.88, 0.08);
      if (last > 0) {
        callouts.push({ block: TOP_IDS.tokens, row: 1.6, col: T, text: `last answer: ${out ? letter(out[free]!) : '?'}`, role: 'muted' });
      }
      const outText = out ? out.map(letter).join('') : 'still being computed';
      return {
        camera: strip(ctx),
        blocks: computedUpTo(ctx.layout, TOP_IDS.tokens),
        highlights: [whole(TOP_IDS.tokens, 'source')],
        callouts,
        dim: 0.6,
        describe: `Six input columns, then room for ${free} more: the model's answers (${outText}) are appended one at a time, up to ${ctx.config.block_size} tokens.`,
      };
    },
  },
};
