// gpt-nano in WebAssembly: memory layout, and the forward and backward passes as calls to the
// kernels in order. Exports are called from src/gpt/wasm.ts, which owns the JS side.
//
// Memory, allocated once by init() and never again:
//   params, grads, adam m, adam v: one float buffer each, minGPT state-dict order (config.ts paramSpecs)
//   paramsT: the same buffer with every nn.Linear weight [out,in] stored transposed as [in,out]
//   acts, dacts: one slab per activation slot, sized for maxB x block_size, per layer where it applies
//   ids, targets: (maxB, block_size) i32
// A tensor of the current (B,T) is packed at the start of its slab: (B,T,C) rows are contiguous.
import { at } from './mem';
import { encoder_forward, encoder_backward } from './encoder';
import { layernorm_forward, layernorm_backward } from './layernorm';
import { matmul, transpose, bias_backward, INIT_ZERO, INIT_BIAS, INIT_ACCUMULATE } from './matmul';
import { attention_forward, attention_backward } from './attention';
import { gelu_forward, gelu_backward } from './gelu';
import { residual_forward, residual_backward } from './residual';
import { softmax_forward, crossentropy_forward, crossentropy_softmax_backward } from './softmax';
import { adamw_update, sum_squares } from './adamw';
import { replace_heads, replace_rows } from './ablation';

// Activation slots. JS reads these exported constants, so the numbering lives only here.
export const TOK_EMB: i32 = 0; //   (B,T,C)
export const POS_EMB: i32 = 1; //   (B,T,C)
export const ENCODED: i32 = 2; //   (B,T,C)  tok_emb + pos_emb
export const LN1: i32 = 3; //       (L,B,T,C)
export const LN1_MEAN: i32 = 4; //  (L,B,T)
export const LN1_RSTD: i32 = 5; //  (L,B,T)
export const QKV: i32 = 6; //       (L,B,T,3C)
export const PREATT: i32 = 7; //    (L,B,H,T,T) scaled scores, -inf where masked
export const ATT_MAX: i32 = 8; //   (L,B,H,T)
export const ATT_SUM: i32 = 9; //   (L,B,H,T)
export const ATT: i32 = 10; //      (L,B,H,T,T)
export const ATTY: i32 = 11; //     (L,B,T,C)  heads concatenated, before c_proj
export const ATTPROJ: i32 = 12; //  (L,B,T,C)
export const RESID1: i32 = 13; //   (L,B,T,C)
export const LN2: i32 = 14; //      (L,B,T,C)
export const LN2_MEAN: i32 = 15; // (L,B,T)
export const LN2_RSTD: i32 = 16; // (L,B,T)
export const FCH: i32 = 17; //      (L,B,T,4C)
export const FCH_GELU: i32 = 18; // (L,B,T,4C)
export const FCPROJ: i32 = 19; //   (L,B,T,C)
export const RESID2: i32 = 20; //   (L,B,T,C)
export const LNF: i32 = 21; //      (B,T,C)
export const LNF_MEAN: i32 = 22; // (B,T)
export const LNF_RSTD: i32 = 23; // (B,T)
export const LOGITS: i32 = 24; //   (B,T,V)
export const PROBS: i32 = 25; //    (B,T,V)
export const PROBS_MAX: i32 = 26; //(B,T)
export const PROBS_SUM: i32 = 27; //(B,T)
export const LOSSES: i32 = 28; //   (B,T)
const NUM_SLOTS = 29;

let L = 0, H = 0, C = 0, V = 0, maxT = 0, maxB = 0;
let numParams = 0;
let params: usize = 0, paramsT: usize = 0, grads: usize = 0, adamM: usize = 0, adamV: usize = 0;
let acts: usize = 0, dacts: usize = 0, actFloats = 0;
let ids: usize = 0, targets: usize = 0, scratch: usize = 0;
// Ablation: per layer an i32 bitmask of heads and an i32 MLP flag, and the (L, maxT, C) means that
// replace what they switch off. All zero (nothing switched off) unless JS writes them.
let ablHeads: usize = 0, ablMlp: usize = 0, ablHeadMeans: usize = 0, ablMlpMeans: usize = 0;
const slotOffset = new StaticArray<i32>(NUM_SLOTS); // float offset of each slot's slab in acts
const slotStride = new StaticArray<i32>(NUM_SLOTS); // floats per layer of each slot

function isLayered(slot: i32): bool {
  return slot >= LN1 && slot <= RESID2;
}

