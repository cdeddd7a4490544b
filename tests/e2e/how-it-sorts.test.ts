/**
 * The "How it sorts" lab in real Chromium: switching layer 1's first head off (from the keyboard)
 * makes the worker answer all 729 inputs without it, and the page shows the accuracy
 * `npm run analyze` found (docs/analysis.json, not typed here), announces it, and greys the head
 * in the picture; switched back on, the model sorts them all again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO_ROOT, useSite } from './harness.ts';
import type { Analysis } from '../../src/gpt/analysis.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';

declare global {
  interface Window {
    __scene: SceneTestHook;
  }
}

const analysis = JSON.parse(readFileSync(join(REPO_ROOT, 'docs/analysis.json'), 'utf8')) as Analysis;
const correctWithout = (part: string) => analysis.ablations.find((r) => r.part === part)!.correct;

const site = useSite();
const RESULT = 'form.ablation-lab output[name="lab-result"]';

/** Waits until the lab's result line reports `correct` and returns its text. */
async function resultFor(page: Page, correct: number): Promise<string> {
  await page.waitForFunction(([sel, n]) => document.querySelector<HTMLOutputElement>(sel as string)?.dataset.correct === String(n), [RESULT, correct] as const, { timeout: 30_000 });
  return (await page.textContent(RESULT)) ?? '';
}

/** Whether the last frame draws the given block as a switched-off part (muted and faded). */
function greyedInScene(page: Page, block: string): Promise<boolean> {
  return page.evaluate((id) => {
    const s = window.__scene.state();
    if (!s) return false;
    return (s.blocks[id]?.opacity ?? 1) < 1 && s.highlights.some((h) => h.block === id && h.role === 'muted');
  }, block);
}

describe('How it sorts: the lab', () => {
  it('switching a head off gives the analysis accuracy, announced and greyed; back on gives 729', async () => {
    const p = await site.open('/chapters/how-it-sorts/?input=CBABBC#how-it-sorts-lab');
    const { page } = p;
    await page.waitForFunction(() => document.documentElement.dataset.generated !== undefined, null, { timeout: 60_000 });
    const head = page.locator('form.ablation-lab input[value="h.0.attn.head0"]');
    // From the keyboard: focus the box and press Space, as a reader without a mouse would.
    await head.focus();
    await page.keyboard.press('Space');
    expect(await head.isChecked()).toBe(true);
    const want = correctWithout('h.0.attn.head0');
    expect(want).toBeLessThan(analysis.inputs);
    const text = await resultFor(page, want);
    expect(text).toContain(`${want} of ${analysis.inputs}`);
    expect(text).toContain('With head 1 of layer 1 off');
    expect(text).toMatch(/CBABBC becomes [ABC]{6}\. \(Answered in \d+ ms in your browser\.\)/);
    // In well under a second once the means are in (the first request also computes them).
    const ms = Number(await page.getAttribute(RESULT, 'data-ms'));
    await expect.poll(() => page.textContent('#scene-description')).toBe(text);
    await page.waitForFunction(() => window.__scene.state()?.highlights.some((h) => h.role === 'muted') ?? false, null, { timeout: 10_000 });
    expect(await greyedInScene(page, 'h.0.attn.head0.probs')).toBe(true);
    expect(await greyedInScene(page, 'h.0.attn.head1.probs')).toBe(false);

    // A second part, then timing: the means are cached now.
    await page.locator('form.ablation-lab input[value="h.0.attn.head0"]').press('Space');
    await resultFor(page, analysis.inputs);
    await page.locator('form.ablation-lab input[value="h.1.mlp"]').press('Space');
    await resultFor(page, correctWithout('h.1.mlp'));
    const second = Number(await page.getAttribute(RESULT, 'data-ms'));
    expect(second, `the first request took ${ms} ms (with the means)`).toBeLessThan(1000);

    // New letters: the experiment runs again on them.
    const field = page.locator('#how-it-sorts-lab form.reader-input input[name="input"]');
    await field.fill('CCBBAA');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('CCBBAA becomes') ?? false, RESULT, { timeout: 30_000 });
    expect(await page.textContent(RESULT)).toContain(`sorts ${correctWithout('h.1.mlp')} of ${analysis.inputs}`);

    // Everything back on.
    await page.locator('form.ablation-lab button[type="reset"]').click();
    const back = await resultFor(page, analysis.inputs);
    expect(back).toContain(`With every part on, the model sorts ${analysis.inputs} of ${analysis.inputs} inputs. CCBBAA becomes ${[...'CCBBAA'].sort().join('')}.`);
    await page.waitForFunction(() => !(window.__scene.state()?.highlights.some((h) => h.role === 'muted') ?? true), null, { timeout: 10_000 });
    expect(p.problems()).toEqual([]);
  }, 120_000);
});
