/**
 * The page's steps, run ahead of the reader while the page is idle.
 *
 * A scrolling frame runs code of its own step: the step's director, and the labels, callouts and
 * arrows that step shows. A reader spends only a few frames in some steps, and the JavaScript
 * engine interprets a function until it has run a number of times, so the first frames of each
 * step cost about twice what the same frames cost once warm (self-attention while scrolling:
 * median 2.0 ms cold, 1.1 ms on a second pass). Here each step is directed and its frame's
 * script work is done (SceneView.rehearse: nothing drawn, nothing on the page changes) at a few
 * moments of its time, in idle time after the first picture, starting at the reader's step. The
 * labels and arrows are placed in the render worker since, which rehearses one moment at a time
 * as it is free (the page's part, the directors, runs for every moment).
 * Six passes rather than two: the layer norm chapter's frames, interleaved runs, pooled median
 * 0.91 ms against 1.05 ms (75th percentile 1.25 against 1.63 ms).
 */

/** One rehearsed moment: step `index` of `chapter` (whose steps are `beats`) at local time t. */
export interface RehearsalItem {
  chapter: string;
  beats: readonly string[];
  index: number;
  t: number;
}

/** Moments of each step rehearsed, and how many times over. */
export const REHEARSAL_TIMES: readonly number[] = [0, 0.25, 0.5, 0.75, 1];
export const REHEARSAL_PASSES = 6;

/**
 * Every step of `chapters` at every time in `times`, `passes` times over: the reader's step and
 * those after it first (where the reader is going), then the ones before.
 */
export function rehearsalOrder(
  chapters: readonly { chapter: string; beats: readonly string[] }[],
  from: { chapter: string; index: number } | null,
  times: readonly number[] = REHEARSAL_TIMES,
  passes: number = REHEARSAL_PASSES,
): RehearsalItem[] {
  const steps = chapters.flatMap(({ chapter, beats }) => beats.map((_, index) => ({ chapter, beats, index })));
  const at = from ? steps.findIndex((s) => s.chapter === from.chapter && s.index === from.index) : -1;
  const ordered = at > 0 ? [...steps.slice(at), ...steps.slice(0, at)] : steps;
  const items: RehearsalItem[] = [];
  for (const step of ordered) for (let p = 0; p < passes; p++) for (const t of times) items.push({ ...step, t });
  return items;
}

/** Idle time is left alone below this many ms of it. */
const MIN_IDLE_MS = 4;

interface Deadline {
  timeRemaining(): number;
}

/**
 * Runs `run` on each item in idle time, a slice at a time. Stops at the first item that throws:
 * the real frame will say why. A browser without requestIdleCallback cannot say when it is idle:
 * there nothing is rehearsed (a timer could land in the middle of the reader's scrolling).
 */
export function rehearse(items: readonly RehearsalItem[], run: (item: RehearsalItem) => void): { done: Promise<void>; stop(): void } {
  let next = 0;
  let stopped = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  if (typeof requestIdleCallback !== 'function') {
    finish();
    return { done, stop: () => undefined };
  }
  const idle = (f: (d: Deadline) => void) => requestIdleCallback(f);
  const slice = (deadline: Deadline): void => {
    try {
      while (!stopped && next < items.length && deadline.timeRemaining() > MIN_IDLE_MS) run(items[next++]!);
    } catch {
      stopped = true;
    }
    if (stopped || next >= items.length) finish();
    else idle(slice);
  };
  idle(slice);
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}
