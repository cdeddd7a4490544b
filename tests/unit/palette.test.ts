/**
 * The colours: positive and negative cells of every kind stay apart (for typical colour vision and
 * under a deuteranopia simulation) at the strong and weak ends of the scale the heat map draws when
 * a cell is only a pixel or two wide; highlight colours stay clear of every sign hue; and the
 * legend shows exactly the scale the renderer draws, names every colour in words, uses no inline
 * styles (the CSP forbids them) and no text under 12 px.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LEGEND_SCALE_WIDTH, LEGEND_STEPS, legendHtml } from '../../src/components/legend.ts';
import { cellHex, heatAmount, hexToRgb, KIND_COLOUR_NAME, KIND_HEX, NEGATIVE_HEX, ROLE_HEX } from '../../src/scene/palette.ts';
import type { BlockKind } from '../../src/scene/types.ts';

const KINDS: BlockKind[] = ['weight', 'activation', 'aggregate'];

function linear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** sRGB hex -> CIE L*a*b* (D65). */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = hexToRgb(hex).map(linear) as [number, number, number];
  return xyzToLab(0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b, 0.0193 * r + 0.1192 * g + 0.9505 * b);
}

function xyzToLab(x: number, y: number, z: number): [number, number, number] {
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (841 / 108) * t + 4 / 29);
  const [fx, fy, fz] = [f(x / 0.95047), f(y), f(z / 1.08883)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 colour difference. */
function deltaE(a: string, b: string): number {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** The colour as seen with deuteranopia (Machado et al. 2009, severity 1), as hex. */
function deuteranopia(hex: string): string {
  const M = [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ];
  const c = hexToRgb(hex).map(linear);
  const out = M.map((row) => row.reduce((s, m, i) => s + m * c[i]!, 0));
  const gamma = (v: number) => {
    const x = Math.max(0, Math.min(1, v));
    return x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
  };
  return '#' + out.map((v) => Math.round(gamma(v) * 255).toString(16).padStart(2, '0')).join('');
}

describe('palette', () => {
  it('keeps positive and negative cells of every kind apart, strong and weak', () => {
    for (const kind of KINDS) {
      const strong = deltaE(cellHex(kind, false, 1), cellHex(kind, true, 1));
      const weak = deltaE(cellHex(kind, false, 0.3), cellHex(kind, true, 0.3));
      expect(strong, `${kind} strong`).toBeGreaterThan(25);
      expect(weak, `${kind} weak`).toBeGreaterThan(12);
      // With deuteranopia (the commonest colour-vision deficiency) the strong ends still differ.
      expect(deltaE(deuteranopia(cellHex(kind, false, 1)), deuteranopia(cellHex(kind, true, 1))), `${kind} deuteranopia`).toBeGreaterThan(12);
    }
  });

  it('grows the colour with the size of the number, from a faint tint of the sign', () => {
    expect(heatAmount(0)).toBeGreaterThan(0);
    for (let m = 0.1; m <= 1; m += 0.1) expect(heatAmount(m)).toBeGreaterThan(heatAmount(m - 0.1));
    expect(heatAmount(1)).toBeLessThanOrEqual(1);
    for (const kind of KINDS) expect(deltaE(cellHex(kind, false, 0), cellHex(kind, false, 1))).toBeGreaterThan(35);
  });

  it('keeps the highlight colours clear of every sign hue', () => {
    const hues = KINDS.flatMap((k) => [KIND_HEX[k], NEGATIVE_HEX[k]]);
    for (const role of ['focus', 'source', 'result'] as const) {
      for (const hue of hues) expect(deltaE(ROLE_HEX[role], hue), `${role} vs ${hue}`).toBeGreaterThan(20);
    }
  });
});

describe('legend', () => {
  const html = legendHtml();

  it('shows each kind’s scale with the renderer’s colours and names every colour in words', () => {
    const fills = [...html.matchAll(/<rect [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    const expected = KINDS.flatMap((k) => LEGEND_STEPS.map((s) => cellHex(k, s.negative, s.m)));
    // Each kind's five swatches, in order; the two close-up glyph cells follow.
    expect(fills.slice(0, expected.length)).toEqual(expected);
    for (const kind of KINDS) {
      expect(html).toContain(`${KIND_COLOUR_NAME[kind].negative} negative, ${KIND_COLOUR_NAME[kind].positive} positive`);
    }
    for (const word of ['Weights', 'Activations', 'Summaries', 'strong −', 'near 0', 'strong +', 'filled disc is positive', 'ring negative']) expect(html).toContain(word);
    expect(html).toMatch(/^<figure class="legend"><figcaption>/);
  });

  it('uses no inline styles, hides its drawings from screen readers, and sets no text under 12 px', () => {
    expect(html).not.toMatch(/\sstyle=/);
    expect([...html.matchAll(/<svg [^>]*>/g)].every((m) => m[0].includes('aria-hidden="true"'))).toBe(true);
    const css = readFileSync(new URL('../../src/components/legend.css', import.meta.url), 'utf8');
    const sizes = [...css.matchAll(/font-size:\s*([\d.]+)px/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    // The scale's labels sit over its swatches.
    expect(css).toContain(`width: ${LEGEND_SCALE_WIDTH}px`);
  });
});
