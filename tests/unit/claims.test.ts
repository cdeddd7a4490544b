/**
 * The chapters' general claims about the model's numbers, checked over all 729 inputs (3^6
 * strings of A/B/C) with the shipped weights. Each test names the claim and the chapter and step
 * that make it. Where the prose states a count ("for 104 of them"), the count is read from the
 * chapter text, so a retrained model or an edited sentence that no longer agree fail here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LN_EPS, NANO, SORT_LENGTH } from '../../src/gpt/config.ts';
import { gelu, paramViews } from '../../src/gpt/reference.ts';
import { allInputs, sortedOf } from '../../src/gpt/sort.ts';
import { sampleExample } from '../../src/gpt/sort-data.ts';
import { mulberry32 } from '../../src/gpt/random.ts';
import type { Trace } from '../../src/gpt/trace.ts';
import { MODELS } from '../../src/scene/models.ts';
import type { ModelId } from '../../src/scene/types.ts';
import { modelParams, modelWork } from '../../src/story/directors/scale-figures.ts';
import { readWeights, ROOT, wasmEngine } from '../../scripts/lib/engine.ts';

const C = NANO.n_embd;
const L = NANO.n_layer;
const INPUTS = allInputs(NANO.vocab_size);

/** The text of one step of a chapter (between `:::step{beat="..."}` and its closing `:::`). */
function stepText(file: string, beat: string): string {
  const text = readFileSync(join(ROOT, 'content/chapters', file), 'utf8');
  const m = new RegExp(`:::step\\{beat="${beat}"\\}\\n([\\s\\S]*?)\\n:::\\s*(?:\\n|$)`).exec(text);
  if (!m) throw new Error(`${file} has no step "${beat}"`);
  return m[1]!.replace(/\s+/g, ' ');
}

/** The numbers a step states, from the capture groups of `pattern` (which must match). */
function stated(file: string, beat: string, pattern: RegExp): number[] {
  const m = pattern.exec(stepText(file, beat));
  expect(m, `${file} ${beat} no longer says ${pattern}`).not.toBeNull();
  return m!.slice(1).map(Number);
}

/** Columns of a [T, C] trace tensor. */
const column = (tr: Trace, name: string, t: number) => tr.tensors[name]!.data.subarray(t * C, (t + 1) * C);
const length = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
const argmax = (xs: ArrayLike<number>) => Array.from(xs).reduce((b, v, i, a) => (v > a[b]! ? i : b), 0);

/** The residual stream down the spine: the embedding, then after each attention and each MLP. */
const SPINE = ['embed', ...Array.from({ length: L }, (_, l) => [`h.${l}.resid_1`, `h.${l}.resid_2`]).flat()];

/** The final layer norm and output head applied to a column, as the stack chapter's peek does. */
function peek(x: ArrayLike<number>, w: Map<string, Float32Array>): number {
  const g = w.get('transformer.ln_f.weight')!;
  const b = w.get('transformer.ln_f.bias')!;
  const head = w.get('lm_head.weight')!;
  const xs = Array.from(x);
  const mean = xs.reduce((s, v) => s + v, 0) / C;
  const rstd = 1 / Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / C + LN_EPS);
  const y = xs.map((v, i) => (v - mean) * rstd * g[i]! + b[i]!);
  const logits = Array.from({ length: NANO.vocab_size }, (_, v) => y.reduce((s, yi, i) => s + head[v * C + i]! * yi, 0));
  return argmax(logits);
}

interface Run {
  ids: number[];
  /** The pass over the six input letters. */
  first: Trace;
  /** Greedy passes 2..6, each over one more letter. */
  later: Trace[];
  answer: number[];
}

let runs: Run[];
let weights: Map<string, Float32Array>;

beforeAll(async () => {
  const params = readWeights().params;
  weights = paramViews(NANO, params);
  const engine = await wasmEngine(NANO, params);
  runs = INPUTS.map((ids) => {
    const seq = [...ids];
    const traces: Trace[] = [];
    for (let k = 0; k < SORT_LENGTH; k++) {
      const tr = engine.forward(seq);
      traces.push(tr);
      const V = NANO.vocab_size;
      seq.push(argmax(tr.tensors['probs']!.data.subarray((seq.length - 1) * V, seq.length * V)));
    }
    return { ids, first: traces[0]!, later: traces.slice(1), answer: seq.slice(ids.length) };
  });
}, 120_000);

