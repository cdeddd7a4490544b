/**
 * Golden test: both engines (the TypeScript reference and the WASM build) against an independent
 * PyTorch forward pass in float64, tensor by tensor, on the shipped weights.
 *
 * The fixture tests/fixtures/golden.json comes from scripts/golden_fixtures.py
 * (`/usr/bin/python3 scripts/golden_fixtures.py`) and records the sha256 of the weights it was made
 * from; whenever public/models/sort-nano.safetensors changes, rerun the script.
 *
 * GOLDEN_WEIGHTS=path overrides the weights file, for a fixture made with `--weights path`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { SORT_LENGTH, VOCAB, decode, type GPTConfig } from '../../src/gpt/config.ts';
import { forwardReference } from '../../src/gpt/reference.ts';
import { loadWeights } from '../../src/gpt/safetensors.ts';
import { generate, type NextToken } from '../../src/gpt/sort.ts';
import { traceSpecs, type Trace } from '../../src/gpt/trace.ts';
import { WasmGPT } from '../../src/gpt/wasm.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_PATH = path.join(ROOT, 'tests/fixtures/golden.json');
const WEIGHTS_PATH = process.env['GOLDEN_WEIGHTS'] ?? path.join(ROOT, 'public/models/sort-nano.safetensors');
const WASM_PATH = path.join(ROOT, 'src/gpt/build/gpt.wasm');

/** Largest |ours - PyTorch float64| allowed for any element of any tensor. */
const TOLERANCE = 1e-4;
/**
 * A greedy step whose top two logits are closer than this (in the float64 run) is a near tie that
 * float32 rounding may legitimately break the other way; such generations are not compared.
 */
const TIE_GAP = 1e-4;

interface GoldenCase {
  tokens: string;
  ids: number[];
  tensors: Record<string, unknown>;
}

interface GoldenGeneration {
  input: string;
  output: string;
  min_logit_gap: number;
}

interface Golden {
  generator: string;
  weights_sha256: string;
  cases: GoldenCase[];
  generate: GoldenGeneration[];
}

