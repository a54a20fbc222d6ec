export { OpenAIInstrumentation, SUPPORTED_VERSIONS } from './instrumentation';
export type { OpenAIInstrumentationConfig } from './types';
export { attributionFromContext, ATTRIBUTION_KEYS } from './attribution';
export { providerFromBaseUrl } from './provider';
