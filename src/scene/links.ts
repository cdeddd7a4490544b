/**
 * Links: curved arrows from an operand to what it makes (a weight row to a result cell, a result
 * cell to the callout that shows its arithmetic), drawn as an SVG overlay above the canvas.
 *
 * Each frame a link's two ends are projected through the camera: a cell range becomes the screen
 * rectangle of its front face at the place it is drawn (the block's style offset plus the lift of
 * the highlight that carries the range), a callout end the rectangle the label layer gave that
 * callout. The arrow joins the pair of edge midpoints nearest to each other and leaves each edge
 * along its outward normal, so it bows away from the blocks it joins instead of cutting across
 * them. `progress` draws the first part of the curve (a de Casteljau split), arrowhead included.
 *
 * The geometry is pure and exported for tests. LinkLayer works out each frame's arrows as SVG
 * path data, in the render worker beside the labels (overlay.ts); the page's SVG elements
 * (overlay-dom.ts) show them.
 */
import { blockById } from './cells.ts';
import { projectPoint, type ScreenMatrices } from './camera.ts';
import type { Block, Highlight, HighlightRole, Link, LinkEnd, ModelLayout, Range, SceneState, Vec3 } from './types.ts';

/** A screen rectangle in CSS pixels: x to the right, y down. */
export interface ScreenRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Where an arrow meets a rectangle: an edge midpoint and that edge's outward unit normal. */
export interface Anchor {
  p: Point;
  n: Point;
}

/** A cubic Bézier curve in screen space. */
export interface Cubic {
  p0: Point;
  c1: Point;
  c2: Point;
  p1: Point;
}

/** Arrowhead length and half-width, px. */
export const HEAD_LENGTH = 8;
const HEAD_HALF_WIDTH = 4;
/** How far the control points stand off the edges: a share of the chord, clamped, px. */
const BOW = 0.42;
const BOW_MIN = 14;
const BOW_MAX = 160;
/** Stand-off of an arc around blocks (Link.bow): far enough to clear them, close enough not to reach the next ones, px. */
const ARC_BOW = 56;
const DEFAULT_ROLE: HighlightRole = 'result';

function clampRange(r: Range | undefined, size: number): [number, number] {
  if (!r) return [0, size];
  const a = Math.max(0, Math.min(size, Math.floor(r[0])));
  return [a, Math.max(a, Math.min(size, Math.floor(r[1])))];
}

/**
 * The lift of the highlight this range is drawn with: the smallest lifted highlight of the block
 * whose rows and columns contain the range (a lifted cell inside a lifted column moves with the
 * cell), or none.
 */
export function liftOf(block: Block, rows: [number, number], cols: [number, number], highlights: readonly Highlight[]): Vec3 | null {
  let best: Highlight | null = null;
  let bestArea = Infinity;
  for (const h of highlights) {
    if (h.block !== block.id || !h.lift) continue;
    const [r0, r1] = clampRange(h.rows, block.rows.size);
    const [c0, c1] = clampRange(h.cols, block.cols.size);
    if (r0 > rows[0] || r1 < rows[1] || c0 > cols[0] || c1 < cols[1]) continue;
    const area = (r1 - r0) * (c1 - c0);
    if (area < bestArea) {
      best = h;
      bestArea = area;
    }
  }
  return best?.lift ?? null;
}

/**
 * The world rectangle (front face, z = the face's depth) where a cell-range end is drawn: its
 * block's place plus style offset plus the lift of the highlight carrying it. Null when the block
 * is hidden or the range is empty.
 */
