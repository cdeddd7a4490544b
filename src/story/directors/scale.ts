/**
 * Chapter 11, scale: nano, then GPT-2 small, GPT-2 XL and GPT-3 drawn at true size: one cell is
 * one number in every model. Each model is folded into the columns that fill the stage
 * (src/scene/fold.ts), so its whole drawing is in view, not a hairline. The comparison the picture
 * invites is one of areas, and it is made exact: each model step opens on a tinted stretch of the
 * new model that holds as many weights as the whole previous model (a sliver of rows for nano,
 * whole layers for the GPT-2s), then pulls back to the whole, so the tint's share of the drawing
 * is the previous model's share of the weights. nano is marked at the foot of every model.
 */
import { easeSinInOut } from 'd3-ease';
import { VOCAB } from '../../gpt/config.ts';
import { MODELS } from '../../scene/models.ts';
import { frameBox, homeCamera } from '../../scene/camera.ts';
import { foldStyles, type Fold } from '../../scene/fold.ts';
import type { Callout, CameraState, Highlight, ModelId, ModelLayout, Range, Vec3 } from '../../scene/types.ts';
import { beat } from '../beats.ts';
import type { ChapterDirector, DirectorContext, StepScene } from '../director.ts';
import { zoomAbout } from './camera-paths.ts';
import { computedUpTo, folded, mergeStyles, whole } from './common.ts';
import { cellsBox, unionOf, type Box } from './forward-sweep.ts';
import { narrow } from './stage-fit.ts';
import { bigCount, layersHolding, layerWork, modelParams, modelWork, rowsHolding } from './scale-figures.ts';
import { layerBlockIds } from '../../scene/ids.ts';

const layoutFor = (ctx: DirectorContext, id: ModelId): ModelLayout => (id === 'nano' ? ctx.layout : ctx.layoutOf(id, ctx.layout.T));
const nameOf = (id: ModelId) => (id === 'nano' ? 'nano' : MODELS[id].name);
/** Camera distance factors of a whole big model (1: the tightest fit): room above and below it for two callouts. */
const DESK_ZOOM = 1.06;
const PHONE_ZOOM = 1.15;

/** A stretch of a model, as highlights, with the box it covers in the folded drawing. */
interface Stretch {
  highlights: Highlight[];
  min: Vec3;
  max: Vec3;
}

/** The box of some cell ranges where the fold draws them. */
function boxWithOffsets(layout: ModelLayout, fold: Fold, parts: { id: string; rows?: Range; cols?: Range }[]): Box {
  return unionOf(...parts.map((p) => cellsBox(layout, p.id, p.rows, p.cols, fold.offsets[p.id])));
}

/**
 * The cells of `id` that hold as many weights as the whole of `other`: whole layers from the
 * first when `other` fills at least about one, otherwise a sliver of rows of the last layer's MLP
 * expansion weights (the model's foot), `ceil(count / C)` rows of C weights.
 */
function stretchOf(layout: ModelLayout, fold: Fold, id: ModelId, other: ModelId): Stretch {
  const layers = layersHolding(id, other);
  if (layers >= 0.75) {
    const n = Math.max(1, Math.round(layers));
    const blocks = layout.blocks.filter((b) => b.layer !== null && b.layer < n);
    return { highlights: blocks.map((b) => whole(b.id, 'source')), ...boxWithOffsets(layout, fold, blocks.map((b) => ({ id: b.id }))) };
  }
  const C = layout.config.n_embd;
  const block = layerBlockIds(layout.config.n_layer - 1).cFc;
  const rows: Range = [0, rowsHolding(id, other)];
  const cols: Range = [0, C];
  return { highlights: [{ block, rows, cols, role: 'source' }], ...boxWithOffsets(layout, fold, [{ id: block, rows, cols }]) };
}

/** Where nano's 85,728 weights would sit at the foot of a model, with a callout saying so. */
function nanoMark(layout: ModelLayout, fold: Fold, id: ModelId): { highlight: Highlight; callout: Callout } {
  const s = stretchOf(layout, fold, id, 'nano');
  const h = s.highlights[0]!;
  return { highlight: { ...h, role: 'focus' }, callout: { block: h.block, row: 0, col: 0, text: `all of nano: ${bigCount(modelParams('nano'))} weights`, role: 'focus' } };
}

/** How the previous model compares, in the words of the callout on its tinted stretch. */
function stretchText(id: ModelId, previous: ModelId): string {
  const layers = layersHolding(id, previous);
  const weights = `${nameOf(previous)}: ${bigCount(modelParams(previous), 'short')} weights`;
  if (layers < 0.75) return `${weights}, these rows`;
  return `${weights} = ${layers.toFixed(2)} of its layers (tinted: ${Math.max(1, Math.round(layers))})`;
}

/**
 * A big model folded whole, a little back from the tightest fit, so the callouts find room above
 * and below it (joined to their cells by arrows); more on a phone, where the fold fills the width.
 */
function bigFold(ctx: DirectorContext, layout: ModelLayout) {
  return folded(ctx, layout, { zoom: narrow(ctx) ? PHONE_ZOOM : DESK_ZOOM });
}

/**
 * One model step: open on the stretch of the new model that holds as many weights as the whole
 * previous model, then pull back about it until the whole folded model fills the stage.
 */
