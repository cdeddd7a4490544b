/**
 * Fitting a step's picture to the stage: framing parts of blocks with room kept free for the
 * callouts that explain them, and pinning callouts into that free room (beside a block, level
 * with a row) instead of on top of the cells. All pure.
 *
 * Callouts are drawn by src/scene/labels.ts with the bottom-left corner of their text box
 * CALLOUT_NUDGE px right of and above the pinned cell's centre; the pins below undo that nudge.
 */
import { cameraMatrices, FOV_Y, frameBox, projectPoint } from '../../scene/camera.ts';
import type { Block, CameraState, Callout, HighlightRole, Range, Vec3 } from '../../scene/types.ts';
import type { DirectorContext } from '../director.ts';
import type { FrameOptions } from './common.ts';

/** Where labels.ts puts a callout's text box: its bottom-left corner this many px right of and above the pin. */
const CALLOUT_NUDGE = 6;
/** Height of a one-line callout (12 px text, line height 1.35, 1.5 px border), CSS px. */
export const CALLOUT_HEIGHT = 20;
/** Stages narrower than this (CSS px) are a phone's. */
const NARROW = 560;
/** Vertical distance between stacked callouts, CSS px. */
const LINE_GAP = 4;

/** A rectangle of cells of a block: rows and columns default to the whole block; ranges may run past its edges (reserved space). */
export interface Region {
  block: string;
  rows?: Range;
  cols?: Range;
  /** Where the region is drawn relative to its block (a lifted copy), world units. */
  lift?: Vec3;
}

export interface FitOptions extends FrameOptions {
  /** CSS px kept free right of the regions, for callouts; measured at the zoom the framing ends at. */
  room?: number;
  /** CSS px kept free above the regions. */
  roomAbove?: number;
  /** CSS px kept free left of the regions. */
  roomLeft?: number;
}

function blockIn(ctx: DirectorContext, id: string): Block {
  const b = ctx.layout.blocks.find((x) => x.id === id);
  if (!b) throw new Error(`no block "${id}" in the ${ctx.layout.model} layout`);
  return b;
}

/** The world box around regions (cells are one unit: CELL in layout.ts). */
export function regionBox(ctx: DirectorContext, regions: readonly Region[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const r of regions) {
    const b = blockIn(ctx, r.block);
    const [r0, r1] = r.rows ?? [0, b.rows.size];
    const [c0, c1] = r.cols ?? [0, b.cols.size];
    const d = r.lift ?? [0, 0, 0];
    const lo: Vec3 = [b.position[0] + c0 + d[0], b.position[1] - r1 + d[1], b.position[2] - b.size[2] + d[2]];
    const hi: Vec3 = [b.position[0] + c1 + d[0], b.position[1] - r0 + d[1], b.position[2] + d[2]];
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, lo[i]!);
      max[i] = Math.max(max[i]!, hi[i]!);
    }
  }
  return { min, max };
}

/** Whether the stage is a phone's (narrow, so callouts are shortened or stacked and margins kept small). */
export function narrow(ctx: DirectorContext): boolean {
  return ctx.viewport.width < NARROW;
}

/** CSS px per world unit at the camera's target, on this stage. */
export function pxPerUnit(ctx: DirectorContext, cam: CameraState): number {
  return ctx.viewport.height / (2 * Math.tan(FOV_Y / 2) * cam.distance);
}

/**
 * A camera on the union of regions with `room` px free on their right (`roomLeft`, `roomAbove`):
 * the room is in screen pixels, so it is converted at the zoom the fit itself ends at (a few
 * fixed-point steps; adding room only zooms out, so the steps converge from below).
 */
export function fitRegions(ctx: DirectorContext, regions: readonly Region[], opts: FitOptions = {}): CameraState {
  const { min, max } = regionBox(ctx, regions);
  const { width, height } = ctx.viewport;
  // A phone's stage is small: spend less of it on margin, and turn the view less (the far cells
  // of a turned block are drawn smaller), so cells stay big enough to read.
  const phone = narrow(ctx);
  const turn = phone ? 0.6 : 1;
  const yaw = (opts.yaw ?? -0.18) * turn;
  const pitch = (opts.pitch ?? 0.1) * turn;
  const zoom = (opts.zoom ?? 1) * (phone ? 0.95 : 1);
  const shoot = (ppu: number): CameraState => {
    const lo: Vec3 = [min[0] - (opts.roomLeft ?? 0) / ppu, min[1], min[2]];
    const hi: Vec3 = [max[0] + (opts.room ?? 0) / ppu, max[1] + (opts.roomAbove ?? 0) / ppu, max[2]];
    const cam = frameBox(lo, hi, width, height, yaw, pitch);
    return { ...cam, distance: cam.distance * zoom };
  };
  let cam = shoot(Infinity);
  for (let i = 0; i < 4; i++) cam = shoot(pxPerUnit(ctx, cam));
  return cam;
}

