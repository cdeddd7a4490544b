/**
 * The label layer (src/scene/labels.ts) on real layouts and cameras, with a stand-in DOM: every
 * label it shows lies inside the stage, over no drawn block (token letters on their own cells
 * excepted) and over no other label; callouts leave their matrix but stay beside it and say where
 * they went; the model's name is not on the drawing; no type under 11 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraMatrices, fitCamera, frameBox, homeCamera, orbit, projectPoint, sceneRadius } from '../../src/scene/camera.ts';
import { layoutModel } from '../../src/scene/layout.ts';
import { withCompanion } from '../../src/scene/companion.ts';
import { LabelLayer, LINE, labelStyles } from '../../src/scene/labels.ts';
import { LabelElements, ScreenProjector } from '../../src/scene/label-dom.ts';
import type { Rect } from '../../src/scene/placement.ts';
import type { Block, CameraState, ModelLayout, SceneState, Vec3 } from '../../src/scene/types.ts';
import { folded } from '../../src/story/directors/common.ts';
import type { DirectorContext } from '../../src/story/director.ts';

interface FakeElement {
  textContent: string;
  className: string;
  style: Record<string, string>;
}

let saved: unknown;
beforeAll(() => {
  saved = (globalThis as { document?: unknown }).document;
  (globalThis as { document?: unknown }).document = {
    createElement: (): FakeElement => ({ textContent: '', className: '', style: {} }),
  };
});
afterAll(() => {
  (globalThis as { document?: unknown }).document = saved;
});

/** A root that keeps the elements it is given. */
function fakeRoot(): { root: HTMLElement; children: FakeElement[] } {
  const children: FakeElement[] = [];
  const root = { appendChild: (el: FakeElement) => children.push(el) };
  return { root: root as unknown as HTMLElement, children };
}

/** A measure a little wider than real text (0.6 em a character), as pessimistic as it should be. */
const measure = (text: string, font: string): number => text.length * 0.6 * Number(/(\d+(?:\.\d+)?)px/.exec(font)![1]);

interface Shown {
  text: string;
  cls: string;
  r: Rect;
}

function shown(children: FakeElement[]): Shown[] {
  return children
    .filter((e) => e.style.display !== 'none')
    .map((e) => {
      const m = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(e.style.transform!)!;
      const x0 = Number(m[1]);
      const y0 = Number(m[2]);
      return { text: e.textContent, cls: e.className, r: { x0, y0, x1: x0 + parseFloat(e.style.width!), y1: y0 + parseFloat(e.style.height!) } };
    });
}

/** Each drawn block's screen rectangle, projected independently of the layer. */
function blockRects(layout: ModelLayout, state: SceneState, camera: CameraState, w: number, h: number): { id: string; r: Rect }[] {
  const m = cameraMatrices(camera, w, h, sceneRadius(layout));
  const out: { id: string; r: Rect }[] = [];
  const p = new Float32Array(3);
  for (const b of layout.blocks) {
    const st = state.blocks[b.id];
    if (st?.opacity === 0) continue;
    const off = st?.offset ?? [0, 0, 0];
    const r = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    let behind = false;
    for (let i = 0; i < 8; i++) {
      const c: Vec3 = [
        b.position[0] + off[0] + (i & 1 ? b.size[0] : 0),
        b.position[1] + off[1] - (i & 2 ? b.size[1] : 0),
        b.position[2] + off[2] - (i & 4 ? b.size[2] : 0),
      ];
      if (!projectPoint(m, c, w, h, p)) behind = true;
      r.x0 = Math.min(r.x0, p[0]!);
      r.y0 = Math.min(r.y0, p[1]!);
      r.x1 = Math.max(r.x1, p[0]!);
      r.y1 = Math.max(r.y1, p[1]!);
    }
    if (!behind) out.push({ id: b.id, r });
  }
  return out;
}

const overlap = (a: Rect, b: Rect): boolean => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;

