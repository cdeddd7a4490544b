/**
 * Chapter 11, scale: nano, then GPT-2 small, GPT-2 XL and GPT-3 drawn at true size. Every layout
 * puts the top of its residual stream at the origin and draws one cell as one world unit, so a
 * camera means the same scale in all of them: each model step starts exactly where the previous
 * model was framed (the new model's top fills the old view) and pulls back, about that shared top,
 * until the new model fits. Markers pinned at the depth where the smaller models end keep the
 * comparison in sight.
 */
import { easeSinInOut } from 'd3-ease';
import { VOCAB } from '../../gpt/config.ts';
import { MODELS } from '../../scene/models.ts';
import { FOV_Y, frameBox, homeCamera } from '../../scene/camera.ts';
import type { Callout, CameraState, Highlight, HighlightRole, ModelId, ModelLayout, Vec3 } from '../../scene/types.ts';
import { beat } from '../beats.ts';
import type { ChapterDirector, DirectorContext, StepScene } from '../director.ts';
import { zoomAbout } from './camera-paths.ts';
import { ALL_COMPUTED, computedUpTo, overview, whole } from './common.ts';
import { bigCount, layerWork, modelParams, modelWork } from './scale-figures.ts';

/** The top of every model's residual stream: the point the pull-backs keep in place. */
const TOP: Vec3 = [0, 0, 0];

const layoutFor = (ctx: DirectorContext, id: ModelId): ModelLayout => (id === 'nano' ? ctx.layout : ctx.layoutOf(id, ctx.layout.T));
/** Where across the view the residual stream sits: left of centre, leaving room for the callouts. */
const spineAt = (ctx: DirectorContext) => (ctx.viewport.width < 500 ? 0.3 : 0.4);

/** Slides a camera sideways so that x = 0 (the residual stream) is at `spineAt` of the view's width. */
function spineLeft(ctx: DirectorContext, cam: CameraState): CameraState {
  const width = 2 * cam.distance * Math.tan(FOV_Y / 2) * (ctx.viewport.width / Math.max(1, ctx.viewport.height));
  return { ...cam, target: [(0.5 - spineAt(ctx)) * width, cam.target[1], cam.target[2]] };
}

/** The whole model, as the pull-backs frame it. */
const viewOf = (ctx: DirectorContext, id: ModelId): CameraState => spineLeft(ctx, overview(ctx, layoutFor(ctx, id)));
const nameOf = (id: ModelId) => (id === 'nano' ? 'nano' : MODELS[id].name);

/**
 * A callout on the block nearest to depth y along the residual stream and the lane beside it,
 * at the row at that depth: a mark for "a smaller model would end here".
 */
function markAtDepth(layout: ModelLayout, y: number, text: string, role: HighlightRole): Callout {
  let best = layout.blocks[0]!;
  let bestGap = Infinity;
  for (const b of layout.blocks) {
    if (b.position[0] < -2 * layout.T - 4 || b.position[0] > 2 * layout.T) continue;
    const top = b.position[1];
    const bottom = top - b.size[1];
    const gap = y > top ? y - top : y < bottom ? bottom - y : 0;
    if (gap < bestGap) {
      best = b;
      bestGap = gap;
    }
  }
  const row = Math.max(0, Math.min(best.rows.size - 1, Math.floor(best.position[1] - y)));
  return { block: best.id, row, col: 0, text, role };
}

/** Bottom edge (lowest y) of a model's layout. */
const depthOf = (ctx: DirectorContext, id: ModelId) => layoutFor(ctx, id).bounds.min[1];

const SIZE_ORDER: ModelId[] = ['nano', 'gpt2-small', 'gpt2-xl', 'gpt3'];

/**
 * One model step: the camera starts on the previous model's whole view (same world scale, so the
 * new model's top fills the frame) and pulls back until the new model fits. The stretch the
 * previous model would cover is tinted, and every smaller model is marked where it would end.
 */
