/**
 * Data-flow arrows between the stages of a layout, computed from block positions alone: where the
 * numbers go after the residual spine. For each layer:
 *
 *   spine -> layer norm 1 -> (a bus over the heads) -> q, k, v of every head
 *   q, k -> scores (a run down the right of the head's column); v -> head output (a second run)
 *   head outputs -> (a bus under the heads) -> attention projection -> added into the residual
 *   spine -> layer norm 2 -> MLP hidden layer;  MLP output -> added into the residual
 *
 * and around them: token and position embeddings -> their sum (the first residual), the last
 * residual -> the final layer norm -> logits. Stages stacked one cell apart (scores, softmax
 * max/sum, probabilities; the two MLP layers) already read in order and get no arrow; weights
 * sit beside what they make, as in a matrix-product diagram, and get none either.
 *
 * A path with a bend is several segments; only its last has a head. Every point is owned by the
 * block it sits against (fromBlock for `from`, toBlock for `to`), and every bend by a block of the
 * same part of the model (embeddings, one layer, output head) as the point it turns toward, so
 * arrows follow blocks moved by BlockStyle offsets, and a fold that moves whole parts apart
 * stretches only the segments that cross between parts. Coordinates: world units, mid-depth of
 * the blocks (z = -DEPTH / 2), as the spine.
 */
import { headBlockIds, layerBlockIds, lnBlockIds, lnId, TOP_IDS } from './ids.ts';
import { DEPTH } from './layout.ts';
import { companionSegments } from './companion.ts';
import type { Block, ModelLayout, SpineSegment, Vec3 } from './types.ts';

/** Distance of the runs beside a head's column from the column's right edge, world units (cells). */
const RUN_QK = 1.5;
const RUN_V = 3;

interface Point {
  at: Vec3;
  /** The block whose offset moves this point. */
  block: string;
}

const cache = new WeakMap<ModelLayout, SpineSegment[]>();

/** Every flow arrow of the layout (cached per layout object: the same array for the same layout). */
export function flowSegments(layout: ModelLayout): SpineSegment[] {
  let segs = cache.get(layout);
  if (!segs) {
    const c = layout.companion;
    segs = c ? [...buildFlows(layout), ...companionSegments(flowSegments(c.layout), c.prefix, c.at)] : buildFlows(layout);
    cache.set(layout, segs);
  }
  return segs;
}

