/**
 * Where every block of a model sits in the world: pure geometry, computed once per model and
 * sequence length, never per frame.
 *
 * Conventions (world units; one cell = 1 unit for every model, so sizes compare truly):
 * - Sequence tensors show channels as rows and token positions as columns (C x T), so a token is
 *   a column all the way down. Weights are [out, in] as in nn.Linear: rows = outputs, cols = inputs.
 * - Like a matrix-product diagram, each weight (and its bias, a 1-wide column) sits to the left of
 *   the result it produces and the input sits above it.
 * - Three lanes: the residual spine at x in [0, S) holds only the residual tensors (embed,
 *   resid_1, resid_2 of each layer); the branch lane just left of it holds what is computed from the
 *   residual and added back (layer norms, projections, MLP, logits), with weights further left;
 *   the attention heads sit side by side to the right of the spine.
 * - S = max(T, 11) columns (and rows, for T x T attention) are reserved, so blocks keep their place
 *   while generated tokens are appended (T = 6..11 in the article).
 * - Attention scores and probabilities of a head are drawn with rows = key position s and
 *   cols = query position t, so like every other sequence tensor a column belongs to one token,
 *   and the head output (hs x T) is the product v (hs x T) x probs (T x T) with probs above it.
 *   Masked entries (s > t) lie below the diagonal.
 * - Blocks are one cell deep: z from -1 to 0, front face at z = 0.
 *
 * Render-only models (GPT-2, GPT-3; source null) keep the structure at true size but merge blocks
 * so GPT-3 stays under 2,000: one qkv weight block per layer, one score and one probability block
 * stacking all heads (H·T rows), each linear layer's bias drawn as the last column of its weight
 * block (C_out x (C_in + 1)), layer-norm mean+rstd as one 2 x T block and gamma+beta as one C x 2
 * block, attention's softmax max/sum (a 2H x T sliver) left out, and the final softmax's max/sum
 * as one 2 x T block. Their T is the caller's T, 1..block_size; the article passes nano's T so
 * sequence tensors stay comparable while weights show their true size.
 */
import { NANO } from '../gpt/config.ts';
import { headBlockIds, layerBlockIds, lnBlockIds, lnId, TOP_IDS } from './ids.ts';
import { countParams, flopsPerToken, modelSpec } from './models.ts';
import type { Axis, Block, CellSource, ModelId, ModelLayout, SpineSegment, Vec3 } from './types.ts';

export { blockById, cellIndex, readCell, sourceTensorSizes, type ParamViews } from './cells.ts';

/** World size of one cell. */
export const CELL = 1;
/** Depth of every block, world units. */
export const DEPTH = 1;
/** Gap between blocks of one group (a weight and its bias, q/k/v of a head). */
export const GAP = 1;
/** Gap between groups: stages, heads. */
export const SECTION = 4;
/** Gap between the branch lane and the spine. */
const SPINE_GAP = 2;

interface Dims {
  C: number;
  H: number;
  hs: number;
  V: number;
  B: number;
  L: number;
  T: number;
  /** Reserved columns (and rows of T x T blocks): max(T, nano's block_size). */
  S: number;
}

/** The builder's state: the blocks so far and the top y of the next row (decreasing). */
interface Ctx {
  d: Dims;
  /** nano: per-head blocks with values; otherwise merged, render-only blocks. */
  real: boolean;
  blocks: Block[];
  y: number;
  /** Left edge of the branch lane (the spine starts at x = 0). */
  xBranch: number;
  /** Left edge of the first attention head. */
  xHeads: number;
}

type Placed = Omit<Block, 'position' | 'size'>;

const ax = (name: string, size: number): Axis => ({ name, size });

function put(ctx: Ctx, b: Placed, x: number, yTop: number): string {
  const position: Vec3 = [x * CELL, yTop * CELL, 0];
  const size: Vec3 = [b.cols.size * CELL, b.rows.size * CELL, DEPTH];
  ctx.blocks.push({ ...b, position, size });
  return b.id;
}

