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
 * Box sizes come from the text measured once per string (canvas measureText, in the labels' own
 * font, on an OffscreenCanvas where the render worker places them) and go with each label to the
 * sink (the page's elements, label-dom.ts, which take exactly these boxes), so the DOM boxes are
 * the placed ones. Candidates are pooled; the elements change only the text, class, size and
 * transform of the ones a frame shows.
 */
import { VOCAB } from '../gpt/config.ts';
import { blockById } from './cells.ts';
import type { ScreenMatrices } from './camera.ts';
import { TOP_IDS } from './ids.ts';
import { ScreenProjector } from './label-dom.ts';
import { AXIS, CALLOUT, NAME_STYLES, SPINE, TextBoxes, TOKEN, VOCAB_LETTER, labelStyles, type LabelStyle, type MeasureText } from './label-styles.ts';
import { buildLabelTree, refreshDrawnBounds, type LabelNode, type Level } from './label-tree.ts';
import { ABOVE, BELOW, copyRect, LEFT, Placer, RIGHT, type PlaceRequest, type Rect, type Side } from './placement.ts';
import { samePlaces } from './same.ts';
import type { Block, ModelLayout, SceneState, Vec3 } from './types.ts';

export { stageName } from './label-tree.ts';
export { labelStyles, LINE, type LabelStyle, type MeasureText } from './label-styles.ts';

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
/** The characters labels are written with: measured once per style at idle time (see the constructor). */
const LABEL_CHARS = ` 0123456789.,:;%()[]=+−-×÷·√Σ≈→←…'"/?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzαβγ₀₁₂₃₄₅₆₇₈₉ᵀ`;
/** A callout whose box ends further than this from its cell, px, is far: an arrow joins them. */
const FAR_DISTANCE = 40;
/** A callout placed beside the whole drawing keeps this far from it, px (its arrow needs the room). */
const FAR_GAP = 14;
/** Scratch for placeBesideDrawing: free room on each side (indexed by Side), and the sides by room. */
const FAR_ROOM = [0, 0, 0, 0];
const FAR_SIDES: Side[] = [LEFT, RIGHT, ABOVE, BELOW];

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
  matrices: ScreenMatrices;
  width: number;
  height: number;
  state: SceneState;
  /** Letters of the input tokens, drawn over the 'tokens' block's cells. */
  tokens: string | null;
  /** Adds screen boxes no label may cover this frame (the arrows between blocks). */
  avoid?: (add: (x0: number, y0: number, x1: number, y1: number) => void) => void;
}

/**
 * Where a frame's placed labels go: the page's pooled elements (label-dom.ts LabelElements), or,
 * in the render worker, a record of them that the page writes to its elements (overlay.ts).
 */
export interface LabelSink {
  /** Shows `text` with class list `cls` in the box `r` (CSS px), this frame. */
  show(text: string, cls: string, r: Readonly<Rect>): void;
  /** The frame's labels are all shown: any other is hidden. */
  end(): void;
}

export class LabelLayer {
  private tree: LabelNode | null = null;
  private layout: ModelLayout | null = null;
  private blocks: ReadonlyMap<string, Block> = new Map();
  /** Blocks with a vocabulary axis small enough to letter each row or column (nano's A, B, C). */
  private lettered: Block[] = [];
  /** The input row the reader's letters are written on. */
  private tokenRow: string = TOP_IDS.tokens;
  private everyBlock = true;
  /** The block styles the tree's drawn bounds were last computed for. */
  private boundsFor: SceneState['blocks'] | null = null;
  /** What each layout labelled so far needs (prepare()), with the styles its tree's drawn bounds follow. */
  private readonly prepared = new WeakMap<ModelLayout, { tree: LabelNode; blocks: ReadonlyMap<string, Block>; everyBlock: boolean; lettered: Block[]; tokenRow: string; boundsFor: SceneState['blocks'] | null }>();
  private readonly placer = new Placer();
  private readonly request: PlaceRequest = { w: 0, h: 0, owner: { x0: 0, y0: 0, x1: 0, y1: 0 }, sides: NAME_SIDES, alongX: NaN, alongY: NaN, gap: 3, slide: 0, both: false, reach: 0 };
  private readonly boxes: TextBoxes;
  private readonly elements: LabelSink;
  private readonly screen = new ScreenProjector();
  private readonly cands: Candidate[] = [];
  private nc = 0;
  /** Set by placeBesideDrawing for the label being placed. */
  private far = false;
  private readonly order: Candidate[] = [];
  private readonly placed: Rect = { x0: 0, y0: 0, x1: 0, y1: 0 };
  /** Where each callout of the last frame was placed (by index in SceneState.callouts); `calloutShown` says which were. */
  private readonly calloutRects: Rect[] = [];
  private readonly calloutShown: boolean[] = [];
  /** Callouts of the last frame placed out in the free room beside the drawing, far from their cell: they need a leader arrow. */
  private readonly calloutFar: boolean[] = [];
  /** Scratch: the drawing's screen bounds, for callouts placed beside it. */
  private readonly drawing: Rect = { x0: 0, y0: 0, x1: 0, y1: 0 };
  /** What the last real frame placed its labels for (see unchanged()). */
  private readonly shownFor = { viewProjection: new Float32Array(16), origin: [NaN, NaN, NaN] as Vec3, width: 0, height: 0, blocks: null as SceneState['blocks'] | null, highlights: null as SceneState['highlights'] | null, callouts: null as SceneState['callouts'] | null, links: null as SceneState['links'] | null, tokens: null as string | null, valid: false };

