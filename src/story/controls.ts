/**
 * The reader's controls inside the prose: every `form.reader-input` (six letters) and
 * `form.sampling` (temperature, seed). Several copies on one page stay in sync; a wrong letter
 * or length gets an inline message and changes nothing.
 */
import { inputProblem } from './input.ts';
import type { ReaderChoices } from './director.ts';

export interface ControlHandlers {
  /** A valid new input (upper case). */
  onInput: (input: string) => void;
  /** Temperature or seed changed (choices is already updated). */
  onSampling: () => void;
}

export function bindReaderControls(root: ParentNode, choices: ReaderChoices, handlers: ControlHandlers): void {
  const forms = Array.from(root.querySelectorAll<HTMLFormElement>('form.reader-input'));
  const fields = forms.map((f) => f.querySelector<HTMLInputElement>('input[name="input"]')!);
  for (const field of fields) field.value = choices.input;

  const submit = (form: HTMLFormElement, field: HTMLInputElement) => {
    const text = field.value.trim().toUpperCase();
    const message = form.querySelector<HTMLElement>('.input-message');
    const problem = inputProblem(text);
    if (problem) {
      field.setAttribute('aria-invalid', 'true');
      if (message) message.textContent = problem;
      return;
    }
    field.removeAttribute('aria-invalid');
    if (message) message.textContent = '';
    for (const f of fields) f.value = text;
    if (text === choices.input) return;
    const url = new URL(location.href);
    url.searchParams.set('input', text);
    history.replaceState(history.state, '', url);
    handlers.onInput(text);
  };

  forms.forEach((form, i) => {
    const field = fields[i]!;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit(form, field);
    });
    field.addEventListener('input', () => {
      // Check as the reader types, but only run the model on a complete, valid input.
      if (field.value.length === 6) submit(form, field);
      else {
        const message = form.querySelector<HTMLElement>('.input-message');
        field.removeAttribute('aria-invalid');
        if (message) message.textContent = '';
      }
    });
  });

  for (const form of root.querySelectorAll<HTMLFormElement>('form.sampling')) {
    const temperature = form.querySelector<HTMLInputElement>('input[name="temperature"]')!;
    const seed = form.querySelector<HTMLInputElement>('input[name="seed"]')!;
    const shown = form.querySelector<HTMLOutputElement>('output');
    const update = () => {
      const t = Number(temperature.value);
      const s = Number(seed.value);
      choices.temperature = Number.isFinite(t) && t >= 0 ? t : 0;
      choices.seed = Number.isInteger(s) && s >= 0 ? s : choices.seed;
      if (shown) shown.textContent = choices.temperature === 0 ? '0 (greedy)' : choices.temperature.toFixed(1);
      handlers.onSampling();
    };
    form.addEventListener('input', update);
    form.addEventListener('submit', (e) => e.preventDefault());
  }
}
