/**
 * npm run --silent trace -- --tokens CBABBC [--engine wasm|ts]
 *   prints { config, vocab, tokens, ids, tensors } (every intermediate tensor as nested arrays)
 * npm run --silent trace -- --generate CBABBC [--engine wasm|ts]
 *   prints { input, output } (greedy decoding of 6 tokens)
 * Either takes --ablate h.1.attn.head2,h.2.mlp: those parts' outputs are replaced by their means
 * over the 729 sort inputs (src/gpt/ablation.ts); the JSON then also carries "ablate": [names].
 *
 * Bad input exits with status 2, one line on stderr naming the problem, and nothing on stdout.
 */
import { NANO, SORT_LENGTH, VOCAB, decode, encode } from '../src/gpt/config.ts';
import { ablationMeans, ablationNames, isEmptyAblation, parseAblation, type AppliedAblation } from '../src/gpt/ablation.ts';
import { forwardReference } from '../src/gpt/reference.ts';
import { generate } from '../src/gpt/sort.ts';
import { toNested, traceSpecs, type Trace } from '../src/gpt/trace.ts';
import { readWeights, wasmEngine } from './lib/engine.ts';
import { parseArgs, UsageError } from './lib/args.ts';

function fail(message: string): never {
  process.stderr.write(`trace: ${message}\n`);
  process.exit(2);
}

let args: Record<string, string | number | boolean>;
try {
  args = parseArgs(process.argv.slice(2), { tokens: 'string', generate: 'string', engine: 'string', weights: 'string', ablate: 'string' });
} catch (e) {
  if (e instanceof UsageError) fail(e.message);
  throw e;
}
const engineName = (args.engine as string | undefined) ?? 'wasm';
if (engineName !== 'wasm' && engineName !== 'ts') fail(`--engine must be "wasm" or "ts", got "${engineName}"`);
if ((args.tokens === undefined) === (args.generate === undefined)) fail('give exactly one of --tokens LETTERS or --generate LETTERS');

const text = (args.tokens ?? args.generate) as string;
const encoded = encode(text);
if ('error' in encoded) fail(encoded.error);
if (args.generate !== undefined && encoded.ids.length !== SORT_LENGTH) {
  fail(`--generate needs exactly ${SORT_LENGTH} letters, got ${encoded.ids.length}`);
}

let weights;
try {
  weights = readWeights(args.weights as string | undefined);
} catch (e) {
  fail(`cannot load weights: ${(e as Error).message}`);
}
const cfg = weights.config;
if (cfg.vocab_size !== NANO.vocab_size) fail(`weights have vocab_size ${cfg.vocab_size}, expected ${NANO.vocab_size}`);

const ablation = args.ablate === undefined ? null : parseAblation(args.ablate as string, cfg);
if (ablation && 'error' in ablation) fail(`--ablate: ${ablation.error}`);

let applied: AppliedAblation | undefined;
const reference = (ids: number[]): Trace => forwardReference(cfg, weights.params, ids, applied);
const wasm = engineName === 'wasm' ? await wasmEngine(cfg, weights.params) : null;
const engine = wasm ?? {
  forward: reference,
  nextProbs: (ids: number[]) => reference(ids).tensors['probs']!.data.slice((ids.length - 1) * cfg.vocab_size),
};
if (ablation && !isEmptyAblation(ablation)) {
  // The means come from the same engine, unablated, before anything is switched off.
  applied = { ablation, means: ablationMeans((ids) => engine.forward(ids), cfg) };
  wasm?.setAblation(applied);
}
const ablated = applied ? { ablate: ablationNames(applied.ablation, cfg) } : {};

if (args.generate !== undefined) {
  const output = decode(generate(engine, encoded.ids, SORT_LENGTH));
  process.stdout.write(JSON.stringify({ input: text, output, ...ablated }) + '\n');
} else {
  const trace = engine.forward(encoded.ids);
  const tensors: Record<string, unknown> = {};
  for (const { name } of traceSpecs(cfg, encoded.ids.length)) tensors[name] = toNested(trace.tensors[name]!);
  process.stdout.write(JSON.stringify({ config: cfg, vocab: VOCAB, tokens: text, ids: encoded.ids, ...ablated, tensors }) + '\n');
}