/** Estimated width of a callout's text box (12 px system-ui, about 6.1 px a character, padding and border), CSS px. */
export function calloutWidth(text: string): number {
  return 6.1 * text.length + 12;
}

/**
 * The (row, col) in `block`'s cells to pin a callout at so its text box starts `gap` px right of
 * column `edge` (default: the block's right edge) and is centred on row `row`, `line` lines down
 * (stacked callouts). `lift` moves the pin with a lifted copy.
 */
export function pinRight(block: Block, row: number, ppu: number, opts: { edge?: number; gap?: number; line?: number; lift?: Vec3 } = {}): { row: number; col: number } {
  const edge = opts.edge ?? block.cols.size;
  const lift = opts.lift ?? [0, 0, 0];
  // labels.ts: text left = pin centre + NUDGE px; text centre = pin centre - NUDGE - HEIGHT/2 px (screen y down).
  const col = edge - 0.5 + ((opts.gap ?? 6) - CALLOUT_NUDGE) / ppu + lift[0];
  const down = (CALLOUT_NUDGE + CALLOUT_HEIGHT / 2 + (opts.line ?? 0) * (CALLOUT_HEIGHT + LINE_GAP)) / ppu;
  return { row: row + down - lift[1], col };
}

/** Like pinRight, but the text box ends `gap` px left of column `edge` (default: the block's left edge). */
export function pinLeft(block: Block, row: number, ppu: number, text: string, opts: { edge?: number; gap?: number; line?: number; lift?: Vec3 } = {}): { row: number; col: number } {
  const right = pinRight(block, row, ppu, { ...opts, edge: opts.edge ?? 0, gap: 0 });
  return { row: right.row, col: right.col - (calloutWidth(text) + (opts.gap ?? 6)) / ppu };
}

/**
 * A pin whose text box sits above a cell (its bottom `gap` px, default 6, above the cell's top edge), centred
 * on it, or with `align: 'left'` starting at the cell's left edge.
 */
export function pinAbove(row: number, col: number, ppu: number, text: string, opts: { gap?: number; align?: 'centre' | 'left' } = {}): { row: number; col: number } {
  const shift = opts.align === 'left' ? 0.5 * ppu : calloutWidth(text) / 2;
  return { row: row - 0.5 - ((opts.gap ?? 6) - CALLOUT_NUDGE) / ppu, col: col - (shift + CALLOUT_NUDGE) / ppu };
}

/** A pin whose text box is centred on a cell. */
export function pinCentre(row: number, col: number, ppu: number, text: string): { row: number; col: number } {
  return { row: row + (CALLOUT_NUDGE + CALLOUT_HEIGHT / 2) / ppu, col: col - (calloutWidth(text) / 2 + CALLOUT_NUDGE) / ppu };
}

/** Where a world point lands on the stage through `cam`, CSS px (x right, y down); null behind the eye. */
export function onStage(ctx: DirectorContext, cam: CameraState, p: Vec3): [number, number] | null {
  const m = cameraMatrices(cam, ctx.viewport.width, ctx.viewport.height, cam.distance);
  const out = new Float32Array(3);
  return projectPoint(m, p, ctx.viewport.width, ctx.viewport.height, out) ? [out[0]!, out[1]!] : null;
}

/** Room (CSS px) to keep for a calculation's callouts: its one-line width, or on a narrow stage its widest part. */
export function roomFor(ctx: DirectorContext, text: readonly string[] | { line: string; parts: readonly string[] }): number {
  const parts = 'parts' in text ? text.parts : text;
  const line = calloutWidth('line' in text ? text.line : parts.join(' '));
  return line <= 0.45 * ctx.viewport.width ? line : Math.max(...parts.map(calloutWidth));
}

/**
 * One worked calculation as callouts pinned right of a block, level with `row`: on one line when
 * it fits in the stage right of the pin, otherwise one part per line (like a sum written in a
 * column). The last callout holds the result and takes `role`; the others are 'source'.
 */
export function equation(
  ctx: DirectorContext,
  cam: CameraState,
  block: Block,
  row: number,
  text: readonly string[] | { line: string; parts: readonly string[] },
  role: HighlightRole,
  opts: { edge?: number; gap?: number; lift?: Vec3 } = {},
): Callout[] {
  const ppu = pxPerUnit(ctx, cam);
  const parts = 'parts' in text ? text.parts : text;
  const line = 'line' in text ? text.line : parts.join(' ');
  const lift = opts.lift ?? [0, 0, 0];
  const edge = opts.edge ?? block.cols.size;
  const at = onStage(ctx, cam, [block.position[0] + edge + lift[0], block.position[1] - row - 0.5 + lift[1], block.position[2] + lift[2]]);
  const left = (at?.[0] ?? ctx.viewport.width / 2) + (opts.gap ?? 6);
  const lines = left + calloutWidth(line) <= ctx.viewport.width - 4 ? [line] : parts;
  return lines.map((text, i) => ({ block: block.id, ...pinRight(block, row, ppu, { ...opts, line: i }), text, role: i === lines.length - 1 ? role : 'source' }));
}