// CellSources. `src` drops them for render-only models.
const src = (ctx: Ctx, s: CellSource): CellSource | null => (ctx.real ? s : null);
/** A [T][width] trace tensor shown transposed: row = channel, col = position. */
const seqSource = (tensor: string, width: number, offset = 0): CellSource => ({ from: 'trace', tensor, offset, rowStride: 1, colStride: width });
/** A [..][T] trace vector shown as a 1 x T row. */
const rowSource = (tensor: string, offset = 0): CellSource => ({ from: 'trace', tensor, offset, rowStride: 0, colStride: 1 });
/** Rows of an [out][in] parameter, starting at row `firstRow`. */
const matSource = (tensor: string, inDim: number, firstRow = 0): CellSource => ({ from: 'param', tensor, offset: firstRow * inDim, rowStride: inDim, colStride: 1 });
/** A parameter vector shown as a column. */
const colSource = (tensor: string, offset = 0): CellSource => ({ from: 'param', tensor, offset, rowStride: 1, colStride: 0 });

const layerName = (l: number | null) => (l === null ? '' : `, layer ${l + 1}`);

interface LinearSpec {
  layer: number | null;
  head: number | null;
  stage: string;
  out: Axis;
  in: Axis;
  /** minGPT parameter names; bias null when the layer has none (lm_head). */
  weight: string;
  bias: string | null;
  /** First weight row (and bias entry) shown: slices of c_attn for one head's q, k or v. */
  firstRow?: number;
  weightId: string;
  biasId: string;
  /** Render-only models draw weight and bias as one block with this id. */
  mergedId: string;
  /** Reader-facing name of the layer ("Query") and where it is (", head 1, layer 1"). */
  name: string;
  where: string;
  /** Appended to the weight block's label, e.g. that the lm head is tied to wte. */
  note?: string;
  /** Left edge and top of the result the weights produce. */
  xResult: number;
  yTop: number;
}

/** Places a linear layer's weight and bias left of its result; returns the placed ids. */
function putLinear(ctx: Ctx, o: LinearSpec): string[] {
  const common = { layer: o.layer, head: o.head, stage: o.stage, inputs: [] as string[] };
  const first = o.firstRow ?? 0;
  if (!ctx.real) {
    const cols = o.bias ? ax(`${o.in.name}+1`, o.in.size + 1) : o.in;
    const label = `${o.name} ${o.bias ? 'weights and bias (last column)' : 'weights'}${o.where}${o.note ?? ''}`;
    return [put(ctx, { ...common, id: o.mergedId, kind: 'weight', label, rows: o.out, cols, source: null }, o.xResult - GAP - cols.size, o.yTop)];
  }
  const ids: string[] = [];
  const xBias = o.xResult - GAP - 1;
  const xWeight = (o.bias ? xBias : o.xResult) - GAP - o.in.size;
  ids.push(put(ctx, { ...common, id: o.weightId, kind: 'weight', label: `${o.name} weights${o.where}${o.note ?? ''}`, rows: o.out, cols: o.in, source: matSource(o.weight, o.in.size, first) }, xWeight, o.yTop));
  if (o.bias) {
    ids.push(put(ctx, { ...common, id: o.biasId, kind: 'weight', label: `${o.name} bias${o.where}`, rows: o.out, cols: ax('1', 1), source: colSource(o.bias, first) }, xBias, o.yTop));
  }
  return ids;
}

