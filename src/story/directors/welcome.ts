/** Chapter 1, welcome: the whole model, the legend, one sweep of the forward pass, the controls. */
import { CAMERA_MOVE, type ChapterDirector } from '../director.ts';
import { beat, lerpCamera } from '../beats.ts';
import { cell, computedUpTo, folded, frame, lastCol, mergeStyles, whole } from './common.ts';
import { argmax, prob } from './forward-sweep.ts';
import { VOCAB } from '../../gpt/config.ts';
import type { DirectorContext } from '../director.ts';
import { foldStyles } from '../../scene/fold.ts';
import { TOP_IDS } from '../../scene/ids.ts';
import { grouped } from '../../scene/numbers.ts';

export const welcome: ChapterDirector = {
  chapter: 'welcome',
  model: 'nano',
  overviews: ['overview', 'sweep', 'controls'],
  steps: {
    overview: (ctx, t) => {
      // Open close on real cells (the embeddings and layer 1's first head), then pull back while
      // the model folds into the columns that fill the stage, seen obliquely so blocks read as solids.
      const { fold, camera } = folded(ctx);
      const u = beat(t, 0.25, 0.65);
      return {
        camera: lerpCamera(frame(ctx, [TOP_IDS.wte, TOP_IDS.embed, 'h.0.ln_1', 'h.0.attn.head0.q'], { yaw: -0.5, pitch: 0.3 }), camera, u),
        blocks: foldStyles(null, fold, u),
        describe: `The whole model: ${ctx.layout.blocks.length} blocks of cells, ${grouped(ctx.layout.params)} weights in all, for the input ${ctx.choices.input}, folded into ${fold.columns} columns that read top to bottom.`,
      };
    },
    legend: (ctx, t) => ({
      // One row of blocks, 48 cells tall: big enough to tell cells and their colours apart.
      camera: frame(ctx, [TOP_IDS.wpe, TOP_IDS.posEmb, TOP_IDS.embed], { zoom: 1.05 }),
      // Unfold while the camera moves in (the embeddings stay where they are in the fold).
      blocks: foldStyles(folded(ctx).fold, null, beat(t, 0, CAMERA_MOVE)),
      highlights: [whole(TOP_IDS.wpe, 'source'), whole(TOP_IDS.embed, 'result')],
      dim: 0.5,
      describe: 'A blue block of weights (the position embedding table) beside green blocks of activations (the position embeddings and the input embedding).',
    }),
    sweep: (ctx, t) => {
      // The forward pass runs top to bottom: activations fill block by block as t advances.
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.22, 0.7);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      const { fold, camera } = folded(ctx);
      const place = foldStyles(null, fold, beat(t, 0, CAMERA_MOVE));
      const T = lastCol(ctx);
      const probs = nextProbs(ctx);
      const best = argmax(probs);
      return {
        camera,
        blocks: u >= 1 ? place : mergeStyles(place, computedUpTo(ctx.layout, current.id, u * flow.length - k)),
        // At the end, the two things the prose names: the letters that went in at the top and the
        // probability of the letter the model names at the bottom.
        highlights: u > 0 && u < 1 ? [whole(current.id, 'focus')] : u >= 1 ? [whole(TOP_IDS.tokens, 'source'), cell(TOP_IDS.probs, best, T, 'result')] : [],
        callouts:
          u >= 1
            ? [
                { block: TOP_IDS.tokens, text: `in: ${ctx.choices.input}`, role: 'source' },
                { block: TOP_IDS.probs, row: best, col: T, text: `next letter ${VOCAB[best]}: ${prob(probs[best]!)}`, role: 'result' },
              ]
            : [],
        describe:
          u >= 1
            ? `The forward pass has swept down the model: ${ctx.choices.input} went in at the top; at the bottom the model names ${VOCAB[best]} with probability ${prob(probs[best]!)}.`
            : `The forward pass sweeps down the model; now computing ${current.label}.`,
      };
    },
    controls: (ctx) => {
      const { fold, camera } = folded(ctx, ctx.layout, { yaw: -0.5, pitch: 0.3 });
      return { camera, blocks: fold.styles, describe: 'The model seen from an angle: each block is a slab of cells.' };
    },
  },
};

/** The probabilities of the next letter after the input: the last column of the output. */
function nextProbs(ctx: DirectorContext): number[] {
  const p = ctx.trace.tensors['probs']!;
  const V = p.shape[1]!;
  const T = ctx.trace.ids.length;
  return Array.from(p.data.subarray((T - 1) * V, T * V));
}
