/** The chapters in reading order, for pages (build time). */
import { getCollection, type CollectionEntry } from 'astro:content';

export type ChapterEntry = CollectionEntry<'chapters'>;

export async function chaptersInOrder(): Promise<ChapterEntry[]> {
  const all = await getCollection('chapters');
  const orders = new Map<number, string>();
  for (const c of all) {
    const other = orders.get(c.data.order);
    if (other) throw new Error(`chapters ${other} and ${c.id} both have order ${c.data.order}`);
    orders.set(c.data.order, c.id);
  }
  return all.sort((a, b) => a.data.order - b.data.order);
}
