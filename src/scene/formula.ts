/**
 * How one number of the model was computed, written with the actual numbers: the data behind a
 * hover tooltip. `evaluateFormula` recomputes the value from exactly the numbers shown (in double
 * precision), so a test can hold every tooltip to the trace; `formatFormulaLines` writes it as text.
 */
import { gelu } from '../gpt/reference.ts';

/** Pairs of factors of a sum of products, in the order they are summed. */
export type Products = [number, number][];

export type Formula =
  /** An input letter: the block shows its token id. */
  | { kind: 'token'; id: number; letter: string }
  /** A learned number: nothing to compute. `index` is the position in the parameter's shape. */
  | { kind: 'param'; param: string; index: number[]; value: number }
  /** An embedding lookup: entry `entry` (a token id or a position) of `table`, channel `channel`. */
  | { kind: 'lookup'; table: string; by: 'token' | 'position'; entry: number; channel: number; value: number }
  /** a + b */
  | { kind: 'add'; a: number; b: number }
  /** bias + Σ w·x over `products` ([w, x] pairs). `value` is the engine's float32 result, for display. */
  | { kind: 'matmul'; bias: number | null; products: Products; value: number }
  /** (x − mean) × rstd × gamma + beta */
  | { kind: 'layernorm'; x: number; mean: number; rstd: number; gamma: number; beta: number }
  /** Σ xs / n */
  | { kind: 'mean'; xs: number[] }
  /** 1 / √(Σ (x − mean)² / n + eps) */
  | { kind: 'rstd'; xs: number[]; mean: number; eps: number }
  /** scale × Σ q·k over `products` ([q_i, k_i] pairs) */
  | { kind: 'scaled-dot'; products: Products; scale: number }
  /** A key after the query: set to −∞ so its probability is 0. */
  | { kind: 'masked' }
  /** exp(x − max) / sum */
  | { kind: 'softmax'; x: number; max: number; sum: number }
  /** max of xs */
  | { kind: 'max'; xs: number[] }
  /** Σ exp(x − max) */
  | { kind: 'sumexp'; xs: number[]; max: number }
  /** Σ weights_s × values_s */
  | { kind: 'weighted-sum'; weights: number[]; values: number[] }
  /** GELU(x), tanh approximation */
  | { kind: 'gelu'; x: number };

function sumProducts(products: Products): number {
  let s = 0;
  for (const [a, b] of products) s += a * b;
  return s;
}

/** The formula's value recomputed in double precision from the numbers it holds. */
export function evaluateFormula(f: Formula): number {
  switch (f.kind) {
    case 'token':
      return f.id;
    case 'param':
    case 'lookup':
      return f.value;
    case 'add':
      return f.a + f.b;
    case 'matmul':
      return (f.bias ?? 0) + sumProducts(f.products);
    case 'layernorm':
      return (f.x - f.mean) * f.rstd * f.gamma + f.beta;
    case 'mean':
      return f.xs.reduce((s, x) => s + x, 0) / f.xs.length;
    case 'rstd': {
      const variance = f.xs.reduce((s, x) => s + (x - f.mean) ** 2, 0) / f.xs.length;
      return 1 / Math.sqrt(variance + f.eps);
    }
    case 'scaled-dot':
      return sumProducts(f.products) * f.scale;
    case 'masked':
      return -Infinity;
    case 'softmax':
      return Math.exp(f.x - f.max) / f.sum;
    case 'max':
      return f.xs.reduce((m, x) => Math.max(m, x), -Infinity);
    case 'sumexp':
      return f.xs.reduce((s, x) => s + Math.exp(x - f.max), 0);
    case 'weighted-sum':
      return f.weights.reduce((s, w, i) => s + w * f.values[i]!, 0);
    case 'gelu':
      return gelu(f.x);
  }
}

const MINUS = '\u2212';

/** ~4 significant digits, a typographic minus, ∞ for masked scores. */
export function formatNumber(n: number): string {
  if (n === Infinity) return '∞';
  if (n === -Infinity) return `${MINUS}∞`;
  if (Number.isNaN(n)) return 'NaN';
  if (n === 0) return '0';
  const a = Math.abs(n);
  const text = a >= 1e-3 && a < 1e6 ? String(Number(a.toPrecision(4))) : a.toExponential(3).replace(/\.?0+e/, 'e');
  return n < 0 ? MINUS + text : text;
}