function modelStep(id: ModelId, previous: ModelId) {
  return (ctx: DirectorContext, t: number): StepScene => {
    const layout = layoutFor(ctx, id);
    const { n_layer: L, n_embd: C, n_head: H } = MODELS[id].config;
    const pull = beat(t, 0.12, 0.7);
    const camera = zoomAbout(viewOf(ctx, previous), viewOf(ctx, id), TOP, pull);
    const bottom = layout.bounds.min[1];
    const wte = layout.blocks.find((b) => b.id === 'wte')!;
    const callouts: Callout[] = [];
    if (pull < 0.3) {
      // Close up, the view is filled by the token table: say what it is.
      callouts.push({ block: 'wte', row: 0, col: wte.cols.size - 1, text: `token embeddings alone: ${wte.rows.size.toLocaleString('en-US')} × ${wte.cols.size.toLocaleString('en-US')}`, role: 'focus' });
    } else {
      // Nearest first, so when labels collide the one that matters most at this scale stays.
      const smaller = SIZE_ORDER.slice(0, SIZE_ORDER.indexOf(id)).reverse();
      callouts.push(
        markAtDepth(layout, bottom * 0.4, `${nameOf(id)}: ${bigCount(modelParams(id))} weights`, 'focus'),
        markAtDepth(layout, bottom * 0.52, `${L} layers, ${C.toLocaleString('en-US')} channels, ${H} heads`, 'focus'),
        ...smaller.map((m) => markAtDepth(layout, depthOf(ctx, m), `${nameOf(m)} would end here`, m === previous ? 'source' : 'muted')),
      );
    }
    // The blocks within the previous model's height, tinted as the view pulls back.
    const within = depthOf(ctx, previous);
    const highlights: Highlight[] = pull > 0.3 ? layout.blocks.filter((b) => b.position[1] - b.size[1] >= within).map((b) => whole(b.id, 'source')) : [];
    return {
      model: id,
      camera,
      highlights,
      callouts,
      describe: `${nameOf(id)} at the same scale as ${nameOf(previous)}, then pulled back to show all of it: ${L} layers of ${C} channels, ${bigCount(modelParams(id))} weights, ${bigCount(modelWork(id))} multiply-adds per token. All of ${nameOf(previous)} would fit in its top ${Math.max(1, Math.round((100 * within) / bottom))}%.`,
    };
  };
}

/** Vertical extent of each layer (index l) and of the output head (index n_layer), per layout. */
const spans = new WeakMap<ModelLayout, { top: number; bottom: number }[]>();
function layerSpan(layout: ModelLayout, l: number): { top: number; bottom: number } {
  let list = spans.get(layout);
  if (!list) {
    const L = layout.config.n_layer;
    list = Array.from({ length: L + 1 }, () => ({ top: -Infinity, bottom: Infinity }));
    for (const b of layout.blocks) {
      // Layer-less blocks below the embeddings belong to the output head.
      const i = b.layer ?? (b.position[1] < -2 * layout.config.n_embd ? L : -1);
      if (i < 0) continue;
      list[i]!.top = Math.max(list[i]!.top, b.position[1]);
      list[i]!.bottom = Math.min(list[i]!.bottom, b.position[1] - b.size[1]);
    }
    spans.set(layout, list);
  }
  return list[l]!;
}

/** A camera riding down GPT-3's spine, about four layers tall, centred at depth y. */
function rideAt(ctx: DirectorContext, layout: ModelLayout, y: number): CameraState {
  const first = layerSpan(layout, 0);
  const height = 4 * (first.top - first.bottom);
  return spineLeft(ctx, frameBox([-1, y - height / 2, -1], [1, y + height / 2, 0], ctx.viewport.width, ctx.viewport.height, -0.18, 0.1));
}

