/**
 * Remark plugin for chapter Markdown (used with remark-directive, see astro.config.mjs):
 *
 *   :::step{beat="lookup"}        a step of the chapter: <section class="step" data-step="lookup"
 *   ...paragraphs...              id="embedding-lookup">; the beat names a beat of the chapter's
 *   :::                           director, the id is "<chapter slug>-<beat>" (stable anchors)
 *
 *   :ref[the token embeddings]{block="wte"}   a span naming a block of the scene; hovering it
 *                                             highlights the block (same colour as the picture)
 *   :val{q="output"}  :val{tensor="embed" at="5,0" fmt="3"}
 *                     a number computed by the model (src/story/quantities.ts), filled in at
 *                     build time for the default input and updated on the page for the reader's
 *
 *   :train{q="grad"}  a number of the training run in the reader's browser
 *                     (src/story/training/values.ts): "…" until the worker has computed it
 *   ::training        the training run's controls, plots and status (src/story/training/)
 *   ::reader-input    the form where the reader types their own six letters
 *   ::sampling        temperature and seed controls for picking the next token
 *   ::ablation-lab    checkboxes that switch the model's heads and MLPs off (src/story/lab.ts)
 *   ::legend          the key to the picture's colours (src/components/legend.ts)
 *
 * Any other directive-looking text (e.g. "A:B") is put back as plain text.
 */
import type { Root, Parent, PhrasingContent, RootContent } from 'mdast';
import type { ContainerDirective, LeafDirective, TextDirective } from 'mdast-util-directive';
import type {} from 'mdast-util-to-hast'; // declares data.hName / hProperties on mdast nodes
import { slugFromPath } from './schema.ts';
import { evalQuantity, type QuantityContext } from './quantities.ts';
import { legendHtml } from '../components/legend.ts';
import { ablationLabForm } from './lab-form.ts';
import { SORTS_QUANTITIES } from './sorts-figures.ts';
import { TRAIN_VALUES } from './training/values.ts';
import { trainingPanel } from './training/panel-html.ts';
import { h } from './hast.ts';

type Directive = ContainerDirective | LeafDirective | TextDirective;

interface VFileLike {
  path?: string;
  history?: string[];
}

/** Options: a function giving the build-time context for :val (the default input's trace). */
export interface ArticleMarkdownOptions {
  context: () => QuantityContext;
}

function isDirective(node: RootContent | Root): node is Directive {
  return node.type === 'containerDirective' || node.type === 'leafDirective' || node.type === 'textDirective';
}

function asText(node: Directive): PhrasingContent[] {
  const attrs = Object.entries(node.attributes ?? {});
  const suffix = attrs.length ? `{${attrs.map(([k, v]) => `${k}="${v}"`).join(' ')}}` : '';
  const children = (node.children ?? []) as PhrasingContent[];
  if (children.length === 0) return [{ type: 'text', value: `:${node.name}${suffix}` }];
  return [{ type: 'text', value: `:${node.name}[` }, ...children, { type: 'text', value: `]${suffix}` }];
}

