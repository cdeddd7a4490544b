/**
 * The key to the picture's colours, as static HTML built from the palette (src/scene/palette.ts),
 * so its swatches are exactly the colours the renderer draws: which colour is which kind of
 * number, and how a cell's colour shows its sign and size. One source for both places it appears:
 * Legend.astro (on /explore/) and the `::legend` directive in chapter Markdown.
 *
 * Swatches are SVG shapes with fill attributes (no inline styles, which the page's CSP forbids);
 * every colour is also named in the text, so nothing depends on telling colours apart.
 */
import { cellHex, faceRgb, hexToRgb, KIND_COLOUR_NAME, KIND_HEX, NEGATIVE_HEX, rgbToHex } from '../scene/palette.ts';
import type { BlockKind } from '../scene/types.ts';

interface KindRow {
  kind: BlockKind;
  name: string;
  what: string;
}

const ROWS: readonly KindRow[] = [
  { kind: 'weight', name: 'Weights', what: 'learned in training, then fixed' },
  { kind: 'activation', name: 'Activations', what: 'computed for your letters' },
  { kind: 'aggregate', name: 'Summaries', what: 'averages, maxima and sums along the way' },
];

/** The scale drawn for each kind: relative sizes (|value| / the block's largest) from strong negative to strong positive. */
export const LEGEND_STEPS: readonly { negative: boolean; m: number }[] = [
  { negative: true, m: 1 },
  { negative: true, m: 0.3 },
  { negative: false, m: 0 },
  { negative: false, m: 0.3 },
  { negative: false, m: 1 },
];

/** Swatch size and gap, CSS pixels. */
const SWATCH = 28;
const GAP = 4;
export const LEGEND_SCALE_WIDTH = LEGEND_STEPS.length * SWATCH + (LEGEND_STEPS.length - 1) * GAP;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svg(width: number, height: number, body: string, cls: string): string {
  return `<svg class="${cls}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-hidden="true" focusable="false">${body}</svg>`;
}

/** The grid-line colour of a kind's blocks (as the shader draws it: 35% of the kind over its face). */
function gridLine(kind: BlockKind): string {
  const face = faceRgb(kind);
  const k = hexToRgb(KIND_HEX[kind]);
  return rgbToHex([0, 1, 2].map((i) => face[i]! + (k[i]! - face[i]!) * 0.35) as [number, number, number]);
}

/** One kind's scale: five cells on their face, strong negative to strong positive. */
function scale(kind: BlockKind): string {
  const edge = gridLine(kind);
  const cells = LEGEND_STEPS.map((s, i) => {
    const x = i * (SWATCH + GAP) + 0.5;
    return `<rect x="${x}" y="0.5" width="${SWATCH - 1}" height="${SWATCH - 1}" fill="${cellHex(kind, s.negative, s.m)}" stroke="${edge}"/>`;
  });
  return svg(LEGEND_SCALE_WIDTH, SWATCH, cells.join(''), 'legend-swatches');
}

/** A close-up cell: a disc (positive) or ring (negative) of area proportional to the size. */
function glyph(negative: boolean): string {
  const hex = negative ? NEGATIVE_HEX.weight : KIND_HEX.weight;
  const face = cellHex('weight', negative, 0);
  const r = 0.46 * 18;
  const shape = negative
    ? `<circle cx="9" cy="9" r="${(r - 1.4).toFixed(2)}" fill="none" stroke="${hex}" stroke-width="2.8"/>`
    : `<circle cx="9" cy="9" r="${r.toFixed(2)}" fill="${hex}"/>`;
  return svg(18, 18, `<rect x="0.5" y="0.5" width="17" height="17" fill="${face}" stroke="${gridLine('weight')}"/>${shape}`, 'legend-glyph');
}

/** The legend as an HTML string (a <figure class="legend">); styled by legend.css. */
export function legendHtml(): string {
  const rows = ROWS.map((r) => {
    const names = KIND_COLOUR_NAME[r.kind];
    return (
      `<li>${scale(r.kind)}<span class="legend-text"><strong>${escape(r.name)}</strong>: ` +
      `${escape(names.negative)} negative, ${escape(names.positive)} positive. ${escape(r.what[0]!.toUpperCase() + r.what.slice(1))}.</span></li>`
    );
  });
  return (
    `<figure class="legend"><figcaption>How to read the cells: each cell is one number</figcaption>` +
    `<div class="legend-scale" aria-hidden="true"><span>strong −</span><span>near 0</span><span>strong +</span></div>` +
    `<ul>${rows.join('')}</ul>` +
    `<p class="legend-note">The stronger the colour, the larger the number, against the largest in its block. ` +
    `Close up, a ${glyph(false)} filled disc is positive and a ${glyph(true)} ring negative; its area shows the size.</p>` +
    `</figure>`
  );
}
