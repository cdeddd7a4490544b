/**
 * The step audit over the built site (scripts/lib/audit-run.ts; `npm run audit:steps` is its
 * CLI): every step of every chapter at t = 0, 0.5 and 1, at 1280x800 and 390x844, plus
 * /explore/'s whole-model views, must meet issue 12's numbers for the picture. First, checks
 * that the audit measures what the page really shows, so its failures are real ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, useSite } from './harness.ts';
import { SLUGS } from './reading-helpers.ts';
import { measureMoment, runAudit, stageBackground } from '../../scripts/lib/audit-run.ts';
import { THRESHOLDS, judge, type Moment } from '../../scripts/lib/audit-measure.ts';
import { goToStep, loadOverviews, openChapter } from '../../scripts/lib/step-pages.ts';

const site = useSite();

function beatsOf(slug: string): string[] {
  const file = readFileSync(join(REPO_ROOT, 'content/chapters', `${String(SLUGS.indexOf(slug) + 1).padStart(2, '0')}-${slug}.md`), 'utf8');
  return [...file.matchAll(/:::step\{beat="([^"]+)"\}/g)].map((m) => m[1]!);
}

describe('step audit', () => {
  it('knows the whole-model views the issue names: the welcome overview, the stack, every scale step', async () => {
    const overviews = await loadOverviews();
    expect([...(overviews.welcome ?? [])]).toContain('overview');
    expect(overviews.stack?.size ?? 0).toBeGreaterThan(0);
    expect(beatsOf('scale').filter((b) => !overviews.scale?.has(b))).toEqual([]);
  });

  it('measures the rendered page: covered targets, a blank stage, small and cut labels, true cell sizes', async () => {
    const size = { width: 1280, height: 800 };
    const { opened, steps } = await openChapter(site.browser, site.origin, 'layer-norm', size);
    const page = opened.page;
    const step = steps[0]!;
    const tActual = await goToStep(page, step.id, 1);
    const background = stageBackground();
    const at = async (): Promise<Moment> => ({
      id: step.id,
      chapter: 'layer-norm',
      beat: step.beat,
      size,
      t: 1,
      tActual,
      overview: false,
      ...(await measureMoment(page, background, step.id)),
      problems: [],
    });

    const shown = await at();
    expect(tActual).toBe(1);
    expect(shown.drawn.share).toBeGreaterThan(0.01);
    expect(shown.page.targets.length).toBeGreaterThan(0);
    expect(shown.page.labels.length).toBeGreaterThan(0);
    expect(shown.page.blocks.length).toBeGreaterThan(0);

    // The hook's cell size agrees with the distance between neighbouring cell centres on screen.
    const sizes = await page.evaluate(() => {
      const r = window.__scene.rangeOnScreen('embed', [0, 1], [0, 1]);
      const a = window.__scene.cellScreenPosition('embed', 0, 0)!;
      const down = window.__scene.cellScreenPosition('embed', 1, 0)!;
      const right = window.__scene.cellScreenPosition('embed', 0, 1)!;
      return { cellPx: 'cellPx' in r ? r.cellPx : null, step: Math.min(Math.hypot(down.x - a.x, down.y - a.y), Math.hypot(right.x - a.x, right.y - a.y)) };
    });
    expect(sizes.cellPx).not.toBeNull();
    expect(Math.abs(sizes.cellPx! - sizes.step) / sizes.step).toBeLessThan(0.15);

    // A panel in the stage's own colour over all of it: every target counts as covered, the stage as blank.
    await page.evaluate((rgb) => {
      const r = document.querySelector('.scene-canvas')!.getBoundingClientRect();
      const cover = document.createElement('div');
      cover.id = 'audit-cover';
      Object.assign(cover.style, { position: 'fixed', left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px`, background: `rgb(${rgb.join(' ')})`, zIndex: '100' });
      document.body.append(cover);
    }, background);
    const covered = judge(await at());
    expect(covered.failures.map((f) => f.check)).toEqual(expect.arrayContaining(['blank', 'focus-in-view']));
    expect(covered.targetsOut).toHaveLength(shown.page.targets.length);
    const placed = shown.page.targets.filter((t) => !t.missing).map((t) => t.what);
    expect(covered.targetsOut.filter((t) => placed.some((w) => t.startsWith(`${w}: `)) && !t.includes('under div#audit-cover'))).toEqual([]);
    await page.evaluate(() => document.getElementById('audit-cover')!.remove());

    // A label of 8 px hanging over the stage's right edge.
    await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'scene-label audit-probe';
      probe.textContent = 'audit probe';
      Object.assign(probe.style, { fontSize: '8px', transform: `translate(${document.querySelector('.scene-canvas')!.clientWidth - 20}px, 300px)` });
      document.querySelector('.scene-labels')!.append(probe);
    });
    const probed = judge(await at());
    expect(probed.labelProblems.small).toContain('"audit probe" 8 px');
    expect(probed.labelProblems.cut.some((c) => c.startsWith('"audit probe" by'))).toBe(true);
    await page.evaluate(() => document.querySelector('.audit-probe')!.remove());

    // The camera turned away from the model: nothing drawn, every target off the stage.
    await page.evaluate(() => window.__scene.setCamera({ target: [1e6, 1e6, 0], distance: 10, yaw: 0, pitch: 0 }));
    const away = judge(await at());
    expect(away.drawnShare).toBeLessThan(THRESHOLDS.blankShare);
    expect(away.failures.map((f) => f.check)).toEqual(expect.arrayContaining(['blank', 'focus-in-view']));
    expect(away.targetsOut.length).toBe(shown.page.targets.length);
    expect(opened.problems()).toEqual([]);
    await opened.close();
  });

  it('every step meets the picture thresholds at both sizes', { timeout: 30 * 60_000 }, async () => {
    const report = await runAudit({ browser: site.browser, origin: site.origin });
    expect(report.rows.length).toBeGreaterThan(SLUGS.length * 2 * 3);
    const failures = report.rows.flatMap((r) => r.failures.map((f) => `${r.id} ${r.size} t=${r.t} ${f.check}: ${f.detail}`));
    if (failures.length > 0) {
      const lines = Object.entries(report.summary.byCheck).map(([check, v]) => `${check}: ${v.rows} rows, worst ${v.worst[0]!.id} ${v.worst[0]!.size} t=${v.worst[0]!.t}: ${v.worst[0]!.detail}`);
      console.log(`step audit: ${report.summary.failingRows} of ${report.summary.rows} rows fail\n${lines.join('\n')}`);
    }
    expect(failures).toEqual([]);
  });
});
