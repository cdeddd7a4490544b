/**
 * The step audit's measuring functions (scripts/lib/audit-measure.ts) on synthetic input: drawn
 * pixels and their bounding box, polygon overlap, label problems, targets out of view, and the
 * verdicts judge() gives. The browser side is exercised by tests/e2e/audit.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { convexHull, convexRectOverlap, polygonArea } from '../../scripts/lib/screen-geometry.ts';
import {
  THRESHOLDS,
  drawnStats,
  hexToRgb255,
  judge,
  labelProblems,
  summarise,
  targetOutOfView,
  type LabelMeasure,
  type Moment,
  type PageMeasure,
  type Pixels,
  type Point,
  type Rect,
  type RGB,
} from '../../scripts/lib/audit-measure.ts';
import { parseChapters, parseSizes } from '../../scripts/lib/step-pages.ts';
import { UsageError } from '../../scripts/lib/args.ts';
import { REPO_ROOT } from '../e2e/harness.ts';

const WHITE: RGB = [255, 255, 255];

function image(width: number, height: number, fill: RGB = WHITE): Pixels {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...fill, 255], i);
  return { width, height, data };
}

function paint(img: Pixels, x0: number, y0: number, x1: number, y1: number, rgb: RGB): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img.data.set([...rgb, 255], (y * img.width + x) * 4);
}

const rect = (x0: number, y0: number, x1: number, y1: number): Rect => ({ x0, y0, x1, y1 });
const corners = (r: Rect): Point[] => [
  { x: r.x0, y: r.y0 },
  { x: r.x1, y: r.y0 },
  { x: r.x0, y: r.y1 },
  { x: r.x1, y: r.y1 },
];
const label = (text: string, r: Rect, fontPx = 12, cls = 'scene-label level-3'): LabelMeasure => ({ text, cls, rect: r, fontPx });

describe('drawnStats', () => {
  it('measures the share and bounding box of pixels off the background', () => {
    const img = image(100, 50);
    paint(img, 20, 10, 60, 40, [47, 111, 196]);
    const s = drawnStats(img, WHITE);
    expect(s.share).toBeCloseTo((40 * 30) / (100 * 50), 10);
    expect(s.bbox).toEqual({ x0: 0.2, y0: 0.2, x1: 0.6, y1: 0.8 });
    expect(s.width).toBeCloseTo(0.4, 10);
    expect(s.height).toBeCloseTo(0.6, 10);
  });

  it('ignores near-background tints but counts the faded tint of a dimmed block', () => {
    const wash = image(40, 40);
    paint(wash, 0, 0, 40, 40, [252, 253, 255]);
    expect(drawnStats(wash, WHITE).share).toBe(0);
    expect(drawnStats(wash, WHITE).bbox).toBeNull();
    const dimmed = image(40, 40);
    paint(dimmed, 10, 10, 30, 30, [245, 248, 252]);
    expect(drawnStats(dimmed, WHITE).share).toBeCloseTo(0.25, 10);
  });

  it('does not let a stray pixel stretch the box, and scales to the whole stage', () => {
    const img = image(100, 100);
    paint(img, 40, 40, 60, 60, [0, 0, 0]);
    paint(img, 2, 97, 3, 98, [0, 0, 0]);
    const s = drawnStats(img, WHITE, { stage: { width: 200, height: 100 } });
    expect(s.share).toBeCloseTo(401 / 10_000, 10);
    expect(s.bbox).toEqual({ x0: 0.2, y0: 0.4, x1: 0.3, y1: 0.6 });
  });

  it('reads the background from a palette colour', () => {
    expect(hexToRgb255('#ff8000')).toEqual([255, 128, 0]);
    expect(() => hexToRgb255('white')).toThrow(/#rrggbb/);
  });
});

describe('polygons', () => {
  it('hulls the projected corners of a box and measures its overlap with a rectangle', () => {
    const cube = [...corners(rect(0, 0, 10, 10)), ...corners(rect(2, -2, 12, 8))];
    const hull = convexHull(cube);
    expect(hull).toHaveLength(6);
    // Front and back faces (100 each) overlap in 8 x 8; the hull adds two corner triangles of 2.
    expect(polygonArea(hull)).toBeCloseTo(100 + 100 - 64 + 2 + 2, 10);
    expect(convexRectOverlap(convexHull(corners(rect(0, 0, 10, 10))), rect(5, 5, 20, 20))).toBeCloseTo(25, 10);
    expect(convexRectOverlap(convexHull(corners(rect(0, 0, 10, 10))), rect(11, 0, 20, 10))).toBe(0);
    const diamond = [
      { x: 0, y: -10 },
      { x: 10, y: 0 },
      { x: 0, y: 10 },
      { x: -10, y: 0 },
    ];
    // A diamond's corner region: the square [0,10]^2 holds a quarter of its 200 units of area.
    expect(convexRectOverlap(diamond, rect(0, 0, 10, 10))).toBeCloseTo(50, 10);
  });
});

describe('labelProblems', () => {
  const stage = rect(0, 0, 400, 300);

  it('finds overlapping, cut, small and over-a-block labels', () => {
    const labels = [
      label('A', rect(10, 10, 60, 26)),
      label('B', rect(50, 20, 100, 36)),
      label('edge', rect(380, 100, 430, 116)),
      label('tiny', rect(200, 200, 230, 210), 8),
      label('on block', rect(150, 100, 200, 116)),
    ];
    const blocks = [{ id: 'wte', corners: corners(rect(140, 90, 260, 180)) }];
    const p = labelProblems(labels, stage, blocks);
    expect(p.overlaps).toEqual(['"A" × "B"']);
    expect(p.cut).toEqual(['"edge" by 30 px']);
    expect(p.small).toEqual(['"tiny" 8 px']);
    expect(p.overBlock).toEqual(['"on block" over wte (100%)']);
  });

  it('lets labels touch, graze a block, and token letters sit on their cells', () => {
    const labels = [label('A', rect(10, 10, 60, 26)), label('B', rect(59.5, 10, 100, 26)), label('C', rect(130, 100, 160, 120), 14, 'scene-label token')];
    const blocks = [
      { id: 'tokens', corners: corners(rect(125, 95, 170, 125)) },
      { id: 'wte', corners: corners(rect(95, 20, 200, 60)) },
    ];
    const p = labelProblems(labels, stage, blocks);
    expect(p).toEqual({ overlaps: [], cut: [], small: [], overBlock: [] });
  });
});

describe('targetOutOfView', () => {
  const visible = rect(500, 0, 1280, 800);
  it('accepts a target inside the visible stage and names why others are out', () => {
    expect(targetOutOfView({ what: 'focus x', kind: 'highlight', sized: true, corners: corners(rect(600, 100, 700, 200)), coveredBy: [] }, visible)).toBeNull();
    expect(targetOutOfView({ what: 'focus x', kind: 'highlight', sized: true, corners: corners(rect(450, 100, 700, 900)), coveredBy: [] }, visible)).toBe('focus x: cut (left 50 px, bottom 100 px)');
    expect(targetOutOfView({ what: 'ref wte', kind: 'ref', sized: false, missing: 'hidden' }, visible)).toBe('ref wte: hidden');
    expect(targetOutOfView({ what: 'ref wte', kind: 'ref', sized: false, corners: corners(rect(600, 100, 700, 200)), coveredBy: ['section.step', 'section.step'] }, visible)).toBe('ref wte: under section.step');
  });
});

describe('targetOutOfView: named blocks too long for the stage', () => {
  const visible = rect(500, 0, 1280, 800);
  // 192 rows at 8 px: 1,536 px, which could not fit 800 px at 10 px a cell either.
  const tall = (y0: number, cellPx: number, rows = 192) => ({ what: 'ref h.0.mlp.fc', kind: 'ref' as const, sized: false, corners: corners(rect(600, y0, 648, y0 + rows * cellPx)), cellPx, coveredBy: [] });
  it('excuses the overflowing side when the part in view spans enough of the stage', () => {
    expect(targetOutOfView(tall(100, 8), visible)).toBeNull();
  });
  it('still fails when only a sliver shows', () => {
    expect(targetOutOfView(tall(600, 8), visible)).toMatch(/^ref h\.0\.mlp\.fc: cut \(bottom/);
  });
  it('still fails a block that would fit at the required cell size (48 rows x 10 px < 800 px)', () => {
    expect(targetOutOfView(tall(100, 20, 48), visible)).toMatch(/cut \(bottom 260 px\)/);
  });
  it('never excuses highlights, only named blocks', () => {
    expect(targetOutOfView({ ...tall(100, 8), kind: 'highlight', sized: true }, visible)).toMatch(/cut/);
  });
  it('uses the phone cell size when told', () => {
    // 100 rows: at 10 px they could not fit 800 px, at 6 px they could.
    expect(targetOutOfView(tall(100, 9, 100), visible, undefined, 10)).toBeNull();
    expect(targetOutOfView(tall(100, 9, 100), visible, undefined, 6)).toMatch(/cut/);
  });
});

function moment(over: Partial<Moment> = {}, page: Partial<PageMeasure> = {}): Moment {
  return {
    id: 'mlp-gelu',
    chapter: 'mlp',
    beat: 'gelu',
    size: { width: 1280, height: 800 },
    t: 1,
    tActual: 1,
    overview: false,
    drawn: { share: 0.2, bbox: rect(0.1, 0.1, 0.9, 0.9), width: 0.8, height: 0.8 },
    problems: [],
    ...over,
    page: {
      canvas: rect(512, 0, 1280, 800),
      viewport: { width: 1280, height: 800 },
      scrollWidth: 1280,
      clientWidth: 1280,
      targets: [{ what: 'focus h.0.mlp.gelu', kind: 'highlight', sized: true, corners: corners(rect(700, 100, 760, 160)), cellPx: 12, coveredBy: [] }],
      labels: [],
      blocks: [],
      ...page,
    },
  };
}

const checks = (m: Moment) => judge(m).failures.map((f) => f.check);

describe('judge', () => {
  it('passes a well-framed step', () => {
    expect(checks(moment())).toEqual([]);
  });

  it('flags a blank stage at any t', () => {
    expect(checks(moment({ t: 0, drawn: { share: 0.0004, bbox: null, width: 0, height: 0 } }))).toEqual(['blank']);
  });

  it('holds whole-model views to 50% x 70% of the stage at t = 1 only, and not to the cell size', () => {
    const strip = { share: 0.02, bbox: rect(0.45, 0, 0.6, 1), width: 0.15, height: 1 };
    const tiny = { targets: [{ what: 'focus tokens', kind: 'highlight' as const, sized: true, corners: corners(rect(700, 100, 702, 101)), cellPx: 0.3, coveredBy: [] }] };
    expect(checks(moment({ overview: true, drawn: strip }, tiny))).toEqual(['whole-model-fill']);
    expect(checks(moment({ overview: true, drawn: strip, t: 0.5 }, tiny))).toEqual([]);
    expect(checks(moment({ overview: true, drawn: { ...strip, width: 0.5, height: 0.7 } }, tiny))).toEqual([]);
    expect(checks(moment({ overview: false }, tiny))).toEqual(['focus-cell-size']);
  });

  it('needs 10 px cells on a desktop and 6 px on a phone', () => {
    const cells = (px: number) => ({ targets: [{ what: 'focus c', kind: 'highlight' as const, sized: true, corners: corners(rect(100, 500, 150, 550)), cellPx: px, coveredBy: [] }] });
    const phone = { size: { width: 390, height: 844 } };
    const phonePage = { canvas: rect(0, 0, 390, 388), viewport: { width: 390, height: 844 }, scrollWidth: 390, clientWidth: 390 };
    expect(checks(moment({}, { ...cells(9.5), canvas: rect(0, 0, 1280, 800) }))).toEqual(['focus-cell-size']);
    expect(checks(moment(phone, { ...phonePage, ...cells(6.5), targets: [{ ...cells(6.5).targets[0]!, corners: corners(rect(100, 100, 150, 150)) }] }))).toEqual([]);
    expect(checks(moment(phone, { ...phonePage, targets: [{ ...cells(5.5).targets[0]!, corners: corners(rect(100, 100, 150, 150)) }] }))).toEqual(['focus-cell-size']);
  });

  it('checks focus targets in view at t = 1 only, and source ranges for place but not cell size', () => {
    const out = { targets: [{ what: 'source wte', kind: 'highlight' as const, sized: false, corners: corners(rect(300, 100, 700, 200)), cellPx: 1, coveredBy: [] }] };
    expect(checks(moment({}, out))).toEqual(['focus-in-view']);
    expect(checks(moment({ t: 0.5 }, out))).toEqual([]);
  });

  it('flags label problems, a page wider than the screen and page errors', () => {
    const r = judge(moment({ problems: ['console: boom'] }, { labels: [label('x', rect(1270, 10, 1300, 26), 9)], scrollWidth: 1281 }));
    expect(r.failures.map((f) => f.check)).toEqual(['label-cut', 'label-small', 'page-width', 'page-errors']);
    expect(r.failures.find((f) => f.check === 'page-width')!.detail).toBe('page 1281 px wide on a 1280 px screen');
  });
});

describe('summarise', () => {
  it('counts failing rows per check and lists the worst first', () => {
    const rows = [
      judge(moment({ id: 'a' }, { targets: [{ what: 'focus a', kind: 'highlight', sized: true, corners: corners(rect(700, 100, 760, 160)), cellPx: 8, coveredBy: [] }] })),
      judge(moment({ id: 'b' }, { targets: [{ what: 'focus b', kind: 'highlight', sized: true, corners: corners(rect(700, 100, 760, 160)), cellPx: 2, coveredBy: [] }] })),
      judge(moment({ id: 'c' })),
    ];
    const s = summarise(rows);
    expect(s.rows).toBe(3);
    expect(s.failingRows).toBe(2);
    expect(s.byCheck['focus-cell-size']!.rows).toBe(2);
    expect(s.byCheck['focus-cell-size']!.worst.map((w) => w.id)).toEqual(['b', 'a']);
    expect(Object.keys(s.byCheck)).toEqual(['focus-cell-size']);
  });
});

describe('audit arguments', () => {
  it('parses sizes and chapters strictly', () => {
    expect(parseSizes('1280x800,390x844')).toEqual([
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]);
    expect(() => parseSizes('1280by800')).toThrow(UsageError);
    expect(parseChapters('welcome,explore', ['explore'])).toEqual(['welcome', 'explore']);
    expect(() => parseChapters('welcom')).toThrow(/unknown chapter "welcom"/);
  });

  it('exit with status 2 and one line on stderr, before starting a browser', () => {
    for (const [script, args, message] of [
      ['scripts/audit-steps.ts', ['--sizes', '12x3'], /--sizes takes WIDTHxHEIGHT/],
      ['scripts/audit-steps.ts', ['--chapters', 'nope'], /unknown chapter "nope"/],
      ['scripts/audit-steps.ts', ['--verbose'], /unknown argument "--verbose"/],
      ['scripts/screenshot.ts', ['--all'], /--all needs a value/],
    ] as const) {
      const r = spawnSync(process.execPath, [script, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('has thresholds as the issue states them', () => {
    expect(THRESHOLDS).toMatchObject({ wholeModelWidth: 0.5, wholeModelHeight: 0.7, focusCellDesktopPx: 10, focusCellPhonePx: 6, labelMinPx: 11 });
  });
});
