/**
 * The scene's colours, in one place so the renderer (as 0..1 floats), the DOM labels and the
 * article text (as CSS hex) always agree: a reader told "the blue cells" must see blue cells.
 */
import type { BlockKind, HighlightRole } from './types.ts';

export const KIND_HEX: Readonly<Record<BlockKind, string>> = Object.freeze({
  weight: '#2f6fc4',
  activation: '#2e8b57',
  aggregate: '#b4690e',
});

export const ROLE_HEX: Readonly<Record<HighlightRole, string>> = Object.freeze({
  focus: '#e0492f',
  source: '#8a4fd1',
  result: '#d1308a',
  muted: '#8c8c8c',
});

/** The residual-stream spine: neutral, so it reads as plumbing rather than as data. */
export const SPINE_HEX = '#6b7380';

export const BACKGROUND_HEX = '#ffffff';

/** '#rrggbb' -> [r, g, b] in 0..1. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`colour "${hex}" is not of the form #rrggbb`);
  return [parseInt(m[1]!, 16) / 255, parseInt(m[2]!, 16) / 255, parseInt(m[3]!, 16) / 255];
}

export const KIND_INDEX: Readonly<Record<BlockKind, number>> = Object.freeze({ weight: 0, activation: 1, aggregate: 2 });
export const ROLE_INDEX: Readonly<Record<HighlightRole, number>> = Object.freeze({ focus: 1, source: 2, result: 3, muted: 4 });
