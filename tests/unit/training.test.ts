/**
 * Training in the training chapter's worker: the run through its protocol gives the same bytes as
 * `npm run train`, its controls work, and the first steps' numbers (finite difference, AdamW
 * moments, accuracy on all inputs) are what they claim.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NANO } from '../../src/gpt/config.ts';
import { TrainHost } from '../../src/gpt/train-host.ts';
import type { TrainControl, TrainProgress, TrainResponse } from '../../src/gpt/train-protocol.ts';
import { loadWeights } from '../../src/gpt/safetensors.ts';
import { evaluateAll } from '../../src/gpt/sort.ts';
import { explainTraining } from '../../src/gpt/train-explain.ts';
import { SortTrainer, sortAccuracy, TRAIN_BATCH } from '../../src/gpt/training.ts';
import { TrainableGPT } from '../../src/gpt/wasm-train.ts';
import { ROOT, readWasm, readWeights } from '../../scripts/lib/engine.ts';

const INPUT = [2, 1, 0, 1, 1, 2];

interface Channel {
  postMessage(control: TrainControl): void;
  onmessage: ((response: TrainResponse) => void) | null;
}

/**
 * TrainHost behind an in-process stand-in for its worker: messages both ways are delivered
 * asynchronously and go through structuredClone (buffers transferred), as postMessage does. Node's
 * message ports would deliver a run's chunks back to back before any timer, so chunks are
 * scheduled on timers here, which gives the test's messages their turn as a browser does.
 */
async function trainChannel(): Promise<Channel> {
  const module = await WebAssembly.compile(Uint8Array.from(readWasm()));
  let queue = Promise.resolve();
  const channel: Channel = {
    onmessage: null,
    postMessage(control) {
      const copy = structuredClone(control);
      queue = queue.then(() => new Promise((r) => setTimeout(r, 1))).then(() => host.handle(copy));
    },
  };
  const host = new TrainHost(
    module,
    NANO,
    (response, transfer) => {
      const delivered = structuredClone(response, { transfer });
      setTimeout(() => channel.onmessage?.(delivered), 1);
    },
    (fn) => setTimeout(fn, 0),
  );
  return channel;
}

/** Collects a run's progress messages until `until` says stop. */
function progressUntil(channel: Channel, until: (p: TrainProgress) => boolean): Promise<TrainProgress[]> {
  const seen: TrainProgress[] = [];
  return new Promise((resolve) => {
    channel.onmessage = (p) => {
      if (p.type !== 'train-progress') return;
      seen.push(p);
      if (until(p)) resolve(seen);
    };
  });
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('training through the worker protocol', () => {
  it('N iterations give the same bytes as npm run train with the same seed and N', async () => {
    const N = 60;
    const seed = 7;
    const out = join(mkdtempSync(join(tmpdir(), 'train-worker-')), 'w.safetensors');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/train.ts'), '--seed', String(seed), '--iters', String(N), '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toMatch(/wrote /);
    const fromCli = loadWeights(readFileSync(out)).params;

    const client = await trainChannel();
    const done = progressUntil(client, (p) => p.state === 'done');
    client.postMessage({ type: 'train', action: 'start', seed, iters: N, every: 25, input: INPUT });
    const seen = await done;
    const checkpoints = seen.flatMap((p) => (p.checkpoint ? [p.checkpoint] : []));
    expect(checkpoints.map((c) => c.iteration)).toEqual([0, 25, 50, 60]);
    expect(bits(checkpoints.at(-1)!.params)).toEqual(bits(fromCli));
    // Every iteration's loss arrives exactly once, in order.
    const iterations = seen.flatMap((p) => p.losses.map((_, i) => p.firstIteration + i));
    expect(iterations).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(seen.at(-1)!.msPerIter).toBeGreaterThan(0);
  }, 60_000);

  it('pauses, resumes and resets', async () => {
    const client = await trainChannel();
    const started = progressUntil(client, (p) => p.iteration >= 3);
    client.postMessage({ type: 'train', action: 'start', seed: 1337, iters: 2000, every: 50, input: INPUT });
    await started;
    const paused = progressUntil(client, (p) => p.state === 'paused');
    client.postMessage({ type: 'train', action: 'pause' });
    const at = (await paused).at(-1)!.iteration;
    expect(at).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 100));
    const quiet = progressUntil(client, () => true);
    client.postMessage({ type: 'train', action: 'resume' });
    const resumed = (await quiet).at(-1)!;
    expect(resumed.state).toBe('running');
    expect(resumed.iteration).toBe(at);
    const reset = progressUntil(client, (p) => p.state === 'idle');
    client.postMessage({ type: 'train', action: 'reset' });
    const last = (await reset).at(-1)!;
    expect(last.iteration).toBe(0);
    expect(last.run).toBeGreaterThan(resumed.run);
  }, 60_000);
});

describe('the first steps of the training chapter', async () => {
  const engine = await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH);
  const ex = explainTraining(engine, 1337, INPUT);

  it('the untrained loss is near ln 3 and is the mean of -ln p over the right letters', () => {
    expect(Math.abs(ex.untrained.loss - Math.log(3))).toBeLessThan(0.15);
    const mean = ex.untrained.right.reduce((a, p) => a - Math.log(p), 0) / ex.untrained.right.length;
    expect(ex.untrained.loss).toBeCloseTo(mean, 5);
    expect(ex.untrained.right).toHaveLength(6);
  });

  it('nudging the weight moves the loss by about gradient x epsilon', () => {
    const moved = ex.weight.lossNudged - ex.untrained.loss;
    expect(Math.abs(ex.weight.grad)).toBeGreaterThan(0.01);
    expect(Math.abs(moved - ex.weight.grad * ex.weight.eps)).toBeLessThan(0.05 * Math.abs(ex.weight.grad * ex.weight.eps));
  });

  it('the first AdamW step is the run\'s first step, with moments that follow the update rule', async () => {
    const s = ex.step;
    const g = s.grad * s.clip;
    expect(s.m).toBeCloseTo((1 - s.beta1) * g, 7);
    expect(s.v).toBeCloseTo((1 - s.beta2) * g * g, 9);
    const mHat = s.m / (1 - s.beta1);
    const vHat = s.v / (1 - s.beta2);
    const expected = s.before * (1 - s.lr * s.weightDecay) - (s.lr * mHat) / (Math.sqrt(vHat) + s.eps);
    expect(s.after).toBeCloseTo(expected, 6);
    const other = await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH);
    const trainer = new SortTrainer(other, 1337);
    expect(trainer.step()).toBe(s.batchLoss);
    expect(other.params[ex.weight.index]).toBe(s.after);
  });

  it('accuracy by one teacher-forced pass per input equals greedy decoding on all 729 inputs', async () => {
    const other = await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH);
    const trainer = new SortTrainer(other, 3);
    for (let i = 0; i < 150; i++) trainer.step();
    const partly = sortAccuracy(other);
    expect(partly.correct).toBe(evaluateAll(other, 3).correct);
    other.setParams(readWeights().params);
    expect(sortAccuracy(other)).toEqual({ correct: 729, total: 729 });
  }, 60_000);
});
