import type { Attributes } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import { textOr } from '@tokenledger/instrumentation-common';
import type { Body, Surface } from './surface';

interface ImagesResponse {
  data?: unknown[];
  size?: string;
  quality?: string;
  usage?: { input_tokens?: number; output_tokens?: number; input_tokens_details?: { cached_tokens?: number } };
}

/** DALL·E's defaults when a request names no size or quality (GPT image models report theirs). */
function defaults(model: string): { size?: string; quality?: string } {
  return model.startsWith('dall-e') ? { size: '1024x1024', quality: 'standard' } : {};
}

function startAttributes(body: Body): Attributes {
  const attributes: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GenAiOutputType.IMAGE };
  if (typeof body?.n === 'number') attributes[sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = body.n;
  return attributes;
}

/**
 * images.generate / edit / createVariation. Per-image prices depend on count, size and quality
 * (`tokenledger.image.*`); GPT image models also report token usage, which is what they bill.
 */
function imageSurface(defaultModel: string): Surface {
  return {
    operation: sc.GenAiOperation.IMAGE_GENERATION,
    defaultModel,
    requestAttributes: startAttributes,
    onResult(value, call, body) {
      const r = value as ImagesResponse;
      const model = textOr(body?.model, defaultModel);
      const fallback = defaults(model);
      const size = r.size ?? (typeof body?.size === 'string' && body.size !== 'auto' ? body.size : fallback.size);
      const quality = r.quality ?? (typeof body?.quality === 'string' && body.quality !== 'auto' ? body.quality : fallback.quality);
      const attributes: Attributes = { [sc.ATTR_TOKENLEDGER_IMAGE_COUNT]: Array.isArray(r.data) ? r.data.length : typeof body?.n === 'number' ? body.n : 1 };
      if (size) attributes[sc.ATTR_TOKENLEDGER_IMAGE_SIZE] = size;
      if (quality) attributes[sc.ATTR_TOKENLEDGER_IMAGE_QUALITY] = quality;
      const u = r.usage;
      call.end(u ? { input: u.input_tokens, output: u.output_tokens, cacheRead: u.input_tokens_details?.cached_tokens } : null, undefined, attributes);
    },
  };
}

/** One surface for all three: the API's default model is dall-e-2 for each (unless the request names one). */
export const imagesSurface = imageSurface('dall-e-2');
