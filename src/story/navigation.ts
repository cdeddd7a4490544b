/**
 * Following the reader: the address bar carries the current step (#id, via replaceState, so
 * copying the URL shares the exact spot), a progress line names the chapter and step, and j / k
 * move one step down / up when the page (not a text field or the canvas) has focus.
 */
import { readingLine, type StoryPosition } from './scroll.ts';
import { withBase } from '../site/urls.ts';

export interface Navigation {
  /** Call when the active step changes. */
  stepChanged(pos: StoryPosition): void;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.tagName === 'CANVAS';
}

export function bindNavigation(steps: readonly HTMLElement[]): Navigation {
  const progress = document.querySelector<HTMLElement>('[data-progress]');
  const label = progress?.querySelector<HTMLElement>('[data-progress-label]');
  const bar = progress?.querySelector<HTMLElement>('[data-progress-bar]');
  let scrolled = false;
  let current = -1;
  // Until the reader scrolls, leave the address as it came (no hash added on a plain visit).
  window.addEventListener('scroll', () => (scrolled = true), { once: true, passive: true });

  const goTo = (index: number) => {
    const el = steps[index];
    if (!el) return;
    const box = el.getBoundingClientRect();
    // Land with the step's middle on the reading line: the step is active and well into its animation.
    const top = scrollY + box.top + Math.min(box.height / 2, innerHeight * 0.3) - readingLine();
    const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
    scrollTo({ top, behavior: reduce ? 'instant' : 'smooth' });
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
  };

  window.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      goTo(Math.max(0, Math.min(steps.length - 1, current + (e.key === 'j' ? 1 : -1))));
    }
  });

  return {
    stepChanged(pos) {
      current = steps.findIndex((s) => s.id === pos.id);
      // The address and the progress bar are not the picture: they follow in a task of their own,
      // after the frame that draws the new step (a step change is called from inside that frame).
      setTimeout(() => {
        if (steps[current]?.id !== pos.id) return;
        if (scrolled && pos.id && location.hash !== `#${pos.id}`) {
          history.replaceState(history.state, '', `${location.pathname}${location.search}#${pos.id}`);
        }
        if (progress && label && bar) {
          const chapter = document.getElementById(pos.chapter);
          const title = chapter?.querySelector('h1, h2')?.textContent ?? '';
          const inChapter = chapter ? chapter.querySelectorAll('[data-step]').length : 0;
          label.textContent = `${title} · step ${pos.index + 1} of ${inChapter}`;
          bar.style.width = `${(100 * (current + 1)) / steps.length}%`;
        }
      }, 0);
    },
  };
}

/**
 * Keeps the reader's letters when they follow a link to another page of the site (other
 * chapters, the essay, the explore view): internal links get `?input=` unless it is the default.
 */
export function carryInput(input: string, isDefault: boolean): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href^="/"]')) {
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith(withBase('models/'))) continue;
    if (isDefault) url.searchParams.delete('input');
    else url.searchParams.set('input', input);
    a.href = url.pathname + url.search + url.hash;
  }
}

/**
 * A notice for an address whose #fragment names nothing on the page (a stale or mistyped link),
 * or null when it is empty or names an element. The fragment is shown shortened, as text.
 */
export function unknownHashNotice(hash: string, exists: (id: string) => boolean): string | null {
  if (hash.length <= 1) return null;
  let id = hash.slice(1);
  try {
    id = decodeURIComponent(id);
  } catch {
    // A malformed escape cannot name an element either; show it as it came.
  }
  if (exists(id)) return null;
  const shown = id.length > 40 ? id.slice(0, 40) + '…' : id;
  return `There is no step ${JSON.stringify(shown)} on this page, so it opens at the start.`;
}
