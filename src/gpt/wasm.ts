/**
 * The JS side of the WASM engine: instantiates src/gpt/assembly (compiled to gpt.wasm), writes
 * parameters and token ids into its memory and reads the trace back out of its activation arena.
 * Same API as the TypeScript reference: forward(ids) -> Trace.
 */
import { paramCount, paramSpecs, type GPTConfig } from './config.ts';
import type { AppliedAblation } from './ablation.ts';
import { traceSpecs, type Tensor, type Trace } from './trace.ts';

interface Exports {
  memory: WebAssembly.Memory;
  init(nLayer: number, nHead: number, nEmbd: number, vocab: number, blockSize: number, batchMax: number): void;
  params_ptr(): number;
  grads_ptr(): number;
  adam_m_ptr(): number;
  adam_v_ptr(): number;
  num_params(): number;
  ids_ptr(): number;
  targets_ptr(): number;
  act_ptr(slot: number, layer: number): number;
  ablate_heads_ptr(): number;
  ablate_mlp_ptr(): number;
  ablate_head_means_ptr(): number;
  ablate_mlp_means_ptr(): number;
  prepare_weights(): void;
  forward(B: number, T: number): void;
  loss(B: number, T: number): number;
  zero_grad(): void;
  backward(B: number, T: number): void;
  grad_norm(): number;
  adamw(offset: number, size: number, lr: number, b1: number, b2: number, eps: number, wd: number, gradScale: number, step: number): void;
  [slot: string]: unknown;
}

/** What the forward-only build (gpt-forward.wasm) answers when asked to train. */
export const FORWARD_ONLY = 'this engine is the forward-only build (gpt-forward.wasm): training needs gpt.wasm';

/** AdamW settings of minGPT's sort demo. */
export interface AdamWSettings {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number;
}

export const MINGPT_ADAMW: AdamWSettings = Object.freeze({
  lr: 5e-4,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
});

export class WasmGPT {
  readonly config: GPTConfig;
  readonly batchMax: number;
  protected readonly x: Exports;
  protected step = 0;
  /** The factor the last trainStep multiplied the gradients by (global-norm clipping; 1 when not clipped). */
  lastGradScale = 1;
  /** Whether parts are switched off (forward only: the backward pass does not know about it). */
  private ablated = false;

  protected constructor(instance: WebAssembly.Instance, config: GPTConfig, batchMax: number) {
    this.x = instance.exports as unknown as Exports;
    this.config = config;
    this.batchMax = batchMax;
    this.x.init(config.n_layer, config.n_head, config.n_embd, config.vocab_size, config.block_size, batchMax);
    if (this.x.num_params() !== paramCount(config)) {
      throw new Error(`WASM engine lays out ${this.x.num_params()} parameters, expected ${paramCount(config)}`);
    }
  }

  /** Instantiates the engine from gpt.wasm (bytes or a compiled module) for batches up to batchMax. */
  static async create(wasm: BufferSource | WebAssembly.Module, config: GPTConfig, batchMax = 1): Promise<WasmGPT> {
    return new WasmGPT(await WasmGPT.instantiate(wasm), config, batchMax);
  }

  protected static async instantiate(wasm: BufferSource | WebAssembly.Module): Promise<WebAssembly.Instance> {
    const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
    return WebAssembly.instantiate(module, {
      env: {
        abort(_msg: number, _file: number, line: number, column: number) {
          throw new Error(`WASM engine aborted at line ${line}:${column}`);
        },
      },
    });
  }

