/**
 * The numbers in the training chapter's prose (`:train{q="..."}`, see markdown.ts): each is read
 * from the run in this browser (the worker's first-step numbers, its checkpoints, the comparison
 * with the shipped file); until it is known the span keeps its "…".
 */
import { VOCAB } from '../../gpt/config.ts';
import { formatNumber as num } from '../../scene/formula.ts';
import type { TrainingView } from './view.ts';
import { grouped } from '../../scene/numbers.ts';

const letters = (ids: readonly number[]) => ids.map((i) => VOCAB[i]).join('');
const pct = (p: number) => `${Number((p * 100).toPrecision(3))}%`;

/** The last steps whose batch losses the finished run's loss averages. */
export const FINAL_WINDOW = 50;

type Getter = (v: TrainingView) => string | null;

const first = (f: (e: NonNullable<TrainingView['explained']>['numbers']) => string): Getter => (v) => (v.explained ? f(v.explained.numbers) : null);

export const TRAIN_VALUES: Readonly<Record<string, Getter>> = Object.freeze({
  seed: (v) => String(v.seed),
  iters: (v) => grouped(v.iters),
  ln3: () => num(Math.log(3)),
  input: first((n) => letters(n.input)),
  'untrained-answer': first((n) => letters(n.untrained.answer)),
  'untrained-loss': first((n) => num(n.untrained.loss)),
  example: first((n) => `${letters(n.example.ids.slice(0, 6))} then ${letters(n.example.targets.slice(5))}`),
  'right-probs': first((n) => n.untrained.right.map(pct).join(', ')),
  'right-first': first((n) => pct(n.untrained.right[0]!)),
  'minus-log-first': first((n) => num(-Math.log(n.untrained.right[0]!))),
  'weight-cell': first((n) => `row ${VOCAB[n.weight.row]}, channel ${n.weight.col + 1}`),
  'weight-value': first((n) => num(n.weight.value)),
  grad: first((n) => num(n.weight.grad)),
  eps: first((n) => String(n.weight.eps)),
  // Six decimals: the nudge moves the loss in its fourth.
  'loss-before-6': first((n) => n.untrained.loss.toFixed(6)),
  'loss-nudged': first((n) => n.weight.lossNudged.toFixed(6)),
  'loss-moved': first((n) => num(n.weight.lossNudged - n.untrained.loss)),
  predicted: first((n) => num(n.weight.grad * n.weight.eps)),
  'batch-loss': first((n) => num(n.step.batchLoss)),
  'step-grad': first((n) => num(n.step.grad)),
  'step-clip': first((n) => num(n.step.clip)),
  'step-clipped': first((n) => num(n.step.grad * n.step.clip)),
  'step-m': first((n) => num(n.step.m)),
  'step-v': first((n) => num(n.step.v)),
  lr: first((n) => String(n.step.lr)),
  'step-before': first((n) => num(n.step.before)),
  'step-after': first((n) => num(n.step.after)),
  'step-moved': first((n) => num(n.step.after - n.step.before)),
  // Single batches of a trained sorter often cost exactly 0 in float32 (every right letter gets p = 1).
  'final-loss': (v) => {
    const last = v.state === 'done' ? v.losses.slice(-FINAL_WINDOW) : [];
    return last.length ? num(last.reduce((a, b) => a + b, 0) / last.length) : null;
  },
  'final-sorted': (v) => {
    const c = v.state === 'done' ? v.checkpoints.at(-1) : undefined;
    return c ? `${c.correct} of ${c.total}` : null;
  },
  verdict: (v) => (v.sameBytes ? (v.sameBytes.identical ? 'identical, bit for bit' : `different in ${grouped(v.sameBytes.differing)} weights`) : null),
  hash: (v) => v.sameBytes?.hash ?? null,
  'shipped-hash': (v) => v.sameBytes?.shippedHash ?? null,
});

/** Fills every `[data-train]` span under root that has a known value. */
export function fillTrainValues(root: ParentNode, view: TrainingView): void {
  for (const el of root.querySelectorAll<HTMLElement>('.train-val[data-train]')) {
    const value = TRAIN_VALUES[el.dataset.train!]?.(view);
    if (value !== null && value !== undefined && el.textContent !== value) el.textContent = value;
  }
}
