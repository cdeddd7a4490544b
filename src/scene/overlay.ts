/**
 * The overlay's placing end, run by the render host (render-host.ts) beside the drawing: in the
 * render worker, or on the page where the drawing runs there. For each frame it places the labels
 * (labels.ts) and works out the arrows (links.ts) from the frame's camera and scene state, and
 * records them as an OverlayFrame that the page writes to its elements (overlay-dom.ts).
 *
 * So the page's frame spends nothing on placing labels (about half of its script before), and
 * the labels reach the page with the drawing they name, both from the same camera.
 */
import type { ScreenMatrices } from './camera.ts';
import { LabelLayer, type LabelSink } from './labels.ts';
import type { MeasureText } from './label-styles.ts';
import { LinkLayer, type ArrowSink } from './links.ts';
import type { Rect } from './placement.ts';
import type { HighlightRole, Link, ModelLayout, Range, SceneState } from './types.ts';

/** One frame's labels and arrows, as the page shows them. */
export interface OverlayFrame {
  /** Each label's text and class list, in the order shown. */
  texts: string[];
  classes: string[];
  /** Each label's box, CSS px: x0, y0, x1, y1 in a row per label. */
  boxes: number[];
  /** Each arrow's curve path, head path and role, in a row per arrow. */
  arrows: string[];
}

/** What the overlay of a frame is placed from (the scene state's camera is not read: `matrices` are its camera). */
export interface OverlayInput {
  matrices: ScreenMatrices;
  /** The stage, CSS px. */
  width: number;
  height: number;
  state: Omit<SceneState, 'camera'>;
  /** Letters of the input tokens, drawn over the 'tokens' block's cells. */
  tokens: string | null;
}

/** A sink for both layers that records what they show. */
class Recorder implements LabelSink, ArrowSink {
  frame: OverlayFrame = { texts: [], classes: [], boxes: [], arrows: [] };

  show(text: string, cls: string, r: Readonly<Rect>): void {
    this.frame.texts.push(text);
    this.frame.classes.push(cls);
    this.frame.boxes.push(r.x0, r.y0, r.x1, r.y1);
  }

  end(): void {}

  arrow(_i: number, d: string, h: string, role: HighlightRole): void {
    this.frame.arrows.push(d, h, role);
  }

  /** The frame recorded, and a fresh one for the next (the last may still be on its way to the page). */
  take(): OverlayFrame {
    const f = this.frame;
    this.frame = { texts: [], classes: [], boxes: [], arrows: [] };
    return f;
  }
}

export class OverlayPlanner {
  private readonly recorder = new Recorder();
  private readonly labels: LabelLayer;
  private readonly links: LinkLayer;
  /** The layout of the last real frame. */
  private shown: ModelLayout | null = null;

  constructor(measure: MeasureText) {
    this.labels = new LabelLayer(this.recorder, measure);
    this.links = new LinkLayer(this.recorder);
  }

  /** Measures the labels' characters ahead of the first frame. */
  premeasure(): void {
    this.labels.premeasure();
  }

  /** Builds what labelling `layout` needs (its label tree) ahead of the frame that first shows it. */
  prepare(layout: ModelLayout): void {
    this.labels.prepare(layout);
  }

  /**
   * The labels and arrows of a frame; null when they stay as the last frame placed them (the
   * same camera, stage and scene: the page has nothing to write). `fresh` places them anyway (the
   * page emptied its overlay).
   */
  frame(layout: ModelLayout, input: OverlayInput, fresh = false): OverlayFrame | null {
    this.shown = layout;
    this.labels.setLayout(layout);
    this.links.setLayout(layout);
    if (fresh) this.labels.invalidate();
    // Nothing placed (the same inputs as the last frame): nothing was recorded either.
    return this.place(input, false, layout) ? this.recorder.take() : null;
  }

  /**
   * A frame's placing work without showing anything or changing what the last frame placed (a
   * rehearsal: the engine compiles this code before the frames that need it).
   */
  rehearse(layout: ModelLayout, input: OverlayInput): void {
    this.links.setLayout(layout);
    this.place(input, true, layout);
    if (this.shown) this.links.setLayout(this.shown);
  }

  /** Labels, then arrows, of `layout` (the links' layout already); false when the labels stay as they were. */
  private place(input: OverlayInput, dry: boolean, layout: ModelLayout): boolean {
    const state = input.state as SceneState;
    const { matrices, width, height } = input;
    if (!this.labels.update({ matrices, width, height, state, tokens: input.tokens, avoid: (add) => this.links.avoid({ matrices, width, height, state }, add) }, dry, layout)) return false;
    // After the labels: an arrow that ends at a callout needs where the callout was placed, and a
    // callout placed far from its cell gets an arrow to it.
    this.links.update({ matrices, width, height, state: this.withLeaders(state), callouts: this.labels }, dry);
    return true;
  }

  /** `state` with an arrow from each callout placed far from its cell to that cell. */
  private withLeaders(state: SceneState): SceneState {
    let leaders: Link[] | null = null;
    state.callouts.forEach((c, i) => {
      if (!this.labels.calloutIsFar(i)) return;
      // The director already joins this callout to something: no second arrow.
      if (state.links?.some((l) => ('callout' in l.from && l.from.callout === i) || ('callout' in l.to && l.to.callout === i))) return;
      const to = c.row !== undefined && c.col !== undefined ? { block: c.block, rows: [c.row, c.row + 1] as Range, cols: [c.col, c.col + 1] as Range } : { block: c.block };
      (leaders ??= []).push({ from: { callout: i }, to, role: c.role ?? 'focus' });
    });
    return leaders ? { ...state, links: [...(state.links ?? []), ...(leaders as Link[])] } : state;
  }
}