export function endFace(block: Block, end: { rows?: Range; cols?: Range }, state: Pick<SceneState, 'blocks' | 'highlights'>): { min: Vec3; max: Vec3 } | null {
  const style = state.blocks[block.id];
  if (style?.opacity === 0) return null;
  const rows = clampRange(end.rows, block.rows.size);
  const cols = clampRange(end.cols, block.cols.size);
  if (rows[1] <= rows[0] || cols[1] <= cols[0]) return null;
  const off = style?.offset ?? [0, 0, 0];
  const lift = liftOf(block, rows, cols, state.highlights) ?? [0, 0, 0];
  const cw = block.size[0] / block.cols.size;
  const ch = block.size[1] / block.rows.size;
  const x = block.position[0] + off[0] + lift[0];
  const y = block.position[1] + off[1] + lift[1];
  const z = block.position[2] + off[2] + lift[2];
  return { min: [x + cols[0] * cw, y - rows[1] * ch, z], max: [x + cols[1] * cw, y - rows[0] * ch, z] };
}

/** Screen rectangle of a world rectangle at constant z (its four corners), or null if any corner is behind the eye. */
export function projectFace(m: ScreenMatrices, face: { min: Vec3; max: Vec3 }, width: number, height: number, tmp: Float32Array, corner: Vec3): ScreenRect | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < 4; i++) {
    corner[0] = i & 1 ? face.max[0] : face.min[0];
    corner[1] = i & 2 ? face.max[1] : face.min[1];
    corner[2] = face.min[2];
    if (!projectPoint(m, corner, width, height, tmp)) return null;
    x0 = Math.min(x0, tmp[0]!);
    y0 = Math.min(y0, tmp[1]!);
    x1 = Math.max(x1, tmp[0]!);
    y1 = Math.max(y1, tmp[1]!);
  }
  return { x0, y0, x1, y1 };
}

/** The four edge midpoints of a rectangle with their outward normals: top, right, bottom, left. */
export function edgeAnchors(r: ScreenRect): Anchor[] {
  const cx = (r.x0 + r.x1) / 2;
  const cy = (r.y0 + r.y1) / 2;
  return [
    { p: { x: cx, y: r.y0 }, n: { x: 0, y: -1 } },
    { p: { x: r.x1, y: cy }, n: { x: 1, y: 0 } },
    { p: { x: cx, y: r.y1 }, n: { x: 0, y: 1 } },
    { p: { x: r.x0, y: cy }, n: { x: -1, y: 0 } },
  ];
}

/**
 * The pair of edge midpoints, one on each rectangle, to join: the closest pair whose edges face
 * each other (each normal points toward the other end); when none do (overlapping rectangles),
 * the closest pair.
 */
export function chooseAnchors(from: ScreenRect, to: ScreenRect): [Anchor, Anchor] {
  const a = edgeAnchors(from);
  const b = edgeAnchors(to);
  let best: [Anchor, Anchor] = [a[0]!, b[0]!];
  let bestScore = Infinity;
  for (const p of a) {
    for (const q of b) {
      const dx = q.p.x - p.p.x;
      const dy = q.p.y - p.p.y;
      const d = Math.hypot(dx, dy);
      const facing = p.n.x * dx + p.n.y * dy >= 0 && q.n.x * -dx + q.n.y * -dy >= 0;
      // Pairs whose edges face away from each other only win when nothing faces.
      const score = facing ? d : d + 1e6;
      if (score < bestScore) {
        bestScore = score;
        best = [p, q];
      }
    }
  }
  return best;
}

const SIDE_INDEX = { up: 0, right: 1, down: 2, left: 3 } as const;

/** Both ends' edge midpoints on one side (Link.bow): the arrow arcs out that way and back. */
export function sideAnchors(from: ScreenRect, to: ScreenRect, side: keyof typeof SIDE_INDEX): [Anchor, Anchor] {
  return [edgeAnchors(from)[SIDE_INDEX[side]]!, edgeAnchors(to)[SIDE_INDEX[side]]!];
}

/**
 * The curve from anchor a to anchor b: it leaves a along a's normal and arrives at b against b's
 * normal. `maxBow` caps how far the control points stand off (px): an arc around blocks stays close.
 */
