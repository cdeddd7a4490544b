/**
 * Switching parts of the model off, to see what they do ("how it sorts"). A switched-off part's
 * output is replaced by its MEAN over the task's 729 inputs, position by position (mean
 * ablation), not by zero: a head that always adds roughly the same vector acts as a bias, and
 * zeroing it would move every later number off the range the model was trained on, which
 * measures the shock of the missing bias rather than the information the part carried.
 *
 * Part names, 0-based like the scene's block ids:
 *   h.<l>.attn.head<i>  one attention head: its 16 output channels (before c_proj) become their means
 *   h.<l>.attn          every head of layer l (the attention output, up to rounding, becomes its mean)
 *   h.<l>.mlp           the MLP of layer l: its output (after c_proj) becomes its mean
 *
 * The means come from the unablated model run on each of the 729 inputs followed by the first five
 * letters of its sorted answer (the 11 tokens it reads when it writes a full answer), so there is
 * one mean per position 0..10.
 */
import { SORT_LENGTH, type GPTConfig } from './config.ts';
import { allInputs, sortedOf } from './sort.ts';
import type { Trace } from './trace.ts';

/** Which parts are switched off: per layer, a bitmask of heads and whether the MLP is. */
export interface Ablation {
  heads: number[];
  mlp: boolean[];
}

/** What switched-off parts' outputs become: (n_layer, block_size, n_embd) each, row-major. */
export interface AblationMeans {
  /** Mean of h.<l>.attn.heads (head outputs, concatenated) at each position. */
  heads: Float32Array;
  /** Mean of h.<l>.mlp.proj at each position. */
  mlp: Float32Array;
}

/** An ablation with its means, as the engines take it. */
export interface AppliedAblation {
  ablation: Ablation;
  means: AblationMeans;
}

export function noAblation(cfg: GPTConfig): Ablation {
  return { heads: new Array<number>(cfg.n_layer).fill(0), mlp: new Array<boolean>(cfg.n_layer).fill(false) };
}

/** True when nothing is switched off. */
export function isEmptyAblation(a: Ablation): boolean {
  return a.heads.every((m) => m === 0) && a.mlp.every((m) => !m);
}

/** Every part name of the model, in order: per layer its heads, the whole attention, the MLP. */
export function partNames(cfg: GPTConfig): string[] {
  const out: string[] = [];
  for (let l = 0; l < cfg.n_layer; l++) {
    for (let h = 0; h < cfg.n_head; h++) out.push(`h.${l}.attn.head${h}`);
    out.push(`h.${l}.attn`, `h.${l}.mlp`);
  }
  return out;
}

/**
 * Parses "h.1.attn.head2,h.2.mlp" (comma-separated part names; an empty string is no ablation).
 * An unknown or malformed name gives { error } naming it.
 */
export function parseAblation(spec: string, cfg: GPTConfig): Ablation | { error: string } {
  const out = noAblation(cfg);
  for (const raw of spec.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const m = /^h\.(\d+)\.(attn(?:\.head(\d+))?|mlp)$/.exec(name);
    const l = m ? Number(m[1]) : -1;
    const h = m?.[3] !== undefined ? Number(m[3]) : -1;
    if (!m || l >= cfg.n_layer || h >= cfg.n_head) {
      return { error: `unknown part "${name}": expected h.<layer>.attn.head<i>, h.<layer>.attn or h.<layer>.mlp with layer 0..${cfg.n_layer - 1} and head 0..${cfg.n_head - 1}` };
    }
    if (m[2] === 'mlp') out.mlp[l] = true;
    else out.heads[l]! |= h >= 0 ? 1 << h : (1 << cfg.n_head) - 1;
  }
  return out;
}

/** The part names an ablation switches off (a whole layer's attention named once). */
export function ablationNames(a: Ablation, cfg: GPTConfig): string[] {
  const all = (1 << cfg.n_head) - 1;
  const out: string[] = [];
  for (let l = 0; l < cfg.n_layer; l++) {
    if (a.heads[l] === all) out.push(`h.${l}.attn`);
    else for (let h = 0; h < cfg.n_head; h++) if ((a.heads[l]! >> h) & 1) out.push(`h.${l}.attn.head${h}`);
    if (a.mlp[l]) out.push(`h.${l}.mlp`);
  }
  return out;
}

/** The 729 sequences the means are taken over: each input, then the first five letters of its answer. */
export function meanSequences(cfg: GPTConfig): number[][] {
  return allInputs(cfg.vocab_size, SORT_LENGTH).map((inp) => [...inp, ...sortedOf(inp)].slice(0, cfg.block_size));
}

/** Means of the head outputs and MLP outputs over meanSequences(), from an unablated forward pass. */
export function ablationMeans(forward: (ids: number[]) => Trace, cfg: GPTConfig): AblationMeans {
  const { n_layer: L, block_size: T, n_embd: C } = cfg;
  const heads = new Float64Array(L * T * C);
  const mlp = new Float64Array(L * T * C);
  const seqs = meanSequences(cfg);
  for (const ids of seqs) {
    const trace = forward(ids);
    if (ids.length !== T) throw new RangeError(`mean sequences must have ${T} tokens, got ${ids.length}`);
    for (let l = 0; l < L; l++) {
      const hd = trace.tensors[`h.${l}.attn.heads`]!.data;
      const mp = trace.tensors[`h.${l}.mlp.proj`]!.data;
      for (let i = 0; i < T * C; i++) {
        heads[l * T * C + i]! += hd[i]!;
        mlp[l * T * C + i]! += mp[i]!;
      }
    }
  }
  const n = seqs.length;
  return { heads: Float32Array.from(heads, (x) => x / n), mlp: Float32Array.from(mlp, (x) => x / n) };
}