export const scale: ChapterDirector = {
  chapter: 'scale',
  model: 'nano',
  cuts: ['gpt2-small', 'gpt2-xl', 'gpt3', 'closing'],
  steps: {
    nano: (ctx, t) => {
      // One more sweep of the forward pass through the model we know, to size it up.
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.15, 0.75);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      return {
        camera: viewOf(ctx, 'nano'),
        blocks: u >= 1 ? ALL_COMPUTED : computedUpTo(ctx.layout, current.id, u * flow.length - k),
        highlights: u > 0 && u < 1 ? [whole(current.id, 'focus')] : [],
        callouts: [
          { block: 'tokens', row: 0, col: 0, text: `nano: ${bigCount(modelParams('nano'))} weights`, role: 'focus' },
          { block: 'probs', row: 0, col: ctx.layout.T - 1, text: `${bigCount(modelWork('nano'))} multiply-adds per letter`, role: 'focus' },
        ],
        describe: `The sorter, nano, whole: ${ctx.config.n_layer} layers of ${ctx.config.n_embd} channels, ${bigCount(modelParams('nano'))} weights, ${bigCount(modelWork('nano'))} multiply-adds for each letter it writes.`,
      };
    },

    'gpt2-small': modelStep('gpt2-small', 'nano'),
    'gpt2-xl': modelStep('gpt2-xl', 'gpt2-small'),
    gpt3: modelStep('gpt3', 'gpt2-xl'),

    work: (ctx, t) => {
      // One token's trip through GPT-3: dive to its top, ride down the layers as the count runs,
      // then pull back to the whole tower.
      const id: ModelId = 'gpt3';
      const layout = layoutFor(ctx, id);
      const L = MODELS[id].config.n_layer;
      const whole3 = viewOf(ctx, id);
      const firstY = (layerSpan(layout, 0).top + layerSpan(layout, 0).bottom) / 2;
      const head = layerSpan(layout, L);
      const lastY = (head.top + head.bottom) / 2;
      // Gentler than the default cubic ease at its middle, so the layers stream past at a readable pace.
      const ride = beat(t, 0.28, 0.52, easeSinInOut);
      const y = firstY + (lastY - firstY) * ride;
      let camera = zoomAbout(whole3, rideAt(ctx, layout, firstY), TOP, beat(t, 0.02, 0.24));
      if (ride > 0) camera = rideAt(ctx, layout, y);
      const back = beat(t, 0.8, 0.19);
      if (back > 0) camera = zoomAbout(rideAt(ctx, layout, lastY), whole3, [0, head.bottom, 0], back);
      // The layer at the centre of the view is the one being computed.
      let current = 0;
      while (current < L && layerSpan(layout, current).bottom > y) current++;
      const highlights: Highlight[] = layout.blocks.filter((b) => (current < L ? b.layer === current : b.layer === null && b.position[1] <= head.top)).map((b) => whole(b.id, 'focus'));
      const soFar = current * layerWork(id);
      const callouts: Callout[] =
        current < L
          ? [
              { block: `h.${current}.mlp.c_fc`, row: 0, col: 0, text: `layer ${current + 1} of ${L}: ${bigCount(layerWork(id), 'short')} multiply-adds`, role: 'focus' },
              { block: `h.${current}.resid_2`, row: 0, col: 0, text: `${bigCount(soFar, 'short')} so far`, role: 'focus' },
            ]
          : [{ block: 'probs', row: 0, col: 0, text: `in all: ${bigCount(modelWork(id))} multiply-adds`, role: 'result' }];
      return {
        model: id,
        camera,
        highlights: back > 0.5 ? [] : highlights,
        callouts,
        dim: 0.25 * (1 - back),
        describe: `One token passing down GPT-3's ${L} layers, about ${bigCount(layerWork(id), 'short')} multiply-adds each, ${bigCount(modelWork(id))} in all with the output head, against ${bigCount(modelWork('nano'))} for one of nano's letters.`,
      };
    },

    closing: (ctx, t) => {
      // Down from GPT-3's whole view, about the shared top, to the sorter whole, then in to where
      // the explorer starts: the input, the embeddings and the first attention layer. The last
      // pass of the generation is shown, so the input row holds the letters the model wrote.
      const trace = ctx.generation?.traces[ctx.generation.traces.length - 1] ?? ctx.trace;
      const layout = ctx.layoutOf('nano', trace.ids.length);
      const sorter = spineLeft(ctx, overview(ctx, layout));
      const home = homeCamera(layout, ctx.viewport.width, ctx.viewport.height);
      const camera = t < 0.5 ? zoomAbout(viewOf(ctx, 'gpt3'), sorter, TOP, beat(t, 0, 0.5)) : zoomAbout(sorter, home, TOP, beat(t, 0.55, 0.4));
      const out = ctx.generation ? ctx.generation.tokens.map((i) => VOCAB[i] ?? '?').join('') : '…';
      return {
        camera,
        trace,
        callouts: [{ block: 'tok_emb', row: 1, col: trace.ids.length - 1, text: `${ctx.choices.input} in, ${out} out`, role: 'result' }],
        describe: `Back to nano, from GPT-3's scale down to the sorter and in to its input, embeddings and first attention layer: ${bigCount(modelParams('nano'))} weights that turn ${ctx.choices.input} into ${out}.`,
      };
    },
  },
};