function frame(layout: ModelLayout, state: SceneState, w: number, h: number, tokens: string | null = 'CABBAC') {
  const { root, children } = fakeRoot();
  const layer = new LabelLayer(new LabelElements(root), measure);
  layer.setLayout(layout);
  layer.update({ matrices: cameraMatrices(state.camera, w, h, sceneRadius(layout)), width: w, height: h, state, tokens });
  return { layer, labels: shown(children), blocks: blockRects(layout, state, state.camera, w, h) };
}

function expectClean(labels: Shown[], blocks: { id: string; r: Rect }[], w: number, h: number): void {
  for (const l of labels) {
    expect(l.r.x0, `"${l.text}" cut at the left`).toBeGreaterThanOrEqual(0);
    expect(l.r.y0, `"${l.text}" cut at the top`).toBeGreaterThanOrEqual(0);
    expect(l.r.x1, `"${l.text}" cut at the right`).toBeLessThanOrEqual(w);
    expect(l.r.y1, `"${l.text}" cut at the bottom`).toBeLessThanOrEqual(h);
    if (!/\btoken\b/.test(l.cls) || /\bvocab\b/.test(l.cls)) {
      const under = blocks.find((b) => overlap(b.r, l.r));
      expect(under, `"${l.text}" over ${under?.id}`).toBeUndefined();
    }
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) expect(overlap(labels[i]!.r, labels[j]!.r), `"${labels[i]!.text}" over "${labels[j]!.text}"`).toBe(false);
  }
}

const nano = layoutModel('nano', 6);
const block = (id: string): Block => nano.blocks.find((b) => b.id === id)!;
const still = (camera: CameraState): SceneState => ({ camera, blocks: {}, highlights: [], callouts: [] });
const boxOf = (ids: string[]): [Vec3, Vec3] => {
  const bs = ids.map(block);
  return [
    [Math.min(...bs.map((b) => b.position[0])), Math.min(...bs.map((b) => b.position[1] - b.size[1])), -1],
    [Math.max(...bs.map((b) => b.position[0] + b.size[0])), Math.max(...bs.map((b) => b.position[1])), 0],
  ];
};

describe('LabelLayer and the arrows it is told to avoid', () => {
  it('places no label over a box it is asked to keep clear', () => {
    const [w, h] = [768, 800];
    const state = still(homeCamera(nano, w, h));
    const matrices = cameraMatrices(state.camera, w, h, sceneRadius(nano));
    const free = frame(nano, state, w, h).labels;
    expect(free.length).toBeGreaterThan(2);
    // Keep clear a box over where the first free label sat, as an arrow through it would.
    const r = free[0]!.r;
    const { root, children } = fakeRoot();
    const layer = new LabelLayer(new LabelElements(root), measure);
    layer.setLayout(nano);
    layer.update({ matrices, width: w, height: h, state, tokens: 'CABBAC', avoid: (add) => add(r.x0, r.y0, r.x1, r.y1) });
    const placed = shown(children);
    for (const l of placed) expect(overlap(l.r, r), `"${l.text}" over the box to keep clear`).toBe(false);
  });
});

