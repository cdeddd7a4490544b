/**
 * The step audit in the browser: visits every step of the chosen chapters at t = 0, 0.5 and 1
 * (and /explore/'s default and "Whole model" views) at each viewport size, reads what the page
 * shows and judges it with scripts/lib/audit-measure.ts. The CLI is scripts/audit-steps.ts;
 * tests/e2e/audit.test.ts calls runAudit directly.
 *
 * What is read at each moment: the canvas's own pixels (a screenshot of its box with the scene's
 * DOM overlays hidden), and in one page call the canvas box, the page width, the labels' DOM
 * boxes and font sizes, every drawn block's projected box, and at t = 1 the focus targets (the
 * frame's focus/result/source highlights, its callouts' cells, the blocks the step's :ref words
 * name) projected through the frame's camera, with what page element covers their front face.
 */
import type { Browser, Page } from 'playwright-core';
import { decodePng, openPage } from '../../tests/e2e/harness.ts';
import { BACKGROUND_HEX } from '../../src/scene/palette.ts';
import { drawnStats, hexToRgb255, judge, summarise, type DrawnStats, type RGB, type Moment, type PageMeasure, type Row, type Summary, type TargetMeasure } from './audit-measure.ts';
import { DEFAULT_SIZES, SLUGS, goToStep, loadOverviews, openChapter, settle, waitForPicture, type Size } from './step-pages.ts';

export interface AuditOptions {
  browser: Browser;
  /** e.g. http://127.0.0.1:40123, serving the built site. */
  origin: string;
  /** Chapter slugs (default: all); "explore" audits /explore/ (included by default). */
  chapters?: readonly string[];
  sizes?: readonly Size[];
  times?: readonly number[];
  /** Called with each row as soon as it is judged (progress output). */
  onRow?: (row: Row) => void;
}

export interface AuditReport {
  rows: Row[];
  summary: Summary;
}

export const EXPLORE = 'explore';
export const TIMES: readonly number[] = Object.freeze([0, 0.5, 1]);

/** The stage's background colour, read from the palette when the audit runs (the look may change). */
export function stageBackground(): RGB {
  return hexToRgb255(BACKGROUND_HEX);
}

export async function runAudit(options: AuditOptions): Promise<AuditReport> {
  const chapters = options.chapters ?? [...SLUGS, EXPLORE];
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const times = options.times ?? TIMES;
  const overviews = await loadOverviews();
  const background = stageBackground();
  const rows: Row[] = [];
  const add = (m: Moment) => {
    const row = judge(m);
    rows.push(row);
    options.onRow?.(row);
  };

  for (const size of sizes) {
    for (const slug of chapters) {
      if (slug === EXPLORE) {
        await auditExplore(options.browser, options.origin, size, background, add);
        continue;
      }
      const { opened, steps } = await openChapter(options.browser, options.origin, slug, size);
      try {
        await checkBackground(opened.page, background);
        for (const step of steps) {
          for (const t of times) {
            const tActual = await goToStep(opened.page, step.id, t);
            const { drawn, page } = await measureMoment(opened.page, background, t >= 1 ? step.id : null);
            const overview = overviews[slug]?.has(step.beat) ?? false;
            add({ id: step.id, chapter: slug, beat: step.beat, size, t, tActual, overview, drawn, page, problems: opened.problems() });
          }
        }
      } finally {
        await opened.close();
      }
    }
  }
  return { rows, summary: summarise(rows) };
}

/** /explore/'s default view, then its "Whole model" button: both whole-model views. */
async function auditExplore(browser: Browser, origin: string, size: Size, background: RGB, add: (m: Moment) => void): Promise<void> {
  const opened = await openPage(browser, `${origin}/explore/`, { viewport: size, reducedMotion: 'no-preference' });
  try {
    await waitForPicture(opened.page, false);
    await checkBackground(opened.page, background);
    const views: [string, (() => Promise<void>) | null][] = [
      ['default', null],
      ['whole-model', () => opened.page.click('#whole-model')],
    ];
    for (const [beat, action] of views) {
      if (action) {
        await action();
        await settle(opened.page);
      }
      const { drawn, page } = await measureMoment(opened.page, background, null);
      add({ id: `explore-${beat}`, chapter: EXPLORE, beat, size, t: 1, tActual: 1, overview: true, drawn, page, problems: opened.problems() });
    }
  } finally {
    await opened.close();
  }
}

