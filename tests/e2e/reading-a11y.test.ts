/**
 * axe-core on the essay, a chapter, an embed and /explore/: no serious or critical violations
 * (contrast at WCAG AA, names and labels, landmarks, ...), checked once the model has filled in
 * the numbers and with a tooltip open, so the states a reader sees are the ones checked.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSite } from './harness.ts';
import { SLUGS, modelReady, openRecorded, settledCanvas } from './reading-helpers.ts';

const site = useSite();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHAPTER = SLUGS.includes('self-attention') ? 'self-attention' : SLUGS[1]!;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe in the page. The site's CSP forbids inline scripts, so axe is evaluated through the
 * DevTools protocol (which CSP does not govern) rather than added as a <script> element.
 */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return r.violations;
  });
  return found
    // Landmark rules too, whatever their impact: every part of the page sits in a landmark.
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region' || v.id.startsWith('landmark-'))
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 4).map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary?.split('\n').slice(1, 3).join(' ') ?? ''}`).join('\n')}`);
}

describe('axe-core', () => {
  for (const path of ['/', `/chapters/${CHAPTER}/`, `/embed/${CHAPTER}/`, '/explore/']) {
    for (const width of [1280, 390]) {
      it(`${path} at ${width} px: no serious or critical violations, and no content outside landmarks`, async () => {
        const p = await openRecorded(site.browser, site.url(path), { viewport: { width, height: 800 } });
        if (path === '/explore/') await p.page.evaluate(() => window.__scene.ready);
        else await modelReady(p.page);
        await settledCanvas(p.page);
        // A tooltip open, as a hovering reader has it.
        await p.page.evaluate(() => window.__scene.hoverCell('h.1.mlp.gelu', 10, 4));
        expect(await violations(p.page)).toEqual([]);
        expect(p.problems()).toEqual([]);
        await p.close();
      });
    }
  }
});