  constructor(sink: LabelSink, measureText: MeasureText) {
    this.elements = sink;
    this.boxes = new TextBoxes(measureText);
  }

  /**
   * Measures the characters labels are made of, in every label style, so that a frame that shows
   * a new running number or name never waits for the canvas to shape a character. For a moment
   * with nothing else to do (the render worker, once it is told the labels' font).
   */
  premeasure(): void {
    for (const s of labelStyles()) this.boxes.width(LABEL_CHARS, s);
  }

  setLayout(layout: ModelLayout): void {
    if (this.layout === layout) return;
    this.use(layout);
    this.shownFor.valid = false;
  }

  /**
   * Works out what the labels of `layout` need (its label tree, its blocks by id, its lettered
   * blocks) ahead of the frame that first shows it: a step that cuts to another model (a bigger
   * one, or nano over more tokens) then finds them ready. Kept per layout for as long as the
   * layout lives.
   */
  prepare(layout: ModelLayout): void {
    if (this.prepared.has(layout)) return;
    // Letters and the input tokens belong to the model with values: a companion's, when there is one.
    const own = layout.companion;
    const lettersOf = own ? own.layout : layout;
    this.prepared.set(layout, {
      tree: buildLabelTree(layout),
      blocks: blockById(layout),
      everyBlock: layout.blocks.length <= EVERY_BLOCK,
      lettered: lettersOf.config.vocab_size <= VOCAB.length ? layout.blocks.filter((b) => (b.rows.name === 'V' || b.cols.name === 'V') && (!own || b.id.startsWith(own.prefix))) : [],
      tokenRow: (own?.prefix ?? '') + TOP_IDS.tokens,
      boundsFor: null,
    });
  }

  /** Makes `layout` (prepared now if it was not) the one labelled, keeping where the last one's drawn bounds were. */
  private use(layout: ModelLayout): void {
    if (this.layout) this.prepared.get(this.layout)!.boundsFor = this.boundsFor;
    this.prepare(layout);
    // Its tree, blocks, lettered blocks, token row and drawn bounds' styles, under the same names.
    Object.assign(this, this.prepared.get(layout)!);
    this.layout = layout;
  }

  /** The screen rectangle (CSS px) of callout `index` as placed in the last frame, or null when it was not shown. */
  calloutBox(index: number): Readonly<Rect> | null {
    return this.calloutShown[index] ? this.calloutRects[index]! : null;
  }

  /**
   * Whether callout `index` was shown away from its cell: more than FAR_DISTANCE px from it, or in
   * the free room beside the drawing (no room near the cell: a dense model seen whole). The view
   * joins such a callout to its cell with an arrow, as a diagram joins a label in its margin to
   * what it names.
   */
  calloutIsFar(index: number): boolean {
    return this.calloutShown[index] === true && this.calloutFar[index] === true;
  }

  private readonly addObstacle = (x0: number, y0: number, x1: number, y1: number): void => this.placer.obstacles.add(x0, y0, x1, y1);

