/**
 * The training chapter in real Chromium: the page trains 100 iterations in its worker and ends
 * with the same weights (by hash) as the same run in Node; scrolling through the run step shows
 * the checkpoint the scroll position names; Pause and Reset work; a bad ?seed= gets a notice.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SortTrainer, TRAIN_BATCH } from '../../src/gpt/training.ts';
import { TrainableGPT } from '../../src/gpt/wasm-train.ts';
import { namedIteration } from '../../src/story/training/view.ts';
import { readWasm, readWeights } from '../../scripts/lib/engine.ts';
import { useSite } from './harness.ts';
import { SLUGS, scrollToStepTime, waitForStep } from './reading-helpers.ts';

const site = useSite();
const PANEL = '[data-training]';
const state = (page: Page) => page.$eval(PANEL, (el) => ({ ...(el as HTMLElement).dataset }));

/** The first 8 bytes of SHA-256 over the weights after `iters` steps from `seed`, in hex (as the page shows it). */
async function nodeHash(seed: number, iters: number): Promise<string> {
  const trainer = new SortTrainer(await TrainableGPT.load(readWasm(), readWeights().config, TRAIN_BATCH), seed);
  for (let i = 0; i < iters; i++) trainer.step();
  return createHash('sha256').update(trainer.engine.params.slice()).digest('hex').slice(0, 16);
}

describe.runIf(SLUGS.includes('training'))('the training chapter', () => {
  it('trains 100 iterations to the same weights as Node, and scrolling shows the named checkpoint', async () => {
    const p = await site.open('/chapters/training/?iters=100');
    await p.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement | null)?.dataset.hash !== undefined, PANEL, { timeout: 120_000 });
    const shown = await state(p.page);
    expect(shown.state).toBe('done');
    expect(shown.iteration).toBe('100');
    expect(shown.hash).toBe(await nodeHash(1337, 100));
    expect(await p.page.locator('#training-same-bytes .train-val[data-train="hash"]').textContent()).toBe(shown.hash);

    for (const want of [0.3, 0.6, 0.97]) {
      const t = await scrollToStepTime(p.page, 'training-run', want);
      await waitForStep(p.page, 'training-run');
      const iteration = namedIteration({ iters: 100, every: 50 }, t);
      await p.page.waitForFunction(([sel, it]) => (document.querySelector(sel) as HTMLElement).dataset.shown === it, [PANEL, String(iteration)] as const, { timeout: 5000 });
      expect(await p.page.locator('[data-train-answer]').textContent()).toContain(`iteration ${iteration}:`);
    }
    // The text alternative names the run's state in the polite live region.
    expect(await p.page.locator('#scene-description').getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => p.page.locator('#scene-description').textContent()).toMatch(/The run is done at iteration 100 of 100, batch loss [^,]+, \d+ of 729 inputs sorted/);
    expect(p.problems()).toEqual([]);
    await p.close();
  }, 180_000);

  it('the essay fetches the training code only when the reader comes near the chapter (and tells about a bad ?seed= at once)', async () => {
    const p = await site.open('/?seed=banana', { reducedMotion: 'reduce' });
    await p.page.evaluate(() => window.__scene.ready);
    await p.page.waitForTimeout(1000);
    // A bad seed is told at once, before the training code is there.
    await expect.poll(() => p.page.locator('#reader-notice').textContent()).toContain('The seed "banana"');
    const fetched = () => p.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()!));
    expect((await fetched()).filter((n) => n.startsWith('panel.'))).toEqual([]);
    expect((await state(p.page)).state).toBeUndefined();
    await p.page.evaluate(() => document.getElementById('training')!.scrollIntoView());
    await p.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.state === 'idle', PANEL, { timeout: 20_000 });
    expect((await fetched()).filter((n) => n.startsWith('panel.'))).toHaveLength(1);
    // The panel, loaded, says the same once: one notice, not two.
    expect((await p.page.locator('#reader-notice').textContent())!.split('The seed "banana"')).toHaveLength(2);
    expect(p.problems()).toEqual([]);
    await p.close();
  }, 60_000);

  it('waits for Train under reduced motion; Pause stops the run and Reset forgets it', async () => {
    const p = await site.open('/chapters/training/', { reducedMotion: 'reduce' });
    await scrollToStepTime(p.page, 'training-run', 0.9);
    const start = p.page.locator(`${PANEL} button[data-action="start"]`);
    await p.page.waitForTimeout(1500);
    expect((await state(p.page)).state).toBe('idle');
    await start.focus();
    await p.page.keyboard.press('Enter');
    await p.page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.iteration) > 0, PANEL, { timeout: 30_000 });
    await p.page.locator(`${PANEL} button[data-action="pause"]`).click();
    await p.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.state === 'paused', PANEL);
    const at = (await state(p.page)).iteration;
    await p.page.waitForTimeout(800);
    expect((await state(p.page)).iteration).toBe(at);
    expect(await p.page.locator(`${PANEL} button[data-action="pause"]`).textContent()).toBe('Resume');
    await p.page.locator(`${PANEL} button[data-action="reset"]`).click();
    await p.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.state === 'idle', PANEL);
    expect((await state(p.page)).iteration).toBe('0');
    expect(p.problems()).toEqual([]);
    await p.close();
  }, 90_000);

  it('a bad ?seed= gets a notice and the default seed', async () => {
    const p = await site.open('/chapters/training/?seed=banana', { reducedMotion: 'reduce' });
    const notice = p.page.locator('#reader-notice');
    await notice.waitFor({ state: 'visible' });
    await p.page.waitForFunction(() => /seed "banana".*uses 1337/.test(document.getElementById('reader-notice')?.textContent ?? ''));
    // The only notice: on this page ?seed= is a known parameter, not an unknown one.
    expect(await notice.textContent()).not.toMatch(/unknown/);
    await p.page.waitForFunction(() => document.querySelector('.training-seed .train-val')?.textContent === '1337');
    expect(p.problems()).toEqual([]);
    await p.close();
  }, 60_000);
});
