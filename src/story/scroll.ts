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

/** The reading line in viewport pixels: 60% down, or 72% on narrow screens where the stage covers the top. */
export function readingLine(): number {
  return innerHeight * (matchMedia('(max-width: 50rem)').matches ? 0.72 : 0.6);
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
    this.scroller = scrollama();
    if (this.steps.length > 0) {
      this.scroller
        .setup({ step: this.steps, offset: (Math.round((readingLine() / innerHeight) * 10) / 10) as scrollama.DecimalType })
        // scrollama only says that something crossed the line; which step is active is decided from
        // the rectangles, so its events can never disagree with the frame loop (chapter headings).
        .onStepEnter(() => this.position());
      window.addEventListener('resize', this.onResize);
    }
  }

  /** Recompute the reading position from the layout as it is now (call once per frame). */
  position(): StoryPosition | null {
    if (this.steps.length === 0) return null;
    const anchor = readingLine();
    const boxes = this.steps.map((el) => el.getBoundingClientRect());
    // A chapter's heading belongs to its first step: a reader who jumped to a chapter (contents,
    // #chapter link) sees that chapter's opening picture, not the end of the one before.
    const reached = boxes.map((b, i) => {
      const chapter = this.opens[i];
      return chapter ? { top: Math.min(b.top, chapter.getBoundingClientRect().top), height: b.height } : b;
    });
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
    window.removeEventListener('resize', this.onResize);
  }

  private readonly onResize = () => this.scroller.resize();

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
