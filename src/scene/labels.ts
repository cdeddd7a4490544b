/**
 * Block, group and axis names, callouts and letters as a DOM overlay over the canvas: real text,
 * crisp at any zoom, never over a drawn block, over another label, or cut by the stage's edge.
 *
 * Each frame walks the label tree (label-tree.ts) top-down, projecting group bounds, and descends
 * only into groups big enough on screen, so the cost follows what is visible rather than the
 * model's size (GPT-3 has ~2,000 blocks). The walk also collects the screen rectangles of what is
 * drawn (every visible block of a small model; for a big one, each group too small to open, as
 * one rectangle), which labels must keep clear of. Candidates are then placed greedily in
 * priority order (callouts, tokens, letters, layer, stage, block, spine, axes) by placement.ts:
 * each in free room beside what it names, or dropped, so zooming out thins the text.
 *
 * A callout first tries the spot its director chose (its box's bottom corner 6 px beside and
 * above the pinned point, right of it or left with side 'left'); if that spot is taken it moves
 * beside its block, off the cells, and the links overlay (links.ts) draws its arrow to where it
 * went: calloutBox() tells where.
 *
 * Box sizes come from the text measured once per string (canvas measureText, the labels' own
 * font) and are set on the elements, so the DOM boxes are exactly the placed ones. Elements and
 * candidates are pooled; a frame only changes text, class, size and transform of the ones it shows.
 */
import { VOCAB } from '../gpt/config.ts';
import { projectPoint, type CameraMatrices } from './camera.ts';
import { TOP_IDS } from './ids.ts';
import { buildLabelTree, refreshDrawnBounds, type LabelNode, type Level } from './label-tree.ts';
import { ABOVE, BELOW, LEFT, Placer, RIGHT, type PlaceRequest, type Rect, type Side } from './placement.ts';
import type { Block, HighlightRole, ModelLayout, SceneState, Vec3 } from './types.ts';

export { stageName } from './label-tree.ts';

/** The type of one kind of label; keep in step with the .scene-label rules in SceneCanvas.astro. */
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
const NAME_STYLES: Record<Level, LabelStyle> = {
  0: style('level-1', 14, '650'),
  1: style('level-1', 14, '650'),
  2: style('level-2', 12, '600'),
  3: style('level-3', 11, '500'),
};
const AXIS = style('axis', 11, '500');
const SPINE = style('spine', 11, 'italic 400');
const TOKEN = style('token', 14, '700');
const VOCAB_LETTER = style('token vocab', 14, '700');
const ROLES: HighlightRole[] = ['focus', 'source', 'result', 'muted'];
const CALLOUT = Object.fromEntries(ROLES.map((r) => [r, style(`callout role-${r}`, 12, '500', 1.5)])) as Record<HighlightRole, LabelStyle>;

/** Every label style (for tests: none under 11 px). */
export function labelStyles(): LabelStyle[] {
  return [...new Set([...Object.values(NAME_STYLES), AXIS, SPINE, TOKEN, VOCAB_LETTER, ...Object.values(CALLOUT)])];
}

/** Pixel heights a group must reach before its label shows, and before its children are visited. */
const SHOW_AT: Record<Level, number> = { 0: Infinity, 1: 40, 2: 36, 3: 14 };
const OPEN_AT: Record<Level, number> = { 0: 0, 1: 140, 2: 70, 3: Infinity };
const MAX_LABELS = 90;
/** Up to this many blocks, every visible block is kept clear of text; above it, unopened groups stand for theirs. */
const EVERY_BLOCK = 600;
/** How far a callout sits from its pinned point (the corner of its box), px; directors rely on it (forward-sweep.ts pinAt). */
const NUDGE = 6;

const NAME_SIDES: readonly Side[] = [ABOVE, LEFT, BELOW, RIGHT];
const COLS_SIDES: readonly Side[] = [BELOW, ABOVE];
const ROWS_SIDES: readonly Side[] = [LEFT, RIGHT];
const CALLOUT_RIGHT: readonly Side[] = [RIGHT, LEFT, ABOVE, BELOW];
const CALLOUT_LEFT: readonly Side[] = [LEFT, RIGHT, ABOVE, BELOW];
const SPINE_SIDES: readonly Side[] = [RIGHT, LEFT];

/** Width of `text` in CSS px in the given CSS font. */
export type MeasureText = (text: string, font: string) => number;

