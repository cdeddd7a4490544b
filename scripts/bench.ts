/**
 * npm run bench [-- --json]
 *
 * Times the engine in Node: the WASM forward pass at T = 11 (every intermediate tensor kept in
 * its arena), copying that trace out to JS, the TypeScript reference, greedy generation of six
 * tokens, and one training iteration at batch 64. Each figure is the median of many runs after
 * a warm-up; the machine is shared, so medians, not means.
 */
import { NANO } from '../src/gpt/config.ts';
import { forwardReference } from '../src/gpt/reference.ts';
import { generate } from '../src/gpt/sort.ts';
import { sampleExample } from '../src/gpt/sort-data.ts';
import { mulberry32 } from '../src/gpt/random.ts';
import { MINGPT_ADAMW } from '../src/gpt/wasm.ts';
import { readWeights, wasmEngine } from './lib/engine.ts';
import { argsOrExit, parseArgs } from './lib/args.ts';

const json = Boolean(argsOrExit('bench', () => parseArgs(process.argv.slice(2), { json: 'flag' })).json);

/** Median wall time of fn in microseconds: `reps` timed batches of `inner` calls each. */
function median(fn: () => void, reps: number, inner: number): number {
  for (let i = 0; i < inner * 3; i++) fn(); // warm-up: let V8 tier up
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / inner);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const cfg = NANO;
const { params } = readWeights();
const engine = await wasmEngine(cfg, params);
const ids = [2, 1, 0, 1, 1, 2, 0, 1, 1, 1, 2]; // T = 11: "CBABBC" and five sorted outputs fed back
const input = ids.slice(0, 6);

const forwardWasm = median(() => engine.forwardInPlace(ids), 31, 200);
const forwardWasmCopy = median(() => engine.forward(ids), 31, 100);
const forwardTs = median(() => forwardReference(cfg, params, ids), 15, 10);
const generateWasm = median(() => generate(engine, input, 6), 31, 50);

const trainer = await wasmEngine(cfg, params, 64);
const rand = mulberry32(1);
const batches = Array.from({ length: 8 }, () => Array.from({ length: 64 }, () => sampleExample(rand, cfg.vocab_size)));
let b = 0;
// A small learning rate keeps the shipped weights from drifting anywhere odd while we time.
const trainMs = median(() => trainer.trainStep(batches[b++ % batches.length]!, { ...MINGPT_ADAMW, lr: 1e-6 }), 15, 4) / 1000;

const result = {
  forward_wasm_us: Number(forwardWasm.toFixed(1)),
  forward_wasm_with_trace_copy_us: Number(forwardWasmCopy.toFixed(1)),
  forward_ts_us: Number(forwardTs.toFixed(1)),
  generate_wasm_us: Number(generateWasm.toFixed(1)),
  train_ms_per_iter: Number(trainMs.toFixed(2)),
  node: process.version,
  machine: `${(await import('node:os')).cpus()[0]?.model ?? 'unknown cpu'}, ${(await import('node:os')).cpus().length} cores`,
};

if (json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const rows: [string, string][] = [
    ['forward, WASM, T=11 (trace kept in the arena)', `${result.forward_wasm_us} us`],
    ['forward, WASM, T=11, trace copied out to JS', `${result.forward_wasm_with_trace_copy_us} us`],
    ['forward, TypeScript reference, T=11', `${result.forward_ts_us} us`],
    ['generate 6 tokens, WASM (T = 6..11)', `${result.generate_wasm_us} us`],
    ['training iteration, WASM, batch 64', `${result.train_ms_per_iter} ms`],
    ['node', result.node],
    ['machine', result.machine],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}
