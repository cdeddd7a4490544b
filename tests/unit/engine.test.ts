/**
 * The WASM build against the TypeScript reference, the model's invariants, the analytic
 * gradients against finite differences, and the shipped weights on the whole task.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NANO, paramSpecs, type GPTConfig } from '../../src/gpt/config.ts';
import { forwardReference, lossReference } from '../../src/gpt/reference.ts';
import { evaluateAll } from '../../src/gpt/sort.ts';
import { initParams, sampleExample } from '../../src/gpt/sort-data.ts';
import { mulberry32 } from '../../src/gpt/random.ts';
import { traceSpecs } from '../../src/gpt/trace.ts';
import type { WasmGPT } from '../../src/gpt/wasm.ts';
import { readWeights, wasmEngine } from '../../scripts/lib/engine.ts';

const cfg: GPTConfig = NANO;
let shipped: Float32Array;
let engine: WasmGPT;

beforeAll(async () => {
  shipped = readWeights().params;
  engine = await wasmEngine(cfg, shipped);
});

function randomIds(rand: () => number, T: number): number[] {
  return Array.from({ length: T }, () => Math.floor(rand() * cfg.vocab_size));
}

/** Largest |a - b| over a tensor; -Infinity (masked) must match -Infinity exactly. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = d; // NaN propagates as a failure
  }
  return worst;
}

describe('WASM build vs TypeScript reference', () => {
  const rand = mulberry32(42);
  for (let T = 1; T <= cfg.block_size; T++) {
    it(`agrees within 1e-5 on every trace tensor for T = ${T}`, () => {
      const ids = randomIds(rand, T);
      const ref = forwardReference(cfg, shipped, ids);
      const got = engine.forward(ids);
      let worst = 0;
      let where = '';
      for (const { name, shape } of traceSpecs(cfg, T)) {
        expect(got.tensors[name]?.shape, name).toEqual(shape);
        expect(ref.tensors[name]?.shape, name).toEqual(shape);
        const d = maxDiff(ref.tensors[name]!.data, got.tensors[name]!.data);
        if (!(d <= worst)) {
          worst = d;
          where = name;
        }
      }
      console.log(`T=${T}: max |wasm - ts| = ${worst.toExponential(2)} (${where})`);
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  }

  it('agrees on other weights too, relative to magnitude (large random weights give large activations)', async () => {
    const params = initParams(cfg, 5).map((v, i) => v + 0.3 * Math.sin(i));
    const other = await wasmEngine(cfg, params);
    const ids = [2, 1, 0, 1, 1, 2, 0, 0, 1, 2, 2];
    const ref = forwardReference(cfg, params, ids);
    const got = other.forward(ids);
    for (const { name } of traceSpecs(cfg, ids.length)) {
      const a = ref.tensors[name]!.data;
      const b = got.tensors[name]!.data;
      for (let i = 0; i < a.length; i++) {
        if (a[i] === b[i]) continue;
        // Scores here reach tens, and exp() turns float32 rounding of a score into a relative
        // error of the same size in the softmax sum: allow 1e-4 relative for these stress weights.
        expect(Math.abs(a[i]! - b[i]!), `${name}[${i}] ts ${a[i]} wasm ${b[i]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(a[i]!)));
      }
    }
  });
});

describe('invariants of the forward pass', () => {
  const ids = [2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2];
  const T = ids.length;

  it('attention rows sum to 1 and masked entries are exactly 0 with -inf scores', () => {
    const t = engine.forward(ids);
    for (let l = 0; l < cfg.n_layer; l++) {
      const probs = t.tensors[`h.${l}.attn.probs`]!.data;
      const scores = t.tensors[`h.${l}.attn.scores`]!.data;
      for (let row = 0; row < cfg.n_head * T; row++) {
        const q = row % T;
        let sum = 0;
        for (let s = 0; s < T; s++) {
          sum += probs[row * T + s]!;
          if (s > q) {
            expect(probs[row * T + s]).toBe(0);
            expect(scores[row * T + s]).toBe(-Infinity);
          }
        }
        expect(sum).toBeCloseTo(1, 6);
      }
    }
  });

  it('is causal: changing token j never changes anything at positions before j', () => {
    const base = engine.forward(ids);
    for (let j = 0; j < T; j++) {
      const changed = [...ids];
      changed[j] = (changed[j]! + 1) % cfg.vocab_size;
      const other = engine.forward(changed);
      for (const { name, shape } of traceSpecs(cfg, T)) {
        if (name.startsWith('pos_emb')) continue;
        const a = base.tensors[name]!.data;
        const b = other.tensors[name]!.data;
        // Position is the first axis of [T,...] tensors and the second of [H,T,...] ones.
        const perHead = shape.length >= 2 && shape[0] === cfg.n_head && name.includes('attn.') && !name.endsWith('heads') && !name.endsWith('proj');
        const heads = perHead ? shape[0]! : 1;
        const rowSize = a.length / heads / T;
        for (let h = 0; h < heads; h++) {
          for (let t = 0; t < j; t++) {
            const start = (h * T + t) * rowSize;
            expect(Array.from(b.subarray(start, start + rowSize)), `${name} position ${t} after changing ${j}`).toEqual(
              Array.from(a.subarray(start, start + rowSize)),
            );
          }
        }
        if (j === T - 1 && name === 'logits') {
          expect(Array.from(b.subarray((T - 1) * cfg.vocab_size))).not.toEqual(Array.from(a.subarray((T - 1) * cfg.vocab_size)));
        }
      }
    }
  });

  it('layer norm before gamma and beta has mean 0 and variance 1 (up to eps) in every row', () => {
    const t = engine.forward(ids);
    const C = cfg.n_embd;
    const check = (ln: string, input: string, gamma: Float32Array, beta: Float32Array) => {
      const x = t.tensors[input]!.data;
      const y = t.tensors[ln]!.data;
      const mean = t.tensors[ln + '.mean']!.data;
      const rstd = t.tensors[ln + '.rstd']!.data;
      for (let r = 0; r < T; r++) {
        const row = Array.from(x.subarray(r * C, (r + 1) * C));
        const xm = row.reduce((a, b) => a + b, 0) / C;
        const xv = row.reduce((a, b) => a + (b - xm) ** 2, 0) / C;
        expect(mean[r]).toBeCloseTo(xm, 5);
        expect(rstd[r]).toBeCloseTo(1 / Math.sqrt(xv + 1e-5), 3);
        const norm = row.map((v) => (v - mean[r]!) * rstd[r]!);
        const m = norm.reduce((a, b) => a + b, 0) / C;
        const v = norm.reduce((a, b) => a + (b - m) ** 2, 0) / C;
        expect(Math.abs(m)).toBeLessThan(1e-5);
        // eps keeps the variance a hair under 1: exactly var / (var + eps).
        expect(v).toBeCloseTo(xv / (xv + 1e-5), 5);
        expect(v).toBeGreaterThan(0.98);
        for (let c = 0; c < C; c++) expect(Math.abs(y[r * C + c]! - (norm[c]! * gamma[c]! + beta[c]!))).toBeLessThan(1e-5);
      }
    };
    const p = (name: string) => {
      const s = paramSpecs(cfg).find((x) => x.name === name)!;
      return shipped.subarray(s.offset, s.offset + s.size);
    };
    for (let l = 0; l < cfg.n_layer; l++) {
      check(`h.${l}.ln_1`, l === 0 ? 'embed' : `h.${l - 1}.resid_2`, p(`transformer.h.${l}.ln_1.weight`), p(`transformer.h.${l}.ln_1.bias`));
      check(`h.${l}.ln_2`, `h.${l}.resid_1`, p(`transformer.h.${l}.ln_2.weight`), p(`transformer.h.${l}.ln_2.bias`));
    }
    check('ln_f', `h.${cfg.n_layer - 1}.resid_2`, p('transformer.ln_f.weight'), p('transformer.ln_f.bias'));
  });
});

describe('backward pass', () => {
  it('matches central finite differences of the double-precision reference loss on every parameter tensor', async () => {
    // Untrained-ish weights so gradients are not vanishingly small; a batch of 3 so that batch
    // indexing is exercised (B > 1).
    const params = initParams(cfg, 3).map((v, i) => v + 0.05 * Math.cos(i * 0.37));
    const rand = mulberry32(9);
    const batch = Array.from({ length: 3 }, () => sampleExample(rand, cfg.vocab_size));
    const trainer = await wasmEngine(cfg, params, batch.length);
    trainer.lossAndGrads(batch);
    const grads = trainer.grads.slice();
    const p64 = Float64Array.from(params);
    const pick = mulberry32(123);
    let worstRel = 0;
    for (const spec of paramSpecs(cfg)) {
      for (let k = 0; k < 4; k++) {
        const i = spec.offset + Math.floor(pick() * spec.size);
        const h = 1e-4;
        const old = p64[i]!;
        p64[i] = old + h;
        const up = lossReference(cfg, p64, batch);
        p64[i] = old - h;
        const down = lossReference(cfg, p64, batch);
        p64[i] = old;
        const numeric = (up - down) / (2 * h);
        const err = Math.abs(numeric - grads[i]!);
        // float32 analytic vs float64 numeric: absolute floor for tiny gradients, relative otherwise.
        expect(err, `${spec.name}[${i - spec.offset}]: analytic ${grads[i]} numeric ${numeric}`).toBeLessThanOrEqual(2e-4 + 2e-2 * Math.abs(numeric));
        if (Math.abs(numeric) > 1e-3) worstRel = Math.max(worstRel, err / Math.abs(numeric));
      }
    }
    console.log(`gradient check: worst relative error ${worstRel.toExponential(2)} over ${paramSpecs(cfg).length} tensors`);
  });
});

describe('the shipped weights', () => {
  it('sort all 729 inputs under greedy decoding', () => {
    const result = evaluateAll(engine, cfg.vocab_size);
    expect(result.failures).toEqual([]);
    expect(result.correct).toBe(729);
  });
});
