/**
 * The forward-only engine the chapter pages load (gpt-forward.wasm, src/gpt/assembly/forward.ts)
 * against the full one (gpt.wasm): the same numbers, bit for bit, on every traced tensor, with
 * and without parts switched off, and the same loss; no backward pass or optimiser, which a
 * caller is told in words; and a fraction of the full engine's size, which is what it is for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { NANO } from '../../src/gpt/config.ts';
import { mulberry32 } from '../../src/gpt/random.ts';
import { WasmGPT } from '../../src/gpt/wasm.ts';
import { TrainableGPT } from '../../src/gpt/wasm-train.ts';
import { FORWARD_WASM_PATH, readWasm, readWeights } from '../../scripts/lib/engine.ts';

const shipped = readWeights().params;
let full: WasmGPT;
let forward: WasmGPT;

beforeAll(async () => {
  full = await WasmGPT.create(readWasm(), NANO, 2);
  forward = await WasmGPT.create(readWasm(FORWARD_WASM_PATH), NANO, 2);
  full.setParams(shipped);
  forward.setParams(shipped);
});

/** Whether two traces hold the same bits in every tensor. */
function sameBits(a: ReturnType<WasmGPT['forward']>, b: ReturnType<WasmGPT['forward']>): string | null {
  for (const name of Object.keys(a.tensors)) {
    const x = a.tensors[name]!.data;
    const y = b.tensors[name]?.data;
    if (!y || x.length !== y.length) return `${name}: shapes differ`;
    const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) return `${name}: differs at byte ${i}`;
  }
  return Object.keys(b.tensors).length === Object.keys(a.tensors).length ? null : 'tensor lists differ';
}

describe('the forward-only engine', () => {
  it('computes every traced tensor bit for bit as the full engine, at every length', () => {
    const rand = mulberry32(7);
    for (let T = 1; T <= NANO.block_size; T++) {
      const ids = Array.from({ length: T }, () => Math.floor(rand() * NANO.vocab_size));
      expect(sameBits(full.forward(ids), forward.forward(ids)), `T = ${T}, ids ${ids.join('')}`).toBeNull();
    }
  });

  it('agrees with parts switched off, and on the loss', () => {
    const { n_layer: L, block_size: T, n_embd: C } = NANO;
    const rand = mulberry32(11);
    const means = { heads: Float32Array.from({ length: L * T * C }, () => rand() - 0.5), mlp: Float32Array.from({ length: L * T * C }, () => rand() - 0.5) };
    const ablate = { ablation: { heads: [0b101, 0, 0b010], mlp: [false, true, false] }, means };
    full.setAblation(ablate);
    forward.setAblation(ablate);
    const ids = [2, 0, 1, 1, 0, 2, 0, 0, 1, 1, 2];
    const off = forward.forward(ids);
    expect(sameBits(full.forward(ids), off)).toBeNull();
    full.setAblation(null);
    forward.setAblation(null);
    // The parts were off: the plain pass differs.
    expect(sameBits(forward.forward(ids), off)).not.toBeNull();
    const batch = [{ ids: [0, 2, 1, 1, 0, 2, 0, 0, 1, 1, 2], targets: [-1, -1, -1, -1, -1, 0, 0, 1, 1, 2, 2] }];
    expect(Object.is(forward.loss(batch), full.loss(batch))).toBe(true);
  });

  it('has no backward pass or optimiser, and says so to whoever would train with it', async () => {
    expect(full.trainable).toBe(true);
    expect(forward.trainable).toBe(false);
    const batch = [{ ids: [0, 1, 2], targets: [1, 2, 0] }];
    expect(() => forward.lossAndGrads(batch)).toThrow(/forward-only build \(gpt-forward\.wasm\): training needs gpt\.wasm/);
    await expect(TrainableGPT.load(readWasm(FORWARD_WASM_PATH), NANO, 4)).rejects.toThrow(/forward-only build/);
    // The full engine still trains.
    expect(Number.isFinite(full.lossAndGrads(batch))).toBe(true);
  });

  it('is less than half the full engine, compressed as a page receives it', () => {
    const f = gzipSync(readWasm(FORWARD_WASM_PATH)).length;
    const g = gzipSync(readWasm()).length;
    console.log(`gpt-forward.wasm ${f} B gzip, gpt.wasm ${g} B`);
    expect(f).toBeLessThan(g / 2);
  });
});
