/**
 * npm run --silent trace -- --tokens CBABBC [--engine wasm|ts]
 *   prints { config, vocab, tokens, ids, tensors } (every intermediate tensor as nested arrays)
 * npm run --silent trace -- --generate CBABBC [--engine wasm|ts]
 *   prints { input, output } (greedy decoding of 6 tokens)
 *
 * Bad input exits with status 2, one line on stderr naming the problem, and nothing on stdout.
 */
import { NANO, SORT_LENGTH, VOCAB, decode, encode } from '../src/gpt/config.ts';
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
  args = parseArgs(process.argv.slice(2), { tokens: 'string', generate: 'string', engine: 'string', weights: 'string' });
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

const engine =
  engineName === 'ts'
    ? {
        forward: (ids: number[]): Trace => forwardReference(cfg, weights.params, ids),
        nextProbs: (ids: number[]) => {
          const probs = forwardReference(cfg, weights.params, ids).tensors['probs']!;
          return probs.data.slice((ids.length - 1) * cfg.vocab_size);
        },
      }
    : await wasmEngine(cfg, weights.params);

if (args.generate !== undefined) {
  const output = decode(generate(engine, encoded.ids, SORT_LENGTH));
  process.stdout.write(JSON.stringify({ input: text, output }) + '\n');
} else {
  const trace = engine.forward(encoded.ids);
  const tensors: Record<string, unknown> = {};
  for (const { name } of traceSpecs(cfg, encoded.ids.length)) tensors[name] = toNested(trace.tensors[name]!);
  process.stdout.write(JSON.stringify({ config: cfg, vocab: VOCAB, tokens: text, ids: encoded.ids, tensors }) + '\n');
}
