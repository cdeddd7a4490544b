/**
 * npm run train [-- --seed N --iters N --out PATH]
 *
 * Trains gpt-nano on the sort task with the WASM engine (minGPT's demo recipe), evaluates greedy
 * decoding on all 729 inputs and writes a safetensors file. The same seed gives the same bytes.
 * The file is written only at the end, via a temporary file and a rename, so an interrupted run
 * or a bad argument leaves an existing weights file untouched.
 */
import { renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { NANO, VOCAB } from '../src/gpt/config.ts';
import { saveWeights } from '../src/gpt/safetensors.ts';
import { evaluateAll } from '../src/gpt/sort.ts';
import { DEFAULT_ITERS, DEFAULT_SEED, SortTrainer, TRAIN_BATCH } from '../src/gpt/training.ts';
import { MINGPT_ADAMW } from '../src/gpt/wasm.ts';
import { TrainableGPT } from '../src/gpt/wasm-train.ts';
import { WEIGHTS_PATH, readWasm } from './lib/engine.ts';
import { parseArgs, UsageError } from './lib/args.ts';

function fail(message: string): never {
  process.stderr.write(`train: ${message}\n`);
  process.exit(2);
}

let args: Record<string, string | number | boolean>;
try {
  args = parseArgs(process.argv.slice(2), { seed: 'int', iters: 'int', out: 'string' });
} catch (e) {
  if (e instanceof UsageError) fail(e.message);
  throw e;
}
const seed = (args.seed as number | undefined) ?? DEFAULT_SEED;
const iters = (args.iters as number | undefined) ?? DEFAULT_ITERS;
const out = (args.out as string | undefined) ?? WEIGHTS_PATH;
if (iters < 1) fail('--iters must be at least 1');
if (seed > 0xffffffff) fail('--seed must fit in 32 bits');

const cfg = NANO;
const engine = await TrainableGPT.load(readWasm(), cfg, TRAIN_BATCH);
// The same loop the training chapter runs in the reader's browser (src/gpt/training.ts).
const trainer = new SortTrainer(engine, seed);
const tty = process.stderr.isTTY;
const start = performance.now();
let loss = NaN;
let lastPrint = 0;

function progress(it: number): string {
  const elapsed = (performance.now() - start) / 1000;
  const rate = it / elapsed;
  const left = (iters - it) / rate;
  const width = 24;
  const filled = Math.round((it / iters) * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  return `[${bar}] ${String(it).padStart(String(iters).length)}/${iters}  loss ${loss.toExponential(3)}  ${rate.toFixed(1)} it/s  ${left.toFixed(0)}s left`;
}

for (let it = 1; it <= iters; it++) {
  loss = trainer.step();
  if (!Number.isFinite(loss)) fail(`loss became ${loss} at iteration ${it}`);
  const now = performance.now();
  if (it === iters || now - lastPrint > (tty ? 100 : 5000)) {
    lastPrint = now;
    process.stderr.write(tty ? `\r${progress(it)}` : `${progress(it)}\n`);
  }
}
const trainSeconds = (performance.now() - start) / 1000;
if (tty) process.stderr.write('\n');

const evaluation = evaluateAll(engine, cfg.vocab_size);
const accuracy = `${evaluation.correct}/${evaluation.total}`;
process.stderr.write(`greedy decoding sorts ${accuracy} inputs correctly (training took ${trainSeconds.toFixed(1)} s)\n`);

const recipe = {
  data: "minGPT SortDataset: 6 letters from ABC, targets are the sorted letters, loss on the last 6 positions only; half the draws keep at most 3 distinct letters",
  optimizer: 'AdamW',
  lr: MINGPT_ADAMW.lr,
  betas: [MINGPT_ADAMW.beta1, MINGPT_ADAMW.beta2],
  eps: MINGPT_ADAMW.eps,
  weight_decay: MINGPT_ADAMW.weightDecay,
  weight_decay_on: 'matmul weights only (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj, lm_head)',
  grad_norm_clip: MINGPT_ADAMW.gradClip,
  batch_size: TRAIN_BATCH,
  iters,
  dropout: 0,
  init: 'N(0, 0.02); c_proj weights N(0, 0.02/sqrt(2*n_layer)); biases 0; layer-norm gains 1',
};
const bytes = saveWeights(cfg, engine.params.slice(), {
  recipe: JSON.stringify(recipe),
  seed: String(seed),
  accuracy,
  final_loss: loss.toPrecision(6),
  vocab_meaning: `token i is the letter ${VOCAB}[i]`,
  trainer: 'scripts/train.ts (AssemblyScript/WASM engine)',
});
const tmp = `${out}.tmp-${process.pid}`;
try {
  writeFileSync(tmp, bytes);
  renameSync(tmp, out);
} catch (e) {
  try {
    unlinkSync(tmp);
  } catch {
    // the temporary file was never created
  }
  fail(`could not write ${out}: ${(e as Error).message}`);
}
process.stderr.write(`wrote ${out} (${bytes.length} bytes)\n`);
if (evaluation.correct !== evaluation.total) process.exitCode = 1;
