/**
 * The frontmatter of a chapter (content/chapters/NN-slug.md). Kept apart from
 * src/content.config.ts so tests can check it without Astro's virtual modules.
 */
import { z } from 'astro/zod';

export const chapterSchema = z.object({
  /** The chapter's title, as in the page heading and the table of contents. */
  title: z.string().min(1),
  /** Position in the essay, from 1; unique across chapters. */
  order: z.number().int().positive(),
  /** One sentence saying what the chapter shows: used in the contents, link previews and oEmbed. */
  summary: z.string().min(1),
  /** A shorter title for the table of contents; defaults to the title. */
  short: z.string().min(1).optional(),
});

export type ChapterData = z.infer<typeof chapterSchema>;

/** "03-embedding.md" -> "embedding": the chapter's slug in URLs; the number only orders files. */
export function slugFromPath(path: string): string {
  const base = path.split('/').pop()!.replace(/\.md$/, '');
  return base.replace(/^\d+-/, '');
}
