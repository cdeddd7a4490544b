/**
 * Chapter 11, scale: nano, then GPT-2 small, GPT-2 XL and GPT-3 drawn at true size: one cell is
 * one number in every model. Each model is folded into the columns that fill the stage
 * (src/scene/fold.ts), so its whole drawing is in view, not a hairline. The comparison the picture
 * invites is one of areas, and it is made exact: each model step opens on a tinted stretch of the
 * new model that holds as many weights as the whole previous model (a sliver of rows for nano,
 * whole layers for the GPT-2s), then pulls back to the whole, so the tint's share of the drawing
 * is the previous model's share of the weights. nano itself stands at the foot of every model, at
 * the same scale (src/scene/companion.ts), named by a callout.
 */
import { easeSinInOut } from 'd3-ease';
import { VOCAB } from '../../gpt/config.ts';
import { MODELS } from '../../scene/models.ts';
import { frameBox, frameBoxOblique, homeCamera } from '../../scene/camera.ts';
import { COMPANION_NAME, companionCallout, withCompanion } from '../../scene/companion.ts';
import { companionBox, companionGap, companionOffset, footOffset, offsetStyles } from './companion-place.ts';
import { foldStyles, lastColumnBottom, type Fold } from '../../scene/fold.ts';
import type { BlockStyle, Callout, CameraState, Highlight, Link, ModelId, ModelLayout, Range, Vec3 } from '../../scene/types.ts';
import { arcVec, beat } from '../beats.ts';
import type { ChapterDirector, DirectorContext, StepScene } from '../director.ts';
import { zoomAbout } from './camera-paths.ts';
import { computedUpTo, folded, mergeStyles, OVERVIEW_PITCH, OVERVIEW_YAW, whole } from './common.ts';
import { cellsBox, unionOf, type Box } from './forward-sweep.ts';
import { narrow, pxPerUnit } from './stage-fit.ts';
import { bigCount, layersHolding, layerWork, modelParams, modelWork, rowsHolding } from './scale-figures.ts';
import { layerBlockIds } from '../../scene/ids.ts';
import { grouped } from '../../scene/numbers.ts';

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

/**
 * The callout on nano standing at a big model's foot, short so it finds room beside it. Its height
 * on the stage (`px`) says whether the reader can see it or only where it is.
 */
function nanoCallout(pair: ModelLayout, px: number): Callout {
  return companionCallout(pair, px >= 3 ? COMPANION_NAME : `gpt-nano stands here: ${nanoHeight(px)} tall at this scale`)[0]!;
}

/** nano's height on the stage in words. */
function nanoHeight(px: number): string {
  return px < 1 ? 'under a pixel' : `${Math.round(px)} px`;
}

/** How the previous model compares, in the words of the callout on its tinted stretch. */
function stretchText(id: ModelId, previous: ModelId): string {
  const layers = layersHolding(id, previous);
  const weights = `${nameOf(previous)}: ${bigCount(modelParams(previous), 'short')} weights`;
  if (layers < 0.75) return `these ${rowsHolding(id, previous)} rows = all of ${nameOf(previous)}`;
  return `${weights} = ${layers.toFixed(2)} of its layers (tinted: ${Math.max(1, Math.round(layers))})`;
}

/** A big model folded whole with nano at its foot, and the camera that shows both. */
interface BigView {
  /** The big model alone (what the fold and the stretches are computed on). */
  layout: ModelLayout;
  /** The big model with nano (what is drawn). */
  pair: ModelLayout;
  fold: Fold;
  /** nano's offset at the foot. */
  foot: Vec3;
  /** The fold's offsets and nano moved to the folded model's foot. */
  styles: Record<string, BlockStyle>;
  camera: CameraState;
  /** Where nano stands, and its height on the stage in CSS pixels at `camera`. */
  nano: Box;
  nanoPx: number;
  /** The stage size it was framed for. */
  viewport: { width: number; height: number };
}


const openings = new WeakMap<BigView, { at: string; styles: Record<string, BlockStyle> }>();

/** The fold with nano at `at` (the same object while the step holds it there). */
function openingStyles(big: BigView, at: Vec3): Record<string, BlockStyle> {
  const key = at.join(',');
  let s = openings.get(big);
  if (!s || s.at !== key) openings.set(big, (s = { at: key, styles: { ...big.fold.styles, ...offsetStyles(big.pair, at) } }));
  return s.styles;
}


