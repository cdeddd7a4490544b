/**
 * The plain TypeScript reference of gpt-nano's forward pass: the definition of truth for tests.
 * Written for reading, not speed: one function per stage, loops that follow minGPT's model.py,
 * double-precision arithmetic (the WASM build works in float32 and is tested against this).
 */
import { LN_EPS, paramSpecs, type GPTConfig } from './config.ts';
import type { AppliedAblation } from './ablation.ts';
import type { Tensor, Trace } from './trace.ts';

type Vec = Float64Array;
/** Parameters in float32 (as shipped) or float64 (for finite-difference gradient checks). */
type Params = Float32Array | Float64Array;

/** Named views of the packed parameter buffer, keyed by minGPT state-dict names. */
export function paramViews<P extends Float32Array | Float64Array>(cfg: GPTConfig, params: P): Map<string, P> {
  const views = new Map<string, P>();
  for (const s of paramSpecs(cfg)) views.set(s.name, params.subarray(s.offset, s.offset + s.size) as P);
  return views;
}

/** out[t][o] = bias[o] + sum_i inp[t][i] * weight[o][i]   (weight is [OC, IC], as nn.Linear) */
function linear(inp: Vec, weight: Params, bias: Params | null, T: number, IC: number, OC: number): Vec {
  const out = new Float64Array(T * OC);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < OC; o++) {
      let sum = bias ? bias[o]! : 0;
      for (let i = 0; i < IC; i++) sum += inp[t * IC + i]! * weight[o * IC + i]!;
      out[t * OC + o] = sum;
    }
  }
  return out;
}

/** Layer norm over channels with biased variance; also returns per-row mean and 1/std. */
function layerNorm(inp: Vec, gamma: Params, beta: Params, T: number, C: number) {
  const out = new Float64Array(T * C);
  const mean = new Float64Array(T);
  const rstd = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += inp[t * C + c]!;
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (inp[t * C + c]! - m) ** 2;
    v /= C;
    const r = 1 / Math.sqrt(v + LN_EPS);
    for (let c = 0; c < C; c++) out[t * C + c] = (inp[t * C + c]! - m) * r * gamma[c]! + beta[c]!;
    mean[t] = m;
    rstd[t] = r;
  }
  return { out, mean, rstd };
}

/** GELU, tanh approximation (minGPT's NewGELU). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** Softmax of each row of n entries, in place on a copy; returns the row max and the sum of exps. */
function softmaxRows(inp: Vec, rows: number, n: number, valid: (row: number) => number) {
  const out = new Float64Array(rows * n);
  const max = new Float64Array(rows);
  const sum = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const len = valid(r); // entries past len are masked: probability exactly 0
    let m = -Infinity;
    for (let i = 0; i < len; i++) m = Math.max(m, inp[r * n + i]!);
    let s = 0;
    for (let i = 0; i < len; i++) s += Math.exp(inp[r * n + i]! - m);
    for (let i = 0; i < len; i++) out[r * n + i] = Math.exp(inp[r * n + i]! - m) / s;
    max[r] = m;
    sum[r] = s;
  }
  return { out, max, sum };
}

