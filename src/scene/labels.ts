/**
 * Block, group and axis labels as a DOM overlay over the canvas: real text, crisp at any zoom.
 *
 * Labels form a tree (model > layer > stage > block, blocks also carrying axis labels), built
 * once per layout. Each frame walks it top-down, projecting group bounds, and descends only into
 * groups big enough on screen, so the per-frame cost follows what is visible rather than the
 * model's size (GPT-3 has ~2,000 blocks). Candidates are then placed greedily in priority order
 * (callouts, tokens, model, layer, stage, block, axes) and dropped when they would overlap a
 * label already placed, so zooming out thins the text instead of piling it into mush.
 *
 * Elements are pooled; a frame only changes text, class and transform of the ones it shows.
 */
import { VOCAB } from '../gpt/config.ts';
import { projectPoint, type CameraMatrices } from './camera.ts';
import { TOP_IDS } from './ids.ts';
import type { Block, Callout, HighlightRole, ModelLayout, SceneState, Vec3 } from './types.ts';

const STAGE_NAMES: Record<string, string> = {
  input: 'Input',
  embedding: 'Embedding',
  ln_1: 'Layer norm 1',
  attention: 'Attention',
  projection: 'Attention output',
  ln_2: 'Layer norm 2',
  mlp: 'MLP',
  ln_f: 'Final layer norm',
  lm_head: 'Output head',
  output: 'Next-token probabilities',
};

type Level = 0 | 1 | 2 | 3;

interface Node {
  text: string;
  level: Level;
  min: Vec3;
  max: Vec3;
  /** Where the label sits: the top-left front corner of the group's topmost blocks (not of its bounding box, whose corner may be empty space). */
  anchor: Vec3;
  block: Block | null;
  children: Node[];
}

interface Candidate {
  text: string;
  cls: string;
  x: number;
  y: number;
  /** Where the text box sits relative to (x, y): 0 = left/top edge, 0.5 = centred, 1 = right/bottom edge. */
  ax: number;
  ay: number;
  fontPx: number;
  priority: number;
  /** Index in SceneState.callouts, for callout candidates. */
  callout?: number;
}

/** Pixel heights a group must reach before its label shows, and before its children are visited. */
const SHOW_AT: Record<Level, number> = { 0: 0, 1: 40, 2: 36, 3: 14 };
const OPEN_AT: Record<Level, number> = { 0: 0, 1: 140, 2: 70, 3: Infinity };
const FONT_PX: Record<Level, number> = { 0: 16, 1: 14, 2: 12, 3: 11 };
const MAX_LABELS = 90;

export function stageName(stage: string): string {
  return STAGE_NAMES[stage] ?? stage;
}

function boxOf(b: Block): { min: Vec3; max: Vec3 } {
  return {
    min: [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]],
    max: [b.position[0] + b.size[0], b.position[1], b.position[2]],
  };
}

function union(nodes: Node[]): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const n of nodes) {
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, n.min[i]!);
      max[i] = Math.max(max[i]!, n.max[i]!);
    }
  }
  return { min, max };
}

