/**
 * Scroll binding: the only module that imports scrollama. Turns the reader's scrolling into
 * { chapter, step, t } every frame. scrollama reports steps entering and leaving the reading
 * line; the local time t is recomputed from element rectangles on each frame, because
 * scrollama's own progress goes stale after jumps (anchor links, fast flings).
 */
import scrollama from 'scrollama';
import { activeStepAt, stepTime } from './progress.ts';

export interface StoryPosition {
  /** Chapter slug (from the step's enclosing [data-chapter]). */
  chapter: string;
  /** Beat name of the step (data-step). */
  step: string;
  /** Index of the step within its chapter. */
  index: number;
  /** The chapter's beats in reading order (shared, not copied per frame). */
  beats: readonly string[];
  /** Step element id, for the URL hash. */
  id: string;
  /** 0..1 through the step; 1 throughout in reduced-motion mode. */
  t: number;
}

/** Created once: matchMedia() parses its query on every call, and the list's `matches` stays live. */
let narrow: MediaQueryList | null = null;

/** The reading line in viewport pixels: 60% down, or 72% on narrow screens where the stage covers the top. */
export function readingLine(): number {
  narrow ??= matchMedia('(max-width: 50rem)');
  return innerHeight * (narrow.matches ? 0.72 : 0.6);
}

export interface ScrollStoryOptions {

  /** Jump to each step's end state instead of animating (prefers-reduced-motion). */
  reducedMotion?: () => boolean;
  /** Called when the active step changes (also on the first frame). */
  onStepChange?: (pos: StoryPosition, element: HTMLElement) => void;
}

export class ScrollStory {
  private readonly steps: HTMLElement[];
  /** For each step that opens its chapter, the chapter element; null for the others. */
  private readonly opens: (HTMLElement | null)[];
  /** Where each step sits: its chapter, its index there, the chapter's beats. Fixed at setup. */
  private readonly places: { chapter: string; index: number; beats: readonly string[] }[];
  private readonly scroller: scrollama.ScrollamaInstance;
  private readonly opts: ScrollStoryOptions;
  private active = -1;
  /**
   * Document-relative tops (px) and heights of the steps and, for each opening step, its chapter's
   * top, as of the last layout read: while only the window scrolls, viewport tops are these minus
   * scrollY, so a frame reads no rectangles (and forces no layout). Null when layout may have moved.
   */
  private geometry: { tops: Float64Array; heights: Float64Array; chapterTops: Float64Array } | null = null;
  /** Per-frame rectangles handed to activeStepAt/stepTime, reused. */
  private readonly boxes: { top: number; height: number }[];
  private readonly reached: { top: number; height: number }[];
  private readonly observer: ResizeObserver | null = null;

  constructor(root: ParentNode, opts: ScrollStoryOptions = {}) {
    this.steps = Array.from(root.querySelectorAll<HTMLElement>('[data-step]'));
    this.opens = this.steps.map((el, i) => {
      const chapter = el.closest<HTMLElement>('[data-chapter]');
      return chapter && this.steps[i - 1]?.closest('[data-chapter]') !== chapter ? chapter : null;
    });
    const beatsOf = new Map<string, string[]>();
    this.places = this.steps.map((el) => {
      const chapter = el.closest<HTMLElement>('[data-chapter]')?.dataset.chapter ?? '';
      const beats = beatsOf.get(chapter) ?? [];
      beatsOf.set(chapter, beats);
      beats.push(el.dataset.step ?? '');
      return { chapter, index: beats.length - 1, beats };
    });
    this.opts = opts;
    this.boxes = this.steps.map(() => ({ top: 0, height: 0 }));
    this.reached = this.steps.map(() => ({ top: 0, height: 0 }));
    // Layout can move without a scroll: fonts arrive, numbers in the prose change length, a notice
    // opens above the text, the window resizes. Any of those resizes one of these elements.
    if (this.steps.length > 0 && typeof ResizeObserver === 'function') {
      this.observer = new ResizeObserver(this.invalidate);
      const watched = new Set<Element>([document.documentElement, ...this.steps]);
      for (const el of this.steps) {
        if (el.parentElement) watched.add(el.parentElement);
        const chapter = el.closest('[data-chapter]');
        if (chapter) watched.add(chapter);
      }
      for (const el of watched) this.observer.observe(el);
    }
    this.scroller = scrollama();
    if (this.steps.length > 0) {
      this.scroller
        .setup({ step: this.steps, offset: (Math.round((readingLine() / innerHeight) * 10) / 10) as scrollama.DecimalType })
        // scrollama only says that something crossed the line; which step is active is decided from
        // the rectangles, so its events can never disagree with the frame loop (chapter headings).
        .onStepEnter(() => this.position());
      window.addEventListener('resize', this.onResize);
      // Something other than the window scrolled (a scrolling ancestor): rectangles move unseen by scrollY.
      document.addEventListener('scroll', this.onScroll, { capture: true, passive: true });
    }
  }