describe('LabelLayer', () => {
  const sizes: [number, number][] = [
    [768, 800],
    [390, 388],
  ];
  const cameras: [string, (w: number, h: number) => CameraState][] = [
    ['whole model', (w, h) => fitCamera(nano, w, h)],
    ['home', (w, h) => homeCamera(nano, w, h)],
    ['first head close up', (w, h) => frameBox(...boxOf(['h.0.attn.head0.q.weight', 'h.0.attn.head0.out']), w, h, -0.2, 0.1)],
    ['output, orbited', (w, h) => orbit(frameBox(...boxOf(['lm_head', 'probs']), w, h), 0.5, 0.2)],
  ];
  for (const [w, h] of sizes) {
    for (const [name, cam] of cameras) {
      it(`${name} at ${w}x${h}: labels inside the stage, over no block and no other label`, () => {
        const { labels, blocks } = frame(nano, still(cam(w, h)), w, h);
        expect(labels.length).toBeGreaterThan(0);
        expectClean(labels, blocks, w, h);
      });
    }
  }

  it('names blocks when there is room: a close-up of the first head shows its block names and axis sizes', () => {
    const [w, h] = [900, 800];
    const { labels } = frame(nano, still(frameBox(...boxOf(['h.0.attn.head0.q.weight', 'h.0.attn.head0.out']), w, h, 0, 0)), w, h);
    const texts = labels.map((l) => l.text);
    expect(texts).toContain('Query weights, head 1, layer 1');
    expect(texts.some((t) => t === 'hs = 16' || t === 'C = 48')).toBe(true);
  });

  it('moves a callout pinned inside a big block off the block, beside it, and reports where', () => {
    const [w, h] = [800, 700];
    const camera = frameBox(...boxOf(['h.0.mlp.c_fc.weight', 'h.0.mlp.fc']), w, h, 0, 0);
    const state: SceneState = { ...still(camera), callouts: [{ block: 'h.0.mlp.c_fc.weight', row: 96, col: 24, text: 'dot product 0.9354 + bias −0.02819 = 0.9072', role: 'result' }] };
    const { layer, labels, blocks } = frame(nano, state, w, h);
    const box = layer.calloutBox(0);
    expect(box).not.toBeNull();
    const callout = labels.find((l) => l.text.startsWith('dot product'))!;
    expect(callout.r).toEqual(box);
    expectClean(labels, blocks, w, h);
    // Still beside its block: within a callout's reach of the weight block's edge.
    const weight = blocks.find((b) => b.id === 'h.0.mlp.c_fc.weight')!.r;
    const dx = Math.max(weight.x0 - box!.x1, box!.x0 - weight.x1, 0);
    const dy = Math.max(weight.y0 - box!.y1, box!.y0 - weight.y1, 0);
    expect(Math.hypot(dx, dy)).toBeLessThan(w / 4 + 10);
  });

  it('keeps a callout where its director put it when that room is free', () => {
    const [w, h] = [800, 700];
    const camera = frameBox(...boxOf(['tok_emb', 'embed']), w, h, 0, 0);
    const m = cameraMatrices(camera, w, h, sceneRadius(nano));
    const b = block('embed');
    // Pinned two cells right of the residual stream's last column, where nothing is drawn.
    const pin: Vec3 = [b.position[0] + b.size[0] + 2.5, b.position[1] - 0.5, 0];
    const p = new Float32Array(3);
    projectPoint(m, pin, w, h, p);
    const state: SceneState = { ...still(camera), callouts: [{ block: b.id, row: 0, col: b.cols.size + 2, text: '0.25', role: 'result' }] };
    const { layer } = frame(nano, state, w, h);
    const box = layer.calloutBox(0)!;
    expect(Math.abs(box.x0 - (p[0]! + 6))).toBeLessThanOrEqual(0.5);
    expect(Math.abs(box.y1 - (p[1]! - 6))).toBeLessThanOrEqual(0.5);
  });

  it('puts a callout with no room near its cell beside the whole drawing, and says it is far', () => {
    const [w, h] = [800, 700];
    const fc = block('h.0.mlp.c_fc.weight');
    const camera = frameBox([fc.position[0], fc.position[1] - fc.size[1], -1], [fc.position[0] + fc.size[0], fc.position[1], 0], w, h, 0, 0);
    const matrices = cameraMatrices(camera, w, h, sceneRadius(nano));
    const state: SceneState = { ...still(camera), callouts: [{ block: fc.id, row: 96, col: 24, text: '0.9072', role: 'result' }] };
    // A dense drawing around the cell, as a big model seen whole: small boxes 4 px apart kept
    // clear (as if drawn) over all but the stage's right-hand band, so the only room for the
    // callout is beside the drawing, far from its cell.
    const clear = { x0: 10, y0: 10, x1: 680, y1: 690 };
    const grid = (add: (x0: number, y0: number, x1: number, y1: number) => void) => {
      for (let x = clear.x0; x < clear.x1; x += 24) for (let y = clear.y0; y < clear.y1; y += 24) add(x, y, Math.min(x + 20, clear.x1), Math.min(y + 20, clear.y1));
    };
    const { root, children } = fakeRoot();
    const layer = new LabelLayer(new LabelElements(root), measure);
    layer.setLayout(nano);
    layer.update({ matrices, width: w, height: h, state, tokens: null, avoid: grid });
    const box = layer.calloutBox(0);
    expect(box).not.toBeNull();
    expect(layer.calloutIsFar(0)).toBe(true);
    expect(box!.x0).toBeGreaterThanOrEqual(clear.x1);
    expectClean(shown(children), blockRects(nano, state, camera, w, h), w, h);
  });

  it('says a callout beside its cell is near, and one moved more than 40 px off it is far', () => {
    const [w, h] = [800, 700];
    const near = frameBox(...boxOf(['tok_emb', 'embed']), w, h, 0, 0);
    const b = block('embed');
    const free: SceneState = { ...still(near), callouts: [{ block: b.id, row: 0, col: b.cols.size + 2, text: '0.25', role: 'result' }] };
    const a = frame(nano, free, w, h).layer;
    expect(a.calloutBox(0)).not.toBeNull();
    expect(a.calloutIsFar(0)).toBe(false);
    // Pinned in the middle of a big block: moved off it, further than 40 px from its cell.
    const camera = frameBox(...boxOf(['h.0.mlp.c_fc.weight', 'h.0.mlp.fc']), w, h, 0, 0);
    const inside: SceneState = { ...still(camera), callouts: [{ block: 'h.0.mlp.c_fc.weight', row: 96, col: 24, text: 'dot product 0.9354 + bias −0.02819 = 0.9072', role: 'result' }] };
    const { layer } = frame(nano, inside, w, h);
    const box = layer.calloutBox(0)!;
    const m = cameraMatrices(camera, w, h, sceneRadius(nano));
    const fc = block('h.0.mlp.c_fc.weight');
    const p = new Float32Array(3);
    projectPoint(m, [fc.position[0] + (24.5 * fc.size[0]) / fc.cols.size, fc.position[1] - (96.5 * fc.size[1]) / fc.rows.size, 0], w, h, p);
    const away = Math.hypot(Math.max(box.x0 - p[0]!, p[0]! - box.x1, 0), Math.max(box.y0 - p[1]!, p[1]! - box.y1, 0));
    expect(layer.calloutIsFar(0)).toBe(away > 40);
    expect(away).toBeGreaterThan(40);
  });

  it('a dry run (rehearsal) places labels for another scene but writes no element and keeps what the last frame placed', () => {
    const [w, h] = [800, 700];
    const camera = frameBox(...boxOf(['h.0.mlp.c_fc.weight', 'h.0.mlp.fc']), w, h, 0, 0);
    const real: SceneState = { ...still(camera), callouts: [{ block: 'h.0.mlp.c_fc.weight', row: 96, col: 24, text: 'dot product 0.9354 + bias −0.02819 = 0.9072', role: 'result' }] };
    const { root, children } = fakeRoot();
    const measured: string[] = [];
    const layer = new LabelLayer(new LabelElements(root), (text, font) => (measured.push(text), measure(text, font)));
    layer.setLayout(nano);
    const matrices = cameraMatrices(camera, w, h, sceneRadius(nano));
    layer.update({ matrices, width: w, height: h, state: real, tokens: 'CABBAC' });
    const before = JSON.stringify(children);
    const box = { ...layer.calloutBox(0)! };
    const far = layer.calloutIsFar(0);
    const other = fitCamera(nano, w, h);
    const rehearsed: SceneState = { ...still(other), callouts: [{ block: 'embed', row: 0, col: 0, text: 'rehearsed 1.25', role: 'focus' }, { block: 'tok_emb', row: 1, col: 2, text: 'and 2.5' }] };
    layer.update({ matrices: cameraMatrices(other, w, h, sceneRadius(nano)), width: w, height: h, state: rehearsed, tokens: 'CABBAC' }, true);
    // It did the work: the rehearsed callouts were measured to be placed...
    expect(measured).toContain('rehearsed 0.00');
    expect(measured).toContain('and 0.0');
    // ...and left the page and the last frame's placement as they were.
    expect(JSON.stringify(children)).toBe(before);
    expect(layer.calloutBox(0)).toEqual(box);
    expect(layer.calloutIsFar(0)).toBe(far);
    expect(layer.calloutBox(1)).toBeNull();
  });

  it('writes the letters on nano standing beside a big model, not on the big model\'s input row', () => {
    const [w, h] = [800, 700];
    const pair = withCompanion(layoutModel('gpt2-small', 6), nano);
    const own = (id: string) => pair.blocks.find((b) => b.id === `nano/${id}`)!;
    const t = own('tokens');
    const camera = frameBox([t.position[0] - 6, t.position[1] - 12, -1], [t.position[0] + 8, t.position[1], 0], w, h, 0, 0);
    const { labels } = frame(pair, still(camera), w, h);
    const m = cameraMatrices(camera, w, h, sceneRadius(pair));
    const p = new Float32Array(3);
    // The reader's letters sit on nano's input row, one per cell...
    const tokens = labels.filter((l) => /\btoken\b/.test(l.cls) && !/\bvocab\b/.test(l.cls));
    expect(tokens.map((l) => l.text).join('')).toBe('CABBAC');
    tokens.forEach((l, col) => {
      projectPoint(m, [t.position[0] + col + 0.5, t.position[1] - 0.5, 0], w, h, p);
      expect(Math.abs((l.r.x0 + l.r.x1) / 2 - p[0]!)).toBeLessThan(4);
    });
    // ...and its token table has its A, B, C.
    expect(labels.filter((l) => /\bvocab\b/.test(l.cls)).map((l) => l.text)).toEqual(['A', 'B', 'C']);
  });

  it('reports no box for a callout it could not show', () => {
    const [w, h] = [300, 200];
    const state: SceneState = { ...still(fitCamera(nano, w, h)), callouts: [{ block: 'embed', row: 0, col: 0, text: 'x'.repeat(80) }] };
    const { layer, labels } = frame(nano, state, w, h);
    expect(layer.calloutBox(0)).toBeNull();
    expect(labels.some((l) => l.text.startsWith('xxx'))).toBe(false);
  });

  it('never names the model on the drawing (the page caption above it does)', () => {
    const [w, h] = [768, 800];
    const { labels } = frame(nano, still(fitCamera(nano, w, h)), w, h);
    expect(labels.some((l) => l.text.includes('gpt-nano'))).toBe(false);
  });

  it('uses no type under 11 px, and boxes as tall as their line', () => {
    for (const s of labelStyles()) {
      expect(s.px, s.cls).toBeGreaterThanOrEqual(11);
    }
    const [w, h] = [900, 800];
    const { labels } = frame(nano, still(homeCamera(nano, w, h)), w, h);
    for (const l of labels) {
      const s = labelStyles().find((x) => x.cls === l.cls)!;
      expect(l.r.y1 - l.r.y0).toBe(Math.ceil(s.px * LINE + 2 * s.border));
    }
  });

  it('keeps GPT-3 clean from far away (a hairline: nothing big enough to name) and labelled close up', () => {
    const gpt3 = layoutModel('gpt3', 6);
    const cameras: [CameraState, boolean][] = [
      [fitCamera(gpt3, 768, 800), false],
      [homeCamera(gpt3, 768, 800), true],
      [orbit(homeCamera(gpt3, 768, 800), 0.6, 0.3), true],
    ];
    for (const [camera, named] of cameras) {
      const { labels, blocks } = frame(gpt3, still(camera), 768, 800, null);
      if (named) expect(labels.length).toBeGreaterThan(0);
      expectClean(labels, blocks, 768, 800);
    }
  });
});

