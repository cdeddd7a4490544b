/**
 * Every chapter's director, by chapter slug: each module in this folder (other than the shared
 * helpers) exports one ChapterDirector, collected here so adding a chapter needs no registry edit.
 * This eager collection is for tests and tools; pages load only their chapters' directors
 * (load.ts), so a chapter page does not download the other ten.
 */
import { isDirector, type ChapterDirector } from '../director.ts';

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./index.ts', '!./common.ts', '!./load.ts'], { eager: true });

const found: Record<string, ChapterDirector> = {};
for (const [file, exports] of Object.entries(modules)) {
  for (const value of Object.values(exports)) {
    if (!isDirector(value)) continue;
    if (found[value.chapter]) throw new Error(`two directors for chapter ${value.chapter} (one in ${file})`);
    found[value.chapter] = value;
  }
}

export const DIRECTORS: Readonly<Record<string, ChapterDirector>> = Object.freeze(found);