const KIND = { callout: 0, token: 1, letter: 2, name: 3, spine: 4, cols: 5, rows: 6 } as const;
type Kind = (typeof KIND)[keyof typeof KIND];

interface Candidate {
  kind: Kind;
  text: string;
  style: LabelStyle;
  priority: number;
  /** Screen rectangle of what the label names. */
  owner: Rect;
  /** A point: the callout's pin, a letter's or token's centre, an edge point of a letter. */
  px: number;
  py: number;
  callout: number;
  left: boolean;
}

export interface LabelInput {
  matrices: CameraMatrices;
  width: number;
  height: number;
  state: SceneState;
  /** Letters of the input tokens, drawn over the 'tokens' block's cells. */
  tokens: string | null;
}

const ZERO: Vec3 = [0, 0, 0];

export class LabelLayer {
  private readonly root: HTMLElement;
  /** The model's name and size, shown above the drawing (SceneCanvas's .scene-caption), not on it. */
  private readonly caption: HTMLElement | null;
  private readonly measureText: MeasureText;
  private tree: LabelNode | null = null;
  private layout: ModelLayout | null = null;
  private blocks = new Map<string, Block>();
  /** Blocks with a vocabulary axis small enough to letter each row or column (nano's A, B, C). */
  private lettered: Block[] = [];
  private everyBlock = true;
  /** The block styles the tree's drawn bounds were last computed for. */
  private boundsFor: SceneState['blocks'] | null = null;
  private readonly placer = new Placer();
  private readonly request: PlaceRequest = { w: 0, h: 0, owner: { x0: 0, y0: 0, x1: 0, y1: 0 }, sides: NAME_SIDES, alongX: NaN, alongY: NaN, gap: 3, slide: 0, both: false, reach: 0 };
  private readonly widths = new Map<LabelStyle, Map<string, number>>();
  private readonly pool: HTMLElement[] = [];
  private readonly poolState: { text: string; cls: string; w: number; h: number; x: number; y: number; hidden: boolean }[] = [];
  private shown = 0;
  private readonly cands: Candidate[] = [];
  private nc = 0;
  private readonly order: Candidate[] = [];
  private readonly box: Rect & { partial: boolean } = { x0: 0, y0: 0, x1: 0, y1: 0, partial: false };
  private readonly placed: Rect = { x0: 0, y0: 0, x1: 0, y1: 0 };
  private readonly corner: Vec3 = [0, 0, 0];
  private readonly lo: Vec3 = [0, 0, 0];
  private readonly hi: Vec3 = [0, 0, 0];
  private readonly tmp = new Float32Array(3);
  /** Where each callout of the last frame was placed (by index in SceneState.callouts); `calloutShown` says which were. */
  private readonly calloutRects: Rect[] = [];
  private readonly calloutShown: boolean[] = [];

  constructor(root: HTMLElement, measureText?: MeasureText) {
    this.root = root;
    this.caption = root.closest('.scene-frame')?.querySelector<HTMLElement>('.scene-caption') ?? null;
    this.measureText = measureText ?? canvasMeasure(root);
  }

  setLayout(layout: ModelLayout, modelName: string): void {
    if (this.caption) {
      const text = `${modelName} · ${layout.params.toLocaleString('en-US')} parameters`;
      if (this.caption.textContent !== text) this.caption.textContent = text;
    }
    if (this.layout === layout) return;
    this.layout = layout;
    this.tree = buildLabelTree(layout);
    this.boundsFor = null;
    this.blocks = new Map(layout.blocks.map((b) => [b.id, b]));
    this.everyBlock = layout.blocks.length <= EVERY_BLOCK;
    this.lettered = layout.blocks.filter((b) => (b.rows.name === 'V' || b.cols.name === 'V') && layout.config.vocab_size <= VOCAB.length);
  }

  /** The screen rectangle (CSS px) of callout `index` as placed in the last frame, or null when it was not shown. */
  calloutBox(index: number): Readonly<Rect> | null {
    return this.calloutShown[index] ? this.calloutRects[index]! : null;
  }