function modelStep(id: ModelId, previous: ModelId) {
  return (ctx: DirectorContext, t: number): StepScene => {
    const layout = layoutFor(ctx, id);
    const { n_layer: L, n_embd: C, n_head: H } = MODELS[id].config;
    const { fold, camera: all } = bigFold(ctx, layout);
    const stretch = stretchOf(layout, fold, id, previous);
    const close = frameBox(stretch.min, stretch.max, ctx.viewport.width, ctx.viewport.height, all.yaw, all.pitch);
    const centre: Vec3 = [(stretch.min[0] + stretch.max[0]) / 2, (stretch.min[1] + stretch.max[1]) / 2, 0];
    const pull = beat(t, 0.15, 0.65);
    const camera = zoomAbout({ ...close, distance: close.distance * 1.6 }, all, centre, pull);
    const callouts: Callout[] = [{ block: stretch.highlights[0]!.block, row: 0, col: 0, text: stretchText(id, previous), role: 'source' }];
    const highlights = [...stretch.highlights];
    if (previous !== 'nano') {
      const mark = nanoMark(layout, fold, id);
      highlights.push(mark.highlight);
      callouts.push(mark.callout);
    }
    if (pull > 0.5) callouts.push({ block: 'wte', row: 0, col: 0, text: `${nameOf(id)}: ${bigCount(modelParams(id))} weights, ${L} layers of ${C.toLocaleString('en-US')} channels, ${H} heads`, role: 'focus' });
    return {
      model: id,
      camera,
      blocks: fold.styles,
      highlights,
      callouts,
      dim: 0.15,
      describe: `${nameOf(id)}, folded into ${fold.columns} columns at true size: ${L} layers of ${C} channels, ${bigCount(modelParams(id))} weights, ${bigCount(modelWork(id))} multiply-adds per token. The tinted stretch holds as many weights as all of ${nameOf(previous)}: ${stretchText(id, previous)}.`,
    };
  };
}

export const scale: ChapterDirector = {
  chapter: 'scale',
  model: 'nano',
  cuts: ['gpt2-small', 'gpt2-xl', 'gpt3', 'closing'],
  overviews: ['nano', 'gpt2-small', 'gpt2-xl', 'gpt3', 'work', 'closing'],
  steps: {
    nano: (ctx, t) => {
      // One more sweep of the forward pass through the model we know, whole, to size it up.
      const flow = ctx.layout.blocks.filter((b) => b.kind !== 'weight');
      const u = beat(t, 0.15, 0.75);
      const k = Math.min(flow.length - 1, Math.floor(u * flow.length));
      const current = flow[k]!;
      const { fold, camera } = folded(ctx);
      return {
        camera,
        blocks: u >= 1 ? fold.styles : mergeStyles(fold.styles, computedUpTo(ctx.layout, current.id, u * flow.length - k)),
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
      // One token's trip through GPT-3, whole and folded: the layer being computed moves down
      // the columns as the count runs.
      const id: ModelId = 'gpt3';
      const layout = layoutFor(ctx, id);
      const L = MODELS[id].config.n_layer;
      const { fold, camera } = bigFold(ctx, layout);
      // Gentler than the default cubic ease at its middle, so the layers pass at a readable pace.
      const ride = beat(t, 0.1, 0.8, easeSinInOut);
      const current = Math.min(L, Math.floor(ride * (L + 1)));
      const lit = current < L ? layout.blocks.filter((b) => b.layer === current).map((b) => b.id) : fold.parts.slice(-2).flatMap((p) => p.blocks);
      const highlights: Highlight[] = lit.map((b) => whole(b, 'focus'));
      const ids = layerBlockIds(Math.min(current, L - 1));
      const callouts: Callout[] =
        current < L
          ? [{ block: ids.cFc, row: 0, col: 0, text: `layer ${current + 1} of ${L}: ${bigCount(layerWork(id), 'short')} multiply-adds; ${bigCount(current * layerWork(id), 'short')} so far`, role: 'focus' }]
          : [{ block: 'probs', row: 0, col: 0, text: `in all: ${bigCount(modelWork(id))} multiply-adds`, role: 'result' }];
      return {
        model: id,
        camera,
        blocks: fold.styles,
        highlights: ride >= 1 ? [] : highlights,
        callouts,
        dim: ride >= 1 ? 0 : 0.35,
        describe: `One token passing down GPT-3's ${L} layers, about ${bigCount(layerWork(id), 'short')} multiply-adds each, ${bigCount(modelWork(id))} in all with the output head, against ${bigCount(modelWork('nano'))} for one of nano's letters.`,
      };
    },

    closing: (ctx, t) => {
      // Back to the sorter, whole and folded (the stage is never empty), then in to where the
      // explorer starts: the input, the embeddings and the first attention layer, unfolding on the
      // way. The last pass of the generation is shown, so the input row holds the letters written.
      const trace = ctx.generation?.traces[ctx.generation.traces.length - 1] ?? ctx.trace;
      const layout = ctx.layoutOf('nano', trace.ids.length);
      const { fold, camera: sorter } = folded(ctx, layout);
      const home = homeCamera(layout, ctx.viewport.width, ctx.viewport.height);
      const u = beat(t, 0.45, 0.5);
      const camera: CameraState = zoomAbout(sorter, home, [0, 0, 0], u);
      const out = ctx.generation ? ctx.generation.tokens.map((i) => VOCAB[i] ?? '?').join('') : '…';
      return {
        camera,
        trace,
        blocks: foldStyles(fold, null, u),
        callouts: [{ block: 'tok_emb', row: 1, col: trace.ids.length - 1, text: `${ctx.choices.input} in, ${out} out`, role: 'result' }],
        describe: `Back to nano, whole, then in to its input, embeddings and first attention layer: ${bigCount(modelParams('nano'))} weights that turn ${ctx.choices.input} into ${out}.`,
      };
    },
  },
};