const bigViews = new WeakMap<ModelLayout, Map<string, BigView>>();

/**
 * A big model folded whole with nano standing at its foot, framed a little back from the
 * tightest fit, so the callouts find room above and below it (joined to their cells by arrows);
 * more on a phone, where the fold fills the width. Worked out once per model and stage size.
 */
function bigView(ctx: DirectorContext, id: ModelId): BigView {
  const layout = layoutFor(ctx, id);
  const pair = withCompanion(layout, ctx.layout);
  const { width, height } = ctx.viewport;
  const key = `${width}x${height}`;
  let known = bigViews.get(pair);
  if (!known) bigViews.set(pair, (known = new Map()));
  const hit = known.get(key);
  if (hit) return hit;
  const { fold } = folded(ctx, layout);
  // nano stands right of the last column, its bottom level with that column's: the model's foot,
  // where its last layer (and GPT-2 small's stretch) is.
  const foot = footOffset(pair, { right: fold.bounds.max[0], bottom: lastColumnBottom(fold) });
  const nano = companionBox(pair, foot);
  const all = unionOf(fold.bounds, nano);
  const fit = frameBoxOblique(all.min, all.max, width, height, OVERVIEW_YAW, OVERVIEW_PITCH);
  const camera = { ...fit, distance: fit.distance * (narrow(ctx) ? PHONE_ZOOM : DESK_ZOOM) };
  const nanoPx = (nano.max[1] - nano.min[1]) * pxPerUnit(ctx, camera);
  const view = { layout, pair, fold, foot, styles: { ...fold.styles, ...offsetStyles(pair, foot) }, camera, nano, nanoPx, viewport: { width, height } };
  if (known.size >= 8) known.clear();
  known.set(key, view);
  return view;
}

/**
 * Where nano stands when GPT-2 small's step opens: right beside the tinted rows that hold as many
 * weights as it does (across the residual spine from them, its top level with theirs), so the two
 * equal counts are seen side by side before nano walks to the model's foot.
 */
function besideStretch(big: BigView, stretch: Stretch): Vec3 {
  const L = big.layout.config.n_layer;
  const resid = layerBlockIds(L - 1).resid2;
  const spine = cellsBox(big.layout, resid, undefined, undefined, big.fold.offsets[resid]);
  const c = big.pair.companion!;
  const height = c.layout.bounds.max[1] - c.layout.bounds.min[1];
  return companionOffset(big.pair, spine.max[0] + companionGap(big.pair) / 2, stretch.max[1] - height);
}

/** What a model step keeps for one big view: the stretch, the close view that opens on it, and its words. */
interface Opening {
  stretch: Stretch;
  /** Where nano stands as the step opens. */
  beside: Vec3;
  close: CameraState;
  centre: Vec3;
  stretchText: string;
  summary: string;
  describe: string;
}

/**
 * One model step: open on the stretch of the new model that holds as many weights as the whole
 * previous model, then pull back about it until the whole folded model fills the stage.
 */
