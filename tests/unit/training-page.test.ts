/**
 * The training chapter's page logic without a browser: the address's seed and length, the
 * checkpoint memory cap, which checkpoint a scroll position names, and what the director shows.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ITERS, DEFAULT_SEED } from '../../src/gpt/training.ts';
import { direct } from '../../src/story/director.ts';
import { training } from '../../src/story/directors/training.ts';
import { MAX_CHECKPOINTS, thin } from '../../src/story/training/run.ts';
import { trainingFromSearch } from '../../src/story/training/url.ts';
import { checkpointAt, namedIteration, type CheckpointView } from '../../src/story/training/view.ts';
import { directorContext } from './director-context.ts';

describe('?seed= and ?iters=', () => {
  it('takes whole numbers in range', () => {
    expect(trainingFromSearch('?seed=7&iters=100')).toEqual({ seed: 7, iters: 100, notices: [] });
    expect(trainingFromSearch('')).toEqual({ seed: DEFAULT_SEED, iters: DEFAULT_ITERS, notices: [] });
  });
  for (const bad of ['seed=-1', 'seed=1.5', 'seed=abc', 'seed=4294967296', 'seed=', 'iters=0', 'iters=99999', 'iters=1e3']) {
    it(`gives a notice and the default for ${bad}`, () => {
      const s = trainingFromSearch(`?${bad}`);
      expect(s.seed).toBe(DEFAULT_SEED);
      expect(s.iters).toBe(DEFAULT_ITERS);
      expect(s.notices).toHaveLength(1);
      expect(s.notices[0]).toMatch(bad.startsWith('seed') ? /seed/ : /iters/);
    });
  }
});

describe('checkpoints', () => {
  const fake = (iteration: number) => ({ iteration }) as CheckpointView;

  it('are thinned to the memory cap, keeping the first, the newest and an even spread', () => {
    const all = Array.from({ length: 201 }, (_, i) => fake(i * 50));
    const kept = thin(all);
    expect(kept.length).toBeLessThanOrEqual(MAX_CHECKPOINTS);
    expect(kept[0]!.iteration).toBe(0);
    expect(kept.at(-1)!.iteration).toBe(10_000);
    const gaps = new Set(kept.slice(1, -1).map((c, i) => c.iteration - kept[i]!.iteration));
    expect(gaps.size).toBe(1);
    expect(thin(all.slice(0, 41))).toHaveLength(41);
  });

  it('the scroll position names an iteration; the newest computed one at or before it is shown', () => {
    const view = { iters: 2000, every: 50, checkpoints: [0, 50, 100, 150].map(fake) };
    expect(namedIteration(view, 0)).toBe(0);
    expect(namedIteration(view, 1)).toBe(2000);
    expect(checkpointAt(view, 0)!.iteration).toBe(0);
    expect(checkpointAt(view, 1)!.iteration).toBe(150);
    const t = 0.25 + 0.65 * (100 / 2000);
    expect(namedIteration(view, t)).toBe(100);
    expect(checkpointAt(view, t)!.iteration).toBe(100);
  });
});

describe('the training director', async () => {
  const ctx = await directorContext();
  const order = Object.keys(training.steps);

  it('shows the checkpoint the scroll position names, with its weights and numbers', () => {
    const view = ctx.training!;
    for (const t of [0, 0.5, 1]) {
      const c = checkpointAt(view, t)!;
      const scene = direct(training, order, order.indexOf('run'), t, ctx);
      expect(scene.params).toBe(c.params);
      expect(scene.trace).toBe(c.trace);
      expect(scene.describe).toContain(`iteration ${c.iteration} of 100`);
      expect(scene.describe).toContain(`${c.correct} of 729`);
    }
  });

  it('marks the followed weight and says its gradient and the nudge', () => {
    const w = ctx.training!.explained!.numbers.weight;
    const scene = direct(training, order, order.indexOf('which-way'), 1, ctx);
    expect(scene.highlights).toContainEqual({ block: 'lm_head', rows: [w.row, w.row + 1], cols: [w.col, w.col + 1], role: 'focus' });
    expect(scene.callouts.map((c) => c.text).join(' ')).toMatch(/gradient/);
    const step = direct(training, order, order.indexOf('one-step'), 1, ctx);
    expect(step.params).toBe(ctx.training!.explained!.paramsAfter);
  });

  it('says it is waiting, and shows the trained model, before the worker has answered', () => {
    const scene = direct(training, order, 0, 1, { ...ctx, training: null });
    expect(scene.params).toBeUndefined();
    expect(scene.describe).toMatch(/preparing/);
  });
});