describe('general claims of the chapters, over all 729 inputs', () => {
  it('welcome overview, tokens task: the model writes every input back in sorted order (729 of 729)', () => {
    const wrong = runs.filter((r) => r.answer.join() !== sortedOf(r.ids).join());
    expect(runs.length).toBe(729);
    expect(wrong.map((r) => r.ids.join(''))).toEqual([]);
  });

  it('output greedy: the greedy pick is the first letter of the sorted sequence, for every input', () => {
    expect(runs.filter((r) => r.answer[0] !== Math.min(...r.ids)).length).toBe(0);
  });

  it('embedding same-letter, layer-norm spread: the input embedding is small (every column of every input has a spread under 0.05), so layer norm stretches it', () => {
    let widest = 0;
    for (const r of runs) {
      for (let t = 0; t < r.ids.length; t++) {
        const x = Array.from(column(r.first, 'embed', t));
        const mean = x.reduce((s, v) => s + v, 0) / C;
        widest = Math.max(widest, Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / C));
      }
      expect(Math.min(...r.first.tensors['h.0.ln_1.rstd']!.data)).toBeGreaterThan(1);
    }
    expect(widest).toBeLessThan(0.05);
  });

  it('layer-norm normalize: a normalized column has mean 0 and a standard deviation very nearly 1, a hair under (between 0.985 and 1), for every column', () => {
    for (const r of runs) {
      for (let t = 0; t < r.ids.length; t++) {
        const x = Array.from(column(r.first, 'embed', t));
        const mean = r.first.tensors['h.0.ln_1.mean']!.data[t]!;
        const rstd = r.first.tensors['h.0.ln_1.rstd']!.data[t]!;
        const y = x.map((v) => (v - mean) * rstd);
        const m = y.reduce((s, v) => s + v, 0) / C;
        const sd = Math.sqrt(y.reduce((s, v) => s + (v - m) ** 2, 0) / C);
        expect(Math.abs(m)).toBeLessThan(1e-5);
        expect(sd).toBeGreaterThan(0.985);
        expect(sd).toBeLessThan(1);
      }
    }
  });

  it('layer-norm scale and shift: layer 1 left every γ close to its start of 1 and every β close to 0 (within 0.05)', () => {
    const recipe = readWeights().metadata.recipe ?? '';
    expect(recipe, 'the recipe says how γ started').toMatch(/layer-norm gains 1/);
    const g = weights.get('transformer.h.0.ln_1.weight')!;
    const b = weights.get('transformer.h.0.ln_1.bias')!;
    expect(Math.max(...Array.from(g, (v) => Math.abs(v - 1)))).toBeLessThan(0.05);
    expect(Math.max(...Array.from(b, (v) => Math.abs(v)))).toBeLessThan(0.05);
  });

  it('self-attention mask, output last-column, generation last-column: training graded the sixth column and the five after it, never the first five', () => {
    expect(readWeights().metadata.recipe ?? '').toMatch(/loss on the last 6 positions only/);
    const ex = sampleExample(mulberry32(7), NANO.vocab_size);
    expect(ex.targets.map((t) => t >= 0)).toEqual([false, false, false, false, false, true, true, true, true, true, true]);
  });

  it('mlp ln2: the layer-1 stream is still quiet, so layer norm 2 stretches every column of every input more than fivefold (1/std > 5)', () => {
    for (const r of runs) expect(Math.min(...r.first.tensors['h.0.ln_2.rstd']!.data)).toBeGreaterThan(5);
  });

  it('mlp gelu: GELU never goes under about −0.17 (its minimum is between −0.175 and −0.165)', () => {
    let low = Infinity;
    for (let x = -6; x <= 6; x += 1e-4) low = Math.min(low, gelu(x));
    expect(low).toBeGreaterThan(-0.175);
    expect(low).toBeLessThan(-0.165);
  });

  it('mlp add: for each of the 729 inputs, at least one of the three MLPs adds to the last column a column longer than the stream it lands on', () => {
    expect(stepText('07-mlp.md', 'add')).toMatch(/In each of the 729 possible inputs, at least one of the model's three MLPs adds/);
    const T = SORT_LENGTH - 1;
    const count = runs.filter((r) => Array.from({ length: L }, (_, l) => length(column(r.first, `h.${l}.mlp.proj`, T)) > length(column(r.first, `h.${l}.resid_1`, T))).some(Boolean)).length;
    expect(count).toBe(729);
  });

  it('mlp block: the MLP holds nearly twice as many weights as attention (between 1.8 and 2 times)', () => {
    const size = (names: string[]) => names.reduce((s, n) => s + weights.get(`transformer.h.0.${n}`)!.length, 0);
    const ratio = size(['mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias']) / size(['attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias']);
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2);
  });

  it('stack spine: the last column gets shorter somewhere down the spine for the stated count of inputs, by up to the stated share, most often at layer 3\'s attention', () => {
    const [count, percent] = stated('08-stack.md', 'spine', /shorter at some point down the spine for (\d+) of them, by up to (\d+)%, most often at layer 3's attention/);
    const T = SORT_LENGTH - 1;
    let shrinking = 0;
    let worst = 0;
    const where = new Map<string, number>();
    for (const r of runs) {
      const lengths = SPINE.map((n) => length(column(r.first, n, T)));
      let any = false;
      for (let i = 1; i < lengths.length; i++) {
        if (lengths[i]! >= lengths[i - 1]!) continue;
        any = true;
        worst = Math.max(worst, 1 - lengths[i]! / lengths[i - 1]!);
        where.set(SPINE[i]!, (where.get(SPINE[i]!) ?? 0) + 1);
      }
      if (any) shrinking++;
    }
    expect(shrinking).toBe(count);
    expect(Math.round(worst * 100)).toBe(percent);
    const most = [...where.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(most).toBe(`h.${L - 1}.resid_1`);
  });

  it('stack read-out: the peek names the right first letter for the stated counts of inputs (embedding, after layer 1, after layer 2)', () => {
    const [atEmbed, afterOne, afterTwo] = stated('08-stack.md', 'read-out', /names the right first letter for (\d+) of them\. After layer 1 it is right for (\d+), after layer 2 for all (\d+)\./);
    const T = SORT_LENGTH - 1;
    const right = (name: string) => runs.filter((r) => peek(column(r.first, name, T), weights) === Math.min(...r.ids)).length;
    expect(right('embed')).toBe(atEmbed);
    expect(right('h.0.resid_2')).toBe(afterOne);
    expect(right('h.1.resid_2')).toBe(afterTwo);
    expect(afterTwo).toBe(729);
  });

  it('output sample: even at temperature 2 the favourite keeps more than 99.9% of the line, for every input', () => {
    expect(stepText('09-output.md', 'sample')).toMatch(/for every one of the 729 possible inputs, the favourite keeps more than 99\.9% of it/);
    const V = NANO.vocab_size;
    let least = 1;
    for (const r of runs) {
      const logits = Array.from(r.first.tensors['logits']!.data.subarray((SORT_LENGTH - 1) * V, SORT_LENGTH * V));
      const top = Math.max(...logits);
      const e = logits.map((l) => Math.exp((l - top) / 2));
      least = Math.min(least, 1 / e.reduce((a, b) => a + b, 0));
    }
    expect(least).toBeGreaterThan(0.999);
  });

  it('generation same-past: every number computed for the earlier letters is the same, digit for digit, in every later pass, for every input', () => {
    let compared = 0;
    for (const r of runs) {
      const passes = [r.first, ...r.later];
      for (let k = 1; k < passes.length; k++) {
        const before = passes[k - 1]!;
        const after = passes[k]!;
        const T = before.ids.length;
        for (const [name, t] of Object.entries(before.tensors)) {
          const u = after.tensors[name]!;
          // Every axis of length T (positions) keeps its first T entries; other axes are the same size.
          expect(u.shape.map((n) => (n === T + 1 ? T : n)), name).toEqual(t.shape);
          for (let flat = 0; flat < t.data.length; flat++) {
            // The same multi-index in the larger tensor: digits of `flat` in t's shape, re-read in u's.
            let rest = flat;
            let at = 0;
            let scale = 1;
            for (let d = t.shape.length - 1; d >= 0; d--) {
              at += (rest % t.shape[d]!) * scale;
              rest = Math.floor(rest / t.shape[d]!);
              scale *= u.shape[d]!;
            }
            if (!Object.is(t.data[flat], u.data[at])) throw new Error(`input ${r.ids.join('')}, pass ${k + 1}: ${name}[${flat}] was ${t.data[flat]}, now ${u.data[at]}`);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(729 * 5 * 1000);
  });

  it('scale nano and work: with a KV cache each weight is used about once per token (multiply-adds per token within 0.9 to 1.25 times the weight count, every model)', () => {
    for (const id of Object.keys(MODELS) as ModelId[]) {
      const ratio = modelWork(id) / modelParams(id);
      expect(ratio, id).toBeGreaterThan(0.9);
      expect(ratio, id).toBeLessThan(1.25);
    }
  });
});