export function remarkArticle(options: ArticleMarkdownOptions) {
  return (tree: Root, file: VFileLike) => {
    const path = file.path ?? file.history?.[0] ?? '';
    const slug = slugFromPath(path);
    const seen = new Set<string>();
    let ctx: QuantityContext | null = null;

    const visit = (parent: Parent) => {
      for (let i = 0; i < parent.children.length; i++) {
        const node = parent.children[i] as RootContent;
        if (!isDirective(node)) {
          if ('children' in node) visit(node as Parent);
          continue;
        }
        const attrs = node.attributes ?? {};
        if (node.type === 'containerDirective' && node.name === 'step') {
          const beatName = attrs.beat;
          if (!beatName || !/^[a-z][a-z0-9-]*$/.test(beatName)) throw new Error(`${path}: a step needs beat="kebab-case-name", got ${JSON.stringify(beatName)}`);
          if (seen.has(beatName)) throw new Error(`${path}: two steps use beat "${beatName}"; beats name steps and must be unique in a chapter`);
          seen.add(beatName);
          node.data = { hName: 'section', hProperties: { className: ['step'], dataStep: beatName, id: `${slug}-${beatName}` } };
          visit(node);
        } else if (node.type === 'textDirective' && node.name === 'ref') {
          if (!attrs.block) throw new Error(`${path}: :ref[...] needs block="<block id>"`);
          node.data = { hName: 'span', hProperties: { className: ['ref'], dataBlock: attrs.block, tabIndex: 0 } };
          visit(node);
        } else if (node.type === 'textDirective' && node.name === 'val') {
          ctx ??= options.context();
          let value: string;
          // Measured over all 729 inputs (docs/analysis.json): the same for every reader, so the
          // page keeps this text and its script carries none of those numbers.
          const fixed = typeof attrs.q === 'string' && attrs.q in SORTS_QUANTITIES;
          try {
            value = fixed ? SORTS_QUANTITIES[attrs.q!]!(attrs.fmt ?? undefined) : evalQuantity(attrs, ctx);
          } catch (e) {
            throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
          }
          const props: Record<string, string | string[]> = { className: ['val'] };
          if (fixed) props['data-fixed'] = '';
          for (const key of ['q', 'tensor', 'at', 'fmt'] as const) if (attrs[key] !== undefined) props[`data-${key}`] = attrs[key]!;
          node.data = { hName: 'span', hProperties: props };
          node.children = [{ type: 'text', value }];
        } else if (node.type === 'textDirective' && node.name === 'train') {
          if (!attrs.q || !TRAIN_VALUES[attrs.q]) throw new Error(`${path}: :train needs q= one of ${Object.keys(TRAIN_VALUES).join(', ')}, got ${JSON.stringify(attrs.q)}`);
          node.data = { hName: 'span', hProperties: { className: ['train-val'], dataTrain: attrs.q } };
          node.children = [{ type: 'text', value: '…' }];
        } else if (node.type === 'leafDirective' && node.name === 'training') {
          node.data = trainingPanel() as never;
        } else if (node.type === 'leafDirective' && node.name === 'legend') {
          parent.children.splice(i, 1, { type: 'html', value: legendHtml() });
        } else if (node.type === 'leafDirective' && node.name === 'ablation-lab') {
          ctx ??= options.context();
          node.data = ablationLabForm(ctx.config) as never;
        } else if (node.type === 'leafDirective' && (node.name === 'reader-input' || node.name === 'sampling')) {
          ctx ??= options.context();
          node.data = node.name === 'reader-input' ? readerInputForm(ctx.input, node.attributes?.label ?? undefined) : samplingForm();
        } else {
          parent.children.splice(i, 1, ...(asText(node) as RootContent[]));
          i--;
          continue;
        }
      }
    };
    visit(tree);
  };
}

/**
 * The reader's letters: works as a plain form (GET ?input=) even before the script runs. A second
 * form on the same page (the whole essay) needs its own `label`: landmarks must differ by name.
 */
function readerInputForm(value: string, label = 'Your six letters') {
  return {
    hName: 'form',
    hProperties: { className: ['reader-input'], method: 'get', action: '', role: 'search', ariaLabel: label },
    hChildren: [
      h('label', {}, 'Six letters from A, B and C ', h('input', { name: 'input', value, maxLength: 6, size: 8, autocomplete: 'off', spellcheck: 'false', pattern: '[ABCabc]{6}', className: ['letters'] })),
      h('button', { type: 'submit' }, 'Run the model'),
      h('p', { className: ['input-message'], ariaLive: 'polite' }),
    ],
  } as never;
}

/** Temperature and seed for sampling the next token. */
function samplingForm() {
  return {
    hName: 'form',
    hProperties: { className: ['sampling'], ariaLabel: 'How the next token is picked' },
    hChildren: [
      h('label', {}, 'Temperature ', h('input', { type: 'range', name: 'temperature', min: '0', max: '2', step: '0.1', value: '0' }), ' ', h('output', { name: 'temperature-value' }, '0 (greedy)')),
      h('label', {}, 'Seed ', h('input', { type: 'number', name: 'seed', min: '0', max: '999999', step: '1', value: '1', size: 6 })),
    ],
  } as never;
}