function readOrExplain(file: string, hint: string): Buffer {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file) || file} is missing: ${hint}`);
  return readFileSync(file);
}

// Read at collection time so every case becomes its own test.
const golden = JSON.parse(
  readOrExplain(FIXTURE_PATH, 'run /usr/bin/python3 scripts/golden_fixtures.py').toString('utf8'),
) as Golden;
const weightBytes = readOrExplain(WEIGHTS_PATH, 'run npm run train');
const weightsSha256 = createHash('sha256').update(weightBytes).digest('hex');
const STALE =
  golden.weights_sha256 === weightsSha256
    ? null
    : `fixtures are stale: rerun scripts/golden_fixtures.py ` +
      `(tests/fixtures/golden.json was made from weights with sha256 ${golden.weights_sha256}, ` +
      `${path.relative(ROOT, WEIGHTS_PATH)} has sha256 ${weightsSha256})`;

const { config, params } = loadWeights(new Uint8Array(weightBytes));

/** Flattens a nested fixture array after checking it has exactly `shape`; returns an error string otherwise. */
function flatten(nested: unknown, shape: number[]): (number | null)[] | string {
  const out: (number | null)[] = [];
  const walk = (value: unknown, dim: number, where: string): string | null => {
    if (dim === shape.length) {
      if (value === null || typeof value === 'number') {
        out.push(value);
        return null;
      }
      return `element ${where} is ${JSON.stringify(value)}, expected a number or null`;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      const got = Array.isArray(value) ? `${value.length} entries` : JSON.stringify(value);
      return `dimension ${dim} at ${where || '[]'} has ${got}, expected ${shape[dim]}`;
    }
    for (let i = 0; i < value.length; i++) {
      const err = walk(value[i], dim + 1, `${where}[${i}]`);
      if (err !== null) return err;
    }
    return null;
  };
  const err = walk(nested, 0, '');
  return err ?? out;
}

/** The multi-index of flat element `i` of a row-major tensor, as "[h][t][s]". */
function indexOf(i: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return idx.map((n) => `[${n}]`).join('');
}

interface Worst {
  diff: number;
  where: string;
}

/**
 * Compares every tensor of traceSpecs against the fixture. Returns one message per tensor that
 * disagrees (empty when all agree) and the largest difference seen.
 */
function compareTrace(engine: string, trace: Trace, golden: GoldenCase, cfg: GPTConfig): { problems: string[]; worst: Worst } {
  const T = golden.ids.length;
  const problems: string[] = [];
  const worst: Worst = { diff: 0, where: '(none)' };
  for (const spec of traceSpecs(cfg, T)) {
    const label = `${engine} "${golden.tokens}" ${spec.name}`;
    const ours = trace.tensors[spec.name];
    if (ours === undefined) {
      problems.push(`${label}: missing from our trace`);
      continue;
    }
    if (ours.shape.join() !== spec.shape.join()) {
      problems.push(`${label}: our shape [${ours.shape}] differs from traceSpecs [${spec.shape}]`);
      continue;
    }
    if (!(spec.name in golden.tensors)) {
      problems.push(`${label}: missing from the fixture (regenerate it)`);
      continue;
    }
    const expected = flatten(golden.tensors[spec.name], spec.shape);
    if (typeof expected === 'string') {
      problems.push(`${label}: fixture has the wrong shape (${expected})`);
      continue;
    }
    let tensorWorst = 0;
    let tensorWorstAt = -1;
    let firstMaskProblem: string | null = null;
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i]!;
      const got = ours.data[i]!;
      if (want === null || got === -Infinity) {
        if (!(want === null && got === -Infinity) && firstMaskProblem === null) {
          firstMaskProblem = `${indexOf(i, spec.shape)} is ${got} in ours but ${want} in the fixture (null = masked = -Infinity)`;
        }
        continue;
      }
      const diff = Math.abs(got - want);
      // NaN compares false with everything: count it as an infinite difference.
      if (!(diff <= tensorWorst)) {
        tensorWorst = Number.isNaN(diff) ? Infinity : diff;
        tensorWorstAt = i;
      }
    }
    if (firstMaskProblem !== null) problems.push(`${label}: mask mismatch: ${firstMaskProblem}`);
    if (tensorWorst > TOLERANCE) {
      problems.push(
        `${label}${indexOf(tensorWorstAt, spec.shape)}: ours ${ours.data[tensorWorstAt]}, ` +
          `fixture ${expected[tensorWorstAt]}, |diff| ${tensorWorst.toExponential(2)} > ${TOLERANCE}`,
      );
    }
    if (tensorWorst > worst.diff) {
      worst.diff = tensorWorst;
      worst.where = `"${golden.tokens}" ${spec.name}${indexOf(tensorWorstAt, spec.shape)}`;
    }
  }
  return { problems, worst };
}

/** The reference as a next-token model: probabilities of the last position. */
function referenceNextToken(cfg: GPTConfig, p: Float32Array): NextToken {
  return {
    nextProbs(ids: number[]): Float32Array {
      const probs = forwardReference(cfg, p, ids).tensors['probs']!;
      const V = cfg.vocab_size;
      return probs.data.slice((ids.length - 1) * V, ids.length * V);
    },
  };
}

function idsOf(text: string): number[] {
  return [...text].map((ch) => VOCAB.indexOf(ch));
}

describe('golden fixtures', () => {
  it('were made from the shipped weights', () => {
    expect(STALE, STALE ?? '').toBeNull();
    expect(golden.cases.length).toBeGreaterThan(0);
    expect(new Set(golden.cases.map((c) => c.ids.length)).size, 'every length 1..block_size is traced').toBe(config.block_size);
  });
});

const engines: { name: string; create: () => Promise<{ forward(ids: number[]): Trace } & NextToken> }[] = [
  {
    name: 'reference',
    create: async () => ({
      forward: (ids) => forwardReference(config, params, ids),
      ...referenceNextToken(config, params),
    }),
  },
  {
    name: 'wasm',
    create: async () => {
      const engine = await WasmGPT.create(readOrExplain(WASM_PATH, 'run npm run build:wasm'), config);
      engine.setParams(params);
      return engine;
    },
  },
];

for (const { name: engineName, create } of engines) {
  describe(`golden: ${engineName} engine`, () => {
    let engine: Awaited<ReturnType<typeof create>>;
    const worst: Worst = { diff: 0, where: '(no case compared)' };

    beforeAll(async () => {
      // A stale fixture would make every case fail with meaningless differences: say why instead.
      if (STALE !== null) throw new Error(STALE);
      engine = await create();
    });

    afterAll(() => {
      console.log(`golden max |diff| ${engineName} ${worst.diff.toExponential(1)} (${worst.where})`);
    });

    for (const c of golden.cases) {
      it(`"${c.tokens}" (${c.ids.length} tokens): every traced tensor within ${TOLERANCE}`, () => {
        expect(decode(c.ids), 'fixture ids match its tokens').toBe(c.tokens);
        const { problems, worst: caseWorst } = compareTrace(engineName, engine.forward(c.ids), c, config);
        if (caseWorst.diff > worst.diff) Object.assign(worst, caseWorst);
        expect(problems, problems.join('\n')).toEqual([]);
      });
    }

    it(`greedy generation matches the fixture on its ${golden.generate.length} inputs`, () => {
      expect(golden.generate.length).toBeGreaterThan(0);
      const mismatches: string[] = [];
      let nearTies = 0;
      for (const g of golden.generate) {
        if (g.min_logit_gap < TIE_GAP) {
          nearTies++;
          continue;
        }
        const out = decode(generate(engine, idsOf(g.input), SORT_LENGTH));
        if (out !== g.output) mismatches.push(`${g.input} -> ${out}, fixture ${g.output} (min logit gap ${g.min_logit_gap})`);
      }
      if (nearTies > 0) console.log(`golden generation ${engineName}: skipped ${nearTies} inputs with a near tie (logit gap < ${TIE_GAP})`);
      expect(nearTies, 'most generations are decisive').toBeLessThan(golden.generate.length / 2);
      expect(mismatches, mismatches.slice(0, 10).join('\n')).toEqual([]);
    });
  });
}
