/**
 * The step audit's measuring and judging, as pure functions of what was read off a rendered page
 * (scripts/lib/audit-run.ts reads it): drawn pixels against the background, screen geometry of
 * focus targets, blocks and labels. Kept free of the browser so tests can feed it synthetic input.
 *
 * Coordinates are CSS pixels in the viewport (x right, y down). Thresholds come from issue 12
 * ("The picture"): parts 1 (framing), 5 (whole-model views), 8 (type) and the phones bullet.
 */

import { area, boundsOf, convexHull, convexRectOverlap, intersect, overshoot, type Point, type Rect } from './screen-geometry.ts';

export type { Point, Rect };

export type RGB = [number, number, number];

/** An RGBA image, row-major, 4 bytes a pixel (tests/e2e/harness.ts decodePng). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export const THRESHOLDS = Object.freeze({
  /** Whole-model views: the drawing's bounding box spans at least this share of the stage's width... */
  wholeModelWidth: 0.5,
  /** ...and of its height. */
  wholeModelHeight: 0.7,
  /** Smallest focused cell on screen, CSS px, on a desktop-sized viewport. */
  focusCellDesktopPx: 10,
  /** The same on a phone (viewport at or under the site's 50rem = 800 px breakpoint). */
  focusCellPhonePx: 6,
  phoneMaxWidth: 800,
  /** Smallest label font size, CSS px. */
  labelMinPx: 11,
  /** Below this share of drawn canvas pixels the stage counts as blank. */
  blankShare: 0.001,
  /**
   * A pixel is drawn when some channel differs from the background by more than this (0..255):
   * above a faint background wash, below the faded tint of a dimmed block (about 10).
   */
  drawnTolerance: 6,
  /** A bounding-box row or column needs this many drawn pixels (stray anti-aliased pixels do not stretch it). */
  bboxMinPixels: 2,
  /** A label lies over a block when at least this share of its box covers the block's outline. */
  labelOverBlockShare: 0.15,
  /** Two labels overlap when their boxes share more than this many px both ways (rounding slack). */
  labelOverlapPx: 1,
  /** A focus target may stick out of the visible stage by this much (px) before it counts as cut. */
  edgeSlackPx: 1,
  /** A named block too long to fit at the focused-cell size must still show across this share of the stage. */
  bigRefShare: 0.4,
});

export type Thresholds = typeof THRESHOLDS;

/** '#rrggbb' -> [r, g, b] in 0..255. */
export function hexToRgb255(hex: string): RGB {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`colour "${hex}" is not of the form #rrggbb`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

export interface DrawnStats {
  /** Fraction of the image's pixels that are drawn (differ from the background beyond the tolerance). */
  share: number;
  /** Bounding box of the drawn pixels, as fractions 0..1 of `stage` width and height (null: nothing drawn). */
  bbox: Rect | null;
  /** bbox width and height as fractions of the stage's (0 when nothing is drawn). */
  width: number;
  height: number;
}

/**
 * Drawn share and bounding box of an image against a background colour. `stage` is the full
 * stage size in the image's pixels when the image shows only part of it (default: the image).
 */
export function drawnStats(
  image: Pixels,
  background: RGB,
  options: { tolerance?: number; minPixels?: number; stage?: { width: number; height: number } } = {},
): DrawnStats {
  const tol = options.tolerance ?? THRESHOLDS.drawnTolerance;
  const minPixels = options.minPixels ?? THRESHOLDS.bboxMinPixels;
  const { width, height, data } = image;
  const perCol = new Uint32Array(width);
  const perRow = new Uint32Array(height);
  let drawn = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      if (Math.abs(data[i]! - background[0]) > tol || Math.abs(data[i + 1]! - background[1]) > tol || Math.abs(data[i + 2]! - background[2]) > tol) {
        drawn++;
        perCol[x]!++;
        perRow[y]!++;
      }
    }
  }
  const first = (a: Uint32Array) => a.findIndex((n) => n >= minPixels);
  const last = (a: Uint32Array) => a.findLastIndex((n) => n >= minPixels);
  const x0 = first(perCol);
  const y0 = first(perRow);
  const sw = options.stage?.width ?? width;
  const sh = options.stage?.height ?? height;
  const share = width * height ? drawn / (width * height) : 0;
  if (x0 < 0 || y0 < 0) return { share, bbox: null, width: 0, height: 0 };
  const bbox = { x0: x0 / sw, y0: y0 / sh, x1: (last(perCol) + 1) / sw, y1: (last(perRow) + 1) / sh };
  return { share, bbox, width: bbox.x1 - bbox.x0, height: bbox.y1 - bbox.y0 };
}

