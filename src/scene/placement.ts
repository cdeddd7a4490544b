/**
 * Where a label may go: pure screen-space geometry, no DOM, so it is tested on its own.
 *
 * The stage is a W x H rectangle of CSS px (x right, y down). `obstacles` holds the screen
 * rectangles of everything drawn that text must not cover (the blocks, lifted copies); `labels`
 * the boxes placed so far this frame. A label is tried on the sides of the rectangle it names
 * (its owner), in the order asked, a `gap` away from it; on each side it may slide along the edge
 * past whatever blocks it, and a callout may also step outward past a block in the way. The first
 * box that lies wholly inside the stage (`MARGIN` px in) and overlaps nothing is taken; when none
 * does, the label is dropped: no text over a block, over another label, or cut by the edge.
 * Boxes are placed at whole pixels (callers pass whole-pixel sizes).
 *
 * Rectangles live in flat Float64Arrays that grow once and are reused every frame, and a try
 * costs one pass over them: the frame loop allocates nothing here.
 */

/** A screen rectangle, CSS px: x0 <= x1, y0 <= y1. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Copies rectangle `from` into `to` (pooled rectangles: no new object in a frame); returns `to`. */
export function copyRect(to: Rect, from: Readonly<Rect>): Rect {
  to.x0 = from.x0;
  to.y0 = from.y0;
  to.x1 = from.x1;
  to.y1 = from.y1;
  return to;
}

/** Sides of the owner a label can sit on. */
export const ABOVE = 0;
export const BELOW = 1;
export const LEFT = 2;
export const RIGHT = 3;
export type Side = typeof ABOVE | typeof BELOW | typeof LEFT | typeof RIGHT;

/** How far inside the stage's edges every label stays, px. */
export const MARGIN = 2;
/** How many times a label may jump past a blocker along one side, in each direction. */
const JUMPS = 4;
/** How many times a callout may step outward past a block. */
const STEPS_OUT = 3;

/** Height of the horizontal bands a banded RectList files its rectangles under, px, and how many it keeps at most. */
const BAND = 32;
const MAX_BANDS = 256;

/**
 * A growable list of rectangles in one flat array. A banded list (the obstacles: a hundred or
 * more on a big model) also files each rectangle under the horizontal bands it spans, in order,
 * so a test looks only at the rectangles level with the box; it is refiled at the first test
 * after rectangles were added.
 */
export class RectList {
  n = 0;
  private a = new Float64Array(4 * 64);
  private readonly banded: boolean;
  /** Whether the rectangles are filed: band b holds items[starts[b] .. starts[b + 1]), ascending; `bands` bands from y = first * BAND. */
  private filed = false;
  private readonly starts = new Int32Array(MAX_BANDS + 1);
  /** Scratch for file(): where each band's next item goes. */
  private readonly fill = new Int32Array(MAX_BANDS);
  private items = new Int32Array(256);
  private first = 0;
  private bands = 1;

  constructor(banded = false) {
    this.banded = banded;
  }

  clear(): void {
    this.n = 0;
    this.filed = false;
  }

  add(x0: number, y0: number, x1: number, y1: number): void {
    if (4 * this.n + 4 > this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const i = 4 * this.n++;
    this.a[i] = x0;
    this.a[i + 1] = y0;
    this.a[i + 2] = x1;
    this.a[i + 3] = y1;
    this.filed = false;
  }

  /** Index of the first rectangle that overlaps the open box (x0, y0)-(x1, y1), or -1. */
  hit(x0: number, y0: number, x1: number, y1: number): number {
    const a = this.a;
    if (!this.banded || this.n < 16) {
      for (let i = 0, k = 0; i < this.n; i++, k += 4) {
        if (a[k]! < x1 && x0 < a[k + 2]! && a[k + 1]! < y1 && y0 < a[k + 3]!) return i;
      }
      return -1;
    }
    if (!this.filed) this.file();
    const starts = this.starts;
    let found = -1;
    for (let b = this.band(y0), last = this.band(y1); b <= last; b++) {
      for (let j = starts[b]!; j < starts[b + 1]!; j++) {
        const i = this.items[j]!;
        if (found >= 0 && i >= found) break;
        const k = 4 * i;
        if (a[k]! < x1 && x0 < a[k + 2]! && a[k + 1]! < y1 && y0 < a[k + 3]!) {
          found = i;
          break;
        }
      }
    }
    return found;
  }

  /** The band of height y, clamped to the filed ones. */
  private band(y: number): number {
    return Math.max(0, Math.min(this.bands - 1, Math.floor(y / BAND) - this.first));
  }

  /** Files every rectangle under the bands its height range spans (a box overlapping it shares one). */
  private file(): void {
    const { a, starts, fill } = this;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < 4 * this.n; k += 4) {
      if (a[k + 1]! < lo) lo = a[k + 1]!;
      if (a[k + 3]! > hi) hi = a[k + 3]!;
    }
    // Bands over the stage and a little beyond: a rectangle far off it is filed at the nearest end.
    this.first = Math.max(-64, Math.min(MAX_BANDS, Math.floor(lo / BAND)));
    const count = (this.bands = Math.max(1, Math.min(MAX_BANDS, Math.floor(hi / BAND) - this.first + 1) || 1));
    starts.fill(0, 0, count + 1);
    for (let k = 0; k < 4 * this.n; k += 4) for (let b = this.band(a[k + 1]!), last = this.band(a[k + 3]!); b <= last; b++) starts[b + 1]!++;
    for (let b = 0; b < count; b++) starts[b + 1]! += starts[b]!;
    if (this.items.length < starts[count]!) this.items = new Int32Array(2 * starts[count]!);
    for (let b = 0; b < count; b++) fill[b] = starts[b]!;
    for (let i = 0, k = 0; i < this.n; i++, k += 4) for (let b = this.band(a[k + 1]!), last = this.band(a[k + 3]!); b <= last; b++) this.items[fill[b]!++] = i;
    this.filed = true;
  }