/** Floats of one layer of a slot for a batch of B sequences of T tokens. */
function slotFloats(slot: i32, B: i32, T: i32): i32 {
  const N = B * T;
  switch (slot) {
    case LN1_MEAN: case LN1_RSTD: case LN2_MEAN: case LN2_RSTD:
    case LNF_MEAN: case LNF_RSTD: case PROBS_MAX: case PROBS_SUM: case LOSSES:
      return N;
    case QKV: return N * 3 * C;
    case PREATT: case ATT: return B * H * T * T;
    case ATT_MAX: case ATT_SUM: return B * H * T;
    case FCH: case FCH_GELU: return N * 4 * C;
    case LOGITS: case PROBS: return N * V;
    default: return N * C;
  }
}

// Parameter offsets (floats), in config.ts paramSpecs order.
const WTE = 0;
function wpe(): i32 { return V * C; }
function layerBase(l: i32): i32 { return V * C + maxT * C + l * layerParams(); }
function layerParams(): i32 { return 2 * C + 3 * C * C + 3 * C + C * C + C + 2 * C + 4 * C * C + 4 * C + 4 * C * C + C; }
function LN1_W(l: i32): i32 { return layerBase(l); }
function LN1_B(l: i32): i32 { return LN1_W(l) + C; }
function ATTN_W(l: i32): i32 { return LN1_B(l) + C; } //  [3C, C]
function ATTN_B(l: i32): i32 { return ATTN_W(l) + 3 * C * C; }
function APROJ_W(l: i32): i32 { return ATTN_B(l) + 3 * C; } // [C, C]
function APROJ_B(l: i32): i32 { return APROJ_W(l) + C * C; }
function LN2_W(l: i32): i32 { return APROJ_B(l) + C; }
function LN2_B(l: i32): i32 { return LN2_W(l) + C; }
function FC_W(l: i32): i32 { return LN2_B(l) + C; } //      [4C, C]
function FC_B(l: i32): i32 { return FC_W(l) + 4 * C * C; }
function MPROJ_W(l: i32): i32 { return FC_B(l) + 4 * C; } // [C, 4C]
function MPROJ_B(l: i32): i32 { return MPROJ_W(l) + 4 * C * C; }
function LNF_W(): i32 { return layerBase(L); }
function LNF_B(): i32 { return LNF_W() + C; }
function LM_HEAD(): i32 { return LNF_B() + C; } //           [V, C]

@inline function p(offset: i32): usize { return at(params, offset); }
@inline function pT(offset: i32): usize { return at(paramsT, offset); }
@inline function g(offset: i32): usize { return at(grads, offset); }
@inline function a(slot: i32, layer: i32): usize { return at(acts, slotOffset[slot] + layer * slotStride[slot]); }
@inline function d(slot: i32, layer: i32): usize { return at(dacts, slotOffset[slot] + layer * slotStride[slot]); }

function alloc(floats: i32): usize {
  const ptr = heap.alloc(<usize>floats << 2);
  memory.fill(ptr, 0, <usize>floats << 2);
  return ptr;
}

/** Called once from JS: sets the configuration and allocates every buffer for batches up to batchMax. */
export function init(n_layer: i32, n_head: i32, n_embd: i32, vocab_size: i32, block_size: i32, batchMax: i32): void {
  L = n_layer; H = n_head; C = n_embd; V = vocab_size; maxT = block_size; maxB = batchMax;
  numParams = LM_HEAD() + V * C;
  params = alloc(numParams);
  paramsT = alloc(numParams);
  grads = alloc(numParams);
  adamM = alloc(numParams);
  adamV = alloc(numParams);
  let offset = 0;
  for (let s = 0; s < NUM_SLOTS; s++) {
    const stride = (slotFloats(s, maxB, maxT) + 3) & ~3; // keep every slab 16-byte aligned
    slotOffset[s] = offset;
    slotStride[s] = stride;
    offset += isLayered(s) ? L * stride : stride;
  }
  actFloats = offset;
  acts = alloc(actFloats);
  dacts = alloc(actFloats);
  ids = alloc(maxB * maxT);
  targets = alloc(maxB * maxT);
  scratch = alloc(2 * maxT);
  ablHeads = alloc(L);
  ablMlp = alloc(L);
  ablHeadMeans = alloc(L * maxT * C);
  ablMlpMeans = alloc(L * maxT * C);
}