/** The label tree of a layout: the model, its layers and top-level stages, their stages, their blocks. */
export function buildLabelTree(layout: ModelLayout, modelName: string): Node {
  const leaf = (b: Block): Node => {
    const box = boxOf(b);
    return { text: b.label, level: 3, ...box, anchor: [box.min[0], box.max[1], box.max[2]], block: b, children: [] };
  };
  const group = (text: string, level: Level, children: Node[]): Node => {
    const box = union(children);
    const top = children.filter((c) => c.anchor[1] >= box.max[1] - 1e-6);
    const x = Math.min(...top.map((c) => c.anchor[0]));
    return { text, level, ...box, anchor: [x, box.max[1], box.max[2]], block: null, children };
  };
  const top: Node[] = [];
  const byLayer = new Map<number, Map<string, Node[]>>();
  const topStages = new Map<string, Node[]>();
  for (const b of layout.blocks) {
    if (b.layer === null) {
      const list = topStages.get(b.stage) ?? [];
      list.push(leaf(b));
      topStages.set(b.stage, list);
      continue;
    }
    const stages = byLayer.get(b.layer) ?? new Map<string, Node[]>();
    const list = stages.get(b.stage) ?? [];
    list.push(leaf(b));
    stages.set(b.stage, list);
    byLayer.set(b.layer, stages);
  }
  for (const [stage, leaves] of topStages) top.push(group(stageName(stage), 1, [group(stageName(stage), 2, leaves)]));
  for (const [layer, stages] of byLayer) {
    const kids = [...stages].map(([stage, leaves]) => group(stageName(stage), 2, leaves));
    top.push(group(`Layer ${layer + 1}`, 1, kids));
  }
  return group(modelName, 0, top);
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface LabelInput {
  matrices: CameraMatrices;
  width: number;
  height: number;
  state: SceneState;
  /** Letters of the input tokens, drawn over the 'tokens' block's cells. */
  tokens: string | null;
}

export class LabelLayer {
  private readonly root: HTMLElement;
  private tree: Node | null = null;
  private layout: ModelLayout | null = null;
  private blocks = new Map<string, Block>();
  /** Blocks with a vocabulary axis small enough to letter each row or column (nano's A, B, C). */
  private lettered: Block[] = [];
  private readonly pool: HTMLElement[] = [];
  private shown = 0;
  private readonly corner: Vec3 = [0, 0, 0];
  private readonly tmp = new Float32Array(3);
  /** Where each callout of the last frame was placed (by index in SceneState.callouts), null if not shown. */
  private calloutRects: (Rect | null)[] = [];

  constructor(root: HTMLElement) {
    this.root = root;
  }

  setLayout(layout: ModelLayout, modelName: string): void {
    if (this.layout === layout) return;
    this.layout = layout;
    this.tree = buildLabelTree(layout, modelName);
    this.blocks = new Map(layout.blocks.map((b) => [b.id, b]));
    this.lettered = layout.blocks.filter((b) => (b.rows.name === 'V' || b.cols.name === 'V') && layout.config.vocab_size <= VOCAB.length);
  }

  /** The screen rectangle (CSS px) of callout `index` as placed in the last frame, or null when it was not shown. */
  calloutBox(index: number): Readonly<Rect> | null {
    return this.calloutRects[index] ?? null;
  }

  /** Projects, declutters and positions the labels for one frame. */
  update(input: LabelInput): void {
    this.calloutRects.length = 0;
    if (!this.tree) return;
    const candidates: Candidate[] = [];
    this.collectCallouts(input, candidates);
    this.collectTokens(input, candidates);
    for (const b of this.lettered) this.collectLetters(b, input, candidates);
    this.collectSpine(input, candidates);
    this.visit(this.tree, input, candidates);
    candidates.sort((a, b) => a.priority - b.priority);

    const placed: Rect[] = [];
    let n = 0;
    for (const c of candidates) {
      if (n >= MAX_LABELS) break;
      const w = c.text.length * c.fontPx * 0.56 + 8;
      const h = c.fontPx * 1.35 + 2;
      const x0 = c.x - c.ax * w;
      const y0 = c.y - c.ay * h;
      const r = { x0, y0, x1: x0 + w, y1: y0 + h };
      if (r.x1 < 0 || r.y1 < 0 || r.x0 > input.width || r.y0 > input.height) continue;
      if (placed.some((p) => p.x0 < r.x1 && r.x0 < p.x1 && p.y0 < r.y1 && r.y0 < p.y1)) continue;
      placed.push(r);
      if (c.callout !== undefined) this.calloutRects[c.callout] = r;
      this.show(n++, c, x0, y0);
    }
    for (let i = n; i < this.shown; i++) this.pool[i]!.style.display = 'none';
    this.shown = n;
  }

  clear(): void {
    for (let i = 0; i < this.shown; i++) this.pool[i]!.style.display = 'none';
    this.shown = 0;
  }

  private show(i: number, c: Candidate, x: number, y: number): void {
    let el = this.pool[i];
    if (!el) {
      el = document.createElement('span');
      el.className = 'scene-label';
      this.root.appendChild(el);
      this.pool.push(el);
    }
    if (el.textContent !== c.text) el.textContent = c.text;
    const cls = `scene-label ${c.cls}`;
    if (el.className !== cls) el.className = cls;
    el.style.display = '';
    // Anchored by its true width (a percentage of the element's own box), not the estimate used to
    // declutter: a right-aligned callout then ends exactly where its arrow meets it.
    el.style.transform = c.ax === 0 ? `translate(${Math.round(x)}px, ${Math.round(y)}px)` : `translate(${Math.round(c.x)}px, ${Math.round(y)}px) translateX(${-c.ax * 100}%)`;
  }

  /** Screen rectangle of a world box, or null when off screen; `partial` when part of it is behind the eye. */
  private project(min: Vec3, max: Vec3, input: LabelInput): (Rect & { partial: boolean }) | null {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let behind = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.corner;
      p[0] = i & 1 ? max[0] : min[0];
      p[1] = i & 2 ? max[1] : min[1];
      p[2] = i & 4 ? max[2] : min[2];
      if (!projectPoint(input.matrices, p, input.width, input.height, this.tmp)) {
        behind++;
        continue;
      }
      x0 = Math.min(x0, this.tmp[0]!);
      y0 = Math.min(y0, this.tmp[1]!);
      x1 = Math.max(x1, this.tmp[0]!);
      y1 = Math.max(y1, this.tmp[1]!);
    }
    if (behind === 8) return null;
    if (behind === 0 && (x1 < 0 || y1 < 0 || x0 > input.width || y0 > input.height)) return null;
    return { x0, y0, x1, y1, partial: behind > 0 };
  }

  private visit(node: Node, input: LabelInput, out: Candidate[]): void {
    const style = node.block ? input.state.blocks[node.block.id] : undefined;
    if (style?.opacity === 0) return;
    const off = style?.offset ?? [0, 0, 0];
    const min: Vec3 = [node.min[0] + off[0], node.min[1] + off[1], node.min[2] + off[2]];
    const max: Vec3 = [node.max[0] + off[0], node.max[1] + off[1], node.max[2] + off[2]];
    const r = this.project(min, max, input);
    if (!r) return;
    const h = r.partial ? Infinity : r.y1 - r.y0;
    const w = r.partial ? Infinity : r.x1 - r.x0;
    if (!r.partial && h >= SHOW_AT[node.level] && (node.level < 3 || w >= 24)) {
      if (projectPoint(input.matrices, [node.anchor[0] + off[0], node.anchor[1] + off[1], node.anchor[2] + off[2]], input.width, input.height, this.tmp)) {
        const level = node.level;
        // A group's corner is usually its first block's corner too: stack the labels, outermost highest.
        const lift = 3 + (3 - level) * 17;
        const big = h > input.height * 0.9;
        out.push({
          text: node.text,
          cls: `level-${level}`,
          x: level === 0 && !big ? (r.x0 + r.x1) / 2 : Math.max(4, this.tmp[0]!),
          y: Math.max(2, this.tmp[1]! - lift),
          ax: level === 0 && !big ? 0.5 : 0,
          ay: this.tmp[1]! - lift < 2 ? 0 : 1,
          fontPx: FONT_PX[level],
          priority: 10 + level * 10 - Math.min(9, Math.log2(1 + h)),
        });
      }
      if (node.block && h > 110 && w > 60) this.collectAxes(node.block, min, max, input, out);
    }
    if (h >= OPEN_AT[node.level]) for (const child of node.children) this.visit(child, input, out);
  }

  /** Axis names and sizes: columns under the bottom edge, rows left of the left edge. */
  private collectAxes(b: Block, min: Vec3, max: Vec3, input: LabelInput, out: Candidate[]): void {
    const bottom: Vec3 = [(min[0] + max[0]) / 2, min[1], max[2]];
    const left: Vec3 = [min[0], (min[1] + max[1]) / 2, max[2]];
    if (projectPoint(input.matrices, bottom, input.width, input.height, this.tmp)) {
      out.push({ text: `${b.cols.name} = ${b.cols.size}`, cls: 'axis', x: this.tmp[0]!, y: this.tmp[1]! + 3, ax: 0.5, ay: 0, fontPx: 11, priority: 60 });
    }
    if (projectPoint(input.matrices, left, input.width, input.height, this.tmp)) {
      out.push({ text: `${b.rows.name} = ${b.rows.size}`, cls: 'axis', x: this.tmp[0]! - 4, y: this.tmp[1]!, ax: 1, ay: 0.5, fontPx: 11, priority: 61 });
    }
  }

  private cellCentre(b: Block, row: number, col: number, off: Vec3): Vec3 {
    const cw = b.size[0] / b.cols.size;
    const ch = b.size[1] / b.rows.size;
    return [b.position[0] + off[0] + (col + 0.5) * cw, b.position[1] + off[1] - (row + 0.5) * ch, b.position[2] + off[2]];
  }

  private collectTokens(input: LabelInput, out: Candidate[]): void {
    const b = this.blocks.get(TOP_IDS.tokens);
    if (!b || !input.tokens) return;
    const style = input.state.blocks[b.id];
    if (style?.opacity === 0) return;
    const off = style?.offset ?? [0, 0, 0];
    // Letters only when a cell is big enough to hold one.
    const a = this.cellCentre(b, 0, 0, off);
    const c = this.cellCentre(b, 0, Math.min(1, b.cols.size - 1), off);
    if (!projectPoint(input.matrices, a, input.width, input.height, this.tmp)) return;
    const ax = this.tmp[0]!;
    const ay = this.tmp[1]!;
    if (!projectPoint(input.matrices, c, input.width, input.height, this.tmp)) return;
    const step = Math.hypot(this.tmp[0]! - ax, this.tmp[1]! - ay);
    if (b.cols.size > 1 && step < 14) return;
    for (let col = 0; col < Math.min(b.cols.size, input.tokens.length); col++) {
      if (!projectPoint(input.matrices, this.cellCentre(b, 0, col, off), input.width, input.height, this.tmp)) continue;
      out.push({ text: input.tokens[col]!, cls: 'token', x: this.tmp[0]!, y: this.tmp[1]!, ax: 0.5, ay: 0.5, fontPx: 14, priority: 2 });
    }
  }

  /** The letter of each vocabulary row (left of the block) or column (above it), once cells are big enough. */
  private collectLetters(b: Block, input: LabelInput, out: Candidate[]): void {
    const style = input.state.blocks[b.id];
    if (style?.opacity === 0) return;
    const off = style?.offset ?? [0, 0, 0];
    const byRow = b.rows.name === 'V';
    const n = byRow ? b.rows.size : b.cols.size;
    const at = (i: number): Vec3 => {
      const c = this.cellCentre(b, byRow ? i : 0, byRow ? 0 : i, off);
      const cw = b.size[0] / b.cols.size;
      const ch = b.size[1] / b.rows.size;
      return byRow ? [b.position[0] + off[0] - 0.6 * cw, c[1], c[2]] : [c[0], b.position[1] + off[1] + 0.6 * ch, c[2]];
    };
    if (!projectPoint(input.matrices, at(0), input.width, input.height, this.tmp)) return;
    const x0 = this.tmp[0]!;
    const y0 = this.tmp[1]!;
    if (!projectPoint(input.matrices, at(1), input.width, input.height, this.tmp)) return;
    if (Math.hypot(this.tmp[0]! - x0, this.tmp[1]! - y0) < 14) return;
    for (let i = 0; i < n; i++) {
      if (!projectPoint(input.matrices, at(i), input.width, input.height, this.tmp)) continue;
      out.push({ text: VOCAB[i] ?? '?', cls: 'token vocab', x: this.tmp[0]!, y: this.tmp[1]!, ax: 0.5, ay: 0.5, fontPx: 14, priority: 3 });
    }
  }

  /** "+ attention, layer 1" beside each residual arrow long enough on screen to carry it. */
  private collectSpine(input: LabelInput, out: Candidate[]): void {
    for (const seg of this.layout?.spine ?? []) {
      if (!seg.label) continue;
      if (!projectPoint(input.matrices, seg.from, input.width, input.height, this.tmp)) continue;
      const x0 = this.tmp[0]!;
      const y0 = this.tmp[1]!;
      if (!projectPoint(input.matrices, seg.to, input.width, input.height, this.tmp)) continue;
      if (Math.hypot(this.tmp[0]! - x0, this.tmp[1]! - y0) < 60) continue;
      out.push({ text: seg.label, cls: 'spine', x: (x0 + this.tmp[0]!) / 2 + 8, y: (y0 + this.tmp[1]!) / 2, ax: 0, ay: 0.5, fontPx: 11, priority: 45 });
    }
  }

  private collectCallouts(input: LabelInput, out: Candidate[]): void {
    input.state.callouts.forEach((c: Callout, i) => {
      const b = this.blocks.get(c.block);
      if (!b) return;
      const off = input.state.blocks[b.id]?.offset ?? [0, 0, 0];
      const p: Vec3 =
        c.row !== undefined && c.col !== undefined ? this.cellCentre(b, c.row, c.col, off) : [b.position[0] + off[0], b.position[1] + off[1], b.position[2] + off[2]];
      if (!projectPoint(input.matrices, p, input.width, input.height, this.tmp)) return;
      const role: HighlightRole = c.role ?? 'focus';
      const left = c.side === 'left';
      out.push({ text: c.text, cls: `callout role-${role}`, x: this.tmp[0]! + (left ? -6 : 6), y: this.tmp[1]! - 6, ax: left ? 1 : 0, ay: 1, fontPx: 12, priority: i * 0.01, callout: i });
    });
  }
}