  x0(i: number): number {
    return this.a[4 * i]!;
  }
  y0(i: number): number {
    return this.a[4 * i + 1]!;
  }
  x1(i: number): number {
    return this.a[4 * i + 2]!;
  }
  y1(i: number): number {
    return this.a[4 * i + 3]!;
  }
}

/** One label to place; the caller reuses one object, setting every field each time. */
export interface PlaceRequest {
  /** Box size, px. */
  w: number;
  h: number;
  /** What the label names (a block, a group of blocks, a point): it sits beside this. */
  owner: Rect;
  /** Sides to try, in order. */
  sides: readonly Side[];
  /**
   * Where along the edge the box starts: NaN aligns it with the owner's left (above/below) or top
   * (left/right) edge; a number centres it there (x for above/below, y for left/right), e.g. on a
   * callout's cell.
   */
  alongX: number;
  alongY: number;
  /** Distance from the owner, px. */
  gap: number;
  /** How far the box may slide along its side from where it starts, px (0: fixed). */
  slide: number;
  /** Slide both ways (a callout beside its cell) or only forward, right or down (a name). */
  both: boolean;
  /** How far it may step outward past blocks, px (0: it stays against its owner). */
  reach: number;
}

/** Greedy, first-fit placement of label boxes around the rectangles they name. */
export class Placer {
  readonly obstacles = new RectList(true);
  readonly labels = new RectList();
  width = 1;
  height = 1;

  /** Starts a frame on a stage of width x height px. */
  begin(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.obstacles.clear();
    this.labels.clear();
  }

  /** Whether the box lies inside the stage and overlaps no obstacle (unless `overBlocks`) and no label. */
  free(x0: number, y0: number, w: number, h: number, overBlocks = false): boolean {
    if (x0 < MARGIN || y0 < MARGIN || x0 + w > this.width - MARGIN || y0 + h > this.height - MARGIN) return false;
    if (!overBlocks && this.obstacles.hit(x0, y0, x0 + w, y0 + h) >= 0) return false;
    return this.labels.hit(x0, y0, x0 + w, y0 + h) < 0;
  }

  /** Takes the box at (x, y), rounded to whole pixels, if it is free; a token letter on its own cell passes `overBlocks`. */
  fixed(x: number, y: number, w: number, h: number, out: Rect, overBlocks = false): boolean {
    const x0 = this.pixel(x, w, this.width);
    const y0 = this.pixel(y, h, this.height);
    if (!this.free(x0, y0, w, h, overBlocks)) return false;
    return this.take(x0, y0, w, h, out);
  }