/** Token ids, the two embedding tables, their lookups and their sum (the first residual). */
function putEmbedding(ctx: Ctx): string {
  const { C, V, B, T } = ctx.d;
  const xb = ctx.xBranch;
  const seq = { layer: null, head: null, stage: 'embedding' };
  put(ctx, { ...seq, stage: 'input', id: TOP_IDS.tokens, kind: 'activation', label: 'Input tokens', rows: ax('1', 1), cols: ax('T', T), source: null, inputs: [] }, xb, ctx.y);
  ctx.y -= 1 + GAP;
  const wteSource: CellSource = { from: 'param', tensor: 'transformer.wte.weight', offset: 0, rowStride: 1, colStride: C };
  put(ctx, { ...seq, id: TOP_IDS.wte, kind: 'weight', label: 'Token embedding table (wte), one column per letter', rows: ax('C', C), cols: ax('V', V), source: src(ctx, wteSource), inputs: [] }, xb - GAP - V, ctx.y);
  put(ctx, { ...seq, id: TOP_IDS.tokEmb, kind: 'activation', label: 'Token embeddings', rows: ax('C', C), cols: ax('T', T), source: src(ctx, seqSource('tok_emb', C)), inputs: [TOP_IDS.tokens, TOP_IDS.wte] }, xb, ctx.y);
  ctx.y -= C + GAP;
  const wpeSource: CellSource = { from: 'param', tensor: 'transformer.wpe.weight', offset: 0, rowStride: 1, colStride: C };
  put(ctx, { ...seq, id: TOP_IDS.wpe, kind: 'weight', label: 'Position embedding table (wpe), one column per position', rows: ax('C', C), cols: ax('T_max', B), source: src(ctx, wpeSource), inputs: [] }, xb - GAP - B, ctx.y);
  put(ctx, { ...seq, id: TOP_IDS.posEmb, kind: 'activation', label: 'Position embeddings', rows: ax('C', C), cols: ax('T', T), source: src(ctx, seqSource('pos_emb', C)), inputs: [TOP_IDS.wpe] }, xb, ctx.y);
  put(ctx, { ...seq, id: TOP_IDS.embed, kind: 'activation', label: 'Input embedding (token + position): the residual stream', rows: ax('C', C), cols: ax('T', T), source: src(ctx, seqSource('embed', C)), inputs: [TOP_IDS.tokEmb, TOP_IDS.posEmb] }, 0, ctx.y);
  ctx.y -= C + SECTION;
  return TOP_IDS.embed;
}

/** A layer norm of the residual `input`: aggregates above its output, gamma and beta left of it. */
function putLayerNorm(ctx: Ctx, which: 'ln_1' | 'ln_2' | 'ln_f', layer: number | null, input: string): string {
  const { C, T } = ctx.d;
  const ln = lnId(layer, which);
  const ids = lnBlockIds(ln);
  const param = layer === null ? `transformer.${which}` : `transformer.h.${layer}.${which}`;
  const stage = which;
  const base = { layer, head: null, stage };
  const name = which === 'ln_f' ? 'Final layer norm' : `Layer norm ${which === 'ln_1' ? 1 : 2}`;
  const where = layerName(layer);
  const xb = ctx.xBranch;
  let inputs: string[];
  if (ctx.real) {
    put(ctx, { ...base, id: ids.mean, kind: 'aggregate', label: `${name}: mean per token${where}`, rows: ax('1', 1), cols: ax('T', T), source: rowSource(`${ln}.mean`), inputs: [input] }, xb, ctx.y);
    ctx.y -= 1 + GAP;
    put(ctx, { ...base, id: ids.rstd, kind: 'aggregate', label: `${name}: 1/std per token${where}`, rows: ax('1', 1), cols: ax('T', T), source: rowSource(`${ln}.rstd`), inputs: [input, ids.mean] }, xb, ctx.y);
    ctx.y -= 1 + GAP;
    put(ctx, { ...base, id: ids.gamma, kind: 'weight', label: `${name}: scale γ${where}`, rows: ax('C', C), cols: ax('1', 1), source: colSource(`${param}.weight`), inputs: [] }, xb - 2 * (GAP + 1), ctx.y);
    put(ctx, { ...base, id: ids.beta, kind: 'weight', label: `${name}: shift β${where}`, rows: ax('C', C), cols: ax('1', 1), source: colSource(`${param}.bias`), inputs: [] }, xb - (GAP + 1), ctx.y);
    inputs = [input, ids.mean, ids.rstd, ids.gamma, ids.beta];
  } else {
    put(ctx, { ...base, id: ids.stats, kind: 'aggregate', label: `${name}: mean and 1/std per token${where}`, rows: ax('2', 2), cols: ax('T', T), source: null, inputs: [input] }, xb, ctx.y);
    ctx.y -= 2 + GAP;
    put(ctx, { ...base, id: ids.params, kind: 'weight', label: `${name}: scale γ and shift β${where}`, rows: ax('C', C), cols: ax('2', 2), source: null, inputs: [] }, xb - GAP - 2, ctx.y);
    inputs = [input, ids.stats, ids.params];
  }
  put(ctx, { ...base, id: ids.out, kind: 'activation', label: `${name}: output${where}`, rows: ax('C', C), cols: ax('T', T), source: src(ctx, seqSource(ln, C)), inputs }, xb, ctx.y);
  ctx.y -= C + SECTION;
  return ids.out;
}

