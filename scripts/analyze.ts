/**
 * npm run analyze [-- --check] [--json]
 *
 * Studies how the shipped model sorts (src/gpt/analysis.ts) and writes the key numbers to
 * docs/analysis.json, which docs/how-it-sorts.md quotes. The numbers come from the shipped weights
 * through the deterministic WASM engine, so they are the same on every machine: --check
 * recomputes them and exits 1 if they differ from the committed file (tests/unit/analysis.test.ts
 * does the same). Prints the tables (or, with --json, the JSON) to stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { NANO } from '../src/gpt/config.ts';
import { analyze, type Analysis } from '../src/gpt/analysis.ts';
import { ROOT, wasmEngine } from './lib/engine.ts';
import { parseArgs, UsageError } from './lib/args.ts';

export const ANALYSIS_PATH = ROOT + 'docs/analysis.json';
/** Combined ablations worth reporting beside the single parts. */
export const EXTRA_ABLATIONS = ['h.1.attn,h.2.attn'];

/** Rounds every number to 4 decimals: the file is for reading, and its digits stay stable. */
export function rounded(a: Analysis): Analysis {
  return JSON.parse(JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v))) as Analysis;
}

export async function runAnalysis(): Promise<Analysis> {
  return rounded(analyze(await wasmEngine(), NANO, EXTRA_ABLATIONS));
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`.padStart(4);
}

function tables(a: Analysis): string {
  const lines: string[] = [];
  lines.push(`Accuracy over ${a.inputs} inputs (answers exactly sorted; then right letters per slot) with one part switched off (mean ablation):`);
  for (const r of a.ablations) {
    const first = r.written[0]!.join('/');
    const last = r.written[r.written.length - 1]!.join('/');
    lines.push(`  ${(r.part || '(nothing)').padEnd(20)} ${String(r.correct).padStart(4)}   ${r.slots.map((s) => String(s).padStart(4)).join('')}   first A/B/C ${first}, last ${last}`);
  }
  lines.push('', 'Where each head looks from each output slot (share on the input; on its A/B/C; on the letter it must write vs. if even):');
  for (const h of a.heads) {
    lines.push(`  ${h.part}`);
    for (const k of h.looks) lines.push(`    slot ${k.slot}: input ${pct(k.input)}  A/B/C ${k.letters.map(pct).join(' ')}  one A/B/C ${k.perLetter.map(pct).join(' ')}  answer letter ${pct(k.answer)} (even ${pct(k.answerIfEven)})  self ${pct(k.self)}`);
  }
  lines.push('', 'Linear read-outs from the stream at each slot (R^2 on held-out inputs): #A, #B, the letter to write:');
  for (const r of a.readouts) lines.push(`  slot ${r.slot} ${r.stage.padEnd(12)} ${r.countA.toFixed(3)}  ${r.countB.toFixed(3)}  ${r.letter.toFixed(3)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let args: Record<string, string | number | boolean>;
  try {
    args = parseArgs(process.argv.slice(2), { check: 'flag', json: 'flag' });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`analyze: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const a = await runAnalysis();
  const text = JSON.stringify(a, null, 1) + '\n';
  if (args.check) {
    const committed = readFileSync(ANALYSIS_PATH, 'utf8');
    if (committed !== text) {
      process.stderr.write(`analyze: ${ANALYSIS_PATH} is out of date: run npm run analyze\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(ANALYSIS_PATH, text);
  }
  process.stdout.write((args.json ? text : tables(a)) + '\n');
}
