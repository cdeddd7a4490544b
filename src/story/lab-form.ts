/**
 * The "How it sorts" lab's form (the ::ablation-lab directive): one group of checkboxes per layer,
 * a box per attention head and one for the MLP, named with ablation.ts's part names, and the
 * result line. Works without script as a plain list of the parts; src/story/lab.ts makes it run.
 */
import type { GPTConfig } from '../gpt/config.ts';
import { ablationRow } from './sorts-figures.ts';

type HastChild = { type: 'element'; tagName: string; properties: Record<string, unknown>; children: HastChild[] } | { type: 'text'; value: string };

function h(tagName: string, properties: Record<string, unknown>, ...children: (HastChild | string)[]): HastChild {
  return { type: 'element', tagName, properties, children: children.map((c) => (typeof c === 'string' ? { type: 'text', value: c } : c)) };
}

/** A part name (ablation.ts) as the reader reads it, counting from 1: h.0.attn.head2 -> "head 3 of layer 1". */
export function partLabel(part: string): string {
  const m = /^h\.(\d+)\.(attn(?:\.head(\d+))?|mlp)$/.exec(part);
  if (!m) return part;
  const layer = Number(m[1]) + 1;
  if (m[2] === 'mlp') return `the MLP of layer ${layer}`;
  return m[3] !== undefined ? `head ${Number(m[3]) + 1} of layer ${layer}` : `all of layer ${layer}'s attention`;
}

/** Part labels joined as a list: "a", "a and b", "a, b and c". */
export function partsLabel(parts: readonly string[]): string {
  const names = parts.map(partLabel);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The text of the result line; `output` is the reader's answer when known. */
export function labResultText(r: { parts: readonly string[]; correct: number; total: number; ms?: number }, input?: string, output?: string): string {
  const which = r.parts.length === 0 ? 'With every part on' : `With ${partsLabel(r.parts)} off`;
  const yours = input && output ? ` ${input} becomes ${output}.` : '';
  const took = r.ms !== undefined ? ` (Answered in ${Math.max(1, Math.round(r.ms))} ms in your browser.)` : '';
  return `${which}, the model sorts ${r.correct} of ${r.total} inputs.${yours}${took}`;
}

export function ablationLabForm(cfg: GPTConfig) {
  const box = (part: string, label: string) => h('label', { className: ['lab-part'] }, h('input', { type: 'checkbox', name: 'part', value: part }), ` ${label}`);
  const layers: HastChild[] = [];
  for (let l = 0; l < cfg.n_layer; l++) {
    const boxes = Array.from({ length: cfg.n_head }, (_, i) => box(`h.${l}.attn.head${i}`, `head ${i + 1}`));
    layers.push(h('fieldset', { className: ['lab-layer'] }, h('legend', {}, `Layer ${l + 1}`), ...boxes, box(`h.${l}.mlp`, 'MLP')));
  }
  const whole = ablationRow('');
  return {
    hName: 'form',
    hProperties: { className: ['ablation-lab'], ariaLabel: 'Switch parts of the model off' },
    hChildren: [
      h('div', { className: ['lab-layers'] }, ...layers),
      h('p', { className: ['lab-result'] }, h('output', { name: 'lab-result' }, labResultText({ parts: [], correct: whole.correct, total: whole.total }))),
      h('button', { type: 'reset' }, 'Switch everything back on'),
    ],
  };
}