/** nano's attention: one panel per head, side by side right of the spine. Returns the head outputs' ids. */
function putHeads(ctx: Ctx, l: number, lnOut: string): string[] {
  const { C, H, hs, T, S } = ctx.d;
  const yTop = ctx.y;
  const panelWidth = C + GAP + 1 + GAP + S;
  const outs: string[] = [];
  const p = `h.${l}.attn`;
  for (let h = 0; h < H; h++) {
    const ids = headBlockIds(l, h);
    const base = { layer: l, head: h, stage: 'attention' };
    const where = `, head ${h + 1}, layer ${l + 1}`;
    const xVec = ctx.xHeads + h * (panelWidth + SECTION) + C + GAP + 1 + GAP;
    const parts = [
      { part: 'q', n: 0, name: 'Query', ids: ids.q },
      { part: 'k', n: 1, name: 'Key', ids: ids.k },
      { part: 'v', n: 2, name: 'Value', ids: ids.v },
    ] as const;
    for (const { part, n, name, ids: pid } of parts) {
      const y = yTop - n * (hs + GAP);
      const w = putLinear(ctx, {
        layer: l, head: h, stage: 'attention', out: ax('hs', hs), in: ax('C', C),
        weight: `transformer.h.${l}.attn.c_attn.weight`, bias: `transformer.h.${l}.attn.c_attn.bias`, firstRow: n * C + h * hs,
        weightId: pid.weight, biasId: pid.bias, mergedId: pid.weight, name, where, xResult: xVec, yTop: y,
      });
      put(ctx, { ...base, id: pid.out, kind: 'activation', label: `${name} vectors${where}`, rows: ax('hs', hs), cols: ax('T', T), source: seqSource(`${p}.${part}`, hs, h * T * hs), inputs: [...w, lnOut] }, xVec, y);
    }
    let y = yTop - 3 * (hs + GAP);
    const attnSource = (tensor: string): CellSource => ({ from: 'trace', tensor, offset: h * T * T, rowStride: 1, colStride: T });
    put(ctx, { ...base, id: ids.scores, kind: 'activation', label: `Attention scores q·k/√hs (row: key, column: query)${where}`, rows: ax('T', T), cols: ax('T', T), source: attnSource(`${p}.scores`), inputs: [ids.q.out, ids.k.out] }, xVec, y);
    y -= S + GAP;
    put(ctx, { ...base, id: ids.max, kind: 'aggregate', label: `Softmax max per query${where}`, rows: ax('1', 1), cols: ax('T', T), source: rowSource(`${p}.probs.max`, h * T), inputs: [ids.scores] }, xVec, y);
    y -= 1 + GAP;
    put(ctx, { ...base, id: ids.sum, kind: 'aggregate', label: `Softmax sum of exponentials per query${where}`, rows: ax('1', 1), cols: ax('T', T), source: rowSource(`${p}.probs.sum`, h * T), inputs: [ids.scores, ids.max] }, xVec, y);
    y -= 1 + GAP;
    put(ctx, { ...base, id: ids.probs, kind: 'activation', label: `Attention probabilities (row: key, column: query)${where}`, rows: ax('T', T), cols: ax('T', T), source: attnSource(`${p}.probs`), inputs: [ids.scores, ids.max, ids.sum] }, xVec, y);
    y -= S + GAP;
    put(ctx, { ...base, id: ids.out, kind: 'activation', label: `Head output (probability-weighted values)${where}`, rows: ax('hs', hs), cols: ax('T', T), source: seqSource(`${p}.heads`, C, h * hs), inputs: [ids.probs, ids.v.out] }, xVec, y);
    ctx.y = Math.min(ctx.y, y - hs - SECTION);
    outs.push(ids.out);
  }
  return outs;
}