  /** Projects, places and positions the labels for one frame. */
  update(input: LabelInput): void {
    this.calloutShown.length = 0;
    if (!this.tree) return;
    this.placer.begin(input.width, input.height);
    this.nc = 0;
    if (this.boundsFor !== input.state.blocks) {
      this.boundsFor = input.state.blocks;
      refreshDrawnBounds(this.tree, input.state.blocks);
    }
    this.visit(this.tree, input, true);
    this.liftedCopies(input);
    this.collectCallouts(input);
    this.collectTokens(input);
    for (const b of this.lettered) this.collectLetters(b, input);
    this.collectSpine(input);

    const order = this.order;
    order.length = this.nc;
    for (let i = 0; i < this.nc; i++) order[i] = this.cands[i]!;
    order.sort(byPriority);
    let n = 0;
    for (const c of order) {
      if (n >= MAX_LABELS) break;
      if (!this.placeOne(c, input)) continue;
      if (c.callout >= 0) {
        const r = (this.calloutRects[c.callout] ??= { x0: 0, y0: 0, x1: 0, y1: 0 });
        r.x0 = this.placed.x0;
        r.y0 = this.placed.y0;
        r.x1 = this.placed.x1;
        r.y1 = this.placed.y1;
        this.calloutShown[c.callout] = true;
      }
      this.show(n++, c, this.placed);
    }
    this.hide(n);
    this.shown = n;
  }

  clear(): void {
    this.hide(0);
    this.calloutShown.length = 0;
  }

  /** Box width of `text` in `s`, px, measured once per string. */
  private boxWidth(text: string, s: LabelStyle): number {
    let m = this.widths.get(s);
    if (!m) this.widths.set(s, (m = new Map()));
    let w = m.get(text);
    if (w === undefined) {
      // Bounded: callouts with running numbers bring new strings as a step plays.
      if (m.size > 2000) m.clear();
      w = Math.ceil(this.measureText(text, `${s.face} ${s.px}px`) + 2 * s.pad + 2 * s.border) + 1;
      m.set(text, w);
    }
    return w;
  }

  private placeOne(c: Candidate, input: LabelInput): boolean {
    const s = c.style;
    const w = this.boxWidth(c.text, s);
    const h = Math.ceil(s.px * LINE + 2 * s.border);
    const p = this.placer;
    const out = this.placed;
    const q = this.request;
    switch (c.kind) {
      case KIND.token:
        // A token's letter sits on its own cell, by design: the only text allowed over a block.
        return p.fixed(c.px - w / 2, c.py - h / 2, w, h, out, true);
      case KIND.letter:
        // Just outside the block's edge: left of a row (c.left) or above a column.
        return c.left ? p.fixed(c.px - 2 - w, c.py - h / 2, w, h, out) : p.fixed(c.px - w / 2, c.py - 2 - h, w, h, out);
      case KIND.callout:
        if (p.fixed(c.left ? c.px - NUDGE - w : c.px + NUDGE, c.py - NUDGE - h, w, h, out)) return true;
        q.sides = c.left ? CALLOUT_LEFT : CALLOUT_RIGHT;
        q.alongX = c.px;
        q.alongY = c.py;
        q.gap = NUDGE;
        q.slide = Math.max(4 * h, 80);
        q.both = true;
        q.reach = Math.max(80, input.width / 4);
        break;
      case KIND.spine:
        q.sides = SPINE_SIDES;
        q.alongX = c.px;
        q.alongY = c.py;
        q.gap = 8;
        q.slide = 40;
        q.both = true;
        q.reach = 0;
        break;
      default:
        q.sides = c.kind === KIND.cols ? COLS_SIDES : c.kind === KIND.rows ? ROWS_SIDES : NAME_SIDES;
        // Axis sizes are centred on the visible part of their edge; names start at their owner's
        // corner and may slide along it.
        q.alongX = c.kind === KIND.name ? NaN : (Math.max(c.owner.x0, 0) + Math.min(c.owner.x1, input.width)) / 2;
        q.alongY = c.kind === KIND.name ? NaN : (Math.max(c.owner.y0, 0) + Math.min(c.owner.y1, input.height)) / 2;
        q.gap = 3;
        q.slide = c.kind === KIND.name ? Infinity : 0;
        q.both = false;
        q.reach = 0;
    }
    q.w = w;
    q.h = h;
    q.owner.x0 = c.owner.x0;
    q.owner.y0 = c.owner.y0;
    q.owner.x1 = c.owner.x1;
    q.owner.y1 = c.owner.y1;
    return p.place(q, out);
  }

