/**
 * The overlay's two ends. The render host's OverlayPlanner places a frame's labels and arrows and
 * records them (overlay.ts); the page's OverlayElements writes such a record to its elements
 * (overlay-dom.ts). What the page shows is what the label layer places for the frame, arrows
 * included; a frame from the same inputs records nothing (the page has nothing to write) unless
 * the page asks for a fresh one; a rehearsal records nothing and leaves the next frame as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraMatrices, fitCamera, sceneRadius } from '../../src/scene/camera.ts';
import { LabelLayer } from '../../src/scene/labels.ts';
import { LinkLayer } from '../../src/scene/links.ts';
import { OverlayPlanner, type OverlayFrame, type OverlayInput } from '../../src/scene/overlay.ts';
import { OverlayElements } from '../../src/scene/overlay-dom.ts';
import { direct, drawnLayout, type DirectorContext } from '../../src/story/director.ts';
import { selfAttention } from '../../src/story/directors/self-attention.ts';
import type { ModelLayout, SceneState } from '../../src/scene/types.ts';
import { directorContext } from './director-context.ts';
import { FrameTimes } from '../../src/scene/frame-times.ts';

interface FakeElement {
  tag: string;
  textContent: string;
  className: string;
  style: Record<string, string>;
  attrs: Record<string, string>;
  children: FakeElement[];
  firstChild: null;
  setAttribute(k: string, v: string): void;
  appendChild(c: FakeElement): void;
}

function element(tag: string): FakeElement {
  const el: FakeElement = {
    tag,
    textContent: '',
    className: '',
    style: {},
    attrs: {},
    children: [],
    firstChild: null,
    setAttribute: (k, v) => void (el.attrs[k] = v),
    appendChild: (c) => void el.children.push(c),
  };
  return el;
}

let saved: unknown;
beforeAll(() => {
  saved = (globalThis as { document?: unknown }).document;
  (globalThis as { document?: unknown }).document = { createElement: element, createElementNS: (_ns: string, tag: string) => element(tag) };
});
afterAll(() => {
  (globalThis as { document?: unknown }).document = saved;
});

const measure = (text: string, font: string): number => text.length * 0.6 * Number(/(\d+(?:\.\d+)?)px/.exec(font)![1]);
const [W, H] = [700, 800];

let ctx: DirectorContext;
beforeAll(async () => {
  ctx = await directorContext();
});

/** A step's frame at time t as the host receives it: its layout and the overlay's input. */
function hostFrame(step: string, t: number): { layout: ModelLayout; input: OverlayInput } {
  const order = Object.keys(selfAttention.steps);
  const d = direct(selfAttention, order, order.indexOf(step), t, ctx);
  const layout = drawnLayout(ctx.layoutOf, d.model, (d.trace ?? ctx.trace).ids.length);
  const m = cameraMatrices(d.camera, W, H, sceneRadius(layout));
  const state: Omit<SceneState, 'camera'> = { blocks: d.blocks, highlights: d.highlights, callouts: d.callouts, links: d.links, dim: d.dim };
  return { layout, input: { matrices: m, width: W, height: H, state, tokens: 'CBABBC' } };
}

/** The labels a label layer shows for the same frame, kept off its arrows, as (text, class, box) rows. */
function layerLabels(layout: ModelLayout, input: OverlayInput): [string, string, number[]][] {
  const shown: [string, string, number[]][] = [];
  const layer = new LabelLayer({ show: (text, cls, r) => void shown.push([text, cls, [r.x0, r.y0, r.x1, r.y1]]), end: () => undefined }, measure);
  const links = new LinkLayer({ arrow: () => undefined, end: () => undefined });
  layer.setLayout(layout);
  links.setLayout(layout);
  const state = input.state as SceneState;
  layer.update({ ...input, state, avoid: (add) => links.avoid({ ...input, state }, add) });
  return shown;
}

const rows = (f: OverlayFrame): [string, string, number[]][] => f.texts.map((text, i) => [text, f.classes[i]!, f.boxes.slice(4 * i, 4 * i + 4)]);