/**
 * The stage's CSS background is the palette's (SceneCanvas.astro): if they differ, the site being
 * served was built from other sources than the ones read here, and every pixel would count as drawn.
 */
async function checkBackground(page: Page, background: RGB): Promise<void> {
  const css = await page.$eval('[data-scene]', (el) => getComputedStyle(el).backgroundColor);
  const rgb = (/rgba?\(([^)]*)\)/.exec(css)?.[1] ?? '').split(/[\s,/]+/).filter(Boolean).map(Number);
  if (rgb.length < 3 || rgb.slice(0, 3).some((v, i) => Math.abs(v - background[i]!) > 2)) {
    throw new Error(`the stage's background on the page is ${css} but src/scene/palette.ts says rgb(${background.join(', ')}): is the built site older than the sources?`);
  }
}

/**
 * What the page shows now: the canvas's drawn pixels and the page geometry; with `stepId`, also
 * that step's focus targets (the audit asks at t = 1).
 */
export async function measureMoment(page: Page, background: RGB, stepId: string | null): Promise<{ drawn: DrawnStats; page: PageMeasure }> {
  const drawn = await canvasDrawn(page, background);
  return { drawn, page: await measurePage(page, stepId) };
}

/**
 * Drawn share and bounding box of the canvas's own pixels: a screenshot of its on-screen box with
 * the scene's DOM overlays (labels, arrows, tooltip) hidden for the moment of the capture.
 */
async function canvasDrawn(page: Page, background: RGB): Promise<DrawnStats> {
  const box = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.scene-canvas')!;
    for (const el of canvas.parentElement!.children) {
      if (el === canvas || !(el instanceof HTMLElement || el instanceof SVGElement)) continue;
      el.dataset.auditVisibility = el.style.visibility;
      el.style.visibility = 'hidden';
    }
    const b = canvas.getBoundingClientRect();
    // Chromium paints a box snapped to whole device pixels (dpr 1 here): clip to the part in view.
    const x0 = Math.max(0, Math.round(b.left));
    const y0 = Math.max(0, Math.round(b.top));
    const x1 = Math.min(innerWidth, Math.round(b.right));
    const y1 = Math.min(innerHeight, Math.round(b.bottom));
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0, stageWidth: Math.round(b.width), stageHeight: Math.round(b.height) };
  });
  try {
    if (box.width <= 0 || box.height <= 0) return { share: 0, bbox: null, width: 0, height: 0 };
    const png = await page.screenshot({ clip: { x: box.x, y: box.y, width: box.width, height: box.height }, animations: 'disabled', caret: 'hide' });
    return drawnStats(decodePng(png), background, { stage: { width: box.stageWidth, height: box.stageHeight } });
  } finally {
    await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('.scene-canvas')!;
      for (const el of canvas.parentElement!.children) {
        if (!(el instanceof HTMLElement || el instanceof SVGElement) || el.dataset.auditVisibility === undefined) continue;
        el.style.visibility = el.dataset.auditVisibility;
        delete el.dataset.auditVisibility;
      }
    });
  }
}

/**
 * Everything else, read in one call inside the page (this function is serialised into it, so it
 * uses nothing from outside). `stepId` non-null: also the step's focus targets (at t = 1).
 */
