/** The command-line interfaces: `npm run trace` (public, see docs/ARCHITECTURE.md) and `npm run train`. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NANO } from '../../src/gpt/config.ts';
import { loadWeights } from '../../src/gpt/safetensors.ts';
import { traceSpecs } from '../../src/gpt/trace.ts';
import { ROOT } from '../../scripts/lib/engine.ts';

/** Runs a script with the same Node that runs the tests (Node 22 from node_modules). */
function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

describe('npm run trace', () => {
  for (const tokens of ['A', 'CBABBC', 'CBABBCABBBC']) {
    it(`prints every tensor with its documented shape for ${tokens}`, () => {
      const r = run('trace.ts', ['--tokens', tokens]);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.config).toEqual({ ...NANO });
      expect(out.vocab).toBe('ABC');
      expect(out.tokens).toBe(tokens);
      expect(out.ids).toEqual([...tokens].map((c) => 'ABC'.indexOf(c)));
      for (const { name, shape } of traceSpecs(NANO, tokens.length)) expect(shapeOf(out.tensors[name]), name).toEqual(shape);
      for (const name of ['tok_emb', 'embed', 'h.0.attn.q', 'h.2.resid_2', 'logits', 'probs']) expect(out.tensors[name]).toBeDefined();
      // masked attention scores are null, visible ones are numbers
      const scores = out.tensors['h.0.attn.scores'] as (number | null)[][][];
      expect(scores[0]![0]![0]).toBeTypeOf('number');
      if (tokens.length > 1) expect(scores[0]![0]![1]).toBeNull();
    });
  }

  it('gives the same numbers with --engine ts (within 1e-5)', () => {
    const a = JSON.parse(run('trace.ts', ['--tokens', 'CBABBC']).stdout);
    const b = JSON.parse(run('trace.ts', ['--tokens', 'CBABBC', '--engine', 'ts']).stdout);
    const la = (a.tensors.logits as number[][]).flat();
    const lb = (b.tensors.logits as number[][]).flat();
    la.forEach((v, i) => expect(Math.abs(v - lb[i]!)).toBeLessThan(1e-5));
  });

  it('--generate prints the greedy output', () => {
    for (const engine of ['wasm', 'ts']) {
      const r = run('trace.ts', ['--generate', 'CBABBC', '--engine', engine]);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ input: 'CBABBC', output: 'ABBBCC' });
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['empty input', ['--tokens', ''], /empty/],
    ['a letter outside A/B/C', ['--tokens', 'CBXA'], /"X"/],
    ['lower-case letters', ['--tokens', 'cba'], /"c"/],
    ['more than 11 tokens', ['--tokens', 'AAAAAAAAAAAA'], /12 letters/],
    ['--generate with 5 letters', ['--generate', 'CBABB'], /exactly 6/],
    ['--generate with 7 letters', ['--generate', 'CBABBCA'], /exactly 6/],
    ['no input at all', [], /exactly one of/],
    ['both --tokens and --generate', ['--tokens', 'A', '--generate', 'CBABBC'], /exactly one of/],
    ['an unknown engine', ['--tokens', 'A', '--engine', 'gpu'], /--engine/],
    ['an unknown flag', ['--token', 'A'], /unknown argument/],
    ['a missing value', ['--tokens'], /needs a value/],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 with one stderr line and empty stdout for ${what}`, () => {
      const r = run('trace.ts', args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('npm run train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'train-'));

  it('gives the same bytes for the same seed, and different ones for another seed', () => {
    const paths = ['a', 'b', 'c'].map((n) => join(dir, `${n}.safetensors`));
    expect(run('train.ts', ['--seed', '5', '--iters', '15', '--out', paths[0]!]).status).not.toBe(2);
    run('train.ts', ['--seed', '5', '--iters', '15', '--out', paths[1]!]);
    run('train.ts', ['--seed', '6', '--iters', '15', '--out', paths[2]!]);
    const [a, b, c] = paths.map((p) => readFileSync(p));
    expect(Buffer.compare(a!, b!)).toBe(0);
    expect(Buffer.compare(a!, c!)).not.toBe(0);
    const w = loadWeights(a!);
    expect(w.config).toEqual({ ...NANO });
    expect(w.metadata.seed).toBe('5');
    expect(JSON.parse(w.metadata.recipe!)).toMatchObject({ lr: 5e-4, betas: [0.9, 0.95], weight_decay: 0.1, grad_norm_clip: 1, batch_size: 64, iters: 15 });
    expect(w.metadata.accuracy).toMatch(/^\d+\/729$/);
  });

  it('rejects a bad argument with exit 2 and leaves an existing weights file untouched', () => {
    const out = join(dir, 'keep.safetensors');
    writeFileSync(out, 'existing');
    for (const args of [['--iters', 'ten'], ['--seed', '-1'], ['--iters', '0'], ['--lr', '1']]) {
      const r = run('train.ts', [...args, '--out', out]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/train: /);
    }
    expect(readFileSync(out, 'utf8')).toBe('existing');
  });

  it('leaves the existing weights file untouched when interrupted with Ctrl-C', async () => {
    const out = join(dir, 'interrupted.safetensors');
    writeFileSync(out, 'existing');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(ROOT, 'scripts/train.ts'), '--iters', '100000', '--out', out], { cwd: ROOT });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c, s) => r(c ?? (s ? 130 : null))));
    expect(code).not.toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('existing');
    expect(existsSync(out + `.tmp-${child.pid}`)).toBe(false);
  });
});

describe('the step tools in plain Node (npm run audit:steps, npm run shot -- --all)', () => {
  it("load every chapter's director and its whole-model steps", () => {
    const code = "const { loadOverviews } = await import('./scripts/lib/step-pages.ts'); const o = await loadOverviews(); console.log(JSON.stringify(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [...v]]))));";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const overviews = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string[]>;
    expect(Object.keys(overviews).sort()).toEqual(readdirSync(join(ROOT, 'content/chapters')).map((f) => f.replace(/^\d+-|\.md$/g, '')).sort());
    expect(overviews['how-it-sorts']).toContain('lab');
    expect(overviews.welcome).toContain('overview');
  });
});

describe('the benchmark and audit scripts refuse a bad argument before doing anything', () => {
  for (const [script, name] of [['bench.ts', 'bench'], ['bench-page.ts', 'bench:page'], ['bench-scene.ts', 'bench:scene'], ['bench-train.ts', 'bench:train'], ['audit-steps.ts', 'audit:steps']] as const) {
    it(`${name}: exit 2 and one stderr line naming the script`, () => {
      const r = run(script, ['--no-such-option']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([`${name}: unknown argument "--no-such-option": expected one of ${r.stderr.split('expected one of ')[1]!.trim()}`]);
    });
  }
});
