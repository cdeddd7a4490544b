/**
 * The WASM engine with what only training needs: AdamW's moments, resetting the optimiser, and
 * batched probabilities for the accuracy on all inputs. Apart from wasm.ts so that pages which
 * never train do not download it.
 */
import type { GPTConfig } from './config.ts';
import { FORWARD_ONLY, WasmGPT } from './wasm.ts';

export class TrainableGPT extends WasmGPT {
  /** Instantiates the engine from gpt.wasm (bytes or a compiled module) for batches up to batchMax. */
  static async load(wasm: BufferSource | WebAssembly.Module, config: GPTConfig, batchMax: number): Promise<TrainableGPT> {
    const engine = new TrainableGPT(await TrainableGPT.instantiate(wasm), config, batchMax);
    if (!engine.trainable) throw new Error(FORWARD_ONLY);
    return engine;
  }

  /** AdamW's moments, one float per parameter: live views, as `params`. */
  get adamM(): Float32Array {
    return this.f32(this.x.adam_m_ptr(), this.x.num_params());
  }

  get adamV(): Float32Array {
    return this.f32(this.x.adam_v_ptr(), this.x.num_params());
  }

  /** AdamW steps taken since the engine was created or the optimiser last reset. */
  get steps(): number {
    return this.step;
  }

  /** Forgets the optimiser's state (moments and step count), as a freshly created engine. */
  resetOptimizer(): void {
    this.adamM.fill(0);
    this.adamV.fill(0);
    this.step = 0;
    this.lastGradScale = 1;
  }

  /**
   * One forward pass over a batch of equal-length sequences (at most batchMax); returns a view of
   * the probabilities, (B, T, V), valid until the next call into the engine.
   */
  probsBatch(seqs: readonly ArrayLike<number>[]): Float32Array {
    const T = seqs[0]!.length;
    if (seqs.length > this.batchMax) throw new RangeError(`batch of ${seqs.length} exceeds ${this.batchMax}`);
    this.writeBatch(seqs.map((ids) => ({ ids })), T);
    this.x.forward(seqs.length, T);
    return this.f32(this.x.act_ptr(this.slot('PROBS'), 0), seqs.length * T * this.config.vocab_size);
  }
}
