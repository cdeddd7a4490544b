/**
 * The trace: every tensor one forward pass computes, by name, for a single sequence (batch 1).
 * Names and shapes are the public interface of `npm run trace` (see docs/ARCHITECTURE.md):
 * T = tokens, H = heads, hs = head size, C = channels, V = vocabulary.
 */
import type { GPTConfig } from './config.ts';

export interface Tensor {
  shape: number[];
  /** Row-major values. Masked attention scores are -Infinity, as in PyTorch's masked_fill. */
  data: Float32Array;
}

export interface Trace {
  config: GPTConfig;
  ids: number[];
  tensors: Record<string, Tensor>;
}

/** Every tensor name of a trace with its shape, in the order the data flows. */
export function traceSpecs(cfg: GPTConfig, T: number): { name: string; shape: number[] }[] {
  const C = cfg.n_embd;
  const H = cfg.n_head;
  const hs = C / H;
  const V = cfg.vocab_size;
  const out: { name: string; shape: number[] }[] = [];
  const add = (name: string, ...shape: number[]) => out.push({ name, shape });
  const layerNorm = (name: string) => {
    add(name + '.mean', T);
    add(name + '.rstd', T);
    add(name, T, C);
  };
  add('tok_emb', T, C);
  add('pos_emb', T, C);
  add('embed', T, C);
  for (let l = 0; l < cfg.n_layer; l++) {
    const p = `h.${l}.`;
    layerNorm(p + 'ln_1');
    add(p + 'attn.q', H, T, hs);
    add(p + 'attn.k', H, T, hs);
    add(p + 'attn.v', H, T, hs);
    add(p + 'attn.scores', H, T, T);
    add(p + 'attn.probs.max', H, T);
    add(p + 'attn.probs.sum', H, T);
    add(p + 'attn.probs', H, T, T);
    add(p + 'attn.heads', T, C);
    add(p + 'attn.proj', T, C);
    add(p + 'resid_1', T, C);
    layerNorm(p + 'ln_2');
    add(p + 'mlp.fc', T, 4 * C);
    add(p + 'mlp.gelu', T, 4 * C);
    add(p + 'mlp.proj', T, C);
    add(p + 'resid_2', T, C);
  }
  layerNorm('ln_f');
  add('logits', T, V);
  add('probs.max', T);
  add('probs.sum', T);
  add('probs', T, V);
  return out;
}

/** Nested arrays for JSON, with non-finite values (masked scores) as null. */
export function toNested(t: Tensor): unknown {
  const build = (dim: number, offset: number): unknown => {
    const n = t.shape[dim]!;
    if (dim === t.shape.length - 1) {
      const row: (number | null)[] = [];
      for (let i = 0; i < n; i++) {
        const v = t.data[offset + i]!;
        row.push(Number.isFinite(v) ? v : null);
      }
      return row;
    }
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const rows: unknown[] = [];
    for (let i = 0; i < n; i++) rows.push(build(dim + 1, offset + i * stride));
    return rows;
  };
  return build(0, 0);
}

/** Index of the largest of the last row of `probs` [T][V]: the greedy next token. */
export function argmaxLast(probs: Tensor): number {
  const V = probs.shape[1]!;
  const T = probs.shape[0]!;
  let best = 0;
  for (let v = 1; v < V; v++) if (probs.data[(T - 1) * V + v]! > probs.data[(T - 1) * V + best]!) best = v;
  return best;
}
