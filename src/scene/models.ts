/**
 * The four models the article can draw: the real gpt-nano (whose every number we compute) and three
 * published GPTs drawn at true size from their configurations alone. Parameter and compute counts
 * are derived from the configuration here, never typed in, so the figures in the text follow it.
 */
import { NANO, type GPTConfig } from '../gpt/config.ts';
import type { ModelId } from './types.ts';

export interface ModelSpec {
  id: ModelId;
  /** Reader-facing name, e.g. "GPT-2 small". */
  name: string;
  config: GPTConfig;
  /** GPT-2 and GPT-3 reuse the token-embedding matrix as the output (lm head) weights; minGPT's nano does not. */
  tiedLmHead: boolean;
  /** True only for nano: we ship its weights and run it, so its blocks carry values. */
  hasWeights: boolean;
}

const GPT2_VOCAB = 50257;

export const MODELS: Readonly<Record<ModelId, ModelSpec>> = Object.freeze({
  nano: { id: 'nano', name: 'gpt-nano (this page’s sorter)', config: NANO, tiedLmHead: false, hasWeights: true },
  'gpt2-small': {
    id: 'gpt2-small',
    name: 'GPT-2 small',
    config: { n_layer: 12, n_head: 12, n_embd: 768, vocab_size: GPT2_VOCAB, block_size: 1024 },
    tiedLmHead: true,
    hasWeights: false,
  },
  'gpt2-xl': {
    id: 'gpt2-xl',
    name: 'GPT-2 XL',
    config: { n_layer: 48, n_head: 25, n_embd: 1600, vocab_size: GPT2_VOCAB, block_size: 1024 },
    tiedLmHead: true,
    hasWeights: false,
  },
  gpt3: {
    id: 'gpt3',
    name: 'GPT-3 (175B)',
    config: { n_layer: 96, n_head: 96, n_embd: 12288, vocab_size: GPT2_VOCAB, block_size: 2048 },
    tiedLmHead: true,
    hasWeights: false,
  },
});

export const MODEL_IDS = Object.keys(MODELS) as ModelId[];

export function modelSpec(id: ModelId): ModelSpec {
  const spec = (MODELS as Record<string, ModelSpec | undefined>)[id];
  if (!spec) throw new RangeError(`unknown model "${id}": expected one of ${MODEL_IDS.join(', ')}`);
  return spec;
}

/**
 * Learned numbers of a GPT of this shape (C = n_embd, L = n_layer, V = vocab, B = block_size):
 *   embeddings      V·C + B·C
 *   per layer       ln_1 2C + qkv (3C·C + 3C) + attn proj (C·C + C) + ln_2 2C + fc (4C·C + 4C) + mlp proj (4C·C + C)
 *                 = 12C² + 13C
 *   final ln        2C
 *   lm head         V·C, unless tied to the token embedding
 */
export function countParams(spec: ModelSpec): number {
  const { n_layer: L, n_embd: C, vocab_size: V, block_size: B } = spec.config;
  const embeddings = V * C + B * C;
  const perLayer = 12 * C * C + 13 * C;
  const lmHead = spec.tiedLmHead ? 0 : V * C;
  return embeddings + L * perLayer + 2 * C + lmHead;
}

/**
 * Multiply-adds of the matrix products needed to produce one next token when the sequence holds T
 * tokens (the newest token's column only; earlier keys and values are reused, as a KV cache does):
 *   per layer   q, k, v 3C² + attention projection C² + MLP 4C² + 4C² = 12C²,
 *               plus attention over T positions: q·k for T keys (T·C over all heads) and the
 *               probability-weighted sum of T values (T·C)                          = 2·T·C
 *   lm head     V·C
 *   total       L·(12C² + 2·T·C) + V·C
 * Layer norms, softmax, GELU and biases are O(C) per layer and left out, as is usual.
 */
export function flopsPerToken(spec: ModelSpec, T: number): number {
  const { n_layer: L, n_embd: C, vocab_size: V, block_size: B } = spec.config;
  if (!Number.isInteger(T) || T < 1 || T > B) throw new RangeError(`context of ${T} tokens for ${spec.name}: expected an integer in 1..${B}`);
  return L * (12 * C * C + 2 * T * C) + V * C;
}