async function measurePage(page: Page, stepId: string | null): Promise<PageMeasure> {
  return page.evaluate((id): PageMeasure => {
    const hook = window.__scene;
    const canvas = document.querySelector<HTMLCanvasElement>('.scene-canvas')!;
    const root = canvas.closest('[data-scene]') ?? canvas.parentElement!;
    const cr = canvas.getBoundingClientRect();
    const toView = (p: { x: number; y: number }) => ({ x: p.x + cr.left, y: p.y + cr.top });

    const labels: PageMeasure['labels'] = [];
    for (const el of root.querySelector('.scene-labels')?.children ?? []) {
      if (!(el instanceof HTMLElement)) continue;
      const text = el.textContent?.trim() ?? '';
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (!text || cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0 || r.width === 0 || r.height === 0) continue;
      labels.push({ text, cls: el.className, rect: { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }, fontPx: parseFloat(cs.fontSize) });
    }

    const blocks = hook.blocksOnScreen().map((b) => ({ id: b.id, corners: b.corners.map(toView) }));

    /** The page element drawn over the canvas at (x, y), if any: chrome with a background, text or a control. */
    const coverAt = (x: number, y: number): string | null => {
      for (const el of document.elementsFromPoint(x, y)) {
        if (el === canvas) return null;
        if (root.contains(el)) continue;
        const cs = getComputedStyle(el);
        const m = /rgba?\(([^)]*)\)/.exec(cs.backgroundColor);
        const parts = m ? m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number) : [];
        const alpha = parts.length > 3 ? parts[3]! : parts.length === 3 ? 1 : 0;
        const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
        if (alpha > 0.3 || ownText || el.matches('img, svg, video, input, button, select, textarea')) {
          const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
          return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}`;
        }
      }
      return null;
    };

    const targets: TargetMeasure[] = [];
    const addTarget = (what: string, kind: TargetMeasure['kind'], sized: boolean, block: string, rows?: [number, number], cols?: [number, number], lift?: [number, number, number]) => {
      const r = hook.rangeOnScreen(block, rows, cols, lift);
      if ('missing' in r) {
        targets.push({ what, kind, sized, missing: r.missing });
        return;
      }
      const front = r.front.map(toView);
      const covered: string[] = [];
      // 5 x 5 points over the front face (bilinear in its projected corners: TL, TR, BL, BR).
      for (const u of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        for (const v of [0.1, 0.3, 0.5, 0.7, 0.9]) {
          const x = (1 - v) * ((1 - u) * front[0]!.x + u * front[1]!.x) + v * ((1 - u) * front[2]!.x + u * front[3]!.x);
          const y = (1 - v) * ((1 - u) * front[0]!.y + u * front[1]!.y) + v * ((1 - u) * front[2]!.y + u * front[3]!.y);
          // Only points on the canvas: a long block may run off the stage (then judged as cut or
          // excused), and past a phone's stage its off-canvas part lies under the text column.
          if (x < Math.max(0, cr.left) || y < Math.max(0, cr.top) || x >= Math.min(innerWidth, cr.right) || y >= Math.min(innerHeight, cr.bottom)) continue;
          const c = coverAt(x, y);
          if (c) covered.push(c);
        }
      }
      targets.push({ what, kind, sized, corners: r.corners.map(toView), cellPx: Number.isFinite(r.cellPx) ? r.cellPx : null, coveredBy: covered });
    };
    const span = (name: string, r?: [number, number]) => (r ? ` ${name} ${r[0]}-${r[1]}` : '');

    const state = id ? hook.state() : null;
    if (id && state) {
      for (const h of state.highlights) {
        if (h.role === 'muted') continue;
        addTarget(`${h.role} ${h.block}${span('rows', h.rows)}${span('cols', h.cols)}`, 'highlight', h.role !== 'source', h.block, h.rows, h.cols, h.lift);
      }
      for (const c of state.callouts) {
        const cell = c.row !== undefined && c.col !== undefined;
        const text = c.text.length > 30 ? c.text.slice(0, 29) + '…' : c.text;
        addTarget(
          `callout ${JSON.stringify(text)} on ${c.block}${cell ? ` [${c.row}, ${c.col}]` : ''}`,
          'callout',
          cell,
          c.block,
          cell ? [c.row!, c.row! + 1] : undefined,
          cell ? [c.col!, c.col! + 1] : undefined,
        );
      }
      const refs = new Set([...(document.getElementById(id)?.querySelectorAll<HTMLElement>('.ref[data-block]') ?? [])].map((e) => e.dataset.block!));
      for (const block of refs) addTarget(`ref ${block}`, 'ref', false, block);
    }

    return {
      canvas: { x0: cr.left, y0: cr.top, x1: cr.right, y1: cr.bottom },
      viewport: { width: innerWidth, height: innerHeight },
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      targets,
      labels,
      blocks,
    };
  }, stepId);
}