  /**
   * Projects, places and positions the labels for one frame; false when they stay where the last
   * frame put them (nothing is shown or hidden then). A `dry` run (a rehearsal, overlay.ts) does
   * all of it but the showing: no label goes to the sink and what the last real frame placed
   * (calloutBox, calloutIsFar) stays as it was.
   */
  update(input: LabelInput, dry = false, layout: ModelLayout | null = this.layout): boolean {
    if (dry) {
      const kept = { shown: [...this.calloutShown], far: [...this.calloutFar], rects: this.calloutRects.map((r) => ({ ...r })) };
      // A rehearsal of a step that shows another model places that model's labels.
      const shown = this.layout;
      if (layout && layout !== shown) this.use(layout);
      this.place(input, true);
      if (shown && shown !== layout) this.use(shown);
      this.calloutShown.splice(0, Infinity, ...kept.shown);
      this.calloutFar.splice(0, Infinity, ...kept.far);
      this.calloutRects.splice(0, Infinity, ...kept.rects);
      return true;
    }
    // A frame that moves neither the camera nor any block (the sweep filling blocks in, a
    // highlight moving across cells) would place every label where it already is.
    if (this.unchanged(input)) return false;
    this.place(input, false);
    this.remember(input);
    return true;
  }

  /** The next frame places every label, even from the same inputs (the sink was emptied elsewhere). */
  invalidate(): void {
    this.shownFor.valid = false;
  }

  /**
   * Whether the last real frame placed its labels from the same inputs: the same camera and stage
   * size, blocks in the same places, the same callouts, arrows and tokens, and the same lifted
   * copies. The view keeps equal scene parts as the same objects (same.ts), so most of it is a
   * comparison of identities.
   */
  private unchanged(input: LabelInput): boolean {
    const f = this.shownFor;
    if (!f.valid || f.width !== input.width || f.height !== input.height || f.tokens !== input.tokens) return false;
    const s = input.state;
    if (f.callouts !== s.callouts || f.links !== s.links) return false;
    if (f.highlights !== s.highlights && (hasLift(f.highlights) || hasLift(s.highlights))) return false;
    const m = input.matrices;
    for (let i = 0; i < 3; i++) if (f.origin[i] !== m.origin[i]) return false;
    for (let i = 0; i < 16; i++) if (f.viewProjection[i] !== m.viewProjection[i]) return false;
    return samePlaces(f.blocks, s.blocks);
  }

  private remember(input: LabelInput): void {
    const f = this.shownFor;
    const s = input.state;
    f.viewProjection.set(input.matrices.viewProjection);
    for (let i = 0; i < 3; i++) f.origin[i] = input.matrices.origin[i]!;
    f.width = input.width;
    f.height = input.height;
    f.blocks = s.blocks;
    f.highlights = s.highlights;
    f.callouts = s.callouts;
    f.links = s.links;
    f.tokens = input.tokens;
    f.valid = true;
  }

