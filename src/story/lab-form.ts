/**
 * The "How it sorts" lab's form (the ::ablation-lab directive): one group of checkboxes per layer,
 * a box per attention head and one for the MLP, named with ablation.ts's part names, and the
 * result line. Works without script as a plain list of the parts; src/story/lab.ts makes it run.
 */
import type { GPTConfig } from '../gpt/config.ts';
import { ablationRow } from './sorts-data.ts';
import { labResultText } from './lab-text.ts';
import { h, type HastChild } from './hast.ts';

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