/** Render-only attention: all heads merged, one block per tensor. Returns the concatenated heads' id. */
function putMergedAttention(ctx: Ctx, l: number, lnOut: string): string[] {
  const { C, H, T, S } = ctx.d;
  const ids = layerBlockIds(l);
  const base = { layer: l, head: null, stage: 'attention', source: null };
  const where = `, all ${H} heads, layer ${l + 1}`;
  const xVec = ctx.xHeads + C + 1 + GAP;
  let y = ctx.y;
  const w = putLinear(ctx, {
    layer: l, head: null, stage: 'attention', out: ax('3C', 3 * C), in: ax('C', C),
    weight: `transformer.h.${l}.attn.c_attn.weight`, bias: `transformer.h.${l}.attn.c_attn.bias`,
    weightId: ids.cAttn, biasId: ids.cAttn, mergedId: ids.cAttn, name: 'Query, key and value', where, xResult: xVec, yTop: y,
  });
  put(ctx, { ...base, id: ids.qkv, kind: 'activation', label: `Queries, keys and values${where}`, rows: ax('3C', 3 * C), cols: ax('T', T), inputs: [...w, lnOut] }, xVec, y);
  y -= 3 * C + GAP;
  put(ctx, { ...base, id: ids.scores, kind: 'activation', label: `Attention scores${where}`, rows: ax('H·T', H * T), cols: ax('T', T), inputs: [ids.qkv] }, xVec, y);
  y -= H * S + GAP;
  put(ctx, { ...base, id: ids.probs, kind: 'activation', label: `Attention probabilities${where}`, rows: ax('H·T', H * T), cols: ax('T', T), inputs: [ids.scores] }, xVec, y);
  y -= H * S + GAP;
  put(ctx, { ...base, id: ids.heads, kind: 'activation', label: `Head outputs, concatenated${where}`, rows: ax('C', C), cols: ax('T', T), inputs: [ids.probs, ids.qkv] }, xVec, y);
  ctx.y = y - C - SECTION;
  return [ids.heads];
}

/** One transformer block: attention and MLP, each added back into the residual. Returns resid_2's id. */
function putLayer(ctx: Ctx, l: number, residIn: string): string {
  const { C, T } = ctx.d;
  const ids = layerBlockIds(l);
  const xb = ctx.xBranch;
  const pre = `transformer.h.${l}.`;
  const where = layerName(l);
  const seq = (id: string, stage: string, label: string, rows: Axis, tensor: string, inputs: string[]): Placed => ({
    id, kind: 'activation', label, stage, layer: l, head: null, rows, cols: ax('T', T), source: src(ctx, seqSource(tensor, rows.size)), inputs,
  });

  const ln1 = putLayerNorm(ctx, 'ln_1', l, residIn);
  const heads = ctx.real ? putHeads(ctx, l, ln1) : putMergedAttention(ctx, l, ln1);

  let y = ctx.y;
  let w = putLinear(ctx, {
    layer: l, head: null, stage: 'projection', out: ax('C', C), in: ax('C', C), weight: pre + 'attn.c_proj.weight', bias: pre + 'attn.c_proj.bias',
    weightId: ids.attnCProjWeight, biasId: ids.attnCProjBias, mergedId: ids.attnCProj, name: 'Attention output projection', where, xResult: xb, yTop: y,
  });
  put(ctx, seq(ids.attnProj, 'projection', `Attention output${where}`, ax('C', C), `h.${l}.attn.proj`, [...w, ...heads]), xb, y);
  put(ctx, seq(ids.resid1, 'projection', `Residual stream after attention${where}`, ax('C', C), `h.${l}.resid_1`, [residIn, ids.attnProj]), 0, y);
  ctx.y -= C + SECTION;

  const ln2 = putLayerNorm(ctx, 'ln_2', l, ids.resid1);
  y = ctx.y;
  w = putLinear(ctx, {
    layer: l, head: null, stage: 'mlp', out: ax('4C', 4 * C), in: ax('C', C), weight: pre + 'mlp.c_fc.weight', bias: pre + 'mlp.c_fc.bias',
    weightId: ids.cFcWeight, biasId: ids.cFcBias, mergedId: ids.cFc, name: 'MLP expansion', where, xResult: xb, yTop: y,
  });
  put(ctx, seq(ids.fc, 'mlp', `MLP hidden layer before GELU${where}`, ax('4C', 4 * C), `h.${l}.mlp.fc`, [...w, ln2]), xb, y);
  ctx.y -= 4 * C + GAP;
  put(ctx, seq(ids.gelu, 'mlp', `MLP hidden layer after GELU${where}`, ax('4C', 4 * C), `h.${l}.mlp.gelu`, [ids.fc]), xb, ctx.y);
  ctx.y -= 4 * C + GAP;
  y = ctx.y;
  w = putLinear(ctx, {
    layer: l, head: null, stage: 'mlp', out: ax('C', C), in: ax('4C', 4 * C), weight: pre + 'mlp.c_proj.weight', bias: pre + 'mlp.c_proj.bias',
    weightId: ids.mlpCProjWeight, biasId: ids.mlpCProjBias, mergedId: ids.mlpCProj, name: 'MLP projection', where, xResult: xb, yTop: y,
  });
  put(ctx, seq(ids.mlpProj, 'mlp', `MLP output${where}`, ax('C', C), `h.${l}.mlp.proj`, [...w, ids.gelu]), xb, y);
  put(ctx, seq(ids.resid2, 'mlp', `Residual stream after the MLP${where}`, ax('C', C), `h.${l}.resid_2`, [ids.resid1, ids.mlpProj]), 0, y);
  ctx.y -= C + SECTION;
  return ids.resid2;
}

