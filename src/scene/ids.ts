/**
 * Block ids, built in one place so the layout, the tooltips and the directors agree on them.
 * Ids follow the trace names where a block shows a trace tensor ('h.0.ln_1', 'h.0.attn.proj',
 * 'h.0.resid_1'), with 0-based layer and head numbers; reader-facing labels count from 1.
 */

/** Prefix of layer l's blocks, e.g. 'h.0'. */
export function layerId(l: number): string {
  return `h.${l}`;
}

/** The three layer norms: 'h.0.ln_1', 'h.0.ln_2', 'ln_f'. */
export function lnId(layer: number | null, which: 'ln_1' | 'ln_2' | 'ln_f'): string {
  return layer === null ? which : `${layerId(layer)}.${which}`;
}

/** Blocks of one layer norm. nano shows each piece; render-only models merge mean+rstd and gamma+beta. */
export function lnBlockIds(ln: string) {
  return {
    mean: `${ln}.mean`,
    rstd: `${ln}.rstd`,
    gamma: `${ln}.gamma`,
    beta: `${ln}.beta`,
    out: ln,
    stats: `${ln}.stats`,
    params: `${ln}.params`,
  };
}

/** One attention head of nano, e.g. 'h.1.attn.head2.q.weight', 'h.1.attn.head2.scores'. */
export function headBlockIds(l: number, h: number) {
  const p = `${layerId(l)}.attn.head${h}`;
  const qkv = (x: 'q' | 'k' | 'v') => ({ weight: `${p}.${x}.weight`, bias: `${p}.${x}.bias`, out: `${p}.${x}` });
  return {
    q: qkv('q'),
    k: qkv('k'),
    v: qkv('v'),
    scores: `${p}.scores`,
    max: `${p}.probs.max`,
    sum: `${p}.probs.sum`,
    probs: `${p}.probs`,
    out: `${p}.out`,
  };
}

/** The per-layer blocks outside the heads. `*.weight`/`*.bias` are nano's; render-only models use the merged `cAttn`, `attnCProj`, `cFc`, `mlpCProj` (weights with the bias as last column). */
export function layerBlockIds(l: number) {
  const p = layerId(l);
  return {
    cAttn: `${p}.attn.c_attn`,
    qkv: `${p}.attn.qkv`,
    scores: `${p}.attn.scores`,
    probs: `${p}.attn.probs`,
    heads: `${p}.attn.heads`,
    attnCProj: `${p}.attn.c_proj`,
    attnCProjWeight: `${p}.attn.c_proj.weight`,
    attnCProjBias: `${p}.attn.c_proj.bias`,
    attnProj: `${p}.attn.proj`,
    resid1: `${p}.resid_1`,
    cFc: `${p}.mlp.c_fc`,
    cFcWeight: `${p}.mlp.c_fc.weight`,
    cFcBias: `${p}.mlp.c_fc.bias`,
    fc: `${p}.mlp.fc`,
    gelu: `${p}.mlp.gelu`,
    mlpCProj: `${p}.mlp.c_proj`,
    mlpCProjWeight: `${p}.mlp.c_proj.weight`,
    mlpCProjBias: `${p}.mlp.c_proj.bias`,
    mlpProj: `${p}.mlp.proj`,
    resid2: `${p}.resid_2`,
  };
}

export const TOP_IDS = Object.freeze({
  tokens: 'tokens',
  wte: 'wte',
  wpe: 'wpe',
  tokEmb: 'tok_emb',
  posEmb: 'pos_emb',
  embed: 'embed',
  lmHead: 'lm_head',
  logits: 'logits',
  probsMax: 'probs.max',
  probsSum: 'probs.sum',
  probsStats: 'probs.stats',
  probs: 'probs',
});
