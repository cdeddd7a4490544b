/**
 * The reader's six letters: the default, validation with messages a reader can act on, and
 * reading `?input=` from a URL without ever trusting it.
 */
import { SORT_LENGTH, VOCAB } from '../gpt/config.ts';

export const DEFAULT_INPUT = 'CBABBC';

/** null if the text is a valid input, else a short message saying what to change. */
export function inputProblem(text: string): string | null {
  if (text.length !== SORT_LENGTH) return `Use exactly ${SORT_LENGTH} letters (you have ${text.length}).`;
  for (let i = 0; i < text.length; i++) {
    if (!VOCAB.includes(text[i]!)) return `Letter ${i + 1} (${JSON.stringify(text[i])}) is not A, B or C.`;
  }
  return null;
}

/**
 * The input from a URL's `?input=`: upper-cased if it is otherwise valid. Anything else gives a
 * notice to show (as text, never as HTML) and the default input.
 */
export function inputFromSearch(search: string, others: readonly string[] = []): { input: string; notice: string | null } {
  const params = new URLSearchParams(search);
  const notices: string[] = [];
  const raw = params.get('input');
  let input = DEFAULT_INPUT;
  if (raw !== null) {
    const candidate = raw.trim().toUpperCase();
    const problem = inputProblem(candidate);
    if (problem === null) input = candidate;
    else {
      const shown = raw.length > 40 ? raw.slice(0, 40) + '…' : raw;
      notices.push(`Ignored ?input=${JSON.stringify(shown)}: ${problem} Showing ${DEFAULT_INPUT} instead.`);
    }
  }
  // `others`: parameters the page reads elsewhere (the training chapter's ?seed=).
  const unknown = [...new Set(params.keys())].filter((k) => k !== 'input' && !others.includes(k));
  if (unknown.length > 0) {
    const names = unknown.slice(0, 3).map((k) => JSON.stringify(k.length > 24 ? k.slice(0, 24) + '…' : k));
    notices.push(`Ignored the unknown address parameter${unknown.length > 1 ? 's' : ''} ${names.join(', ')}${unknown.length > 3 ? ' and more' : ''}.`);
  }
  return { input, notice: notices.length > 0 ? notices.join(' ') : null };
}
