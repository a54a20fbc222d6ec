export { AnthropicInstrumentation, SUPPORTED_VERSIONS, isSupportedVersion } from './instrumentation';
export type { AnthropicInstrumentationConfig } from './types';