// ---------------------------------------------------------------------------------------------
// What is read off the page at one moment
// ---------------------------------------------------------------------------------------------

/** Something the step points at: a highlighted range, a callout's cell, a block named by a :ref word. */
export interface TargetMeasure {
  /** e.g. "focus h.0.ln_1 rows 2-3 cols 0-48", 'callout "0.93" on h.0.attn.head0.q', "ref wte". */
  what: string;
  kind: 'highlight' | 'callout' | 'ref';
  /** Whether its cells must reach the focused-cell size (focus and result ranges, callout cells). */
  sized: boolean;
  /** Why it has no place on screen (not in the layout shown, hidden, behind the eye). */
  missing?: string;
  /** Box corners in viewport px. */
  corners?: Point[];
  /** Smallest sampled cell, px. */
  cellPx?: number | null;
  /** Page elements found over sample points of its front face (outside the scene's own overlays). */
  coveredBy?: string[];
}

export interface LabelMeasure {
  text: string;
  cls: string;
  rect: Rect;
  fontPx: number;
}

export interface BlockOnScreen {
  id: string;
  corners: Point[];
}

export interface PageMeasure {
  /** The canvas's box and the viewport, px. */
  canvas: Rect;
  viewport: { width: number; height: number };
  /** documentElement.scrollWidth and clientWidth. */
  scrollWidth: number;
  clientWidth: number;
  targets: TargetMeasure[];
  labels: LabelMeasure[];
  blocks: BlockOnScreen[];
}

export interface Moment {
  /** Step element id (<slug>-<beat>) or explore-<view>. */
  id: string;
  chapter: string;
  beat: string;
  size: { width: number; height: number };
  /** The t asked for and the t the page's geometry gives after scrolling. */
  t: number;
  tActual: number;
  /** A whole-model view (a director's `overviews`, or /explore/'s default and whole-model views). */
  overview: boolean;
  drawn: DrawnStats;
  page: PageMeasure;
  /** Console errors, page errors and failed requests seen so far on this page. */
  problems: string[];
}

// ---------------------------------------------------------------------------------------------
// Judging
// ---------------------------------------------------------------------------------------------

export const CHECKS = [
  'blank',
  'whole-model-fill',
  'focus-in-view',
  'focus-cell-size',
  'label-overlap',
  'label-cut',
  'label-small',
  'label-over-block',
  'page-width',
  'page-errors',
] as const;

export type Check = (typeof CHECKS)[number];

export interface Failure {
  check: Check;
  detail: string;
  /** Larger is worse; compares failures of one check. */
  severity: number;
}

export interface LabelProblems {
  overlaps: string[];
  cut: string[];
  small: string[];
  overBlock: string[];
}

export interface Row {
  id: string;
  chapter: string;
  beat: string;
  size: string;
  t: number;
  tActual: number;
  overview: boolean;
  drawnShare: number;
  bboxWidth: number;
  bboxHeight: number;
  targets: number;
  targetsOut: string[];
  minCellPx: number | null;
  labels: number;
  labelProblems: LabelProblems;
  pageWidth: number;
  viewportWidth: number;
  failures: Failure[];
}

const quote = (l: LabelMeasure) => JSON.stringify(l.text.length > 40 ? l.text.slice(0, 39) + '…' : l.text);

/** Token letters sit on their own cells by design (one letter per cell of the tokens block). */
function isCellLetter(l: LabelMeasure): boolean {
  const cls = l.cls.split(/\s+/);
  return cls.includes('token') && !cls.includes('vocab');
}

