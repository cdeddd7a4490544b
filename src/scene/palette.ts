/**
 * The scene's colours, in one place so the renderer (as 0..1 floats), the DOM labels, the legend
 * and the article text (as CSS hex) always agree: a reader told "the blue cells" must see blue cells.
 *
 * Each kind of block has a diverging pair: its own hue for positive numbers and a second hue for
 * negative ones, both fading to the block's pale face as the number shrinks. The pairs differ in
 * hue and in lightness (so the sign survives most colour-vision deficiencies too), and the sign
 * stays readable when a cell is only a pixel or two wide, where the disc/ring glyphs cannot be drawn.
 */
import type { BlockKind, HighlightRole } from './types.ts';

/** A kind's main colour: the positive end of its scale, and the colour its name refers to. */
export const KIND_HEX: Readonly<Record<BlockKind, string>> = Object.freeze({
  weight: '#2f6fc4',
  activation: '#2e8b57',
  aggregate: '#b4690e',
});

/** The negative end of each kind's scale: cyan for weights, olive for activations, slate for summaries. */
export const NEGATIVE_HEX: Readonly<Record<BlockKind, string>> = Object.freeze({
  weight: '#0e9cc0',
  activation: '#9a8c12',
  aggregate: '#5b7491',
});

/** Reader-facing names of the colours above, for the legend and the text alternative. */
export const KIND_COLOUR_NAME: Readonly<Record<BlockKind, { positive: string; negative: string }>> = Object.freeze({
  weight: { positive: 'blue', negative: 'cyan' },
  activation: { positive: 'green', negative: 'olive' },
  aggregate: { positive: 'amber', negative: 'slate' },
});

/** Highlight roles: warm reds and purples, kept clear of every sign hue above. */
export const ROLE_HEX: Readonly<Record<HighlightRole, string>> = Object.freeze({
  focus: '#e0492f',
  source: '#8a4fd1',
  result: '#d1308a',
  muted: '#8c8c8c',
});

/** The residual-stream spine and the data-flow arrows: neutral, so they read as plumbing rather than as data. */
export const SPINE_HEX = '#5f6673';

/** The ground the blocks stand on: a pale warm grey, so the blocks' near-white faces stand out from it. */
export const BACKGROUND_HEX = '#f1f0ec';

/** The face a block's cells are drawn on: near white, tinted by FACE_TINT of the kind's colour. */
export const FACE_HEX = '#ffffff';
export const FACE_TINT = 0.05;

/**
 * How strongly a cell of relative magnitude m (|value| / the block's largest |value|, 0..1) is
 * coloured: the share of the sign's colour mixed into the face. Weak cells keep a faint tint of
 * their sign's hue, so even small numbers show their sign; the curve rises fast at first, since
 * most values of a block are much smaller than its largest. Shared by the shader and the legend.
 */
export const HEAT_FLOOR = 0.1;
export const HEAT_RANGE = 0.85;
export const HEAT_GAMMA = 0.6;

export function heatAmount(m: number): number {
  return HEAT_FLOOR + HEAT_RANGE * Math.pow(Math.max(0, Math.min(1, m)), HEAT_GAMMA);
}

/** '#rrggbb' -> [r, g, b] in 0..1. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`colour "${hex}" is not of the form #rrggbb`);
  return [parseInt(m[1]!, 16) / 255, parseInt(m[2]!, 16) / 255, parseInt(m[3]!, 16) / 255];
}

/** [r, g, b] in 0..1 -> '#rrggbb'. */
export function rgbToHex(rgb: readonly [number, number, number]): string {
  return '#' + rgb.map((c) => Math.round(Math.max(0, Math.min(1, c)) * 255).toString(16).padStart(2, '0')).join('');
}

/**
 * The colour a cell of `kind` holding a value of this sign and relative magnitude shows as a heat
 * map (the look at every zoom where the glyphs are too small), as '#rrggbb': the same mix the
 * shader does, so the legend's swatches are the picture's colours.
 */
export function cellHex(kind: BlockKind, negative: boolean, m: number): string {
  const face = faceRgb(kind);
  const ink = hexToRgb(negative ? NEGATIVE_HEX[kind] : KIND_HEX[kind]);
  const t = heatAmount(m);
  return rgbToHex([0, 1, 2].map((i) => face[i]! + (ink[i]! - face[i]!) * t) as [number, number, number]);
}

/** A kind's cell face (0..1 rgb): FACE_HEX tinted by the kind's colour. */
export function faceRgb(kind: BlockKind): [number, number, number] {
  const f = hexToRgb(FACE_HEX);
  const k = hexToRgb(KIND_HEX[kind]);
  return [0, 1, 2].map((i) => f[i]! + (k[i]! - f[i]!) * FACE_TINT) as [number, number, number];
}

export const KIND_INDEX: Readonly<Record<BlockKind, number>> = Object.freeze({ weight: 0, activation: 1, aggregate: 2 });
export const ROLE_INDEX: Readonly<Record<HighlightRole, number>> = Object.freeze({ focus: 1, source: 2, result: 3, muted: 4 });