function modelStep(id: ModelId, previous: ModelId) {
  const { n_layer: L, n_embd: C, n_head: H } = MODELS[id].config;
  const near = previous === 'nano';
  // Worked out once per big view (model and stage size): a frame of the step only moves the camera and nano.
  const openings = new WeakMap<BigView, Opening>();
  const openingOf = (big: BigView): Opening => {
    const known = openings.get(big);
    if (known) return known;
    const stretch = stretchOf(big.layout, big.fold, id, previous);
    // Opening close on the stretch; when it stands for nano, with nano beside it, so the reader
    // sees the two equal counts of weights side by side. nano then walks to the model's foot.
    const beside = near ? besideStretch(big, stretch) : big.foot;
    const box = near ? unionOf(stretch, companionBox(big.pair, beside)) : stretch;
    const { width, height } = big.viewport;
    const text = stretchText(id, previous);
    const opening: Opening = {
      stretch,
      beside,
      close: frameBox(box.min, box.max, width, height, big.camera.yaw, big.camera.pitch),
      centre: [(box.min[0] + box.max[0]) / 2, (box.min[1] + box.max[1]) / 2, 0],
      stretchText: text,
      summary: `${nameOf(id)}: ${bigCount(modelParams(id))} weights, ${L} layers of ${grouped(C)} channels, ${H} heads`,
      describe: `${nameOf(id)}, folded into ${big.fold.columns} columns at true size: ${L} layers of ${C} channels, ${bigCount(modelParams(id))} weights, ${bigCount(modelWork(id))} multiply-adds per token. The tinted stretch holds as many weights as all of ${nameOf(previous)}: ${text}. nano stands at its foot at the same scale, ${nanoHeight(big.nanoPx)} tall here.`,
    };
    openings.set(big, opening);
    return opening;
  };
  return (ctx: DirectorContext, t: number): StepScene => {
    const big = bigView(ctx, id);
    const { fold, camera: all } = big;
    const { stretch, beside, close, centre, stretchText: text, summary, describe } = openingOf(big);
    const pull = beat(t, 0.15, 0.65);
    const camera = zoomAbout({ ...close, distance: close.distance * 1.6 }, all, centre, pull);
    // nano walks once the view has mostly pulled back, in front of the model (lifted toward the
    // reader) so that it never passes through the blocks between the two places.
    const walk = near ? beat(t, 0.45, 0.4) : 1;
    const blocks = walk >= 1 ? big.styles : walk <= 0 ? openingStyles(big, beside) : { ...fold.styles, ...offsetStyles(big.pair, arcVec(beside, big.foot, walk, big.nano.max[0] - big.nano.min[0])) };
    const callouts: Callout[] = [{ block: stretch.highlights[0]!.block, row: 0, col: 0, text, role: 'source' }, nanoCallout(big.pair, walk >= 1 ? big.nanoPx : Infinity)];
    if (pull > 0.5) callouts.push({ block: 'wte', row: 0, col: 0, text: summary, role: 'focus' });
    // nano's name is joined to it by an arrow wherever the callout finds room; so is a stretch of
    // rows to its callout, a sliver once the view has pulled back (on a phone, under a pixel).
    const links: Link[] = [{ from: { callout: 1 }, to: { block: callouts[1]!.block }, role: 'focus' }];
    const lit = stretch.highlights[0]!;
    if (lit.rows) links.push({ from: { callout: 0 }, to: { block: lit.block, rows: lit.rows, cols: lit.cols }, role: 'source' });
    // The stretch's own highlights: the same array every frame, so the view sees them unchanged at a glance.
    return { model: id, camera, blocks, highlights: stretch.highlights, callouts, links, dim: 0.15, describe };
  };
}

/** Highlights of each layer of a folded big model (and, after the last, of its output), made once a model: a frame of the ride only picks one. */
const litLayers = new WeakMap<Fold, Highlight[][]>();

function litAt(layout: ModelLayout, fold: Fold, current: number): Highlight[] {
  let lit = litLayers.get(fold);
  if (!lit) {
    const L = layout.config.n_layer;
    lit = Array.from({ length: L }, (): Highlight[] => []);
    for (const b of layout.blocks) if (b.layer !== null) lit[b.layer]!.push(whole(b.id, 'focus'));
    lit.push(fold.parts.slice(-2).flatMap((p) => p.blocks.map((id) => whole(id, 'focus'))));
    litLayers.set(fold, lit);
  }
  return lit[current]!;
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
      const L = MODELS[id].config.n_layer;
      const { layout, fold, camera, styles } = bigView(ctx, id);
      // Gentler than the default cubic ease at its middle, so the layers pass at a readable pace.
      const ride = beat(t, 0.1, 0.8, easeSinInOut);
      const current = Math.min(L, Math.floor(ride * (L + 1)));
      const highlights = litAt(layout, fold, current);
      const ids = layerBlockIds(Math.min(current, L - 1));
      const callouts: Callout[] =
        current < L
          ? [{ block: ids.cFc, row: 0, col: 0, text: `layer ${current + 1} of ${L}: ${bigCount(layerWork(id), 'short')} multiply-adds; ${bigCount(current * layerWork(id), 'short')} so far`, role: 'focus' }]
          : [{ block: 'probs', row: 0, col: 0, text: `in all: ${bigCount(modelWork(id))} multiply-adds`, role: 'result' }];
      return {
        model: id,
        camera,
        blocks: styles,
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
