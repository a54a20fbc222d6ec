import * as sc from '@tokenledger/semconv';
import type { Surface } from './surface';

/** embeddings.create */
export const embeddingsSurface: Surface = {
  operation: sc.GenAiOperation.EMBEDDINGS,
  requestAttributes(body) {
    const format = body?.encoding_format;
    return typeof format === 'string' ? { [sc.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS]: [format] } : {};
  },
  onResult(value, call) {
    const r = value as { model?: string; usage?: { prompt_tokens?: number } };
    call.response({ model: r.model });
    call.end({ input: r.usage?.prompt_tokens });
  },
};