  private place(input: LabelInput, dry: boolean): void {
    this.calloutShown.length = 0;
    this.calloutFar.length = 0;
    if (!this.tree) return;
    this.placer.begin(input.width, input.height);
    input.avoid?.(this.addObstacle);
    this.screen.begin(input.matrices, input.width, input.height);
    this.nc = 0;
    // The drawn bounds follow offsets and opacities: blocks that only fill in leave them as they are.
    if (!samePlaces(this.boundsFor, input.state.blocks)) refreshDrawnBounds(this.tree, input.state.blocks);
    this.boundsFor = input.state.blocks;
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
      this.far = false;
      if (!this.placeOne(c, input)) continue;
      if (c.callout >= 0) {
        const p = this.placed;
        const away = Math.hypot(Math.max(p.x0 - c.px, c.px - p.x1, 0), Math.max(p.y0 - c.py, c.py - p.y1, 0));
        this.calloutFar[c.callout] = this.far || away > FAR_DISTANCE;
        const r = (this.calloutRects[c.callout] ??= { x0: 0, y0: 0, x1: 0, y1: 0 });
        copyRect(r, this.placed);
        this.calloutShown[c.callout] = true;
      }
      if (!dry) this.elements.show(c.text, c.style.cls, this.placed);
      n++;
    }
    if (!dry) this.elements.end();
  }

  private placeOne(c: Candidate, input: LabelInput): boolean {
    const s = c.style;
    const w = this.boxes.width(c.text, s);
    const h = this.boxes.height(s);
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
    copyRect(q.owner, c.owner);
    if (p.place(q, out)) return true;
    return c.kind === KIND.callout && this.placeBesideDrawing(c, w, h, out);
  }

  /**
   * A callout with no room near its cell goes into the free room beside the whole drawing, level
   * with its cell where it can be (the side with the most room first), and is marked far.
   */
  private placeBesideDrawing(c: Candidate, w: number, h: number, out: Rect): boolean {
    const p = this.placer;
    const d = this.drawing;
    if (!p.obstacleBounds(d)) return false;
    const q = this.request;
    q.w = w;
    q.h = h;
    copyRect(q.owner, d);
    q.alongX = c.px;
    q.alongY = c.py;
    q.gap = FAR_GAP;
    q.slide = Infinity;
    q.both = true;
    q.reach = 0;
    const room = FAR_ROOM;
    room[LEFT] = d.x0 - w;
    room[RIGHT] = p.width - d.x1 - w;
    room[ABOVE] = d.y0 - h;
    room[BELOW] = p.height - d.y1 - h;
    const sides = FAR_SIDES;
    sides.sort((a, b) => room[b]! - room[a]!);
    q.sides = sides;
    if (!p.place(q, out)) return false;
    this.far = true;
    return true;
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
    copyRect(c.owner, r);
    return c;
  }

  /** Names what is big enough (when `named`), notes what is drawn, and descends into what is big enough to open. */
  private visit(node: LabelNode, input: LabelInput, named: boolean): void {
    if (!node.shown || !this.screen.project(node.dmin, node.dmax, undefined)) return;
    const b = this.screen.box;
    const partial = b.partial;
    const h = partial ? Infinity : b.y1 - b.y0;
    const w = partial ? Infinity : b.x1 - b.x0;
    const open = h >= OPEN_AT[node.level];
    const p = this.placer;
    // Named only when enough of it is on screen, not when a sliver at the edge belongs to a big group.
    const seenH = Math.min(b.y1, input.height) - Math.max(b.y0, 0);
    const seenW = Math.min(b.x1, input.width) - Math.max(b.x0, 0);
    const x0 = b.x0;
    const y0 = b.y0;
    const x1 = b.x1;
    const y1 = b.y1;
    // The ends of the machine are named at any size when all of them is on the stage (a whole-model view).
    const whole = node.always && x0 >= 0 && y0 >= 0 && x1 <= input.width && y1 <= input.height;
    if (named && !partial && node.text && (whole || (seenH >= SHOW_AT[node.level] && (node.level < 3 || seenW >= 24)))) {
      const name = this.ownerFrom(this.next(KIND.name, node.text, NAME_STYLES[node.level], 10 + node.level * 10 - Math.min(9, Math.log2(1 + h))), b);
      if (node.block && h > 110 && w > 60) {
        this.ownerFrom(this.next(KIND.cols, node.colsText, AXIS, 60), b);
        this.ownerFrom(this.next(KIND.rows, node.rowsText, AXIS, 61), b);
      }
      // A layer is named where it starts, at its first stage: its bounds may span columns of a folded
      // model, whose corner can sit beside another layer.
      if (node.level === 1) {
        let first: LabelNode | undefined;
        for (const c of node.children) {
          if (!c.shown) continue;
          first = c;
          break;
        }
        if (first && this.screen.project(first.dmin, first.dmax, undefined) && !this.screen.box.partial) this.ownerFrom(name, this.screen.box);
      }
    }
    if (node.block) {
      if (!partial) p.obstacles.add(x0, y0, x1, y1);
      return;
    }
    if (open || this.everyBlock) {
      for (const child of node.children) this.visit(child, input, named && open);
    } else if (!partial) {
      p.obstacles.add(x0, y0, x1, y1);
    }
  }

  /** Highlights drawn lifted out of their block (a column carried beside another) are drawn blocks too. */
  private liftedCopies(input: LabelInput): void {
    for (const hl of input.state.highlights) {
      if (!hl.lift) continue;
      const b = this.blocks.get(hl.block);
      if (!b || input.state.blocks[b.id]?.opacity === 0) continue;
      const [r0, r1] = hl.rows ?? [0, b.rows.size];
      const [c0, c1] = hl.cols ?? [0, b.cols.size];
      const box = this.screen.box;
      if (this.screen.cells(b, input.state.blocks[b.id]?.offset, r0, r1, c0, c1, hl.lift)) this.placer.obstacles.add(box.x0, box.y0, box.x1, box.y1);
    }
  }

  private collectCallouts(input: LabelInput): void {
    const callouts = input.state.callouts;
    for (let i = 0; i < callouts.length; i++) {
      const c = callouts[i]!;
      const b = this.blocks.get(c.block);
      if (!b) continue;
      const st = input.state.blocks[b.id];
      const off = st?.offset;
      // Without a cell, the callout hangs from the block's top-left corner.
      const at = c.row !== undefined && c.col !== undefined ? this.screen.cellPoint(b, c.row, c.col, off) : this.screen.cellPoint(b, -0.5, -0.5, off);
      if (!at) continue;
      const px = this.screen.point[0]!;
      const py = this.screen.point[1]!;
      const k = this.next(KIND.callout, c.text, CALLOUT[c.role ?? 'focus'], i * 0.01);
      k.px = px;
      k.py = py;
      k.callout = i;
      k.left = c.side === 'left';
      // Its fallback room is beside the block it belongs to (the pin itself when the block is hidden or unprojectable).
      if (st?.opacity !== 0 && this.screen.cells(b, off)) {
        this.ownerFrom(k, this.screen.box);
      } else {
        k.owner.x0 = k.owner.x1 = px;
        k.owner.y0 = k.owner.y1 = py;
      }
    }
  }

  private collectTokens(input: LabelInput): void {
    const b = this.blocks.get(this.tokenRow);
    if (!b || !input.tokens) return;
    const st = input.state.blocks[b.id];
    if (st?.opacity === 0) return;
    const off = st?.offset;
    // Letters only when a cell is big enough to hold one.
    if (!this.screen.cellPoint(b, 0, 0, off)) return;
    const ax = this.screen.point[0]!;
    const ay = this.screen.point[1]!;
    if (!this.screen.cellPoint(b, 0, Math.min(1, b.cols.size - 1), off)) return;
    if (b.cols.size > 1 && Math.hypot(this.screen.point[0]! - ax, this.screen.point[1]! - ay) < 14) return;
    for (let col = 0; col < Math.min(b.cols.size, input.tokens.length); col++) {
      if (!this.screen.cellPoint(b, 0, col, off)) continue;
      const k = this.next(KIND.token, input.tokens[col]!, TOKEN, 2);
      k.px = this.screen.point[0]!;
      k.py = this.screen.point[1]!;
    }
  }

  /** The letter of each vocabulary row (left of the block) or column (above it), once cells are big enough. */
  private collectLetters(b: Block, input: LabelInput): void {
    const st = input.state.blocks[b.id];
    if (st?.opacity === 0) return;
    const off = st?.offset;
    const byRow = b.rows.name === 'V';
    const n = byRow ? b.rows.size : b.cols.size;
    // Points on the block's left edge (rows) or top edge (columns): cell coordinate -0.5 is the edge.
    if (!this.screen.cellPoint(b, byRow ? 0 : -0.5, byRow ? -0.5 : 0, off)) return;
    const x0 = this.screen.point[0]!;
    const y0 = this.screen.point[1]!;
    if (!this.screen.cellPoint(b, byRow ? 1 : -0.5, byRow ? -0.5 : 1, off)) return;
    if (Math.hypot(this.screen.point[0]! - x0, this.screen.point[1]! - y0) < 14) return;
    for (let i = 0; i < n; i++) {
      if (!this.screen.cellPoint(b, byRow ? i : -0.5, byRow ? -0.5 : i, off)) continue;
      const k = this.next(KIND.letter, VOCAB[i] ?? '?', VOCAB_LETTER, 3);
      k.px = this.screen.point[0]!;
      k.py = this.screen.point[1]!;
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
      const b = seg.toBlock === seg.fromBlock ? a : seg.toBlock === undefined ? undefined : styles[seg.toBlock];
      if (a?.opacity === 0 || b?.opacity === 0) continue;
      if (!this.screen.shifted(seg.from, a?.offset)) continue;
      const x0 = this.screen.point[0]!;
      const y0 = this.screen.point[1]!;
      if (!this.screen.shifted(seg.to, b?.offset)) continue;
      if (Math.hypot(this.screen.point[0]! - x0, this.screen.point[1]! - y0) < 60) continue;
      const k = this.next(KIND.spine, seg.label, SPINE, 45);
      k.owner.x0 = k.owner.x1 = k.px = (x0 + this.screen.point[0]!) / 2;
      k.owner.y0 = k.owner.y1 = k.py = (y0 + this.screen.point[1]!) / 2;
    }
  }
}

function hasLift(highlights: SceneState['highlights'] | null): boolean {
  return highlights?.some((h) => h.lift !== undefined) ?? false;
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority;
}