  private show(i: number, c: Candidate, r: Rect): void {
    let el = this.pool[i];
    if (!el) {
      el = document.createElement('span');
      this.root.appendChild(el);
      this.pool.push(el);
      this.poolState.push({ text: '', cls: '', w: -1, h: -1, x: NaN, y: NaN, hidden: true });
    }
    // What each element shows is remembered here, so a frame writes only what changed and reads nothing back.
    const was = this.poolState[i]!;
    if (was.text !== c.text) el.textContent = was.text = c.text;
    if (was.cls !== c.style.cls) el.className = was.cls = c.style.cls;
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    if (was.w !== w) el.style.width = `${(was.w = w)}px`;
    if (was.h !== h) el.style.height = `${(was.h = h)}px`;
    if (was.hidden) {
      el.style.display = '';
      was.hidden = false;
    }
    if (was.x !== r.x0 || was.y !== r.y0) {
      was.x = r.x0;
      was.y = r.y0;
      el.style.transform = `translate(${r.x0}px, ${r.y0}px)`;
    }
  }

  private hide(from: number): void {
    for (let i = from; i < this.shown; i++) {
      this.pool[i]!.style.display = 'none';
      this.poolState[i]!.hidden = true;
    }
    this.shown = Math.min(this.shown, from);
  }


  private next(kind: Kind, text: string, s: LabelStyle, priority: number): Candidate {
    let c = this.cands[this.nc];
    if (!c) this.cands.push((c = { kind, text, style: s, priority, owner: { x0: 0, y0: 0, x1: 0, y1: 0 }, px: 0, py: 0, callout: -1, left: false }));
    this.nc++;
    c.kind = kind;
    c.text = text;
    c.style = s;
    c.priority = priority;
    c.px = 0;
    c.py = 0;
    c.callout = -1;
    c.left = false;
    return c;
  }

  private ownerFrom(c: Candidate, r: Rect): Candidate {
    c.owner.x0 = r.x0;
    c.owner.y0 = r.y0;
    c.owner.x1 = r.x1;
    c.owner.y1 = r.y1;
    return c;
  }

  /**
   * Screen rectangle of a world box shifted by `off` into this.box; false when wholly behind the
   * eye or off screen. `partial` when some corner is behind the eye (the rectangle is then unsure).
   */
  private project(min: Vec3, max: Vec3, off: Vec3, input: LabelInput): boolean {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let behind = 0;
    const p = this.corner;
    for (let i = 0; i < 8; i++) {
      p[0] = (i & 1 ? max[0] : min[0]) + off[0];
      p[1] = (i & 2 ? max[1] : min[1]) + off[1];
      p[2] = (i & 4 ? max[2] : min[2]) + off[2];
      if (!projectPoint(input.matrices, p, input.width, input.height, this.tmp)) {
        behind++;
        continue;
      }
      x0 = Math.min(x0, this.tmp[0]!);
      y0 = Math.min(y0, this.tmp[1]!);
      x1 = Math.max(x1, this.tmp[0]!);
      y1 = Math.max(y1, this.tmp[1]!);
    }
    if (behind === 8) return false;
    if (behind === 0 && (x1 < 0 || y1 < 0 || x0 > input.width || y0 > input.height)) return false;
    const b = this.box;
    b.x0 = x0;
    b.y0 = y0;
    b.x1 = x1;
    b.y1 = y1;
    b.partial = behind > 0;
    return true;
  }

  /** Names what is big enough (when `named`), notes what is drawn, and descends into what is big enough to open. */
  private visit(node: LabelNode, input: LabelInput, named: boolean): void {
    if (!node.shown || !this.project(node.dmin, node.dmax, ZERO, input)) return;
    const b = this.box;
    const partial = b.partial;
    const h = partial ? Infinity : b.y1 - b.y0;
    const w = partial ? Infinity : b.x1 - b.x0;
    const open = h >= OPEN_AT[node.level];
    const p = this.placer;
    // Named only when enough of it is on screen, not when a sliver at the edge belongs to a big group.
    const seenH = Math.min(b.y1, input.height) - Math.max(b.y0, 0);
    const seenW = Math.min(b.x1, input.width) - Math.max(b.x0, 0);
    if (named && !partial && node.text && seenH >= SHOW_AT[node.level] && (node.level < 3 || seenW >= 24)) {
      this.ownerFrom(this.next(KIND.name, node.text, NAME_STYLES[node.level], 10 + node.level * 10 - Math.min(9, Math.log2(1 + h))), b);
      if (node.block && h > 110 && w > 60) {
        this.ownerFrom(this.next(KIND.cols, node.colsText, AXIS, 60), b);
        this.ownerFrom(this.next(KIND.rows, node.rowsText, AXIS, 61), b);
      }
    }
    if (node.block) {
      if (!partial) p.obstacles.add(b.x0, b.y0, b.x1, b.y1);
      return;
    }
    if (open || this.everyBlock) {
      for (const child of node.children) this.visit(child, input, named && open);
    } else if (!partial) {
      p.obstacles.add(b.x0, b.y0, b.x1, b.y1);
    }
  }

