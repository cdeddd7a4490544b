/**
 * The type of each kind of scene label and the size of its box. The sizes and weights here are
 * the ones the .scene-label rules in SceneCanvas.astro set (keep the two in step): the label layer
 * measures text in them to place it, then gives each element exactly the measured box.
 */
import type { Level } from './label-tree.ts';
import type { HighlightRole } from './types.ts';

export interface LabelStyle {
  /** The element's class list. */
  cls: string;
  /** CSS font size, px (11 or more: nothing smaller is readable on a phone). */
  px: number;
  /** Font weight and style as the CSS font shorthand starts, e.g. '600' or 'italic 400'. */
  face: string;
  /** Horizontal padding and border width, px. */
  pad: number;
  border: number;
}

/** Line height as a multiple of the font size (the CSS line-height of .scene-label). */
export const LINE = 1.35;

const style = (cls: string, px: number, face: string, border = 0): LabelStyle => ({ cls: `scene-label ${cls}`, px, face, pad: 3, border });

/** Names by tree level (the model, level 0, is the caption and never drawn as a label). */
export const NAME_STYLES: Readonly<Record<Level, LabelStyle>> = {
  0: style('level-1', 14, '650'),
  1: style('level-1', 14, '650'),
  2: style('level-2', 12, '600'),
  3: style('level-3', 11, '500'),
};
export const AXIS = style('axis', 11, '500');
export const SPINE = style('spine', 11, 'italic 400');
export const TOKEN = style('token', 14, '700');
export const VOCAB_LETTER = style('token vocab', 14, '700');
const ROLES: HighlightRole[] = ['focus', 'source', 'result', 'muted'];
export const CALLOUT = Object.fromEntries(ROLES.map((r) => [r, style(`callout role-${r}`, 12, '500', 1.5)])) as Readonly<Record<HighlightRole, LabelStyle>>;

/** Every label style (for tests: none under 11 px). */
export function labelStyles(): LabelStyle[] {
  return [...new Set([...Object.values(NAME_STYLES), AXIS, SPINE, TOKEN, VOCAB_LETTER, ...Object.values(CALLOUT)])];
}

/** Width of `text` in CSS px in the given CSS font (weight, style and size; the family is the measurer's). */
export type MeasureText = (text: string, font: string) => number;

const DIGITS = /[0-9]/g;

/** Box sizes of label texts, whole pixels; each string shape is measured once per style. */
export class TextBoxes {
  private readonly widths = new Map<LabelStyle, Map<string, number>>();
  private readonly measure: MeasureText;

  constructor(measure: MeasureText) {
    this.measure = measure;
  }

  width(text: string, s: LabelStyle): number {
    let m = this.widths.get(s);
    if (!m) this.widths.set(s, (m = new Map()));
    let w = m.get(text);
    if (w !== undefined) return w;
    // Bounded: callouts bring new strings as a step plays.
    if (m.size > 2000) m.clear();
    // Labels set figures in tabular width (the stylesheet's tabular-nums), so every digit is as
    // wide as "0": a running sum that changes its digits, not their count, keeps its measured box.
    const shape = text.replace(DIGITS, '0');
    w = m.get(shape);
    if (w === undefined) {
      // One pixel to spare: the browser's text may lay out a fraction wider than the canvas measured.
      w = Math.ceil(this.measure(shape, `${s.face} ${s.px}px`) + 2 * s.pad + 2 * s.border) + 1;
      m.set(shape, w);
    }
    // Kept under the text itself too: a label seen again (every frame) skips the digit rewrite.
    m.set(text, w);
    return w;
  }

  height(s: LabelStyle): number {
    return Math.ceil(s.px * LINE + 2 * s.border);
  }
}

/**
 * Text widths from a 2D canvas in the font family `family` (the labels' CSS font-family); an
 * estimate where there is no canvas. Works in a worker (an OffscreenCanvas) as on the page.
 *
 * A string's width is the sum of its characters' advances, each measured once per font: a canvas
 * measureText of a new string costs a shaping pass (a good part of a millisecond in a frame,
 * more when a character needs a fallback font), while running numbers and names keep bringing
 * new strings made of the same few characters. The sum leaves out kerning and ligatures, which
 * only ever narrow the text, so the box errs on the wide side.
 */
export function canvasMeasure(family: string): MeasureText {
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null | undefined;
  let lastFont = '';
  const advances = new Map<string, Map<string, number>>();
  return (text, font) => {
    if (ctx === undefined) {
      if (typeof OffscreenCanvas !== 'undefined') ctx = new OffscreenCanvas(1, 1).getContext('2d');
      else ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
      ctx ??= null;
    }
    if (!ctx) return text.length * parseFloat(font.replace(/^.*?(\d+(?:\.\d+)?)px$/, '$1')) * 0.6;
    let perChar = advances.get(font);
    if (!perChar) advances.set(font, (perChar = new Map()));
    let width = 0;
    for (const ch of text) {
      let w = perChar.get(ch);
      if (w === undefined) {
        // Setting a font parses it anew: only when it changes.
        if (font !== lastFont) {
          lastFont = font;
          ctx.font = `${font} ${family}`;
        }
        w = ctx.measureText(ch).width;
        perChar.set(ch, w);
      }
      width += w;
    }
    return width;
  };
}