/** Overlapping, cut, too small and over-a-block labels. */
export function labelProblems(labels: readonly LabelMeasure[], stage: Rect, blocks: readonly BlockOnScreen[], th: Thresholds = THRESHOLDS): LabelProblems {
  const out: LabelProblems = { overlaps: [], cut: [], small: [], overBlock: [] };
  const hulls = blocks.map((b) => ({ id: b.id, hull: convexHull(b.corners), box: boundsOf(b.corners) }));
  labels.forEach((l, i) => {
    for (let j = i + 1; j < labels.length; j++) {
      const o = intersect(l.rect, labels[j]!.rect);
      if (o && o.x1 - o.x0 > th.labelOverlapPx && o.y1 - o.y0 > th.labelOverlapPx) out.overlaps.push(`${quote(l)} × ${quote(labels[j]!)}`);
    }
    const s = overshoot(l.rect, stage);
    const by = Math.max(s.left, s.top, s.right, s.bottom);
    if (by > 0.5) out.cut.push(`${quote(l)} by ${by.toFixed(0)} px`);
    if (l.fontPx < th.labelMinPx - 0.01) out.small.push(`${quote(l)} ${l.fontPx} px`);
    const a = area(l.rect);
    if (a > 0 && !isCellLetter(l)) {
      for (const b of hulls) {
        if (!intersect(b.box, l.rect)) continue;
        const share = convexRectOverlap(b.hull, l.rect) / a;
        if (share >= th.labelOverBlockShare) {
          out.overBlock.push(`${quote(l)} over ${b.id} (${Math.round(share * 100)}%)`);
          break;
        }
      }
    }
  });
  return out;
}

/**
 * Whether a target lies inside the visible stage, uncovered; the reason when not.
 *
 * A block the prose names may be too long to fit at the focused-cell size (a 192-row MLP block
 * at 10 px a cell is 1,920 px): the step then frames the part in play. Such a ref counts as in
 * view along a side it overflows when it could not fit there at `needPx` a cell and the part in
 * view still spans `bigRefShare` of the visible stage that way.
 */
export function targetOutOfView(target: TargetMeasure, visibleStage: Rect, th: Thresholds = THRESHOLDS, needPx: number = th.focusCellDesktopPx): string | null {
  if (target.missing) return `${target.what}: ${target.missing}`;
  if (!target.corners || target.corners.length === 0) return `${target.what}: not projected`;
  const box = boundsOf(target.corners);
  const s = overshoot(box, visibleStage);
  const excused = (side: string): boolean => {
    if (target.kind !== 'ref' || !target.cellPx || target.cellPx <= 0) return false;
    const horizontal = side === 'left' || side === 'right';
    const [a0, a1, s0, s1] = horizontal ? [box.x0, box.x1, visibleStage.x0, visibleStage.x1] : [box.y0, box.y1, visibleStage.y0, visibleStage.y1];
    const cells = (a1 - a0) / target.cellPx;
    const shown = Math.min(a1, s1) - Math.max(a0, s0);
    return cells * needPx > s1 - s0 && shown >= th.bigRefShare * (s1 - s0);
  };
  const sides = (Object.entries(s) as [string, number][]).filter(([k, v]) => v > th.edgeSlackPx && !excused(k)).map(([k, v]) => `${k} ${v.toFixed(0)} px`);
  if (sides.length > 0) return `${target.what}: cut (${sides.join(', ')})`;
  if (target.coveredBy && target.coveredBy.length > 0) return `${target.what}: under ${[...new Set(target.coveredBy)].join(', ')}`;
  return null;
}

export function isPhone(size: { width: number }, th: Thresholds = THRESHOLDS): boolean {
  return size.width <= th.phoneMaxWidth;
}