  /** A block's screen rectangle (shifted by `off`) into this.box; false when off screen or partly behind the eye. */
  private blockRect(b: Block, off: Vec3, input: LabelInput): boolean {
    const lo = this.lo;
    const hi = this.hi;
    lo[0] = b.position[0];
    lo[1] = b.position[1] - b.size[1];
    lo[2] = b.position[2] - b.size[2];
    hi[0] = b.position[0] + b.size[0];
    hi[1] = b.position[1];
    hi[2] = b.position[2];
    return this.project(lo, hi, off, input) && !this.box.partial;
  }

  /** Highlights drawn lifted out of their block (a column carried beside another) are drawn blocks too. */
  private liftedCopies(input: LabelInput): void {
    for (const hl of input.state.highlights) {
      if (!hl.lift) continue;
      const b = this.blocks.get(hl.block);
      if (!b || input.state.blocks[b.id]?.opacity === 0) continue;
      const off = input.state.blocks[b.id]?.offset ?? ZERO;
      const cw = b.size[0] / b.cols.size;
      const ch = b.size[1] / b.rows.size;
      const [r0, r1] = hl.rows ?? [0, b.rows.size];
      const [c0, c1] = hl.cols ?? [0, b.cols.size];
      const lo = this.lo;
      const hi = this.hi;
      lo[0] = b.position[0] + c0 * cw + hl.lift[0];
      lo[1] = b.position[1] - r1 * ch + hl.lift[1];
      lo[2] = b.position[2] - b.size[2] + hl.lift[2];
      hi[0] = b.position[0] + c1 * cw + hl.lift[0];
      hi[1] = b.position[1] - r0 * ch + hl.lift[1];
      hi[2] = b.position[2] + hl.lift[2];
      if (this.project(lo, hi, off, input) && !this.box.partial) this.placer.obstacles.add(this.box.x0, this.box.y0, this.box.x1, this.box.y1);
    }
  }

  /** Screen position of a point of block `b` (cell coordinates, fractional allowed) into this.tmp; false when behind the eye. */
  private cellPoint(b: Block, row: number, col: number, off: Vec3, input: LabelInput): boolean {
    const p = this.corner;
    p[0] = b.position[0] + off[0] + (col + 0.5) * (b.size[0] / b.cols.size);
    p[1] = b.position[1] + off[1] - (row + 0.5) * (b.size[1] / b.rows.size);
    p[2] = b.position[2] + off[2];
    return projectPoint(input.matrices, p, input.width, input.height, this.tmp);
  }

  /** Screen position of world point `p` shifted by `off` into this.tmp; false when behind the eye. */
  private shifted(p: Vec3, off: Vec3 | undefined, input: LabelInput): boolean {
    const q = this.lo;
    q[0] = p[0] + (off ? off[0] : 0);
    q[1] = p[1] + (off ? off[1] : 0);
    q[2] = p[2] + (off ? off[2] : 0);
    return projectPoint(input.matrices, q, input.width, input.height, this.tmp);
  }

  private collectCallouts(input: LabelInput): void {
    const callouts = input.state.callouts;
    for (let i = 0; i < callouts.length; i++) {
      const c = callouts[i]!;
      const b = this.blocks.get(c.block);
      if (!b) continue;
      const st = input.state.blocks[b.id];
      const off = st?.offset ?? ZERO;
      // Without a cell, the callout hangs from the block's top-left corner.
      const at = c.row !== undefined && c.col !== undefined ? this.cellPoint(b, c.row, c.col, off, input) : this.cellPoint(b, -0.5, -0.5, off, input);
      if (!at) continue;
      const px = this.tmp[0]!;
      const py = this.tmp[1]!;
      const k = this.next(KIND.callout, c.text, CALLOUT[c.role ?? 'focus'], i * 0.01);
      k.px = px;
      k.py = py;
      k.callout = i;
      k.left = c.side === 'left';
      // Its fallback room is beside the block it belongs to (the pin itself when the block is hidden or unprojectable).
      if (st?.opacity !== 0 && this.blockRect(b, off, input)) {
        this.ownerFrom(k, this.box);
      } else {
        k.owner.x0 = k.owner.x1 = px;
        k.owner.y0 = k.owner.y1 = py;
      }
    }
  }

