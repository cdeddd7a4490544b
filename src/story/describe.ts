/**
 * The canvas's text alternative for one step: where the reader is ("Embedding, step 2 of 6."),
 * then the director's description. When the director gives none, or one without any number, the
 * blocks the picture emphasises are named with their sizes, so a screen reader always hears what
 * changed and how big it is.
 */
import type { Highlight, ModelLayout } from '../scene/types.ts';
import { grouped } from '../scene/numbers.ts';

export interface DescribedStep {
  /** Step number within its chapter, 1-based, and the chapter's step count. */
  number: number;
  of: number;
  chapterTitle: string;
}

const span = (r: readonly [number, number] | undefined, size: number) => (r ? r[1] - r[0] : size);

/** "Embedding, step 2 of 6." */
export function stepHeading(step: DescribedStep): string {
  return `${step.chapterTitle}, step ${step.number} of ${step.of}.`;
}

/** The emphasised blocks (at most three) with their sizes; the whole model's size when none is. */
export function emphasis(layout: ModelLayout, highlights: readonly Highlight[]): string {
  const named: string[] = [];
  const seen = new Set<string>();
  for (const h of highlights) {
    const b = layout.blocks.find((x) => x.id === h.block);
    if (!b || seen.has(b.id)) continue;
    seen.add(b.id);
    named.push(`${b.label} (${span(h.rows, b.rows.size)} × ${span(h.cols, b.cols.size)} of its ${b.rows.size} × ${b.cols.size} cells)`);
    if (named.length === 3) break;
  }
  if (named.length === 0) return `The picture shows all ${layout.blocks.length} blocks of the model, ${grouped(layout.params)} parameters.`;
  return `The picture emphasises ${named.join('; ')}.`;
}

export function describeStep(step: DescribedStep, layout: ModelLayout, highlights: readonly Highlight[], directorText: string): string {
  const text = directorText.trim();
  const body = text === '' ? emphasis(layout, highlights) : /\d/.test(text) ? text : `${text} ${emphasis(layout, highlights)}`;
  return `${stepHeading(step)} ${body}`;
}