/** A number as an operand: negatives in parentheses, so "x − (−0.03)" reads unambiguously. */
function operand(n: number): string {
  const s = formatNumber(n);
  return n < 0 ? `(${s})` : s;
}

/** The first few terms of a sum written out, then "…". */
function firstTerms(terms: string[], shown = 3): string {
  return terms.length <= shown ? terms.join(' + ') : `${terms.slice(0, shown).join(' + ')} + …`;
}

const productTerms = (products: Products) => products.map(([a, b]) => `${operand(a)} × ${operand(b)}`);

/** Short tooltip lines for a formula whose (engine) value is `value`. */
export function formatFormulaLines(f: Formula, value: number): string[] {
  const v = formatNumber(value);
  switch (f.kind) {
    case 'token':
      return [`input letter ${f.letter} = token id ${f.id}`];
    case 'param':
      return [`learned: ${f.param}[${f.index.join(', ')}] = ${v}`];
    case 'lookup':
      return [`looked up: ${f.table}, ${f.by === 'token' ? 'token id' : 'position'} ${f.entry}, channel ${f.channel} = ${v}`];
    case 'add':
      return [`a + b = ${formatNumber(f.a)} + ${operand(f.b)} = ${v}`];
    case 'matmul': {
      const n = f.products.length;
      const head = f.bias === null ? `Σ ${n} products` : `bias + Σ ${n} products`;
      const nums = f.bias === null ? `Σ ${n} products` : `${formatNumber(f.bias)} + Σ ${n} products`;
      return [`${head} = ${nums} = ${v}`, `Σ = ${firstTerms(productTerms(f.products))}`];
    }
    case 'layernorm':
      return [
        '(x − mean) × rstd × γ + β',
        `= (${formatNumber(f.x)} ${MINUS} ${operand(f.mean)}) × ${operand(f.rstd)} × ${operand(f.gamma)} + ${operand(f.beta)} = ${v}`,
      ];
    case 'mean':
      return [`mean of ${f.xs.length} values = (${firstTerms(f.xs.map(operand))}) / ${f.xs.length} = ${v}`];
    case 'rstd': {
      const variance = f.xs.reduce((s, x) => s + (x - f.mean) ** 2, 0) / f.xs.length;
      return [
        `1 / √(variance + ε), variance = mean of (x − ${operand(f.mean)})² over ${f.xs.length} values`,
        `= 1 / √(${formatNumber(variance)} + ${formatNumber(f.eps)}) = ${v}`,
      ];
    }
    case 'scaled-dot': {
      const n = f.products.length;
      return [
        `q · k × ${formatNumber(f.scale)} (1/√${n}) = ${formatNumber(sumProducts(f.products))} × ${formatNumber(f.scale)} = ${v}`,
        `q · k = ${firstTerms(productTerms(f.products))}`,
      ];
    }
    case 'masked':
      return ['this key comes after the query: masked to −∞, so its probability is 0'];
    case 'softmax':
      return ['exp(x − max) / sum', `= exp(${formatNumber(f.x)} ${MINUS} ${operand(f.max)}) / ${formatNumber(f.sum)} = ${v}`];
    case 'max':
      return [`max of ${f.xs.length} values (${firstTerms(f.xs.map(formatNumber)).replaceAll(' + ', ', ')}) = ${v}`];
    case 'sumexp':
      return [
        `Σ exp(x − max) over ${f.xs.length} values, max = ${formatNumber(f.max)}`,
        `= ${firstTerms(f.xs.map((x) => `exp(${formatNumber(x)} ${MINUS} ${operand(f.max)})`))} = ${v}`,
      ];
    case 'weighted-sum': {
      const terms = f.weights.map((w, i) => `${operand(w)} × ${operand(f.values[i]!)}`);
      return [`Σ probability × value over ${f.weights.length} positions = ${v}`, `= ${firstTerms(terms)}`];
    }
    case 'gelu':
      return [`GELU(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) = GELU(${formatNumber(f.x)}) = ${v}`];
  }
}