  private collectTokens(input: LabelInput): void {
    const b = this.blocks.get(TOP_IDS.tokens);
    if (!b || !input.tokens) return;
    const st = input.state.blocks[b.id];
    if (st?.opacity === 0) return;
    const off = st?.offset ?? ZERO;
    // Letters only when a cell is big enough to hold one.
    if (!this.cellPoint(b, 0, 0, off, input)) return;
    const ax = this.tmp[0]!;
    const ay = this.tmp[1]!;
    if (!this.cellPoint(b, 0, Math.min(1, b.cols.size - 1), off, input)) return;
    if (b.cols.size > 1 && Math.hypot(this.tmp[0]! - ax, this.tmp[1]! - ay) < 14) return;
    for (let col = 0; col < Math.min(b.cols.size, input.tokens.length); col++) {
      if (!this.cellPoint(b, 0, col, off, input)) continue;
      const k = this.next(KIND.token, input.tokens[col]!, TOKEN, 2);
      k.px = this.tmp[0]!;
      k.py = this.tmp[1]!;
    }
  }

  /** The letter of each vocabulary row (left of the block) or column (above it), once cells are big enough. */
  private collectLetters(b: Block, input: LabelInput): void {
    const st = input.state.blocks[b.id];
    if (st?.opacity === 0) return;
    const off = st?.offset ?? ZERO;
    const byRow = b.rows.name === 'V';
    const n = byRow ? b.rows.size : b.cols.size;
    // Points on the block's left edge (rows) or top edge (columns): cell coordinate -0.5 is the edge.
    if (!this.cellPoint(b, byRow ? 0 : -0.5, byRow ? -0.5 : 0, off, input)) return;
    const x0 = this.tmp[0]!;
    const y0 = this.tmp[1]!;
    if (!this.cellPoint(b, byRow ? 1 : -0.5, byRow ? -0.5 : 1, off, input)) return;
    if (Math.hypot(this.tmp[0]! - x0, this.tmp[1]! - y0) < 14) return;
    for (let i = 0; i < n; i++) {
      if (!this.cellPoint(b, byRow ? i : -0.5, byRow ? -0.5 : i, off, input)) continue;
      const k = this.next(KIND.letter, VOCAB[i] ?? '?', VOCAB_LETTER, 3);
      k.px = this.tmp[0]!;
      k.py = this.tmp[1]!;
      k.left = byRow;
    }
  }

  /** "+ attention, layer 1" beside each residual arrow long enough on screen to carry it. */
  private collectSpine(input: LabelInput): void {
    const styles = input.state.blocks;
    for (const seg of this.layout?.spine ?? []) {
      if (!seg.label) continue;
      // Each end moves with its block, as the renderer draws it; a hidden block hides the arrow.
      const a = seg.fromBlock === undefined ? undefined : styles[seg.fromBlock];
      const b = seg.toBlock === undefined ? undefined : styles[seg.toBlock];
      if (a?.opacity === 0 || b?.opacity === 0) continue;
      if (!this.shifted(seg.from, a?.offset, input)) continue;
      const x0 = this.tmp[0]!;
      const y0 = this.tmp[1]!;
      if (!this.shifted(seg.to, b?.offset, input)) continue;
      if (Math.hypot(this.tmp[0]! - x0, this.tmp[1]! - y0) < 60) continue;
      const k = this.next(KIND.spine, seg.label, SPINE, 45);
      k.owner.x0 = k.owner.x1 = k.px = (x0 + this.tmp[0]!) / 2;
      k.owner.y0 = k.owner.y1 = k.py = (y0 + this.tmp[1]!) / 2;
    }
  }
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority;
}

/** Text widths from a 2D canvas in the labels' own font family; an estimate where there is no canvas. */
function canvasMeasure(root: HTMLElement): MeasureText {
  let ctx: CanvasRenderingContext2D | null | undefined;
  let family = '';
  return (text, font) => {
    if (ctx === undefined) {
      ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
      family = getComputedStyle(root).fontFamily || 'sans-serif';
    }
    if (!ctx) return text.length * parseFloat(font.replace(/^.*?(\d+(?:\.\d+)?)px$/, '$1')) * 0.6;
    ctx.font = `${font} ${family}`;
    return ctx.measureText(text).width;
  };
}
