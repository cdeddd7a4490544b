/**
 * The "How it sorts" lab on the page: every `form.ablation-lab` (lab-form.ts). Ticking a part asks
 * the worker to answer all 729 inputs and the reader's letters with the ticked parts switched off
 * (mean ablation, src/gpt/ablation.ts); the result line and the picture follow.
 */
import { decode, encode } from '../gpt/config.ts';
import { GPTError, type Ablated } from '../gpt/client.ts';
import type { LabState } from './director.ts';
import { labResultText } from './lab-text.ts';

export interface LabHandlers {
  ablate: (parts: string[], ids: number[]) => Promise<Ablated>;
  /** The reader's six letters now. */
  input: () => string;
  /** A new result (null: every part back on). */
  onResult: (state: LabState | null) => void;
  /** Says the result politely to screen readers (the page's live region). */
  announce: (text: string) => void;
  /** The worker failed. */
  onError: (message: string) => void;
}

/** Binds the lab forms; `refresh` re-runs the current choice (e.g. for new letters). */
export function bindAblationLab(root: ParentNode, handlers: LabHandlers): { refresh: () => void } {
  const forms = Array.from(root.querySelectorAll<HTMLFormElement>('form.ablation-lab'));
  let request = 0;

  const checked = (form: HTMLFormElement) => Array.from(form.querySelectorAll<HTMLInputElement>('input[name="part"]:checked')).map((b) => b.value);

  async function update(form: HTMLFormElement): Promise<void> {
    const parts = checked(form);
    const encoded = encode(handlers.input());
    if ('error' in encoded) return;
    const id = ++request;
    const output = form.querySelector<HTMLOutputElement>('output[name="lab-result"]');
    form.setAttribute('aria-busy', 'true');
    try {
      const r = await handlers.ablate(parts, encoded.ids);
      if (id !== request) return;
      const text = labResultText(r, handlers.input(), decode(r.output));
      if (output) {
        output.textContent = text;
        output.dataset.correct = String(r.correct);
        output.dataset.ms = r.ms.toFixed(0);
      }
      handlers.announce(text);
      handlers.onResult(parts.length === 0 ? null : { parts: r.parts, correct: r.correct, total: r.total, slots: r.slots, output: r.output, trace: r.trace, ms: r.ms });
    } catch (e) {
      if (e instanceof GPTError && e.code === 'superseded') return;
      handlers.onError((e as Error).message);
    } finally {
      if (id === request) form.removeAttribute('aria-busy');
    }
  }

  // The worker computes the parts' averages on its first experiment (729 forward passes): start it
  // when the lab comes into view, so the reader's first switch answers sooner, and the result line
  // names their letters before they touch anything.
  const warm = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      warm.unobserve(entry.target);
      const form = entry.target as HTMLFormElement;
      if (form.querySelector<HTMLOutputElement>('output[name="lab-result"]')?.dataset.correct === undefined) void update(form);
    }
  });
  for (const form of forms) {
    warm.observe(form);
    form.addEventListener('change', () => void update(form));
    form.addEventListener('submit', (e) => e.preventDefault());
    // After a reset the boxes are cleared only once the event has run.
    form.addEventListener('reset', () => setTimeout(() => void update(form), 0));
  }
  return {
    refresh: () => {
      // A result line that names the reader's letters (the lab was used) follows new letters.
      for (const form of forms) if (checked(form).length > 0 || form.querySelector<HTMLOutputElement>('output[name="lab-result"]')?.dataset.correct !== undefined) void update(form);
    },
  };
}
