/**
 * Every chapter's director, by chapter slug: each module in this folder (other than the shared
 * helpers) exports one ChapterDirector, collected here so adding a chapter needs no registry edit.
 */
import type { ChapterDirector } from '../director.ts';

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./index.ts', '!./common.ts'], { eager: true });

function isDirector(x: unknown): x is ChapterDirector {
  return typeof x === 'object' && x !== null && typeof (x as ChapterDirector).chapter === 'string' && typeof (x as ChapterDirector).steps === 'object';
}

const found: Record<string, ChapterDirector> = {};
for (const [file, exports] of Object.entries(modules)) {
  for (const value of Object.values(exports)) {
    if (!isDirector(value)) continue;
    if (found[value.chapter]) throw new Error(`two directors for chapter ${value.chapter} (one in ${file})`);
    found[value.chapter] = value;
  }
}

export const DIRECTORS: Readonly<Record<string, ChapterDirector>> = Object.freeze(found);