describe('LabelLayer from frame to frame', () => {
  const [w, h] = [900, 800];
  const camera = frameBox(...boxOf(['h.0.attn.head0.q.weight', 'h.0.attn.head0.out']), w, h, -0.2, 0.1);

  it('places nothing again for a frame from the same inputs, and places again when the camera, a block, a callout or a lifted copy changes', () => {
    const { root, children } = fakeRoot();
    const layer = new LabelLayer(new LabelElements(root), measure);
    layer.setLayout(nano);
    let placed = 0;
    // Placing starts by asking for the boxes to avoid: a frame that places calls it once.
    const input = (state: SceneState, cam = camera) => ({ matrices: cameraMatrices(cam, w, h, sceneRadius(nano)), width: w, height: h, state, tokens: 'CABBAC', avoid: () => void placed++ });
    const first = still(camera);
    layer.update(input(first));
    expect(placed).toBe(1);
    const before = JSON.stringify(children);
    // The same camera (new matrices of equal values), the same places, a highlight moved (no lift):
    // the labels stay as they are.
    layer.update(input({ ...first, blocks: { 'h.0.attn.head0.q': { reveal: { cols: 2 } } }, highlights: [{ block: 'h.0.attn.head0.q', role: 'focus' }] }));
    expect(placed).toBe(1);
    expect(JSON.stringify(children)).toBe(before);
    const changes: [string, SceneState, CameraState?][] = [
      ['the camera turned', first, orbit(camera, 0.05, 0)],
      ['a block moved', { ...first, blocks: { 'h.0.attn.head0.q': { offset: [0, 1, 0] } } }],
      ['a block hidden', { ...first, blocks: { 'h.0.attn.head0.k': { opacity: 0 } } }],
      ['a callout', { ...first, callouts: [{ block: 'h.0.attn.head0.q', row: 0, col: 0, text: '1.5' }] }],
      ['a lifted copy', { ...first, highlights: [{ block: 'h.0.attn.head0.q', cols: [0, 1], role: 'focus', lift: [0, 2, 0] }] }],
    ];
    for (const [what, state, cam] of changes) {
      const n = placed;
      layer.update(input(state, cam));
      expect(placed, what).toBe(n + 1);
      layer.update(input(first));
      expect(placed, `back from: ${what}`).toBe(n + 2);
    }
    // Asked to place afresh (the page emptied what it showed): placed anew, not taken for the frame before.
    const n = placed;
    layer.invalidate();
    layer.update(input(first));
    expect(placed).toBe(n + 1);
    expect(shown(children).length).toBeGreaterThan(0);
  });

});