/** One report row: what was measured at a moment and which thresholds it misses. */
export function judge(m: Moment, th: Thresholds = THRESHOLDS): Row {
  const failures: Failure[] = [];
  const final = m.t >= 1;
  const p = m.page;
  const visible = intersect(p.canvas, { x0: 0, y0: 0, x1: p.viewport.width, y1: p.viewport.height }) ?? { x0: 0, y0: 0, x1: 0, y1: 0 };

  if (m.drawn.share < th.blankShare) {
    failures.push({ check: 'blank', detail: `drawn ${(m.drawn.share * 100).toFixed(2)}% of the stage`, severity: th.blankShare - m.drawn.share });
  }
  if (m.overview && final && (m.drawn.width < th.wholeModelWidth || m.drawn.height < th.wholeModelHeight)) {
    failures.push({
      check: 'whole-model-fill',
      detail: `drawing spans ${pct(m.drawn.width)} x ${pct(m.drawn.height)} of the stage (needs ${pct(th.wholeModelWidth)} x ${pct(th.wholeModelHeight)})`,
      severity: Math.max(th.wholeModelWidth - m.drawn.width, th.wholeModelHeight - m.drawn.height),
    });
  }

  const needCellPx = isPhone(m.size, th) ? th.focusCellPhonePx : th.focusCellDesktopPx;
  const targetsOut = final ? p.targets.map((t) => targetOutOfView(t, visible, th, needCellPx)).filter((r): r is string => r !== null) : [];
  if (targetsOut.length > 0) {
    failures.push({ check: 'focus-in-view', detail: `${targetsOut.length}/${p.targets.length} out: ${targetsOut.slice(0, 3).join('; ')}`, severity: targetsOut.length });
  }

  const sized = p.targets.filter((t) => t.sized && !t.missing && typeof t.cellPx === 'number' && Number.isFinite(t.cellPx));
  const minCellPx = sized.length > 0 ? Math.min(...sized.map((t) => t.cellPx as number)) : null;
  const needPx = isPhone(m.size, th) ? th.focusCellPhonePx : th.focusCellDesktopPx;
  // Whole-model views show every block at once; their bar is filling the stage, not cell size.
  if (final && !m.overview && minCellPx !== null && minCellPx < needPx) {
    const smallest = sized.reduce((a, b) => ((a.cellPx as number) <= (b.cellPx as number) ? a : b));
    failures.push({ check: 'focus-cell-size', detail: `${minCellPx.toFixed(1)} px < ${needPx} px (${smallest.what})`, severity: needPx - minCellPx });
  }

  const lp = labelProblems(p.labels, p.canvas, p.blocks, th);
  const labelChecks: [Check, string[]][] = [
    ['label-overlap', lp.overlaps],
    ['label-cut', lp.cut],
    ['label-small', lp.small],
    ['label-over-block', lp.overBlock],
  ];
  for (const [check, list] of labelChecks) {
    if (list.length > 0) failures.push({ check, detail: `${list.length}: ${list.slice(0, 3).join('; ')}`, severity: list.length });
  }

  if (p.scrollWidth > p.clientWidth) {
    failures.push({ check: 'page-width', detail: `page ${p.scrollWidth} px wide on a ${p.clientWidth} px screen`, severity: p.scrollWidth - p.clientWidth });
  }
  if (m.problems.length > 0) failures.push({ check: 'page-errors', detail: m.problems.slice(0, 2).join('; '), severity: m.problems.length });

  return {
    id: m.id,
    chapter: m.chapter,
    beat: m.beat,
    size: `${m.size.width}x${m.size.height}`,
    t: m.t,
    tActual: m.tActual,
    overview: m.overview,
    drawnShare: m.drawn.share,
    bboxWidth: m.drawn.width,
    bboxHeight: m.drawn.height,
    targets: p.targets.length,
    targetsOut,
    minCellPx,
    labels: p.labels.length,
    labelProblems: lp,
    pageWidth: p.scrollWidth,
    viewportWidth: p.clientWidth,
    failures,
  };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export interface Summary {
  rows: number;
  failingRows: number;
  /** Distinct step/size pairs with at least one failure. */
  failingSteps: number;
  byCheck: Partial<Record<Check, { rows: number; worst: { id: string; size: string; t: number; detail: string }[] }>>;
}

/** Failing rows per check, with the worst few of each. */
export function summarise(rows: readonly Row[], worstCount = 5): Summary {
  const byCheck: Summary['byCheck'] = {};
  for (const check of CHECKS) {
    const hits = rows.flatMap((r) => r.failures.filter((f) => f.check === check).map((f) => ({ r, f })));
    if (hits.length === 0) continue;
    hits.sort((a, b) => b.f.severity - a.f.severity);
    byCheck[check] = { rows: hits.length, worst: hits.slice(0, worstCount).map(({ r, f }) => ({ id: r.id, size: r.size, t: r.t, detail: f.detail })) };
  }
  const failing = rows.filter((r) => r.failures.length > 0);
  return { rows: rows.length, failingRows: failing.length, failingSteps: new Set(failing.map((r) => `${r.id}@${r.size}`)).size, byCheck };
}
