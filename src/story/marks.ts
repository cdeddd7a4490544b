/**
 * Names of the performance marks the article leaves on its timeline, shared with
 * scripts/bench-page.ts (kept apart from article.ts so Node can import them without the DOM).
 */

/** The first drawn frame that shows the model's values; startTime is when it finished drawing. */
export const FIRST_VALUES_MARK = 'gpt:first-values-frame';