describe('LabelElements', () => {
  const box = (x: number): Rect => ({ x0: x, y0: 10, x1: x + 40, y1: 24 });
  const frame = (els: LabelElements, texts: string[]): void => {
    texts.forEach((t, i) => els.show(t, 'label', box(50 * i)));
    els.end();
  };

  it('gives a label shown again the element that showed its text, so a moving label is only moved', () => {
    const { root, children } = fakeRoot();
    const els = new LabelElements(root);
    frame(els, ['Layer 1', 'Layer 2', 'Layer 3']);
    const [one, two, three] = children;
    // Layer 1 drops out ahead of the others, and a new name comes after them.
    frame(els, ['Layer 2', 'Layer 3', 'Layer 4']);
    expect(children).toHaveLength(3);
    expect(two!.textContent).toBe('Layer 2');
    expect(two!.style.transform).toBe('translate(0px, 10px)');
    expect(three!.textContent).toBe('Layer 3');
    expect(one!.textContent).toBe('Layer 4');
    expect(one!.style.display).toBe('');
    frame(els, ['Layer 3']);
    expect(three!.style.display).toBe('');
    expect(one!.style.display).toBe('none');
    expect(two!.style.display).toBe('none');
    expect(shown(children).map((l) => l.text)).toEqual(['Layer 3']);
  });

  it("writes a new text into the element's text node, not a new node", () => {
    let nodes = 0;
    const make = () => {
      let node: { data: string } | null = null;
      return {
        className: '',
        style: {} as Record<string, string>,
        get firstChild() {
          return node;
        },
        get textContent() {
          return node?.data ?? '';
        },
        set textContent(t: string) {
          nodes++;
          node = { data: t };
        },
      };
    };
    const g = globalThis as unknown as { document?: { createElement: () => unknown } };
    const saved = g.document;
    g.document = { createElement: make };
    try {
      const { root, children } = fakeRoot();
      const els = new LabelElements(root);
      frame(els, ['0.9354 + bias']);
      frame(els, ['0.9341 + bias']);
      expect(children[0]!.textContent).toBe('0.9341 + bias');
      expect(nodes).toBe(1);
    } finally {
      g.document = saved;
    }
  });

  it('shows each of two labels with the same text (letters), on elements of their own', () => {
    const { root, children } = fakeRoot();
    const els = new LabelElements(root);
    frame(els, ['A', 'B']);
    frame(els, ['A', 'A', 'B']);
    expect(shown(children).map((l) => l.text).sort()).toEqual(['A', 'A', 'B']);
    expect(children[1]!.textContent).toBe('B');
  });
});