  protected f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, length);
  }

  protected slot(name: string): number {
    return (this.x[name] as WebAssembly.Global).value as number;
  }

  /** A live view of the parameters (valid until memory grows, which it does not after init). */
  get params(): Float32Array {
    return this.f32(this.x.params_ptr(), this.x.num_params());
  }

  get grads(): Float32Array {
    if (!this.trainable) throw new Error(FORWARD_ONLY);
    return this.f32(this.x.grads_ptr(), this.x.num_params());
  }

  setParams(params: Float32Array): void {
    if (params.length !== this.x.num_params()) throw new RangeError(`expected ${this.x.num_params()} parameters, got ${params.length}`);
    this.params.set(params);
    this.x.prepare_weights();
  }

  protected writeBatch(batch: { ids: ArrayLike<number>; targets?: ArrayLike<number> }[], T: number): void {
    const ids = new Int32Array(this.x.memory.buffer, this.x.ids_ptr(), batch.length * T);
    const targets = new Int32Array(this.x.memory.buffer, this.x.targets_ptr(), batch.length * T);
    batch.forEach((seq, b) => {
      for (let t = 0; t < T; t++) {
        ids[b * T + t] = seq.ids[t]!;
        targets[b * T + t] = seq.targets ? seq.targets[t]! : -1;
      }
    });
  }

  private checkIds(ids: ArrayLike<number>): void {
    const { block_size, vocab_size } = this.config;
    if (ids.length < 1 || ids.length > block_size) throw new RangeError(`expected 1..${block_size} tokens, got ${ids.length}`);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocab_size) throw new RangeError(`token ${i} is ${id}: expected 0..${vocab_size - 1}`);
    }
  }

  /**
   * Switches parts off for every later forward pass (null: none), as ablation.ts describes: their
   * outputs become the given means. Training must run with none.
   */
  setAblation(ablate: AppliedAblation | null): void {
    const { n_layer: L, block_size: T, n_embd: C } = this.config;
    const heads = new Int32Array(this.x.memory.buffer, this.x.ablate_heads_ptr(), L);
    const mlp = new Int32Array(this.x.memory.buffer, this.x.ablate_mlp_ptr(), L);
    this.ablated = ablate !== null;
    for (let l = 0; l < L; l++) {
      heads[l] = ablate?.ablation.heads[l] ?? 0;
      mlp[l] = ablate?.ablation.mlp[l] ? 1 : 0;
    }
    if (!ablate) return;
    if (ablate.means.heads.length !== L * T * C || ablate.means.mlp.length !== L * T * C) {
      throw new RangeError(`ablation means must hold ${L * T * C} numbers each`);
    }
    this.f32(this.x.ablate_head_means_ptr(), L * T * C).set(ablate.means.heads);
    this.f32(this.x.ablate_mlp_means_ptr(), L * T * C).set(ablate.means.mlp);
  }

  /** Runs one sequence and copies every traced tensor out of the arena. */
  forward(ids: number[]): Trace {
    this.checkIds(ids);
    const T = ids.length;
    this.writeBatch([{ ids }], T);
    this.x.forward(1, T);
    return { config: this.config, ids: [...ids], tensors: this.readTrace(T) };
  }

  /** Runs one sequence and leaves every intermediate tensor in the WASM arena (no copy out). */
  forwardInPlace(ids: number[]): void {
    this.checkIds(ids);
    this.writeBatch([{ ids }], ids.length);
    this.x.forward(1, ids.length);
  }

  /** Runs one sequence and returns only the probabilities of the next token (generation's fast path). */
  nextProbs(ids: number[]): Float32Array {
    this.checkIds(ids);
    const T = ids.length;
    const V = this.config.vocab_size;
    this.writeBatch([{ ids }], T);
    this.x.forward(1, T);
    return this.f32(this.x.act_ptr(this.slot('PROBS'), 0) + (T - 1) * V * 4, V).slice();
  }

  /**
   * Copies the traced tensors out of the arena into ONE new Float32Array, in traceSpecs order;
   * each Tensor is a view into it, so the whole trace can be transferred as a single buffer.
   */
  private readTrace(T: number): Record<string, Tensor> {
    const { n_head: H, n_embd: C } = this.config;
    const hs = C / H;
    const specs = traceSpecs(this.config, T);
    const all = new Float32Array(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
    const out: Record<string, Tensor> = {};
    let offset = 0;
    const view = (name: string, shape: number[]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      out[name] = { shape, data: all.subarray(offset, offset + n) };
      offset += n;
      return out[name]!.data;
    };
    const slots = (name: string, layer: number): [string, number] | null => {
      const table: Record<string, string> = {
        tok_emb: 'TOK_EMB', pos_emb: 'POS_EMB', embed: 'ENCODED',
        ln_1: 'LN1', 'ln_1.mean': 'LN1_MEAN', 'ln_1.rstd': 'LN1_RSTD',
        'attn.scores': 'PREATT', 'attn.probs.max': 'ATT_MAX', 'attn.probs.sum': 'ATT_SUM', 'attn.probs': 'ATT',
        'attn.heads': 'ATTY', 'attn.proj': 'ATTPROJ', resid_1: 'RESID1',
        ln_2: 'LN2', 'ln_2.mean': 'LN2_MEAN', 'ln_2.rstd': 'LN2_RSTD',
        'mlp.fc': 'FCH', 'mlp.gelu': 'FCH_GELU', 'mlp.proj': 'FCPROJ', resid_2: 'RESID2',
        ln_f: 'LNF', 'ln_f.mean': 'LNF_MEAN', 'ln_f.rstd': 'LNF_RSTD',
        logits: 'LOGITS', probs: 'PROBS', 'probs.max': 'PROBS_MAX', 'probs.sum': 'PROBS_SUM',
      };
      const slot = table[name];
      return slot ? [slot, layer] : null;
    };
    for (const { name, shape } of specs) {
      const m = /^h\.(\d+)\.(.*)$/.exec(name);
      const layer = m ? Number(m[1]) : 0;
      const local = m ? m[2]! : name;
      const dst = view(name, shape);
      const qkvPart = ['attn.q', 'attn.k', 'attn.v'].indexOf(local);
      if (qkvPart >= 0) {
        // q, k, v are column ranges of qkv (T, 3C): regroup them per head as (H, T, hs).
        const qkv = this.f32(this.x.act_ptr(this.slot('QKV'), layer), T * 3 * C);
        for (let h = 0; h < H; h++) {
          for (let t = 0; t < T; t++) {
            const src = t * 3 * C + qkvPart * C + h * hs;
            dst.set(qkv.subarray(src, src + hs), (h * T + t) * hs);
          }
        }
        continue;
      }
      const where = slots(local, layer);
      if (!where) throw new Error(`no arena slot for trace tensor ${name}`);
      dst.set(this.f32(this.x.act_ptr(this.slot(where[0]), where[1]), dst.length));
    }
    return out;
  }

  /** Forward + loss for a batch of equal-length sequences with targets (-1 = not counted). */
  loss(batch: { ids: ArrayLike<number>; targets: ArrayLike<number> }[]): number {
    const T = batch[0]!.ids.length;
    if (batch.length > this.batchMax) throw new RangeError(`batch of ${batch.length} exceeds ${this.batchMax}`);
    this.writeBatch(batch, T);
    this.x.forward(batch.length, T);
    return this.x.loss(batch.length, T);
  }

  /** Whether this build has the backward pass and the optimiser (gpt.wasm has; gpt-forward.wasm has not). */
  get trainable(): boolean {
    return typeof this.x.backward === 'function';
  }

  /** Gradients of the mean loss of a batch, left in `grads`. Returns the loss. */
  lossAndGrads(batch: { ids: ArrayLike<number>; targets: ArrayLike<number> }[]): number {
    if (!this.trainable) throw new Error(FORWARD_ONLY);
    if (this.ablated) throw new Error('cannot train with parts switched off: call setAblation(null) first');
    const loss = this.loss(batch);
    this.x.zero_grad();
    this.x.backward(batch.length, batch[0]!.ids.length);
    return loss;
  }

  /** One optimisation step: loss, gradients, clip the global norm, AdamW. Returns the loss. */
  trainStep(batch: { ids: ArrayLike<number>; targets: ArrayLike<number> }[], opt: AdamWSettings): number {
    const loss = this.lossAndGrads(batch);
    const norm = this.x.grad_norm();
    const scale = norm > opt.gradClip ? opt.gradClip / (norm + 1e-6) : 1;
    this.lastGradScale = scale;
    this.step++;
    for (const s of paramSpecs(this.config)) {
      this.x.adamw(s.offset, s.size, opt.lr, opt.beta1, opt.beta2, opt.eps, s.decay ? opt.weightDecay : 0, scale, this.step);
    }
    this.x.prepare_weights();
    return loss;
  }
}
