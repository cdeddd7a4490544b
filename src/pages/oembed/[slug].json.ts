/** oEmbed (https://oembed.com) for each chapter, so blog platforms can unfurl a link into the embed. */
import type { APIRoute, GetStaticPaths } from 'astro';
import { chaptersInOrder } from '../../story/chapters.ts';
import { embedSnippet, preferredHeight } from '../../story/embed.ts';

export const getStaticPaths: GetStaticPaths = async () => {
  const chapters = await chaptersInOrder();
  return chapters.map((entry) => ({ params: { slug: entry.id }, props: { title: entry.data.title } }));
};

export const GET: APIRoute = ({ params, props, site }) => {
  const origin = (site ?? new URL('http://localhost:4321')).origin;
  const slug = params.slug!;
  const title = (props as { title: string }).title;
  const body = {
    version: '1.0',
    type: 'rich',
    provider_name: 'GPT, inside out',
    provider_url: `${origin}/`,
    title: `${title} · GPT, inside out`,
    width: 720,
    height: preferredHeight(720),
    html: embedSnippet(origin, slug, `${title} · GPT, inside out`),
  };
  return new Response(JSON.stringify(body, null, 2), { headers: { 'Content-Type': 'application/json' } });
};
