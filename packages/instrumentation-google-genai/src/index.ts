export { GoogleGenAIInstrumentation } from './instrumentation';
export type { GoogleGenAIInstrumentationConfig } from './types';
export { GENAI_RANGE, LEGACY_RANGE } from './versions';
export { usageOfGemini } from './gemini-response';