/** Final layer norm, lm head, logits and the output softmax. */
function putOutput(ctx: Ctx, residIn: string, tied: boolean): void {
  const { C, V, T } = ctx.d;
  const xb = ctx.xBranch;
  const lnf = putLayerNorm(ctx, 'ln_f', null, residIn);
  const base = { layer: null, head: null };
  const w = putLinear(ctx, {
    layer: null, head: null, stage: 'lm_head', out: ax('V', V), in: ax('C', C), weight: 'lm_head.weight', bias: null,
    weightId: TOP_IDS.lmHead, biasId: TOP_IDS.lmHead, mergedId: TOP_IDS.lmHead, name: 'Output (lm head)', where: '', note: tied ? ': the token embedding table, reused (tied)' : undefined, xResult: xb, yTop: ctx.y,
  });
  put(ctx, { ...base, stage: 'lm_head', id: TOP_IDS.logits, kind: 'activation', label: 'Logits: one score per vocabulary token', rows: ax('V', V), cols: ax('T', T), source: src(ctx, seqSource('logits', V)), inputs: [...w, lnf] }, xb, ctx.y);
  ctx.y -= V + GAP;
  const out = { ...base, stage: 'output', rows: ax('1', 1), cols: ax('T', T) };
  let stats: string[];
  if (ctx.real) {
    put(ctx, { ...out, id: TOP_IDS.probsMax, kind: 'aggregate', label: 'Softmax max per token', source: rowSource('probs.max'), inputs: [TOP_IDS.logits] }, xb, ctx.y);
    ctx.y -= 1 + GAP;
    put(ctx, { ...out, id: TOP_IDS.probsSum, kind: 'aggregate', label: 'Softmax sum of exponentials per token', source: rowSource('probs.sum'), inputs: [TOP_IDS.logits, TOP_IDS.probsMax] }, xb, ctx.y);
    ctx.y -= 1 + GAP;
    stats = [TOP_IDS.probsMax, TOP_IDS.probsSum];
  } else {
    put(ctx, { ...out, rows: ax('2', 2), id: TOP_IDS.probsStats, kind: 'aggregate', label: 'Softmax max and sum of exponentials per token', source: null, inputs: [TOP_IDS.logits] }, xb, ctx.y);
    ctx.y -= 2 + GAP;
    stats = [TOP_IDS.probsStats];
  }
  put(ctx, { ...base, stage: 'output', id: TOP_IDS.probs, kind: 'activation', label: 'Next-token probabilities', rows: ax('V', V), cols: ax('T', T), source: src(ctx, seqSource('probs', V)), inputs: [TOP_IDS.logits, ...stats] }, xb, ctx.y);
  ctx.y -= V;
}