  /** Recompute the reading position from the layout as it is now (call once per frame). */
  position(): StoryPosition | null {
    if (this.steps.length === 0) return null;
    const anchor = readingLine();
    const g = this.measure();
    const y = scrollY;
    const boxes = this.boxes;
    const reached = this.reached;
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i]!;
      b.top = g.tops[i]! - y;
      b.height = g.heights[i]!;
      // A chapter's heading belongs to its first step: a reader who jumped to a chapter (contents,
      // #chapter link) sees that chapter's opening picture, not the end of the one before.
      const r = reached[i]!;
      r.top = this.opens[i] ? Math.min(b.top, g.chapterTops[i]! - y) : b.top;
      r.height = b.height;
    }
    const index = Math.max(0, activeStepAt(reached, anchor));
    if (index !== this.active) this.setActive(index);
    const reduced = this.opts.reducedMotion?.() ?? false;
    return this.describe(index, reduced ? 1 : stepTime(boxes[index]!, anchor, window.innerHeight * 0.3));
  }

  /** The step elements, in document order. */
  get elements(): readonly HTMLElement[] {
    return this.steps;
  }

  destroy(): void {
    this.scroller.destroy();
    this.observer?.disconnect();
    window.removeEventListener('resize', this.onResize);
    document.removeEventListener('scroll', this.onScroll, { capture: true });
  }

  private readonly invalidate = () => {
    this.geometry = null;
  };

  private readonly onResize = () => {
    this.geometry = null;
    this.scroller.resize();
  };

  private readonly onScroll = (e: Event) => {
    if (e.target !== document && e.target !== document.documentElement) this.geometry = null;
  };

  /** The steps' document-relative geometry: read from the layout only after something may have moved it. */
  private measure(): { tops: Float64Array; heights: Float64Array; chapterTops: Float64Array } {
    if (this.geometry) return this.geometry;
    const n = this.steps.length;
    const g = { tops: new Float64Array(n), heights: new Float64Array(n), chapterTops: new Float64Array(n) };
    const y = scrollY;
    for (let i = 0; i < n; i++) {
      const b = this.steps[i]!.getBoundingClientRect();
      g.tops[i] = b.top + y;
      g.heights[i] = b.height;
      const chapter = this.opens[i];
      if (chapter) g.chapterTops[i] = chapter.getBoundingClientRect().top + y;
    }
    // Without a ResizeObserver nothing would say when layout moves: read it every frame.
    if (this.observer) this.geometry = g;
    return g;
  }

  private describe(i: number, t: number): StoryPosition {
    const el = this.steps[i]!;
    return { ...this.places[i]!, step: el.dataset.step ?? '', id: el.id, t };
  }

  private setActive(index: number): void {
    if (index === this.active || !this.steps[index]) return;
    this.steps[this.active]?.removeAttribute('aria-current');
    this.active = index;
    const el = this.steps[index]!;
    el.setAttribute('aria-current', 'step');
    this.opts.onStepChange?.(this.describe(index, 0), el);
  }
}
