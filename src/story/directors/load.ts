/**
 * Directors for the page: each chapter's module is its own chunk, named after the chapter slug
 * (directors/<slug>.ts), and a page loads only the chapters it shows.
 */
import { isDirector, type ChapterDirector } from '../director.ts';

const loaders = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./index.ts', '!./common.ts', '!./load.ts']);

export async function loadDirectors(slugs: readonly string[]): Promise<Record<string, ChapterDirector>> {
  const out: Record<string, ChapterDirector> = {};
  await Promise.all(
    slugs.map(async (slug) => {
      const load = loaders[`./${slug}.ts`];
      if (!load) throw new Error(`no director module for chapter "${slug}" (expected src/story/directors/${slug}.ts)`);
      const found = Object.values(await load()).find((x) => isDirector(x) && x.chapter === slug);
      if (!found || !isDirector(found)) throw new Error(`src/story/directors/${slug}.ts does not export the director of chapter "${slug}"`);
      out[slug] = found;
    }),
  );
  return out;
}