export function linkCurve(a: Anchor, b: Anchor, maxBow = BOW_MAX): Cubic {
  const chord = Math.hypot(b.p.x - a.p.x, b.p.y - a.p.y);
  const k = Math.max(BOW_MIN, Math.min(maxBow, BOW * chord));
  return {
    p0: a.p,
    c1: { x: a.p.x + a.n.x * k, y: a.p.y + a.n.y * k },
    c2: { x: b.p.x + b.n.x * k, y: b.p.y + b.n.y * k },
    p1: b.p,
  };
}

const mix = (p: Point, q: Point, u: number): Point => ({ x: p.x + (q.x - p.x) * u, y: p.y + (q.y - p.y) * u });

/** The first part of a cubic, up to parameter u (de Casteljau); u >= 1 gives the whole curve. */
export function splitCubic(c: Cubic, u: number): Cubic {
  if (u >= 1) return c;
  const ab = mix(c.p0, c.c1, u);
  const bc = mix(c.c1, c.c2, u);
  const cd = mix(c.c2, c.p1, u);
  const abc = mix(ab, bc, u);
  const bcd = mix(bc, cd, u);
  return { p0: c.p0, c1: ab, c2: abc, p1: mix(abc, bcd, u) };
}

/** Unit direction the curve travels at its end (falls back to the chord when the last control point sits on the end). */
export function endDirection(c: Cubic): Point {
  let dx = c.p1.x - c.c2.x;
  let dy = c.p1.y - c.c2.y;
  if (Math.hypot(dx, dy) < 1e-6) {
    dx = c.p1.x - c.p0.x;
    dy = c.p1.y - c.p0.y;
  }
  const n = Math.hypot(dx, dy) || 1;
  return { x: dx / n, y: dy / n };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** SVG path data of a cubic, rounded to 0.1 px. */
export function cubicPath(c: Cubic): string {
  return `M${r1(c.p0.x)} ${r1(c.p0.y)}C${r1(c.c1.x)} ${r1(c.c1.y)} ${r1(c.c2.x)} ${r1(c.c2.y)} ${r1(c.p1.x)} ${r1(c.p1.y)}`;
}

/** SVG path data of the arrowhead whose tip is the curve's end. */
export function headPath(c: Cubic): string {
  const d = endDirection(c);
  const bx = c.p1.x - d.x * HEAD_LENGTH;
  const by = c.p1.y - d.y * HEAD_LENGTH;
  const px = -d.y * HEAD_HALF_WIDTH;
  const py = d.x * HEAD_HALF_WIDTH;
  return `M${r1(c.p1.x)} ${r1(c.p1.y)}L${r1(bx + px)} ${r1(by + py)}L${r1(bx - px)} ${r1(by - py)}Z`;
}

/** Rectangles of the callouts the label layer placed this frame (null: not shown). */
export interface CalloutBoxes {
  calloutBox(index: number): Readonly<ScreenRect> | null;
}

export interface LinkInput {
  matrices: ScreenMatrices;
  width: number;
  height: number;
  state: SceneState;
  callouts: CalloutBoxes;
}

/**
 * Where a frame's arrows go: the page's SVG overlay (overlay-dom.ts ArrowElements), or, in the
 * render worker, a record of them that the page draws (overlay.ts).
 */
export interface ArrowSink {
  /** Arrow `i` of this frame: its curve's and its head's SVG path data, and its role's colour. */
  arrow(i: number, d: string, h: string, role: HighlightRole): void;
  /** This frame drew `n` arrows: any after them are hidden. */
  end(n: number): void;
}

/** Points sampled along an arrow for the label layer to avoid, and the half size of each box, px. */
const AVOID_SAMPLES = 12;
const AVOID_HALF = 4;
const NO_CALLOUTS: CalloutBoxes = { calloutBox: () => null };

/** The arrows of each frame, worked out from the links of its scene state and shown through a sink. */
export class LinkLayer {
  private readonly sink: ArrowSink;
  private blocks: ReadonlyMap<string, Block> = new Map();
  private layout: ModelLayout | null = null;
  private readonly tmp = new Float32Array(3);
  private readonly corner: Vec3 = [0, 0, 0];
  /** Curves avoid() worked out this frame, by link, for update() to draw; emptied by update(). */
  private readonly planned = new Map<Link, Cubic | null>();

  constructor(sink: ArrowSink) {
    this.sink = sink;
  }

  setLayout(layout: ModelLayout): void {
    if (this.layout === layout) return;
    this.layout = layout;
    this.blocks = blockById(layout);
  }

  /** The screen rectangle of one end this frame, or null when it cannot be drawn. */
  endRect(end: LinkEnd, input: LinkInput): ScreenRect | null {
    if ('callout' in end) {
      const r = input.callouts.calloutBox(end.callout);
      return r ? { x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1 } : null;
    }
    const b = this.blocks.get(end.block);
    if (!b) return null;
    const face = endFace(b, end, input.state);
    return face ? projectFace(input.matrices, face, input.width, input.height, this.tmp, this.corner) : null;
  }

  /** The curve of one link this frame, or null when an end is hidden or off the eye's side. */
  curveOf(link: Link, input: LinkInput): Cubic | null {
    const progress = link.progress ?? 1;
    if (!(progress > 0)) return null;
    const from = this.endRect(link.from, input);
    const to = this.endRect(link.to, input);
    if (!from || !to) return null;
    if (link.bow) {
      const [a, b] = sideAnchors(from, to, link.bow);
      return splitCubic(linkCurve(a, b, ARC_BOW), progress);
    }
    const [a, b] = chooseAnchors(from, to);
    return splitCubic(linkCurve(a, b), progress);
  }

  /**
   * Small boxes along this frame's arrows between blocks, for the label layer to keep names off
   * them (arrows are drawn under the labels). Arrows that end on a callout are left out: their
   * callout is placed by the label layer itself, after this.
   */
  avoid(input: Omit<LinkInput, 'callouts'>, add: (x0: number, y0: number, x1: number, y1: number) => void): void {
    const links = input.state.links;
    if (!links || links.length === 0) return;
    const full: LinkInput = { ...input, callouts: NO_CALLOUTS };
    for (const link of links) {
      if ('callout' in link.from || 'callout' in link.to) continue;
      const c = this.curveOf(link, full);
      // update() draws this frame's arrows from the same curves instead of working them out again.
      this.planned.set(link, c);
      if (!c) continue;
      for (let k = 1; k < AVOID_SAMPLES; k++) {
        const u = k / AVOID_SAMPLES;
        const v = 1 - u;
        const w0 = v * v * v;
        const w1 = 3 * v * v * u;
        const w2 = 3 * v * u * u;
        const w3 = u * u * u;
        const x = w0 * c.p0.x + w1 * c.c1.x + w2 * c.c2.x + w3 * c.p1.x;
        const y = w0 * c.p0.y + w1 * c.c1.y + w2 * c.c2.y + w3 * c.p1.y;
        add(x - AVOID_HALF, y - AVOID_HALF, x + AVOID_HALF, y + AVOID_HALF);
      }
    }
  }

  /** Shows this frame's arrows through the sink; a `dry` run (a rehearsal, overlay.ts) works them out and shows nothing. */
  update(input: LinkInput, dry = false): void {
    const links = input.state.links ?? [];
    let n = 0;
    for (const link of links) {
      const curve = this.planned.has(link) ? this.planned.get(link)! : this.curveOf(link, input);
      if (!curve) continue;
      const d = cubicPath(curve);
      const h = headPath(curve);
      if (!dry) this.sink.arrow(n++, d, h, link.role ?? DEFAULT_ROLE);
    }
    this.planned.clear();
    if (!dry) this.sink.end(n);
  }
}
