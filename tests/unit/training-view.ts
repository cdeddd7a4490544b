/**
 * A TrainingView as the page holds it after a short run (seed 1337, 100 iterations, a checkpoint
 * every 50), computed in Node with the same code the worker runs: for the director tests.
 */
import { packTrace, unpackTrace } from '../../src/gpt/protocol.ts';
import { generate } from '../../src/gpt/sort.ts';
import { explainTraining } from '../../src/gpt/train-explain.ts';
import { SortTrainer, sortAccuracy, TRAIN_BATCH } from '../../src/gpt/training.ts';
import { TrainableGPT } from '../../src/gpt/wasm-train.ts';
import type { CheckpointView, TrainingView } from '../../src/story/training/view.ts';
import { readWasm, readWeights } from '../../scripts/lib/engine.ts';

export async function trainingView(input: number[], iters = 100, every = 50): Promise<TrainingView> {
  const engine = await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH);
  const numbers = explainTraining(engine, 1337, input);
  const paramsAfter = engine.params.slice();
  const trainer = new SortTrainer(engine, 1337);
  const params = engine.params.slice();
  const explained = { numbers, params, paramsAfter, trace: unpackTrace(packTrace(engine.forward(input))), exampleTrace: unpackTrace(packTrace(engine.forward(numbers.example.ids))) };
  const losses: number[] = [];
  const checkpoints: CheckpointView[] = [];
  const keep = () => {
    const { correct, total } = sortAccuracy(engine);
    checkpoints.push({ iteration: trainer.iteration, params: engine.params.slice(), correct, total, answer: generate(engine, input, input.length), trace: unpackTrace(packTrace(engine.forward(input))), loss: losses.at(-1) ?? NaN });
  };
  keep();
  while (trainer.iteration < iters) {
    losses.push(trainer.step());
    if (trainer.iteration % every === 0 || trainer.iteration === iters) keep();
  }
  return { seed: 1337, iters, every, state: 'done', iteration: iters, explained, checkpoints, losses, sameBytes: null };
}
