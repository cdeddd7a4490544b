/**
 * The names the label layer can show, as a tree built once per layout: the model, its layers and
 * top-level stages (level 1), their stages (level 2), their blocks (level 3). Each node keeps its
 * world bounding box (blocks at their layout place; a block's style offset is added per frame),
 * so a frame can project a group and decide whether to name it, descend into it, or treat it as
 * one drawn rectangle.
 */
import type { Block, ModelLayout, SceneState, Vec3 } from './types.ts';
import { grouped } from './numbers.ts';

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
  output: 'Softmax: next-token probabilities',
};

/** The stages named at any size (LabelNode.always): the input's embedding and the output's probabilities. */
const ALWAYS_NAMED = new Set(['embedding', 'output']);

export type Level = 0 | 1 | 2 | 3;

export interface LabelNode {
  /** The name shown; '' for none (the model, the inner group of a stage outside the layers). */
  text: string;
  level: Level;
  /** World bounds at the layout place. */
  min: Vec3;
  max: Vec3;
  /**
   * World bounds as drawn this frame: blocks shifted by their style offsets, hidden ones left
   * out (LabelLayer refreshes them whenever the scene's block styles change); `shown` false when
   * nothing of the node is drawn.
   */
  dmin: Vec3;
  dmax: Vec3;
  shown: boolean;
  /**
   * Named however small it is drawn, when all of it is on the stage: the two ends of the machine
   * (where the letters go in, where the next letter comes out), which a whole-model view would
   * otherwise leave unnamed while naming every layer between them.
   */
  always: boolean;
  block: Block | null;
  /** Axis names and sizes of a block, e.g. 'C = 48' (columns) and 'T = 6' (rows); '' for groups. */
  colsText: string;
  rowsText: string;
  children: LabelNode[];
}

export function stageName(stage: string): string {
  return STAGE_NAMES[stage] ?? stage;
}

function leaf(b: Block): LabelNode {
  const min: Vec3 = [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]];
  const max: Vec3 = [b.position[0] + b.size[0], b.position[1], b.position[2]];
  return {
    text: b.label,
    level: 3,
    min,
    max,
    dmin: [...min],
    dmax: [...max],
    shown: true,
    always: false,
    block: b,
    colsText: `${b.cols.name} = ${grouped(b.cols.size)}`,
    rowsText: `${b.rows.name} = ${grouped(b.rows.size)}`,
    children: [],
  };
}

function group(text: string, level: Level, children: LabelNode[]): LabelNode {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const n of children) {
    for (let i = 0; i < 3; i++) {
      min[i] = Math.min(min[i]!, n.min[i]!);
      max[i] = Math.max(max[i]!, n.max[i]!);
    }
  }
  return { text, level, min, max, dmin: [...min], dmax: [...max], shown: true, always: false, block: null, colsText: '', rowsText: '', children };
}

/** Recomputes `dmin`, `dmax` and `shown` of a subtree for the given block styles (no allocation). */
export function refreshDrawnBounds(node: LabelNode, styles: SceneState['blocks']): boolean {
  if (node.block) {
    const st = styles[node.block.id];
    node.shown = st?.opacity !== 0;
    const off = st?.offset;
    for (let i = 0; i < 3; i++) {
      node.dmin[i] = node.min[i]! + (off ? off[i]! : 0);
      node.dmax[i] = node.max[i]! + (off ? off[i]! : 0);
    }
    return node.shown;
  }
  node.dmin[0] = node.dmin[1] = node.dmin[2] = Infinity;
  node.dmax[0] = node.dmax[1] = node.dmax[2] = -Infinity;
  let any = false;
  for (const c of node.children) {
    if (!refreshDrawnBounds(c, styles)) continue;
    any = true;
    for (let i = 0; i < 3; i++) {
      if (c.dmin[i]! < node.dmin[i]!) node.dmin[i] = c.dmin[i]!;
      if (c.dmax[i]! > node.dmax[i]!) node.dmax[i] = c.dmax[i]!;
    }
  }
  node.shown = any;
  return any;
}

/**
 * The label tree of a layout. The root (level 0) is the model; its name is the caption above the
 * stage, never a label on the drawing, so the root carries no text. A companion model standing at
 * the foot (src/scene/companion.ts) is one more level-1 group, unnamed, holding its blocks.
 */
export function buildLabelTree(layout: ModelLayout): LabelNode {
  const top: LabelNode[] = [];
  const byLayer = new Map<number, Map<string, LabelNode[]>>();
  const topStages = new Map<string, LabelNode[]>();
  const companion: LabelNode[] = [];
  const prefix = layout.companion?.prefix;
  for (const b of layout.blocks) {
    if (prefix !== undefined && b.id.startsWith(prefix)) {
      companion.push(leaf(b));
      continue;
    }
    if (b.layer === null) {
      const list = topStages.get(b.stage) ?? [];
      list.push(leaf(b));
      topStages.set(b.stage, list);
      continue;
    }
    const stages = byLayer.get(b.layer) ?? new Map<string, LabelNode[]>();
    const list = stages.get(b.stage) ?? [];
    list.push(leaf(b));
    stages.set(b.stage, list);
    byLayer.set(b.layer, stages);
  }
  // A stage outside the layers is a level-1 group holding one unnamed level-2 group of its blocks.
  for (const [stage, leaves] of topStages) {
    const node = group(stageName(stage), 1, [group('', 2, leaves)]);
    node.always = ALWAYS_NAMED.has(stage);
    top.push(node);
  }
  for (const [layer, stages] of byLayer) {
    const kids = [...stages].map(([stage, leaves]) => group(stageName(stage), 2, leaves));
    top.push(group(`Layer ${layer + 1}`, 1, kids));
  }
  // Unnamed: whoever shows the pair names the companion (a callout, a caption), at any size.
  if (companion.length > 0) top.push(group('', 1, [group('', 2, companion)]));
  return group('', 0, top);
}
