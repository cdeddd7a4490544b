import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { chapterSchema, slugFromPath } from './story/schema.ts';

/** The essay's chapters: content/chapters/NN-slug.md, ordered by `order`, addressed by slug. */
const chapters = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/chapters', generateId: ({ entry }) => slugFromPath(entry) }),
  schema: chapterSchema,
});

export const collections = { chapters };
