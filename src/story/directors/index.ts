/** Every chapter's director, by chapter slug. */
import type { ChapterDirector } from '../director.ts';
import { welcome } from './welcome.ts';

export const DIRECTORS: Readonly<Record<string, ChapterDirector>> = Object.freeze({
  [welcome.chapter]: welcome,
});
