/** Chapter 1, welcome: the whole model, the legend, one sweep of the forward pass, the controls. */
import type { ChapterDirector } from '../director.ts';
import { beat, lerpCamera } from '../beats.ts';
import { ALL_COMPUTED, computedUpTo, frame, overview, whole } from './common.ts';
import { TOP_IDS } from '../../scene/ids.ts';

export const welcome: ChapterDirector = {
  chapter: 'welcome',
  model: 'nano',
  steps: {
    overview: (ctx, t) => ({
      // Open close on real cells (the embeddings and layer 1's first head), then pull back to the
      // whole model, turned a little so the blocks read as slabs.
      camera: lerpCamera(
        frame(ctx, [TOP_IDS.wte, TOP_IDS.embed, 'h.0.ln_1', 'h.0.attn.head0.q'], { yaw: -0.5, pitch: 0.3 }),
        { ...overview(ctx), yaw: -0.55, pitch: 0.35 },
        beat(t, 0.25, 0.65),
      ),
      describe: `The whole model: ${ctx.layout.blocks.length} blocks of cells, ${ctx.layout.params.toLocaleString('en-US')} weights in all, for the input ${ctx.choices.input}.`,
    }),
    legend: (ctx) => ({
      camera: frame(ctx, [TOP_IDS.wte, TOP_IDS.wpe, TOP_IDS.embed], { zoom: 1.3 }),
      highlights: [whole(TOP_IDS.wte, 'source'), whole(TOP_IDS.wpe, 'source'), whole(TOP_IDS.embed, 'result')],
      dim: 0.5,
      describe: 'Blue blocks of weights (the token and position embeddings) beside a green block of activations (the input embedding).',
    }),
    sweep: (ctx, t) => {
      // The forward pass runs top to bottom: activations fill block by block as t advances.
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.22, 0.7);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      return {
        camera: overview(ctx),
        blocks: u >= 1 ? ALL_COMPUTED : computedUpTo(ctx.layout, current.id, u * flow.length - k),
        highlights: u > 0 && u < 1 ? [whole(current.id, 'focus')] : [],
        describe: `The forward pass sweeps down the model; now computing ${current.label}.`,
      };
    },
    controls: (ctx) => ({
      camera: { ...overview(ctx), yaw: -0.9, pitch: 0.45 },
      describe: 'The model seen from an angle: each block is a slab of cells.',
    }),
  },
};