describe('ScreenProjector.project', () => {
  it('gives the screen box of the eight corners and the point projectPoint gives, and says when some are behind the eye', () => {
    const [w, h] = [900, 700];
    const screen = new ScreenProjector();
    const p = new Float32Array(3);
    let partial = 0;
    for (const camera of [fitCamera(nano, w, h), orbit(homeCamera(nano, w, h), 1.1, -0.4), { ...homeCamera(nano, w, h), distance: 0.5 }]) {
      const m = cameraMatrices(camera, w, h, sceneRadius(nano));
      screen.begin(m, w, h);
      for (const b of nano.blocks) {
        const min: Vec3 = [b.position[0], b.position[1] - b.size[1], b.position[2] - b.size[2]];
        const max: Vec3 = [b.position[0] + b.size[0], b.position[1], b.position[2]];
        const off: Vec3 = [0.5, -1, 0.25];
        const r = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
        let behind = 0;
        for (let i = 0; i < 8; i++) {
          const c: Vec3 = [(i & 1 ? max[0] : min[0]) + off[0], (i & 2 ? max[1] : min[1]) + off[1], (i & 4 ? max[2] : min[2]) + off[2]];
          if (!projectPoint(m, c, w, h, p)) {
            behind++;
            continue;
          }
          r.x0 = Math.min(r.x0, p[0]!);
          r.y0 = Math.min(r.y0, p[1]!);
          r.x1 = Math.max(r.x1, p[0]!);
          r.y1 = Math.max(r.y1, p[1]!);
        }
        // A point: the block's far top-left corner, shifted.
        const q = new Float32Array(3);
        const front = projectPoint(m, [min[0] + off[0], max[1] + off[1], min[2] + off[2]], w, h, q);
        expect(screen.shifted([min[0], max[1], min[2]], off), `${b.id} point`).toBe(front);
        if (front) for (let k = 0; k < 3; k++) expect(Math.abs(screen.point[k]! - q[k]!), `${b.id} point ${k}`).toBeLessThanOrEqual(Math.max(0.01, 1e-6 * Math.abs(q[k]!)));
        const seen = behind < 8 && (behind > 0 || !(r.x1 < 0 || r.y1 < 0 || r.x0 > w || r.y0 > h));
        expect(screen.project(min, max, off), b.id).toBe(seen);
        if (!seen) continue;
        if (behind > 0) partial++;
        expect(screen.box.partial).toBe(behind > 0);
        // projectPoint rounds to single precision: alike to 0.01 px, or 1e-6 of a far corner's distance.
        for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(screen.box[k] - r[k]), `${b.id} ${k}`).toBeLessThanOrEqual(Math.max(0.01, 1e-6 * Math.abs(r[k])));
      }
    }
    expect(partial).toBeGreaterThan(0);
  });
});