// Accessors, called from JS after init to make typed-array views.
export function params_ptr(): usize { return params; }
export function grads_ptr(): usize { return grads; }
// AdamW's first and second moments (one float per parameter), read by the training chapter.
export function adam_m_ptr(): usize { return adamM; }
export function adam_v_ptr(): usize { return adamV; }
export function num_params(): i32 { return numParams; }
export function ids_ptr(): usize { return ids; }
export function targets_ptr(): usize { return targets; }
/** Address of layer `layer` of an activation slot (layer 0 for slots without layers). */
export function act_ptr(slot: i32, layer: i32): usize { return a(slot, layer); }
/** i32[L]: bit h of entry l switches off head h of layer l. */
export function ablate_heads_ptr(): usize { return ablHeads; }
/** i32[L]: non-zero entry l switches off the MLP of layer l. */
export function ablate_mlp_ptr(): usize { return ablMlp; }
/** f32[L, block_size, C]: what a switched-off head's channels become (mean head outputs). */
export function ablate_head_means_ptr(): usize { return ablHeadMeans; }
/** f32[L, block_size, C]: what a switched-off MLP's output becomes (its mean output). */
export function ablate_mlp_means_ptr(): usize { return ablMlpMeans; }

/** Called from JS whenever params change: refreshes the transposed copy the matmuls read. */
export function prepare_weights(): void {
  for (let l = 0; l < L; l++) {
    transpose(pT(ATTN_W(l)), p(ATTN_W(l)), 3 * C, C);
    transpose(pT(APROJ_W(l)), p(APROJ_W(l)), C, C);
    transpose(pT(FC_W(l)), p(FC_W(l)), 4 * C, C);
    transpose(pT(MPROJ_W(l)), p(MPROJ_W(l)), C, 4 * C);
  }
  transpose(pT(LM_HEAD()), p(LM_HEAD()), V, C);
}

/** out[N,OC] = bias + inp[N,IC] @ W^T, with W the nn.Linear weight [OC,IC] at weightOffset. */
function linear_forward(out: usize, inp: usize, weightOffset: i32, bias: usize, N: i32, IC: i32, OC: i32): void {
  matmul(out, inp, IC, 1, pT(weightOffset), bias, bias ? INIT_BIAS : INIT_ZERO, N, IC, OC);
}

/** dinp += dout @ W; dW += dout^T @ inp; dbias += column sums of dout. */
function linear_backward(dinp: usize, weightOffset: i32, biasOffset: i32, dout: usize, inp: usize, N: i32, IC: i32, OC: i32): void {
  matmul(dinp, dout, OC, 1, p(weightOffset), 0, INIT_ACCUMULATE, N, OC, IC);
  matmul(g(weightOffset), dout, 1, OC, inp, 0, INIT_ACCUMULATE, OC, N, IC);
  if (biasOffset >= 0) bias_backward(g(biasOffset), dout, N, OC);
}

/** Per token (and per training step): runs B sequences of T tokens (ids already written). */
export function forward(B: i32, T: i32): void {
  const N = B * T;
  encoder_forward(a(ENCODED, 0), a(TOK_EMB, 0), a(POS_EMB, 0), ids, p(WTE), p(wpe()), B, T, C);
  for (let l = 0; l < L; l++) {
    const residual = l == 0 ? a(ENCODED, 0) : a(RESID2, l - 1);
    layernorm_forward(a(LN1, l), a(LN1_MEAN, l), a(LN1_RSTD, l), residual, p(LN1_W(l)), p(LN1_B(l)), N, C);
    linear_forward(a(QKV, l), a(LN1, l), ATTN_W(l), p(ATTN_B(l)), N, C, 3 * C);
    attention_forward(a(ATTY, l), a(PREATT, l), a(ATT, l), a(ATT_MAX, l), a(ATT_SUM, l), a(QKV, l), B, T, C, H);
    const heads = load<i32>(ablHeads + (<usize>l << 2));
    if (heads != 0) replace_heads(a(ATTY, l), at(ablHeadMeans, l * maxT * C), heads, B, T, C, H);
    linear_forward(a(ATTPROJ, l), a(ATTY, l), APROJ_W(l), p(APROJ_B(l)), N, C, C);
    residual_forward(a(RESID1, l), residual, a(ATTPROJ, l), N * C);
    layernorm_forward(a(LN2, l), a(LN2_MEAN, l), a(LN2_RSTD, l), a(RESID1, l), p(LN2_W(l)), p(LN2_B(l)), N, C);
    linear_forward(a(FCH, l), a(LN2, l), FC_W(l), p(FC_B(l)), N, C, 4 * C);
    gelu_forward(a(FCH_GELU, l), a(FCH, l), N * 4 * C);
    linear_forward(a(FCPROJ, l), a(FCH_GELU, l), MPROJ_W(l), p(MPROJ_B(l)), N, 4 * C, C);
    if (load<i32>(ablMlp + (<usize>l << 2)) != 0) replace_rows(a(FCPROJ, l), at(ablMlpMeans, l * maxT * C), B, T, C);
    residual_forward(a(RESID2, l), a(RESID1, l), a(FCPROJ, l), N * C);
  }
  layernorm_forward(a(LNF, 0), a(LNF_MEAN, 0), a(LNF_RSTD, 0), a(RESID2, L - 1), p(LNF_W()), p(LNF_B()), N, C);
  linear_forward(a(LOGITS, 0), a(LNF, 0), LM_HEAD(), 0, N, C, V);
  softmax_forward(a(PROBS, 0), a(PROBS_MAX, 0), a(PROBS_SUM, 0), a(LOGITS, 0), N, V);
}

