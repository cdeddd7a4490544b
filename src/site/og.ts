/**
 * Link-preview pictures: one per chapter, its key step drawn by the scene, written by
 * `npm run og` (scripts/og.ts) to public/og/<slug>.jpg and committed. Shared by the pages (meta
 * tags, oEmbed thumbnails), the script and the tests.
 */

/** Size of every preview picture in pixels: the 1.91:1 card that Open Graph and Twitter show. */
export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

/** Site path of a chapter's picture (before the base path). */
export function ogImagePath(slug: string): string {
  return `og/${slug}.jpg`;
}

/** The picture for /explore/: the whole model in the explorer. */
export const OG_EXPLORE = 'og/explore.jpg';

/**
 * The step whose picture stands for each chapter: the moment that shows what the chapter is about.
 * A chapter not named here (or whose step was renamed) uses its middle step.
 */
export const KEY_STEPS: Readonly<Record<string, string>> = Object.freeze({
  welcome: 'overview',
  tokens: 'columns',
  embedding: 'add',
  'layer-norm': 'normalize',
  'self-attention': 'softmax',
  projection: 'project',
  mlp: 'gelu',
  stack: 'spine',
  output: 'softmax',
  generation: 'six-passes',
  'how-it-sorts': 'counting',
  training: 'which-way',
  scale: 'gpt3',
});

/** The beat to draw for a chapter, given its beats in order. */
export function keyStep(slug: string, beats: readonly string[]): string {
  const named = KEY_STEPS[slug];
  if (named && beats.includes(named)) return named;
  const middle = beats[Math.floor((beats.length - 1) / 2)];
  if (middle === undefined) throw new Error(`chapter ${slug} has no steps to draw`);
  return middle;
}

/** Reads the pixel size from a PNG or baseline/progressive JPEG header; null when it is neither. */
export function imageSize(bytes: Uint8Array): { width: number; height: number; type: 'png' | 'jpeg' } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 24 && png.every((v, i) => bytes[i] === v)) {
    // Signature (8), IHDR length (4) and type (4), then width and height as big-endian u32.
    return { width: view.getUint32(16), height: view.getUint32(20), type: 'png' };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  // JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
  let off = 2;
  while (off + 9 <= bytes.length) {
    if (bytes[off] !== 0xff) return null;
    const marker = bytes[off + 1]!;
    if (marker === 0xff) {
      off++; // fill byte
      continue;
    }
    const length = view.getUint16(off + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      // Segment: length (2), precision (1), height (2), width (2).
      return { height: view.getUint16(off + 5), width: view.getUint16(off + 7), type: 'jpeg' };
    }
    off += 2 + length;
  }
  return null;
}

/** The text alternative of a chapter's preview picture. */
export function ogImageAlt(chapterTitle: string): string {
  return `The tiny GPT drawn cell by cell for the chapter "${chapterTitle}": blue cells are its weights, green cells the numbers it computed.`;
}