describe('LabelLayer and a step that shows another model', () => {
  it('a rehearsal on another layout places its labels, leaves the shown one as it was, and has it ready for the frame that shows it', () => {
    const [w, h] = [900, 800];
    const small = layoutModel('gpt2-small', 6);
    const { root, children } = fakeRoot();
    const measured: string[] = [];
    const layer = new LabelLayer(new LabelElements(root), (text, font) => (measured.push(text), measure(text, font)));
    layer.setLayout(nano);
    const camera = frameBox(...boxOf(['h.0.attn.head0.q.weight', 'h.0.attn.head0.out']), w, h, -0.2, 0.1);
    let placed = 0;
    const nanoInput = { matrices: cameraMatrices(camera, w, h, sceneRadius(nano)), width: w, height: h, state: still(camera), tokens: 'CABBAC', avoid: () => void placed++ };
    layer.update(nanoInput);
    const before = JSON.stringify(children);
    const q = small.blocks.find((b) => b.id === 'h.0.attn.c_proj')!;
    const far = frameBox([q.position[0], q.position[1] - q.size[1], -1], [q.position[0] + q.size[0], q.position[1], 0], w, h, 0, 0);
    const smallInput = { matrices: cameraMatrices(far, w, h, sceneRadius(small)), width: w, height: h, state: still(far), tokens: 'CABBAC' };
    layer.update(smallInput, true, small);
    // GPT-2 small's own axis size (C+1 = 769, measured with digits as 0) was measured to be placed:
    // its tree was built and walked.
    expect(measured).toContain('C+0 = 000');
    expect(JSON.stringify(children)).toBe(before);
    // The shown model's frame is as it was: the same inputs place nothing again.
    layer.update(nanoInput);
    expect(placed).toBe(1);
    // The frame that cuts to GPT-2 small labels it like a layer that never saw a rehearsal.
    layer.setLayout(small);
    layer.update(smallInput);
    const fresh = frame(small, still(far), w, h);
    expect(shown(children)).toEqual(fresh.labels);
  });
});

describe('LabelLayer on a whole-model view', () => {
  /** The folded whole model and its camera, as the directors' overviews make them (only the stage size is read). */
  const foldedView = (layout: ModelLayout, w: number, h: number) => folded({ viewport: { width: w, height: h } } as unknown as DirectorContext, layout);
  it('names both ends of the machine, however small they are drawn, and every layer between, the overview folded as the welcome chapter shows it', () => {
    for (const [w, h] of [[768, 774], [390, 396]] as [number, number][]) {
      const { fold, camera } = foldedView(nano, w, h);
      const state: SceneState = { ...still(camera), blocks: fold.styles };
      const { labels, blocks } = frame(nano, state, w, h);
      const texts = labels.map((l) => l.text);
      for (const name of ['Embedding', 'Layer 1', 'Layer 2', 'Layer 3', 'Softmax: next-token probabilities']) expect(texts, `${name} at ${w}x${h}`).toContain(name);
      // The output is a few pixels tall here: below the size at which a stage is otherwise named.
      const out = blocks.find((b) => b.id === 'probs')!.r;
      expect(out.y1 - out.y0, `${w}x${h}`).toBeLessThan(40);
      expectClean(labels, blocks, w, h);
    }
  });
});