describe('OverlayPlanner', () => {
  it('records the labels the label layer places for a frame, and an arrow per link', () => {
    const { layout, input } = hostFrame('one-cell', 1);
    expect(input.state.callouts.length).toBeGreaterThan(0);
    expect(input.state.links?.length ?? 0).toBeGreaterThan(0);
    const f = new OverlayPlanner(measure).frame(layout, input)!;
    expect(f).not.toBeNull();
    expect(rows(f)).toEqual(layerLabels(layout, input));
    expect(f.texts.some((t) => t.includes('dot product'))).toBe(true);
    // Curve path, head path and role for every link the step draws (all of them on stage here).
    expect(f.arrows.length).toBeGreaterThanOrEqual(3 * input.state.links!.length);
    for (let i = 0; i < f.arrows.length; i += 3) {
      expect(f.arrows[i]).toMatch(/^M[\d.-]+ [\d.-]+C/);
      expect(f.arrows[i + 1]).toMatch(/^M.*Z$/);
      expect(['focus', 'source', 'result', 'muted']).toContain(f.arrows[i + 2]);
    }
  });

  it('records nothing for a frame from the same inputs, and places it again when asked for a fresh one', () => {
    const { layout, input } = hostFrame('one-cell', 0.6);
    const planner = new OverlayPlanner(measure);
    const first = planner.frame(layout, input)!;
    expect(planner.frame(layout, input)).toBeNull();
    expect(planner.frame(layout, input, true)).toEqual(first);
    // A camera that moves places them again.
    const moved = { ...input, matrices: cameraMatrices(hostFrameCamera('one-cell', 0.6, 1.1), W, H, sceneRadius(layout)) };
    expect(planner.frame(layout, moved)).not.toBeNull();
  });

  it('rehearses without showing anything or changing what the last frame placed, on its layout or another', () => {
    const a = hostFrame('three-vectors', 0.5);
    const b = hostFrame('dot-products', 1);
    // Another model: GPT-2 small with nano at its foot, seen whole.
    const big = drawnLayout(ctx.layoutOf, 'gpt2-small', 6);
    const c = { layout: big, input: { ...a.input, matrices: cameraMatrices(fitCamera(big, W, H), W, H, sceneRadius(big)), state: { blocks: {}, highlights: [], callouts: [] } } };
    const shown: string[] = [];
    const planner = new OverlayPlanner(measure);
    const expected = new OverlayPlanner(measure).frame(a.layout, a.input);
    planner.frame(a.layout, a.input);
    // Nothing reaches the recorder: the frames after find it empty.
    const recorder = (planner as unknown as { recorder: { show(t: string): void; arrow(i: number, d: string): void } }).recorder;
    const { show, arrow } = recorder;
    recorder.show = (t) => void shown.push(t);
    recorder.arrow = (_i, d) => void shown.push(d);
    planner.rehearse(b.layout, b.input);
    planner.rehearse(c.layout, c.input);
    expect(shown).toEqual([]);
    Object.assign(recorder, { show, arrow });
    // The last real frame stands: the same inputs place nothing, and afresh they place the same.
    expect(planner.frame(a.layout, a.input)).toBeNull();
    expect(planner.frame(a.layout, a.input, true)).toEqual(expected);
    // And the other model, shown for real, is labelled as by a planner that never rehearsed it.
    const big2 = planner.frame(c.layout, c.input);
    expect(big2?.texts.length).toBeGreaterThan(0);
    expect(big2).toEqual(new OverlayPlanner(measure).frame(c.layout, c.input));
  });
});

/** The camera of a step's frame, moved closer by `zoom`. */
function hostFrameCamera(step: string, t: number, zoom: number) {
  const order = Object.keys(selfAttention.steps);
  const c = direct(selfAttention, order, order.indexOf(step), t, ctx).camera;
  return { ...c, distance: c.distance / zoom };
}

describe('OverlayElements', () => {
  it("writes a frame's labels and arrows, and hides what the next frame does not have", () => {
    const root = element('div');
    const labelRoot = element('div');
    (root as unknown as { insertBefore: (a: FakeElement, b: FakeElement | null) => void }).insertBefore = (a) => root.children.push(a);
    const overlay = new OverlayElements(root as unknown as HTMLElement, labelRoot as unknown as HTMLElement);
    const frame: OverlayFrame = {
      texts: ['Layer norm', 'dot product 0.9354'],
      classes: ['scene-label level-2', 'scene-label callout role-result'],
      boxes: [10, 20, 90, 36, 200, 40, 330, 60],
      arrows: ['M0 0C1 1 2 2 3 3', 'M3 3L1 1L2 2Z', 'result', 'M5 5C6 6 7 7 8 8', 'M8 8L6 6L7 7Z', 'source'],
    };
    overlay.apply(frame);
    const labels = labelRoot.children.filter((e) => e.style.display !== 'none');
    expect(labels.map((e) => [e.textContent, e.className, e.style.transform, e.style.width])).toEqual([
      ['Layer norm', 'scene-label level-2', 'translate(10px, 20px)', '80px'],
      ['dot product 0.9354', 'scene-label callout role-result', 'translate(200px, 40px)', '130px'],
    ]);
    const svg = root.children.find((e) => e.tag === 'svg')!;
    const groups = () => svg.children.filter((g) => g.style.display !== 'none');
    expect(groups().map((g) => g.children[1]!.attrs['d'])).toEqual(['M0 0C1 1 2 2 3 3', 'M5 5C6 6 7 7 8 8']);
    // The next frame: one label, one arrow; the rest hidden, the kept label's element reused.
    overlay.apply({ texts: ['Layer norm'], classes: ['scene-label level-2'], boxes: [12, 20, 92, 36], arrows: ['M1 1C1 1 2 2 3 3', 'M3 3L1 1L2 2Z', 'focus'] });
    expect(labelRoot.children.filter((e) => e.style.display !== 'none').map((e) => [e.textContent, e.style.transform])).toEqual([['Layer norm', 'translate(12px, 20px)']]);
    expect(labelRoot.children.length).toBe(2);
    expect(groups().length).toBe(1);
    overlay.clear();
    expect(labelRoot.children.filter((e) => e.style.display !== 'none')).toEqual([]);
    expect(groups()).toEqual([]);
  });
});

describe('FrameTimes', () => {
  it("adds a frame's late work to that frame, not the newest, and keeps the newest frames", () => {
    const t = new FrameTimes(3);
    t.push(0.5, 1);
    t.push(0.4, 2);
    // Frame 1's labels arrive after frame 2 was pushed.
    t.add(1, 0.25);
    expect(t.ms).toEqual([0.75, 0.4]);
    t.push(0.3, 3);
    t.push(0.2, 4);
    expect(t.ms).toEqual([0.4, 0.3, 0.2]);
    // Frame 1 is no longer kept: its late work is dropped, not put on another frame.
    t.add(1, 1);
    t.add(4, 0.1);
    expect(t.ms.map((x) => Number(x.toFixed(2)))).toEqual([0.4, 0.3, 0.3]);
  });
});
