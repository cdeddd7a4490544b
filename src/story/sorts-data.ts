/**
 * The parts of docs/analysis.json that pictures and the page need (accuracy with parts switched
 * off, and the read-outs), imported by name so the bundler leaves the rest of the file out of the
 * page (sorts-figures.ts, used at build time, reads all of it). Computed by `npm run analyze` from
 * the shipped weights and checked by tests/unit/analysis.test.ts.
 */
import { ablations, readouts } from '../../docs/analysis.json' with { type: 'json' };
import type { AblationResult, Readout } from '../gpt/analysis.ts';

/** The accuracy row of one part switched off ('' = nothing; 'h.1.attn,h.2.attn' = both). */
export function ablationRow(part: string): AblationResult {
  const row = (ablations as AblationResult[]).find((r) => r.part === part);
  if (!row) throw new Error(`docs/analysis.json has no ablation "${part}"`);
  return row;
}

/** The read-outs at one stage (embed, h.<l>.resid_1, h.<l>.resid_2), one per slot. */
export function readoutsAt(stage: string): Readout[] {
  return (readouts as Readout[]).filter((r) => r.stage === stage);
}