/**
 * Arrows down the residual spine, from the bottom of each residual block to the top of the next,
 * through the blocks' mid-depth. Each step (+ attention, + MLP) is split where its own blocks
 * begin, at the top of the layer norm that starts it: a headless hop owned by the block it leaves,
 * then the labelled arrow owned by the step. A view that moves the steps apart (a fold into
 * columns) moves each piece with its own step, and the hop alone spans the gap between them.
 */
function spineSegments(blocks: Block[], residIds: string[], T: number): SpineSegment[] {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const segs: SpineSegment[] = [];
  for (let i = 0; i + 1 < residIds.length; i++) {
    const a = byId.get(residIds[i]!)!;
    const b = byId.get(residIds[i + 1]!)!;
    const x = a.position[0] + (T * CELL) / 2;
    const z = a.position[2] - DEPTH / 2;
    const l = Math.floor(i / 2);
    const attention = i % 2 === 0;
    const label = attention ? `+ attention, layer ${l + 1}` : `+ MLP, layer ${l + 1}`;
    const norm = attention ? 'ln_1' : 'ln_2';
    const top = Math.max(...blocks.filter((o) => o.layer === b.layer && o.stage === norm).map((o) => o.position[1]));
    const start: Vec3 = [x, top, z];
    segs.push({ from: [x, a.position[1] - a.size[1], z], to: start, fromBlock: a.id, toBlock: b.id, head: false });
    segs.push({ from: start, to: [x, b.position[1], z], label, fromBlock: b.id, toBlock: b.id });
  }
  return segs;
}

function boundsOf(blocks: Block[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const b of blocks) {
    const lo: Vec3 = [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]];
    const hi: Vec3 = [b.position[0] + b.size[0], b.position[1], b.position[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, lo[i]!);
      max[i] = Math.max(max[i]!, hi[i]!);
    }
  }
  return { min, max };
}

/**
 * The whole model laid out for a sequence of T tokens (nano: 1..11, the real sequence, no padding;
 * render-only models: 1..their block_size).
 */
export function layoutModel(model: ModelId, T: number): ModelLayout {
  const spec = modelSpec(model);
  const cfg = spec.config;
  if (!Number.isInteger(T) || T < 1 || T > cfg.block_size) {
    throw new RangeError(`layout of ${spec.name} for T = ${T} tokens: expected an integer in 1..${cfg.block_size}`);
  }
  const C = cfg.n_embd;
  const H = cfg.n_head;
  if (C % H !== 0) throw new RangeError(`${spec.name}: n_embd ${C} is not a multiple of n_head ${H}`);
  const S = Math.max(T, NANO.block_size);
  const d: Dims = { C, H, hs: C / H, V: cfg.vocab_size, B: cfg.block_size, L: cfg.n_layer, T, S };
  const ctx: Ctx = { d, real: spec.hasWeights, blocks: [], y: 0, xBranch: -(SPINE_GAP + S), xHeads: S + SECTION };

  const resid = [putEmbedding(ctx)];
  for (let l = 0; l < cfg.n_layer; l++) {
    putLayer(ctx, l, resid[resid.length - 1]!);
    const ids = layerBlockIds(l);
    resid.push(ids.resid1, ids.resid2);
  }
  putOutput(ctx, resid[resid.length - 1]!, spec.tiedLmHead);

  return {
    model,
    config: cfg,
    T,
    cell: CELL,
    blocks: ctx.blocks,
    spine: spineSegments(ctx.blocks, resid, T),
    bounds: boundsOf(ctx.blocks),
    params: countParams(spec),
    flopsPerToken: flopsPerToken(spec, cfg.block_size),
  };
}