  /** The rectangle around every obstacle (the drawing), clipped to the stage; false when there is none. */
  obstacleBounds(out: Rect): boolean {
    const o = this.obstacles;
    if (o.n === 0) return false;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < o.n; i++) {
      x0 = Math.min(x0, o.x0(i));
      y0 = Math.min(y0, o.y0(i));
      x1 = Math.max(x1, o.x1(i));
      y1 = Math.max(y1, o.y1(i));
    }
    out.x0 = Math.max(0, x0);
    out.y0 = Math.max(0, y0);
    out.x1 = Math.min(this.width, x1);
    out.y1 = Math.min(this.height, y1);
    return out.x0 < out.x1 && out.y0 < out.y1;
  }

  /** Finds a free box beside the request's owner; writes it to `out` and keeps it. False: dropped. */
  place(q: PlaceRequest, out: Rect): boolean {
    for (const side of q.sides) if (this.trySide(q, side, out)) return true;
    return false;
  }

  /** `v` rounded to a whole pixel, kept inside [MARGIN, extent - MARGIN - size] when it was inside before rounding. */
  private pixel(v: number, size: number, extent: number): number {
    const r = Math.round(v);
    if (r + size > extent - MARGIN && v + size <= extent - MARGIN) return Math.floor(extent - MARGIN - size);
    if (r < MARGIN && v >= MARGIN) return Math.ceil(MARGIN);
    return r;
  }

  private take(x0: number, y0: number, w: number, h: number, out: Rect): boolean {
    out.x0 = x0;
    out.y0 = y0;
    out.x1 = x0 + w;
    out.y1 = y0 + h;
    this.labels.add(x0, y0, x0 + w, y0 + h);
    return true;
  }

  private trySide(q: PlaceRequest, side: Side, out: Rect): boolean {
    const { w, h, owner: o } = q;
    const across = side === ABOVE || side === BELOW;
    // Along the edge: the box's start (x0 above/below, y0 left/right), its size, the owner's extent.
    const size = across ? w : h;
    const lo = across ? o.x0 : o.y0;
    const hi = across ? o.x1 : o.y1;
    const limit = (across ? this.width : this.height) - MARGIN - size;
    const centre = across ? q.alongX : q.alongY;
    const start = Math.max(MARGIN, Math.min(limit, Number.isNaN(centre) ? lo : centre - size / 2));
    // A name must stay mostly over (or beside) the visible part of its owner, or it would seem to
    // name a neighbour: half its length or half that part, whichever is less. A callout (joined to
    // its cell by an arrow) need not.
    const seen = Math.min(hi, across ? this.width : this.height) - Math.max(lo, 0);
    const touch = q.reach > 0 ? -Infinity : 0.5 * Math.min(seen, size);
    let away = 0;
    for (let step = 0; step <= STEPS_OUT; step++) {
      // Across the edge: y0 above/below, x0 left/right.
      const c = side === ABOVE ? o.y0 - q.gap - away - h : side === BELOW ? o.y1 + q.gap + away : side === LEFT ? o.x0 - q.gap - away - w : o.x1 + q.gap + away;
      if (c < MARGIN || c + (across ? h : w) > (across ? this.height : this.width) - MARGIN) return false;
      let first = -1;
      let firstList: RectList = this.obstacles;
      // Two cursors along the edge, forward (right or down) and backward; the nearer one tries next.
      let fwd = start;
      let back = start;
      let fwdOpen = true;
      let backOpen = q.both;
      for (let tries = 0; tries <= 2 * JUMPS && (fwdOpen || backOpen); tries++) {
        const forward = tries === 0 || (fwdOpen && (!backOpen || fwd - start <= start - back));
        const a = forward ? fwd : back;
        if (a < MARGIN || a > limit || Math.abs(a - start) > q.slide + 1e-6 || Math.min(a + size, hi) - Math.max(a, lo) < touch) {
          if (tries === 0) break;
          if (forward) fwdOpen = false;
          else backOpen = false;
          continue;
        }
        // Whole pixels: the element is translated by exactly this box, and text stays crisp.
        const x0 = this.pixel(across ? a : c, w, this.width);
        const y0 = this.pixel(across ? c : a, h, this.height);
        let list = this.obstacles;
        let k = list.hit(x0, y0, x0 + w, y0 + h);
        if (k < 0) {
          list = this.labels;
          k = list.hit(x0, y0, x0 + w, y0 + h);
        }
        if (k < 0) return this.take(x0, y0, w, h, out);
        // Jump past the blocker along the edge (from the first spot, both ways).
        if (tries === 0) {
          first = k;
          firstList = list;
        }
        if (forward) fwd = (across ? list.x1(k) : list.y1(k)) + 1;
        if (!forward || tries === 0) back = (across ? list.x0(k) : list.y0(k)) - 1 - size;
      }
      if (q.reach <= 0 || first < 0) return false;
      // Step outward past what blocked the first spot, and try along the edge again.
      const L = firstList;
      const beyond =
        side === ABOVE ? o.y0 - q.gap - L.y0(first) + 1 : side === BELOW ? L.y1(first) - o.y1 - q.gap + 1 : side === LEFT ? o.x0 - q.gap - L.x0(first) + 1 : L.x1(first) - o.x1 - q.gap + 1;
      if (beyond <= away || beyond > q.reach) return false;
      away = beyond;
    }
    return false;
  }
}
