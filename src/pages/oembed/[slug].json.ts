/** oEmbed (https://oembed.com) for each chapter, so blog platforms can unfurl a link into the embed. */
import type { APIRoute, GetStaticPaths } from 'astro';
import { chaptersInOrder } from '../../story/chapters.ts';
import { embedSnippet, preferredHeight } from '../../story/embed.ts';
import { absoluteUrl } from '../../site/urls.ts';
import { OG_HEIGHT, OG_WIDTH, ogImagePath } from '../../site/og.ts';

export const getStaticPaths: GetStaticPaths = async () => {
  const chapters = await chaptersInOrder();
  return chapters.map((entry) => ({ params: { slug: entry.id }, props: { title: entry.data.title } }));
};

export const GET: APIRoute = ({ params, props, site }) => {
  // Every URL absolute (SITE_URL + BASE_PATH): the consumer reads this from another origin.
  const origin = site ?? new URL('http://localhost:4321');
  const root = absoluteUrl('', origin);
  const slug = params.slug!;
  const title = (props as { title: string }).title;
  const body = {
    version: '1.0',
    type: 'rich',
    provider_name: 'GPT, inside out',
    provider_url: root,
    title: `${title} · GPT, inside out`,
    width: 720,
    height: preferredHeight(720),
    html: embedSnippet(root, slug, `${title} · GPT, inside out`),
    thumbnail_url: absoluteUrl(ogImagePath(slug), origin),
    thumbnail_width: OG_WIDTH,
    thumbnail_height: OG_HEIGHT,
  };
  return new Response(JSON.stringify(body, null, 2), { headers: { 'Content-Type': 'application/json' } });
};
