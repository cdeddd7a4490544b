/**
 * The training run's panel as the chapter's HTML (built by markdown.ts from `::training`):
 * buttons that work from the keyboard, the status line, the two plots with their text summary,
 * and the current answer. panel.ts brings it to life; without scripts it says so.
 */
import { PLOT_VIEWBOX } from './plots.ts';
import { h } from '../hast.ts';

export function trainingPanel() {
  return {
    hName: 'div',
    hProperties: { className: ['training-panel'], dataTraining: '' },
    hChildren: [
      h(
        'div',
        { className: ['training-controls'], role: 'group', ariaLabel: 'Training run' },
        h('button', { type: 'button', dataAction: 'start', disabled: true }, 'Train'),
        h('button', { type: 'button', dataAction: 'pause', disabled: true }, 'Pause'),
        h('button', { type: 'button', dataAction: 'reset', disabled: true }, 'Reset'),
        h('span', { className: ['training-seed'] }, 'seed ', h('span', { className: ['train-val'], dataTrain: 'seed' }, '…')),
      ),
      h('p', { className: ['training-status'], dataTrainStatus: '' }, 'The run needs JavaScript and WebAssembly; it starts here once the page has loaded.'),
      h(
        'figure',
        { className: ['training-plots'] },
        h('svg', { className: ['plot', 'plot-loss'], role: 'img', ariaLabel: 'Loss by iteration, log scale', ariaDescribedBy: 'training-summary', viewBox: PLOT_VIEWBOX }),
        h('svg', { className: ['plot', 'plot-accuracy'], role: 'img', ariaLabel: 'Inputs sorted by iteration', ariaDescribedBy: 'training-summary', viewBox: PLOT_VIEWBOX }),
        h('figcaption', { id: 'training-summary', dataTrainSummary: '' }, 'No iterations yet.'),
      ),
      h('p', { className: ['training-answer'], dataTrainAnswer: '' }),
    ],
  };
}