/** Per training step, after forward: mean cross-entropy over positions whose target is not -1. */
export function loss(B: i32, T: i32): f32 {
  return crossentropy_forward(a(LOSSES, 0), a(PROBS, 0), targets, B * T, V);
}

/** Per training step: sets grads to zero (backward accumulates into them). */
export function zero_grad(): void {
  memory.fill(grads, 0, <usize>numParams << 2);
}

/** Per training step, after forward: adds d(mean loss)/d(param) into grads. */
export function backward(B: i32, T: i32): void {
  const N = B * T;
  memory.fill(dacts, 0, <usize>actFloats << 2);
  crossentropy_softmax_backward(d(LOGITS, 0), a(PROBS, 0), targets, N, V);
  linear_backward(d(LNF, 0), LM_HEAD(), -1, d(LOGITS, 0), a(LNF, 0), N, C, V);
  layernorm_backward(d(RESID2, L - 1), g(LNF_W()), g(LNF_B()), d(LNF, 0), a(RESID2, L - 1), p(LNF_W()), a(LNF_MEAN, 0), a(LNF_RSTD, 0), N, C);
  for (let l = L - 1; l >= 0; l--) {
    const residual = l == 0 ? a(ENCODED, 0) : a(RESID2, l - 1);
    const dresidual = l == 0 ? d(ENCODED, 0) : d(RESID2, l - 1);
    // resid_2 = resid_1 + mlp(ln_2(resid_1))
    residual_backward(d(RESID1, l), d(FCPROJ, l), d(RESID2, l), N * C);
    linear_backward(d(FCH_GELU, l), MPROJ_W(l), MPROJ_B(l), d(FCPROJ, l), a(FCH_GELU, l), N, 4 * C, C);
    gelu_backward(d(FCH, l), a(FCH, l), d(FCH_GELU, l), N * 4 * C);
    linear_backward(d(LN2, l), FC_W(l), FC_B(l), d(FCH, l), a(LN2, l), N, C, 4 * C);
    layernorm_backward(d(RESID1, l), g(LN2_W(l)), g(LN2_B(l)), d(LN2, l), a(RESID1, l), p(LN2_W(l)), a(LN2_MEAN, l), a(LN2_RSTD, l), N, C);
    // resid_1 = residual + attn(ln_1(residual))
    residual_backward(dresidual, d(ATTPROJ, l), d(RESID1, l), N * C);
    linear_backward(d(ATTY, l), APROJ_W(l), APROJ_B(l), d(ATTPROJ, l), a(ATTY, l), N, C, C);
    attention_backward(d(QKV, l), scratch, d(ATTY, l), a(QKV, l), a(ATT, l), B, T, C, H);
    linear_backward(d(LN1, l), ATTN_W(l), ATTN_B(l), d(QKV, l), a(LN1, l), N, C, 3 * C);
    layernorm_backward(dresidual, g(LN1_W(l)), g(LN1_B(l)), d(LN1, l), residual, p(LN1_W(l)), a(LN1_MEAN, l), a(LN1_RSTD, l), N, C);
  }
  encoder_backward(g(WTE), g(wpe()), d(ENCODED, 0), ids, B, T, C);
}

/** Per training step: the global L2 norm of grads, for clipping. */
export function grad_norm(): f32 {
  return <f32>Math.sqrt(sum_squares(grads, numParams));
}

/** Per parameter tensor per training step: AdamW on floats [offset, offset+size) of params. */
export function adamw(offset: i32, size: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, gradScale: f32, step: i32): void {
  adamw_update(p(offset), g(offset), at(adamM, offset), at(adamV, offset), size, lr, beta1, beta2, eps, weightDecay, gradScale, step);
}
