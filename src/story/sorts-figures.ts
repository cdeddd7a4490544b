/**
 * The numbers of the "How it sorts" chapter that are measured over all 729 inputs rather than read
 * from the reader's pass: accuracies with parts switched off, where layer 1's heads look on
 * average, and the read-outs' R². They come from docs/analysis.json, which `npm run analyze`
 * computes from the shipped weights (deterministic; tests/unit/analysis.test.ts regenerates and
 * compares it), imported at build time.
 */
import analysisJson from '../../docs/analysis.json' with { type: 'json' };
import type { Analysis, HeadLook } from '../gpt/analysis.ts';
import { VOCAB } from '../gpt/config.ts';
import { ablationRow, readoutsAt } from './sorts-data.ts';

export { ablationRow, readoutsAt };

export const ANALYSIS = analysisJson as Analysis;

/** Where head h of layer l looks from answer slot k, averaged over the 729 inputs. */
export function headLook(l: number, h: number, k: number): HeadLook {
  const look = ANALYSIS.heads.find((x) => x.part === `h.${l}.attn.head${h}`)?.looks[k];
  if (!look) throw new Error(`docs/analysis.json has no look for h.${l}.attn.head${h} at slot ${k}`);
  return look;
}

const pct = (x: number) => `${Math.round(100 * x)}%`;
const r2 = (x: number, fmt = '2') => x.toFixed(Number(fmt));
const min = (xs: number[]) => Math.min(...xs);
const max = (xs: number[]) => Math.max(...xs);

/** Named quantities for :val{q="..."}; each name below is listed in SORTS_QUANTITY_CELLS. */
export const SORTS_QUANTITIES: Record<string, (fmt?: string) => string> = {
  'sorts-inputs': () => String(ANALYSIS.inputs),
  'sorts-correct': () => String(ablationRow('').correct),
  'sorts-no-a': () => String(ANALYSIS.inputs - ablationRow('').written[0]![0]!),
  'sorts-no-c': () => String(ANALYSIS.inputs - ablationRow('').written[5]![2]!),
  'sorts-b-first': () => String(ablationRow('').written[0]![1]!),
  'sorts-c-first': () => String(ablationRow('').written[0]![2]!),
  'sorts-late-written-min': () => pct(min([0, 1, 2].flatMap((h) => [1, 2, 3, 4, 5].map((k) => 1 - headLook(0, h, k).input)))),
  'sorts-late-written-max': () => pct(max([0, 1, 2].flatMap((h) => [1, 2, 3, 4, 5].map((k) => 1 - headLook(0, h, k).input)))),
  'readout-embed-a-min': (fmt) => r2(min(readoutsAt('embed').map((r) => r.countA)), fmt),
  'readout-embed-a-max': (fmt) => r2(max(readoutsAt('embed').map((r) => r.countA)), fmt),
  'readout-counts-min': (fmt) => r2(min(readoutsAt('h.0.resid_1').map((r) => Math.min(r.countA, r.countB))), fmt),
  'readout-counts-max': (fmt) => r2(max(readoutsAt('h.0.resid_1').map((r) => Math.max(r.countA, r.countB))), fmt),
  'readout-letter-attn-min': (fmt) => r2(min(readoutsAt('h.0.resid_1').map((r) => r.letter)), fmt),
  'readout-letter-attn-max': (fmt) => r2(max(readoutsAt('h.0.resid_1').map((r) => r.letter)), fmt),
  'readout-letter-last-min': (fmt) => r2(min(readoutsAt('h.2.resid_2').map((r) => r.letter)), fmt),
  'readout-letter-last-max': (fmt) => r2(max(readoutsAt('h.2.resid_2').map((r) => r.letter)), fmt),
};

// Accuracy with each measured part (or combination) switched off: "without-h.0.attn.head0".
for (const row of ANALYSIS.ablations) {
  if (row.part !== '') SORTS_QUANTITIES[`without-${row.part}`] = () => String(row.correct);
  // The fallback: how often slot 0 / slot 5 is right (first letter A, last letter C).
  if (row.part !== '') SORTS_QUANTITIES[`without-${row.part}-first-a`] = () => String(row.written[0]![0]!);
  if (row.part !== '') SORTS_QUANTITIES[`without-${row.part}-last-c`] = () => String(row.written[5]![2]!);
  // The letter written most often in each slot: the whole answer when every input gets the same one.
  if (row.part !== '') SORTS_QUANTITIES[`without-${row.part}-answer`] = () => row.written.map((w) => VOCAB[w.indexOf(Math.max(...w))]).join('');
}

// Layer 1's heads: the share of attention one input letter of each kind gets from slot k: "look-0-A-0".
for (let h = 0; h < 3; h++) {
  for (let v = 0; v < VOCAB.length; v++) {
    for (let k = 0; k < 6; k++) SORTS_QUANTITIES[`look-${h}-${VOCAB[v]}-${k}`] = () => pct(headLook(0, h, k).perLetter[v]!);
  }
}

/** Why none of these is one cell of the reader's picture. */
const MEASURED = 'measured over all 729 inputs by npm run analyze (docs/analysis.json), not a cell of this input\'s pass';

export const SORTS_QUANTITY_CELLS: Record<string, string> = Object.fromEntries(Object.keys(SORTS_QUANTITIES).map((q) => [q, MEASURED]));
