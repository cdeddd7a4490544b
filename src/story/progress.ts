/**
 * Which step is being read and how far: pure functions of element rectangles, so they are
 * exact after jumps, resizes and reloads (see scroll.ts for the browser side).
 */
import { clamp } from './beats.ts';

export interface StepBox {
  top: number;
  height: number;
}

/**
 * The step under the reading line (y = anchor, viewport pixels): the last step whose top is at or
 * above the line; -1 if the line is above the first step. Steps are in document order.
 */
export function activeStepAt(steps: readonly StepBox[], anchor: number): number {
  let active = -1;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]!.top <= anchor) active = i;
    else break;
  }
  return active;
}

/**
 * Local time of a step: 0 when its top reaches the reading line, 1 when its bottom does (and
 * after). Steps shorter than `minSpan` pixels use minSpan, so short paragraphs still animate.
 */
export function stepTime(step: StepBox, anchor: number, minSpan = 1): number {
  return clamp((anchor - step.top) / Math.max(step.height, minSpan));
}
