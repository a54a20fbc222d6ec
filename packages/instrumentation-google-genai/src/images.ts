import type { Attributes } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';

/**
 * Imagen's output size in pixels by aspect ratio, at its `1K` image size (`2K` doubles both sides),
 * as Google documents them; the default is 1:1 at 1K.
 */
const SIZES_1K: Readonly<Record<string, [number, number]>> = {
  '1:1': [1024, 1024],
  '3:4': [896, 1280],
  '4:3': [1280, 896],
  '9:16': [768, 1408],
  '16:9': [1408, 768],
};

export function imagenSize(config: Record<string, unknown> | undefined): string | undefined {
  const ratio = typeof config?.aspectRatio === 'string' ? config.aspectRatio : '1:1';
  const scale = config?.imageSize === '2K' ? 2 : 1;
  const size = SIZES_1K[ratio];
  return size ? `${size[0] * scale}x${size[1] * scale}` : undefined;
}

interface GeneratedImage {
  image?: unknown;
  safetyAttributes?: { contentType?: string };
}

/**
 * Imagen bills per image returned. Entries without an image (filtered by the safety filters, which
 * are not billed) and the "Positive Prompt" safety entry are not images.
 */
export function imageAttributes(response: unknown, config: Record<string, unknown> | undefined): Attributes {
  const images = ((response as { generatedImages?: GeneratedImage[] })?.generatedImages ?? []).filter(
    (g) => g?.image && g.safetyAttributes?.contentType !== 'Positive Prompt',
  );
  const attributes: Attributes = { [sc.ATTR_TOKENLEDGER_IMAGE_COUNT]: images.length };
  const size = imagenSize(config);
  if (size) attributes[sc.ATTR_TOKENLEDGER_IMAGE_SIZE] = size;
  return attributes;
}