function add(a: Vec, b: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

/**
 * Runs gpt-nano on token ids (1..block_size of them) and returns every intermediate tensor; with
 * `ablate`, the parts it names have their outputs replaced by their means (see ablation.ts).
 */
export function forwardReference(cfg: GPTConfig, params: Params, ids: number[], ablate?: AppliedAblation): Trace {
  const tensors: Record<string, Tensor> = {};
  forward(
    cfg,
    params,
    ids,
    (name, data, shape) => {
      tensors[name] = { shape, data: Float32Array.from(data) };
    },
    ablate,
  );
  return { config: cfg, ids: [...ids], tensors };
}

type Keep = (name: string, data: Vec, shape: number[]) => void;

/** The forward pass proper; hands each named tensor, in double precision, to `keepTensor`. */
function forward(cfg: GPTConfig, params: Params, ids: number[], keepTensor: Keep, ablate?: AppliedAblation): void {
  const T = ids.length;
  const C = cfg.n_embd;
  const H = cfg.n_head;
  const hs = C / H;
  const V = cfg.vocab_size;
  if (T < 1 || T > cfg.block_size) throw new RangeError(`expected 1..${cfg.block_size} tokens, got ${T}`);
  const w = paramViews(cfg, params);
  const p = (name: string) => w.get(name)!;
  const keep = (name: string, data: Vec, ...shape: number[]) => keepTensor(name, data, shape);

  // Embedding: one row of wte per token, one row of wpe per position, added.
  const tokEmb = new Float64Array(T * C);
  const posEmb = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      tokEmb[t * C + c] = p('transformer.wte.weight')[ids[t]! * C + c]!;
      posEmb[t * C + c] = p('transformer.wpe.weight')[t * C + c]!;
    }
  }
  let x = add(tokEmb, posEmb); // (T, C)
  keep('tok_emb', tokEmb, T, C);
  keep('pos_emb', posEmb, T, C);
  keep('embed', x, T, C);

  const keepLn = (name: string, ln: { out: Vec; mean: Vec; rstd: Vec }) => {
    keep(name + '.mean', ln.mean, T);
    keep(name + '.rstd', ln.rstd, T);
    keep(name, ln.out, T, C);
  };

  for (let l = 0; l < cfg.n_layer; l++) {
    const pre = `transformer.h.${l}.`;
    const name = `h.${l}.`;

    // Attention sub-block.
    const ln1 = layerNorm(x, p(pre + 'ln_1.weight'), p(pre + 'ln_1.bias'), T, C);
    keepLn(name + 'ln_1', ln1);
    const qkv = linear(ln1.out, p(pre + 'attn.c_attn.weight'), p(pre + 'attn.c_attn.bias'), T, C, 3 * C); // (T, 3C)
    const q = new Float64Array(H * T * hs); // (H, T, hs)
    const k = new Float64Array(H * T * hs);
    const v = new Float64Array(H * T * hs);
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < hs; i++) {
          q[(h * T + t) * hs + i] = qkv[t * 3 * C + 0 * C + h * hs + i]!;
          k[(h * T + t) * hs + i] = qkv[t * 3 * C + 1 * C + h * hs + i]!;
          v[(h * T + t) * hs + i] = qkv[t * 3 * C + 2 * C + h * hs + i]!;
        }
      }
    }
    const scale = 1 / Math.sqrt(hs);
    const scores = new Float64Array(H * T * T).fill(-Infinity); // (H, T, T), causal: key s <= query t
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < hs; i++) dot += q[(h * T + t) * hs + i]! * k[(h * T + s) * hs + i]!;
          scores[(h * T + t) * T + s] = dot * scale;
        }
      }
    }
    const att = softmaxRows(scores, H * T, T, (row) => (row % T) + 1);
    const heads = new Float64Array(T * C); // (T, C): head h fills channels h*hs .. h*hs+hs-1
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < hs; i++) {
          let sum = 0;
          for (let s = 0; s <= t; s++) sum += att.out[(h * T + t) * T + s]! * v[(h * T + s) * hs + i]!;
          heads[t * C + h * hs + i] = sum;
        }
      }
    }
    // A switched-off head's channels become its mean output at this position.
    const headMask = ablate?.ablation.heads[l] ?? 0;
    for (let h = 0; h < H; h++) {
      if (((headMask >> h) & 1) === 0) continue;
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < hs; i++) heads[t * C + h * hs + i] = ablate!.means.heads[(l * cfg.block_size + t) * C + h * hs + i]!;
      }
    }
    const proj = linear(heads, p(pre + 'attn.c_proj.weight'), p(pre + 'attn.c_proj.bias'), T, C, C);
    const resid1 = add(x, proj);
    keep(name + 'attn.q', q, H, T, hs);
    keep(name + 'attn.k', k, H, T, hs);
    keep(name + 'attn.v', v, H, T, hs);
    keep(name + 'attn.scores', scores, H, T, T);
    keep(name + 'attn.probs.max', att.max, H, T);
    keep(name + 'attn.probs.sum', att.sum, H, T);
    keep(name + 'attn.probs', att.out, H, T, T);
    keep(name + 'attn.heads', heads, T, C);
    keep(name + 'attn.proj', proj, T, C);
    keep(name + 'resid_1', resid1, T, C);

    // MLP sub-block.
    const ln2 = layerNorm(resid1, p(pre + 'ln_2.weight'), p(pre + 'ln_2.bias'), T, C);
    keepLn(name + 'ln_2', ln2);
    const fc = linear(ln2.out, p(pre + 'mlp.c_fc.weight'), p(pre + 'mlp.c_fc.bias'), T, C, 4 * C); // (T, 4C)
    const act = fc.map(gelu);
    const mlpProj = linear(act, p(pre + 'mlp.c_proj.weight'), p(pre + 'mlp.c_proj.bias'), T, 4 * C, C);
    // A switched-off MLP's output becomes its mean output at each position.
    if (ablate?.ablation.mlp[l]) for (let i = 0; i < T * C; i++) mlpProj[i] = ablate.means.mlp[l * cfg.block_size * C + i]!;
    x = add(resid1, mlpProj);
    keep(name + 'mlp.fc', fc, T, 4 * C);
    keep(name + 'mlp.gelu', act, T, 4 * C);
    keep(name + 'mlp.proj', mlpProj, T, C);
    keep(name + 'resid_2', x, T, C);
  }

  const lnf = layerNorm(x, p('transformer.ln_f.weight'), p('transformer.ln_f.bias'), T, C);
  keepLn('ln_f', lnf);
  const logits = linear(lnf.out, p('lm_head.weight'), null, T, C, V); // (T, V)
  const probs = softmaxRows(logits, T, V, () => V);
  keep('logits', logits, T, V);
  keep('probs.max', probs.max, T);
  keep('probs.sum', probs.sum, T);
  keep('probs', probs.out, T, V);
}

/**
 * minGPT's training loss in double precision: cross-entropy averaged over every position of every
 * sequence whose target is not -1 (F.cross_entropy with ignore_index=-1).
 */
export function lossReference(cfg: GPTConfig, params: Params, batch: { ids: number[]; targets: number[] }[]): number {
  const V = cfg.vocab_size;
  let loss = 0;
  let n = 0;
  for (const { ids, targets } of batch) {
    let logits: Vec | null = null;
    forward(cfg, params, ids, (name, data) => {
      if (name === 'logits') logits = data;
    });
    const lg = logits as unknown as Vec;
    for (let t = 0; t < ids.length; t++) {
      const target = targets[t]!;
      if (target < 0) continue;
      let m = -Infinity;
      for (let v = 0; v < V; v++) m = Math.max(m, lg[t * V + v]!);
      let s = 0;
      for (let v = 0; v < V; v++) s += Math.exp(lg[t * V + v]! - m);
      loss += Math.log(s) + m - lg[t * V + target]!;
      n++;
    }
  }
  return loss / n;
}
