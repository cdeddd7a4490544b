/**
 * The model's configuration and vocabulary: minGPT's "gpt-nano" trained on the sorting demo.
 * Every other module derives sizes from a GPTConfig; nothing hard-codes 48 or 3.
 */

export interface GPTConfig {
  /** Number of transformer blocks. */
  n_layer: number;
  /** Attention heads per block. */
  n_head: number;
  /** Channels of the residual stream (C). */
  n_embd: number;
  /** Number of distinct tokens (V). */
  vocab_size: number;
  /** Longest sequence the model accepts (position-embedding rows). */
  block_size: number;
}

/** gpt-nano as trained for the sort task: 3 letters, 6 inputs + 5 fed-back outputs = 11 positions. */
export const NANO: GPTConfig = Object.freeze({
  n_layer: 3,
  n_head: 3,
  n_embd: 48,
  vocab_size: 3,
  block_size: 11,
});

/** The vocabulary: token id i is the letter VOCAB[i]. */
export const VOCAB = 'ABC';

/** Length of the sort task's input (and of its output). */
export const SORT_LENGTH = 6;

export const LN_EPS = 1e-5;

/** One parameter tensor of the model, named as in minGPT's state dict ([out, in] for linear weights). */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** Offset in floats inside the single parameter buffer. */
  offset: number;
  size: number;
  /** AdamW applies weight decay only to matmul weights (minGPT's rule: Linear weights, not biases, LayerNorm or embeddings). */
  decay: boolean;
}

/**
 * The parameter tensors in minGPT state-dict order, packed one after another in one buffer.
 * The WASM engine, the TypeScript reference and the safetensors file all use this one layout.
 */
export function paramSpecs(cfg: GPTConfig): ParamSpec[] {
  const C = cfg.n_embd;
  const specs: ParamSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], decay = false) => {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, size, decay });
    offset += size;
  };
  add('transformer.wte.weight', [cfg.vocab_size, C]);
  add('transformer.wpe.weight', [cfg.block_size, C]);
  for (let l = 0; l < cfg.n_layer; l++) {
    const p = `transformer.h.${l}.`;
    add(p + 'ln_1.weight', [C]);
    add(p + 'ln_1.bias', [C]);
    add(p + 'attn.c_attn.weight', [3 * C, C], true);
    add(p + 'attn.c_attn.bias', [3 * C]);
    add(p + 'attn.c_proj.weight', [C, C], true);
    add(p + 'attn.c_proj.bias', [C]);
    add(p + 'ln_2.weight', [C]);
    add(p + 'ln_2.bias', [C]);
    add(p + 'mlp.c_fc.weight', [4 * C, C], true);
    add(p + 'mlp.c_fc.bias', [4 * C]);
    add(p + 'mlp.c_proj.weight', [C, 4 * C], true);
    add(p + 'mlp.c_proj.bias', [C]);
  }
  add('transformer.ln_f.weight', [C]);
  add('transformer.ln_f.bias', [C]);
  add('lm_head.weight', [cfg.vocab_size, C], true);
  return specs;
}

export function paramCount(cfg: GPTConfig): number {
  const specs = paramSpecs(cfg);
  const last = specs[specs.length - 1]!;
  return last.offset + last.size;
}

/** Letters -> token ids, or an error message naming the first problem. */
export function encode(text: string, maxLength = NANO.block_size): { ids: number[] } | { error: string } {
  if (text.length === 0) return { error: 'the input is empty: expected letters from A, B, C' };
  if (text.length > maxLength) return { error: `the input has ${text.length} letters: at most ${maxLength} are allowed` };
  const ids: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const id = VOCAB.indexOf(text[i]!);
    if (id < 0) return { error: `letter ${i + 1} of the input is "${text[i]}": only A, B and C are allowed` };
    ids.push(id);
  }
  return { ids };
}

export function decode(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += VOCAB[ids[i]!] ?? '?';
  return s;
}
