/**
 * Switching parts off (src/gpt/ablation.ts): part names, the means that replace a part's output,
 * the WASM engine against the TypeScript reference under ablation, and the trace CLI's --ablate.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ablationMeans, ablationNames, isEmptyAblation, meanSequences, noAblation, parseAblation, partNames, type Ablation, type AblationMeans } from '../../src/gpt/ablation.ts';
import { NANO, SORT_LENGTH } from '../../src/gpt/config.ts';
import { forwardReference } from '../../src/gpt/reference.ts';
import { generate } from '../../src/gpt/sort.ts';
import { traceSpecs } from '../../src/gpt/trace.ts';
import type { WasmGPT } from '../../src/gpt/wasm.ts';
import { ROOT, readWeights, wasmEngine } from '../../scripts/lib/engine.ts';

const cfg = NANO;
const params = readWeights().params;
let engine: WasmGPT;
let means: AblationMeans;

beforeAll(async () => {
  engine = await wasmEngine(cfg, params);
  means = ablationMeans((ids) => engine.forward(ids), cfg);
});

function parsed(spec: string): Ablation {
  const a = parseAblation(spec, cfg);
  if ('error' in a) throw new Error(a.error);
  return a;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue; // equal infinities (masked scores) included
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

describe('part names', () => {
  it('parses heads, whole attention layers and MLPs, 0-based', () => {
    const a = parsed('h.1.attn.head2, h.2.mlp,h.0.attn');
    expect(a.heads).toEqual([0b111, 0b100, 0]);
    expect(a.mlp).toEqual([false, false, true]);
    expect(ablationNames(a, cfg)).toEqual(['h.0.attn', 'h.1.attn.head2', 'h.2.mlp']);
  });

  it('every part name parses, and names what it parsed', () => {
    const names = partNames(cfg);
    expect(names).toHaveLength(cfg.n_layer * (cfg.n_head + 2));
    for (const name of names) expect(ablationNames(parsed(name), cfg)).toEqual([name]);
  });

  it('an empty list switches nothing off', () => {
    expect(isEmptyAblation(parsed(''))).toBe(true);
    expect(isEmptyAblation(parsed('h.0.mlp'))).toBe(false);
  });

  for (const bad of ['h.3.mlp', 'h.0.attn.head3', 'h.0.mlp.fc', 'h.-1.attn', 'mlp', 'h.0.attn.head']) {
    it(`rejects "${bad}" and names it`, () => {
      const a = parseAblation(`h.0.mlp,${bad}`, cfg);
      expect('error' in a && a.error).toContain(`"${bad}"`);
    });
  }
});

describe('means', () => {
  it('are taken over the 729 inputs, each followed by the first five letters of its answer', () => {
    const seqs = meanSequences(cfg);
    expect(seqs).toHaveLength(3 ** SORT_LENGTH);
    expect(seqs[2 * 81 + 2 * 9 + 1]).toEqual([0, 2, 0, 2, 0, 1, 0, 0, 0, 1, 2]);
    expect(means.heads).toHaveLength(cfg.n_layer * cfg.block_size * cfg.n_embd);
  });

  it('of a head output at a position is the average over those 729 runs', () => {
    const seqs = meanSequences(cfg);
    const l = 1;
    const t = 7;
    const c = 20;
    let sum = 0;
    for (const ids of seqs) sum += engine.forward(ids).tensors[`h.${l}.attn.heads`]!.data[t * cfg.n_embd + c]!;
    expect(means.heads[(l * cfg.block_size + t) * cfg.n_embd + c]).toBeCloseTo(sum / seqs.length, 6);
  });
});

describe('ablated forward pass', () => {
  const ids = [2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2];

  it('switching nothing off gives the normal trace, bit for bit, in both engines', () => {
    const plain = engine.forward(ids);
    engine.setAblation({ ablation: noAblation(cfg), means });
    const wasm = engine.forward(ids);
    engine.setAblation(null);
    const ref = forwardReference(cfg, params, ids);
    const refNone = forwardReference(cfg, params, ids, { ablation: noAblation(cfg), means });
    for (const { name } of traceSpecs(cfg, ids.length)) {
      expect(wasm.tensors[name]!.data, name).toEqual(plain.tensors[name]!.data);
      expect(refNone.tensors[name]!.data, name).toEqual(ref.tensors[name]!.data);
    }
  });

  for (const spec of ['h.0.attn.head1', 'h.1.attn', 'h.2.mlp', 'h.1.attn.head0,h.2.attn.head2,h.0.mlp']) {
    it(`${spec}: WASM and the reference agree, and the parts switched off show their means`, () => {
      const applied = { ablation: parsed(spec), means };
      engine.setAblation(applied);
      const wasm = engine.forward(ids);
      engine.setAblation(null);
      const ref = forwardReference(cfg, params, ids, applied);
      let worst = 0;
      for (const { name } of traceSpecs(cfg, ids.length)) worst = Math.max(worst, maxDiff(ref.tensors[name]!.data, wasm.tensors[name]!.data));
      expect(worst).toBeLessThanOrEqual(1e-5);
      const C = cfg.n_embd;
      const hs = C / cfg.n_head;
      const T = ids.length;
      for (let l = 0; l < cfg.n_layer; l++) {
        const heads = wasm.tensors[`h.${l}.attn.heads`]!.data;
        for (let h = 0; h < cfg.n_head; h++) {
          if (!((applied.ablation.heads[l]! >> h) & 1)) continue;
          for (let t = 0; t < T; t++) {
            for (let i = 0; i < hs; i++) expect(heads[t * C + h * hs + i]).toBe(means.heads[(l * cfg.block_size + t) * C + h * hs + i]);
          }
        }
        if (applied.ablation.mlp[l]) expect([...wasm.tensors[`h.${l}.mlp.proj`]!.data]).toEqual([...means.mlp.subarray(l * cfg.block_size * C, (l * cfg.block_size + T) * C)]);
      }
    });
  }

  it('a part switched off changes the answer for some inputs, and switching back restores it', () => {
    const input = [2, 1, 0, 1, 1, 2];
    const normal = generate(engine, input, SORT_LENGTH).join('');
    engine.setAblation({ ablation: parsed('h.0.attn'), means });
    const without = generate(engine, input, SORT_LENGTH).join('');
    engine.setAblation(null);
    expect(normal).toBe('011122');
    expect(without).not.toBe(normal);
    expect(generate(engine, input, SORT_LENGTH).join('')).toBe(normal);
  });

  it('training refuses to run with parts switched off', () => {
    engine.setAblation({ ablation: parsed('h.2.mlp'), means });
    expect(() => engine.lossAndGrads([{ ids, targets: ids }])).toThrow(/switched off/);
    engine.setAblation(null);
  });
});

describe('npm run trace -- --ablate', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts', 'trace.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('--generate with --ablate prints the answer and the parts switched off', () => {
    const r = run(['--generate', 'CBABBC', '--ablate', 'h.0.attn']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ablate).toEqual(['h.0.attn']);
    expect(out.output).toMatch(/^[ABC]{6}$/);
    expect(out.output).not.toBe('ABBBCC');
  });

  it('--tokens with --ablate shows the means in the switched-off head', () => {
    const r = run(['--tokens', 'CBABBC', '--ablate', 'h.1.attn.head2']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const C = cfg.n_embd;
    const hs = C / cfg.n_head;
    expect(out.tensors['h.1.attn.heads'][3].slice(2 * hs, 3 * hs)).toEqual([...means.heads.subarray((cfg.block_size + 3) * C + 2 * hs, (cfg.block_size + 3) * C + 3 * hs)]);
  });

  it('an unknown part exits 2 with one line naming it, and prints nothing', () => {
    const r = run(['--generate', 'CBABBC', '--ablate', 'h.0.attn,h.9.mlp']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('"h.9.mlp"');
  });
});
