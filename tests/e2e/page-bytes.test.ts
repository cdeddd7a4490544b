/**
 * The page-weight budget of the issue on the picture (its part 10), checked on every chapter page
 * as scripts/bench-page.ts counts it: the page's own bytes (HTML, CSS, JS, WASM; gzip; the
 * weights apart) once the model is up, the steps' code has loaded and the reader has scrolled to
 * the end. Bytes do not drift from run to run the way timings do, so a test holds them. And the
 * engine each page loads: the forward-only build, but where the page trains.
 */
import { describe, expect, it } from 'vitest';
import { openPage, useSite } from './harness.ts';
import { SLUGS, modelReady } from './reading-helpers.ts';
import { countBytes, PAGE_BYTES_BUDGET, type PageBytes } from '../../scripts/lib/page-bytes.ts';
import type { SceneTestHook } from '../../src/components/scene-canvas.ts';

const site = useSite();

/**
 * The training chapter's page carries, on top, what only it loads: the training panel with its
 * plots (d3-scale, d3-shape) and the training worker, about 22 KB (README, "Training in the page").
 */
const TRAINING_EXTRA = 22 * 1024;

async function weigh(slug: string): Promise<PageBytes & { wasm: string[] }> {
  const p = await openPage(site.browser, 'about:blank', { viewport: { width: 1280, height: 800 } });
  const bytes = countBytes(p.context);
  const wasm: string[] = [];
  p.context.on('request', (req) => {
    if (new URL(req.url()).pathname.endsWith('.wasm')) wasm.push(new URL(req.url()).pathname);
  });
  await p.page.goto(site.url(`/chapters/${slug}/`));
  await modelReady(p.page);
  // The steps' directors load in idle time once the first picture is up (the rehearsal).
  await p.page.waitForFunction(() => (window as unknown as { __scene: SceneTestHook }).__scene.rehearsal()?.done === true, undefined, { timeout: 30_000 });
  await p.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await p.page.waitForTimeout(800);
  const counted = await bytes.total();
  expect(p.problems(), slug).toEqual([]);
  await p.close();
  return { ...counted, wasm };
}

describe('page weight', () => {
  it(`every chapter page downloads at most ${PAGE_BYTES_BUDGET / 1024} KB of its own (gzip), its code for every step included; the training chapter that plus its panel and worker`, async () => {
    const own: Record<string, number> = {};
    for (const slug of SLUGS) {
      const w = await weigh(slug);
      expect(w.gzip.js, `${slug}: no scripts counted`).toBeGreaterThan(10_000);
      expect(w.gzip.weights, `${slug}: the weights are not the page's own`).toBeGreaterThan(0);
      // One engine file, whichever workers compile it: the full engine where the page trains,
      // the forward-only build everywhere else.
      expect(new Set(w.wasm).size, `${slug}: ${w.wasm.join(', ')}`).toBe(1);
      expect(w.wasm[0], slug).toMatch(slug === 'training' ? /\/gpt\.[\w-]+\.wasm$/ : /\/gpt-forward\.[\w-]+\.wasm$/);
      own[slug] = w.own;
    }
    for (const [slug, n] of Object.entries(own)) {
      expect(n, `${slug}: ${(n / 1024).toFixed(1)} KB`).toBeLessThanOrEqual(PAGE_BYTES_BUDGET + (slug === 'training' ? TRAINING_EXTRA : 0));
    }
  });

  it('the whole article, which trains, loads the full engine alone', async () => {
    const p = await openPage(site.browser, 'about:blank', { viewport: { width: 1280, height: 800 } });
    const wasm = new Set<string>();
    p.context.on('request', (req) => {
      if (new URL(req.url()).pathname.endsWith('.wasm')) wasm.add(new URL(req.url()).pathname);
    });
    await p.page.goto(site.url('/'));
    await modelReady(p.page);
    expect([...wasm]).toEqual([expect.stringMatching(/\/gpt\.[\w-]+\.wasm$/)]);
    expect(p.problems()).toEqual([]);
    await p.close();
  });
});