function buildFlows(layout: ModelLayout): SpineSegment[] {
  const byId = new Map(layout.blocks.map((b) => [b.id, b]));
  const get = (id: string): Block => {
    const b = byId.get(id);
    if (!b) throw new Error(`flow arrows: the ${layout.model} layout has no block "${id}"`);
    return b;
  };
  const has = (id: string) => byId.has(id);
  const z = -DEPTH / 2;
  const out: SpineSegment[] = [];
  const P = (block: Block, x: number, y: number): Point => ({ at: [x, y, block.position[2] + z], block: block.id });
  /** A path through `points`: headless runs, then (unless `head` is false) an arrowhead into the last point. */
  const lines = (head: boolean, points: Point[]) => {
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i]!;
      const b = points[i + 1]!;
      const seg: SpineSegment = { from: a.at, to: b.at, fromBlock: a.block, toBlock: b.block };
      if (!head || i + 2 < points.length) seg.head = false;
      out.push(seg);
    }
  };
  const path = (...points: Point[]) => lines(true, points);
  /** Headless runs: a bus that arrows leave from, or a drop into one. */
  const run = (...points: Point[]) => lines(false, points);
  const left = (b: Block) => b.position[0];
  const right = (b: Block) => b.position[0] + b.size[0];
  const top = (b: Block) => b.position[1];
  const bottom = (b: Block) => b.position[1] - b.size[1];
  const midX = (b: Block) => b.position[0] + b.size[0] / 2;
  const midY = (b: Block) => b.position[1] - b.size[1] / 2;
  /** The highest top of a part's blocks (the part's first row). */
  const partTop = (ids: string[]) => Math.max(...ids.filter(has).map((id) => top(get(id))));

  // Embeddings: token and position embeddings meet in their sum, the first residual block.
  const embed = get(TOP_IDS.embed);
  const tok = get(TOP_IDS.tokEmb);
  const pos = get(TOP_IDS.posEmb);
  path(P(tok, right(tok), midY(tok)), P(embed, midX(embed), midY(tok)), P(embed, midX(embed), top(embed)));
  path(P(pos, right(pos), midY(pos)), P(embed, left(embed), midY(pos)));

  // The spine's x relative to the branch lane, measured inside layer 1 (both lanes move together).
  const ln0 = get(lnId(0, 'ln_1'));
  const spineDx = midX(get(layerBlockIds(0).resid1)) - left(ln0);
  /** From the spine (owned by `resid`, a residual block of the same part) into the side of a layer norm's output. */
  const spineInto = (resid: Block, ln: Block) => path(P(resid, midX(resid), midY(ln)), P(ln, right(ln), midY(ln)));

  const L = layout.config.n_layer;
  for (let l = 0; l < L; l++) {
    const ids = layerBlockIds(l);
    const resid1 = get(ids.resid1);
    const resid2 = get(ids.resid2);
    const ln1 = get(lnId(l, 'ln_1'));
    const ln2 = get(lnId(l, 'ln_2'));
    spineInto(resid1, ln1);

    // The heads: nano's per-head columns, or a render-only model's one merged column.
    const heads = has(headBlockIds(l, 0).q.out)
      ? Array.from({ length: layout.config.n_head }, (_, h) => {
          const hb = headBlockIds(l, h);
          return { first: get(hb.q.out), q: get(hb.q.out), k: get(hb.k.out), v: get(hb.v.out), scores: get(hb.scores), out: get(hb.out) };
        })
      : [{ first: get(ids.qkv), q: null, k: null, v: get(ids.qkv), scores: null, out: get(ids.heads) }];

    // Layer norm 1 -> a bus in the gap above the heads -> down into each head's first block.
    const last = heads[heads.length - 1]!;
    const busIn = (bottom(ln1) + top(heads[0]!.first)) / 2;
    run(P(ln1, midX(ln1), bottom(ln1)), P(ln1, midX(ln1), busIn), P(last.first, midX(last.first), busIn));
    for (const h of heads) path(P(h.first, midX(h.first), busIn), P(h.first, midX(h.first), top(h.first)));

    for (const h of heads) {
      // q and k meet in the scores; v skips them and goes to the output with the probabilities.
      if (h.q && h.k && h.scores) {
        const x = right(h.q) + RUN_QK;
        path(P(h.q, right(h.q), midY(h.q)), P(h.q, x, midY(h.q)), P(h.k, x, midY(h.k)), P(h.scores, x, midY(h.scores)), P(h.scores, right(h.scores), midY(h.scores)));
        run(P(h.k, right(h.k), midY(h.k)), P(h.k, x, midY(h.k)));
      }
      const xv = right(h.v) + RUN_V;
      path(P(h.v, right(h.v), midY(h.v)), P(h.v, xv, midY(h.v)), P(h.out, xv, midY(h.out)), P(h.out, right(h.out), midY(h.out)));
    }

    // Head outputs -> a bus in the gap under the heads -> down into the attention output.
    const proj = get(ids.attnProj);
    const busOut = (Math.min(...heads.map((h) => bottom(h.out))) + top(proj)) / 2;
    for (const h of heads) run(P(h.out, midX(h.out), bottom(h.out)), P(h.out, midX(h.out), busOut));
    path(P(last.out, midX(last.out), busOut), P(proj, midX(proj), busOut), P(proj, midX(proj), top(proj)));
    // ... and added into the residual stream beside it.
    path(P(proj, right(proj), midY(proj)), P(resid1, left(resid1), midY(proj)));

    // The MLP: from the spine through layer norm 2 into the hidden layer; its output added back.
    spineInto(resid2, ln2);
    const fc = get(ids.fc);
    path(P(ln2, midX(ln2), bottom(ln2)), P(fc, midX(fc), top(fc)));
    const mlpProj = get(ids.mlpProj);
    path(P(mlpProj, right(mlpProj), midY(mlpProj)), P(resid2, left(resid2), midY(mlpProj)));
  }

  // Output: the last residual leaves its layer, comes down the spine's line in the output part
  // into the final layer norm, and the normalised stream makes the logits.
  const lastResid = get(layerBlockIds(L - 1).resid2);
  const lnf = get(lnId(null, 'ln_f'));
  const lnfIds = lnBlockIds(lnId(null, 'ln_f'));
  const xf = left(lnf) + spineDx;
  const yf = partTop([lnfIds.mean, lnfIds.stats]);
  path(P(lastResid, midX(lastResid), bottom(lastResid)), P(lnf, xf, yf), P(lnf, xf, midY(lnf)), P(lnf, right(lnf), midY(lnf)));
  const logits = get(TOP_IDS.logits);
  path(P(lnf, midX(lnf), bottom(lnf)), P(logits, midX(logits), top(logits)));
  return out;
}
